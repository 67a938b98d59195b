"""Tests for dashboard.ingest.readers: every reader path and every input error.

All input files are built inside tmp_path by the tests themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import unicodedata
import zipfile
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.errors import HandoffError
from dashboard.ingest.readers import ReadResult, list_sheets, read_file

# ---------------------------------------------------------------------------
# helpers


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def cp1258(text: str) -> bytes:
    """Encode text as Windows-1258 the way Vietnamese Windows software does.

    cp1258 has precomposed letters for the vowel shapes (ê, ơ, ư, ă...) but writes
    tones as combining marks, so "ễ" becomes "ê" + U+0303.
    """
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        while marks:
            candidate = unicodedata.normalize("NFC", base + marks[0])
            try:
                candidate.encode("cp1258")
            except UnicodeEncodeError:
                break
            base = candidate
            marks.pop(0)
        out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


def error_of(path: Path, **kwargs: object) -> HandoffError:
    with pytest.raises(HandoffError) as info:
        read_file(path, **kwargs)  # type: ignore[arg-type]
    return info.value


def workbook(path: Path, sheets: dict[str, pl.DataFrame | None]) -> Path:
    """An .xlsx with the given sheets in order; None makes an empty sheet."""
    with xlsxwriter.Workbook(path) as wb:
        for name, frame in sheets.items():
            if frame is None:
                wb.add_worksheet(name)
            else:
                frame.write_excel(wb, worksheet=name)
    return path


LEADS = pl.DataFrame(
    {
        "lead_id": ["L1", "L2"],
        "created": [dt.datetime(2024, 3, 1, 9, 30), dt.datetime(2024, 3, 2, 10, 0)],
        "score": [1.5, 2.0],
        "won": [True, False],
    }
)


# ---------------------------------------------------------------------------
# delimiters


@pytest.mark.parametrize(
    ("name", "data", "delimiter", "fmt"),
    [
        ("comma.csv", b"id,name,amount\n1,Ann,10\n2,Bob,20\n", ",", "csv"),
        ("semicolon.csv", b"id;name;amount\n1;Ann;10\n2;Bob;20\n", ";", "csv"),
        ("tab.tsv", b"id\tname\tamount\n1\tAnn\t10\n2\tBob\t20\n", "\t", "tsv"),
        ("pipe.txt", b"id|name|amount\n1|Ann|10\n2|Bob|20\n", "|", "csv"),
    ],
)
def test_each_delimiter_is_detected(
    tmp_path: Path, name: str, data: bytes, delimiter: str, fmt: str
) -> None:
    result = read_file(write(tmp_path, name, data))
    assert result.delimiter == delimiter
    assert result.format == fmt
    assert result.file == name
    assert result.size_bytes == len(data)
    assert result.frame.columns == ["id", "name", "amount"]
    assert result.frame.rows() == [("1", "Ann", "10"), ("2", "Bob", "20")]
    assert all(dtype == pl.String for dtype in result.frame.dtypes)


def test_semicolon_file_with_decimal_commas_is_not_split_on_commas(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "de.csv", b"name;amount\nA;1,5\nB;2,75\n"))
    assert result.delimiter == ";"
    assert result.frame["amount"].to_list() == ["1,5", "2,75"]


def test_quoted_fields_keep_delimiters_quotes_and_line_breaks(tmp_path: Path) -> None:
    data = b'id,note\n1,"Referral, partner"\n2,"He said ""hi"""\n3,"two\nlines"\n'
    result = read_file(write(tmp_path, "quoted.csv", data))
    assert result.frame["note"].to_list() == ["Referral, partner", 'He said "hi"', "two\nlines"]


def test_crlf_and_old_mac_line_breaks(tmp_path: Path) -> None:
    crlf = read_file(write(tmp_path, "crlf.csv", b"a,b\r\n1,2\r\n3,4\r\n"))
    mac = read_file(write(tmp_path, "mac.csv", b"a,b\r1,2\r3,4\r"))
    assert crlf.frame.rows() == [("1", "2"), ("3", "4")]
    assert mac.frame.rows() == [("1", "2"), ("3", "4")]


