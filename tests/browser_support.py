"""Helpers for the end-to-end tests: the server and browser helpers of ``benchmarks/serve.py``
(``streamlit run`` on a free local port, Debian's Chromium through Playwright), and screenshots
and chart texts of a page."""

from __future__ import annotations

from pathlib import Path

from benchmarks.serve import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PLOTLY_CHART,
    ROOT,
    chromium_page,
    free_port,
    streamlit_server,
    wait_for_charts,
    wait_idle,
)

SHOTS = ROOT / "artifacts" / "screenshots"
__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "PLOTLY_CHART",
    "ROOT",
    "SHOTS",
    "chart_titles",
    "chromium_page",
    "free_port",
    "legend_texts",
    "screenshot",
    "streamlit_server",
    "wait_for_charts",
    "wait_idle",
]


def screenshot(page: object, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def chart_titles(page: object) -> list[str]:
    """The text of every Plotly chart title on the page."""
    return page.eval_on_selector_all(".gtitle", "els => els.map(e => e.textContent)")


def legend_texts(page: object) -> list[str]:
    """The text of every Plotly legend entry on the page."""
    return page.eval_on_selector_all(".legendtext", "els => els.map(e => e.textContent)")
