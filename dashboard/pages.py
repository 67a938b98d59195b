"""The dashboard's pages: file, title message, icon and address, grouped by audience."""

from __future__ import annotations

# (file, message key, icon, url path), grouped by audience; the first page is the home
# page (served at "/"), every other page also has its own address
SECTIONS = {
    "common.section_meeting": [
        ("review.py", "pages.review", ":material/groups:", "review"),
        ("scoring.py", "pages.scoring", ":material/tune:", "scoring"),
    ],
    "common.section_marketing": [
        ("funnel.py", "pages.funnel", ":material/filter_alt:", "funnel"),
        ("revenue.py", "pages.revenue", ":material/payments:", "revenue"),
        ("quality.py", "pages.quality", ":material/balance:", "quality"),
    ],
    "common.section_sales": [
        ("handoff.py", "pages.handoff", ":material/sync_alt:", "handoff"),
        ("followup.py", "pages.followup", ":material/call:", "followup"),
    ],
    "common.section_setup": [
        ("definitions.py", "pages.definitions", ":material/menu_book:", "definitions"),
        ("data.py", "pages.data", ":material/database:", "data"),
    ],
}
