"""Large activity exports loaded in bounded batches instead of whole.

A plain UTF-8 CSV/TSV file of at least :data:`MIN_BYTES` that is recognised as
activities is read by DuckDB's CSV reader (every column as text) and handed over in
batches of :data:`BATCH_ROWS` rows. Each batch goes through exactly the steps a whole
file goes through (blank cells, cell limits, mapping and derived columns,
:func:`~dashboard.ingest.canonical.canonicalise`) and is written to a Parquet part in a
private temporary folder; the commit inserts the parts into the workspace, so memory is
bounded by the batch size, not the file.

The batched path is only the happy path. The rules that decide a column's format from
all its values (day/month order, whole numbers written 12345.0, numeric dates) are
checked to decide the same way in every batch as over the whole column; when a batch
would decide differently, when any batch has a problem, or when the keys repeat across
batches, the file is read again whole (:class:`NotStreamable`), so every message, row
number and refusal is the one the whole-file path gives.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from dashboard import identifiers
from dashboard.errors import HandoffError
from dashboard.ingest import mapping as mapping_mod
from dashboard.ingest.canonical import Canonical, convert_columns, finish_table
from dashboard.ingest.columns import source_label
from dashboard.ingest.date_text import ISO_FAST
from dashboard.ingest.delimited import read_text
from dashboard.ingest.frames import blank_to_null
from dashboard.ingest.limits import ReadLimits, _scan_lines, check_cells
from dashboard.ingest.load_options import Options
from dashboard.ingest.readers import ReadResult
from dashboard.ingest.readers import _detect_kind as detect_kind
from dashboard.schema import TABLES

# Tables whose whole-table steps are all per row or checked in SQL after the last batch:
# their typed batches stay on disk until the commit.
STREAM_TABLES = frozenset({"activities"})
# Tables typed in batches whose whole-table steps (duplicate people merged, personal data
# hashed, unique ids) then run on the typed table in memory, as for a whole file. Deals
# are read whole: the currency found in the amounts is decided over the whole column.
TYPED_TABLES = frozenset({"leads"})
# Files smaller than this are read whole: batching only pays off on big files.
MIN_BYTES = 32 << 20
BATCH_ROWS = 250_000
# The head of the file read to detect the delimiter, the header and the table.
SAMPLE_BYTES = 2 << 20
# DuckDB's share of memory while it reads and checks a streamed file.
DUCKDB_MEMORY = "512MB"
# DuckDB's share of memory while a load is stored (the workspace's inserts, links, health
# checks and staging cache spill to a temporary folder beyond it)
DUCKDB_LOAD_MEMORY = "256MB"
DEBUG = False
_STREAM_KINDS = frozenset({"id", "text", "hash", "timestamp", "date", "number", "bool"})
# derived columns that look at the whole column's values (a stage list with no won stage)
_WHOLE_COLUMN_RULES = frozenset({"won_from_stage", "closed_from_stage"})
_INTEGER = r"^[-+]?\d+$"


def _padded(pattern: str) -> str:
    """``pattern`` (anchored) matched after trimming, an empty value matching too.

    Checked on the values as read, in one pass: the same as trimming them, dropping the
    empty ones and matching ``pattern``, as the parsers do (NFC never changes ASCII).
    """
    return r"^\s*(?:" + pattern.removeprefix("^").removesuffix("$") + r")?\s*$"


_ISO_PADDED = _padded(ISO_FAST)
_INTEGER_PADDED = _padded(_INTEGER)
_WHOLE_FLOAT_TEXT = r"^-?\d+(?:\.0+)?$"
_WHOLE_PADDED = _padded(_WHOLE_FLOAT_TEXT)


class NotStreamable(Exception):
    """The file must be read whole (which gives the exact message for any problem)."""


@dataclass
class Progress:
    """How far a load has got in one file: rows read so far and the time it took."""

    file: str
    rows: int
    seconds: float
    done: bool = False

    @property
    def rows_per_second(self) -> float:
        """Rows read per second so far (0 before the first second has passed)."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0


ProgressFn = Callable[[Progress], None]