def test_excel_sep_line_sets_the_delimiter(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "sep.csv", b"sep=;\na;b\n1,5;2\n"))
    assert result.delimiter == ";"
    assert result.frame.rows() == [("1,5", "2")]
    assert any("sep=" in note for note in result.notes)


def test_explicit_delimiter_overrides_detection(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", b"a;b,c\n1;2,3\n")
    assert read_file(path).delimiter in {",", ";"}
    forced = read_file(path, delimiter=";")
    assert forced.frame.columns == ["a", "b,c"]
    assert forced.frame.rows() == [("1", "2,3")]
    tab = read_file(write(tmp_path, "t.txt", b"a\tb\n1\t2\n"), delimiter="tab")
    assert tab.delimiter == "\t"


def test_single_column_file(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "emails.csv", b"email\na@b.com\nc@d.com\n"))
    assert result.frame.columns == ["email"]
    assert result.frame["email"].to_list() == ["a@b.com", "c@d.com"]
    assert any("one column" in note for note in result.notes)


# ---------------------------------------------------------------------------
# encodings


def test_utf8_without_bom(tmp_path: Path) -> None:
    data = "id,tên,thành phố\n1,Nguyễn Văn A,Hà Nội\n".encode()
    result = read_file(write(tmp_path, "vn.csv", data))
    assert result.encoding == "utf-8"
    assert result.frame.columns == ["id", "tên", "thành phố"]
    assert result.frame.row(0) == ("1", "Nguyễn Văn A", "Hà Nội")
    assert result.notes == []


def test_utf8_with_bom_strips_it_from_the_header(tmp_path: Path) -> None:
    data = "\ufeffid,tên\n1,Trần Thị B\n".encode()
    result = read_file(write(tmp_path, "bom.csv", data))
    assert result.encoding == "utf-8-sig"
    assert result.frame.columns == ["id", "tên"]
    assert result.frame.row(0) == ("1", "Trần Thị B")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_as_excel_unicode_text(tmp_path: Path, codec: str) -> None:
    data = "\ufeffid\ttên\tamount\n1\tĐà Nẵng\t1.500\n".encode(codec)
    result = read_file(write(tmp_path, "unicode.txt", data))
    assert result.encoding == "utf-16"
    assert result.delimiter == "\t"
    assert result.format == "tsv"
    assert result.frame.columns == ["id", "tên", "amount"]
    assert result.frame.row(0) == ("1", "Đà Nẵng", "1.500")
    assert any("UTF-16" in note for note in result.notes)


def test_windows_1252_fallback_is_noted(tmp_path: Path) -> None:
    data = "id,city,owner\n1,São Paulo,José\n2,Zürich,Renée\n".encode("cp1252")
    result = read_file(write(tmp_path, "latin.csv", data))
    assert result.encoding == "windows-1252"
    assert result.frame["city"].to_list() == ["São Paulo", "Zürich"]
    assert result.frame["owner"].to_list() == ["José", "Renée"]
    assert any("Windows-1252" in note and "not UTF-8" in note for note in result.notes)


def test_windows_1258_fallback_for_vietnamese_is_noted_and_composed(tmp_path: Path) -> None:
    text = "id,họ tên,thành phố\n1,Nguyễn Văn Đức,Đà Nẵng\n2,Trần Thị Hương,Hồ Chí Minh\n"
    data = cp1258(text)
    assert b"\xcc" in data or b"\xde" in data  # tones really are combining marks
    result = read_file(write(tmp_path, "vn1258.csv", data))
    assert result.encoding == "windows-1258"
    assert result.frame.columns == ["id", "họ tên", "thành phố"]
    assert result.frame["họ tên"].to_list() == ["Nguyễn Văn Đức", "Trần Thị Hương"]
    assert result.frame["thành phố"].to_list() == ["Đà Nẵng", "Hồ Chí Minh"]
    assert any("Windows-1258" in note for note in result.notes)


