"""Tests for dashboard.ingest.values: column-level parsing of dates, amounts and flags.

Expected values are written out by hand (or, in property tests, are the generated
inputs themselves); nothing here is computed with the code under test.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.ingest.parsed import nfc
from dashboard.ingest.values import (
    AmbiguousFormat,
    Parsed,
    detect_currency,
    parse_bool,
    parse_date,
    parse_number,
    parse_text,
    parse_timestamp,
)

D = dt.datetime


def ts(values: list[object], **kwargs: object) -> Parsed:
    return parse_timestamp(pl.Series("c", values), **kwargs)  # type: ignore[arg-type]


def one_ts(value: object, **kwargs: object) -> dt.datetime | None:
    result = ts([value], **kwargs)
    return result.series[0]


def num(values: list[object], **kwargs: object) -> Parsed:
    return parse_number(pl.Series("c", values), **kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# timestamps: formats


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", D(2024, 3, 5)),
        ("2024-03-05 14:30", D(2024, 3, 5, 14, 30)),
        ("2024-03-05 14:30:15", D(2024, 3, 5, 14, 30, 15)),
        ("2024-03-05T14:30:15", D(2024, 3, 5, 14, 30, 15)),
        ("2024-03-05T14:30", D(2024, 3, 5, 14, 30)),
        ("2024-03-05 14:30:15.5", D(2024, 3, 5, 14, 30, 15, 500000)),
        ("2024-03-05 14:30:15.123456", D(2024, 3, 5, 14, 30, 15, 123456)),
        ("2024-03-05 14:30:15.123456789", D(2024, 3, 5, 14, 30, 15, 123456)),
        ("2024-03-05T14:30:15Z", D(2024, 3, 5, 14, 30, 15)),
        ("2024-03-05T14:30:15+07:00", D(2024, 3, 5, 7, 30, 15)),
        ("2024-03-05T14:30:15+0700", D(2024, 3, 5, 7, 30, 15)),
        ("2024-03-05T14:30:15-05:30", D(2024, 3, 5, 20, 0, 15)),
        ("2024-03-05 14:30:15 +07:00", D(2024, 3, 5, 7, 30, 15)),
        ("2024-03-05 14:30:15 UTC", D(2024, 3, 5, 14, 30, 15)),
        ("2024-03-05 14:30 GMT+7", D(2024, 3, 5, 7, 30)),
        ("2019-05-02T16:42:31.000Z", D(2019, 5, 2, 16, 42, 31)),
        ("2019-05-02T16:42:31.000+0000", D(2019, 5, 2, 16, 42, 31)),
        ("2024/03/05", D(2024, 3, 5)),
        ("2024/03/05 14:30", D(2024, 3, 5, 14, 30)),
        ("2024.03.05", D(2024, 3, 5)),
        ("2024-3-5 9:05", D(2024, 3, 5, 9, 5)),
        ("  2024-03-05  ", D(2024, 3, 5)),
        ("5 Mar 2024", D(2024, 3, 5)),
        ("05-Mar-2024 14:30", D(2024, 3, 5, 14, 30)),
        ("5 March 2024", D(2024, 3, 5)),
        ("Mar 5, 2024", D(2024, 3, 5)),
        ("March 5, 2024 2:30 PM", D(2024, 3, 5, 14, 30)),
        ("Tue, 05 Mar 2024 14:30:00 +0000", D(2024, 3, 5, 14, 30)),
    ],
)
def test_iso_and_named_month_formats(text: str, expected: dt.datetime) -> None:
    result = ts([text])
    assert result.series.dtype == pl.Datetime("us")
    assert result.series[0] == expected
    assert result.bad_count == 0


@pytest.mark.parametrize(
    ("values", "expected", "note"),
    [
        (
            ["5/2/2019 4:42 PM", "12/31/2019 11:05 AM", "1/13/2020"],
            [D(2019, 5, 2, 16, 42), D(2019, 12, 31, 11, 5), D(2020, 1, 13)],
            "month-first dates (MM/DD/YYYY)",
        ),
        (
            ["12/31/2019 12:00 AM", "12/31/2019 12:30 PM"],
            [D(2019, 12, 31, 0, 0), D(2019, 12, 31, 12, 30)],
            "month-first dates (MM/DD/YYYY)",
        ),
        (
            ["05/03/2024 08:15", "25/12/2024 17:45:30"],
            [D(2024, 3, 5, 8, 15), D(2024, 12, 25, 17, 45, 30)],
            "day-first dates (DD/MM/YYYY)",
        ),
        (
            ["05.03.2024", "31.01.2024 9:00"],
            [D(2024, 3, 5), D(2024, 1, 31, 9, 0)],
            "day-first dates (DD/MM/YYYY)",
        ),
        (
            ["05-03-2024", "31-01-2024"],
            [D(2024, 3, 5), D(2024, 1, 31)],
            "day-first dates (DD/MM/YYYY)",
        ),
        (
            ["5/3/2024 2:30 CH", "13/3/2024 9:00 SA"],
            [D(2024, 3, 5, 14, 30), D(2024, 3, 13, 9, 0)],
            "day-first dates (DD/MM/YYYY)",
        ),
    ],
)
def test_slash_dot_dash_dates_decide_the_order_per_column(
    values: list[str], expected: list[dt.datetime], note: str
) -> None:
    result = ts(values)
    assert result.series.to_list() == expected
    assert result.bad_count == 0
    assert result.note is not None and note in result.note


def test_one_unambiguous_value_decides_the_whole_column() -> None:
    # 03/05 alone is ambiguous; 25/12 shows the column is day-first.
    result = ts(["03/05/2024", "25/12/2024", "01/02/2024"])
    assert result.series.to_list() == [D(2024, 5, 3), D(2024, 12, 25), D(2024, 2, 1)]


def test_ambiguous_column_raises_with_examples_and_fix() -> None:
    with pytest.raises(AmbiguousFormat) as info:
        ts(["01/01/2024", "03/05/2024", None, "04/06/2024"])
    err = info.value
    assert isinstance(err, ValueError)
    assert err.examples == [(1, "03/05/2024"), (3, "04/06/2024")]
    assert "date order" in err.fix
    assert "day-first" in err.message and "month-first" in err.message


def test_date_order_settles_an_ambiguous_column() -> None:
    values = ["03/05/2024", "04/06/2024 10:00"]
    dmy = ts(values, date_order="dmy")
    mdy = ts(values, date_order="mdy")
    assert dmy.series.to_list() == [D(2024, 5, 3), D(2024, 6, 4, 10, 0)]
    assert mdy.series.to_list() == [D(2024, 3, 5), D(2024, 4, 6, 10, 0)]
    assert mdy.note is not None and "as set" in mdy.note


def test_values_that_read_the_same_both_ways_are_not_ambiguous() -> None:
    result = ts(["01/01/2024", "05/05/2024"])
    assert result.series.to_list() == [D(2024, 1, 1), D(2024, 5, 5)]


def test_day_first_and_month_first_in_one_column_makes_the_minority_bad() -> None:
    result = ts(["25/03/2024", "26/03/2024", "03/27/2024", "13/14/2024"])
    assert result.series.to_list() == [D(2024, 3, 25), D(2024, 3, 26), None, None]
    assert result.bad_positions == [2, 3]
    assert result.bad_values == ["03/27/2024", "13/14/2024"]
    assert result.note is not None and "day-first" in result.note


def test_equal_day_first_and_month_first_evidence_is_ambiguous() -> None:
    with pytest.raises(AmbiguousFormat) as info:
        ts(["25/03/2024", "03/27/2024"])
    assert info.value.examples == [(0, "25/03/2024"), (1, "03/27/2024")]


def test_date_order_must_be_known() -> None:
    with pytest.raises(ValueError, match="date_order"):
        ts(["2024-01-01"], date_order="ymd")


def test_two_digit_years() -> None:
    result = ts(["03/25/24", "12/31/99"])
    assert result.series.to_list() == [D(2024, 3, 25), D(1999, 12, 31)]
    assert result.note is not None and "two-digit" in result.note


def test_a_column_may_mix_date_only_and_datetime_values() -> None:
    result = ts(["2024-03-05", "2024-03-06 10:00", "2024-03-07T11:30:00Z"])
    assert result.series.to_list() == [
        D(2024, 3, 5),
        D(2024, 3, 6, 10, 0),
        D(2024, 3, 7, 11, 30),
    ]


# ---------------------------------------------------------------------------
# timestamps: bad values


def test_bad_values_are_reported_with_positions_and_raw_values() -> None:
    values = [
        "2024-03-05",
        None,
        "",
        "   ",
        "soon",
        "2024-02-30",
        "2023-02-29",
        "1850-01-01",
        "2250-01-01",
        "2024-03-05 25:00",
        "2024-03-05 10:61",
        "2024-03-05 13:00 PM",
        "2024-13-01",
        "2024-03-05 14:30 +25:00",
        "14:30",
        "Foo 5, 2024",
        "2024-02-29",
    ]
    result = ts(values)
    assert result.series[0] == D(2024, 3, 5)
    assert result.series[16] == D(2024, 2, 29)
    assert result.series[1:4].to_list() == [None, None, None]
    # years outside 1970-2100 are read, then refused as out of range (not as unreadable)
    assert result.bad_positions == [4, 5, 6, *range(9, 16)]
    assert result.bad_values == values[4:7] + values[9:16]
    assert result.bad_count == 10
    assert result.out_of_range_positions == [7, 8]
    assert result.out_of_range_values == ["1850-01-01", "2250-01-01"]


def test_only_the_first_twenty_bad_values_are_listed() -> None:
    result = ts(["nope"] * 30 + ["2024-01-01"])
    assert result.bad_count == 30
    assert result.bad_positions == list(range(20))
    assert result.bad_values == ["nope"] * 20


# ---------------------------------------------------------------------------
# timestamps: time zones


def test_naive_values_are_local_and_converted_to_utc_across_the_day_boundary() -> None:
    result = ts(["2024-03-01 01:30", "2024-03-01 12:00"], timezone="Asia/Ho_Chi_Minh")
    assert result.series.to_list() == [D(2024, 2, 29, 18, 30), D(2024, 3, 1, 5, 0)]
    assert result.note is not None and "Asia/Ho_Chi_Minh" in result.note


def test_values_with_an_offset_ignore_the_data_time_zone() -> None:
    result = ts(
        ["2024-03-01T01:30:00Z", "2024-03-01 01:30 +07:00", "2024-03-01 01:30"],
        timezone="Asia/Ho_Chi_Minh",
    )
    assert result.series.to_list() == [
        D(2024, 3, 1, 1, 30),
        D(2024, 2, 29, 18, 30),
        D(2024, 2, 29, 18, 30),
    ]


def test_date_only_values_are_local_midnight() -> None:
    assert one_ts("2024-03-01", timezone="Asia/Ho_Chi_Minh") == D(2024, 2, 29, 17, 0)


def test_daylight_saving_gaps_are_bad_and_repeats_take_the_earlier_instant() -> None:
    result = ts(
        ["2024-03-10 02:30", "2024-11-03 01:30", "2024-07-01 12:00"],
        timezone="America/New_York",
    )
    assert result.series.to_list() == [None, D(2024, 11, 3, 5, 30), D(2024, 7, 1, 16, 0)]
    assert result.bad_positions == [0]


def test_native_naive_datetimes_and_dates_are_in_the_data_time_zone() -> None:
    naive = parse_timestamp(
        pl.Series([D(2024, 3, 1, 1, 30), None], dtype=pl.Datetime("ms")),
        timezone="Asia/Ho_Chi_Minh",
    )
    assert naive.series.dtype == pl.Datetime("us")
    assert naive.series.to_list() == [D(2024, 2, 29, 18, 30), None]
    dates = parse_timestamp(pl.Series([dt.date(2024, 3, 1)]), timezone="Asia/Ho_Chi_Minh")
    assert dates.series.to_list() == [D(2024, 2, 29, 17, 0)]


def test_native_aware_datetimes_are_converted_from_their_own_zone() -> None:
    aware = pl.Series([D(2024, 3, 1, 1, 30)]).dt.replace_time_zone("Asia/Ho_Chi_Minh")
    result = parse_timestamp(aware, timezone="Europe/Paris")
    assert result.series.dtype == pl.Datetime("us")
    assert result.series.to_list() == [D(2024, 2, 29, 18, 30)]


def test_unknown_time_zone_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="time zone"):
        ts(["2024-01-01"], timezone="Mars/Olympus_Mons")


# ---------------------------------------------------------------------------
# timestamps: numbers


def test_excel_serials_native_numbers() -> None:
    result = ts([45352.0, 45352.5, 45352.604166666664, 1.0, None])
    assert result.series.to_list() == [
        D(2024, 3, 1),
        D(2024, 3, 1, 12, 0),
        D(2024, 3, 1, 14, 30),
        None,  # serial 1 is 1900-01-01: read, but before 1970, so out of range
        None,
    ]
    assert result.out_of_range_positions == [3]
    assert result.note is not None and "Excel serial" in result.note


def test_excel_serials_around_the_1900_leap_bug_and_range() -> None:
    result = ts([59.0, 60.0, 61.0, 0.5, 2958465.0, 2958466.0])
    # 59 and 61 are 1900-02-28 and 1900-03-01, 2958465 is 9999-12-31: read, but out of the
    # stored range; 60 (Excel's 1900-02-29), 0.5 and 2958466 are not dates at all
    assert result.series.to_list() == [None] * 6
    assert result.out_of_range_positions == [0, 2, 4]
    assert result.bad_positions == [1, 3, 5]


def test_excel_serials_in_a_text_column_and_in_the_data_time_zone() -> None:
    result = ts(["45352", "45352.5", " "], timezone="Asia/Ho_Chi_Minh")
    assert result.series.to_list() == [D(2024, 2, 29, 17, 0), D(2024, 3, 1, 5, 0), None]
    assert result.bad_count == 0


def test_integer_excel_serials() -> None:
    result = parse_timestamp(pl.Series([45352, 45353], dtype=pl.Int64))
    assert result.series.to_list() == [D(2024, 3, 1), D(2024, 3, 2)]


def test_a_number_in_a_date_text_column_is_bad() -> None:
    result = ts(["2024-03-01", "45352"])
    assert result.series.to_list() == [D(2024, 3, 1), None]
    assert result.bad_positions == [1]


def test_unix_epochs_and_compact_dates() -> None:
    assert ts(["1709251200"]).series.to_list() == [D(2024, 3, 1)]
    assert ts([1709251200123]).series.to_list() == [D(2024, 3, 1, 0, 0, 0, 123000)]
    compact = ts(["20240305", "20240230"])
    assert compact.series.to_list() == [D(2024, 3, 5), None]
    assert compact.bad_positions == [1]


def test_booleans_are_not_timestamps() -> None:
    result = parse_timestamp(pl.Series([True, None]))
    assert result.series.to_list() == [None, None]
    assert result.bad_positions == [0]


# ---------------------------------------------------------------------------
# dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03", dt.date(2024, 3, 1)),
        ("2024/03", dt.date(2024, 3, 1)),
        ("03/2024", dt.date(2024, 3, 1)),
        ("3/2024", dt.date(2024, 3, 1)),
        ("Mar 2024", dt.date(2024, 3, 1)),
        ("March 2024", dt.date(2024, 3, 1)),
        ("Mar-24", dt.date(2024, 3, 1)),
        ("Tháng 3/2024", dt.date(2024, 3, 1)),
        ("T3/2024", dt.date(2024, 3, 1)),
        ("2024-03-01 00:00", dt.date(2024, 3, 1)),
        ("2024-03-01T00:00:00Z", dt.date(2024, 3, 1)),
        ("2024-03-05", dt.date(2024, 3, 5)),
        ("5 Mar 2024", dt.date(2024, 3, 5)),
    ],
)
def test_parse_date_formats_and_month_values(text: str, expected: dt.date) -> None:
    result = parse_date(pl.Series([text]))
    assert result.series.dtype == pl.Date
    assert result.series.to_list() == [expected]
    assert result.bad_count == 0


def test_parse_date_takes_the_date_as_written() -> None:
    result = parse_date(pl.Series(["2024-03-01 23:30 +07:00", "2024-03-02 14:00"]))
    assert result.series.to_list() == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]
    assert result.note is not None and "times of day" in result.note


def test_parse_date_day_first_decision_and_bad_values() -> None:
    result = parse_date(pl.Series(["31/01/2024", "01/02/2024", "2024-13", "31/02/2024", None]))
    assert result.series.to_list() == [dt.date(2024, 1, 31), dt.date(2024, 2, 1), None, None, None]
    assert result.bad_positions == [2, 3]
    with pytest.raises(AmbiguousFormat):
        parse_date(pl.Series(["01/02/2024", "03/04/2024"]))
    settled = parse_date(pl.Series(["01/02/2024"]), date_order="mdy")
    assert settled.series.to_list() == [dt.date(2024, 1, 2)]


def test_parse_date_native_and_numeric_inputs() -> None:
    assert parse_date(pl.Series([dt.date(2024, 3, 1)])).series.to_list() == [dt.date(2024, 3, 1)]
    native = parse_date(pl.Series([D(2024, 3, 1, 23, 59)]))
    assert native.series.to_list() == [dt.date(2024, 3, 1)]
    serial = parse_date(pl.Series([45352.0, 45352.99]))
    assert serial.series.to_list() == [dt.date(2024, 3, 1), dt.date(2024, 3, 1)]
    months = parse_date(pl.Series(["202403", "202412"]))
    assert months.series.to_list() == [dt.date(2024, 3, 1), dt.date(2024, 12, 1)]


# ---------------------------------------------------------------------------
# numbers and amounts


@pytest.mark.parametrize(
    ("values", "expected", "note"),
    [
        (
            ["1,234,567.89", "12.5", "100", "0.5"],
            [1234567.89, 12.5, 100.0, 0.5],
            "amounts use ',' for thousands and '.' for decimals",
        ),
        (
            ["1.234.567,89", "12,5", "100", "0,5"],
            [1234567.89, 12.5, 100.0, 0.5],
            "amounts use '.' for thousands and ',' for decimals",
        ),
        (
            ["1 234 567,89", "1\u00a0234,5", "1\u202f000,25"],
            [1234567.89, 1234.5, 1000.25],
            "amounts use '.' for thousands and ',' for decimals",
        ),
        (
            ["1'234.50", "12'000.75", "1’500.5"],
            [1234.5, 12000.75, 1500.5],
            "amounts use ',' for thousands and '.' for decimals",
        ),
        (["1,234,567", "12"], [1234567.0, 12.0], "amounts use ',' for thousands"),
        (["1.234.567", "12"], [1234567.0, 12.0], "amounts use '.' for thousands"),
        (["0.500", "3"], [0.5, 3.0], "'.' for decimals"),
        (["1234.567"], [1234.567], "'.' for decimals"),
    ],
)
def test_amount_conventions_are_decided_per_column(
    values: list[str], expected: list[float], note: str
) -> None:
    result = num(values)
    assert result.series.dtype == pl.Float64
    assert result.series.to_list() == pytest.approx(expected)
    assert result.bad_count == 0
    assert result.note is not None and note in result.note


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-1,234.50", -1234.5),
        ("(1,234.50)", -1234.5),
        ("−1234.5", -1234.5),
        ("+7", 7.0),
        ("$1,000.50", 1000.5),
        ("$-5.25", -5.25),
        ("-$5.25", -5.25),
        ("($5.25)", -5.25),
        ("US$ 3.50", 3.5),
        ("USD 3.50", 3.5),
        ("3.50 USD", 3.5),
        ("€12.50", 12.5),
        ("12.50 €", 12.5),
        ("1.5E+06", 1_500_000.0),
        ("2.5e-3", 0.0025),
        ("-1E3", -1000.0),
        (".75", 0.75),
    ],
)
def test_signs_currencies_and_scientific_notation(text: str, expected: float) -> None:
    result = num([text])
    assert result.series[0] == pytest.approx(expected)
    assert result.bad_count == 0


def test_vietnamese_dong_amounts() -> None:
    result = num(["1.500.000 ₫", "2.000đ", "VND 3.000.000", "450.000 VNĐ", "1.250,5 đ"])
    assert result.series.to_list() == [1500000.0, 2000.0, 3000000.0, 450000.0, 1250.5]
    assert result.note is not None and "currency VND found in the values" in result.note


def test_zero_decimal_currency_settles_a_single_separator_as_thousands() -> None:
    result = num(["1.500 ₫", "2.250 ₫"])
    assert result.series.to_list() == [1500.0, 2250.0]
    assert result.note is not None and "VND" in result.note


def test_ambiguous_amount_column_raises_unless_decimal_is_given() -> None:
    with pytest.raises(AmbiguousFormat) as info:
        num(["1.500", "2.250", None, "300"])
    assert info.value.examples == [(0, "1.500"), (1, "2.250")]
    assert "decimal separator" in info.value.fix
    assert num(["1.500", "2.250"], decimal=",").series.to_list() == [1500.0, 2250.0]
    assert num(["1.500", "2.250"], decimal=".").series.to_list() == [1.5, 2.25]
    with pytest.raises(AmbiguousFormat):
        num(["1,500"])


def test_decimal_must_be_a_dot_or_comma() -> None:
    with pytest.raises(ValueError, match="decimal"):
        num(["1"], decimal=";")


def test_mixed_conventions_make_the_minority_bad_or_raise_on_a_tie() -> None:
    result = num(["1,5", "2,5", "3.5"])
    assert result.series.to_list() == [1.5, 2.5, None]
    assert result.bad_positions == [2]
    with pytest.raises(AmbiguousFormat):
        num(["1,5", "3.5"])


def test_bad_amounts() -> None:
    values = ["12%", "12 %", "--5", "(5", "5)", "-(5)", "$5 USD", "1.5.5", "abc", "1,2,3.4.5", "10"]
    result = num(values, decimal=".")
    assert result.series.to_list() == [None] * 10 + [10.0]
    assert result.bad_positions == list(range(10))
    assert result.bad_values == values[:10]


def test_grouping_must_be_in_threes() -> None:
    result = num(["1,23,456.00", "12,345.00"])
    assert result.series.to_list() == [None, 12345.0]
    assert result.bad_positions == [0]


def test_native_numbers_and_nan() -> None:
    result = parse_number(pl.Series([1.5, float("nan"), None, float("inf")]))
    assert result.series.to_list() == [1.5, None, None, None]
    # NaN is empty; infinity is a number that cannot be stored: out of range, not bad
    assert result.bad_positions == []
    assert result.out_of_range_positions == [3]
    ints = parse_number(pl.Series([3, None], dtype=pl.Int32))
    assert ints.series.dtype == pl.Float64
    assert ints.series.to_list() == [3.0, None]
    flags = parse_number(pl.Series([True]))
    assert flags.bad_positions == [0]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["₫1", "2 đ", "3 VND", "4 vnđ"], "VND"),
        (["$1", "US$2", "3 USD"], "USD"),
        (["€1", "2 EUR"], "EUR"),
        (["£1"], "GBP"),
        (["1", "2"], None),
        (["$1", "2 €"], None),
        (["hello"], None),
    ],
)
def test_detect_currency(values: list[str], expected: str | None) -> None:
    assert detect_currency(pl.Series(values)) == expected


def test_detect_currency_of_a_numeric_column_is_none() -> None:
    assert detect_currency(pl.Series([1.0, 2.0])) is None


def test_mixed_currencies_are_noted() -> None:
    result = num(["$1.50", "2,00 €", "3.00"], decimal=".")
    assert result.note is not None and "several currencies" in result.note


# ---------------------------------------------------------------------------
# booleans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        *[(t, True) for t in ["true", "TRUE", "True", " t ", "yes", "Y", "1", "1.0", "x", "X"]],
        *[(t, True) for t in ["checked", "Có", "có", "co", "CO", "đúng", "Đúng", "dung", "on"]],
        *[(t, False) for t in ["false", "FALSE", "f", "no", "N", "0", "0.0", "unchecked"]],
        *[(t, False) for t in ["Không", "không", "khong", "sai", "SAI", "off"]],
    ],
)
def test_boolean_spellings(text: str, expected: bool) -> None:
    result = parse_bool(pl.Series([text]))
    assert result.series.dtype == pl.Boolean
    assert result.series.to_list() == [expected]
    assert result.bad_count == 0


def test_boolean_blank_is_null_and_unknown_words_are_bad() -> None:
    result = parse_bool(pl.Series(["x", "", "  ", None, "maybe", "2"]))
    assert result.series.to_list() == [True, None, None, None, None, None]
    assert result.bad_positions == [4, 5]
    assert result.note is not None and "'x'" in result.note


def test_decomposed_vietnamese_booleans_are_recognised() -> None:
    result = parse_bool(pl.Series(["Co\u0301", "Kho\u0302ng"]))
    assert result.series.to_list() == [True, False]


def test_native_booleans_and_numbers() -> None:
    assert parse_bool(pl.Series([True, None, False])).series.to_list() == [True, None, False]
    numbers = parse_bool(pl.Series([1, 0, 2, None]))
    assert numbers.series.to_list() == [True, False, None, None]
    assert numbers.bad_positions == [2]
    floats = parse_bool(pl.Series([1.0, 0.0]))
    assert floats.series.to_list() == [True, False]


# ---------------------------------------------------------------------------
# text


def test_text_is_trimmed_composed_and_blank_is_null() -> None:
    result = parse_text(pl.Series(["  Nguye\u0302\u0303n  ", "", "   ", None, "x"]))
    assert result.series.to_list() == ["Nguyễn", None, None, None, "x"]
    assert result.bad_count == 0


# composed and decomposed Vietnamese, Latin with marks, other scripts and plain ASCII
NFC_TEXT = st.lists(
    st.one_of(
        st.none(),
        st.text(
            alphabet="aAeo \u0302\u0303\u0301\u0323\u0306\u031b\u00e2\u1ec5Đđ한글ﬁ", max_size=8
        ),
        st.text(max_size=6),
        st.sampled_from(["L0001", "Nguyễn", "Nguye\u0302\u0303n", "cafe\u0301", "café"]),
    ),
    max_size=30,
)


@given(values=NFC_TEXT)
def test_text_is_composed_exactly_as_unicode_nfc(values: list[str | None]) -> None:
    s = pl.Series("c", values, dtype=pl.String)
    assert nfc(s).to_list() == s.str.normalize("NFC").to_list()
    trimmed = s.str.strip_chars()
    expected = [None if v == "" else v for v in trimmed.str.normalize("NFC").to_list()]
    assert parse_text(s).series.to_list() == expected


def test_whole_floats_from_excel_become_integers() -> None:
    result = parse_text(pl.Series([12345.0, 84901234567.0, 1.5, None]))
    assert result.series.to_list() == ["12345", "84901234567", "1.5", None]


def test_text_column_of_whole_floats_is_cleaned_but_other_text_is_not() -> None:
    ids = parse_text(pl.Series(["12345.0", "678", None]))
    assert ids.series.to_list() == ["12345", "678", None]
    assert ids.note is not None
    mixed = parse_text(pl.Series(["12345.0", "version 2.0"]))
    assert mixed.series.to_list() == ["12345.0", "version 2.0"]
    assert mixed.note is None


def test_other_types_become_text() -> None:
    assert parse_text(pl.Series([7, None])).series.to_list() == ["7", None]
    assert parse_text(pl.Series([True])).series.to_list() == ["true"]
    assert parse_text(pl.Series([dt.date(2024, 3, 5)])).series.to_list() == ["2024-03-05"]
    stamps = parse_text(pl.Series([D(2024, 3, 5, 14, 30)]))
    assert stamps.series.to_list() == ["2024-03-05 14:30:00"]
    assert parse_text(pl.Series([[1, 2]])).series.to_list() == ["[1,2]"]


def test_results_keep_the_name_and_length() -> None:
    series = pl.Series("Created Date", ["2024-01-01", None, "bad"])
    for parser in (parse_timestamp, parse_date, parse_text):
        result = parser(series)
        assert result.series.name == "Created Date"
        assert len(result.series) == 3


# ---------------------------------------------------------------------------
# properties

DATETIMES = st.datetimes(
    # the stored range is 1970-01-01 .. 2100-12-31 (values.FIRST_DATE .. LAST_DATE)
    min_value=D(1970, 1, 1),
    max_value=D(2100, 12, 31, 23, 59),
    timezones=st.none(),
).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))


@settings(max_examples=100, deadline=None)
@given(values=st.lists(DATETIMES, min_size=1, max_size=20), sep=st.sampled_from(["T", " "]))
def test_iso_datetimes_round_trip(values: list[dt.datetime], sep: str) -> None:
    texts = [v.isoformat(sep=sep, timespec="milliseconds") + "Z" for v in values]
    assert ts(texts).series.to_list() == values
    naive = [v.isoformat(sep=sep, timespec="seconds") for v in values]
    assert ts(naive).series.to_list() == [v.replace(microsecond=0) for v in values]


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), DATETIMES), min_size=1, max_size=20),
    sep=st.sampled_from(["T", " "]),
    dated=st.booleans(),
    zone=st.sampled_from(["UTC", "Asia/Ho_Chi_Minh", "America/New_York"]),
)
def test_plain_iso_columns_read_as_the_general_parser_reads_them(
    values: list[dt.datetime | None], sep: str, dated: bool, zone: str
) -> None:
    texts = [
        None if v is None else v.date().isoformat() if dated and i % 2 else
        v.isoformat(sep=sep, timespec="seconds")
        for i, v in enumerate(values)
    ]  # fmt: skip
    plain = ts(texts, timezone=zone)
    # one value with an offset sends the whole column through the general parser
    general = ts([*texts, "2024-03-05T10:00:00+07:00"], timezone=zone)
    assert plain.series.to_list() == general.series.to_list()[:-1]
    assert plain.bad_count == general.bad_count
    days = parse_date(pl.Series("c", texts))
    assert (
        days.series.to_list()
        == parse_date(pl.Series("c", [*texts, "5 March 2024"])).series[:-1].to_list()
    )


def test_an_impossible_or_out_of_range_plain_date_is_named_as_before() -> None:
    bad = ts(["2024-03-05 10:00:00", "2024-02-30 10:00:00", "2024-03-06"])
    assert (bad.bad_count, bad.bad_positions, bad.bad_values) == (1, [1], ["2024-02-30 10:00:00"])
    far = ts(["2024-03-05 10:00:00", "9999-12-31 00:00:00"])
    assert (far.out_of_range_count, far.out_of_range_values) == (1, ["9999-12-31 00:00:00"])
    leap = ts(["2024-03-05 23:59:60"])
    assert leap.bad_count == 1


@settings(max_examples=100, deadline=None)
@given(values=st.lists(DATETIMES, min_size=1, max_size=20))
def test_day_first_and_month_first_datetimes_round_trip(values: list[dt.datetime]) -> None:
    expected = [v.replace(microsecond=0) for v in values]
    day_first = [v.strftime("%d/%m/%Y %H:%M:%S") for v in values]
    assert ts(day_first, date_order="dmy").series.to_list() == expected
    month_first = [
        f"{v.month}/{v.day}/{v.year} {v.hour % 12 or 12}:{v.minute:02d}:{v.second:02d} "
        + ("PM" if v.hour >= 12 else "AM")
        for v in values
    ]
    assert ts(month_first, date_order="mdy").series.to_list() == expected
    dotted = [v.strftime("%d.%m.%Y") for v in values]
    assert parse_date(pl.Series(dotted), date_order="dmy").series.to_list() == [
        v.date() for v in values
    ]


@settings(max_examples=100, deadline=None)
@given(value=st.datetimes(min_value=D(1980, 1, 1), max_value=D(2100, 1, 1)))
def test_local_times_convert_like_zoneinfo(value: dt.datetime) -> None:
    value = value.replace(microsecond=0)
    zone = ZoneInfo("Europe/Paris")
    local = value.replace(tzinfo=zone)
    # Skip wall times that do not exist or repeat at a DST change.
    roundtrip = local.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
    folded = value.replace(fold=1, tzinfo=zone).utcoffset() != local.utcoffset()
    if roundtrip != value or folded:
        return
    expected = local.astimezone(dt.UTC).replace(tzinfo=None)
    assert one_ts(value.strftime("%Y-%m-%d %H:%M:%S"), timezone="Europe/Paris") == expected


def group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


@settings(max_examples=150, deadline=None)
@given(
    cents=st.lists(st.integers(min_value=-(10**13), max_value=10**13), min_size=1, max_size=15),
    convention=st.sampled_from([(",", "."), (".", ","), (" ", ","), ("'", "."), ("", ".")]),
    symbol=st.sampled_from(["", "$", " ₫", "€ ", " USD"]),
)
def test_any_amount_formatted_in_either_convention_round_trips(
    cents: list[int], convention: tuple[str, str], symbol: str
) -> None:
    thousands, decimal = convention
    texts = []
    for c in cents:
        whole, frac = divmod(abs(c), 100)
        body = f"{group(str(whole), thousands)}{decimal}{frac:02d}"
        body = f"{symbol.strip()}{body}" if symbol.endswith(" ") or symbol == "$" else body + symbol
        texts.append(("-" if c < 0 else "") + body)
    result = num(texts)
    assert result.bad_count == 0
    for got, c in zip(result.series.to_list(), cents, strict=True):
        assert math.isclose(got, c / 100, rel_tol=1e-12, abs_tol=1e-9)
    forced = num(texts, decimal=decimal)
    assert forced.series.to_list() == result.series.to_list()


MESSY = st.text(alphabet=st.sampled_from(list("0123456789./-:, TZ+APMap$€₫đ()%eE'xJanMar")))


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), MESSY), max_size=8),
    order=st.sampled_from([None, "dmy", "mdy"]),
    decimal=st.sampled_from([None, ".", ","]),
)
def test_messy_text_gives_consistent_results_or_ambiguous_format(
    values: list[str | None], order: str | None, decimal: str | None
) -> None:
    series = pl.Series("c", values, dtype=pl.String)
    calls = [
        lambda: parse_timestamp(series, date_order=order, timezone="Asia/Ho_Chi_Minh"),
        lambda: parse_date(series, date_order=order),
        lambda: parse_number(series, decimal=decimal),
        lambda: parse_bool(series),
        lambda: parse_text(series),
    ]
    for call in calls:
        try:
            result = call()
        except AmbiguousFormat as err:
            assert err.examples
            continue
        assert len(result.series) == len(series)
        assert result.bad_count >= len(result.bad_positions)
        for position, value in zip(result.bad_positions, result.bad_values, strict=True):
            assert result.series[position] is None
            assert value == values[position] and value.strip()
