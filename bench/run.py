"""Handoff benchmark: load time, every metric's latency, a DuckDB floor, pandas, memory.

Run from the repository root (``make bench`` runs it with the defaults)::

    .venv/bin/python bench/run.py                         # 1M leads, ~300k deals, ~10M activities
    .venv/bin/python bench/run.py --leads 50000 --runs 3  # a quick check
    .venv/bin/python bench/run.py --skip-load --skip-pandas   # metric timings only

Steps (see bench/README.md):

1. generate the sample data at the requested scale into ``--data`` (reused when the same
   scale is already there);
2. load the four files into a fresh workspace through the code path of ``handoff load``
   (``dashboard.cli.main``), timed (and the staging cache build inside it); and, in
   another process, DuckDB's own ``read_csv`` of the same files, for the ratio;
3. time the staging cache build alone (``metrics.build_cache`` in a transaction that is
   rolled back; built and committed first if the workspace has no current cache);
4. time ``metrics.run`` for every metric in the registry (median and min of ``--runs``)
   with the staging cache (the stored settings: what the dashboard and CLI do), also with
   ``--by source`` where the metric supports it, and with ``use_cache=False`` (what a
   ``--set`` override costs);
5. time the dashboard's first page: overview, funnel, funnel by source and funnel_cohort
   in one fresh connection, per run;
6. time a bare DuckDB floor for each group of tables a metric reads;
7. time a plain pandas implementation (``bench/pandas_metrics.py``) of the metrics it
   covers, on frames read once outside the timing, and check its totals against DuckDB;
8. record each measuring process's peak RSS (load, read_csv, cache, metrics, first page,
   pandas are separate subprocesses).

Results go to ``--out`` (JSON) and a Markdown summary is printed (and written beside the
JSON as ``.md``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import io
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TABLES = ("leads", "deals", "activities", "spend")
ACTIVITIES_PER_LEAD = 10.0
DEALS_PER_LEAD = 0.3
# The dashboard's first page: (metric, by), run one after the other on one fresh connection.
FIRST_PAGE: tuple[tuple[str, str | None], ...] = (
    ("overview", None),
    ("funnel", None),
    ("funnel", "source"),
    ("funnel_cohort", None),
)
SEED = 7
TARGET_METRIC_S = 0.5
TARGET_LOAD_RATIO = 1.5
TARGET_PANDAS_RATIO = 10.0
TARGET_RSS_GB = 4.0


def load_rss_target_mb(leads: int) -> float:
    """The load's peak RSS target: < 1 GB up to 200k leads, < 2 GB at the full scale."""
    return 1000.0 if leads <= 200_000 else 2000.0


LOADAVG: dict[str, tuple[float, ...]] = {}  # 1-minute load average: start, end, highest

# Bare DuckDB floors: the simplest aggregate over the columns a group of metrics reads.
FLOORS: dict[str, str] = {
    "leads": (
        "select count(*), count(mql_at), count(handed_off_at), count(accepted_at), "
        "count(rejected_at), count(sql_at), count(owner), avg(lead_score), "
        "min(created_at), count(distinct source) from leads"
    ),
    "deals": (
        "select count(*) from (select lead_id, count(*), min(created_at), "
        "sum(amount) filter (where is_won), bool_or(is_closed) from deals "
        "where lead_id is not null group by lead_id)"
    ),
    "activities": (
        "select count(*) from (select lead_id, count(*), min(occurred_at), "
        "max(occurred_at), count(*) filter (where outcome = 'connected') from activities "
        "where type in ('call', 'email', 'zalo') group by lead_id)"
    ),
    "spend": "select source, sum(amount) from spend group by source",
}


# --------------------------------------------------------------------------- helpers


def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _stats(samples: Sequence[float]) -> dict[str, float | int]:
    """Median, min and max of timings in seconds, with the number of runs."""
    return {
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "max_s": max(samples),
        "runs": len(samples),
    }


def _timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    """Call ``fn`` ``runs`` times; return the wall times and the last result."""
    times: list[float] = []
    out: Any = None
    for _ in range(runs):
        began = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - began)
    return times, out


