"""Reading uploaded CRM exports into Polars frames.

Handles CSV/TSV/TXT (delimiter and encoding detected), gzip-compressed text, Excel
workbooks (via fastexcel/calamine) and Parquet. Text files are read with every column
as String so that :mod:`dashboard.ingest.values` decides how to parse values; Excel and
Parquet keep their native cell types. Every problem with the input itself is raised as
a :class:`~dashboard.errors.HandoffError` that names the file and says how to fix it.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl

from dashboard.errors import HandoffError, Problem, RowExample

__all__ = ["ReadLimits", "ReadResult", "list_sheets", "read_file"]

DELIMITERS = (",", ";", "\t", "|")

_SNIFF_BYTES = 64 * 1024
_SNIFF_RECORDS = 200
_MAX_EXAMPLES = 5

_TEXT_EXTENSIONS = {".csv", ".tsv", ".txt", ".tab"}
_EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
_PARQUET_EXTENSIONS = {".parquet", ".pq"}
_UNSUPPORTED = {
    ".json": "a JSON file",
    ".xml": "an XML file",
    ".pdf": "a PDF document",
    ".doc": "a Word document",
    ".docx": "a Word document",
    ".numbers": "an Apple Numbers file",
    ".zip": "a zip archive",
    ".rar": "a RAR archive",
    ".7z": "a 7-Zip archive",
}

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted .xlsx

_CONVERT_FIX = "open it in Excel or Google Sheets and save or export it as CSV (UTF-8) or .xlsx"


# Decompressed text is streamed in chunks of this size, so memory holds one chunk while
# the expanded size and the line lengths are counted.
_CHUNK = 1024 * 1024


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


@dataclass
class ReadResult:
    """A file as read: the frame plus what was detected about the file.

    ``frame`` has one column per header cell. CSV/TSV columns are all ``pl.String``;
    Excel and Parquet columns keep their native types (one type per column: a column
    mixing types is String). Empty and whitespace-only cells are null. Column names are
    the header cells with BOM and surrounding whitespace removed; an empty header cell
    is named ``column_<n>`` (1-based) and a repeated name gets `` (2)``, `` (3)``...
    ``notes`` tells a person every decision worth knowing (encoding fallback, sheet
    choice, renamed columns...).
    """

    frame: pl.DataFrame
    file: str
    format: str
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sheets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    size_bytes: int = 0


# ---------------------------------------------------------------------------
# errors


def _fail(
    display: str,
    message: str,
    fix: str,
    rows: list[RowExample] | None = None,
    count: int | None = None,
) -> HandoffError:
    return HandoffError(
        Problem(message=message, fix=fix, file=display, rows=rows or [], count=count)
    )


# ---------------------------------------------------------------------------
# entry points


def read_file(
    path: str | Path,
    *,
    name: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_row: int | None = None,
    limits: ReadLimits | None = None,
) -> ReadResult:
    """Read one uploaded file into a frame; raise HandoffError for any bad input.

    ``name`` is the display name (defaults to the file's basename) and is also used
    to recognise the format by extension, so a temporary upload path works. The format
    comes from the extension, then from the content's magic bytes (content wins when
    they disagree, with a note). ``sheet`` (Excel only) is a sheet name or 0-based index;
    by default the first sheet with a header and at least one row is read. ``encoding``
    and ``delimiter`` (text only) override detection. ``header_row`` (CSV/TSV/TXT, .gz
    and Excel) is the 1-based row holding the column names: the rows above it (a title
    block) are skipped; a row past the end is an error naming the option.

    ``limits`` (default: the defaults of the ``max_*`` settings) bound the memory a
    hostile file can take: a file or decompressed stream over ``max_file_mb`` is refused
    as soon as the count passes it (never fully expanded), a text line over
    ``max_line_kb`` is refused when it is reached, and a value over ``max_cell_chars``
    is refused with its column and row.
    """
    p = Path(path)
    display = name or p.name
    limits = limits or ReadLimits()
    _check_file_size(p, display, limits)
    data = _load_bytes(p, display)
    size = len(data)
    if size == 0:
        raise _fail(display, "the file is empty (0 bytes)", "export the data again and upload it")

    kind, notes = _detect_kind(display, data)
    if kind == "excel":
        if data.startswith(b"PK"):
            _check_zip_members(data, display, limits)
        frame, chosen, sheets, more = _read_excel(data, display, sheet, header_row)
        _check_cells(frame, display, limits)
        return ReadResult(frame, display, "xlsx", None, None, chosen, sheets, notes + more, size)
    if kind == "parquet":
        if sheet is not None:
            notes.append("the sheet choice was ignored: the file is not an Excel workbook")
        frame, more = _read_parquet(data, display)
        _check_cells(frame, display, limits)
        return ReadResult(frame, display, "parquet", None, None, None, [], notes + more, size)

    if sheet is not None:
        notes.append("the sheet choice was ignored: the file is not an Excel workbook")
    fmt = "csv"
    if kind == "gzip":
        data = _gunzip(data, display, limits)
        fmt = "csv.gz"
    else:
        _check_lines(data, display, limits)
    frame, used_encoding, used_delimiter, more = _read_text(
        data, display, encoding, delimiter, header_row
    )
    _check_cells(frame, display, limits)
    if fmt == "csv" and used_delimiter == "\t":
        fmt = "tsv"
    return ReadResult(
        frame, display, fmt, used_encoding, used_delimiter, None, [], notes + more, size
    )


def list_sheets(path: str | Path) -> list[str]:
    """Sheet names of an Excel workbook in workbook order; [] for any other format.

    Raises HandoffError when the file is missing or the workbook cannot be opened.
    """
    p = Path(path)
    data = _load_bytes(p, p.name)
    if not data:
        return []
    kind, _notes = _detect_kind(p.name, data)
    if kind != "excel":
        return []
    return list(_open_workbook(data, p.name).sheet_names)


# ---------------------------------------------------------------------------
# format detection


def _load_bytes(p: Path, display: str) -> bytes:
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise _fail(
            display, f"file not found: {p}", "check the file name and path, then try again"
        ) from None
    except IsADirectoryError:
        raise _fail(display, f"{p} is a folder, not a file", "choose a file inside it") from None
    except OSError as exc:
        raise _fail(
            display,
            f"the file could not be opened ({exc.strerror or exc})",
            "check that the file exists and that you are allowed to read it",
        ) from None


def _extension(display: str) -> str:
    lower = display.lower()
    if lower.endswith(".gz"):
        return ".gz"
    return Path(lower).suffix


def _zip_kind(data: bytes) -> str:
    """'excel' for an Office/OpenDocument spreadsheet, 'zip' for another archive, 'bad'."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "bad"
    if {"xl/workbook.xml", "xl/workbook.bin"} & names or "content.xml" in names:
        return "excel"
    return "zip"


