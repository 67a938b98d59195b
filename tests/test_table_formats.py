"""Tables people can read: every page's tables and downloads write numbers in the page's
language (Vietnamese ``20.000`` and ``42,6%``), durations in minutes, hours or days, money
with its symbol, times in the display time zone, and headings in words, never a column's
raw name. The expected texts are written out here, not produced by the code under test."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import metrics, table_format, ui_tables
from dashboard.i18n import fmt_int, fmt_pct, t
from dashboard.pages import SECTIONS
from dashboard.ui_context import Context
from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")
PAGES = [file for entries in SECTIONS.values() for file, _, _, _ in entries]
# a heading that is a column's own name: lower case words joined by underscores
RAW_NAME = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
# numbers written the English way: 3,292 / 1.59% / 2.5
ENGLISH_NUMBER = re.compile(r"^\u2007*-?(\d{1,3}(,\d{3})+|\d+\.\d+%?)$")
STYLE_VI = table_format.Style("vi", "VND", "Asia/Ho_Chi_Minh")
STYLE_EN = table_format.Style("en", "VND", "Asia/Ho_Chi_Minh")


# ----------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("value", "digits", "vi", "en"),
    [
        (20000, 0, "20.000", "20,000"),
        (3292, 0, "3.292", "3,292"),
        (999, 0, "999", "999"),
        (1234567.89, 2, "1.234.567,89", "1,234,567.89"),
        (42.6, 1, "42,6", "42.6"),
        (0.04, 1, "0,0", "0.0"),
        # a tie rounds to even, as the tiles do (Python writes f"{1500.25:.1f}" as 1500.2)
        (-1500.25, 1, "-1.500,2", "-1,500.2"),
        (-1500.26, 1, "-1.500,3", "-1,500.3"),
        (-0.01, 1, "0,0", "0.0"),
        (100, 1, "100,0", "100.0"),
        (123456, 0, "123.456", "123,456"),
    ],
)
def test_number_text_writes_the_languages_separators(value, digits, vi, en) -> None:
    frame = pl.DataFrame({"x": [float(value), None]})
    for lang, expected in (("vi", vi), ("en", en)):
        out = frame.select(table_format.number_text(pl.col("x"), lang, digits)).to_series()
        assert out.to_list() == [expected, None]


def test_csv_text_is_per_unit_and_per_language() -> None:
    frame = pl.DataFrame(
        {
            "n": [20000, 34],
            "rate": [0.426, 0.618],
            "minutes": [2460.0, 30.0],  # longest 41 hours: shown in hours
            "waiting": [8754.6, 100.0],  # hours, median 4,427 h: shown in days
            "amount": [19876543210.0, 1500000.0],
            "flag": [True, False],
            "at": [dt.datetime(2026, 3, 1, 20, 30), None],  # UTC
        }
    )
    units = {"rate": "share", "minutes": "minutes", "waiting": "hours", "amount": "money"}
    plans = table_format.plans(frame, {"n": "Leads"}, units, STYLE_VI)
    text = table_format.for_csv(frame, plans, STYLE_VI)
    assert text.columns == [
        "Leads",
        "rate",
        "minutes (giờ)",
        "waiting (ngày)",
        "amount",
        "flag",
        "at (Asia/Ho_Chi_Minh)",
    ]
    assert text.row(0) == (
        "20.000",
        "42,6%",
        "41,0",
        "364,8",
        "19.876.543.210 ₫",
        "có",
        "02/03/2026 03:30",  # 20:30 UTC is 03:30 the next morning in Ho Chi Minh City
    )
    assert text.row(1) == ("34", "61,8%", "0,5", "4,2", "1.500.000 ₫", "không", None)
    plans_en = table_format.plans(frame, {"n": "Leads"}, units, STYLE_EN)
    text_en = table_format.for_csv(frame, plans_en, STYLE_EN)
    assert text_en.columns[2:4] == ["minutes (hours)", "waiting (days)"]
    assert text_en.row(0) == (
        "20,000",
        "42.6%",
        "41.0",
        "364.8",
        "₫19,876,543,210",
        "yes",
        "2026-03-02 03:30",
    )


def test_short_durations_stay_in_minutes() -> None:
    frame = pl.DataFrame({"m": [3.0, 12.4, 45.0]})
    plans = table_format.plans(frame, {}, {"m": "minutes"}, STYLE_VI)
    assert table_format.for_csv(frame, plans, STYLE_VI).to_dict(as_series=False) == {
        "m (phút)": ["3", "12", "45"]
    }


def test_one_slow_rep_puts_a_minutes_column_in_hours() -> None:
    # before: "Median minutes 2460" beside reps at 12 minutes
    frame = pl.DataFrame({"m": [2460.0, 12.0, 28.0, 47.0]})
    plans = table_format.plans(frame, {}, {"m": "minutes"}, STYLE_EN)
    assert table_format.for_csv(frame, plans, STYLE_EN).to_dict(as_series=False) == {
        "m (hours)": ["41.0", "0.2", "0.5", "0.8"]
    }


def test_grid_keeps_numbers_numeric_where_streamlit_can_write_them() -> None:
    frame = pl.DataFrame({"n": [20000, 5], "rate": [0.426, 0.05], "m": [2460.0, 30.0]})
    units = {"rate": "share", "m": "minutes"}
    shown, config = table_format.for_grid(
        frame, table_format.plans(frame, {}, units, STYLE_VI), STYLE_VI
    )
    # whole numbers: numeric, with "." thousands (sprintf-js: the pad character ')
    assert shown["n"].to_list() == [20000, 5]
    assert config["n"]["type_config"]["format"] == "%'.,d"
    # decimals: text with a decimal comma, padded with figure spaces to sort as numbers
    assert shown["rate"].to_list() == ["42,6%", "\u20075,0%"]
    assert shown["m (giờ)"].to_list() == ["41,0", "\u20070,5"]
    assert config["rate"]["alignment"] == "right"
    shown_en, config_en = table_format.for_grid(
        frame, table_format.plans(frame, {}, units, STYLE_EN), STYLE_EN
    )
    assert shown_en["rate"].to_list() == [42.6, 5.0]
    assert config_en["rate"]["type_config"]["format"] == "%,.1f%%"
    assert config_en["n"]["type_config"]["format"] == "%,d"


def test_excel_keeps_numbers_numeric_with_a_number_format() -> None:
    frame = pl.DataFrame({"rate": [0.426], "m": [2460.0], "amount": [1500000.0]})
    units = {"rate": "share", "m": "minutes", "amount": "money"}
    rows, formats = table_format.for_excel(
        frame, table_format.plans(frame, {}, units, STYLE_VI), STYLE_VI
    )
    assert rows.row(0) == (0.426, 41.0, 1500000.0)
    assert formats == {"rate": "#,##0.0%", "m (giờ)": "#,##0.0", "amount": '#,##0" ₫"'}


def test_filter_line_neutralises_user_values() -> None:
    line = table_format.filter_line(
        [("Nguồn", ['=HYPERLINK("http://x")', "Zalo OA"]), ("Chiến dịch", ["a\nb"])]
    )
    assert line == '# Nguồn: \'=HYPERLINK("http://x"), Zalo OA; Chiến dịch: a b'


# ----------------------------------------------------------------------------- downloads
def _run(workspace: Path, name: str, filters: metrics.Filters | None = None) -> pl.DataFrame:
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        settings = metrics.resolve_settings({}, None)
        return metrics.run(con, name, settings=settings, filters=filters).frame
    finally:
        con.close()


REP_HEADERS = {
    "owner": "followup.rep",
    "handed_off": "common.handed_off",
    "sla_compliance_rate": "followup.sla_compliance",
    "median_minutes_to_first_touch": "followup.median_time_first",
}


def test_csv_download_in_vietnamese_says_the_filters_and_writes_vietnamese_numbers(
    sample_workspace,
) -> None:
    filters = metrics.Filters(sources=["Zalo OA", "=cmd|' /C calc'!A0"])
    ctx = Context("vi", 0, filters)
    frame = _run(sample_workspace, "followup_by_owner", filters).select(list(REP_HEADERS))
    plans = ui_tables.column_plans(ctx, frame, metric="followup_by_owner", headers=REP_HEADERS)
    rows = list(csv.reader(io.StringIO(ui_tables.csv_bytes(ctx, frame, plans).decode("utf-8-sig"))))
    assert rows[0] == [
        "# Thời gian: tất cả; Nguồn: Zalo OA, '=cmd|' /C calc'!A0; Chiến dịch: tất cả; "
        "Người phụ trách: tất cả"
    ]
    assert rows[1][:3] == ["Nhân viên", "Đã bàn giao", "Tỷ lệ đạt SLA"]
    assert rows[1][3].startswith("Thời gian trung vị đến lần liên hệ đầu (")
    team = frame.filter(pl.col("owner") == "(all)").row(0, named=True)
    assert team["handed_off"] >= 1000  # the team row needs a thousands separator
    last = rows[-1]
    assert last[0] == "(all)"
    assert last[1] == fmt_int(team["handed_off"], "vi")
    assert "." in last[1]
    assert last[2] == fmt_pct(team["sla_compliance_rate"], "vi")
    assert re.fullmatch(r"\d{1,3},\d%", last[2])


def test_excel_download_has_the_filters_and_percent_formats(sample_workspace) -> None:
    ctx = Context("vi", 0, metrics.Filters(sources=["Zalo OA"]))
    frame = _run(sample_workspace, "followup_by_owner").select(list(REP_HEADERS))
    plans = ui_tables.column_plans(ctx, frame, metric="followup_by_owner", headers=REP_HEADERS)
    book = ui_tables.excel_bytes(ctx, frame, plans)
    back = pl.read_excel(io.BytesIO(book), has_header=False)
    assert back.row(0)[0].startswith("# Thời gian: tất cả; Nguồn: Zalo OA")
    sheet = pl.read_excel(io.BytesIO(book), read_options={"header_row": 2})
    assert sheet.columns[:3] == ["Nhân viên", "Đã bàn giao", "Tỷ lệ đạt SLA"]
    team = frame.filter(pl.col("owner") == "(all)").row(0, named=True)
    got = sheet.filter(pl.col("Nhân viên") == "(all)").row(0, named=True)
    assert got["Tỷ lệ đạt SLA"] == pytest.approx(team["sla_compliance_rate"])
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        styles = z.read("xl/styles.xml").decode()
    assert 'formatCode="#,##0.0%"' in styles


# ----------------------------------------------------------------------------- pages
def _page(monkeypatch, workspace: Path, page: str, lang: str) -> AppTest:
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(workspace))
    from dashboard import ui

    ui.clear_caches()
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(f"views/{page}")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _tables(at: AppTest) -> list[tuple[Any, dict[str, Any]]]:
    return [(df.value, json.loads(df.proto.columns or "{}")) for df in at.dataframe]


METRIC_COLUMNS = {c for m in metrics.registry().values() for c in m.units}


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("page", PAGES)
def test_every_table_has_words_for_headings_and_the_languages_numbers(
    monkeypatch, sample_workspace, page: str, lang: str
) -> None:
    at = _page(monkeypatch, sample_workspace, page, lang)
    for frame, config in _tables(at):
        for heading in frame.columns:
            assert not RAW_NAME.match(str(heading)), (page, heading)
            assert heading not in METRIC_COLUMNS - {"source", "owner"}, (page, heading)
        for heading, column in config.items():
            fmt = (column.get("type_config") or {}).get("format")
            # never a browser-locale format: it would follow the browser, not the page
            assert fmt not in ("localized", "percent", "compact", "accounting"), (page, heading)
            if fmt and lang == "vi" and "%" in fmt and fmt.endswith("d"):
                assert "%'.,d" in fmt, (page, heading, fmt)
        if lang == "vi":
            for heading in frame.columns:
                values = frame[heading]
                if values.dtype == object:
                    texts = [v for v in values.tolist() if isinstance(v, str)]
                    wrong = [v for v in texts if ENGLISH_NUMBER.match(v)]
                    assert not wrong, (page, heading, wrong[:3])


def _table_with(at: AppTest, heading: str) -> tuple[Any, dict[str, Any]]:
    for frame, config in _tables(at):
        if heading in frame.columns:
            return frame, config
    raise AssertionError(f"no table has {heading!r}")


def test_followup_rep_table_in_vietnamese(monkeypatch, sample_workspace) -> None:
    # before: "1.59%" and "3,292" on a Vietnamese page (the browser's locale decided)
    at = _page(monkeypatch, sample_workspace, "followup.py", "vi")
    frame, config = _table_with(at, t("followup.sla_compliance", "vi"))
    team = _run(sample_workspace, "followup_by_owner").filter(pl.col("owner") == "(all)")
    team = team.row(0, named=True)
    rates = [v.strip("\u2007") for v in frame[t("followup.sla_compliance", "vi")].tolist()]
    assert rates[-1] == fmt_pct(team["sla_compliance_rate"], "vi")
    assert re.fullmatch(r"\d{1,3},\d%", rates[-1])
    handed = t("common.handed_off", "vi")
    assert frame[handed].tolist()[-1] == team["handed_off"]
    assert config[handed]["type_config"]["format"] == "%'.,d"
    time_heading = next(
        c for c in frame.columns if c.startswith(t("followup.median_time_first", "vi"))
    )
    assert time_heading.endswith(("(giờ)", "(phút)", "(ngày)"))


def test_funnel_counts_in_vietnamese_use_a_dot_for_thousands(monkeypatch, sample_workspace) -> None:
    at = _page(monkeypatch, sample_workspace, "funnel.py", "vi")
    frame, config = _table_with(at, t("funnel.rate_from_first", "vi"))
    count = t("common.count", "vi")
    assert frame[count].tolist()[0] == 20000
    assert config[count]["type_config"]["format"] == "%'.,d"
    assert frame[t("funnel.rate_from_first", "vi")].tolist()[0].strip("\u2007") == "100,0%"


def test_pending_list_shows_times_in_the_display_time_zone(monkeypatch, sample_workspace) -> None:
    at = _page(monkeypatch, sample_workspace, "handoff.py", "en")
    heading = f"{t('handoff.handed_off_at', 'en')} (Asia/Ho_Chi_Minh)"
    frame, _ = _table_with(at, heading)
    leads = _run(sample_workspace, "lead_list").filter(pl.col("is_pending_past_sla"))
    first = frame.iloc[0]
    stored = leads.filter(pl.col("lead_id") == first[t("leads.lead_id", "en")])["handed_off_at"][0]
    shown = first[heading].to_pydatetime()
    assert shown.utcoffset() == dt.timedelta(hours=7)
    assert shown.replace(tzinfo=None) - dt.timedelta(hours=7) == stored
    waiting = next(c for c in frame.columns if c.startswith(t("handoff.time_waiting", "en")))
    assert waiting.endswith("(days)") or waiting.endswith("(hours)")


def test_reps_sort_by_name_follows_vietnamese_alphabet() -> None:
    frame = pl.DataFrame({"rep": ["Đạt", "Dũng", "Anh", "Ân", "Bình", None], "n": range(6)})
    out = ui_tables.sorted_by_name(frame, "rep", "vi")
    assert out["rep"].to_list() == ["Anh", "Ân", "Bình", "Dũng", "Đạt", None]
    with pytest.raises(ValueError):
        ui_tables.sorted_by_name(frame, 'rep" desc --', "vi")


def _chart_rows(at: AppTest) -> list[dict[str, Any]]:
    import pyarrow as pa

    rows: list[dict[str, Any]] = []
    stack = list(at._tree.children.values())
    while stack:
        el = stack.pop()
        stack.extend(getattr(el, "children", {}).values())
        if getattr(el, "type", "") == "vega_lite_chart":
            for data in el.proto.datasets:
                rows += pa.ipc.open_stream(data.data.data).read_all().to_pylist()
    return rows


def test_win_rate_bars_say_how_many_closed_deals_they_rest_on(
    monkeypatch, sample_workspace
) -> None:
    # before: "61.8%" for TikTok with nothing saying it rests on a few dozen deals
    at = _page(monkeypatch, sample_workspace, "revenue.py", "vi")
    tiktok = _run(sample_workspace, "revenue_by_source").filter(pl.col("source") == "TikTok")
    row = tiktok.row(0, named=True)
    expected = f"{fmt_pct(row['win_rate'], 'vi')} trên {fmt_int(row['closed_deals'], 'vi')}"
    labels = {r.get("bar_text") for r in _chart_rows(at) if r.get("source") == "TikTok"}
    assert expected in labels, labels


def test_handoff_month_table_has_no_recycled_column_without_stage_history(
    monkeypatch, sample_workspace
) -> None:
    # the sample has no stage history: "Recycled" would be 0 in every month, whatever happened
    at = _page(monkeypatch, sample_workspace, "handoff.py", "en")
    frame, _ = _table_with(at, t("handoff.handoff_rate", "en"))
    assert t("handoff.recycled", "en") not in frame.columns
    assert t("handoff.pending_past_sla", "en") in frame.columns