def _files(data: Path) -> dict[str, Path]:
    return {t: data / f"{t}.csv" for t in TABLES}


def _load_pandas_module() -> ModuleType:
    """Import bench/pandas_metrics.py (bench/ is not a package)."""
    path = Path(__file__).resolve().parent / "pandas_metrics.py"
    spec = importlib.util.spec_from_file_location("pandas_metrics", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pandas_metrics"] = module
    spec.loader.exec_module(module)
    return module


def _selected(names: Sequence[str], subset: str | None) -> list[str]:
    """Registry names, optionally limited to the comma-separated ``subset`` (in its order)."""
    if not subset:
        return list(names)
    wanted = [s.strip() for s in subset.split(",") if s.strip()]
    unknown = [w for w in wanted if w not in names]
    if unknown:
        print(f"warning: no metric named {', '.join(unknown)}; skipped", file=sys.stderr)
    return [w for w in wanted if w in names]


# --------------------------------------------------------------------------- step 1


def generate(data: Path, leads: int) -> dict[str, Any]:
    """Generate the sample data into ``data`` unless the same scale is already there."""
    manifest_path = data / "manifest.json"
    want = {
        "leads": leads,
        "activities_per_lead": ACTIVITIES_PER_LEAD,
        "deals_per_lead": DEALS_PER_LEAD,
        "seed": SEED,
        "format": "csv",
    }
    if manifest_path.exists() and all(p.exists() for p in _files(data).values()):
        manifest = json.loads(manifest_path.read_text())
        if {k: manifest.get(k) for k in want} == want:
            print(f"data: reusing {data} ({leads:,} leads)")
            return manifest
    data.mkdir(parents=True, exist_ok=True)
    print(f"data: generating {leads:,} leads into {data} ...", flush=True)
    began = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sample_data.generate",
            "--leads",
            str(leads),
            "--activities-per-lead",
            str(ACTIVITIES_PER_LEAD),
            "--deals-per-lead",
            str(DEALS_PER_LEAD),
            "--seed",
            str(SEED),
            "--out",
            str(data),
            "--format",
            "csv",
        ],
        cwd=ROOT,
        check=True,
    )
    elapsed = time.perf_counter() - began
    rows: dict[str, int] = {}
    for table, path in _files(data).items():
        with path.open("rb") as fh:
            rows[table] = sum(1 for _ in fh) - 1  # header; the generator writes no newlines
    manifest = {
        **want,
        "rows": rows,
        "bytes": {t: p.stat().st_size for t, p in _files(data).items()},
        "generate_s": elapsed,
    }
    # the workspace of an older scale is stale now
    for stale in ("workspace.duckdb", "workspace.duckdb.wal"):
        (data / stale).unlink(missing_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=2))
    return manifest


# --------------------------------------------------------------------------- step 2


def phase_load(data: Path) -> dict[str, Any]:
    """Load the four files into a fresh workspace exactly as ``handoff load`` does.

    ``metrics.build_cache`` is wrapped (not changed) to time the staging cache build that
    the load runs inside its transaction.
    """
    from dashboard import cli, metrics

    ws = data / "workspace.duckdb"
    for p in (ws, ws.with_name(ws.name + ".wal")):
        p.unlink(missing_ok=True)
    argv = ["load", *(str(p) for p in _files(data).values()), "--workspace", str(ws)]
    captured = io.StringIO()
    cache_s: list[float] = []
    original = metrics.build_cache

    def timed_build(*a: Any, **k: Any) -> None:
        t0 = time.perf_counter()
        try:
            original(*a, **k)
        finally:
            cache_s.append(time.perf_counter() - t0)

    metrics.build_cache = timed_build  # type: ignore[assignment]
    began = time.perf_counter()
    try:
        with contextlib.redirect_stdout(captured):
            code = cli.main(argv)
    finally:
        metrics.build_cache = original  # type: ignore[assignment]
    elapsed = time.perf_counter() - began
    if code != 0:
        raise SystemExit(f"handoff load failed (exit {code}):\n{captured.getvalue()}")
    summary = [line for line in captured.getvalue().splitlines() if line.startswith("loaded ")]
    return {
        "seconds": elapsed,
        "cache_build_in_load_s": sum(cache_s) if cache_s else None,
        "peak_rss_mb": _peak_rss_mb(),
        "summary": summary[0] if summary else "",
        "workspace_bytes": ws.stat().st_size,
    }