def _content_kind(data: bytes) -> str:
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    return "text"


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml"))


def _detect_kind(display: str, data: bytes) -> tuple[str, list[str]]:
    """'text', 'gzip', 'excel' or 'parquet', with a note when content beats extension."""
    ext = _extension(display)
    content = _content_kind(data)
    if content == "zip":
        content = _zip_kind(data)
    if content == "ole":
        content = "excel"
    if ext in _UNSUPPORTED and content in ("text", "zip", "bad"):
        raise _fail(
            display,
            f"the file is {_UNSUPPORTED[ext]}, which cannot be read as a table",
            "extract the archive and upload the CSV or Excel file inside it"
            if ext == ".zip"
            else _CONVERT_FIX,
        )
    if content == "bad" and ext in _EXCEL_EXTENSIONS:
        raise _fail(
            display,
            "the Excel file is damaged and cannot be opened",
            "open it in Excel to repair it, or export the data again",
        )
    if content in ("zip", "bad"):
        raise _fail(
            display,
            "the file is a zip archive, not a spreadsheet",
            "extract the archive and upload the CSV or Excel file inside it",
        )
    if content == "text" and _looks_like_html(data):
        raise _fail(
            display,
            "the file is a web page (HTML) or XML document, not a table export",
            "open it in Excel and save it as .xlsx, or export the report as CSV",
        )

    expected = (
        "excel"
        if ext in _EXCEL_EXTENSIONS
        else "parquet"
        if ext in _PARQUET_EXTENSIONS
        else "gzip"
        if ext == ".gz"
        else "text"
    )
    if content == expected:
        return content, []
    if expected == "excel" and content == "text":
        # Some CRMs save tab-separated text as .xls; anything else is a broken workbook.
        first_line = data[:_SNIFF_BYTES].replace(b"\x00", b"").split(b"\n", 1)[0]
        if not any(d.encode() in first_line for d in DELIMITERS) or (
            b"\x00" in data[:_SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
        ):
            raise _fail(
                display,
                "the Excel file is damaged or not an Excel workbook",
                "open it in Excel to repair it, or export the data again",
            )
        return "text", [f"the file is named {ext} but holds plain text; read it as CSV/TSV"]
    if expected == "parquet" and content == "text":
        raise _fail(
            display,
            "the file is not a valid Parquet file",
            "export the data again, or upload it as CSV or Excel",
        )
    if content == "text":
        # Unknown extension or a .gz that is not gzip: read as text.
        if expected == "gzip":
            return "text", ["the file is named .gz but is not compressed; read it as text"]
        return "text", []
    labels = {"excel": "an Excel workbook", "parquet": "a Parquet file", "gzip": "gzip-compressed"}
    if ext:
        return content, [f"the file is named {ext} but is {labels[content]}; read it as such"]
    return content, []


def _gunzip(data: bytes, display: str, limits: ReadLimits) -> bytes:
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
            while chunk := stream.read(_CHUNK):
                total += len(chunk)
                if cap is not None and total > cap:
                    raise _too_big(display, limits, decompressed=True)
                lines.feed(chunk)
                spill.write(chunk)
            spill.seek(0)
            out = spill.read()
    except (OSError, EOFError, zlib.error):
        raise _fail(
            display,
            "the compressed (.gz) file is damaged or incomplete",
            "compress the file again, or upload the uncompressed CSV",
        ) from None
    if not out:
        raise _fail(display, "the file is empty once decompressed", "export the data again")
    return out


# ---------------------------------------------------------------------------
# limits on hostile files


def _too_big(display: str, limits: ReadLimits, *, decompressed: bool) -> HandoffError:
    what = "once decompressed, the file is" if decompressed else "the file is"
    return _fail(
        display,
        f"{what} larger than the limit of {limits.max_file_mb:,} MB (setting max_file_mb); "
        "reading stopped there",
        "split the file into smaller files and load them with --append, or raise "
        "max_file_mb (handoff settings --set max_file_mb=N, or --set on this load)",
    )


def _check_file_size(p: Path, display: str, limits: ReadLimits) -> None:
    """Refuse a file larger than the cap before reading any of it."""
    cap = limits.file_bytes
    try:
        size = p.stat().st_size
    except OSError:
        return  # _load_bytes reports a missing or unreadable file with its own message
    if cap is not None and size > cap:
        raise _too_big(display, limits, decompressed=False)


def _check_zip_members(data: bytes, display: str, limits: ReadLimits) -> None:
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
                    while chunk := stream.read(_CHUNK):
                        total += len(chunk)
                        if total > cap:
                            raise _too_big(display, limits, decompressed=True)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
        raise _fail(
            display,
            "the Excel file is damaged and cannot be opened",
            "open it in Excel to repair it, or export the data again",
        ) from None


def _line_too_long(display: str, limits: ReadLimits, line: int) -> HandoffError:
    return _fail(
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


def _check_lines(data: bytes, display: str, limits: ReadLimits) -> None:
    """Refuse a text file with a line longer than the cap (before it is parsed)."""
    cap = limits.line_bytes
    if cap is None:
        return
    rest = _scan_lines(data, cap)
    if rest is not None and rest < 0:
        start = -rest - 1
        raise _line_too_long(display, limits, _breaks(data[:start]) + 1)


def _check_cells(frame: pl.DataFrame, display: str, limits: ReadLimits) -> None:
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
        first = bad.head(_MAX_EXAMPLES)
        rows = [
            RowExample(int(pos) + 2, f"{len(value):,} characters: {_shorten(value, 60)}")
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


# ---------------------------------------------------------------------------
# header names


def _clean_names(raw: list[str]) -> list[str]:
    """Header cells to unique column names.

    BOM and surrounding whitespace are removed; an empty cell becomes ``column_<n>``
    (its 1-based position); a repeated name gets `` (2)``, `` (3)``... avoiding names
    that already exist in the header.
    """
    cleaned = []
    for i, cell in enumerate(raw, start=1):
        text = (cell or "").replace("\ufeff", "").strip()
        cleaned.append(text or f"column_{i}")
    taken = set(cleaned)
    names: list[str] = []
    used: set[str] = set()
    for text in cleaned:
        new, k = text, 2
        # A suffixed name must not clash with a name written elsewhere in the header.
        while new in used or (new != text and new in taken):
            new, k = f"{text} ({k})", k + 1
        names.append(new)
        used.add(new)
    return names


def _name_notes(raw: list[str], names: list[str]) -> list[str]:
    """Notes on the header cells that did not become column names as written."""
    unnamed: list[str] = []
    renamed: list[str] = []
    for cell, name in zip(raw, names, strict=True):
        text = (cell or "").replace("\ufeff", "").strip()
        if not text:
            unnamed.append(name)
        elif name != text:
            renamed.append(f"{text!r} -> {name!r}")
    notes = []
    if unnamed:
        notes.append(f"columns without a header named {', '.join(unnamed)}")
    if renamed:
        notes.append(f"repeated column names made unique: {', '.join(renamed)}")
    return notes


# ---------------------------------------------------------------------------
# shared frame clean-up


def _blank_to_null(frame: pl.DataFrame) -> pl.DataFrame:
    """Empty and whitespace-only strings become null; all-null untyped columns String."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            exprs.append(pl.when(col.str.contains(r"^\s*$")).then(None).otherwise(col).alias(name))
        elif isinstance(dtype, pl.Categorical | pl.Enum):
            as_text = col.cast(pl.String)
            exprs.append(
                pl.when(as_text.str.contains(r"^\s*$")).then(None).otherwise(as_text).alias(name)
            )
        elif dtype == pl.Null:
            exprs.append(col.cast(pl.String))
    return frame.with_columns(exprs) if exprs else frame


def _drop_trailing_empty_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop all-empty rows at the end only, so row numbers above them stay right."""
    if frame.height == 0 or frame.width == 0:
        return frame
    filled = frame.select(pl.any_horizontal(pl.all().is_not_null()).alias("filled"))["filled"]
    positions = filled.arg_true()
    if len(positions) == 0:
        return frame.clear()
    last = int(positions[-1])
    return frame.head(last + 1) if last + 1 < frame.height else frame


def _require_rows(frame: pl.DataFrame, display: str, where: str = "") -> None:
    if frame.height == 0:
        raise _fail(
            display,
            f"{where}has a header but no data rows",
            "export the data again with the rows included, or choose another file",
        )


# ---------------------------------------------------------------------------
# text files


_ENCODING_NAMES = {"cp1252": "windows-1252", "cp1258": "windows-1258", "utf_16": "utf-16"}


def _encoding_label(codec_name: str) -> str:
    return _ENCODING_NAMES.get(codec_name.replace("-", "_"), codec_name)


@dataclass
class _Decoded:
    data: bytes  # UTF-8 without BOM
    encoding: str
    notes: list[str]
    verified: bool  # False when only a sample was checked to be UTF-8


def _is_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 12, 13))
    return len(sample) > 0 and controls / len(sample) > 0.05


def _text_is_binary(text: str) -> bool:
    """True when decoded text is mostly control characters (wrongly guessed binary)."""
    sample = text[:_SNIFF_BYTES]
    if not sample:
        return False
    controls = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f") or ch == "\ufffd")
    return controls / len(sample) > 0.05


def _binary_error(display: str) -> HandoffError:
    return _fail(
        display,
        "the file does not contain readable text (it looks like a binary file)",
        "upload the data as CSV, Excel (.xlsx) or Parquet; " + _CONVERT_FIX,
    )


def _utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when NULs sit at every other byte, as in UTF-16 text."""
    if len(sample) < 8:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


# cp1258 bytes for vowels (incl. â ê ô ă ơ ư) and its five combining tone marks.
_VN_VOWEL = rb"[aeiouyAEIOUY\xe2\xea\xf4\xe3\xf5\xfd\xc2\xca\xd4\xc3\xd5\xdd]"
_VN_TONE = rb"[\xcc\xec\xde\xd2\xf2]"
_VN_TONED = re.compile(_VN_VOWEL + _VN_TONE)
_VN_LETTERS = re.compile(rb"[\xd0\xf0\xdd\xfd]")  # Đ đ Ư ư in cp1258


def _looks_vietnamese(data: bytes) -> bool:
    """True when the bytes read as Windows-1258 give Vietnamese text.

    Vietnamese in cp1258 writes most tones as a combining mark right after a vowel;
    Western text in cp1252 almost never has those bytes after a vowel (Portuguese ã õ
    are different bytes), so toned vowels plus đ/ư must be a good share of the
    non-ASCII bytes.
    """
    non_ascii = len(data) - len(data.translate(None, bytes(range(0x80, 0x100))))
    if non_ascii == 0:
        return False
    toned = len(_VN_TONED.findall(data))
    if toned == 0:
        return False
    letters = len(_VN_LETTERS.findall(data))
    return (2 * toned + letters) >= 0.2 * non_ascii


def _decode_legacy(raw: bytes, display: str) -> tuple[str, str, list[str]]:
    if _is_binary(raw[:_SNIFF_BYTES]):
        raise _binary_error(display)
    codec = "cp1258" if _looks_vietnamese(raw) else "cp1252"
    text = raw.decode(codec, errors="replace")
    if codec == "cp1258":
        # cp1258 writes tones as combining marks; compose them so values compare equal
        # to the same names typed in UTF-8 files.
        text = unicodedata.normalize("NFC", text)
        note = "decoded as Windows-1258 (the file is not UTF-8; the text looks Vietnamese)"
    else:
        note = "decoded as Windows-1252 (the file is not UTF-8)"
    bad = text.count("\ufffd")
    if bad:
        note += f"; {bad} bytes could not be decoded and show as \ufffd"
    note += ". If letters look wrong, save the file as 'CSV UTF-8' and upload it again"
    return text, _encoding_label(codec), [note]


def _decode(raw: bytes, display: str, encoding: str | None) -> _Decoded:
    """Turn the file's bytes into UTF-8 for Polars, detecting the encoding if not given."""
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise _fail(
                display,
                f"unknown text encoding {encoding!r}",
                "use a name such as 'utf-8', 'utf-16', 'windows-1252' or 'windows-1258'",
            ) from None
        if codec == "utf-8":
            if raw.startswith(codecs.BOM_UTF8):
                return _Decoded(raw[3:], "utf-8-sig", [], False)
            return _Decoded(raw, "utf-8", [], False)
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError as exc:
            raise _fail(
                display,
                f"the file cannot be decoded as {encoding} (byte {exc.start})",
                "choose the encoding the file was saved in, or leave it to be detected",
            ) from None
        except LookupError:  # a codec that is not a text encoding, such as rot13
            raise _fail(
                display,
                f"{encoding!r} is not a text encoding",
                "use a name such as 'utf-8', 'utf-16', 'windows-1252' or 'windows-1258'",
            ) from None
        text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
        label = _encoding_label(codec)
        return _Decoded(text.encode("utf-8"), label, [f"decoded as {label}, as requested"], True)

    if raw.startswith(codecs.BOM_UTF8):
        return _Decoded(raw[3:], "utf-8-sig", [], False)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise _binary_error(display) from None
        if _text_is_binary(text):
            raise _binary_error(display)
        return _Decoded(
            text.encode("utf-8"),
            "utf-16",
            ["decoded as UTF-16 (Excel 'Unicode text')"],
            True,
        )
    sample = raw[:_SNIFF_BYTES]
    utf16 = _utf16_without_bom(sample)
    if utf16 is not None:
        try:
            text = raw.decode(utf16)
        except UnicodeDecodeError:
            raise _binary_error(display) from None
        if _text_is_binary(text):
            raise _binary_error(display)
        return _Decoded(
            text.encode("utf-8"),
            "utf-16",
            [f"decoded as {utf16.upper()} (no byte-order mark)"],
            True,
        )
    if b"\x00" in sample:
        raise _binary_error(display)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(raw) <= _SNIFF_BYTES)
    except UnicodeDecodeError:
        text, label, notes = _decode_legacy(raw, display)
        return _Decoded(text.encode("utf-8"), label, notes, True)
    if _is_binary(sample):
        raise _binary_error(display)
    return _Decoded(raw, "utf-8", [], False)


