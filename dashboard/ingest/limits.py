"""Caps on what one file may cost to read, and the streams that enforce them.

A hostile file (a .gz or a workbook that expands to gigabytes, one endless line, a
value of megabytes) is refused as soon as a count passes its cap, never expanded whole;
the refusal names the cap and the setting that raises it.
"""

from __future__ import annotations

import gzip
import io
import tempfile
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from dashboard.errors import HandoffError, Problem, RowExample
from dashboard.ingest.frames import MAX_EXAMPLES, fail, shorten

# Decompressed text is streamed in chunks of this size, so memory holds one chunk while
# the expanded size and the line lengths are counted.
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """Caps on what one file may cost to read; 0 switches a cap off.

    ``max_file_mb``: the largest file, in MB once decompressed (a .gz expansion or an
    Excel workbook's members; a plain file's own size). ``max_line_kb``: the longest line
    of a text file, in KB. ``max_cell_chars``: the longest single value, in characters
    (32,767 is Excel's own cell limit). The defaults are the ``data`` settings of the
    same names; a refused file names the cap and the setting that raises it.
    """

    max_file_mb: int = 1024
    max_line_kb: int = 1024
    max_cell_chars: int = 32767

    @classmethod
    def from_settings(cls, values: Mapping[str, Any]) -> ReadLimits:
        """The limits given by settings (missing keys keep their defaults)."""
        base = cls()
        return cls(
            max_file_mb=int(values.get("max_file_mb", base.max_file_mb)),
            max_line_kb=int(values.get("max_line_kb", base.max_line_kb)),
            max_cell_chars=int(values.get("max_cell_chars", base.max_cell_chars)),
        )

    @property
    def file_bytes(self) -> int | None:
        """The file cap in bytes, or None when off."""
        return self.max_file_mb * 1024 * 1024 if self.max_file_mb > 0 else None

    @property
    def line_bytes(self) -> int | None:
        """The line cap in bytes, or None when off."""
        return self.max_line_kb * 1024 if self.max_line_kb > 0 else None


def gunzip(data: bytes, display: str, limits: ReadLimits) -> bytes:
    """The decompressed bytes, streamed chunk by chunk through a temporary file.

    The expanded size and the line lengths are counted as the stream goes, so a bomb
    (a small .gz expanding to gigabytes, or one endless line) is refused when it passes
    the cap, with at most one chunk of it in memory.
    """
    cap = limits.file_bytes
    total = 0
    lines = _LineCounter(display, limits)
    try:
        with (
            gzip.GzipFile(fileobj=io.BytesIO(data)) as stream,
            tempfile.TemporaryFile(prefix="handoff-gunzip-") as spill,
        ):
            while chunk := stream.read(CHUNK):
                total += len(chunk)
                if cap is not None and total > cap:
                    raise _too_big(display, limits, decompressed=True)
                lines.feed(chunk)
                spill.write(chunk)
            spill.seek(0)
            out = spill.read()
    except (OSError, EOFError, zlib.error):
        raise fail(
            display,
            "the compressed (.gz) file is damaged or incomplete",
            "compress the file again, or upload the uncompressed CSV",
        ) from None
    if not out:
        raise fail(display, "the file is empty once decompressed", "export the data again")
    return out


def _too_big(display: str, limits: ReadLimits, *, decompressed: bool) -> HandoffError:
    what = "once decompressed, the file is" if decompressed else "the file is"
    return fail(
        display,
        f"{what} larger than the limit of {limits.max_file_mb:,} MB (setting max_file_mb); "
        "reading stopped there",
        "split the file into smaller files and load them with --append, or raise "
        "max_file_mb (handoff settings --set max_file_mb=N, or --set on this load)",
    )


def check_file_size(p: Path, display: str, limits: ReadLimits) -> None:
    """Refuse a file larger than the cap before reading any of it."""
    cap = limits.file_bytes
    try:
        size = p.stat().st_size
    except OSError:
        return  # _load_bytes reports a missing or unreadable file with its own message
    if cap is not None and size > cap:
        raise _too_big(display, limits, decompressed=False)


