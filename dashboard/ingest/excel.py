"""Excel workbooks (via fastexcel/calamine) into a frame with the cells' native types."""

from __future__ import annotations

import fastexcel
import polars as pl

from dashboard.ingest.delimited import header_row_error, title_note
from dashboard.ingest.frames import (
    blank_to_null,
    clean_names,
    drop_trailing_empty_rows,
    fail,
    name_notes,
    require_rows,
    short_reason,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted .xlsx


def open_workbook(data: bytes, display: str) -> fastexcel.ExcelReader:
    """The workbook reader; a damaged or password-protected file is a HandoffError."""
    try:
        return fastexcel.read_excel(data)
    except Exception as exc:  # fastexcel raises its own error types for every failure
        encrypted = data.startswith(OLE_MAGIC) and b"EncryptedPackage" in data.replace(b"\x00", b"")
        if encrypted:
            raise fail(
                display,
                "the workbook is password-protected",
                "remove the password in Excel (File > Info > Protect Workbook) and save again",
            ) from None
        raise fail(
            display,
            f"the Excel file is damaged or not a workbook Excel can open ({short_reason(exc)})",
            "open it in Excel to repair it and save it as .xlsx, or export the data again",
        ) from None


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
        raise fail(
            display,
            f"sheet {sheet!r} cannot be read ({short_reason(exc)})",
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
    names = clean_names(cells)
    frame.columns = names
    frame = blank_to_null(frame)
    # Columns with neither a header nor data are formatting left-overs, not columns.
    keep = [
        i
        for i, (cell, name) in enumerate(zip(cells, names, strict=True))
        if cell.strip() or frame.get_column(name).null_count() < frame.height
    ]
    frame = frame.select([names[i] for i in keep])
    notes = name_notes([cells[i] for i in keep], [names[i] for i in keep])
    return drop_trailing_empty_rows(frame), notes


def _resolve_sheet(sheet: str | int, sheets: list[str], display: str) -> tuple[str, list[str]]:
    listed = ", ".join(repr(s) for s in sheets)
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(sheets):
            return sheets[sheet], []
        raise fail(
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
    raise fail(
        display,
        f"the workbook has no sheet named {sheet!r}; its sheets are {listed}",
        "choose one of the sheets listed",
    )


def read_excel(
    data: bytes, display: str, sheet: str | int | None, header_row: int | None = None
) -> tuple[pl.DataFrame, str, list[str], list[str]]:
    """The chosen sheet (by default the first with data): frame, sheet, all sheets, notes."""
    reader = open_workbook(data, display)
    sheets = list(reader.sheet_names)
    if not sheets:
        raise fail(display, "the workbook has no sheets", "export the data again")
    notes: list[str] = [title_note(header_row)] if header_row and header_row > 1 else []
    if sheet is not None:
        chosen, more = _resolve_sheet(sheet, sheets, display)
        frame, name_notes = _sheet_frame(data, reader, chosen, display, header_row)
        notes += more + name_notes
        if frame.width == 0 and header_row and header_row > 1:
            raise header_row_error(display, header_row, None, f"sheet {chosen!r}")
        if frame.width == 0:
            raise fail(
                display, f"sheet {chosen!r} is empty", "choose the sheet that holds the data"
            )
        require_rows(frame, display, f"sheet {chosen!r} ")
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
        raise fail(
            display,
            f"sheet {header_only[0]!r} has a header but no data rows, and no other sheet has data",
            "export the data again with the rows included",
        )
    if header_row and header_row > 1:
        raise header_row_error(display, header_row, None, "every sheet")
    raise fail(display, "every sheet in the workbook is empty", "export the data again")
