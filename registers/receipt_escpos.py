"""Receipt (and ticket) bytes for a Japanese ESC/POS printer, Kanji mode, Shift_JIS.

Written by hand rather than with python-escpos: python-escpos encodes text
through single-byte code pages and has no Kanji mode, and Japanese printers
(Epson TM-T88 "J" models and their clones) want FS & with Shift_JIS.

Nothing is assumed of the printer's state: a printer keeps whatever the last
job or its DIP switches left (often the US set and code page 437, where 0x5C
prints "\\" and half-width kana print as box drawing). Every document starts by
setting each state it relies on: ESC @ (initialise), ESC R 8 (international
set Japan: 0x5C is ¥), ESC t 1 (code table Katakana: 0xA1-0xDF are half-width
kana), FS & (Kanji mode on), FS C 1 (Kanji code system Shift_JIS), and the
sizes of both kinds of character: ESC ! (ANK print mode), FS ! (Kanji print
mode) and GS ! (character size, both kinds). A double-size line is set with
GS ! and reset with all three, so Kanji never stay double size.
Text goes through stores.printable (what the printer can print, in its columns).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from registers.receipts import receipt_text_lines
from stores.printable import printer_bytes, wrap

ESC, GS, FS = b"\x1b", b"\x1d", b"\x1c"
INIT = ESC + b"@"
INTERNATIONAL_JAPAN = ESC + b"R\x08"
CODE_TABLE_KATAKANA = ESC + b"t\x01"
SHIFT_JIS = FS + b"C\x01"  # Kanji code system: Shift_JIS
KANJI_ON = FS + b"&"  # Kanji character mode
NORMAL = ESC + b"!\x00" + FS + b"!\x00" + GS + b"!\x00"  # ANK mode, Kanji mode, size of both
DOUBLE = GS + b"!\x11"  # double width and height, ANK and Kanji alike
SETUP = INIT + INTERNATIONAL_JAPAN + CODE_TABLE_KATAKANA + KANJI_ON + SHIFT_JIS + NORMAL
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01"}
BOLD_ON, BOLD_OFF = ESC + b"E\x01", ESC + b"E\x00"
FEED_AND_CUT = b"\n\n\n" + GS + b"V\x42\x00"  # feed then partial cut


def encode(text: str) -> bytes:
    """``text`` as the printer prints it after :data:`SETUP` (¥ is 0x5C, kana 0xA1-0xDF)."""
    return printer_bytes(text)


def qr_code(data: str, module: int = 5) -> bytes:
    """A QR code the printer draws itself (GS ( k, model 2, error correction M)."""
    payload = data.encode("ascii")
    size = len(payload) + 3

    def k(*parts: int) -> bytes:
        return GS + b"(k" + bytes(parts)

    return (
        k(4, 0, 49, 65, 50, 0)  # model 2
        + k(3, 0, 49, 67, module)  # module size in dots
        + k(3, 0, 49, 69, 49)  # error correction M
        + k(size % 256, size // 256, 49, 80, 48) + payload  # store the data
        + k(3, 0, 49, 81, 48)  # print it
    )


def document(lines: list[tuple[str, str]]) -> bytes:
    """Bytes of (style, text) lines: "title" (double, centred), "big" (double), "center", "bold", "text"."""
    out = [SETUP]
    for style, text in lines:
        if style == "title":
            out += [ALIGN["center"], DOUBLE, encode(text), b"\n", NORMAL, ALIGN["left"]]
        elif style == "big":
            out += [DOUBLE, encode(text), b"\n", NORMAL]
        elif style == "center":
            out += [ALIGN["center"], encode(text), b"\n", ALIGN["left"]]
        elif style == "bold":
            out += [BOLD_ON, encode(text), b"\n", BOLD_OFF]
        else:
            out += [encode(text), b"\n"]
    return b"".join(out)


def receipt_escpos(receipt: dict[str, Any], width: int = 42, link: str | None = None) -> bytes:
    """The receipt's bytes; ``link`` (the signed e-receipt address) is printed as a QR code under it."""
    out = [document(receipt_text_lines(receipt, width))]
    if link:
        with translation.override(receipt["lang"]):
            caption = _("Scan for this receipt on your phone")
        out += [ALIGN["center"], *(encode(piece) + b"\n" for piece in wrap(caption, width)), qr_code(link), b"\n", ALIGN["left"]]
    out.append(FEED_AND_CUT)
    return b"".join(out)
