"""The Definitions page and the lead definition agreement: every setting is shown and
editable, a proposal shows its effect with the metrics' own numbers, saving needs who and
why and is logged, and the agreement states every value with signature lines."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import agreement, metrics, safe
from dashboard.i18n import catalogue, fmt_int, fmt_pct, t
from dashboard.settings import SETTINGS, defaults
from dashboard.workspace import Workspace
from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")
PAGE = "views/definitions.py"
WHEN = dt.datetime(2026, 5, 13, 9, 30)

CHANGED: dict[str, Any] = {
    "mql_score_threshold": 72.5,
    "sla_hours": 4.5,
    "give_up_days": 21,
    "attempt_types": ["call", "zalo"],
    "attempt_outbound_only": False,
    "connect_outcomes": ["connected", "nghe máy"],
    "cohort_basis": "mql",
    "currency": "USD",
    "timezone": "Asia/Ho_Chi_Minh",
    "date_order": "dmy",
    "decimal": ",",
    "personal_data": "drop",
}


def _log(n: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "changed_at": dt.datetime(2026, 5, 12, 14, 3) - dt.timedelta(days=i),
            "key": "sla_hours",
            "old_value": "24.0",
            "new_value": "4.5",
            "author": f"Ngọc <b>{i}</b>",
            "reason": f"agreed in review #{i}",
        }
        for i in range(n)
    ]


# ----------------------------------------------------------------------------- agreement
@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("build", [agreement.agreement_markdown, agreement.agreement_html])
def test_agreement_states_every_current_setting_value_and_signature_lines(build, lang) -> None:
    settings = {**defaults(), **CHANGED}
    text = build(settings, _log(), lang, "acme.duckdb", WHEN)
    escape = html.escape if build is agreement.agreement_html else (lambda s: s)
    # in Markdown a setting's value is escaped text (the stored record is a code span)
    as_text = html.escape if build is agreement.agreement_html else safe.md_text
    for s in SETTINGS:
        value = settings[s.key]
        # the record of every stored value, as `handoff settings` writes it
        if s.kind == "list":
            raw = ", ".join(value)
        elif s.kind == "bool":
            raw = str(value).lower()
        elif s.kind in ("int", "float"):
            raw = agreement.format_value(s.key, value, "en")
        else:
            raw = f'"{value}"' if value in ("", ".", ",") else value
        assert escape(f"{s.key} = {raw}") in text, (s.key, raw)
        # and the definitions in plain words, in the reader's language
        if s.group != "review":
            shown = agreement.format_value(s.key, value, lang)
            assert as_text(shown) in text, (s.key, shown)
    # numbers follow the language
    assert ("4,5" if lang == "vi" else "4.5") in text
    assert ("72,5" if lang == "vi" else "72.5") in text
    for key in (
        "doc_title",
        "doc_signatures",
        "sign_marketing",
        "sign_sales",
        "sign_name",
        "sign_signature",
        "sign_date",
    ):
        assert escape(t(f"definitions.{key}", lang)) in text, key
    assert as_text("acme.duckdb") in text


def test_signature_lines_are_in_each_language() -> None:
    en = agreement.agreement_markdown(defaults(), [], "en", "w", WHEN)
    vi = agreement.agreement_markdown(defaults(), [], "vi", "w", WHEN)
    assert "For Marketing" in en and "For Sales" in en and "Signature" in en
    assert "Đại diện Marketing" in vi and "Đại diện Sales" in vi and "Chữ ký" in vi
    assert "Marketing" in en and "13 May 2026" in en and "13/05/2026" in vi


def test_agreement_lists_recent_changes_newest_first_with_who_and_why() -> None:
    log = _log(agreement.RECENT_CHANGES + 3)
    md = agreement.agreement_markdown(defaults(), log, "en", "w", WHEN)
    # who and why were typed by a person: the Markdown holds them as escaped text
    assert safe.md_text("agreed in review #0") in md
    assert safe.md_text(f"agreed in review #{agreement.RECENT_CHANGES - 1}") in md
    assert safe.md_text(f"agreed in review #{agreement.RECENT_CHANGES}") not in md
    assert md.index("#0") < md.index("#1")
    assert f"{safe.md_text('Handoff SLA (hours)')}**: 24 → {safe.md_text('4.5')}" in md
    empty = agreement.agreement_markdown(defaults(), [], "vi", "w", WHEN)
    assert t("definitions.doc_no_changes", "vi") in empty


def test_agreement_html_is_self_contained_and_printable_on_a4() -> None:
    page = agreement.agreement_html({**defaults(), **CHANGED}, _log(3), "vi", "w", WHEN)
    links = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", page, flags=re.I)
    assert not [u for u in links if u.lower().startswith(("http://", "https://", "//"))]
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page.lower() and "@import" not in page and "url(" not in page
    assert "@page" in page and "A4" in page
    assert '<html lang="vi">' in page and '<meta charset="utf-8">' in page
    # what people typed is shown, never interpreted as markup
    assert "<b>0</b>" not in page and "Ngọc &lt;b&gt;0&lt;/b&gt;" in page


def test_every_setting_has_a_name_and_meaning_in_both_languages() -> None:
    messages = catalogue()
    for s in SETTINGS:
        for prefix in ("label", "desc"):
            key = f"definitions.{prefix}_{s.key}"
            assert key in messages, key
        for choice in s.choices:
            label = agreement.choice_label(s.key, choice, "vi")
            assert label not in (choice, "–"), (s.key, choice)


# ----------------------------------------------------------------------------- command line
def test_cli_agreement_prints_markdown_and_writes_html(run, sample_copy, tmp_path) -> None:
    r = run(
        "settings", "-w", sample_copy, "--set", "sla_hours=6", "--author", "Lan", "--reason", "R1"
    )
    assert r.code == 0, r.err
    r = run("agreement", "-w", sample_copy)
    assert r.code == 0, r.err
    assert r.out.startswith("# Lead definition agreement")
    assert "**6 hours**" in r.out and "by Lan: R1" in r.out
    out = tmp_path / "agreement.html"
    r = run("agreement", "-w", sample_copy, "--lang", "vi", "--format", "html", "--out", out)
    assert r.code == 0, r.err
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "<strong>6 giờ</strong>" in page and "Đại diện Marketing" in page
    assert "https://" not in page


def test_cli_agreement_without_a_workspace_says_how_to_make_one(run, tmp_path) -> None:
    r = run("agreement", "-w", tmp_path / "none.duckdb")
    assert r.code == 2
    assert "no workspace" in r.err and "handoff demo" in r.err


# ----------------------------------------------------------------------------- page
def _page(monkeypatch: pytest.MonkeyPatch, workspace: Path, lang: str = "en") -> AppTest:
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(workspace))
    from dashboard import ui

    ui.clear_caches()
    at = AppTest.from_file(APP, default_timeout=120)
    if lang != "en":
        at.query_params["lang"] = lang
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _run(workspace: Path, name: str, overrides: dict[str, Any] | None = None) -> dict:
    """The metric's headline row, run on the stored settings with ``overrides`` on top."""
    with Workspace(workspace, read_only=True) as ws:
        stored = ws.settings()
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        settings = metrics.resolve_settings(stored, overrides)
        frame = metrics.run(con, name, settings=settings).frame
    finally:
        con.close()
    if "owner" in frame.columns:
        frame = frame.filter(frame["owner"] == "(all)")
    return frame.row(0, named=True)


