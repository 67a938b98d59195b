"""Errors and warnings that tell a user which file, column and rows are wrong, and the fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# Characters that would move the cursor, change colours or break a line when a message
# is printed: C0 and C1 controls, DEL, line and paragraph separators, bidi overrides.
_INVISIBLE = {
    **{c: None for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)]},
    **{c: None for c in (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(name: object) -> str:
    """A file name (or any text from the user) safe to print on one line of a terminal.

    Newlines, tabs, ESC and every other control character are shown escaped (``\\n``,
    ``\\t``, ``\\x1b``, ``\\u202e``), so a file named to clear the screen or to fake a
    second message line prints as its letters. Other characters (accents, Vietnamese)
    are kept as they are; a backslash is kept as it is.
    """
    text = str(name)
    if not any(ord(ch) in _INVISIBLE for ch in text):
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if code not in _INVISIBLE:
            out.append(ch)
        elif ch in _SHORT:
            out.append(_SHORT[ch])
        else:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    return "".join(out)


def as_written(value: object) -> str:
    """A value as a person would write it in a setting or a mapping file, never a Python repr.

    Text is quoted, dates and times are ISO (a TOML date is ``2026-03-01``, not
    ``datetime.date(2026, 3, 1)``), booleans are ``true``/``false``, lists and tables are
    written as TOML writes them.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {as_written(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(as_written(v) for v in value) + "]"
    return str(value)


@dataclass(frozen=True)
class RowExample:
    """One offending row: its number as a spreadsheet shows it (header = row 1) and value."""

    row: int
    value: object


@dataclass
class Problem:
    """A finding about an input file.

    ``file`` and ``column`` name where it is; ``rows`` shows the first offending rows
    (numbered as a spreadsheet shows them: the header is row 1, the first data row is
    row 2); ``count`` is how many
    rows are affected in all; ``fix`` says what the user should do.
    """

    message: str
    fix: str = ""
    file: str | None = None
    column: str | None = None
    rows: Sequence[RowExample] = field(default_factory=list)
    count: int | None = None
    severity: str = "error"  # "error" stops the load; "warning" is kept and reported

    def render(self) -> str:
        """One paragraph: where, what, which rows, and the fix."""
        where = []
        if self.file:
            where.append(printable(self.file))
        if self.column:
            where.append(f"column {self.column!r}")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.rows:
            shown = "; ".join(
                f"row {r.row}: " + ("(empty)" if r.value is None else repr(r.value))
                for r in self.rows[:5]
            )
            more = ""
            total = self.count if self.count is not None else len(self.rows)
            if total > min(len(self.rows), 5):
                more = f" (and {total - min(len(self.rows), 5)} more)"
            text += f" [{shown}{more}]"
        elif self.count:
            text += f" ({self.count} rows)"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


class HandoffError(Exception):
    """An error a user can act on. ``problems`` carries one or more located findings."""

    def __init__(self, message: str | Problem, problems: Sequence[Problem] | None = None):
        if isinstance(message, Problem):
            problems = [message, *(problems or [])]
            message = message.render()
        self.problems: list[Problem] = list(problems or [])
        super().__init__(message)

    def render(self) -> str:
        """The message as shown to a user: the summary plus each located problem.

        Every line is :func:`printable`: a file or workspace name in the text cannot
        break the paragraph or send escape sequences to the terminal.
        """
        lines = [printable(self)]
        for p in self.problems:
            rendered = printable(p.render())
            if rendered != lines[0]:
                lines.append(f"- {rendered}")
        return "\n".join(lines)


class MissingInputsError(HandoffError):
    """A metric needs columns or tables that are not loaded."""

    def __init__(self, metric: str, needs: Sequence[str]):
        self.metric = metric
        self.needs = list(needs)
        super().__init__(
            f"{metric} needs {', '.join(self.needs)}; load a file with "
            + ("this column" if len(self.needs) == 1 else "these columns")
            + " to see it"
        )


def examples(rows: Sequence[int], values: Sequence[object], limit: int = 5) -> list[RowExample]:
    """Pair 0-based frame positions with values as spreadsheet row numbers (first ``limit``).

    Position 0 is the first data row, which a spreadsheet shows as row 2 under the header.
    """
    return [RowExample(int(r) + 2, v) for r, v in list(zip(rows, values, strict=False))[:limit]]
