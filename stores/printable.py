"""What a Japanese (J-model) receipt or kitchen printer can print, in its columns. Pure: no I/O.

In Kanji mode with the Shift_JIS code system (FS &, FS C 1) such a printer
prints JIS X 0208 as two bytes, two columns wide, and JIS X 0201 as one byte,
one column: ASCII with the yen sign at 0x5C and the overline at 0x7E once the
international set is Japan (ESC R 8), half-width katakana at 0xA1-0xDF once
the code table is Katakana (ESC t 1). So a character's width on paper is its
byte count, not its Unicode width (※ is "ambiguous", one column by Unicode,
two on paper). Anything else (vendor extensions such as ① or 髙, emoji) prints
as whatever the model keeps there, or nothing: it is mapped to a character
the printer has, or refused when a menu name is saved.

Menu and store names are checked by :func:`unprintable` when saved (:class:`PrintedFields`); the printers encode
with :func:`printer_bytes`, which prints 〓 (the geta mark, the printers'
traditional "missing character") for anything that slipped through.
"""

from __future__ import annotations

from functools import lru_cache
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MISSING = "〓"

# Characters the printer lacks, printed as a look-alike it has. The NEC and
# IBM extensions that Windows (cp932) adds to Shift_JIS are on no J-model's
# standard font; common ones in menus get a plain form here.
SUBSTITUTES: dict[str, str] = {
    "\\": "＼",  # 0x5C is the yen sign once the international set is Japan
    "~": "〜",  # 0x7E is the overline there
    "～": "〜",
    "－": "−",
    "髙": "高",
    "﨑": "崎",
    "𠮷": "吉",
    "德": "徳",
    "№": "No.",
    "℡": "TEL",
    "㈱": "(株)",
    "㈲": "(有)",
    "™": "TM",
    "\u00a0": " ",
    "\u3000": "　",
    **{chr(0x2460 + n): f"({n + 1})" for n in range(20)},  # ①..⑳
    **{chr(0x2160 + n): roman for n, roman in enumerate(["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"])},
}


@lru_cache(maxsize=4096)
def char_bytes(ch: str) -> bytes | None:
    """The printer's bytes for one character, or None when it has none."""
    if ch in SUBSTITUTES:
        return b"".join(char_bytes(part) or b"" for part in SUBSTITUTES[ch])
    if ch < " " or ch == "\x7f":
        return None  # control characters would be printer commands
    try:
        return ch.encode("shift_jis")
    except UnicodeEncodeError:
        pass
    # cp932 spells a few JIS X 0208 characters with other code points (e.g.
    # ￠ for ¢): same position, same glyph on the printer. Its own extensions
    # (rows 13 and 89-92, 115-119) decode with no JIS X 0208 equivalent.
    try:
        data = ch.encode("cp932")
        data.decode("shift_jis")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None
    return data


def unprintable(text: str) -> list[str]:
    """The characters of ``text`` the printer cannot print, even with a substitute (in order, once each)."""
    seen: list[str] = []
    for ch in text:
        if char_bytes(ch) is None and ch not in seen:
            seen.append(ch)
    return seen


def printer_bytes(text: str) -> bytes:
    """``text`` as the printer's bytes; a character it cannot print becomes 〓."""
    missing = char_bytes(MISSING) or b"?"
    return b"".join(char_bytes(ch) or missing for ch in text)


def columns(text: str) -> int:
    """Printed width of ``text`` in half-width columns (its byte count on the printer)."""
    return len(printer_bytes(text))


def wrap(text: str, width: int) -> list[str]:
    """``text`` cut into pieces of at most ``width`` columns, never inside a character."""
    pieces, current, used = [], "", 0
    for ch in text:
        size = len(char_bytes(ch) or char_bytes(MISSING) or b"??")
        if used + size > width and current:
            pieces.append(current)
            current, used = "", 0
        current += ch
        used += size
    if current or not pieces:
        pieces.append(current)
    return pieces


class PrintedFields:
    """A model mixin: ``printed_fields`` (printed on receipts or tickets) are refused when
    saved (admin, full_clean) if the printers cannot print them. Characters with a common
    form they print (髙 as 高, ① as (1)) are taken and printed in that form."""

    printed_fields: ClassVar[tuple[str, ...]] = ()

    def clean(self) -> None:
        errors = {}
        for name in self.printed_fields:
            if bad := unprintable(getattr(self, name) or ""):
                errors[name] = _(
                    "The receipt and kitchen printers cannot print %(chars)s. Remove it or use a common character instead."
                ) % {"chars": " ".join(repr(ch) if ch < " " else ch for ch in bad)}
        if errors:
            raise ValidationError(errors)
