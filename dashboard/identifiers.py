"""Column and table names that reach SQL text: one strict pattern and DuckDB's own quoting.

Values are always bound as parameters; names cannot be, so every name that comes from a
file (a mapping key, a header) is checked against :data:`SAFE_NAME` before it is used, and
every name pasted into SQL is quoted with :func:`quote`. Either alone stops injection; both
together mean a name that slipped past one check still cannot become SQL.
"""

from __future__ import annotations

import re
import unicodedata

# lower-case ASCII letter first, then letters, digits and _; 63 characters at most
# (the longest name every SQL engine keeps as written)
SAFE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")

NAME_RULE = (
    "lower-case letters a-z, digits and _ only, starting with a letter, at most 63 characters"
)


def is_safe(name: object) -> bool:
    """True when ``name`` is text matching :data:`SAFE_NAME` exactly (nothing is trimmed)."""
    return isinstance(name, str) and SAFE_NAME.fullmatch(name) is not None


def suggest(name: str) -> str:
    """A safe name close to ``name``, for the fix in a refusal message (never used silently)."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not text or not text[0].isalpha():
        text = "c_" + text
    return text[:63].rstrip("_")


def quote(name: str) -> str:
    """``name`` as a DuckDB identifier: in double quotes, inner double quotes doubled."""
    return '"' + str(name).replace('"', '""') + '"'
