"""Public real datasets (../shared/real_data) load with the mapping files kept in tests/mappings.

Each figure is computed independently with plain Polars straight from the raw file.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

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
        assert ws.warnings().height == 0
        first = ws.query("SELECT min(created_at) AS a, max(created_at) AS b FROM leads").row(0)
    assert str(first[0].date()) == mqls["first_contact_date"].min()
    assert str(first[1].date()) == mqls["first_contact_date"].max()


def test_maven_pipeline_names_the_rows_without_a_date_then_loads_once_fixed(
    ws_path: Path, tmp_path: Path
) -> None:
    mapping = load_mapping(MAPPINGS / "maven.toml")
    raw = pl.read_csv(MAVEN / "sales_pipeline.csv", infer_schema=False)
    with Workspace(ws_path) as ws:
        with pytest.raises(HandoffError) as info:
            ws.load([MAVEN / "sales_pipeline.csv"], mapping=mapping)
        text = info.value.render()
        missing = raw.with_row_index().filter(pl.col("engage_date").is_null())
        assert f"is empty on {missing.height} rows" in text
        assert f"row {missing['index'][0] + 2}: (empty)" in text
        assert ws.counts()["deals"] == 0

        # the fix the message gives: leave out deals that were never engaged
        engaged = raw.filter(pl.col("engage_date").is_not_null())
        fixed = tmp_path / "sales_pipeline.csv"
        engaged.write_csv(fixed)
        ws.load([fixed], mapping=mapping)
        stored = ws.query(
            "SELECT count(*) AS n, count(*) FILTER (WHERE is_won) AS won, "
            "sum(amount) FILTER (WHERE is_won) AS revenue FROM deals"
        ).row(0)
    won = engaged.filter(pl.col("deal_stage") == "Won")
    assert stored == (
        engaged.height,
        won.height,
        float(won["close_value"].cast(pl.Float64).sum()),
    )


def test_x_education_without_dates_says_what_is_missing(ws_path: Path, tmp_path: Path) -> None:
    with Workspace(ws_path) as ws:
        with pytest.raises(HandoffError, match="no created_at column"):
            ws.load([XED / "Leads.csv"], mapping=load_mapping(MAPPINGS / "x_education.toml"))
        # with the constant date the mapping file suggests, it loads as one cohort
        dated = tmp_path / "x_education_dated.toml"
        text = (MAPPINGS / "x_education.toml").read_text(encoding="utf-8")
        dated.write_text(
            text.replace("[leads]\n", '[leads]\ncreated_at = { value = "2019-01-01" }\n'),
            encoding="utf-8",
        )
        ws.load([XED / "Leads.csv"], mapping=load_mapping(dated))
        raw = pl.read_csv(XED / "Leads.csv", infer_schema=False)
        assert ws.counts()["leads"] == raw.height == 9240
        stored = dict(ws.query("SELECT source, count(*) FROM leads GROUP BY 1").rows())
    expected = dict(raw.group_by("Lead Source").len().rows())
    assert stored == expected