def test_portuguese_cp1252_is_not_mistaken_for_vietnamese(tmp_path: Path) -> None:
    # ã and õ are the bytes of Vietnamese ă and ơ in cp1258: they must not decide.
    data = "id,cidade,status\n1,São Paulo,Não\n2,Guimarães,Ações\n".encode("cp1252")
    result = read_file(write(tmp_path, "pt.csv", data))
    assert result.encoding == "windows-1252"
    assert result.frame["status"].to_list() == ["Não", "Ações"]


def test_invalid_utf8_after_the_sniffed_sample_falls_back(tmp_path: Path) -> None:
    body = b"".join(b"%d,name%d\n" % (i, i) for i in range(10_000))
    data = b"id,name\n" + body + "99999,Zürich\n".encode("cp1252")
    result = read_file(write(tmp_path, "late.csv", data))
    assert result.encoding == "windows-1252"
    assert result.frame.height == 10_001
    assert result.frame.row(-1) == ("99999", "Zürich")
    assert result.notes


def test_explicit_encoding_overrides_detection(tmp_path: Path) -> None:
    data = "id,city\n1,Zürich\n".encode("latin-1")
    result = read_file(write(tmp_path, "x.csv", data), encoding="windows-1258")
    assert result.encoding == "windows-1258"
    assert result.frame["city"].to_list() == ["Zürich"]
    assert any("as requested" in note for note in result.notes)


