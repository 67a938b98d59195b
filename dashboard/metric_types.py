"""What the metrics framework speaks in: a metric's definition, the filters that choose
its leads, and its result (or what it needs).

:mod:`dashboard.metrics` reads and runs metrics and re-exports every name here, so
callers keep writing ``metrics.Filters`` and ``metrics.Metric``.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

# what a column's value is, as NAME.toml's [units] says (every output column has one)
UNITS = {
    "count": "a number of leads, deals, activities or reps",
    "share": "a proportion from 0 to 1 (shown as a percentage)",
    "money": "an amount in the reporting currency (the currency setting)",
    "minutes": "a duration in minutes",
    "hours": "a duration in hours",
    "days": "a duration in days",
    "ratio": "a number without unit: one quantity per another (lift, ROI, attempts per lead)",
    "coefficient": "an agreement coefficient from -1 to 1 (kappa, AC1, PABAK)",
    "score": "a lead score, in the CRM's own scale",
    "order": "a position used to sort rows (1 first)",
    "flag": "true or false",
    "timestamp": "a date and time (UTC)",
    "month": "a month (its first day, or written YYYY-MM)",
    "text": "a name or label",
}


@dataclass(frozen=True)
class Metric:
    """A metric: its SQL, what it answers, its grain, parameters, columns and needs."""

    name: str
    sql: str
    description: str
    # the question it answers, by language ("en", "vi"): written once, in NAME.toml
    questions: dict[str, str]
    grain: str
    # the glossary group it is listed under (docs/metrics.md)
    family: str
    columns: dict[str, str]
    # the unit of each output column, one of UNITS
    units: dict[str, str]
    parameters: dict[str, Any]
    settings: tuple[str, ...]
    needs: tuple[str, ...]
    supports_by: bool
    path: Path

    @property
    def question(self) -> str:
        """The question in English (the command line's language)."""
        return self.questions["en"]

    @property
    def glossary_path(self) -> Path:
        """``queries/NAME.md``: the metric's glossary entry (definition, settings, pitfalls)."""
        return self.path.with_suffix(".md")

    def glossary(self) -> str:
        """The glossary entry's text without its title; empty when the file is missing."""
        path = self.glossary_path
        if not path.exists():
            return ""
        text = path.read_text(encoding="utf-8")
        return re.sub(r"\A# [^\n]*\n+", "", text).strip()

    @property
    def bound_names(self) -> list[str]:
        """The ``$name`` parameters the SQL uses, in order of first use."""
        return list(dict.fromkeys(re.findall(r"\$([a-z_][a-z0-9_]*)", self.sql)))


@dataclass
class Filters:
    """Which leads a metric looks at. Empty lists mean "all"; dates are inclusive."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    segment_column: str | None = None
    segment_values: list[str] = field(default_factory=list)

    def url_params(self) -> dict[str, str | list[str]]:
        """The filters as the dashboard's URL parameters (a link reproduces the view)."""
        out: dict[str, str | list[str]] = {}
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        for param, values in (
            ("source", self.sources),
            ("campaign", self.campaigns),
            ("owner", self.owners),
        ):
            if values:
                out[param] = list(values)
        if self.segment_column and self.segment_values:
            out["segment"] = self.segment_column
            out["segment_value"] = list(self.segment_values)
        return out

    def cli_args(self) -> list[str]:
        """The filters as ``handoff metric`` arguments, each quoted for a POSIX shell.

        Values are user data: quoted with :func:`shlex.quote`, so a pasted command never
        runs a name such as ``$(rm -rf ~)``.
        """
        quoted = shlex.quote
        args: list[str] = []
        if self.date_from:
            args += ["--from", self.date_from.isoformat()]
        if self.date_to:
            args += ["--to", self.date_to.isoformat()]
        for flag, values in (
            ("--source", self.sources),
            ("--campaign", self.campaigns),
            ("--owner", self.owners),
        ):
            for v in values:
                args += [flag, quoted(v)]
        if self.segment_column:
            for v in self.segment_values:
                args += ["--segment", quoted(f"{self.segment_column}={v}")]
        return args

    def key(self) -> tuple:
        """A hashable key (for caches)."""
        return (
            self.date_from,
            self.date_to,
            tuple(self.sources),
            tuple(self.campaigns),
            tuple(self.owners),
            self.segment_column,
            tuple(self.segment_values),
        )


@dataclass
class Result:
    """A metric's rows, plus the SQL and the values that produced them."""

    metric: Metric
    frame: pl.DataFrame
    sql: str
    parameters: dict[str, Any]
    settings: dict[str, Any]
    # the rows the query gives without its page (page_size, page_offset), when asked for
    total: int | None = None


@dataclass
class Answer:
    """A metric's rows, or what it needs: ``result`` is None exactly when ``needs`` is set."""

    name: str
    result: Result | None
    needs: tuple[str, ...] = ()

    @property
    def frame(self) -> pl.DataFrame | None:
        """The rows, or None when the workspace lacks an input the metric needs."""
        return self.result.frame if self.result is not None else None
