"""Settings both teams can see and change, with their defaults and validation.

Settings are stored in the workspace (table ``settings``) and can be overridden per
call (``--set key=value`` on the command line). Every metric threshold lives here so
that nobody's number depends on a value hidden in code.
"""

from __future__ import annotations

import json
import math
import zoneinfo
from dataclasses import dataclass
from typing import Any

from dashboard import currencies
from dashboard.errors import HandoffError, Problem, as_written

# The range of a number setting that states none: wide, but finite, so that no setting
# can be inf, nan or a number that overflows when the SQL turns hours into minutes.
DEFAULT_MAXIMUM = 1_000_000


@dataclass(frozen=True)
class Setting:
    """One setting: its key, default, type and a sentence for the Definitions page.

    An ``int`` or ``float`` setting accepts only finite numbers from ``minimum`` to
    ``maximum`` (both included); an ``int`` setting refuses fractions instead of
    truncating them.
    """

    key: str
    default: Any
    kind: str  # "int", "float", "bool", "str", "list", "choice", "timezone", "currency"
    description: str
    choices: tuple[str, ...] = ()
    group: str = "metrics"
    minimum: float = 0
    maximum: float = DEFAULT_MAXIMUM

    def allowed(self) -> str:
        """The values a number setting accepts, in words: "a whole number from 0 to 3650"."""
        what = "a whole number" if self.kind == "int" else "a number"
        return f"{what} from {_plain(self.minimum)} to {_plain(self.maximum)}"


