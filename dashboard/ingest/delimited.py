"""CSV/TSV/TXT text into a frame: delimiter, title rows, quoting, ragged rows.

The text is first made UTF-8 (:mod:`dashboard.ingest.encodings`); the delimiter is the
one given, the file's Excel ``sep=`` line, or the candidate that splits the first
records into a consistent number of fields. Every column is read as String.
"""

from __future__ import annotations

import csv
import io
import re

import polars as pl

from dashboard.errors import HandoffError, RowExample
from dashboard.ingest.encodings import SNIFF_BYTES, Decoded, decode, decode_legacy
from dashboard.ingest.frames import (
    CONVERT_FIX,
    MAX_EXAMPLES,
    blank_to_null,
    clean_names,
    drop_trailing_empty_rows,
    fail,
    name_notes,
    require_rows,
    shorten,
)

DELIMITERS = (",", ";", "\t", "|")

_SNIFF_RECORDS = 200


def _prepare_text(
    data: bytes, display: str, header_row: int | None = None
) -> tuple[bytes, str | None, list[str]]:
    """Normalise line breaks, drop the rows above ``header_row``, leading blank lines and
    an Excel 'sep=' line."""
    notes: list[str] = []
    head = data[:SNIFF_BYTES]
    if b"\n" not in head and b"\r" in head:
        data = data.replace(b"\r", b"\n")  # classic Mac line breaks (old Excel for Mac)
    if header_row is not None and header_row > 1:
        data = _skip_title_rows(data, display, header_row)
        notes.append(title_note(header_row))
    stripped = data.lstrip(b" \t\r\n")
    if len(stripped) != len(data):
        skipped = data[: len(data) - len(stripped)].count(b"\n")
        if skipped:
            notes.append(f"skipped {skipped} empty lines before the header")
        data = stripped
    if not data or data.isspace():  # isspace scans without copying a large file
        raise fail(display, "the file contains no data, only blank lines", "export the data again")
    forced = None
    match = re.match(rb'"?sep=(.)"?[ \t]*\r?\n', data[:16])
    if match:
        forced = match.group(1).decode("utf-8", errors="replace")
        data = data[match.end() :]
        notes.append(f"delimiter {_show(forced)} taken from the file's 'sep=' line")
    return data, forced, notes


def header_row_error(display: str, header_row: int, rows: int | None, where: str) -> HandoffError:
    """The error for a ``header_row`` past the last row (``rows`` of ``where``, if known)."""
    count = f" has {rows:,} rows" if rows is not None else "'s rows end before it"
    return fail(
        display,
        f"header_row = {header_row} (mapping-file option) is past the end: {where}{count}",
        "set header_row in the mapping file's [options] to the row that holds the column "
        "names, counting the file's first row as 1 (or remove it when that is row 1)",
    )


def title_note(header_row: int) -> str:
    """The note a load shows for the title rows ``header_row`` skipped."""
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
            raise header_row_error(display, header_row, line, "the file")
        pos = nxt + 1
    if pos >= len(data):
        raise header_row_error(display, header_row, header_row - 1, "the file")
    return data[pos:]


def _show(delimiter: str) -> str:
    return {"\t": "tab", " ": "space"}.get(delimiter, repr(delimiter))


def _sample_records(data: bytes, delimiter: str) -> list[list[str]]:
    """The first records of the text split with ``delimiter``, respecting quotes."""
    truncated = len(data) > SNIFF_BYTES
    text = data[:SNIFF_BYTES].decode("utf-8", errors="ignore")
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
        RowExample(int(r["record"]) + 1, shorten(r["text"]))
        for r in bad.head(MAX_EXAMPLES).iter_rows(named=True)
    ]
    more = f"; {bad.height} rows in all do not match the header" if bad.height > 1 else ""
    return fail(
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


def read_text(
    raw: bytes,
    display: str,
    encoding: str | None,
    delimiter: str | None,
    header_row: int | None = None,
) -> tuple[pl.DataFrame, str, str, list[str]]:
    """Text bytes to an all-String frame: the frame, the encoding and delimiter used, notes."""
    if not raw or raw.isspace():
        raise fail(display, "the file contains no data, only blank space", "export the data again")
    if delimiter is not None:
        delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter.lower(), delimiter)
        if len(delimiter.encode()) != 1 or delimiter in ('"', "\n", "\r"):
            raise fail(
                display,
                f"{delimiter!r} cannot be used as a delimiter",
                "use one character such as ',', ';', '|' or 'tab'",
            )
    decoded = decode(raw, display, encoding)
    try:
        return _read_decoded(decoded, display, delimiter, header_row)
    except _NotUtf8:
        if encoding is not None:
            raise fail(
                display,
                f"the file is not valid {encoding}",
                "choose the encoding the file was saved in, or leave it to be detected",
            ) from None
        if decoded.encoding == "utf-8-sig":
            text = decoded.data.decode("utf-8", errors="replace")
            bad = text.count("\ufffd")
            fixed = Decoded(
                text.encode("utf-8"),
                "utf-8-sig",
                [f"{bad} invalid UTF-8 bytes replaced by \ufffd"],
                True,
            )
            return _read_decoded(fixed, display, delimiter, header_row)
        text, label, notes = decode_legacy(raw, display)
        legacy = Decoded(text.encode("utf-8"), label, notes, True)
        return _read_decoded(legacy, display, delimiter, header_row)


class _NotUtf8(Exception):
    """Polars found invalid UTF-8 past the sample that was checked."""


def _read_decoded(
    decoded: Decoded, display: str, delimiter: str | None, header_row: int | None = None
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
        raise fail(display, "the file is empty", "export the data again") from None
    except pl.exceptions.ComputeError as exc:
        message = str(exc)
        if "utf-8" in message.lower() and not decoded.verified:
            raise _NotUtf8 from None
        if "more fields" in message:
            error = _ragged_error(data, delimiter, len(header), display)
            if error is not None:
                raise error from None
        raise fail(
            display,
            'the file cannot be read as CSV: a quote character (") is not closed or '
            "stands inside a value",
            "values that contain quotes must be wrapped in quotes with the inner quotes "
            'doubled (""); export the file again, or open it in a spreadsheet and save it '
            "as CSV",
        ) from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise fail(
            display,
            f"the file cannot be read as CSV ({type(exc).__name__})",
            CONVERT_FIX,
        ) from None

    cells = header if len(header) == frame.width else frame.columns
    names = clean_names(cells)
    frame.columns = names
    notes += name_notes(cells, names)

    if frame.height and frame.width > 1:
        # Polars pads a row with too few fields with empty strings; such a row must
        # end with an empty cell, so only then is the slower record check needed.
        last = frame.columns[-1]
        if bool(frame.select((pl.col(last).is_null() | (pl.col(last) == "")).any()).item()):
            error = _ragged_error(data, delimiter, frame.width, display)
            if error is not None:
                raise error

    frame = drop_trailing_empty_rows(blank_to_null(frame))
    require_rows(frame, display)
    return frame, decoded.encoding, delimiter, notes
