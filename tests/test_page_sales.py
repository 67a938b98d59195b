"""The sales pages (Handoff & SLA, Follow-up discipline) in AppTest: they run in both languages,
their headline numbers equal the metrics for the same filters, every chart is a valid
Vega-Lite spec, and a workspace without the needed columns gets the "needs" guidance."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import metrics
from dashboard.i18n import fmt_duration_minutes, fmt_int, fmt_number, fmt_pct, t
from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")
PAGES = ["handoff.py", "followup.py"]


def _page(
    monkeypatch: pytest.MonkeyPatch,
    workspace: Path,
    page: str,
    *,
    lang: str = "en",
    query: dict[str, Any] | None = None,
) -> AppTest:
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(workspace))
    from dashboard import ui

    ui.clear_caches()
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"views/{page}")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _metric(workspace: Path, name: str, filters: metrics.Filters) -> list[dict]:
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        settings = metrics.resolve_settings({}, None)
        return metrics.run(con, name, settings=settings, filters=filters).frame.to_dicts()
    finally:
        con.close()


def _shown(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _elements(node: Any, out: list) -> list:
    for child in getattr(node, "children", {}).values():
        out.append(child)
        _elements(child, out)
    return out


ZALO_Q1 = {"source": ["Zalo OA"], "from": "2026-01-01", "to": "2026-03-31"}
ZALO_Q1_FILTERS = metrics.Filters(
    date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31), sources=["Zalo OA"]
)


def test_handoff_headline_equals_the_handoff_metric_for_the_same_filters(
    monkeypatch, sample_workspace
) -> None:
    at = _page(monkeypatch, sample_workspace, "handoff.py", query=ZALO_Q1)
    row = _metric(sample_workspace, "handoff", ZALO_Q1_FILTERS)[0]
    shown = _shown(at)
    assert shown["Handoff rate"] == fmt_pct(row["handoff_rate"])
    assert shown["Acceptance rate"] == fmt_pct(row["acceptance_rate"])
    assert shown["Rejection rate"] == fmt_pct(row["rejection_rate"])
    assert shown["Median time to accept"] == fmt_duration_minutes(
        row["median_hours_to_accept"] * 60
    )
    assert shown["Pending past SLA"] == fmt_int(row["pending_past_sla"])
    assert 0 < row["handed_off"] < 8164
    # the sample has no stage history, the only source of a lead's later MQL entries: the
    # page says what recycled leads need instead of a "Recycled 0" that means "not known"
    assert row["recycled"] == 0
    assert "Recycled" not in shown
    assert t("handoff.recycled_needs_history", "en") in [c.value for c in at.caption]


def test_handoff_shows_recycled_leads_when_a_stage_history_is_loaded(monkeypatch, tmp_path) -> None:
    from tests.builders import frame, workspace_from_frames
    from tests.metrics._handoff import FIXTURE_DEALS, FIXTURE_HISTORY, FIXTURE_LEADS

    path = workspace_from_frames(
        tmp_path / "w.duckdb",
        {
            "leads": frame("leads", FIXTURE_LEADS),
            "deals": frame("deals", FIXTURE_DEALS),
            "stage_history": frame("stage_history", FIXTURE_HISTORY),
        },
    )
    at = _page(monkeypatch, path, "handoff.py")
    [row] = _metric(path, "handoff", metrics.Filters())
    assert _shown(at)["Recycled"] == fmt_int(row["recycled"])
    assert t("handoff.recycled_needs_history", "en") not in [c.value for c in at.caption]


def test_pending_list_holds_the_same_leads_as_pending_past_sla(
    monkeypatch, sample_workspace
) -> None:
    at = _page(monkeypatch, sample_workspace, "handoff.py")
    row = _metric(sample_workspace, "handoff", metrics.Filters())[0]
    assert row["pending_past_sla"] > 0
    heading = f"**{t('handoff.list_title')}** · " + t(
        "common.leads_behind_count", "en", n=fmt_int(row["pending_past_sla"])
    )
    assert heading in [m.value for m in at.markdown]


def test_followup_headline_equals_the_team_row_of_followup_by_owner(
    monkeypatch, sample_workspace
) -> None:
    at = _page(monkeypatch, sample_workspace, "followup.py", query=ZALO_Q1)
    rows = _metric(sample_workspace, "followup_by_owner", ZALO_Q1_FILTERS)
    team = next(r for r in rows if r["owner"] == "(all)")
    shown = _shown(at)
    assert shown["Median time to first touch"] == fmt_duration_minutes(
        team["median_minutes_to_first_touch"]
    )
    assert shown["Share within SLA"] == fmt_pct(team["sla_compliance_rate"])
    assert shown["Mean attempts per lead"] == fmt_number(team["mean_attempts"], "en", 1)
    assert shown["Share with 0 attempts"] == fmt_pct(team["zero_attempt_rate"])
    assert shown["Share with 1 attempt"] == fmt_pct(team["one_attempt_rate"])
    assert shown["Given up"] == fmt_int(team["given_up"])


def test_followup_headline_in_vietnamese_uses_decimal_commas(monkeypatch, sample_workspace) -> None:
    at = _page(monkeypatch, sample_workspace, "followup.py", lang="vi")
    team = next(
        r
        for r in _metric(sample_workspace, "followup_by_owner", metrics.Filters())
        if r["owner"] == "(all)"
    )
    shown = _shown(at)
    assert shown["Tỷ lệ đạt SLA"] == fmt_pct(team["sla_compliance_rate"], "vi")
    assert "," in shown["Tỷ lệ đạt SLA"]
    assert shown["Số lần liên hệ trung bình mỗi lead"] == fmt_number(team["mean_attempts"], "vi", 1)


@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("page", PAGES)
def test_every_chart_is_a_valid_vega_lite_spec(monkeypatch, sample_workspace, page, lang) -> None:
    import vl_convert as vlc

    at = _page(monkeypatch, sample_workspace, page, lang=lang)
    specs = []
    for el in _elements(at._tree, []):
        if getattr(el, "type", "") != "vega_lite_chart":
            continue
        spec = json.loads(el.proto.spec)
        for data in el.proto.datasets:
            rows = pa.ipc.open_stream(data.data.data).read_all().to_pylist()
            spec.setdefault("datasets", {})[data.name] = json.loads(json.dumps(rows, default=str))
        specs.append(spec)
    assert len(specs) >= (3 if page == "handoff.py" else 5)
    for spec in specs:
        assert vlc.vegalite_to_svg(spec).startswith("<svg")


def test_scatter_names_the_reps_who_are_slow_or_give_up(monkeypatch, sample_workspace) -> None:
    at = _page(monkeypatch, sample_workspace, "followup.py")
    names = set()
    for el in _elements(at._tree, []):
        if getattr(el, "type", "") == "vega_lite_chart":
            for data in el.proto.datasets:
                table = pa.ipc.open_stream(data.data.data).read_all()
                if "outlier" in table.column_names:
                    rows = table.to_pylist()
                    names |= {r["rep"] for r in rows if r["outlier"]}
    assert {"Đỗ Quang Huy", "Vũ Thị Lan", "Bùi Văn Tài"} <= names


@pytest.mark.parametrize("page", PAGES)
def test_pages_say_what_to_upload_when_only_leads_are_loaded(
    monkeypatch, tmp_path, run, write, page
) -> None:
    ws = tmp_path / "leads-only.duckdb"
    r = run("load", write("leads.csv", "lead_id,created_at,source\nA,2026-01-01,Web\n"), "-w", ws)
    assert r.code == 0, r.err
    at = _page(monkeypatch, ws, page)
    texts = [m.value for m in at.markdown]
    assert f"**{t('common.needs_title')}**" in texts
    assert not at.metric


def test_reps_table_puts_the_worst_rep_first_and_the_team_last(
    monkeypatch, sample_workspace
) -> None:
    # before: reps in name order, so the one who needs help could be anywhere in the table
    at = _page(monkeypatch, sample_workspace, "followup.py")
    shown = None
    for df in at.dataframe:
        frame = df.value
        if t("followup.sla_compliance", "en") in frame.columns:
            shown = frame
    assert shown is not None
    rates = shown[t("followup.sla_compliance", "en")].tolist()
    rows = _metric(sample_workspace, "followup_by_owner", metrics.Filters())
    team = next(r for r in rows if r["owner"] == "(all)")
    # shown as a percentage with one decimal (the table writes 42.6 under "%,.1f%%")
    assert rates[-1] == pytest.approx(round(team["sla_compliance_rate"] * 100, 1))
    reps = [r for r in rates[:-1] if r == r]  # reps with a rate, in the order shown
    assert reps == sorted(reps)
    worst = min(
        r["sla_compliance_rate"]
        for r in rows
        if r["owner"] != "(all)" and r["sla_compliance_rate"] is not None
    )
    assert rates[0] == pytest.approx(round(worst * 100, 1))