def _prepare_text(
    data: bytes, display: str, header_row: int | None = None
) -> tuple[bytes, str | None, list[str]]:
    """Normalise line breaks, drop the rows above ``header_row``, leading blank lines and
    an Excel 'sep=' line."""
    notes: list[str] = []
    head = data[:_SNIFF_BYTES]
    if b"\n" not in head and b"\r" in head:
        data = data.replace(b"\r", b"\n")  # classic Mac line breaks (old Excel for Mac)
    if header_row is not None and header_row > 1:
        data = _skip_title_rows(data, display, header_row)
        notes.append(_title_note(header_row))
    stripped = data.lstrip(b" \t\r\n")
    if len(stripped) != len(data):
        skipped = data[: len(data) - len(stripped)].count(b"\n")
        if skipped:
            notes.append(f"skipped {skipped} empty lines before the header")
        data = stripped
    if not data or data.isspace():  # isspace scans without copying a large file
        raise _fail(display, "the file contains no data, only blank lines", "export the data again")
    forced = None
    match = re.match(rb'"?sep=(.)"?[ \t]*\r?\n', data[:16])
    if match:
        forced = match.group(1).decode("utf-8", errors="replace")
        data = data[match.end() :]
        notes.append(f"delimiter {_show(forced)} taken from the file's 'sep=' line")
    return data, forced, notes


