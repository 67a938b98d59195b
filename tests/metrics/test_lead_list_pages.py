"""``lead_list`` computes the leads behind a clicked number and one page of them in its SQL.

Each selection a page can ask for (``ui.pick``) must give exactly the reference list
(``tests/reference/lead_list.py``) narrowed by the same rule written here in Polars, in
the same order; the pages, put together, must give that list, and the count must be its
length. Without a selection or a page the list is the whole reference list.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dashboard import metrics
from dashboard.ui_tables import pick
from tests.builders import frame, workspace_from_frames
from tests.metrics._frames import assert_same_frame
from tests.reference.base import tables_from_workspace
from tests.reference.lead_list import lead_list

SETTINGS = metrics.resolve_settings({}, None)
STRIPPED = pl.col("rejection_reason").str.strip_chars(" ")
NO_REASON = STRIPPED.is_null() | (STRIPPED == "")


def _first(ref: pl.DataFrame, column: str) -> str:
    return ref.filter(pl.col(column).is_not_null())[column].mode().sort()[0]


def _cases(ref: pl.DataFrame) -> list[tuple[str, dict, pl.Expr]]:
    """(name, selection, the same selection in Polars) for every kind of click on a page."""
    src = _first(ref, "source")
    reason = _first(ref.filter(pl.col("is_rejected")), "rejection_reason").strip(" ")
    owner = _first(ref, "owner")
    judged = pl.col("sales_verdict").is_in(["accepted", "rejected"])
    return [
        ("every lead", pick(), pl.lit(True)),
        *[(f"stage {f}", pick(f), pl.col(f"is_{f}")) for f in ("mql", "sql", "won")],
        (
            "source and stage",
            pick("opportunity", source=src),
            pl.col("is_opportunity") & (pl.col("source") == src),
        ),
        ("no source", pick(source=None), pl.col("source").is_null()),
        (
            "matrix cell",
            pick(marketing_verdict="MQL", sales_verdict="rejected"),
            (pl.col("marketing_verdict") == "MQL") & (pl.col("sales_verdict") == "rejected"),
        ),
        (
            "disagreements of a source",
            pick("disagreeing", source=src),
            (pl.col("source") == src)
            & (
                (pl.col("is_mql") & (pl.col("sales_verdict") == "rejected"))
                | (~pl.col("is_mql") & (pl.col("sales_verdict") == "accepted"))
            ),
        ),
        (
            "a rejection reason",
            pick("rejected", "handed_off", source=src, rejection_reason=reason),
            pl.col("is_rejected")
            & pl.col("is_handed_off")
            & (pl.col("source") == src)
            & STRIPPED.eq(reason),
        ),
        (
            "no rejection reason",
            pick("rejected", rejection_reason=None),
            pl.col("is_rejected") & NO_REASON,
        ),
        ("score range", pick(score=(40, 59.5)), pl.col("lead_score").is_between(40, 59.5)),
        (
            "judged score band",
            pick("judged", score_band="80-100"),
            judged & (pl.col("score_band") == "80-100"),
        ),
        (
            "speed bucket",
            pick("handed_off", speed_bucket="< 1 h"),
            pl.col("is_handed_off") & (pl.col("speed_bucket") == "< 1 h"),
        ),
        (
            "attempts 10+",
            pick("handed_off", attempts=(10, None)),
            pl.col("is_handed_off") & (pl.col("n_attempts") >= 10),
        ),
        (
            "two attempts of a rep",
            pick("handed_off", attempts=(2, 2), owner=owner),
            pl.col("is_handed_off") & (pl.col("n_attempts") == 2) & (pl.col("owner") == owner),
        ),
        ("pending past SLA", pick("pending_past_sla"), pl.col("is_pending_past_sla")),
    ]


@pytest.fixture(scope="module")
def ref(sample_workspace: Path) -> pl.DataFrame:
    return lead_list(tables_from_workspace(str(sample_workspace)), SETTINGS)


@pytest.fixture(scope="module")
def con(sample_workspace: Path):
    c = duckdb.connect(str(sample_workspace), read_only=True)
    yield c
    c.close()


def test_every_selection_gives_the_reference_leads_page_by_page(con, ref) -> None:
    for name, chosen, rule in _cases(ref):
        want = ref.filter(rule)
        every = metrics.run(con, "lead_list", settings=SETTINGS, parameters=chosen)
        assert_same_frame(every.frame, want)
        size = max(1, want.height // 3 + 1)  # three or four pages, the last one short
        pages = []
        for offset in range(0, want.height + size, size):
            page = metrics.run(
                con,
                "lead_list",
                settings=SETTINGS,
                parameters={**chosen, "page_size": size, "page_offset": offset},
                with_total=True,
            )
            assert page.total == want.height, name
            assert page.frame.height <= size, name
            pages.append(page.frame)
        assert_same_frame(pl.concat(pages), want)


def test_the_selections_are_not_empty_on_the_sample(ref) -> None:
    # a selection that lists nothing would pass the test above without testing it (the
    # sample has no lead without a source nor a rejection without a reason: the
    # hand-worked leads below have)
    empty = [n for n, _, rule in _cases(ref) if not ref.filter(rule).height]
    assert empty == ["no source", "no rejection reason"]


def test_no_source_and_a_blank_reason_are_selected_as_none(tmp_path: Path) -> None:
    t0 = dt.datetime(2025, 3, 1, 9, 0)
    rejected = {"mql_at": t0, "handed_off_at": t0, "owner": "An", "rejected_at": t0}
    leads = frame(
        "leads",
        [
            {"lead_id": "A", "created_at": t0, "source": "Web", **rejected},
            {"lead_id": "B", "created_at": t0, "rejection_reason": "  ", **rejected},
            {"lead_id": "C", "created_at": t0, "source": "Web", "rejection_reason": " Price "},
            {"lead_id": "D", "created_at": t0 + dt.timedelta(hours=1), **rejected},
        ],
    )
    path = workspace_from_frames(tmp_path / "w.duckdb", {"leads": leads})
    with duckdb.connect(str(path), read_only=True) as c:

        def ids(chosen: dict) -> list[str]:
            got = metrics.run(c, "lead_list", settings=SETTINGS, parameters=chosen).frame
            return got["lead_id"].to_list()

        assert ids(pick(source=None)) == ["B", "D"]
        assert ids(pick("rejected", rejection_reason=None)) == ["A", "B", "D"]
        assert ids(pick(rejection_reason="Price")) == ["C"]
        assert ids(pick("rejected", source="Web", rejection_reason=None)) == ["A"]


def test_a_selection_is_bound_never_written_into_the_sql(con, ref) -> None:
    hostile = "x' or 1=1 --"
    got = metrics.run(con, "lead_list", settings=SETTINGS, parameters=pick(source=hostile))
    assert got.frame.height == 0
    assert hostile not in got.sql


def test_pick_refuses_what_lead_list_cannot_select_by() -> None:
    with pytest.raises(ValueError):
        pick("lost")
    with pytest.raises(ValueError):
        pick(email="a@b.c")
    with pytest.raises(ValueError):
        pick(source="a", owner="b", campaign="c")
