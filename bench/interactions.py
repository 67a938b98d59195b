"""Interaction budget: what a person clicking through the dashboard waits for.

Called by ``bench/run.py`` as its ``interactions`` phase (a process of its own), on the
workspace the run loaded. It measures, with the stored settings unless said otherwise:

- **lead lists**: ``lead_list`` as the dashboard asks for it after a click: one page of
  ``ui.LEAD_PAGE`` leads of a selection with the count of all of them (``ui.pick``), on
  its first and a later page; and the full list of a selection, as a download makes it;
- **overrides**: a metric run with one setting overridden (``--set``, the settings page's
  "then" figures), per setting, and which parts of the staging cache it could still read;
- **dashboard**: the app's first page run cold (Streamlit's ``AppTest``: the script, the
  sidebar, every figure of the page) as the first viewer of a server that has started
  sees it: every Streamlit cache empty and the workspace not yet open, in a process that
  has imported the app (the very first run, imports included, is reported beside it); a
  switch to another page and the switch back to the first (its figures read from the
  metric cache); and the same through the metric cache alone (``ui_metrics``, no
  rendering).

Targets (the issue's interaction budget): a page of a lead list < 0.5 s, an override
< 2 s, the first page < 1 s, a cached page switch < 300 ms. It measures; it asserts
nothing.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_LEAD_PAGE_S = 0.5
TARGET_OVERRIDE_S = 2.0
TARGET_FIRST_PAGE_S = 1.0
TARGET_SWITCH_S = 0.3
# one changed value per setting the staging reads (the same as tests/test_cache_overrides)
OVERRIDES: dict[str, Any] = {
    "mql_score_threshold": 75,
    "sla_hours": 2,
    "give_up_days": 3,
    "attempt_types": ["call"],
    "attempt_outbound_only": False,
    "inbound_counts_as_contact": False,
    "connect_outcomes": ["connected"],
    "cohort_basis": "mql",
    "currency": "USD",
    "timezone": "Asia/Ho_Chi_Minh",
}
# metrics timed with each override: the first page's headline and the follow-up figures
OVERRIDE_METRICS = ("overview", "followup")
# the page a cached switch goes to and back from
OTHER_PAGE = "views/followup.py"


def _stats(samples: list[float]) -> dict[str, float | int]:
    return {
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "max_s": max(samples),
        "runs": len(samples),
    }


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, dict[str, float | int], Any]:
    """One untimed-as-median first call, then ``runs`` timed calls: (first s, stats, last)."""
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return first, _stats(times), out


def lead_lists(con: Any, settings: dict[str, Any], runs: int) -> dict[str, Any]:
    """A page of each kind of clicked selection, a later page, and the full list."""
    from dashboard import metrics
    from dashboard.ui_tables import LEAD_PAGE, pick

    source = con.execute(
        "select source from leads where source is not null group by source "
        "order by count(*) desc, source limit 1"
    ).fetchall()[0][0]
    selections = {
        "every lead (the funnel's first stage)": pick(),
        "won leads": pick("won"),
        "one source's opportunities": pick("opportunity", source=source),
        "judged leads of a score band": pick("judged", score_band="80-100"),
        "handed off, 10+ attempts": pick("handed_off", attempts=(10, None)),
    }
    out: dict[str, Any] = {"page_size": LEAD_PAGE, "selections": {}}
    for label, chosen in selections.items():
        entry: dict[str, Any] = {}
        for page in (1, 3):
            params = {**chosen, "page_size": LEAD_PAGE, "page_offset": (page - 1) * LEAD_PAGE}
            first, stats, res = _timed(
                lambda p=params: metrics.run(
                    con, "lead_list", settings=settings, parameters=p, with_total=True
                ),
                runs,
            )
            entry[f"page_{page}"] = {**stats, "first_s": first}
            entry["total"] = res.total
        first, stats, res = _timed(
            lambda c=chosen: metrics.run(con, "lead_list", settings=settings, parameters=c),
            max(1, runs // 2),
        )
        entry["full_list"] = {**stats, "first_s": first, "rows": res.frame.height}
        out["selections"][label] = entry
    # the handoff page's list: every lead waiting past the SLA (not paged: sorted by wait)
    first, stats, res = _timed(
        lambda: metrics.run(
            con, "lead_list", settings=settings, parameters=pick("pending_past_sla")
        ),
        runs,
    )
    out["pending_past_sla"] = {**stats, "first_s": first, "rows": res.frame.height}
    return out


def overrides(con: Any, stored: dict[str, Any], runs: int) -> dict[str, Any]:
    """Each setting overridden for one call: the metric times and the cache parts read."""
    from dashboard import metrics

    out: dict[str, Any] = {}
    key = metrics._meta(con, "staging_cache")
    for setting, value in OVERRIDES.items():
        settings = metrics.resolve_settings(stored, {setting: value})
        values = metrics.session_values(con, settings, metrics.Filters(), None)
        entry: dict[str, Any] = {
            "value": value,
            "cached_parts": sorted(metrics.cached_parts(key, values)),
            "metrics": {},
        }
        for name in OVERRIDE_METRICS:
            first, stats, _ = _timed(
                lambda n=name, s=settings: metrics.run(con, n, settings=s), runs
            )
            entry["metrics"][name] = {**stats, "first_s": first}
        entry["worst_median_s"] = max(m["median_s"] for m in entry["metrics"].values())
        out[setting] = entry
    return out


def metric_cache(workspace: Path, runs: int) -> dict[str, Any]:
    """The first page's figures through the pages' metric cache: cold, then cached."""
    from dashboard import metrics, shared_reader, ui_metrics
    from dashboard.workspace import Workspace

    first_page = (("overview", None), ("funnel", None), ("funnel", "source"))
    with Workspace(workspace, read_only=True) as ws:
        version = ws.version

    def page() -> None:
        for name, by in first_page:
            ui_metrics._run(str(workspace), version, name, metrics.Filters().key(), by, (), ())

    cold, cached = [], []
    for _ in range(runs):
        ui_metrics.clear_caches()
        shared_reader.close()
        t0 = time.perf_counter()
        page()
        cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        page()
        cached.append(time.perf_counter() - t0)
    return {
        "metrics": [n + (f" by {b}" if b else "") for n, b in first_page],
        "cold": _stats(cold),
        "cached": _stats(cached),
    }


def app(workspace: Path, runs: int) -> dict[str, Any]:
    """The app in Streamlit's AppTest: the first page cold, a switch away and back."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard import shared_reader
    from dashboard.pages import SECTIONS

    # the page "/" opens (the first of the menu)
    first_file = "views/" + next(iter(SECTIONS.values()))[0][0]
    root = Path(__file__).resolve().parent.parent
    cold, away, back = [], [], []
    errors: list[str] = []
    # the very first run imports the app's modules (once per server)
    at = AppTest.from_file(str(root / "dashboard" / "app.py"), default_timeout=600)
    t0 = time.perf_counter()
    at.run()
    first_with_imports = time.perf_counter() - t0
    for _ in range(runs):
        # a server that has served no one: no cached figure, the workspace not yet open
        st.cache_data.clear()
        shared_reader.close()
        at = AppTest.from_file(str(root / "dashboard" / "app.py"), default_timeout=600)
        t0 = time.perf_counter()
        at.run()
        cold.append(time.perf_counter() - t0)
        first_page = at.title[0].value if at.title else ""
        at.switch_page(OTHER_PAGE)
        t0 = time.perf_counter()
        at.run()
        away.append(time.perf_counter() - t0)
        at.switch_page(first_file)
        t0 = time.perf_counter()
        at.run()
        back.append(time.perf_counter() - t0)
        errors += [e.message for e in at.exception]
    return {
        "first_page": first_file,
        "first_page_title": first_page,
        "first_page_cold": _stats(cold),
        "first_run_with_imports_s": first_with_imports,
        "switch_to_other_cold": _stats(away),
        "other_page": OTHER_PAGE,
        "switch_back_cached": _stats(back),
        "errors": errors[:3],
    }


