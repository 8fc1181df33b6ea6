"""Receipt bytes for an ESC/POS printer, Japanese in Kanji mode (Shift_JIS).

Written by hand rather than with python-escpos: python-escpos encodes text
through single-byte code pages and has no Kanji mode, and Japanese printers
(Epson TM-T88 "J" models and their clones) want FS & with Shift_JIS. The
commands used are few and stable: ESC @, FS &, FS C, ESC a, ESC E, GS !, GS V.
"""

from __future__ import annotations

from typing import Any

from registers.receipts import receipt_text_lines

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
INIT = ESC + b"@"
KANJI_ON = FS + b"&"  # Kanji character mode
SHIFT_JIS = FS + b"C\x01"  # Kanji code system: Shift_JIS
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01"}
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
DOUBLE, NORMAL = GS + b"!\x11", GS + b"!\x00"
FEED_AND_CUT = b"\n\n\n" + GS + b"V\x42\x00"  # feed then partial cut


def encode(text: str) -> bytes:
    # cp932 is Windows' Shift_JIS, what these printers really implement (it has
    # ①, ～ and the yen sign where plain shift_jis fails).
    # cp932 has no U+00A5; byte 0x5C is the yen sign in the printers' Japanese
    # (JIS X 0201) character set, so the yen sign goes out as that byte.
    return text.replace("¥", "\\").encode("cp932", errors="replace")


def receipt_escpos(receipt: dict[str, Any], width: int = 42) -> bytes:
    out = [INIT, KANJI_ON, SHIFT_JIS]
    for style, text in receipt_text_lines(receipt, width):
        if style == "title":
            out += [ALIGN["center"], DOUBLE, encode(text), b"\n", NORMAL, ALIGN["left"]]
        elif style == "center":
            out += [ALIGN["center"], encode(text), b"\n", ALIGN["left"]]
        elif style == "bold":
            out += [BOLD_ON, encode(text), b"\n", BOLD_OFF]
        else:
            out += [encode(text), b"\n"]
    out.append(FEED_AND_CUT)
    return b"".join(out)