@dataclass
class StagedRows:
    """A canonical table written as Parquet parts in a private folder, not in memory.

    DuckDB reads the parts itself (``read_parquet``), in order, as often as needed.
    """

    folder: Path
    parts: list[Path] = field(default_factory=list)
    rows: int = 0

    def __post_init__(self) -> None:
        # the folder goes when the prepared load is dropped (or at exit), loaded or not
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.folder, True)

    @property
    def columns(self) -> list[str]:
        """The canonical columns, in stored order."""
        return list(pl.read_parquet_schema(self.parts[0]))

    def frame(self) -> pl.DataFrame:
        """Every row in memory (only when several files of a table must be combined)."""
        return pl.read_parquet([str(p) for p in self.parts])

    def discard(self) -> None:
        """Remove the parts now."""
        self._cleanup()


def eligible(path: Path, display: str, file_options: dict[str, object]) -> bool:
    """Whether a file may be streamed: big, plain text, with its header on the first row."""
    if not display.lower().endswith((".csv", ".tsv", ".txt")):
        return False
    header_row = file_options.get("header_row")
    if header_row not in (None, 1) or file_options.get("encoding") not in (None, "", "utf-8"):
        return False
    try:
        return path.stat().st_size >= MIN_BYTES
    except OSError:
        return False


def _sample(path: Path, display: str, delimiter: str | None) -> ReadResult:
    """The head of the file read like a whole file (delimiter, names, notes)."""
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if not head or detect_kind(display, head) != ("text", []):
        raise NotStreamable  # another format, or a note on the format the whole path gives
    if b"\n" not in head or head != head.lstrip(b" \t\r\n") or head[:4].lower() == b"sep=":
        raise NotStreamable  # classic Mac line breaks, leading blank lines, a sep= line
    cut = head[: head.rindex(b"\n") + 1]
    try:
        frame, encoding, used, notes = read_text(cut, display, None, delimiter)
    except HandoffError:
        raise NotStreamable from None
    if encoding not in ("utf-8", "utf-8-sig") or frame.height < 2:
        raise NotStreamable
    size = path.stat().st_size
    return ReadResult(frame, display, "tsv" if used == "\t" else "csv", encoding, used, None,
                      [], notes, size)  # fmt: skip


def _scan(path: Path, limits: ReadLimits) -> int:
    """The file's line breaks; NotStreamable for a line over the cap.

    The whole-file path is the one that refuses a long line with its row number. The
    count lets the read check that no line was blank (DuckDB skips blank lines that a
    whole read keeps as empty rows) without searching the text for them.
    """
    cap = limits.line_bytes
    carry = b""
    breaks = 0
    last = b""
    with path.open("rb") as fh:
        while chunk := fh.read(8 << 20):
            breaks += chunk.count(b"\n")
            last = chunk[-1:]
            if cap is None:
                continue
            block = carry + chunk
            rest = _scan_lines(block, cap)
            if rest is not None and rest < 0:
                raise NotStreamable
            carry = b"" if rest is None else block[rest:]
    # a last line without a break is a line too
    return breaks + (last not in (b"", b"\n"))


def _no_blank_lines(path: Path, lines: int, rows: int) -> bool:
    """Whether every line of the file was the header or a row.

    When the rows read (plus the header) match the lines, no line was blank or inside
    quotes; otherwise the text is searched for a blank line, which sends the file to the
    whole-file path (a quoted value over several lines is no reason to).
    """
    if rows + 1 == lines:
        return True
    carry = b""
    with path.open("rb") as fh:
        while chunk := fh.read(8 << 20):
            block = carry + chunk
            if b"\n\n" in block or b"\n\r\n" in block:
                return False
            carry = block[-2:]
    return True


def _batches(
    con: duckdb.DuckDBPyConnection, path: Path, read: ReadResult, limits: ReadLimits
) -> duckdb.DuckDBPyRelation:
    """DuckDB's reader over the file, every column as text, in file order."""
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
    # positional names made here (never the file's header): safe to write into the SQL
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(read.frame.columns)))
    return con.sql(
        "SELECT * FROM read_csv($p, delim = $d, header = true, quote = '\"', escape = '\"', "
        f"columns = {{{columns}}}, strict_mode = true, max_line_size = $m, "
        "auto_detect = false)",
        params={"p": str(path), "d": read.delimiter, "m": max(limits.line_bytes or 0, 2 << 20)},
    )


