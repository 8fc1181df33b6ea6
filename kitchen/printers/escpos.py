"""ESC/POS printers over TCP (port 9100) through python-escpos, Japanese in Kanji mode.

python-escpos's ``text()`` picks single-byte code pages, which cannot carry
Kanji; Japanese models instead take Shift_JIS in Kanji mode (``FS &`` on,
``FS C 1`` selects the Shift_JIS code system). So commands go through the
library (init, size, cut, status) and the text is written as Shift_JIS bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Network

from kitchen.printers.base import Line, Printer, PrinterError, PrintJob

ESC_INIT = b"\x1b@"
KANJI_ON = b"\x1c&"
KANJI_SHIFT_JIS = b"\x1cC\x01"
PAPER_STATUS = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensor
NO_PAPER_BITS = 0x60  # bits 5-6: paper end detected


def encode(text: str) -> bytes:
    # cp932 is the Shift_JIS printers actually implement (it adds NEC and IBM
    # extensions); it is byte-identical to Shift_JIS for JIS X 0208 text. The
    # half-width yen sign has no cp932 code (0x5C is a backslash or a yen sign
    # depending on the printer's character set), so it prints as the full-width one.
    return text.replace("\u00a5", "\uffe5").encode("cp932", errors="replace")


class EscposNetworkPrinter(Printer):
    def __init__(self, host: str, port: int = 9100, *, timeout: float = 3.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.address = f"{host}:{port}"

    def print_job(self, job: PrintJob) -> None:
        with self._session() as device:
            device._raw(ESC_INIT + KANJI_ON + KANJI_SHIFT_JIS)
            for line in job.lines:
                self._line(device, line)
            device._raw(b"\n\n")
            device.cut()

    def print_bytes(self, data: bytes) -> None:
        """Send ready-made ESC/POS bytes (e.g. a receipt laid out elsewhere) with the same
        paper check, timeouts and errors as :meth:`print_job`."""
        with self._session() as device:
            device._raw(data)

    @contextmanager
    def _session(self) -> Iterator[Network]:
        """An open connection whose paper sensor said yes; any failure is a PrinterError."""
        device = Network(self.host, port=self.port, timeout=self.timeout, profile="TM-T88III")
        try:
            device.open()
        except DeviceNotFoundError as exc:
            raise PrinterError(f"printer {self.address} is off or unreachable") from exc
        try:
            self._check_paper(device)
            yield device
        except OSError as exc:
            raise PrinterError(f"printer {self.address} stopped answering: {exc}") from exc
        finally:
            device.close()

    def _check_paper(self, device: Network) -> None:
        """Ask the paper sensor; a printer that does not answer is given the benefit of the doubt."""
        device._raw(PAPER_STATUS)
        try:
            status = device._read()
        except TimeoutError:
            return
        if status and status[0] & NO_PAPER_BITS:
            raise PrinterError(f"printer {self.address} is out of paper")

    def _line(self, device: Network, line: Line) -> None:
        # GS ! (custom size) scales Kanji as well as ASCII; ESC ! would not.
        if line.big:
            device.set(custom_size=True, width=2, height=2)
        else:
            device.set(normal_textsize=True)
        device._raw(encode(line.text) + b"\n")