def _impact(at: AppTest, lang: str = "en") -> dict[str, list[str]]:
    """The impact table on the page: headline label → the other cells."""
    for md in at.markdown:
        if md.value.startswith("| " + t("definitions.col_number", lang)):
            rows = md.value.splitlines()[2:]
            cells = [[c.strip() for c in r.strip().strip("|").split("|")] for r in rows]
            return {c[0]: c[1:] for c in cells}
    raise AssertionError("no impact table on the page")


def _settings_log(workspace: Path) -> list[tuple]:
    con = duckdb.connect(str(workspace), read_only=True)
    try:
        return con.execute(
            "SELECT key, old_value, new_value, author, reason FROM settings_log"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_page_shows_every_setting_and_the_headline_numbers_of_the_metrics(
    monkeypatch, sample_workspace, lang
) -> None:
    at = _page(monkeypatch, sample_workspace, lang)
    assert at.title[0].value == t("pages.definitions", lang)
    labels = (
        [w.label for w in at.number_input]
        + [w.label for w in at.multiselect]
        + [w.label for w in at.selectbox]
        + [w.label for w in at.toggle]
    )
    for s in SETTINGS:
        assert agreement.setting_label(s.key, lang) in labels, s.key
    impact = _impact(at, lang)
    overview = _run(sample_workspace, "overview")
    followup = _run(sample_workspace, "followup_by_owner")
    assert impact[t("definitions.imp_mqls", lang)] == [fmt_int(overview["mqls"], lang)]
    assert impact[t("definitions.imp_sla_compliance_rate", lang)] == [
        fmt_pct(followup["sla_compliance_rate"], lang)
    ]
    # the glossary: shared definitions and an entry per metric
    expanders = [e.label for e in at.expander]
    assert t("definitions.glossary_shared", lang) in expanders
    assert any("`handoff`" in label for label in expanders)


def test_proposing_a_change_shows_the_metrics_under_the_proposal(
    monkeypatch, sample_workspace
) -> None:
    at = _page(monkeypatch, sample_workspace)
    at.number_input(key="def_sla_hours").set_value(2.0).run()
    assert not at.exception, [e.message for e in at.exception]
    impact = _impact(at)
    now_f = _run(sample_workspace, "followup_by_owner")
    then_f = _run(sample_workspace, "followup_by_owner", {"sla_hours": 2.0})
    then_h = _run(sample_workspace, "handoff", {"sla_hours": 2.0})
    now_h = _run(sample_workspace, "handoff")
    sla = impact["SLA compliance"]
    assert sla[0] == fmt_pct(now_f["sla_compliance_rate"])
    assert sla[1] == fmt_pct(then_f["sla_compliance_rate"])
    assert then_f["sla_compliance_rate"] < now_f["sla_compliance_rate"]
    assert sla[2].startswith(":orange[▼")
    pending = impact["Pending past the SLA"]
    assert pending[1] == fmt_int(then_h["pending_past_sla"])
    assert then_h["pending_past_sla"] > now_h["pending_past_sla"]
    assert pending[2].startswith(":blue[▲")
    assert impact["MQLs"][2] == ":gray[=]"
    # nothing is saved by proposing
    assert _settings_log(sample_workspace) == []


def test_saving_with_author_and_reason_stores_and_logs_the_change(monkeypatch, sample_copy) -> None:
    at = _page(monkeypatch, sample_copy)
    at.number_input(key="def_sla_hours").set_value(4.0).run()
    at.multiselect(key="def_attempt_types").set_value(["call", "zalo"]).run()
    at.text_input(key="def_author").input("Minh Anh").run()
    at.text_input(key="def_reason").input("Agreed in the May review").run()
    at.button(key="def_save").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("Minh Anh" in s.value for s in at.success)
    rows = sorted(_settings_log(sample_copy))
    assert rows == [
        (
            "attempt_types",
            defaults_json("attempt_types"),
            '["call", "zalo"]',
            "Minh Anh",
            "Agreed in the May review",
        ),
        ("sla_hours", "24.0", "4.0", "Minh Anh", "Agreed in the May review"),
    ]
    with Workspace(sample_copy, read_only=True) as ws:
        assert ws.settings()["sla_hours"] == 4.0
    # the page now shows the new value as the saved one, the log and a cleared form
    assert at.number_input(key="def_sla_hours").value == 4.0
    assert at.text_input(key="def_author").value == ""
    assert any(df.value.shape[0] == 2 for df in at.dataframe)
    impact = _impact(at)
    assert impact["SLA compliance"] == [
        fmt_pct(_run(sample_copy, "followup_by_owner")["sla_compliance_rate"])
    ]


def defaults_json(key: str) -> str:
    """A default value as the settings log stores it."""
    import json

    return json.dumps(defaults()[key])


def test_saving_without_an_author_is_refused(monkeypatch, sample_copy) -> None:
    at = _page(monkeypatch, sample_copy)
    at.number_input(key="def_sla_hours").set_value(4.0).run()
    at.text_input(key="def_reason").input("faster").run()
    at.button(key="def_save").click().run()
    assert [e.value for e in at.error] == [t("definitions.need_author", "en")]
    assert _settings_log(sample_copy) == []
    with Workspace(sample_copy, read_only=True) as ws:
        assert ws.settings()["sla_hours"] == 24.0
    # the proposal is kept so the user can add a name and save
    assert at.number_input(key="def_sla_hours").value == 4.0


def test_saving_without_a_reason_or_with_an_invalid_value_is_refused(
    monkeypatch, sample_copy
) -> None:
    at = _page(monkeypatch, sample_copy)
    at.number_input(key="def_give_up_days").set_value(7).run()
    at.text_input(key="def_author").input("Huy").run()
    at.button(key="def_save").click().run()
    assert t("definitions.need_reason", "en") in [e.value for e in at.error]
    at.text_input(key="def_reason").input("shorter").run()
    at.multiselect(key="def_connect_outcomes").set_value([]).run()
    empty = t("definitions.empty_list", "en", setting="Outcomes that count as a connect")
    assert empty in [e.value for e in at.error]
    at.button(key="def_save").click().run()
    assert any(e.value.startswith("Not saved, nothing changed") for e in at.error)
    assert _settings_log(sample_copy) == []


def test_page_says_what_to_upload_when_only_leads_are_loaded(
    monkeypatch, tmp_path, run, write
) -> None:
    ws = tmp_path / "leads-only.duckdb"
    r = run("load", write("leads.csv", "lead_id,created_at,source\nA,2026-01-01,Web\n"), "-w", ws)
    assert r.code == 0, r.err
    at = _page(monkeypatch, ws)
    texts = [m.value for m in at.markdown]
    assert any(t("common.needs_title", "en") in x for x in texts)
    # the settings can still be read and changed
    assert at.number_input(key="def_sla_hours").value == 24.0


def test_a_threshold_proposed_on_the_scoring_page_arrives_unsaved_with_its_reason(
    monkeypatch, sample_copy
) -> None:
    from streamlit.testing.v1 import AppTest

    from tests.conftest import REPO

    monkeypatch.setenv("HANDOFF_WORKSPACE", str(sample_copy))
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    at.session_state["proposed_mql_score_threshold"] = 45.0
    at.session_state["proposed_mql_score_threshold_reason"] = "keeps 95% of won revenue"
    at.switch_page("views/definitions.py")
    at.run()
    assert not at.exception
    assert at.text_input(key="def_reason").value == "keeps 95% of won revenue"
    shown = [n.value for n in at.number_input if n.value == 45.0]
    assert shown, "the proposed threshold is in the MQL threshold input"
    import duckdb

    con = duckdb.connect(str(sample_copy), read_only=True)
    try:
        assert not con.execute("select * from settings_log").fetchall(), "nothing saved"
    finally:
        con.close()


def test_a_threshold_that_changes_nothing_says_so_instead_of_a_column_of_equals(
    monkeypatch, sample_workspace
) -> None:
    # before: on the demo (MQL dates from the CRM) a new MQL threshold showed every headline
    # number with "=" beside it, and no word of why
    at = _page(monkeypatch, sample_workspace)
    at.number_input(key="def_mql_score_threshold").set_value(51.0).run()
    assert not at.exception, [e.message for e in at.exception]
    notes = " ".join(i.value for i in at.info)
    assert t("definitions.nothing_changes", "en") in notes
    assert t("definitions.threshold_unused", "en") in notes
    impact = _impact(at)
    # the numbers as they are, with no proposed or change column
    overview = _run(sample_workspace, "overview")
    assert impact[t("definitions.imp_mqls", "en")] == [fmt_int(overview["mqls"])]
    assert not any(":gray[=]" in cell for cells in impact.values() for cell in cells)