def test_unknown_explicit_encoding_is_a_handoff_error(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", b"a,b\n1,2\n")
    err = error_of(path, encoding="klingon-8")
    assert "klingon-8" in str(err)
    assert err.problems[0].fix
    assert "not a text encoding" in str(error_of(path, encoding="rot13"))


def test_explicit_encoding_that_does_not_fit_is_a_handoff_error(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "a,b\n1,Zürich\n".encode("cp1252"))
    assert "utf-8" in str(error_of(path, encoding="utf-8"))
    odd = write(tmp_path, "odd.csv", b"a,b\n1,2\n3")  # an odd number of bytes
    assert "utf-16" in str(error_of(odd, encoding="utf-16"))


def test_bad_explicit_delimiter_is_a_handoff_error(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", b"a,b\n1,2\n")
    assert "delimiter" in str(error_of(path, delimiter=";;"))
    assert "delimiter" in str(error_of(path, delimiter="€"))


# ---------------------------------------------------------------------------
# compressed text


@pytest.mark.parametrize(
    ("name", "text", "delimiter"),
    [
        ("leads.csv.gz", "id,tên\n1,Hương\n", ","),
        ("leads.tsv.gz", "id\ttên\n1\tHương\n", "\t"),
    ],
)
def test_gzip_text_is_decompressed_in_memory(
    tmp_path: Path, name: str, text: str, delimiter: str
) -> None:
    data = gzip.compress(text.encode())
    result = read_file(write(tmp_path, name, data))
    assert result.format == "csv.gz"
    assert result.delimiter == delimiter
    assert result.size_bytes == len(data)
    assert result.frame.rows() == [("1", "Hương")]


def test_damaged_gzip_is_a_handoff_error(tmp_path: Path) -> None:
    data = gzip.compress(b"a,b\n1,2\n" * 100)[:30]
    err = error_of(write(tmp_path, "cut.csv.gz", data))
    assert "damaged" in str(err)


# ---------------------------------------------------------------------------
# header names and cells


def test_header_names_are_cleaned_and_made_unique(tmp_path: Path) -> None:
    data = b" Email ,Email,,Phone,Email (2),email\n1,2,3,4,5,6\n"
    result = read_file(write(tmp_path, "dup.csv", data))
    assert result.frame.columns == ["Email", "Email (3)", "column_3", "Phone", "Email (2)", "email"]
    assert any("column_3" in note for note in result.notes)
    assert any("'Email' -> 'Email (3)'" in note for note in result.notes)


def test_blank_cells_become_null_and_values_are_kept_as_written(tmp_path: Path) -> None:
    data = b"a,b,c\n x ,   ,\n,\xc2\xa0,z\n"  # the second b is a non-breaking space
    result = read_file(write(tmp_path, "blank.csv", data))
    assert result.frame.rows() == [(" x ", None, None), (None, None, "z")]


def test_only_trailing_empty_rows_are_dropped(tmp_path: Path) -> None:
    data = b"a,b\n1,2\n,\n3,4\n,\n\n"
    result = read_file(write(tmp_path, "gaps.csv", data))
    # The empty row in the middle stays so later rows keep their spreadsheet numbers.
    assert result.frame.rows() == [("1", "2"), (None, None), ("3", "4")]


def test_blank_lines_before_the_header_are_skipped(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "lead.csv", b"\n\na,b\n1,2\n"))
    assert result.frame.rows() == [("1", "2")]
    assert any("empty lines" in note for note in result.notes)


# ---------------------------------------------------------------------------
# Excel


def test_xlsx_default_sheet_is_the_first_with_data(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "crm.xlsx",
        {
            "Notes": None,
            "HeaderOnly": pl.DataFrame(schema={"a": pl.String, "b": pl.Int64}),
            "Leads": LEADS,
            "Deals": pl.DataFrame({"deal": ["D1"], "amount": [100.5]}),
        },
    )
    result = read_file(path)
    assert result.format == "xlsx"
    assert result.sheet == "Leads"
    assert result.sheets == ["Notes", "HeaderOnly", "Leads", "Deals"]
    assert result.encoding is None and result.delimiter is None
    assert any("'Leads'" in note for note in result.notes)
    frame = result.frame
    assert frame.columns == ["lead_id", "created", "score", "won"]
    assert frame.schema["created"] == pl.Datetime("ms")
    assert frame.schema["score"] == pl.Float64
    assert frame.schema["won"] == pl.Boolean
    assert frame["created"].to_list() == [
        dt.datetime(2024, 3, 1, 9, 30),
        dt.datetime(2024, 3, 2, 10, 0),
    ]
    assert frame["score"].to_list() == [1.5, 2.0]
    assert list_sheets(path) == ["Notes", "HeaderOnly", "Leads", "Deals"]


def test_xlsx_explicit_sheet_by_name_and_by_index(tmp_path: Path) -> None:
    deals = pl.DataFrame({"deal": ["D1", "D2"], "amount": [100.5, 250.0]})
    path = workbook(tmp_path / "crm.xlsx", {"Leads": LEADS, "Deals": deals})
    by_name = read_file(path, sheet="Deals")
    by_index = read_file(path, sheet=1)
    for result in (by_name, by_index):
        assert result.sheet == "Deals"
        assert result.frame.rows() == [("D1", 100.5), ("D2", 250.0)]
    assert read_file(path, sheet=0).sheet == "Leads"


def test_xlsx_missing_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = workbook(tmp_path / "crm.xlsx", {"Leads": LEADS, "Deals": LEADS})
    err = error_of(path, sheet="Contacts")
    assert "'Contacts'" in str(err)
    assert "'Leads', 'Deals'" in str(err)
    assert err.problems[0].file == "crm.xlsx"
    err = error_of(path, sheet=5)
    assert "'Leads', 'Deals'" in str(err)


def test_xlsx_explicit_empty_or_header_only_sheet_is_an_error(tmp_path: Path) -> None:
    header_only = pl.DataFrame(schema={"a": pl.String})
    path = workbook(tmp_path / "crm.xlsx", {"Empty": None, "Head": header_only, "Leads": LEADS})
    assert "empty" in str(error_of(path, sheet="Empty"))
    assert "has a header but no data rows" in str(error_of(path, sheet="Head"))


def test_xlsx_without_any_data_rows_is_an_error(tmp_path: Path) -> None:
    path = workbook(tmp_path / "none.xlsx", {"Head": pl.DataFrame(schema={"a": pl.String})})
    assert "has a header but no data rows" in str(error_of(path))
    path = workbook(tmp_path / "blank.xlsx", {"One": None, "Two": None})
    assert "empty" in str(error_of(path))


def test_xlsx_mixed_type_column_becomes_string_and_headers_are_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "mixed.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("Data")
        ws.write_row(0, 0, [" id ", "id", "", "amount", "note"])
        ws.write_row(1, 0, [1, 2, "x", 10, "  "])
        ws.write_row(2, 0, [3, 4, "y", "ten", "ok"])
        ws.write_row(3, 0, [5, 6, "z", 30])
    result = read_file(path)
    frame = result.frame
    assert frame.columns == ["id", "id (2)", "column_3", "amount", "note"]
    assert frame.schema["id"] == pl.Int64
    assert frame.schema["amount"] == pl.String
    assert frame["amount"].to_list() == ["10", "ten", "30"]
    assert frame["note"].to_list() == [None, "ok", None]


def test_xlsx_columns_without_header_or_data_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "wide.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("Data")
        ws.write_row(0, 0, ["a", "", "b"])
        ws.write_row(1, 0, [1, None, 2])
        ws.write_row(2, 0, [3, None, 4])
        ws.write_row(4, 0, [None, None, None])
        ws.write_blank(6, 5, None, wb.add_format({"bold": True}))
    result = read_file(path)
    assert result.frame.columns == ["a", "b"]
    assert result.frame.rows() == [(1, 2), (3, 4)]


def test_corrupt_xlsx_is_a_handoff_error(tmp_path: Path) -> None:
    good = workbook(tmp_path / "good.xlsx", {"Leads": LEADS}).read_bytes()
    err = error_of(write(tmp_path, "cut.xlsx", good[: len(good) // 2]))
    assert "damaged" in str(err)
    assert err.problems[0].file == "cut.xlsx"
    err = error_of(write(tmp_path, "junk.xlsx", b"this is not a workbook at all" * 10))
    assert "damaged" in str(err) or "not an Excel workbook" in str(err)
    with pytest.raises(HandoffError):
        list_sheets(tmp_path / "cut.xlsx")


def test_html_saved_as_xls_is_a_handoff_error(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "report.xls", b"<html><table><tr><td>1</td></tr></table>"))
    assert "HTML" in str(err)


def test_tab_separated_text_named_xls_is_read_as_text(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "export.xls", b"id\tname\n1\tAnn\n"))
    assert result.format == "tsv"
    assert result.frame.rows() == [("1", "Ann")]
    assert any(".xls" in note for note in result.notes)


# ---------------------------------------------------------------------------
# Parquet and magic bytes


def test_parquet_keeps_native_types(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            " deal_id ": ["D1", "D2", "   "],
            "amount": [1.5, None, 3.0],
            "closed": [dt.datetime(2024, 1, 1, 12), None, dt.datetime(2024, 2, 1)],
        }
    )
    path = tmp_path / "deals.parquet"
    frame.write_parquet(path)
    result = read_file(path)
    assert result.format == "parquet"
    assert result.frame.columns == ["deal_id", "amount", "closed"]
    assert result.frame.schema["amount"] == pl.Float64
    assert result.frame.schema["closed"] == pl.Datetime("us")
    assert result.frame["deal_id"].to_list() == ["D1", "D2", None]


def test_corrupt_parquet_is_a_handoff_error(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "bad.parquet", b"PAR1 this is not parquet"))
    assert "Parquet" in str(err)
    err = error_of(write(tmp_path, "text.parquet", b"a,b\n1,2\n"))
    assert "Parquet" in str(err)