def _header_row_error(display: str, header_row: int, rows: int | None, where: str) -> HandoffError:
    count = f" has {rows:,} rows" if rows is not None else "'s rows end before it"
    return _fail(
        display,
        f"header_row = {header_row} (mapping-file option) is past the end: {where}{count}",
        "set header_row in the mapping file's [options] to the row that holds the column "
        "names, counting the file's first row as 1 (or remove it when that is row 1)",
    )


def _title_note(header_row: int) -> str:
    above = "row 1" if header_row == 2 else f"rows 1-{header_row - 1}"
    return (
        f"column names read from row {header_row} (header_row); {above} above it skipped. "
        "Row numbers in messages count the header row as row 1"
    )


def _skip_title_rows(data: bytes, display: str, header_row: int) -> bytes:
    """The text from line ``header_row`` on (lines of a title block above it dropped)."""
    pos = 0
    for line in range(1, header_row):
        nxt = data.find(b"\n", pos)
        if nxt == -1:
            raise _header_row_error(display, header_row, line, "the file")
        pos = nxt + 1
    if pos >= len(data):
        raise _header_row_error(display, header_row, header_row - 1, "the file")
    return data[pos:]


def _show(delimiter: str) -> str:
    return {"\t": "tab", " ": "space"}.get(delimiter, repr(delimiter))