@dataclass
class _Rules:
    """Per column, what each batch decided, to check that it is what the file decides."""

    whole: dict[str, list[tuple[bool, bool]]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def check_batch(self, raw: pl.DataFrame, kinds: dict[str, str]) -> None:
        """Record this batch's decisions; NotStreamable for a format decided per column."""
        for name, kind in kinds.items():
            if name not in raw.columns:
                continue
            text = raw.get_column(name).cast(pl.String)
            if kind in ("timestamp", "date"):
                if not bool(text.str.contains(_ISO_PADDED).all()):
                    raise NotStreamable  # numeric or day/month dates decide per column
            elif kind == "number":
                if not bool(text.str.contains(_INTEGER_PADDED).all()):
                    raise NotStreamable  # the decimal separator is decided per column
            elif kind != "bool" and text.null_count() < len(text):
                # the first values decide most columns without a scan of every value
                whole = bool(text.head(64).str.contains(_WHOLE_PADDED).all()) and bool(
                    text.str.contains(_WHOLE_PADDED).all()
                )
                self.whole.setdefault(name, []).append(
                    (whole, whole and bool(text.str.contains(r"\.0+\s*$").any()))
                )

    def check_file(self) -> None:
        """Whole numbers written 12345.0: every batch must decide as the whole column."""
        for seen in self.whole.values():
            rule = all(a for a, _ in seen) and any(b for _, b in seen)
            if any((a and b) != rule for a, b in seen):
                raise NotStreamable

    def add_notes(self, notes: list[str], prefixes: dict[str, str]) -> None:
        for note in notes:
            column = next((c for c, p in prefixes.items() if note.startswith(p)), None)
            if column is None or self.notes.get(column, note) != note:
                raise NotStreamable
            self.notes[column] = note

    def ordered_notes(self, order: list[str]) -> list[str]:
        return [self.notes[c] for c in order if c in self.notes]


def _duplicated_keys(staged: StagedRows, key: tuple[str, ...]) -> bool:
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
        cols = ", ".join(identifiers.quote(k) for k in key)
        found = con.execute(
            f"SELECT 1 FROM read_parquet($parts) GROUP BY {cols} HAVING count(*) > 1 LIMIT 1",
            {"parts": [str(p) for p in staged.parts]},
        ).fetchall()
        return bool(found)
    finally:
        con.close()


def prepare_streamed(
    path: Path,
    display: str,
    *,
    table: str | None,
    mapping: mapping_mod.MappingFile | None,
    recognition: mapping_mod.Recognition | None,
    options: Options,
    limits: ReadLimits,
    delimiter: str | None,
    progress: ProgressFn | None = None,
) -> tuple[ReadResult, mapping_mod.Recognition, Canonical]:
    """Read, recognise and canonicalise a big leads or activities file in batches.

    Gives what the whole-file path gives (the read, the recognition, the canonical table
    with its notes and warnings); an activities table's rows are in
    :attr:`Canonical.staged` instead of in memory.
    Raises :class:`NotStreamable` when the file must be read whole instead.
    """
    began = time.perf_counter()
    read = _sample(path, display, delimiter)
    rec = recognition or mapping_mod.recognise(
        list(read.frame.columns),
        file=display,
        table=table,
        sample=read.frame.head(200),
        mapping=mapping,
    )
    canonical_table = TABLES[rec.table]
    if rec.table not in STREAM_TABLES | TYPED_TABLES:
        raise NotStreamable
    if any(rule.kind in _WHOLE_COLUMN_RULES for rule in rec.rules.values()):
        raise NotStreamable
    kinds = {
        c: canonical_table.column(c).kind
        for c in [*rec.mapping, *rec.rules, *rec.constants]
        if canonical_table.has_column(c)
    }
    if any(k not in _STREAM_KINDS for k in kinds.values()):
        raise NotStreamable
    lines = _scan(path, limits)
    batches = _Batches(path, display, read, rec, kinds, options, limits, progress, began, lines)
    if rec.table in TYPED_TABLES:
        typed, notes, fill = batches.typed()
        canonical = finish_table(
            typed,
            canonical_table,
            file=display,
            mapping=rec.mapping,
            options=options,
            notes=notes,
            created_fill=fill,
        )
    else:
        canonical = batches.staged()
    return read, rec, canonical


@dataclass
class _Batches:
    """One file read by DuckDB in batches, each typed as a whole file would be."""

    path: Path
    display: str
    read: ReadResult
    rec: mapping_mod.Recognition
    kinds: dict[str, str]
    options: Options
    limits: ReadLimits
    progress: ProgressFn | None
    began: float
    lines: int
    rows: int = 0
    rules: _Rules = field(default_factory=_Rules)
    order: list[str] = field(default_factory=list)
    fill: str | None = None

    def each(self) -> Iterator[pl.DataFrame]:
        """The typed batches in file order; NotStreamable for anything unusual."""
        names = list(self.read.frame.columns)
        table = TABLES[self.rec.table]
        prefixes = {c: f"{self.display}, {source_label(self.rec.mapping, c)}: " for c in self.kinds}
        reader = duckdb.connect()
        try:
            relation = _batches(reader, self.path, self.read, self.limits)
            for batch in relation.to_arrow_reader(BATCH_ROWS):
                frame = pl.from_arrow(batch)
                assert isinstance(frame, pl.DataFrame)
                if frame.height == 0:
                    continue
                frame.columns = names
                frame = blank_to_null(frame)
                if not bool(frame.select(pl.any_horizontal(pl.all().is_not_null()).all()).item()):
                    raise NotStreamable  # an empty row: an error or dropped, as a whole read says
                check_cells(frame, self.display, self.limits)
                raw = mapping_mod.apply_mapping(frame, self.rec)
                del frame
                self.rules.check_batch(raw, self.kinds)
                out, notes, self.fill = convert_columns(
                    raw, table, file=self.display, mapping=self.rec.mapping, options=self.options
                )
                self.rules.add_notes(notes, prefixes)
                self.order = list(out)
                typed = pl.DataFrame(out)
                del raw, out
                self.rows += typed.height
                yield typed
                if self.progress is not None:
                    elapsed = time.perf_counter() - self.began
                    self.progress(Progress(self.display, self.rows, elapsed))
        finally:
            reader.close()
        if not self.rows or not _no_blank_lines(self.path, self.lines, self.rows):
            raise NotStreamable
        self.rules.check_file()

    def typed(self) -> tuple[pl.DataFrame, list[str], str | None]:
        """The whole typed table in memory, its notes and the created-date fill."""
        try:
            frames = list(self.each())
        except Exception:
            # any problem (a bad value, a ragged row, invalid UTF-8 past the sample...):
            # the whole-file path reads the file again and reports it with its rows
            if DEBUG:
                raise
            raise NotStreamable from None
        typed = pl.concat(frames, how="vertical_relaxed", rechunk=True)
        return typed, self.rules.ordered_notes(self.order), self.fill

    def staged(self) -> Canonical:
        """The canonical table written part by part to a private folder."""
        table = TABLES[self.rec.table]
        staged = StagedRows(Path(tempfile.mkdtemp(prefix="handoff-load-")))
        preview: pl.DataFrame | None = None
        try:
            for typed in self.each():
                canon = finish_table(
                    typed, table, file=self.display, mapping=self.rec.mapping,
                    options=self.options, notes=[], created_fill=self.fill,
                )  # fmt: skip
                if canon.warnings or canon.merges is not None or canon.notes:
                    raise NotStreamable  # counted over the whole table: read it whole
                part = staged.folder / f"part-{len(staged.parts):05d}.parquet"
                canon.frame.write_parquet(part, compression="lz4", statistics=False)
                staged.parts.append(part)
                staged.rows += canon.frame.height
                if preview is None:
                    preview = canon.frame.head(20)
            if preview is None or _duplicated_keys(staged, table.key):
                raise NotStreamable
        except Exception:
            staged.discard()
            if DEBUG:
                raise
            raise NotStreamable from None
        except BaseException:
            staged.discard()
            raise
        notes = self.rules.ordered_notes(self.order)
        return Canonical(table=self.rec.table, frame=preview, notes=notes, staged=staged)