def test_extensionless_files_are_recognised_by_magic_bytes(tmp_path: Path) -> None:
    xlsx = workbook(tmp_path / "src.xlsx", {"Leads": LEADS}).read_bytes()
    assert read_file(write(tmp_path, "upload1", xlsx)).format == "xlsx"

    buffer = io.BytesIO()
    pl.DataFrame({"a": [1, 2]}).write_parquet(buffer)
    parquet = read_file(write(tmp_path, "upload2", buffer.getvalue()))
    assert parquet.format == "parquet"
    assert parquet.frame["a"].to_list() == [1, 2]

    gz = read_file(write(tmp_path, "upload3", gzip.compress(b"a;b\n1;2\n")))
    assert gz.format == "csv.gz"
    assert gz.frame.rows() == [("1", "2")]

    text = read_file(write(tmp_path, "upload4", b"a,b\n1,2\n"))
    assert text.format == "csv"
    assert text.frame.rows() == [("1", "2")]


def test_display_name_decides_the_extension_for_temporary_paths(tmp_path: Path) -> None:
    path = write(tmp_path, "tmpa1b2c3", "id\tv\n1\tx\n".encode("utf-16"))
    result = read_file(path, name="Leads export.txt")
    assert result.file == "Leads export.txt"
    assert result.frame.rows() == [("1", "x")]