def phase_interactions(data: Path, runs: int) -> dict[str, Any]:
    """Every interaction measurement on the workspace in ``data``."""
    from dashboard import metrics
    from dashboard.workspace import Workspace

    workspace = data / "workspace.duckdb"
    # the workspace the pages' metric cache and the app open
    os.environ["HANDOFF_WORKSPACE"] = str(workspace)
    out: dict[str, Any] = {"loadavg_start": os.getloadavg()[0]}
    with Workspace(workspace, read_only=True) as ws:
        stored = ws.settings()
        settings = metrics.resolve_settings(stored, None)
        out["lead_lists"] = lead_lists(ws.con, settings, runs)
        out["overrides"] = overrides(ws.con, stored, runs)
    out["metric_cache"] = metric_cache(workspace, runs)
    try:
        out["app"] = app(workspace, max(1, min(runs, 3)))
    except Exception as exc:  # the app being reworked may fail; keep the other figures
        out["app"] = {"error": f"{type(exc).__name__}: {exc}"}
    out["loadavg_end"] = os.getloadavg()[0]
    # peak resident set size of this process, in MB (ru_maxrss is KiB on Linux)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return out


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def markdown(r: dict[str, Any]) -> str:
    """The interaction figures as Markdown tables, with each target met or not."""
    if not r or "error" in r:
        return f"Interactions: failed ({(r or {}).get('error', 'no result')})."
    lines = [
        f"Interactions (load average {r['loadavg_start']:.1f} at the start, "
        f"{r['loadavg_end']:.1f} at the end).",
        "",
        f"| lead list (page of {r['lead_lists']['page_size']}) | leads | page 1 s | page 3 s "
        f"| < {TARGET_LEAD_PAGE_S} s | full list s (download) |",
        "| --- | ---: | ---: | ---: | :---: | ---: |",
    ]
    for label, e in r["lead_lists"]["selections"].items():
        worst = max(e["page_1"]["median_s"], e["page_3"]["median_s"])
        lines.append(
            f"| {label} | {e['total']:,} | {e['page_1']['median_s']:.3f} | "
            f"{e['page_3']['median_s']:.3f} | {_yes(worst < TARGET_LEAD_PAGE_S)} | "
            f"{e['full_list']['median_s']:.3f} |"
        )
    p = r["lead_lists"]["pending_past_sla"]
    lines += [
        "",
        f"Pending past the SLA (the handoff page's list, {p['rows']:,} leads, not paged): "
        f"median {p['median_s']:.3f} s.",
        "",
        "| override (one call) | cache parts read | "
        + " | ".join(f"{m} s" for m in OVERRIDE_METRICS)
        + f" | < {TARGET_OVERRIDE_S:g} s |",
        "| --- | --- | " + " | ".join("---:" for _ in OVERRIDE_METRICS) + " | :---: |",
    ]
    for setting, e in r["overrides"].items():
        times = " | ".join(f"{e['metrics'][m]['median_s']:.3f}" for m in OVERRIDE_METRICS)
        parts = ", ".join(e["cached_parts"]) or "none"
        lines.append(
            f"| {setting} = {e['value']!r} | {parts} | {times} | "
            f"{_yes(e['worst_median_s'] < TARGET_OVERRIDE_S)} |"
        )
    mc = r["metric_cache"]
    lines += [
        "",
        f"Metric cache ({', '.join(mc['metrics'])}): cold {mc['cold']['median_s']:.3f} s, "
        f"cached {mc['cached']['median_s']:.3f} s.",
    ]
    a = r.get("app") or {}
    if "error" in a:
        lines.append(f"App (AppTest): failed ({a['error']}).")
    else:
        cold, back = a["first_page_cold"]["median_s"], a["switch_back_cached"]["median_s"]
        lines.append(
            f"App (AppTest, {a['first_page_cold']['runs']} runs): first page "
            f"({a['first_page_title']}) cold {cold:.3f} s "
            f"(< {TARGET_FIRST_PAGE_S:g} s: {_yes(cold < TARGET_FIRST_PAGE_S)}; the very first "
            f"run, imports included, {a.get('first_run_with_imports_s', float('nan')):.3f} s); "
            f"to {a['other_page']} {a['switch_to_other_cold']['median_s']:.3f} s; back, "
            f"cached, {back:.3f} s (< {TARGET_SWITCH_S * 1000:.0f} ms: "
            f"{_yes(back < TARGET_SWITCH_S)})"
            + (f"; errors: {a['errors']}" if a.get("errors") else "")
            + "."
        )
    return "\n".join(lines)