def _sample_records(data: bytes, delimiter: str) -> list[list[str]]:
    """The first records of the text split with ``delimiter``, respecting quotes."""
    truncated = len(data) > _SNIFF_BYTES
    text = data[:_SNIFF_BYTES].decode("utf-8", errors="ignore")
    if truncated and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    try:
        records = []
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            records.append(record)
            if len(records) > _SNIFF_RECORDS:
                break
    except csv.Error:
        return []
    if truncated and len(records) > 1:
        records.pop()  # may be cut in the middle of a quoted field
    return records


def _sniff(data: bytes) -> tuple[str, list[str], list[str]]:
    """Choose the delimiter: the candidate giving a consistent field count > 1."""
    best: tuple[tuple[int, float, int], str, list[str]] | None = None
    for rank, candidate in enumerate(DELIMITERS):
        records = [r for r in _sample_records(data, candidate) if r]
        if not records:
            continue
        width = len(records[0])
        if width < 2:
            continue
        matching = sum(1 for r in records if len(r) == width) / len(records)
        consistent = 1 if matching == 1.0 else 0
        # Prefer consistent candidates, then more columns, then the usual order.
        score = (consistent, matching if not consistent else 1.0, width * 10 - rank)
        if best is None or score > best[0]:
            best = (score, candidate, records[0])
    if best is None:
        records = _sample_records(data, ",")
        header = records[0] if records else [""]
        return ",", header, ["only one column found (no , ; tab or | delimiter in the header)"]
    return best[1], best[2], []


