"""A mapping file's reading options (encoding, delimiter, header_row) reach the reader.

Each file here is one that detection alone reads wrongly or not at all; the expected
values are written out by hand from the bytes written.
"""

from __future__ import annotations

import datetime as dt
import gzip
import textwrap
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter

from dashboard.errors import HandoffError
from dashboard.ingest.readers import read_file


def mapping(tmp_path: Path, options: str, leads: str = "") -> Path:
    path = tmp_path / "m.toml"
    text = "[options]\n" + textwrap.dedent(options).strip() + "\n"
    if leads:
        text += "\n[leads]\n" + textwrap.dedent(leads).strip() + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def stored(ws: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(ws), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# ---------------------------------------------------------------------------------------
# encoding


def test_encoding_option_decodes_a_windows_1252_file_that_also_passes_as_utf8(
    run, tmp_path, ws_path
) -> None:
    # "NESTLÉ®" in Windows-1252 is C9 AE: also a valid UTF-8 letter (U+026E), so
    # detection reads "NESTLɮ"; only the mapping file's encoding gets the name right
    text = "lead_id,created_at,industry\nL1,2025-01-02,NESTLÉ® Foods\nL2,2025-01-03,CAFÉ™\n"
    f = tmp_path / "leads.csv"
    f.write_bytes(text.encode("cp1252"))
    assert read_file(f).frame["industry"].to_list() == ["NESTLɮ Foods", "CAFə"]

    r = run(
        "load", f, "--workspace", ws_path, "--mapping", mapping(tmp_path, 'encoding = "cp1252"')
    )
    assert r.code == 0, r.err
    rows = stored(ws_path, "SELECT lead_id, industry FROM leads ORDER BY lead_id")
    assert rows == [("L1", "NESTLÉ® Foods"), ("L2", "CAFÉ™")]


# ---------------------------------------------------------------------------------------
# delimiter


SEMICOLON = (
    # the last header names a free-text column with four commas, and every note has four:
    # split on commas the file is a consistent 5 columns, on semicolons 3
    "lead_id;created_at;Notes (source, campaign, owner, city, more)\n"
    "L1;2025-01-02;web, spring, An, Hanoi, -\n"
    "L2;2025-01-03;ads, spring, Binh, Hue, -\n"
)


def test_delimiter_option_beats_a_consistent_wrong_guess(run, tmp_path, ws_path) -> None:
    f = tmp_path / "leads.csv"
    f.write_text(SEMICOLON, encoding="utf-8")
    assert read_file(f).delimiter == ","  # what detection alone chooses

    r = run("load", f, "--workspace", ws_path, "--mapping", mapping(tmp_path, 'delimiter = ";"'))
    assert r.code == 0, r.err
    rows = stored(ws_path, "SELECT lead_id, CAST(created_at AS DATE) FROM leads ORDER BY 1")
    assert rows == [("L1", dt.date(2025, 1, 2)), ("L2", dt.date(2025, 1, 3))]


# ---------------------------------------------------------------------------------------
# header_row


TITLED = (
    "Leads report\n"
    "Exported 2025-03-01 by admin, all owners\n"
    "\n"
    "lead_id,created_at,source\n"
    "L1,2025-01-02,Web\n"
    "L2,2025-01-03,Referral\n"
    "L3,2025-01-04,Web\n"
)


@pytest.mark.parametrize("name", ["leads.csv", "leads.txt", "leads.csv.gz"])
def test_header_row_skips_a_title_block_in_text_files(run, tmp_path, ws_path, name) -> None:
    f = tmp_path / name
    data = TITLED.encode("utf-8")
    f.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    assert run("load", f, "--workspace", ws_path).code == 2  # the title is not a header

    r = run("load", f, "--workspace", ws_path, "--mapping", mapping(tmp_path, "header_row = 4"))
    assert r.code == 0, r.err
    rows = stored(ws_path, "SELECT lead_id, source FROM leads ORDER BY lead_id")
    assert rows == [("L1", "Web"), ("L2", "Referral"), ("L3", "Web")]


def titled_workbook(path: Path, *, first_row_blank: bool = False) -> Path:
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("Leads")
        stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        if not first_row_blank:
            ws.write(0, 0, "Leads report")
        ws.write(1, 0, "Exported 2025-03-01")
        # row 3 stays empty; row 4 holds the header
        for col, head in enumerate(["lead_id", "created_at", "lead_score"]):
            ws.write(3, col, head)
        for i, (lead, when, score) in enumerate(
            [("L1", dt.datetime(2025, 1, 2, 9, 30), 12.5), ("L2", dt.datetime(2025, 1, 3), 40)]
        ):
            ws.write(4 + i, 0, lead)
            ws.write_datetime(4 + i, 1, when, stamp)
            ws.write_number(4 + i, 2, score)
    return path


@pytest.mark.parametrize("first_row_blank", [False, True])
def test_header_row_skips_a_title_block_in_a_workbook(
    run, tmp_path, ws_path, first_row_blank
) -> None:
    f = titled_workbook(tmp_path / "leads.xlsx", first_row_blank=first_row_blank)
    r = run("load", f, "--workspace", ws_path, "--mapping", mapping(tmp_path, "header_row = 4"))
    assert r.code == 0, r.err
    rows = stored(ws_path, "SELECT lead_id, created_at, lead_score FROM leads ORDER BY 1")
    assert rows == [
        ("L1", dt.datetime(2025, 1, 2, 9, 30), 12.5),
        ("L2", dt.datetime(2025, 1, 3), 40.0),
    ]


def test_header_row_keeps_native_excel_types(tmp_path) -> None:
    result = read_file(titled_workbook(tmp_path / "leads.xlsx"), header_row=4)
    assert result.frame.columns == ["lead_id", "created_at", "lead_score"]
    assert result.frame["lead_score"].to_list() == [12.5, 40.0]
    assert result.frame["created_at"].dtype.is_temporal()


def test_header_row_is_ignored_with_a_note_for_parquet(tmp_path) -> None:
    f = tmp_path / "x.parquet"
    pl.DataFrame({"a": ["1"], "b": ["2"]}).write_parquet(f)
    result = read_file(f, header_row=3)
    assert result.frame.rows() == [("1", "2")]
    assert any("header_row was ignored" in note for note in result.notes)


def test_header_row_1_is_the_default(tmp_path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("a,b\n1,2\n", encoding="utf-8")
    assert read_file(f, header_row=1).frame.rows() == read_file(f).frame.rows()


@pytest.mark.parametrize("name", ["short.csv", "short.xlsx"])
def test_header_row_past_the_end_names_file_option_and_fix(run, tmp_path, ws_path, name) -> None:
    f = tmp_path / name
    if name.endswith(".xlsx"):
        titled_workbook(f)
    else:
        f.write_text(TITLED, encoding="utf-8")
    r = run("load", f, "--workspace", ws_path, "--mapping", mapping(tmp_path, "header_row = 40"))
    assert r.code == 2
    assert name in r.err and "header_row = 40" in r.err
    assert "rows" in r.err and "header_row" in r.err.split("header_row = 40", 1)[1]
    with pytest.raises(HandoffError) as err:
        read_file(f, header_row=40)
    problem = err.value.problems[0]
    assert problem.file == name and problem.fix and "header_row" in problem.fix


def test_a_saved_mapping_keeps_the_options_of_the_mapping_file_used(run, tmp_path, ws_path) -> None:
    # before: --save-mapping wrote only the --set options, so header_row was lost and the
    # saved file could not read the same export again
    f = tmp_path / "leads.csv"
    f.write_text(TITLED, encoding="utf-8")
    saved = tmp_path / "saved.toml"
    first = mapping(tmp_path, "header_row = 4")
    r = run("load", f, "-w", ws_path, "--mapping", first, "--save-mapping", saved, "--dry-run")
    assert r.code == 0, r.err
    assert "header_row = 4" in saved.read_text(encoding="utf-8")
    again = run("load", f, "-w", ws_path, "--mapping", saved, "--set", "timezone=Asia/Tokyo")
    assert again.code == 0, again.err
    assert stored(ws_path, "SELECT count(*) FROM leads") == [(3,)]