def phase_read_csv(data: Path) -> dict[str, Any]:
    """DuckDB's own read_csv of the same files into tables of a fresh database file."""
    import duckdb

    db = data / "read_csv.duckdb"
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    per_table: dict[str, float] = {}
    began = time.perf_counter()
    for table, path in _files(data).items():
        t0 = time.perf_counter()
        con.execute(f"create table {table} as select * from read_csv('{path}')")
        per_table[table] = time.perf_counter() - t0
    con.execute("checkpoint")
    elapsed = time.perf_counter() - began
    con.close()
    size = db.stat().st_size
    db.unlink(missing_ok=True)
    return {
        "seconds": elapsed,
        "per_table_s": per_table,
        "peak_rss_mb": _peak_rss_mb(),
        "database_bytes": size,
    }


# --------------------------------------------------------------------------- step 3 and 4


def _cache_current(con: Any, settings: dict[str, Any]) -> bool:
    """Whether the workspace's staging cache was built with ``settings`` and this data."""
    from dashboard import metrics

    values = metrics.session_values(con, settings, metrics.Filters(), None)
    return metrics._meta(con, "staging_cache") == metrics.cache_key(values)


def phase_cache(data: Path, runs: int) -> dict[str, Any]:
    """Time ``metrics.build_cache`` (the staging cache every load builds).

    If the workspace has no current cache (loaded before the cache existed), it is built
    and committed once first (that build is reported as ``committed_s``); then ``runs``
    builds are timed in transactions that are rolled back, so the workspace is unchanged.
    """
    from dashboard import metrics
    from dashboard.workspace import Workspace

    ws = Workspace(data / "workspace.duckdb")
    con = ws.con
    stored = ws.settings()
    settings = metrics.resolve_settings(stored, None)
    out: dict[str, Any] = {"was_current": _cache_current(con, settings)}
    if not out["was_current"]:
        t0 = time.perf_counter()
        con.execute("BEGIN")
        metrics.build_cache(con, stored)
        con.execute("COMMIT")
        out["committed_s"] = time.perf_counter() - t0
    con.execute("CHECKPOINT")

    def build() -> None:
        con.execute("BEGIN")
        try:
            metrics.build_cache(con, stored)
        finally:
            con.execute("ROLLBACK")

    times, _ = _timed(build, runs)
    out["build"] = _stats(times)
    out["rows"] = {
        table: con.execute(f"select count(*) from {table}").fetchall()[0][0]
        for table in metrics.CACHE_TABLES.values()
    }
    out["current"] = _cache_current(con, settings)
    ws.close()
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def _reads(sql: str) -> list[str]:
    """Floor groups a metric's SQL reads (lead_facts implies leads and deals)."""
    words = set(re.findall(r"[a-z_]+", sql.lower()))
    groups = ["leads", "deals"]
    if words & {"attempts", "touch_facts", "activities"}:
        groups.append("activities")
    if "spend" in words:
        groups.append("spend")
    return groups


