"""ESC/POS printers over TCP (port 9100) through python-escpos, Japanese in Kanji mode.

python-escpos's ``text()`` picks single-byte code pages, which cannot carry
Kanji, and its size commands leave Kanji alone; Japanese models instead take
Shift_JIS in Kanji mode. So the connection, status and cut go through the
library, and the page itself is registers.receipt_escpos.document: it sets
every printer state it relies on and sizes ANK and Kanji alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from kitchen.printers.base import Printer, PrinterError, PrintJob
from registers.receipt_escpos import document
from stores.printable import wrap

PAPER_STATUS = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensor
NO_PAPER_BITS = 0x60  # bits 5-6: paper end detected

if TYPE_CHECKING:
    from escpos.printer import Network


def job_bytes(job: PrintJob, width: int = 42) -> bytes:
    """The job as ESC/POS bytes; a big line is double width, so it wraps at half the columns."""
    lines: list[tuple[str, str]] = []
    for line in job.lines:
        style, room = ("big", width // 2) if line.big else ("text", width)
        lines += [(style, piece) for piece in wrap(line.text, room)]
    return document(lines)


class EscposNetworkPrinter(Printer):
    def __init__(self, host: str, port: int = 9100, *, timeout: float = 3.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.address = f"{host}:{port}"

    def print_job(self, job: PrintJob) -> None:
        with self._session() as device:
            device._raw(job_bytes(job) + b"\n\n")
            device.cut()

    def print_bytes(self, data: bytes) -> None:
        """Send ready-made ESC/POS bytes (e.g. a receipt laid out elsewhere) with the same
        paper check, timeouts and errors as :meth:`print_job`."""
        with self._session() as device:
            device._raw(data)

    @contextmanager
    def _session(self) -> Iterator[Network]:
        """An open connection whose paper sensor said yes; any failure is a PrinterError."""
        # Imported here, not with the module: python-escpos parses its printer
        # database (YAML) on import, about a quarter of a second of every
        # process's start, and most processes (a node without printers, every
        # manage.py command) never print.
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Network

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
