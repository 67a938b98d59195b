"""The portable subset of DuckDB SQL the metrics are written in, and its Spark spelling.

Metrics are written once, in DuckDB SQL, restricted to constructs that mean the same on
Spark. :func:`violations` names every construct outside that subset with its portable
spelling (a test runs it on every file in ``queries/``). :func:`to_spark` translates a
query of the subset with sqlglot plus the few rules below for what has no portable
spelling, and refuses (:class:`NotPortable`) anything it does not know rather than
guessing: sqlglot alone reports success while writing SQL that fails or means something
else on Spark (decimal literals, approximate percentiles).

Values are never written into the SQL: DuckDB session variables (``getvariable('x')``) and
``$x`` parameters both become Spark named parameters (``:x``), cast to the type DuckDB
binds them with, so ``spark.sql(query, args=...)`` binds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, UnsupportedError

# sqlglot's version is pinned in requirements.lock: its Spark output is part of what the
# Spark test checks, so a new version is taken only when that test passes with it.

# DuckDB type of each session value -> the Spark type its parameter is cast to.
SPARK_TYPES = {
    "DOUBLE": "DOUBLE",
    "INTEGER": "INT",
    "BIGINT": "BIGINT",
    "BOOLEAN": "BOOLEAN",
    "VARCHAR": "STRING",
    "VARCHAR[]": "ARRAY<STRING>",
    "DATE": "DATE",
    # wall-clock time in UTC, as DuckDB stores it: never a local-zone TIMESTAMP
    "TIMESTAMP": "TIMESTAMP_NTZ",
}

# Functions sqlglot leaves unknown (Anonymous) that our rules below translate.
TRANSLATED = frozenset({"getvariable", "error", "timezone"})
# Functions the rules write into Spark SQL.
WRITTEN = frozenset({"percentile", "unix_micros", "raise_error", "from_utc_timestamp"})

_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod)


class NotPortable(ValueError):
    """A query uses a construct outside the portable subset, or one with no Spark rule."""


def _strip(sql: str) -> str:
    """The SQL without comments (the checker reads constructs, not their explanation)."""
    return re.sub(r"--[^\n]*", "", sql)


def parse(sql: str) -> exp.Expression:
    """The DuckDB query parsed by sqlglot; NotPortable when sqlglot cannot read it."""
    try:
        return sqlglot.parse_one(sql, read="duckdb")
    except ParseError as exc:
        raise NotPortable(f"sqlglot cannot read this query: {exc}") from None


# (pattern on the comment-free text, construct, portable spelling): what the parser would
# silently normalise away, so it is caught on the text itself.
TEXT_RULES = [
    (r"\bto_microseconds\s*\(", "to_microseconds(...)", "date_diff('microsecond', a, b)"),
    (r"\bto_(seconds|minutes|hours|days)\s*\(", "to_days(...) and other to_*()",
     "date_diff('microsecond', a, b) compared with a number of microseconds"),
    (r"\blen\s*\(", "len(list)", "array_length(list) (length(text) for text)"),
    (r"\brange\s*\(", "range(a, b)", "unnest(generate_series(a, b - 1)) in a SELECT list"),
    (r"\bunion\s+(all\s+)?by\s+name\b", "UNION ALL BY NAME",
     "UNION ALL with the same columns in the same order"),
    (r"\bcolumns\s*\(", "COLUMNS(...)",
     "a column list built from the schema (dashboard/metric_sql.py fills it in)"),
]  # fmt: skip


def _text_violations(sql: str) -> Iterator[str]:
    text = _strip(sql)
    for pattern, construct, spelling in TEXT_RULES:
        if re.search(pattern, text, flags=re.IGNORECASE):
            yield f"{construct}: write {spelling}"


def _tree_violations(tree: exp.Expression) -> Iterator[str]:
    for node in tree.walk():
        if isinstance(node, exp.Literal) and not node.is_string:
            text = node.this.lower()
            if "." in text and "e" not in text:
                yield (
                    f"decimal literal {node.this}: write a float literal such as "
                    f"{text.rstrip('0').rstrip('.') or '0'}e0 (a decimal literal is DECIMAL "
                    "arithmetic on Spark)"
                )
        elif isinstance(node, exp.Window) and isinstance(node.parent, _ARITHMETIC):
            yield (
                f"window expression in arithmetic ({node.sql('duckdb')[:60]}): put the window "
                "expression in parentheses"
            )
        elif isinstance(node, exp.GenerateSeries) and isinstance(node.parent, exp.Table):
            yield (
                "generate_series(...) in FROM: write unnest(generate_series(a, b)) in a SELECT list"
            )
        elif isinstance(node, exp.Star) and node.args.get("replace"):
            yield "SELECT * REPLACE (...): list the columns, each new expression in its place"
        elif isinstance(node, exp.TimeToUnix) and isinstance(node.this, exp.Sub):
            yield "epoch(a - b): write epoch(a) - epoch(b)"
        elif isinstance(node, exp.Anonymous) and node.name.lower() not in TRANSLATED:
            yield f"function {node.name}(...): it has no known Spark spelling; use another"
        elif isinstance(node, exp.Anonymous) and node.name.lower() == "timezone":
            outer = node.parent
            inner_of_pair = isinstance(outer, exp.Anonymous) and _is_utc_to_local(outer)
            if not (_is_utc_to_local(node) or inner_of_pair):
                yield (
                    "timezone(...): write timezone(tz, timezone('UTC', t)) (a UTC time read "
                    "on the clock of tz), the one form with a Spark spelling"
                )


def violations(sql: str) -> list[str]:
    """Every construct of ``sql`` outside the portable subset, each with its spelling."""
    found = list(_text_violations(sql))
    try:
        tree = parse(sql)
    except NotPortable as exc:
        return [*found, str(exc)]
    found.extend(_tree_violations(tree))
    return list(dict.fromkeys(found))


def _is_utc_to_local(node: exp.Anonymous) -> bool:
    args = node.expressions
    if len(args) != 2 or not isinstance(args[1], exp.Anonymous):
        return False
    inner = args[1]
    return (
        inner.name.lower() == "timezone"
        and len(inner.expressions) == 2
        and inner.expressions[0].is_string
        and inner.expressions[0].name == "UTC"
    )


def _parameter(name: str, types: dict[str, str]) -> exp.Expression:
    if name not in types:
        raise NotPortable(f"the query reads {name!r}, which has no value to bind")
    spark_type = SPARK_TYPES[types[name]]
    return exp.cast(exp.Placeholder(this=name), exp.DataType.build(spark_type, dialect="spark"))


def _translate(tree: exp.Expression, types: dict[str, str]) -> exp.Expression:
    """The tree with every node in its Spark spelling (children moved into a new node are
    translated too: sqlglot's transform does not visit them again)."""
    return tree.transform(lambda n: _rewrite(n, types), copy=False)


def _rewrite(node: exp.Expression, types: dict[str, str]) -> exp.Expression:
    """One node in its Spark spelling (the rules sqlglot does not know)."""
    if isinstance(node, exp.Placeholder) and node.name:
        return _parameter(node.name, types)
    if isinstance(node, exp.PercentileCont):
        # exact, like DuckDB's quantile_cont (not approx_percentile)
        args = [_translate(node.this, types), _translate(node.expression, types)]
        return exp.Anonymous(this="percentile", expressions=args)
    if isinstance(node, exp.TimeToUnix):
        # a date (a date plus an interval is a date on Spark, a timestamp on DuckDB) counts
        # from its midnight, as on DuckDB
        moment = exp.cast(
            _translate(node.this, types), exp.DataType.build("TIMESTAMP_NTZ", dialect="spark")
        )
        micros = exp.Anonymous(this="unix_micros", expressions=[moment])
        return exp.Paren(this=exp.Div(this=micros, expression=exp.Literal.number("1e6")))
    if not isinstance(node, exp.Anonymous):
        return node
    name = node.name.lower()
    if name == "getvariable":
        arg = node.expressions[0]
        if not arg.is_string:
            raise NotPortable("getvariable(...) needs a variable name written as a string")
        return _parameter(arg.name, types)
    if name == "error":
        args = [_translate(a, types) for a in node.expressions]
        return exp.Anonymous(this="raise_error", expressions=args)
    if name == "timezone" and _is_utc_to_local(node):
        zone = _translate(node.expressions[0], types)
        moment = _translate(node.expressions[1].expressions[1], types)
        local = exp.Anonymous(this="from_utc_timestamp", expressions=[moment, zone])
        return exp.cast(local, exp.DataType.build("TIMESTAMP_NTZ", dialect="spark"))
    if name in WRITTEN:
        return node
    raise NotPortable(f"function {node.name}(...) has no known Spark spelling")


def to_spark(sql: str, types: dict[str, str]) -> str:
    """The Spark SQL of a portable DuckDB query; NotPortable for anything unknown.

    ``types`` gives the DuckDB type of every value the query reads (session variables and
    ``$`` parameters). A ``create ... view name as`` statement gives its query only.
    """
    found = violations(sql)
    if found:
        raise NotPortable("; ".join(found))
    tree = parse(sql)
    if isinstance(tree, exp.Create):
        tree = tree.expression
    tree = _translate(tree, types)
    try:
        return tree.sql(dialect="spark", unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as exc:
        raise NotPortable(f"sqlglot has no Spark spelling: {exc}") from None
