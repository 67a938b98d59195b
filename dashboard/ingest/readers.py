"""Reading uploaded CRM exports into Polars frames.

Handles CSV/TSV/TXT (delimiter and encoding detected), gzip-compressed text, Excel
workbooks (via fastexcel/calamine) and Parquet. This module finds a file's format and
reads Parquet; the readers of the other formats are :mod:`dashboard.ingest.delimited`
(with :mod:`dashboard.ingest.encodings`) and :mod:`dashboard.ingest.excel`, and
:mod:`dashboard.ingest.limits` holds the caps on hostile files. Text files are read
with every column as String so that :mod:`dashboard.ingest.values` decides how to parse
values; Excel and Parquet keep their native cell types. Every problem with the input
itself is raised as a :class:`~dashboard.errors.HandoffError` that names the file and
says how to fix it.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dashboard.ingest.delimited import DELIMITERS, read_text
from dashboard.ingest.encodings import SNIFF_BYTES
from dashboard.ingest.excel import OLE_MAGIC, open_workbook, read_excel
from dashboard.ingest.frames import (
    CONVERT_FIX,
    blank_to_null,
    clean_names,
    drop_trailing_empty_rows,
    fail,
    name_notes,
    require_rows,
    short_reason,
)
from dashboard.ingest.limits import (
    ReadLimits,
    check_cells,
    check_file_size,
    check_lines,
    check_zip_members,
    gunzip,
)

__all__ = ["ReadLimits", "ReadResult", "list_sheets", "read_file"]

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
    check_file_size(p, display, limits)
    data = _load_bytes(p, display)
    size = len(data)
    if size == 0:
        raise fail(display, "the file is empty (0 bytes)", "export the data again and upload it")

    kind, notes = _detect_kind(display, data)
    if kind == "excel":
        if data.startswith(b"PK"):
            check_zip_members(data, display, limits)
        frame, chosen, sheets, more = read_excel(data, display, sheet, header_row)
        check_cells(frame, display, limits)
        return ReadResult(frame, display, "xlsx", None, None, chosen, sheets, notes + more, size)
    if kind == "parquet":
        if sheet is not None:
            notes.append("the sheet choice was ignored: the file is not an Excel workbook")
        if header_row is not None and header_row > 1:
            notes.append("header_row was ignored: a Parquet file names its columns itself")
        frame, more = _read_parquet(data, display)
        check_cells(frame, display, limits)
        return ReadResult(frame, display, "parquet", None, None, None, [], notes + more, size)

    if sheet is not None:
        notes.append("the sheet choice was ignored: the file is not an Excel workbook")
    fmt = "csv"
    if kind == "gzip":
        data = gunzip(data, display, limits)
        fmt = "csv.gz"
    else:
        check_lines(data, display, limits)
    frame, used_encoding, used_delimiter, more = read_text(
        data, display, encoding, delimiter, header_row
    )
    check_cells(frame, display, limits)
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
    return list(open_workbook(data, p.name).sheet_names)


# ---------------------------------------------------------------------------
# format detection


def _load_bytes(p: Path, display: str) -> bytes:
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise fail(
            display, f"file not found: {p}", "check the file name and path, then try again"
        ) from None
    except IsADirectoryError:
        raise fail(display, f"{p} is a folder, not a file", "choose a file inside it") from None
    except OSError as exc:
        raise fail(
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
    if head.startswith(OLE_MAGIC):
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
        raise fail(
            display,
            f"the file is {_UNSUPPORTED[ext]}, which cannot be read as a table",
            "extract the archive and upload the CSV or Excel file inside it"
            if ext == ".zip"
            else CONVERT_FIX,
        )
    if content == "bad" and ext in _EXCEL_EXTENSIONS:
        raise fail(
            display,
            "the Excel file is damaged and cannot be opened",
            "open it in Excel to repair it, or export the data again",
        )
    if content in ("zip", "bad"):
        raise fail(
            display,
            "the file is a zip archive, not a spreadsheet",
            "extract the archive and upload the CSV or Excel file inside it",
        )
    if content == "text" and _looks_like_html(data):
        raise fail(
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
        first_line = data[:SNIFF_BYTES].replace(b"\x00", b"").split(b"\n", 1)[0]
        if not any(d.encode() in first_line for d in DELIMITERS) or (
            b"\x00" in data[:SNIFF_BYTES] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
        ):
            raise fail(
                display,
                "the Excel file is damaged or not an Excel workbook",
                "open it in Excel to repair it, or export the data again",
            )
        return "text", [f"the file is named {ext} but holds plain text; read it as CSV/TSV"]
    if expected == "parquet" and content == "text":
        raise fail(
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


# ---------------------------------------------------------------------------
# Parquet


def _read_parquet(data: bytes, display: str) -> tuple[pl.DataFrame, list[str]]:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # Polars raises several error types for damaged files
        raise fail(
            display,
            f"the Parquet file is damaged or incomplete ({short_reason(exc)})",
            "write the Parquet file again, or upload the data as CSV or Excel",
        ) from None
    raw_names = frame.columns
    names = clean_names(raw_names)
    frame.columns = names
    notes = name_notes(raw_names, names)
    frame = drop_trailing_empty_rows(blank_to_null(frame))
    if frame.width == 0:
        raise fail(display, "the Parquet file has no columns", "write the file again")
    require_rows(frame, display)
    return frame, notes
