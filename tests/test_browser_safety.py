"""Hostile links in the browser (issue 11): `streamlit run app.py` and Debian's Chromium. Each link
renders the race (its bad parts replaced, with a warning); nothing in the page comes from the link's
Markdown: no live link to the link's site, no image loaded from it; at most a handful of warnings."""

from __future__ import annotations

import time
from urllib.parse import quote, urlsplit

import pytest

from tests.browser_support import screenshot, wait_for_charts, wait_idle
from ui.page import MAX_SHOWN

pytestmark = pytest.mark.browser

ALERT = '[data-testid="stAlert"]'
LINKS = {
    "markdown-link": "[Login again](https://example.com/login)",
    "markdown-image": "![](http://host/a.png)",
    "html": '<a href="https://example.com/x">click</a><img src="http://host/b.png">',
}


def _open(page, query: str) -> float:
    """Navigate to the race with ``query``; seconds until its charts are drawn and the page is idle."""
    t0 = time.perf_counter()
    page.goto(f"{page.base}/?{query}")
    wait_for_charts(page, 3)
    wait_for_charts(page, 1, ".imagelayer image")
    wait_idle(page)
    return time.perf_counter() - t0


@pytest.fixture
def page(server, browser_page):
    """The module's browser page, its server's address as ``page.base``, the requests it makes as
    ``page.requests``."""
    requests: list[str] = []

    def record(request) -> None:
        requests.append(request.url)

    browser_page.base, browser_page.requests = server, requests
    browser_page.on("request", record)
    yield browser_page
    browser_page.remove_listener("request", record)


@pytest.mark.parametrize("name", list(LINKS))
def test_markdown_and_html_in_a_link_stay_text(page, name):
    text = LINKS[name]
    _open(page, "v=1&ls=" + quote(text, safe=""))
    alerts = page.locator(ALERT)
    assert 1 <= alerts.count() <= MAX_SHOWN + 1
    shown = [alerts.nth(i).inner_text().replace("\u2060", "") for i in range(alerts.count())]
    assert any(text[:30] in t for t in shown), shown  # shown as typed (quoted, long ones cut)
    assert page.locator('a[href*="example.com"]').count() == 0
    assert page.locator('img[src*="host"]').count() == 0
    assert not [u for u in page.requests if urlsplit(u).hostname in ("host", "example.com")]  # nothing fetched
    screenshot(page, f"hostile-{name}")


def test_thirty_thousand_broken_pieces_give_a_handful_of_warnings(page):
    settled = _open(page, "v=1&ls=ravine&lp=" + ":," * 30_000)
    alerts = page.locator(ALERT)
    assert 1 <= alerts.count() <= MAX_SHOWN + 1
    assert "30,000 times" in alerts.first.inner_text()
    assert any("Ravine" in t for t in page.eval_on_selector_all(".gtitle", "els => els.map(e => e.textContent)"))
    print(f"the 30,000-piece link: charts drawn and the page idle {settled:.1f} s after navigation")
    screenshot(page, "hostile-30000-pieces")
