"""Public real datasets (../shared/real_data) load with the mapping files kept in tests/mappings.

Each figure is computed independently with plain Polars straight from the raw file.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dashboard import metrics
from dashboard.errors import HandoffError
from dashboard.ingest.mapping import load_mapping
from dashboard.workspace import Workspace
from tests.conftest import MAPPINGS, REAL_DATA

pytestmark = pytest.mark.skipif(
    not REAL_DATA.exists(), reason="../shared/real_data is not beside the checkout"
)

OLIST = REAL_DATA / "olist_marketing_funnel"
MAVEN = REAL_DATA / "maven_crm_sales_opportunities"
XED = REAL_DATA / "x_education_leads"


def test_olist_mqls_and_closed_deals(ws_path: Path) -> None:
    mqls = pl.read_csv(OLIST / "olist_marketing_qualified_leads_dataset.csv")
    deals = pl.read_csv(OLIST / "olist_closed_deals_dataset.csv")
    with Workspace(ws_path) as ws:
        ws.load(
            [
                OLIST / "olist_marketing_qualified_leads_dataset.csv",
                OLIST / "olist_closed_deals_dataset.csv",
            ],
            mapping=load_mapping(MAPPINGS / "olist.toml"),
        )
        assert ws.counts()["leads"] == mqls.height == 8000
        assert ws.counts()["deals"] == deals.height == 842
        by_source = dict(ws.query("SELECT source, count(*) FROM leads GROUP BY 1").rows())
        expected = dict(mqls.group_by("origin").len().rows())
        # an empty origin is stored as an empty source
        assert by_source == expected
        won_by_source = dict(
            ws.query(
                "SELECT l.source, count(*) FROM deals d JOIN leads l USING (lead_id) "
                "WHERE d.is_won GROUP BY 1"
            ).rows()
        )
        joined = deals.join(mqls, on="mql_id").group_by("origin").len()
        assert won_by_source == dict(joined.rows())
        # one data-health finding, worked from the raw files: a deal won (won_date) before
        # its MQL's first contact date
        won_at = deals.select("mql_id", pl.col("won_date").str.to_datetime())
        contact = mqls.select("mql_id", pl.col("first_contact_date").str.to_datetime("%Y-%m-%d"))
        early = won_at.join(contact, on="mql_id").filter(
            pl.col("won_date") < pl.col("first_contact_date")
        )
        messages = ws.warnings()["message"].to_list()
        assert messages == [
            f"{early.height} won deals were won before their lead was created "
            f"(e.g. deal_id {early['mql_id'].sort()[0]})"
        ]
        # Olist has no deal amounts: won revenue is unknown, not 0
        overview = metrics.run(
            ws.con, "overview", settings=metrics.resolve_settings(ws.settings(), None)
        ).frame
        assert overview["won_deals"].to_list() == [deals.height]
        assert overview["won_revenue"].to_list() == [None]
        first = ws.query("SELECT min(created_at) AS a, max(created_at) AS b FROM leads").row(0)
    assert str(first[0].date()) == mqls["first_contact_date"].min()
    assert str(first[1].date()) == mqls["first_contact_date"].max()


def test_maven_pipeline_without_the_date_option_names_the_rows_without_a_date(
    ws_path: Path, tmp_path: Path
) -> None:
    text = (MAPPINGS / "maven.toml").read_text(encoding="utf-8")
    strict = tmp_path / "maven_strict.toml"
    strict.write_text(text.replace('missing_created_at = "2017-12-31"\n', ""), encoding="utf-8")
    raw = pl.read_csv(MAVEN / "sales_pipeline.csv", infer_schema=False)
    with Workspace(ws_path) as ws:
        with pytest.raises(HandoffError) as info:
            ws.load([MAVEN / "sales_pipeline.csv"], mapping=load_mapping(strict))
        text = info.value.render()
        missing = raw.with_row_index().filter(pl.col("engage_date").is_null())
        assert f"is empty on {missing.height} rows" in text
        assert f"row {missing['index'][0] + 2}: (empty)" in text
        assert ws.counts()["deals"] == 0


def test_maven_pipeline_loads_and_gives_deal_figures_per_agent(ws_path: Path) -> None:
    raw = pl.read_csv(MAVEN / "sales_pipeline.csv", infer_schema=False)
    with Workspace(ws_path) as ws:
        report = ws.load(
            [MAVEN / "sales_pipeline.csv"], mapping=load_mapping(MAPPINGS / "maven.toml")
        )
        assert ws.counts()["deals"] == raw.height == 8800
        undated = raw.filter(pl.col("engage_date").is_null()).height
        (dated,) = [w for w in report.warnings if "have no created date" in w.message]
        assert dated.count == undated == 500
        assert "2017-12-31" in dated.message
        settings = metrics.resolve_settings(ws.settings(), {"currency": "USD"})
        got = metrics.run(ws.con, "unlinked_deals", settings=settings).frame
    # worked from the raw file: stage Won / Lost is closed, close_value the amount
    value = pl.col("close_value").cast(pl.Float64)
    expected = (
        raw.group_by(pl.col("sales_agent").alias("owner"))
        .agg(
            pl.len().alias("deals"),
            pl.col("deal_stage").is_in(["Won", "Lost"]).sum().alias("closed_deals"),
            (pl.col("deal_stage") == "Won").sum().alias("won_deals"),
            value.filter(pl.col("deal_stage") == "Won").sum().alias("won_revenue"),
            value.filter(~pl.col("deal_stage").is_in(["Won", "Lost"])).sum().alias("open"),
        )
        .sort("owner")
    )
    got = got.sort("owner")
    assert got["owner"].to_list() == expected["owner"].to_list()
    assert got["deals"].to_list() == expected["deals"].to_list()
    assert got["closed_deals"].to_list() == expected["closed_deals"].to_list()
    assert got["won_deals"].to_list() == expected["won_deals"].to_list()
    assert got["won_revenue"].to_list() == expected["won_revenue"].to_list()
    assert got["open_pipeline"].to_list() == expected["open"].to_list()
    rates = (expected["won_deals"] / expected["closed_deals"]).to_list()
    assert got["win_rate"].to_list() == pytest.approx(rates)
    assert int(got["won_deals"].sum()) == 4238


def test_x_education_loads_with_the_load_date_and_its_score(ws_path: Path) -> None:
    raw = pl.read_csv(XED / "Leads.csv", infer_schema=False)
    with Workspace(ws_path) as ws:
        report = ws.load([XED / "Leads.csv"], mapping=load_mapping(MAPPINGS / "x_education.toml"))
        assert ws.counts()["leads"] == raw.height == 9240
        (dated,) = [w for w in report.warnings if "have no created date" in w.message]
        assert dated.count == 9240
        assert "given the load date" in dated.message
        days = ws.query("SELECT DISTINCT created_at::date AS d FROM leads")["d"].to_list()
        assert len(days) == 1
        stored = dict(ws.query("SELECT source, count(*) FROM leads GROUP BY 1").rows())
        scores = ws.query("SELECT lead_id, lead_score FROM leads WHERE lead_score IS NOT NULL")
        calibration = metrics.run(
            ws.con, "score_calibration", settings=metrics.resolve_settings(ws.settings(), None)
        ).frame
    assert stored == dict(raw.group_by("Lead Source").len().rows())
    expected_scores = raw.select(
        pl.col("Prospect ID").alias("lead_id"),
        pl.col("Asymmetrique Activity Score").cast(pl.Float64).alias("lead_score"),
    ).drop_nulls()
    assert scores.sort("lead_id").rows() == expected_scores.sort("lead_id").rows()
    assert int(calibration["leads"].sum()) == expected_scores.height == 5022
    assert calibration["unscored_leads"].to_list() == [9240 - 5022] * 10


def test_x_education_without_the_date_option_says_what_is_missing(
    ws_path: Path, tmp_path: Path
) -> None:
    text = (MAPPINGS / "x_education.toml").read_text(encoding="utf-8")
    strict = tmp_path / "x_strict.toml"
    strict.write_text(text.replace('missing_created_at = "load_date"\n', ""), encoding="utf-8")
    with Workspace(ws_path) as ws:
        with pytest.raises(HandoffError, match="no created_at column"):
            ws.load([XED / "Leads.csv"], mapping=load_mapping(strict))
        assert ws.counts()["leads"] == 0