def phase_metrics(data: Path, out_dir: Path, runs: int, subset: str | None) -> dict[str, Any]:
    """Time every selected metric with the staging cache, by source, without it; floors."""
    from dashboard import metrics
    from dashboard.errors import HandoffError
    from dashboard.workspace import Workspace

    ws = Workspace(data / "workspace.duckdb", read_only=True)
    con = ws.con
    settings = metrics.resolve_settings(ws.settings(), None)
    cache_hit = _cache_current(con, settings)
    if not cache_hit:
        print("warning: the workspace's staging cache is missing or stale", file=sys.stderr)
    names = _selected(list(metrics.registry()), subset)
    frames_dir = out_dir / "frames"
    frames_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}

    for name in names:
        metric = metrics.get(name)
        entry: dict[str, Any] = {"supports_by": metric.supports_by, "reads": _reads(metric.sql)}
        results[name] = entry
        print(f"  {name} ...", end="", flush=True, file=sys.stderr)
        try:
            first, res = _timed(lambda n=name: metrics.run(con, n, settings=settings), 1)
            entry["first_s"] = first[0]
            times, res = _timed(lambda n=name: metrics.run(con, n, settings=settings), runs)
            entry["default"] = _stats(times)
            entry["rows"] = res.frame.height
            res.frame.write_parquet(frames_dir / f"{name}.parquet")
            # how much of a run is the session set-up (needs check, variables, views)
            setup, _ = _timed(
                lambda m=metric: (
                    metrics.check_needs(con, m),
                    metrics.prepare_session(con, settings, metrics.Filters(), None),
                ),
                runs,
            )
            entry["session_setup"] = _stats(setup)
            if metric.supports_by:
                times, res = _timed(
                    lambda n=name: metrics.run(con, n, settings=settings, by="source"), runs
                )
                entry["by_source"] = _stats(times)
                entry["by_source_rows"] = res.frame.height
            # what a --set override costs: the staging recomputed from the tables
            times, res = _timed(
                lambda n=name: metrics.run(con, n, settings=settings, use_cache=False), runs
            )
            entry["no_cache"] = _stats(times)
            entry["no_cache_rows"] = res.frame.height
        except HandoffError as exc:
            entry["error"] = exc.render() if hasattr(exc, "render") else str(exc)
        except Exception as exc:  # a metric being written may be broken; keep going
            entry["error"] = f"{type(exc).__name__}: {exc}"
        print(
            f" {entry.get('default', {}).get('median_s', float('nan')):.3f} s cached, "
            f"{entry.get('no_cache', {}).get('median_s', float('nan')):.3f} s without"
            + (f"  ERROR {entry['error']}" if "error" in entry else ""),
            file=sys.stderr,
        )

    floors: dict[str, Any] = {}
    for group, sql in FLOORS.items():
        times, _ = _timed(lambda s=sql: con.sql(s).fetchall(), runs)
        floors[group] = _stats(times)
    for entry in results.values():
        if "default" in entry:
            floor = sum(floors[g]["median_s"] for g in entry["reads"])
            entry["floor_s"] = floor
            entry["floor_ratio"] = entry["default"]["median_s"] / floor if floor else None
            entry["no_cache_floor_ratio"] = entry["no_cache"]["median_s"] / floor if floor else None
    ws.close()
    return {
        "cache_hit": cache_hit,
        "metrics": results,
        "floors": floors,
        "peak_rss_mb": _peak_rss_mb(),
        "registry": list(metrics.registry()),
    }


def phase_first_page(data: Path, runs: int) -> dict[str, Any]:
    """The dashboard's first page: FIRST_PAGE's metrics in one fresh connection per run."""
    from dashboard import metrics
    from dashboard.workspace import Workspace

    def page() -> dict[str, float]:
        parts: dict[str, float] = {}
        t0 = time.perf_counter()
        ws = Workspace(data / "workspace.duckdb", read_only=True)
        settings = metrics.resolve_settings(ws.settings(), None)
        parts["open"] = time.perf_counter() - t0
        for name, by in FIRST_PAGE:
            t1 = time.perf_counter()
            metrics.run(ws.con, name, settings=settings, by=by)
            parts[name + (f" by {by}" if by else "")] = time.perf_counter() - t1
        ws.close()
        return parts

    first, _ = _timed(page, 1)
    times: list[float] = []
    parts: list[dict[str, float]] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        parts.append(page())
        times.append(time.perf_counter() - t0)
    return {
        "metrics": [n + (f" by {b}" if b else "") for n, b in FIRST_PAGE],
        "first_s": first[0],
        "total": _stats(times),
        "parts_median_s": {k: statistics.median(p[k] for p in parts) for k in parts[0]},
        "peak_rss_mb": _peak_rss_mb(),
    }


