"""Every Japanese UI string uses the glossary's terms (locale/glossary.tsv).

Checked: the ja .po msgstrs, the templates and the JavaScript i18n tables
(every quoted string in static/pos/*.js). The glossary's data is all in the
.tsv: a new term or variant is one line there, not a change here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "locale" / "glossary.tsv"
PO = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def glossary() -> list[dict[str, str]]:
    rows = []
    lines = [line for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    header = lines[0].split("\t")
    for line in lines[1:]:
        cells = line.split("\t") + [""] * len(header)
        rows.append(dict(zip(header, cells)))
    return rows


def po_msgstrs() -> list[tuple[str, str]]:
    """(msgid, msgstr) of the ja catalogue; continuation lines joined, escapes kept as written."""
    pairs, msgid, current, field = [], "", "", None
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        match = re.match(r'^(msgid|msgstr(?:\[\d+\])?|msgid_plural|msgctxt) "(.*)"$', line)
        if match:
            if field and field.startswith("msgstr"):
                pairs.append((msgid, current))
            elif field == "msgid":
                msgid = current
            field, current = match[1], match[2]
        elif line.startswith('"') and field:
            current += line[1:-1]
        else:
            if field and field.startswith("msgstr"):
                pairs.append((msgid, current))
            elif field == "msgid":
                msgid = current
            field, current = None, ""
    return pairs


def ui_strings() -> list[tuple[str, str]]:
    """(where, text) of every Japanese UI string."""
    found = [(f"django.po: msgid {msgid!r}", text) for msgid, text in po_msgstrs() if text]
    for path in sorted((ROOT / "templates").rglob("*.html")):
        # Text between tags and quoted attribute values; comments are not UI.
        body = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", path.read_text(encoding="utf-8"), flags=re.S)
        found += [(str(path.relative_to(ROOT)), text.strip()) for text in re.findall(r">([^<>]+)<|\"([^\"]*)\"", body)
                  for text in text if text.strip()]
    for path in sorted((ROOT / "static" / "pos").glob("*.js")):
        source = re.sub(r"^\s*//.*$", "", path.read_text(encoding="utf-8"), flags=re.M)
        found += [(str(path.relative_to(ROOT)), text) for text in re.findall(r"\"((?:[^\"\\\n]|\\.)*)\"|`([^`]*)`", source)
                  for text in text if text]
    return found


def offences(strings: list[tuple[str, str]]) -> list[str]:
    bad = []
    for term in glossary():
        for variant in filter(None, (v.strip() for v in term["variants"].split(","))):
            whole = variant.startswith("=")
            word = variant.lstrip("=")
            for where, text in strings:
                if (text.strip() == word) if whole else (word in text):
                    bad.append(f"{where}: {text!r} says {word!r}; the glossary's {term['concept']} is {term['ja']!r}")
    return bad


def test_the_glossary_reads_and_each_term_is_used():
    terms = glossary()
    assert {"kitchen station", "manager", "modifier", "modifier price"} <= {t["concept"] for t in terms}
    for term in terms:
        assert term["ja"] and term["ja"] not in term["variants"].split(","), term


def test_no_ui_string_uses_a_variant_the_glossary_rules_out():
    bad = offences(ui_strings())
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("text", ["ステーション grill にキッチン画面がありません", "マネージャーPIN", "価格変更（円・税込）"])
def test_the_check_catches_a_variant(text):
    assert offences([("example", text)])


def test_a_whole_label_variant_is_only_refused_as_the_whole_label():
    assert offences([("example", "変更")])
    assert not offences([("example", "%(count)s 件の変更が本部に届いていません。")])


def test_the_catalogue_header_is_filled_in():
    header = dict(po_msgstrs())[""]
    assert "Language: ja\\n" in header and "Project-Id-Version: posweb" in header
    for placeholder in ("PACKAGE", "FULL NAME", "EMAIL@ADDRESS", "YEAR-MO-DA", "LANGUAGE <LL@li.org>"):
        assert placeholder not in header, placeholder
