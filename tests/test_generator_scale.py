"""The generator's ``deals_per_lead`` knob (benchmark scale: ~0.3 deals per lead)."""

from __future__ import annotations

import polars as pl
import pytest

from sample_data.generate import generate

N = 5_000


@pytest.fixture(scope="module")
def natural() -> dict[str, pl.DataFrame]:
    return generate(N, seed=3)


@pytest.fixture(scope="module")
def more() -> dict[str, pl.DataFrame]:
    return generate(N, seed=3, deals_per_lead=0.3)


def test_reaches_the_requested_rate(natural, more):
    assert natural["deals"].height < 0.12 * N
    assert 0.27 * N <= more["deals"].height <= 0.33 * N


def test_extra_deals_close_won_or_lost_like_pipeline_deals(more):
    deals = more["deals"]
    assert deals["is_won"].sum() > 0
    assert (deals["is_closed"] & ~deals["is_won"]).sum() > 0
    assert (deals["closed_at"].is_null() == ~deals["is_closed"]).all()
    closed = deals.filter(pl.col("closed_at").is_not_null())
    assert (closed["closed_at"] >= closed["created_at"]).all()


def test_extra_deals_are_on_handed_off_leads(natural, more):
    handed_off = more["leads"].filter(pl.col("handed_off_at").is_not_null())["lead_id"]
    new_leads = set(more["deals"]["lead_id"].drop_nulls()) - set(
        natural["deals"]["lead_id"].drop_nulls()
    )
    assert new_leads and new_leads <= set(handed_off)


def test_leads_and_planted_deals_do_not_move(natural, more):
    # only the status (a deal decides it) may change
    assert natural["leads"].drop("status").equals(more["leads"].drop("status"))
    assert natural["spend"].equals(more["spend"])


def test_none_is_the_default(natural):
    assert generate(N, seed=3, deals_per_lead=None)["deals"].equals(natural["deals"])


def test_extra_deals_get_activities(natural, more):
    assert more["activities"].height > natural["activities"].height


def test_negative_is_rejected():
    with pytest.raises(ValueError):
        generate(100, deals_per_lead=-1)