# Counting delimiters outside quotes: scanning left to right, a quoted section is matched
# whole (so the delimiters inside it are skipped) and the same sections are found
# whether or not the delimiters between them are matched too; the difference of the two
# counts is the number of delimiters outside quotes.
_QUOTED = r'"(?:[^"]|"")*"'


def _records(data: bytes, delimiter: str) -> pl.DataFrame:
    """One row per CSV record of ``data`` (header first): ``text``, ``fields``, ``blank``.

    Lines are read by Polars and joined where a quoted field spans lines (an odd number
    of quote characters so far), so this stays vectorised on large files.
    """
    lines = pl.read_csv(
        data,
        has_header=False,
        separator="\x00",
        quote_char=None,
        infer_schema=False,
        new_columns=["text"],
        empty_string_is_null=False,
        truncate_ragged_lines=True,
        raise_if_empty=False,
    )
    quotes = lines["text"].str.count_matches('"', literal=True)
    odd = (quotes % 2) == 1
    if bool(odd.any()):
        inside = (odd.cast(pl.Int64).cum_sum() % 2) == 1
        starts = ~inside.shift(1, fill_value=False)
        lines = (
            lines.with_columns(starts.cum_sum().alias("record"))
            .group_by("record", maintain_order=True)
            .agg(pl.col("text").str.join("\n"))
            .drop("record")
        )
    d = re.escape(delimiter) if delimiter != "\t" else r"\t"
    text = pl.col("text")
    return lines.select(
        text,
        pl.when(text.str.contains('"', literal=True))
        .then(text.str.count_matches(f"{_QUOTED}|{d}") - text.str.count_matches(_QUOTED))
        .otherwise(text.str.count_matches(delimiter, literal=True))
        .add(1)
        .alias("fields"),
        (text.str.strip_chars("\r") == "").alias("blank"),
    )


def _ragged_error(data: bytes, delimiter: str, expected: int, display: str) -> HandoffError | None:
    """The error naming the rows whose field count differs from the header, or None."""
    try:
        records = _records(data, delimiter).with_row_index("record")
    except pl.exceptions.PolarsError:
        return None  # the caller reports the file as unreadable CSV instead
    bad = records.filter((pl.col("record") > 0) & ~pl.col("blank") & (pl.col("fields") != expected))
    if bad.height == 0:
        return None
    first = bad.row(0, named=True)
    row = int(first["record"]) + 1  # the header is record 0 and row 1
    examples = [
        RowExample(int(r["record"]) + 1, _shorten(r["text"]))
        for r in bad.head(_MAX_EXAMPLES).iter_rows(named=True)
    ]
    more = f"; {bad.height} rows in all do not match the header" if bad.height > 1 else ""
    return _fail(
        display,
        f"row {row} has {_fields(first['fields'])} but the header has {expected}{more}",
        f"a value probably contains the delimiter {_show(delimiter)} without quotes around "
        "it, or the file was cut off. Export the file again from the CRM, or fix the row "
        "in a spreadsheet and save it as CSV",
        rows=examples,
        count=bad.height,
    )


def _fields(n: int) -> str:
    return "1 field" if n == 1 else f"{n} fields"


def _shorten(text: str, limit: int = 120) -> str:
    text = text.rstrip("\r")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _polars_csv(data: bytes, delimiter: str) -> pl.DataFrame:
    return pl.read_csv(
        data,
        separator=delimiter,
        has_header=True,
        infer_schema=False,
        quote_char='"',
        raise_if_empty=False,
        truncate_ragged_lines=False,
    )


