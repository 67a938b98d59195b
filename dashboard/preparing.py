"""Preparing a load: each file read, recognised and converted, before anything is stored.

A big leads or activities file is converted in batches (:mod:`dashboard.ingest.stream`);
any other file, and a big one the batches cannot take, is read whole.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard.ingest import mapping as mapping_mod
from dashboard.ingest import readers, stream
from dashboard.ingest.canonical import Canonical, Options, canonicalise
from dashboard.schema import TABLES


@dataclass
class FileSpec:
    """A file to load, optionally with the table it is (``--as``) and the Excel sheet."""

    path: Path
    name: str | None = None
    table: str | None = None
    sheet: str | int | None = None

    @property
    def display(self) -> str:
        return self.name or self.path.name


@dataclass
class Prepared:
    """A file read, recognised and converted to its canonical table, not yet stored."""

    spec: FileSpec
    read: readers.ReadResult
    recognition: mapping_mod.Recognition
    canonical: Canonical
    sha256: str

    @property
    def table(self) -> str:
        return self.canonical.table


def sha256(path: Path) -> str:
    """The SHA-256 of the file's bytes (read in chunks), as the load log keeps it."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def prepare_files(
    specs: list[FileSpec],
    *,
    table: str | None,
    mapping: mapping_mod.MappingFile | None,
    file_options: dict[str, Any],
    options: Options,
    limits: readers.ReadLimits,
    recognitions: dict[str, mapping_mod.Recognition],
    progress: stream.ProgressFn | None,
) -> list[Prepared]:
    """Every file prepared in turn; ``progress`` hears each batch and each finished file."""
    prepared: list[Prepared] = []
    for spec in specs:
        began = time.perf_counter()
        one = _streamed(spec, table, mapping, file_options, options, limits, recognitions, progress)
        if one is None:
            one = _whole(spec, table, mapping, file_options, options, limits, recognitions)
        prepared.append(one)
        if progress is not None:
            elapsed = time.perf_counter() - began
            progress(stream.Progress(spec.display, one.canonical.rows, elapsed, done=True))
    return prepared


def _whole(
    spec: FileSpec,
    table: str | None,
    mapping: mapping_mod.MappingFile | None,
    file_options: dict[str, Any],
    opts: Options,
    limits: readers.ReadLimits,
    recognitions: dict[str, mapping_mod.Recognition],
) -> Prepared:
    """The file read whole into memory and converted."""
    sheet = spec.sheet if spec.sheet is not None else file_options.get("sheet")
    read = readers.read_file(
        spec.path,
        name=spec.display,
        sheet=sheet,
        encoding=file_options.get("encoding") or None,
        delimiter=file_options.get("delimiter") or None,
        header_row=file_options.get("header_row"),
        limits=limits,
    )
    rec = recognitions.get(spec.display)
    if rec is None:
        rec = mapping_mod.recognise(
            list(read.frame.columns),
            file=spec.display,
            table=spec.table or table,
            sample=read.frame.head(200),
            mapping=mapping,
        )
    raw = mapping_mod.apply_mapping(read.frame, rec)
    canon = canonicalise(
        raw, TABLES[rec.table], file=spec.display, mapping=rec.mapping, options=opts
    )
    canon.notes[:0] = read.notes + rec.notes
    # keep only the raw file's columns: its rows are in `canon` now, and holding
    # every file's raw text until the commit would double the memory a load needs
    del raw
    read.frame = read.frame.clear()
    return Prepared(spec, read, rec, canon, sha256(spec.path))


def _streamed(
    spec: FileSpec,
    table: str | None,
    mapping: mapping_mod.MappingFile | None,
    file_options: dict[str, Any],
    opts: Options,
    limits: readers.ReadLimits,
    recognitions: dict[str, mapping_mod.Recognition],
    progress: stream.ProgressFn | None,
) -> Prepared | None:
    """The file converted in batches, or None when it is to be read whole."""
    if spec.sheet is not None or not stream.eligible(spec.path, spec.display, file_options):
        return None
    readers.check_file_size(spec.path, spec.display, limits)
    try:
        read, rec, canon = stream.prepare_streamed(
            spec.path,
            spec.display,
            table=spec.table or table,
            mapping=mapping,
            recognition=recognitions.get(spec.display),
            options=opts,
            limits=limits,
            delimiter=file_options.get("delimiter") or None,
            progress=progress,
        )
    except stream.NotStreamable:
        return None
    canon.notes[:0] = read.notes + rec.notes
    read.frame = read.frame.clear()
    return Prepared(spec, read, rec, canon, sha256(spec.path))