def _plain(x: float) -> str:
    """A bound as a person types it: 3650, 0.5, 1000000 (no exponent, no trailing .0)."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "mql_score_threshold",
        60.0,
        "float",
        "A lead with a score at or above this is an MQL when the CRM gives no MQL date.",
        maximum=1_000_000,
    ),
    Setting(
        "sla_hours",
        24.0,
        "float",
        "Handoff SLA: hours from handoff to the first sales attempt.",
        maximum=8760,
    ),
    Setting(
        "give_up_days",
        14,
        "int",
        "A worked lead with no activity for this many days, no connect and no SQL is given up.",
        maximum=3650,
    ),
    Setting(
        "attempt_types",
        ["call", "email", "sms", "chat", "zalo", "meeting", "whatsapp", "linkedin"],
        "list",
        "Activity types that count as a sales attempt.",
    ),
    Setting(
        "attempt_outbound_only",
        True,
        "bool",
        "Only outbound activities (or ones with no direction) count as attempts.",
    ),
    Setting(
        "inbound_counts_as_contact",
        True,
        "bool",
        "An inbound activity (the lead called or wrote in) with a connect outcome counts as "
        "sales reaching the lead: for the first touch, connects and given-up leads (it is "
        "never counted as an attempt while attempt_outbound_only is on).",
    ),
    Setting(
        "connect_outcomes",
        ["connected", "replied", "completed", "meeting held", "answered", "held"],
        "list",
        "Activity outcomes that mean sales reached the lead (a connect).",
    ),
    Setting(
        "cohort_basis",
        "created",
        "choice",
        "Which date puts a lead in a period: when it was created, or when it became an MQL.",
        choices=("created", "mql"),
    ),
    Setting(
        "currency",
        "VND",
        "currency",
        "Currency amounts are reported in (an ISO 4217 code such as VND, USD or EUR).",
        group="data",
    ),
    Setting(
        "timezone",
        "UTC",
        "timezone",
        "Time zone of dates in uploaded files that carry none, and where days and months "
        "(cohorts, date filters) start; stored times are UTC.",
        group="data",
    ),
    Setting(
        "display_timezone",
        "Asia/Ho_Chi_Minh",
        "timezone",
        "Time zone the dashboard and its downloads show times in (lead lists, waiting leads); "
        "the team's own, so a time reads as the clock on the wall did. Stored times stay UTC "
        "and no figure depends on it.",
        group="data",
    ),
    Setting(
        "date_order",
        "",
        "choice",
        "Order of day and month in slash dates when a file cannot tell (dmy or mdy).",
        choices=("", "dmy", "mdy"),
        group="data",
    ),
    Setting(
        "decimal",
        "",
        "choice",
        "Decimal separator of amounts when a file cannot tell ('.' or ',').",
        choices=("", ".", ","),
        group="data",
    ),
    Setting(
        "personal_data",
        "hash",
        "choice",
        "E-mail and phone: stored as keyed hashes ('hash', the key kept outside the "
        "workspace) or dropped ('drop') once leads are de-duplicated.",
        choices=("hash", "drop"),
        group="data",
    ),
    Setting(
        "duplicate_source",
        "first",
        "choice",
        "When leads that are the same person (same e-mail or phone) are merged into the "
        "earliest one, whose source and campaign the merged lead keeps: the earliest lead's "
        "('first', first touch) or the latest lead's ('latest', last touch). Their deals and "
        "activities always move to the kept lead.",
        choices=("first", "latest"),
        group="data",
    ),
    Setting(
        "max_file_mb",
        1024,
        "int",
        "Largest file a load reads, in MB once decompressed (a .gz file's expansion, an Excel "
        "workbook's contents); a larger file is refused as soon as reading passes it. 0: no "
        "limit.",
        group="data",
    ),
    Setting(
        "max_line_kb",
        1024,
        "int",
        "Longest line of a CSV/TSV file, in KB; a longer line (a file with no line breaks) is "
        "refused when it is reached. 0: no limit.",
        group="data",
    ),
    Setting(
        "max_cell_chars",
        32767,
        "int",
        "Longest single value a load accepts, in characters (32,767 is Excel's own cell "
        "limit); a longer value is refused with its column and row. 0: no limit.",
        group="data",
    ),
    Setting(
        "callout_min_leads",
        30,
        "int",
        "Review callouts ignore a source or rep with fewer MQLs or handed-off leads than this.",
        group="review",
        maximum=1_000_000,
    ),
    Setting(
        "callout_share_gap",
        0.10,
        "float",
        "Call out a source whose share of sales rejections exceeds its share of MQLs by at "
        "least this (0.10 = 10 percentage points).",
        group="review",
        maximum=1,
    ),
    Setting(
        "callout_quality_ratio",
        0.5,
        "float",
        "Call out a source the score over-rates: it gets at least the others' MQL rate, yet its "
        "MQLs become SQLs at no more than this fraction of the other sources' rate.",
        group="review",
        maximum=10,
    ),
    Setting(
        "callout_sla_multiple",
        1.0,
        "float",
        "Call out a rep whose median first touch after handoff is at least this multiple of "
        "the SLA.",
        group="review",
        maximum=100,
    ),
    Setting(
        "callout_one_attempt_rate",
        0.5,
        "float",
        "Call out a rep who makes exactly one attempt on at least this share of handed-off leads.",
        group="review",
        maximum=1,
    ),
    Setting(
        "callout_false_rejection_rate",
        0.01,
        "float",
        "Call out rejected leads that later won when they are at least this share of rejections.",
        group="review",
        maximum=1,
    ),
    Setting(
        "callout_missed_rate",
        0.05,
        "float",
        "Call out never-MQL leads that won when they are at least this share of the won leads.",
        group="review",
        maximum=1,
    ),
    Setting(
        "callout_pending_rate",
        0.10,
        "float",
        "Call out handed-off leads still waiting for a sales decision past the SLA when they are "
        "at least this share of handed-off leads.",
        group="review",
        maximum=1,
    ),
    Setting(
        "rep_below_team_gap",
        0.05,
        "float",
        "A rep is below the team when their SLA compliance is more than this under the "
        "team's (0.05 = 5 percentage points); the Follow-up page and the report mark them.",
        group="review",
        maximum=1,
    ),
)

SETTINGS_BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}


def defaults() -> dict[str, Any]:
    """All settings at their default values."""
    return {s.key: s.default for s in SETTINGS}


def coerce(key: str, value: Any) -> Any:
    """Return ``value`` converted to the type of setting ``key``; raise HandoffError if invalid.

    Accepts the text a user types (``--set sla_hours=4``) as well as typed values. A number
    setting takes only finite numbers within its range (``inf``, ``nan``, ``1e400`` and
    ``1e308`` are refused, naming the range); a whole-number setting takes ``2`` and
    ``2.0`` but refuses ``1.5`` rather than truncating it. A currency is an ISO 4217 code
    in any case, returned upper-case.
    """
    if key not in SETTINGS_BY_KEY:
        raise HandoffError(
            Problem(
                f"unknown setting {key!r}",
                fix=f"use one of: {', '.join(SETTINGS_BY_KEY)}",
            )
        )
    s = SETTINGS_BY_KEY[key]
    if s.kind in ("int", "float"):
        return _number(s, value)
    if s.kind == "currency":
        return _currency(s, value)
    try:
        if s.kind == "bool":
            if isinstance(value, bool):
                out: Any = value
            elif str(value).strip().lower() in {"1", "true", "yes", "y", "on"}:
                out = True
            elif str(value).strip().lower() in {"0", "false", "no", "n", "off"}:
                out = False
            else:
                raise ValueError
        elif s.kind == "list":
            if isinstance(value, str):
                text = value.strip()
                items = json.loads(text) if text.startswith("[") else text.split(",")
            else:
                items = list(value)
            out = [str(v).strip().lower() for v in items if str(v).strip()]
        elif s.kind == "choice":
            out = str(value).strip().lower()
            if out not in s.choices:
                raise ValueError
        elif s.kind == "timezone":
            out = str(value).strip()
            zoneinfo.ZoneInfo(out)
        else:
            out = str(value).strip()
    except (ValueError, TypeError, json.JSONDecodeError, zoneinfo.ZoneInfoNotFoundError):
        expected = {
            "bool": "true or false",
            "list": "a comma-separated list",
            "choice": "one of " + ", ".join(repr(c) for c in s.choices),
            "timezone": "an IANA time zone such as Asia/Ho_Chi_Minh",
        }.get(s.kind, "text")
        raise HandoffError(
            Problem(f"setting {key!r} cannot be {as_written(value)}", fix=f"give {expected}")
        ) from None
    return out


def _number(s: Setting, value: Any) -> int | float:
    """A finite number within the setting's range; a whole number for an int setting."""

    def refuse(why: str = "") -> HandoffError:
        return HandoffError(
            Problem(
                f"setting {s.key!r} cannot be {as_written(value)}{why}",
                fix=f"give {s.allowed()}",
            )
        )

    if isinstance(value, bool) or value is None:
        raise refuse()
    if isinstance(value, int):
        number: float = value
    else:
        text = str(value).strip()
        try:
            # integers as integers: float("12345678901234567890") would lose digits
            number = int(text) if text.lstrip("+-").isdigit() else float(text)
        except (ValueError, OverflowError):
            raise refuse() from None
    if isinstance(number, float) and not math.isfinite(number):
        raise refuse(" (not a finite number)")
    if not s.minimum <= number <= s.maximum:
        raise refuse(" (out of range)")
    if s.kind == "float":
        return float(number)
    if isinstance(number, float) and not number.is_integer():
        raise refuse(" (not a whole number)")
    return int(number)


def _currency(s: Setting, value: Any) -> str:
    """An ISO 4217 code (any case in, upper-case out), else a message with close codes."""
    code = currencies.normalise(value) if isinstance(value, str) else None
    if code is not None:
        return code
    near = currencies.close_matches(value) if isinstance(value, str) else []
    hint = f" (did you mean {' or '.join(near)}?)" if near else ""
    raise HandoffError(
        Problem(
            f"setting {s.key!r} cannot be {as_written(value)}: it is not an ISO 4217 "
            f"currency code{hint}",
            fix=f"give {currencies.FORM}",
        )
    )


def parse_assignments(pairs: list[str] | None) -> dict[str, Any]:
    """Parse ``key=value`` strings (from ``--set``) into validated settings."""
    out: dict[str, Any] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise HandoffError(
                Problem(f"--set {pair!r} is not key=value", fix="write e.g. --set sla_hours=4")
            )
        key, value = pair.split("=", 1)
        out[key.strip()] = coerce(key.strip(), value)
    return out