# --------------------------------------------------------------------------- step 5


def phase_pandas(data: Path, out_dir: Path, runs: int, subset: str | None) -> dict[str, Any]:
    """Time the pandas implementations; check their totals against the DuckDB frames."""
    from dashboard import metrics

    pm = _load_pandas_module()
    settings = metrics.resolve_settings({}, None)
    began = time.perf_counter()
    frames = pm.read_frames(_files(data))
    read_s = time.perf_counter() - began
    rss_after_read = _peak_rss_mb()
    names = [n for n in _selected(list(metrics.registry()), subset) if n in pm.IMPLEMENTED]
    out: dict[str, Any] = {
        "read_s": read_s,
        "rss_after_read_mb": rss_after_read,
        "pandas_version": pm.pd.__version__,
        "metrics": {},
        "not_implemented": [
            n for n in _selected(list(metrics.registry()), subset) if n not in pm.IMPLEMENTED
        ],
    }
    for name in names:
        print(f"  pandas {name} ...", end="", flush=True, file=sys.stderr)
        entry: dict[str, Any] = {}
        try:
            times, result = _timed(lambda n=name: pm.IMPLEMENTED[n](frames, settings), runs)
            entry.update(_stats(times))
            duck_path = out_dir / "frames" / f"{name}.parquet"
            if duck_path.exists():
                entry["check"] = pm.compare(name, result, duck_path)
        except Exception as exc:
            entry["error"] = f"{type(exc).__name__}: {exc}"
        out["metrics"][name] = entry
        print(
            f" {entry.get('median_s', float('nan')):.3f} s"
            + (f"  ERROR {entry['error']}" if "error" in entry else ""),
            file=sys.stderr,
        )
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


# --------------------------------------------------------------------------- orchestration


