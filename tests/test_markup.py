"""User text is never markup: a source, owner, campaign, segment value, file name or a
settings author named like Markdown, HTML, LaTeX or a Streamlit directive is shown as its
letters on every page, in the report and in the definitions agreement."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import agreement, safe
from dashboard.pages import SECTIONS
from dashboard.workspace import Workspace
from tests.conftest import REPO, SAMPLE

APP = str(REPO / "dashboard" / "app.py")
PAGES = [file for entries in SECTIONS.values() for file, *_ in entries]

# every value a viewer must see as text; each one would be live markup if pasted raw
SOURCE = "[click](https://evil.example) Zalo"
OWNER = "![x](https://track.example/p.png) Huy"
CAMPAIGN = ":red[Camp] $x$ <b>bold</b>"
SEGMENT = "**Retail** :material/warning: <img src=https://track.example/s.png>"
AUTHOR = "[Lan](https://evil.example/a)"
REASON = "<script>alert(1)</script> ![r](https://track.example/r.png) `code` _it_"

# substrings that only occur when one of the values above went out unescaped
LIVE = (
    "](https://",
    "![",
    "<img",
    "<script",
    "<b>",
    ":red[",
    ":material/warning:",
    "$x$",
    "**Retail**",
    "`code`",
    "_it_",
)


def live_markup(text: str) -> list[str]:
    """The hostile fragments that appear unescaped in ``text``."""
    return [frag for frag in LIVE if frag in text]


# ----------------------------------------------------------------------------- the helper
def test_md_text_escapes_every_markdown_punctuation_streamlit_reads() -> None:
    assert safe.md_text("[click](https://evil.example)") == (
        "\\[click\\]\\(https\\:\u2060//evil\\.example\\)"
    )
    assert safe.md_text("![x](u)") == r"\!\[x\]\(u\)"
    assert safe.md_text("*a* _b_ `c` ~d~ #e +f -g |h| {i}") == (
        r"\*a\* \_b\_ \`c\` \~d\~ \#e \+f \-g \|h\| \{i\}"
    )
    assert safe.md_text("$x$ :red[y] :material/home:") == (r"\$x\$ \:red\[y\] \:material/home\:")
    assert safe.md_text("a\\b") == "a\\\\b"


def test_md_text_escapes_html() -> None:
    assert safe.md_text("<img src=x> & <b>") == "&lt;img src=x&gt; &amp; &lt;b&gt;"
    assert safe.md_text("<script>alert(1)</script>") == (
        "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"
    )


def test_md_text_keeps_a_value_on_its_line_and_leaves_plain_words_alone() -> None:
    # a line break would start a heading, a list or a quote in the surrounding text
    assert "\n" not in safe.md_text("a\n# heading\n- item")
    assert safe.md_text("Nguyễn Văn An") == "Nguyễn Văn An"
    assert safe.md_text(None) == "None"
    assert safe.md_text(12) == "12"


def test_md_text_defeats_bare_links_and_e_mail_autolinks() -> None:
    # GitHub-flavoured Markdown links a bare URL, www. name or e-mail address
    for raw in ("https://evil.example", "www.evil.example", "me@evil.example"):
        # what the reader gets once the escapes are read: no pattern remark-gfm links
        text = safe.md_text(raw).replace("\\", "")
        assert "://" not in text and "www." not in text and "@evil" not in text, text
        assert text.replace(safe.WORD_JOINER, "") == raw


def test_problem_render_md_escapes_the_user_parts_only() -> None:
    from dashboard.errors import HandoffError, Problem, RowExample

    p = Problem(
        "a date could not be read",
        fix="write dates as YYYY-MM-DD",
        file="[f](https://evil.example).csv",
        column="<img src=x>",
        rows=[RowExample(2, "![x](https://track.example/p.png)")],
    )
    shown = safe.problem_md(p)
    assert live_markup(shown) == [] and "<img" not in shown
    assert "a date could not be read" in shown and "write dates as YYYY\\-MM\\-DD" in shown
    err = HandoffError(p)
    shown = safe.error_md(err)
    assert live_markup(shown) == [] and "<img" not in shown


# ----------------------------------------------------------------------------- the pages
def _hostile_files(folder: Path) -> list[Path]:
    """The sample data with one source, owner, campaign and industry renamed to markup."""
    leads = pl.read_csv(SAMPLE / "leads.csv", infer_schema=False)
    campaign = (
        leads.filter(pl.col("source") == "Zalo OA")["campaign"].drop_nulls().value_counts()
    ).sort("count", descending=True)["campaign"][0]

    def rename(frame: pl.DataFrame) -> pl.DataFrame:
        changes = []
        if "source" in frame.columns:
            changes.append(pl.col("source").replace({"Zalo OA": SOURCE}))
        if "owner" in frame.columns:
            changes.append(pl.col("owner").replace({"Đỗ Quang Huy": OWNER}))
        if "campaign" in frame.columns:
            changes.append(pl.col("campaign").replace({campaign: CAMPAIGN}))
        if "industry" in frame.columns:
            changes.append(pl.col("industry").replace({"Retail": SEGMENT}))
        return frame.with_columns(changes) if changes else frame

    out = []
    for name in ("leads.csv", "deals.csv", "activities.csv", "spend.csv"):
        target = folder / name
        rename(pl.read_csv(SAMPLE / name, infer_schema=False)).write_csv(target)
        out.append(target)
    return out


@pytest.fixture(scope="module")
def hostile_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "hostile.duckdb"
    with Workspace(path) as ws:
        ws.load(_hostile_files(folder))
        ws.set_settings({"sla_hours": 12}, author=AUTHOR, reason=REASON)
    return path


MARKUP_FIELDS = {"body", "label", "help", "delta", "caption", "title"}


def _strings(message: object) -> Iterator[str]:
    """Every markup-bearing text of a protobuf element: bodies, labels, help, deltas."""
    for field, value in message.ListFields():  # type: ignore[attr-defined]
        repeated = not isinstance(value, (str, bytes)) and hasattr(value, "__len__")
        items = value if repeated and not hasattr(value, "ListFields") else [value]
        for item in items:
            if hasattr(item, "ListFields"):
                yield from _strings(item)
            elif isinstance(item, str) and field.name in MARKUP_FIELDS:
                yield item


def _shown(at: AppTest) -> list[str]:
    """The Markdown source of every element and block label the page sent to the browser."""

    def walk(node: object) -> Iterator[str]:
        proto = getattr(node, "proto", None)
        if proto is not None:
            yield from _strings(proto)
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return list(walk(at._tree))


def _app(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> AppTest:
    monkeypatch.setenv("HANDOFF_WORKSPACE", str(workspace))
    from dashboard import ui

    ui.clear_caches()
    return AppTest.from_file(APP, default_timeout=180)


def _page(at: AppTest, page: str, **params: str | list[str]) -> list[str]:
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"views/{page}")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return _shown(at)


def _assert_safe(texts: list[str]) -> None:
    leaks = [(frag, text) for text in texts for frag in live_markup(text)]
    assert leaks == [], leaks[:5]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_hostile_names_as_text(monkeypatch, hostile_workspace, page) -> None:
    at = _app(monkeypatch, hostile_workspace)
    _assert_safe(_page(at, page))


# a click on a chart mark, as Streamlit reports it: the drill-down under the chart names the
# clicked source, rep or segment value in its title
CLICKS = [
    ("funnel.py", {}, {"source-heat": {"source": SOURCE, "stage": "mql"}}, SOURCE),
    ("handoff.py", {}, {"pending-owner-chart": {"owner_label": OWNER}}, OWNER),
    ("quality.py", {}, {"source-chart": {"source": SOURCE}}, SOURCE),
    ("revenue.py", {}, {"revenue-chart": {"source": SOURCE}}, SOURCE),
    ("followup.py", {}, {"reps-scatter": {"owner": OWNER}}, OWNER),
    (
        "scoring.py",
        {},
        {"attributes-chart": {"attribute": "source"}, "lift-chart-source": {"value": SOURCE}},
        SOURCE,
    ),
    (
        "scoring.py",
        {"segment": "industry"},
        {"attributes-chart": {"attribute": "industry"}, "lift-chart-industry": {"value": SEGMENT}},
        SEGMENT,
    ),
]


@pytest.fixture
def clicks(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict]:
    """Charts report the mark of ``clicks[key]`` as clicked (a browser would send it)."""
    import streamlit as st

    chosen: dict[str, dict] = {}
    original = st.altair_chart

    def altair_chart(*args, **kwargs):
        event = original(*args, **kwargs)
        point = chosen.get(kwargs.get("key"))
        return SimpleNamespace(selection={"pick": [point]}) if point else event

    monkeypatch.setattr(st, "altair_chart", altair_chart)
    return chosen


@pytest.mark.parametrize(("page", "params", "marks", "expected"), CLICKS)
def test_drill_downs_name_the_clicked_value_as_text(
    monkeypatch, hostile_workspace, clicks, page, params, marks, expected
) -> None:
    clicks.update(marks)
    at = _app(monkeypatch, hostile_workspace)
    texts = _page(at, page, **params)
    _assert_safe(texts)
    assert any(safe.md_text(expected) in text for text in texts), "the drill-down names it"


def test_definitions_page_shows_the_author_and_reason_as_text(
    monkeypatch, hostile_workspace
) -> None:
    at = _app(monkeypatch, hostile_workspace)
    texts = _page(at, "definitions.py")
    _assert_safe(texts)
    joined = "\n".join(texts)
    assert safe.md_text(AUTHOR) in joined, "the agreement preview names the author"
    assert AUTHOR not in joined


def test_agreement_markdown_carries_no_raw_html_or_live_link(hostile_workspace) -> None:
    with Workspace(hostile_workspace, read_only=True) as ws:
        stored = ws.settings()
        log = agreement.read_log(ws)
    import datetime as dt

    doc = agreement.agreement_markdown(stored, log, "en", "hostile", dt.datetime(2026, 1, 1))
    assert live_markup(doc) == []
    assert not re.search(r"<(script|img|b)\b", doc)
    assert safe.md_text(AUTHOR) in doc


# a browser sends only the name after the last "/", so the name carries no URL path
HOSTILE_FILE = "![x](track.example) :red[f] $x$ leads.csv"


def _data_page(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> AppTest:
    at = _app(monkeypatch, workspace)
    _page(at, "data.py")
    return at


def test_data_page_shows_an_uploaded_file_name_and_its_notes_as_text(monkeypatch, tmp_path) -> None:
    at = _data_page(monkeypatch, tmp_path / "ws.duckdb")
    # an extra column with markup in its name and values, a date the reader notes
    content = (
        f"lead_id,created_at,source,owner,{SEGMENT}\n"
        f'A,2026-01-01,"{SOURCE}","{OWNER}",x\nB,2026-01-02,Web,An,y\n'
    ).encode()
    at.file_uploader(key="uploader").upload(HOSTILE_FILE, content, "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    texts = _shown(at)
    _assert_safe(texts)
    assert any(safe.md_text(HOSTILE_FILE) in text for text in texts), "the file is named"
    at.button(key="load").click().run()
    assert not at.exception, [e.message for e in at.exception]
    _assert_safe(_shown(at))


def test_data_page_shows_a_refused_file_and_the_values_it_quotes_as_text(
    monkeypatch, tmp_path
) -> None:
    at = _data_page(monkeypatch, tmp_path / "ws.duckdb")
    # the same lead id twice: the message names the file, the column and quotes the ids
    content = f'lead_id,created_at\n"{OWNER}",2026-01-01\n"{OWNER}",2026-01-02\n'.encode()
    at.file_uploader(key="uploader").upload(HOSTILE_FILE, content, "text/csv").run()
    assert not at.exception, [e.message for e in at.exception]
    errors = [e.value for e in at.error]
    assert errors, "the file is refused with a message"
    _assert_safe(_shown(at))
    assert any(safe.md_text(HOSTILE_FILE) in e for e in errors)


@pytest.mark.browser
def test_in_chromium_hostile_names_render_as_their_letters(hostile_workspace) -> None:
    from tests.browser import browser, dashboard_server, wait_for_app

    with dashboard_server(hostile_workspace) as url, browser() as b:
        page = b.page
        for path, names in (("review", (SOURCE, OWNER)), ("definitions", (AUTHOR,))):
            page.goto(f"{url}/{path}")
            wait_for_app(page)
            page.wait_for_selector("h1", timeout=60_000)
            wait_for_app(page)
            if path == "definitions":
                page.get_by_text("Preview the agreement").first.click()
                wait_for_app(page)
            main = page.locator('[data-testid="stMain"]')
            # no link leads to the attacker's host; an evidence link to our own page may
            # carry the hostile source as an encoded value of its address, which is data
            hosts = main.locator("a[href]").evaluate_all(
                "links => links.map(a => new URL(a.href, location.href).hostname)"
            )
            assert not [h for h in hosts if "evil.example" in h], (path, hosts)
            assert main.locator('img[src*="track.example"]').count() == 0, path
            shown = main.inner_text().replace(safe.WORD_JOINER, "")
            for name in names:
                assert name in shown, (path, name)