def test_content_wins_over_a_wrong_extension(tmp_path: Path) -> None:
    xlsx = workbook(tmp_path / "src.xlsx", {"Leads": LEADS}).read_bytes()
    result = read_file(write(tmp_path, "leads.csv", xlsx))
    assert result.format == "xlsx"
    assert result.sheet == "Leads"
    assert any("named .csv" in note for note in result.notes)


def test_sheet_choice_is_ignored_with_a_note_for_text(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "a.csv", b"a,b\n1,2\n"), sheet="Leads")
    assert result.sheet is None
    assert any("sheet choice was ignored" in note for note in result.notes)


def test_zip_archive_named_csv_is_a_handoff_error(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("leads.csv", "a,b\n1,2\n")
    err = error_of(write(tmp_path, "leads.csv", buffer.getvalue()))
    assert "zip archive" in str(err)
    assert "extract" in err.problems[0].fix


def test_list_sheets_is_empty_for_non_excel(tmp_path: Path) -> None:
    assert list_sheets(write(tmp_path, "a.csv", b"a,b\n1,2\n")) == []


# ---------------------------------------------------------------------------
# errors


def test_missing_file(tmp_path: Path) -> None:
    err = error_of(tmp_path / "nope.csv")
    assert "not found" in str(err)
    assert err.problems[0].file == "nope.csv"
    assert err.problems[0].fix


def test_empty_file(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "empty.csv", b""))
    assert "empty" in str(err)
    assert err.problems[0].file == "empty.csv"


def test_whitespace_only_file(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "blank.csv", b"  \r\n\n  "))
    assert "no data" in str(err)


@pytest.mark.parametrize("data", [b"a,b,c\n", b"a,b,c", b"a,b,c\n,,\n\n"])
def test_header_only_csv(tmp_path: Path, data: bytes) -> None:
    err = error_of(write(tmp_path, "head.csv", data))
    assert "has a header but no data rows" in str(err)
    assert err.problems[0].file == "head.csv"


def test_ragged_row_with_too_few_fields_names_its_row(tmp_path: Path) -> None:
    data = b"a,b,c\n1,2,3\n4,5,6\n7,8\n9,10,11\n"
    err = error_of(write(tmp_path, "short.csv", data))
    problem = err.problems[0]
    assert "row 4 has 2 fields but the header has 3" in problem.message
    assert [r.row for r in problem.rows] == [4]
    assert problem.rows[0].value == "7,8"
    assert problem.count == 1
    assert problem.file == "short.csv"


def test_ragged_rows_with_too_many_fields_are_all_counted(tmp_path: Path) -> None:
    data = b"a,b\n1,2\n3,4,5\n6,7\n8,9,10,11\n"
    err = error_of(write(tmp_path, "long.csv", data))
    problem = err.problems[0]
    assert "row 3 has 3 fields but the header has 2" in problem.message
    assert [r.row for r in problem.rows] == [3, 5]
    assert problem.count == 2


def test_ragged_row_numbers_count_records_not_lines(tmp_path: Path) -> None:
    # Row 2 spans two lines inside quotes; the short record is spreadsheet row 3.
    data = b'a,b\n"multi\nline",1\n2\n3,4\n'
    err = error_of(write(tmp_path, "multi.csv", data))
    assert [r.row for r in err.problems[0].rows] == [3]


def test_stray_quote_is_a_handoff_error_not_a_polars_error(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "quote.csv", b'a,b\n"unterminated,2\n3,4\n'))
    assert "quote" in str(err)
    assert err.problems[0].fix


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 40,
        b"\x89PNG\r\n\x1a\n" + bytes(range(200)) * 5,
        b"\x00\x01\x02\x03" * 1000,
    ],
)
def test_binary_junk_is_a_handoff_error(tmp_path: Path, data: bytes) -> None:
    err = error_of(write(tmp_path, "junk.csv", data))
    assert "binary" in str(err)
    assert err.problems[0].file == "junk.csv"


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("data.json", b'{"a": 1}', "JSON"),
        ("data.zip", b"PK\x05\x06" + b"\x00" * 18, "zip"),
        ("page.csv", b"<!DOCTYPE html><html></html>", "HTML"),
    ],
)
def test_unsupported_content_is_a_handoff_error(
    tmp_path: Path, name: str, data: bytes, words: str
) -> None:
    assert words in str(error_of(write(tmp_path, name, data)))