def _load_interactions_module() -> ModuleType:
    """Import bench/interactions.py (the interaction budget: lead lists, overrides, app)."""
    path = Path(__file__).resolve().parent / "interactions.py"
    spec = importlib.util.spec_from_file_location("interactions", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _subprocess(phase: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one phase in a fresh Python process (so its peak RSS is its own)."""
    out_json = args.out.parent / f".phase-{phase}.json"
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        phase,
        "--data",
        str(args.data),
        "--out",
        str(args.out),
        "--runs",
        str(args.runs),
        "--pandas-runs",
        str(args.pandas_runs),
        "--phase-json",
        str(out_json),
    ]
    if args.metrics:
        cmd += ["--metrics", args.metrics]
    began = time.perf_counter()
    load_before = os.getloadavg()[0]
    highest = load_before
    done = subprocess.Popen(cmd, cwd=ROOT)
    # the machine is shared: keep the highest 1-minute load average seen during the phase
    while done.poll() is None:
        highest = max(highest, os.getloadavg()[0])
        time.sleep(1.0)
    LOADAVG[phase] = (load_before, os.getloadavg()[0], highest)
    if done.returncode != 0 or not out_json.exists():
        print(f"phase {phase} failed (exit {done.returncode})", file=sys.stderr)
        return {"error": f"exit {done.returncode}", "peak_rss_mb": float("nan")}
    result = json.loads(out_json.read_text())
    result["process_s"] = time.perf_counter() - began
    out_json.unlink(missing_ok=True)
    return result


def machine() -> dict[str, Any]:
    """CPU, cores, RAM, library versions and the date of the run."""
    import duckdb
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = int(line.split()[1]) / 1024 / 1024
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "polars": pl.__version__,
        "pandas": pd.__version__,
        "pyarrow": pa.__version__,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _fmt(x: float | None, unit: str = "") -> str:
    if x is None:
        return "–"
    return f"{x:.3f}{unit}" if x < 10 else f"{x:.1f}{unit}"


def markdown(results: dict[str, Any]) -> str:
    """The results as Markdown tables (the same figures docs/performance.md quotes)."""
    lines: list[str] = []
    m = results["machine"]
    scale = results["scale"]
    lines.append(
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB; Python {m['python']}, "
        f"DuckDB {m['duckdb']}, Polars {m['polars']}, pandas {m['pandas']}; {m['date']}."
    )
    lines.append(
        "Data: " + ", ".join(f"{t} {n:,}" for t, n in scale["rows"].items()) + " rows; "
        f"{results.get('runs')} runs per timing (median reported)."
    )
    la = results.get("loadavg", {})
    if la:
        lines.append(
            "Load average (1 min) at the start / end (/ highest) of each phase: "
            + "; ".join(f"{k} {' / '.join(f'{x:.1f}' for x in v)}" for k, v in la.items())
            + "."
        )
    lines.append("")
    load = results.get("load")
    if load:
        in_load = load["handoff"].get("cache_build_in_load_s")
        lines += [
            "| load | seconds | peak RSS MB |",
            "| --- | ---: | ---: |",
            f"| handoff load (4 files, one call) | {load['handoff']['seconds']:.1f} | "
            f"{load['handoff']['peak_rss_mb']:.0f} |",
            f"| of which the staging cache build | {_fmt(in_load)} | |",
            f"| DuckDB read_csv into tables | {load['read_csv']['seconds']:.1f} | "
            f"{load['read_csv']['peak_rss_mb']:.0f} |",
            f"| ratio (target ≤ {TARGET_LOAD_RATIO}×) | {load['ratio']:.1f}× | |",
            f"| peak RSS of the load (target < {load_rss_target_mb(scale['leads']):.0f} MB) | | "
            f"{'met' if _load_rss_met(results) else '**missed**'} |",
            "",
        ]
    cache = results.get("cache")
    if cache and "build" in cache:
        lines += [
            "| staging cache build (rolled back) | median s | min s | peak RSS MB |",
            "| --- | ---: | ---: | ---: |",
            f"| {', '.join(f'{t} {n:,} rows' for t, n in cache['rows'].items())} | "
            f"{cache['build']['median_s']:.2f} | {cache['build']['min_s']:.2f} | "
            f"{cache['peak_rss_mb']:.0f} |",
            "",
        ]
    met = results.get("metrics")
    if met and "metrics" in met:
        pandas = (results.get("pandas") or {}).get("metrics", {})
        if not met.get("cache_hit", False):
            lines.append("**warning: the staging cache was not used (missing or stale).**\n")
        lines += [
            "| metric | cached median s | min s | first s | setup s | by source s "
            "| no cache s | floor ratio | pandas s | pandas / cached | pandas / no cache |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, e in met["metrics"].items():
            if "error" in e:
                lines.append(f"| {name} | error: {e['error'][:80]} | | | | | | | | | |")
                continue
            p = pandas.get(name, {})
            ratio = p.get("median_s") / e["default"]["median_s"] if "median_s" in p else None
            ratio_nc = p.get("median_s") / e["no_cache"]["median_s"] if "median_s" in p else None
            flag = " ⚠" if e["default"]["median_s"] >= TARGET_METRIC_S else ""
            lines.append(
                f"| {name} | {_fmt(e['default']['median_s'])}{flag} | "
                f"{_fmt(e['default']['min_s'])} | {_fmt(e.get('first_s'))} | "
                f"{_fmt(e['session_setup']['median_s'])} | "
                f"{_fmt(e.get('by_source', {}).get('median_s'))} | "
                f"{_fmt(e.get('no_cache', {}).get('median_s'))} | "
                f"{_fmt(e.get('floor_ratio'), '×')} | {_fmt(p.get('median_s'))} | "
                f"{_fmt(ratio, '×')} | {_fmt(ratio_nc, '×')} |"
            )
        lines.append("")
        lines.append("| floor | median s | min s |\n| --- | ---: | ---: |")
        for group, f in met["floors"].items():
            lines.append(f"| {group} | {f['median_s']:.3f} | {f['min_s']:.3f} |")
        lines.append("")
    page = results.get("first_page")
    if page and "total" in page:
        lines += [
            f"First page ({', '.join(page['metrics'])}; fresh connection per run): median "
            f"{page['total']['median_s']:.3f} s, min {page['total']['min_s']:.3f} s, "
            f"first {page['first_s']:.3f} s; parts (median s): "
            + ", ".join(f"{k} {v:.3f}" for k, v in page["parts_median_s"].items()),
            "",
        ]
    pd_res = results.get("pandas") or {}
    if "read_s" in pd_res:
        lines += [f"pandas: reading the CSV files took {pd_res['read_s']:.1f} s (not timed).", ""]
    mem = results.get("memory_mb", {})
    if mem:
        lines.append("| process | peak RSS MB |\n| --- | ---: |")
        for k, v in mem.items():
            lines.append(f"| {k} | {v:.0f} |")
        lines.append("")
    for w in results.get("warnings", []):
        lines.append(f"- warning: {w}")
    return "\n".join(lines)


def _load_rss_met(results: dict[str, Any]) -> bool:
    peak = results["load"]["handoff"]["peak_rss_mb"]
    return bool(peak < load_rss_target_mb(results["scale"]["leads"]))


def _warnings(results: dict[str, Any]) -> list[str]:
    out: list[str] = []
    load = results.get("load") or {}
    if "ratio" in load and load["ratio"] > TARGET_LOAD_RATIO:
        out.append(f"the load took {load['ratio']:.1f}× DuckDB's read_csv (target ≤ 1.5×)")
    if "handoff" in load and not _load_rss_met(results):
        out.append(
            f"the load peaked at {load['handoff']['peak_rss_mb']:.0f} MB (target < "
            f"{load_rss_target_mb(results['scale']['leads']):.0f} MB)"
        )
    for name, e in (results.get("pandas") or {}).get("metrics", {}).items():
        check = e.get("check") or {}
        for problem in check.get("problems", []):
            out.append(f"pandas and DuckDB disagree on {name}: {problem}")
        if "error" in e:
            out.append(f"pandas {name} failed: {e['error']}")
    for phase in ("load", "read_csv", "cache", "metrics", "first_page", "pandas"):
        if "error" in (results.get(phase) or {}):
            out.append(f"the {phase} phase failed: {results[phase]['error']}")
    if results.get("metrics") and not results["metrics"].get("cache_hit", False):
        out.append("the metrics ran without the staging cache (missing or stale)")
    for name, e in (results.get("metrics") or {}).get("metrics", {}).items():
        if "error" in e:
            out.append(f"metric {name} failed: {e['error']}")
        elif e["default"]["median_s"] >= TARGET_METRIC_S:
            out.append(f"{name}: median {e['default']['median_s']:.3f} s is over the target")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command line; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000, help="leads (1000000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement (5)")
    parser.add_argument(
        "--pandas-runs", type=int, default=3, help="timed runs per pandas metric (3)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench/out/results.json")
    parser.add_argument("--data", type=Path, default=ROOT / "bench/data")
    parser.add_argument("--metrics", help="comma-separated subset of metrics (default: all)")
    parser.add_argument("--skip-pandas", action="store_true", help="do not time pandas")
    parser.add_argument(
        "--skip-load",
        action="store_true",
        help="reuse the loaded workspace in --data (keep the load figures of --out)",
    )
    parser.add_argument(
        "--phase",
        choices=["load", "read_csv", "cache", "metrics", "first_page", "interactions", "pandas"],
    )
    parser.add_argument("--phase-json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.out = args.out.resolve()
    args.data = args.data.resolve()

    if args.phase:  # a measuring subprocess
        phases: dict[str, Callable[[], dict[str, Any]]] = {
            "load": lambda: phase_load(args.data),
            "read_csv": lambda: phase_read_csv(args.data),
            "cache": lambda: phase_cache(args.data, args.runs),
            "first_page": lambda: phase_first_page(args.data, args.runs),
            "interactions": lambda: _load_interactions_module().phase_interactions(
                args.data, args.runs
            ),
            "metrics": lambda: phase_metrics(args.data, args.out.parent, args.runs, args.metrics),
            "pandas": lambda: phase_pandas(
                args.data, args.out.parent, args.pandas_runs, args.metrics
            ),
        }
        result = phases[args.phase]()
        assert args.phase_json is not None
        args.phase_json.write_text(json.dumps(result, indent=2, default=str))
        return 0

    began = time.perf_counter()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    previous: dict[str, Any] = {}
    if args.out.exists():
        with contextlib.suppress(ValueError):
            previous = json.loads(args.out.read_text())
    manifest = generate(args.data, args.leads)
    results: dict[str, Any] = {
        "machine": machine(),
        "scale": {"leads": args.leads, "rows": manifest["rows"], "bytes": manifest["bytes"]},
        "runs": args.runs,
        "pandas_runs": args.pandas_runs,
        "command": " ".join(["python bench/run.py", *(argv or sys.argv[1:])]),
    }
    memory: dict[str, float] = {}
    previous_loadavg: dict[str, Any] = {}
    workspace = args.data / "workspace.duckdb"
    if args.skip_load and workspace.exists():
        if previous.get("scale", {}).get("leads") == args.leads and "load" in previous:
            results["load"] = previous["load"]
            results["load"]["reused"] = True
            memory.update(
                {k: v for k, v in previous.get("memory_mb", {}).items() if k.startswith("load")}
            )
            memory.update(
                {k: v for k, v in previous.get("memory_mb", {}).items() if k == "read_csv"}
            )
            previous_loadavg = {
                k: v for k, v in previous.get("loadavg", {}).items() if k in ("load", "read_csv")
            }
        print("load: reusing the workspace", file=sys.stderr)
    else:
        print("load: handoff load ...", file=sys.stderr, flush=True)
        handoff = _subprocess("load", args)
        print(f"load: {handoff['seconds']:.1f} s; DuckDB read_csv ...", file=sys.stderr)
        read_csv = _subprocess("read_csv", args)
        results["load"] = {
            "handoff": handoff,
            "read_csv": read_csv,
            "ratio": handoff["seconds"] / read_csv["seconds"],
        }
        memory["load (handoff load)"] = handoff["peak_rss_mb"]
        memory["read_csv"] = read_csv["peak_rss_mb"]
    print("staging cache build ...", file=sys.stderr, flush=True)
    results["cache"] = _subprocess("cache", args)
    memory["cache build"] = results["cache"]["peak_rss_mb"]
    print("metrics ...", file=sys.stderr, flush=True)
    results["metrics"] = _subprocess("metrics", args)
    memory["metrics"] = results["metrics"]["peak_rss_mb"]
    print("first page ...", file=sys.stderr, flush=True)
    results["first_page"] = _subprocess("first_page", args)
    memory["first page"] = results["first_page"]["peak_rss_mb"]
    print("interactions ...", file=sys.stderr, flush=True)
    results["interactions"] = _subprocess("interactions", args)
    if not args.skip_pandas:
        print("pandas ...", file=sys.stderr, flush=True)
        results["pandas"] = _subprocess("pandas", args)
        memory["pandas"] = results["pandas"]["peak_rss_mb"]
        for name, p in results["pandas"].get("metrics", {}).items():
            entry = results["metrics"].get("metrics", {}).get(name, {})
            if "median_s" not in p:
                continue
            if "default" in entry:
                p["ratio_vs_duckdb"] = p["median_s"] / entry["default"]["median_s"]
            if "no_cache" in entry:
                p["ratio_vs_duckdb_no_cache"] = p["median_s"] / entry["no_cache"]["median_s"]
    results["memory_mb"] = memory
    results["loadavg"] = {**previous_loadavg, **LOADAVG}
    results["warnings"] = _warnings(results)
    results["total_s"] = time.perf_counter() - began
    args.out.write_text(json.dumps(results, indent=2, default=str))
    text = (
        markdown(results) + "\n\n" + _load_interactions_module().markdown(results["interactions"])
    )
    args.out.with_suffix(".md").write_text(text + "\n")
    print(text)
    print(f"\nwrote {args.out} in {results['total_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