def _read_text(
    raw: bytes,
    display: str,
    encoding: str | None,
    delimiter: str | None,
    header_row: int | None = None,
) -> tuple[pl.DataFrame, str, str, list[str]]:
    if not raw or raw.isspace():
        raise _fail(display, "the file contains no data, only blank space", "export the data again")
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
        if len(delimiter.encode()) != 1 or delimiter in ('"', "\n", "\r"):
            raise _fail(
                display,
                f"{delimiter!r} cannot be used as a delimiter",
                "use one character such as ',', ';', '|' or 'tab'",
            )
    decoded = _decode(raw, display, encoding)
    try:
        return _read_decoded(decoded, display, delimiter, header_row)
    except _NotUtf8:
        if encoding is not None:
            raise _fail(
                display,
                f"the file is not valid {encoding}",
                "choose the encoding the file was saved in, or leave it to be detected",
            ) from None
        if decoded.encoding == "utf-8-sig":
            text = decoded.data.decode("utf-8", errors="replace")
            bad = text.count("\ufffd")
            fixed = _Decoded(
                text.encode("utf-8"),
                "utf-8-sig",
                [f"{bad} invalid UTF-8 bytes replaced by \ufffd"],
                True,
            )
            return _read_decoded(fixed, display, delimiter, header_row)
        text, label, notes = _decode_legacy(raw, display)
        legacy = _Decoded(text.encode("utf-8"), label, notes, True)
        return _read_decoded(legacy, display, delimiter, header_row)


class _NotUtf8(Exception):
    """Polars found invalid UTF-8 past the sample that was checked."""


def _read_decoded(
    decoded: _Decoded, display: str, delimiter: str | None, header_row: int | None = None
) -> tuple[pl.DataFrame, str, str, list[str]]:
    notes = list(decoded.notes)
    data, forced, more = _prepare_text(decoded.data, display, header_row)
    notes += more
    delimiter = delimiter or forced
    if delimiter is None:
        delimiter, header, sniff_notes = _sniff(data)
        notes += sniff_notes
    else:
        records = _sample_records(data, delimiter)
        header = records[0] if records else [""]

    try:
        frame = _polars_csv(data, delimiter)
    except pl.exceptions.NoDataError:
        raise _fail(display, "the file is empty", "export the data again") from None
    except pl.exceptions.ComputeError as exc:
        message = str(exc)
        if "utf-8" in message.lower() and not decoded.verified:
            raise _NotUtf8 from None
        if "more fields" in message:
            error = _ragged_error(data, delimiter, len(header), display)
            if error is not None:
                raise error from None
        raise _fail(
            display,
            'the file cannot be read as CSV: a quote character (") is not closed or '
            "stands inside a value",
            "values that contain quotes must be wrapped in quotes with the inner quotes "
            'doubled (""); export the file again, or open it in a spreadsheet and save it '
            "as CSV",
        ) from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _fail(
            display,
            f"the file cannot be read as CSV ({type(exc).__name__})",
            _CONVERT_FIX,
        ) from None

    cells = header if len(header) == frame.width else frame.columns
    names = _clean_names(cells)
    frame.columns = names
    notes += _name_notes(cells, names)

    if frame.height and frame.width > 1:
        # Polars pads a row with too few fields with empty strings; such a row must
        # end with an empty cell, so only then is the slower record check needed.
        last = frame.columns[-1]
        if bool(frame.select((pl.col(last).is_null() | (pl.col(last) == "")).any()).item()):
            error = _ragged_error(data, delimiter, frame.width, display)
            if error is not None:
                raise error

    frame = _drop_trailing_empty_rows(_blank_to_null(frame))
    _require_rows(frame, display)
    return frame, decoded.encoding, delimiter, notes


# ---------------------------------------------------------------------------
# Excel


def _open_workbook(data: bytes, display: str) -> fastexcel.ExcelReader:
    try:
        return fastexcel.read_excel(data)
    except Exception as exc:  # fastexcel raises its own error types for every failure
        encrypted = data.startswith(_OLE_MAGIC) and b"EncryptedPackage" in data.replace(
            b"\x00", b""
        )
        if encrypted:
            raise _fail(
                display,
                "the workbook is password-protected",
                "remove the password in Excel (File > Info > Protect Workbook) and save again",
            ) from None
        raise _fail(
            display,
            f"the Excel file is damaged or not a workbook Excel can open ({_short_reason(exc)})",
            "open it in Excel to repair it and save it as .xlsx, or export the data again",
        ) from None