def test_directory_is_a_handoff_error(tmp_path: Path) -> None:
    (tmp_path / "folder.csv").mkdir()
    assert "folder" in str(error_of(tmp_path / "folder.csv"))


def test_read_result_is_a_plain_dataclass(tmp_path: Path) -> None:
    result = read_file(write(tmp_path, "a.csv", b"a,b\n1,2\n"))
    assert isinstance(result, ReadResult)
    assert result.sheet is None and result.sheets == []


# ---------------------------------------------------------------------------
# properties

# Text that can sit in a cell: delimiters, quotes, line breaks, Vietnamese letters.
CELL = st.text(
    alphabet=st.sampled_from(list("aZ09 ,;|\t\"'\nđĐễƯ€₫.-")),
    max_size=12,
)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    width = draw(st.integers(min_value=2, max_value=5))
    header = draw(
        st.lists(
            st.text(alphabet="abcxyzđ", min_size=1, max_size=6),
            min_size=width,
            max_size=width,
            unique=True,
        )
    )
    rows = draw(st.lists(st.lists(CELL, min_size=width, max_size=width), min_size=1, max_size=6))
    # A row of nothing but blanks at the end is dropped by design; keep one value.
    rows[-1][0] = "end"
    return header, rows


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=tables(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    codec=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    line_end=st.sampled_from(["\n", "\r\n"]),
)
def test_any_text_table_round_trips_through_csv(
    tmp_path: Path,
    table: tuple[list[str], list[list[str]]],
    delimiter: str,
    codec: str,
    line_end: str,
) -> None:
    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(rows)
    path = write(tmp_path, "prop.csv", buffer.getvalue().encode(codec))
    result = read_file(path, delimiter=delimiter)
    expected = [tuple(None if not cell.strip() else cell for cell in row) for row in rows]
    assert result.frame.columns == header
    assert result.frame.rows() == expected


SAFE_CELL = st.text(alphabet=st.sampled_from(list('aZ09 đễ.-"\n')), min_size=1, max_size=10)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    width=st.integers(min_value=2, max_value=6),
    height=st.integers(min_value=1, max_value=8),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    data=st.data(),
)
def test_delimiter_is_sniffed_whenever_cells_hold_no_other_candidate(
    tmp_path: Path, width: int, height: int, delimiter: str, data: st.DataObject
) -> None:
    header = [f"col{i}" for i in range(width)]
    rows = [[data.draw(SAFE_CELL.filter(str.strip)) for _ in range(width)] for _ in range(height)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    result = read_file(write(tmp_path, "sniff.csv", buffer.getvalue().encode()))
    assert result.delimiter == delimiter
    assert result.frame.rows() == [tuple(r) for r in rows]


PREFIXES = [b"", b"PK\x03\x04", b"PAR1", b"\x1f\x8b", b"\xef\xbb\xbf", b"\xff\xfe", b'"']


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    prefix=st.sampled_from(PREFIXES),
    body=st.one_of(
        st.binary(max_size=200),
        st.text(alphabet='a,;"\n\r\t |đ1 ', max_size=120).map(str.encode),
    ),
    ext=st.sampled_from(["csv", "xlsx", "parquet", "gz", "", "xls"]),
)
def test_any_bytes_give_a_result_or_a_handoff_error(
    tmp_path: Path, prefix: bytes, body: bytes, ext: str
) -> None:
    path = write(tmp_path, f"f.{ext}" if ext else "f", prefix + body)
    try:
        result = read_file(path)
    except HandoffError as err:
        assert err.problems and err.problems[0].fix
    else:
        assert result.frame.height > 0
