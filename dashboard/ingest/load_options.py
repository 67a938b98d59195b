"""How a load reads values: the options a canonical table is built with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass
class Options:
    """How to read values: set from the workspace settings, a mapping file or the CLI."""

    timezone: str = "UTC"
    date_order: str | None = None
    decimal: str | None = None
    currency: str | None = None
    personal_data: str = "hash"  # "hash" or "drop"
    # whose source and campaign a merged duplicate keeps: "first" or "latest" lead's
    duplicate_source: str = "first"
    # HMAC key for e-mail and phone (dashboard.secret: never stored in the workspace)
    key: bytes = b""
    # "load_date" or a YYYY-MM-DD date given to rows with no created date (None: stop)
    missing_created_at: str | None = None
    # the date of this load, for missing_created_at = "load_date"
    load_date: dt.date | None = None

    def created_fill(self) -> str | None:
        """The date (YYYY-MM-DD) rows with no created date get, or None to stop on them."""
        if not self.missing_created_at:
            return None
        if self.missing_created_at == "load_date":
            return (self.load_date or dt.date.today()).isoformat()
        return self.missing_created_at
