"""A small ESC/POS decoder for the tests: what a Japanese (J-model) printer would put on paper.

Independent of the code under test (and of python-escpos): it starts from a
printer's power-on state (international set USA, code table PC437, Kanji
mode off, JIS code system, normal size), follows the commands it knows and
refuses any other, and prints each byte as the printer's current tables say.
So a receipt that forgets ESC R 8 shows "\\" for ¥ here too, one that forgets
ESC t 1 shows box drawing for half-width kana, and a size not reset shows on
the next line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

JAPAN = 8
KATAKANA = 1
SHIFT_JIS = 1


@dataclass
class State:
    international: int = 0
    table: int = 0
    kanji: bool = False
    kanji_code: int = 0
    ank_mode: int = 0  # ESC !: bit 4 double height, bit 5 double width
    kanji_mode: int = 0  # FS !: bit 2 double width, bit 3 double height
    size: int = 0  # GS !: high nibble width - 1, low nibble height - 1 (ANK and Kanji)

    def ank_width(self) -> int:
        return ((self.size >> 4) + 1) * (2 if self.ank_mode & 0x20 else 1)

    def kanji_width(self) -> int:
        return ((self.size >> 4) + 1) * (2 if self.kanji_mode & 0x04 else 1)


@dataclass
class Char:
    text: str
    columns: int  # printed width in half-width columns, size included
    kanji: bool  # printed from the Kanji font (two bytes)


@dataclass
class Printed:
    chars: list[Char] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chars)

    @property
    def columns(self) -> int:
        return sum(c.columns for c in self.chars)


@dataclass
class Paper:
    lines: list[Printed]
    states_at_first_text: State | None
    set_before_text: set[str]  # commands given after the last ESC @ and before the first character
    qr_codes: list[bytes]
    cuts: int

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


class DecodeError(ValueError):
    pass


def _ank(byte: int, state: State) -> str:
    if byte == 0x5C and state.international == JAPAN:
        return "¥"
    if byte == 0x7E and state.international == JAPAN:
        return "‾"
    if byte < 0x80:
        return chr(byte)
    if state.table == KATAKANA:
        if 0xA1 <= byte <= 0xDF:
            return bytes([byte]).decode("shift_jis")
        return "?"
    return bytes([byte]).decode("cp437")


def decode(data: bytes) -> Paper:
    state = State()
    lines: list[Printed] = []
    line = Printed()
    first: State | None = None
    qr_store: bytes = b""
    qr_codes: list[bytes] = []
    cuts = 0
    given: set[str] = set()
    i = 0

    def take(n: int = 1) -> bytes:
        nonlocal i
        if i + n > len(data):
            raise DecodeError(f"command at {i} is cut short")
        i += n
        return data[i - n:i]

    while i < len(data):
        b = data[i]
        if b == 0x0A:
            lines.append(line)
            line = Printed()
            i += 1
        elif b == 0x1B:  # ESC
            cmd = data[i + 1:i + 2]
            if first is None:
                given = set() if cmd == b"@" else given | {"ESC " + cmd.decode("latin-1")}
            i += 2
            if cmd == b"@":
                state = State()
            elif cmd == b"R":
                state.international = take()[0]
            elif cmd == b"t":
                state.table = take()[0]
            elif cmd == b"!":
                state.ank_mode = take()[0]
            elif cmd in (b"a", b"E", b"d"):  # align, bold, feed n lines
                i += 1
            else:
                raise DecodeError(f"unknown ESC {cmd!r} at {i - 2}")
        elif b == 0x1C:  # FS
            cmd = data[i + 1:i + 2]
            if first is None:
                given.add("FS " + cmd.decode("latin-1"))
            i += 2
            if cmd == b"&":
                state.kanji = True
            elif cmd == b".":
                state.kanji = False
            elif cmd == b"C":
                state.kanji_code = take()[0]
            elif cmd == b"!":
                state.kanji_mode = take()[0]
            else:
                raise DecodeError(f"unknown FS {cmd!r} at {i - 2}")
        elif b == 0x1D:  # GS
            cmd = data[i + 1:i + 2]
            if first is None:
                given.add("GS " + cmd.decode("latin-1"))
            i += 2
            if cmd == b"!":
                state.size = take()[0]
            elif cmd == b"V":
                m = take()[0]
                if m in (65, 66):
                    i += 1
                cuts += 1
            elif cmd == b"(":
                head = take(3)
                if head[0:1] != b"k":
                    raise DecodeError(f"unknown GS ( {head[0:1]!r}")
                size = head[1] + 256 * head[2]
                body = take(size)
                if body[:3] == b"1P0":
                    qr_store = body[3:]
                elif body[:3] == b"1Q0":
                    qr_codes.append(qr_store)
            else:
                raise DecodeError(f"unknown GS {cmd!r} at {i - 2}")
        elif b == 0x10:  # DLE EOT n: a status request
            i += 3
        elif b < 0x20:
            raise DecodeError(f"unexpected control byte {b:#x} at {i}")
        else:
            if first is None:
                first = State(**vars(state))
            lead = state.kanji and state.kanji_code == SHIFT_JIS and (0x81 <= b <= 0x9F or 0xE0 <= b <= 0xFC)
            if lead:
                pair = take(2)
                line.chars.append(Char(pair.decode("shift_jis", errors="replace"), 2 * state.kanji_width(), True))
            else:
                line.chars.append(Char(_ank(b, state), state.ank_width(), False))
                i += 1
    if line.chars:
        lines.append(line)
    return Paper(lines, first, given, qr_codes, cuts)