def check_zip_members(data: bytes, display: str, limits: ReadLimits) -> None:
    """Refuse a workbook whose members expand past the cap (a zip bomb).

    The declared sizes are checked first; each member is then streamed through and
    counted, because a crafted archive can declare small sizes (Python's zip reader
    stops at the declared size and checks the CRC, so a lie shows as damage).
    """
    cap = limits.file_bytes
    if cap is None:
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > cap:
                raise _too_big(display, limits, decompressed=True)
            total = 0
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(CHUNK):
                        total += len(chunk)
                        if total > cap:
                            raise _too_big(display, limits, decompressed=True)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
        raise fail(
            display,
            "the Excel file is damaged and cannot be opened",
            "open it in Excel to repair it, or export the data again",
        ) from None


def _line_too_long(display: str, limits: ReadLimits, line: int) -> HandoffError:
    return fail(
        display,
        f"line {line:,} is longer than the limit of {limits.max_line_kb:,} KB "
        "(setting max_line_kb); reading stopped there",
        "the file is probably not a table export (or has no line breaks); export it again "
        "from the CRM, or raise max_line_kb if its rows really are that long",
    )


class _LineCounter:
    """Checks, chunk by chunk, that no line is longer than the cap.

    Only the bytes after the last line break are carried to the next chunk, and that
    carry is never longer than the cap, so the check holds at most a chunk plus the cap.
    """

    def __init__(self, display: str, limits: ReadLimits):
        self.display = display
        self.limits = limits
        self.carry = b""
        self.breaks = 0  # line breaks before ``carry``

    def feed(self, chunk: bytes) -> None:
        cap = self.limits.line_bytes
        if cap is None:
            return
        buf = self.carry + chunk
        rest = _scan_lines(buf, cap)
        if rest is None:
            self.breaks += _breaks(buf)
            self.carry = b""
            return
        if rest < 0:
            bad = -rest - 1
            raise _line_too_long(self.display, self.limits, self.breaks + _breaks(buf[:bad]) + 1)
        self.breaks += _breaks(buf[:rest])
        self.carry = buf[rest:]


def _breaks(data: bytes) -> int:
    """Line breaks in ``data``: LF, or CR in a file written with classic Mac breaks."""
    n = data.count(b"\n")
    return n if n else data.count(b"\r")


def _scan_lines(data: bytes, cap: int) -> int | None:
    """Where the unfinished last line of ``data`` starts, or -(start + 1) of a too-long line.

    Jumps from break to break in windows of ``cap`` bytes without copying, so a file of
    ordinary lines is scanned at memory speed. None when ``data`` ends with a break.
    """
    pos, n = 0, len(data)
    while n - pos > cap:
        end = pos + cap + 1
        last = max(data.rfind(b"\n", pos, end), data.rfind(b"\r", pos, end))
        if last == -1:
            return -(pos + 1)
        pos = last + 1
    if pos == n:
        return None
    return pos


def check_lines(data: bytes, display: str, limits: ReadLimits) -> None:
    """Refuse a text file with a line longer than the cap (before it is parsed)."""
    cap = limits.line_bytes
    if cap is None:
        return
    rest = _scan_lines(data, cap)
    if rest is not None and rest < 0:
        start = -rest - 1
        raise _line_too_long(display, limits, _breaks(data[:start]) + 1)


def check_cells(frame: pl.DataFrame, display: str, limits: ReadLimits) -> None:
    """Refuse a value longer than ``max_cell_chars``, naming its column and rows."""
    cap = limits.max_cell_chars
    text = [c for c, t in frame.schema.items() if t == pl.String]
    if cap <= 0 or not text or frame.height == 0:
        return
    longest = frame.select(pl.col(c).str.len_chars().max() for c in text).row(0)
    for column, length in zip(text, longest, strict=True):
        if length is None or length <= cap:
            continue
        bad = (
            frame.select(pl.col(column))
            .with_row_index("position")
            .filter(pl.col(column).str.len_chars() > cap)
        )
        first = bad.head(MAX_EXAMPLES)
        rows = [
            RowExample(int(pos) + 2, f"{len(value):,} characters: {shorten(value, 60)}")
            for pos, value in first.iter_rows()
        ]
        raise HandoffError(
            Problem(
                message=f"a value is longer than the limit of {cap:,} characters "
                f"(setting max_cell_chars) in row {rows[0].row}",
                fix="shorten or remove the long text (notes, descriptions, pasted e-mails) "
                "in the CRM or a spreadsheet and export again, or raise max_cell_chars",
                file=display,
                column=column,
                rows=rows,
                count=bad.height,
            )
        )
