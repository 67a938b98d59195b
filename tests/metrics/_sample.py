"""Filters of the sample workspace both ways: for the SQL metrics and for the references."""

from __future__ import annotations

import datetime as dt

from dashboard import metrics
from tests.reference.base import RefFilters


def both(**kw) -> tuple[metrics.Filters, RefFilters]:
    """The same filter as the dashboard's ``Filters`` and the references' ``RefFilters``."""
    return metrics.Filters(**kw), RefFilters(**kw)


SAMPLE_CASES = [
    both(),
    both(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 4, 30)),
    both(sources=["Zalo OA", "Referral", "Google Ads"]),
    both(owners=["Vũ Thị Lan", "Đỗ Quang Huy", "Nguyễn Văn An"]),
]