def _short_reason(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return first[:160]


def _sheet_frame(
    data: bytes,
    reader: fastexcel.ExcelReader,
    sheet: str,
    display: str,
    header_row: int | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """One sheet with native types, original header names and trailing blanks removed.

    ``header_row`` (1-based, counted from the sheet's first row) is where the names are.
    Also returns notes on renamed columns.
    """
    skip = header_row - 1 if header_row else 0
    try:
        frame = pl.read_excel(
            data,
            sheet_name=sheet,
            engine="calamine",
            infer_schema_length=None,
            drop_empty_rows=False,
            drop_empty_cols=False,
            raise_if_empty=False,
            read_options={"header_row": skip},
        )
    except Exception as exc:  # calamine/fastexcel errors for a damaged sheet
        raise _fail(
            display,
            f"sheet {sheet!r} cannot be read ({_short_reason(exc)})",
            "open the workbook in Excel, check the sheet, save it again and re-upload",
        ) from None
    if frame.width == 0:
        return frame, []
    try:
        header_row = reader.load_sheet(
            sheet, header_row=None, skip_rows=skip, n_rows=1, dtypes="string"
        ).to_polars()
        raw_header = [None if v is None else str(v) for v in header_row.row(0)]
    except Exception:  # the typed read succeeded; fall back to the names Polars chose
        raw_header = []
    if len(raw_header) == frame.width:
        cells = [h or "" for h in raw_header]
    else:
        cells = ["" if c.startswith("__UNNAMED__") else c for c in frame.columns]
    names = _clean_names(cells)
    frame.columns = names
    frame = _blank_to_null(frame)
    # Columns with neither a header nor data are formatting left-overs, not columns.
    keep = [
        i
        for i, (cell, name) in enumerate(zip(cells, names, strict=True))
        if cell.strip() or frame.get_column(name).null_count() < frame.height
    ]
    frame = frame.select([names[i] for i in keep])
    notes = _name_notes([cells[i] for i in keep], [names[i] for i in keep])
    return _drop_trailing_empty_rows(frame), notes


def _resolve_sheet(sheet: str | int, sheets: list[str], display: str) -> tuple[str, list[str]]:
    listed = ", ".join(repr(s) for s in sheets)
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(sheets):
            return sheets[sheet], []
        raise _fail(
            display,
            f"the workbook has no sheet number {sheet} (it has {len(sheets)}: {listed})",
            "choose one of the sheets listed (numbered from 0)",
        )
    if sheet in sheets:
        return str(sheet), []
    wanted = str(sheet).strip().casefold()
    close = [s for s in sheets if s.strip().casefold() == wanted]
    if len(close) == 1:
        return close[0], [f"sheet {sheet!r} matched {close[0]!r}"]
    raise _fail(
        display,
        f"the workbook has no sheet named {sheet!r}; its sheets are {listed}",
        "choose one of the sheets listed",
    )


def _read_excel(
    data: bytes, display: str, sheet: str | int | None, header_row: int | None = None
) -> tuple[pl.DataFrame, str, list[str], list[str]]:
    reader = _open_workbook(data, display)
    sheets = list(reader.sheet_names)
    if not sheets:
        raise _fail(display, "the workbook has no sheets", "export the data again")
    notes: list[str] = [_title_note(header_row)] if header_row and header_row > 1 else []
    if sheet is not None:
        chosen, more = _resolve_sheet(sheet, sheets, display)
        frame, name_notes = _sheet_frame(data, reader, chosen, display, header_row)
        notes += more + name_notes
        if frame.width == 0 and header_row and header_row > 1:
            raise _header_row_error(display, header_row, None, f"sheet {chosen!r}")
        if frame.width == 0:
            raise _fail(
                display, f"sheet {chosen!r} is empty", "choose the sheet that holds the data"
            )
        _require_rows(frame, display, f"sheet {chosen!r} ")
        return frame, chosen, sheets, notes

    header_only: list[str] = []
    for name in sheets:
        frame, name_notes = _sheet_frame(data, reader, name, display, header_row)
        if frame.width == 0:
            continue
        if frame.height == 0:
            header_only.append(name)
            continue
        if len(sheets) > 1:
            notes.append(
                f"read sheet {name!r}, the first with data; the workbook also has "
                + ", ".join(repr(s) for s in sheets if s != name)
            )
        return frame, name, sheets, notes + name_notes
    if header_only:
        raise _fail(
            display,
            f"sheet {header_only[0]!r} has a header but no data rows, and no other sheet has data",
            "export the data again with the rows included",
        )
    if header_row and header_row > 1:
        raise _header_row_error(display, header_row, None, "every sheet")
    raise _fail(display, "every sheet in the workbook is empty", "export the data again")


# ---------------------------------------------------------------------------
# Parquet


def _read_parquet(data: bytes, display: str) -> tuple[pl.DataFrame, list[str]]:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # Polars raises several error types for damaged files
        raise _fail(
            display,
            f"the Parquet file is damaged or incomplete ({_short_reason(exc)})",
            "write the Parquet file again, or upload the data as CSV or Excel",
        ) from None
    raw_names = frame.columns
    names = _clean_names(raw_names)
    frame.columns = names
    notes = _name_notes(raw_names, names)
    frame = _drop_trailing_empty_rows(_blank_to_null(frame))
    if frame.width == 0:
        raise _fail(display, "the Parquet file has no columns", "write the file again")
    _require_rows(frame, display)
    return frame, notes
