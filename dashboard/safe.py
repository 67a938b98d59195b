"""User data stays data on the way out: CSV cells a spreadsheet would run are neutralised,
and names, values and messages shown on a page or in a Markdown document are never markup."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from dashboard.errors import HandoffError, Problem

# A text cell starting with one of these is read by Excel, LibreOffice and Google Sheets as
# a formula (OWASP, "CSV Injection"): =HYPERLINK(...), +cmd|..., -2+3, @SUM(...), a tab or
# a carriage return before any of them.
FORMULA_START = r"^[=+\-@\t\r]"


def csv_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text cell that a spreadsheet would run prefixed with ``'``.

    Only text columns change; numbers stay numbers (a stored -5 is a number, "-5" as text
    is neutralised). Polars expressions only, no Python callbacks.
    """
    text = [n for n, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(pl.col(n).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(n))
        .otherwise(pl.col(n))
        .alias(n)
        for n in text
    )


# ----------------------------------------------------------------------------- markup
# Every ASCII punctuation character Streamlit's Markdown (CommonMark + GFM, its directives
# ``:red[..]`` / ``:material/..:`` / emoji shortcodes, and ``$..$`` LaTeX) gives a meaning
# to; ``@`` too, so an e-mail address is not turned into a ``mailto:`` link. CommonMark lets
# any ASCII punctuation be backslash-escaped, and an escaped character is always a letter.
# ``&``, ``<`` and ``>`` become HTML entities instead (they are no markup then, and an entity
# is what an HTML report needs as well), so ``;`` and ``&`` are not in this set.
MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|~$:@")
# GitHub-flavoured Markdown (remark-gfm, which Streamlit uses) links a bare
# ``https://…``, ``www.…`` or ``name@host`` found in the text *after* escapes are read, so a
# backslash does not stop it (remarkjs/remark-gfm#33). An invisible word joiner (U+2060)
# after ``:`` before ``//``, after ``www`` before ``.`` and after ``@`` breaks those patterns
# and shows nothing.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def md_text(value: object) -> str:
    """``value`` as Markdown that shows exactly its letters, on one line.

    For a name, file name, column or value from the user that goes into ``st.markdown``,
    ``st.caption``, an alert, a metric or expander label, a message parameter or a Markdown
    document: links, images, emphasis, code, headings, tables, LaTeX, Streamlit colour and
    icon directives and raw HTML all come out as text. Line breaks and control characters
    are shown escaped (``\\n``), as :func:`dashboard.errors.printable` prints them, so a
    value cannot start a heading or a list on a line of its own. Letters, digits, spaces and
    non-ASCII text (Vietnamese) are unchanged; a bare web or e-mail address gets an
    invisible word joiner so it is not linked.
    """
    from dashboard.errors import printable

    text = html.escape(_AUTOLINK.sub(WORD_JOINER, printable(value)), quote=False)
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in text)


def md_code(value: object) -> str:
    """``value`` as a Markdown code span (monospace, shown as written, on one line).

    Nothing inside a code span is markup; the fence is one backtick longer than the longest
    run of backticks in the value, so a backtick in it cannot close the span early.
    """
    from dashboard.errors import printable

    text = printable(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or longest else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_lines(text: str) -> str:
    """A plain-text message of several lines (``HandoffError.render()``) as safe Markdown.

    Each line is :func:`md_text`; a line the message starts with ``- `` stays a list item,
    so the located problems under a summary still show as a list.
    """
    out = []
    for line in text.splitlines():
        if line.startswith("- "):
            out.append("- " + md_text(line[2:]))
        else:
            out.append(md_text(line))
    return "\n".join(out)


def problem_md(problem: Problem) -> str:
    """A :class:`~dashboard.errors.Problem` (file, column, rows, message, fix) as safe Markdown.

    The whole paragraph is text: the file and column names and the quoted values come from
    the user, and the message is written for a terminal, so nothing in it is markup.
    """
    return md_text(problem.render())


def error_md(error: HandoffError) -> str:
    """A :class:`~dashboard.errors.HandoffError` as safe Markdown: summary, then its problems."""
    return md_lines(error.render())
