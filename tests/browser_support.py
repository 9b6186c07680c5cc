"""Helpers for the end-to-end tests: serve the app with ``streamlit run`` on a free local port and
drive Debian's Chromium with Playwright (``executable_path``; nothing downloads a browser)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PLOTLY_CHART = '[data-testid="stPlotlyChart"]'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(script: str = "app.py", timeout: float = 60.0) -> Iterator[str]:
    """Start ``streamlit run script`` on a free port; yield its base URL; stop it afterwards."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                raise RuntimeError(f"streamlit did not start (exit {proc.returncode}):\n{out}")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def chromium_page(width: int = 1600, height: int = 1100) -> Iterator[object]:
    """A Playwright page in headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


def wait_for_charts(page: object, count: int, plot_class: str = ".main-svg", timeout: float = 60_000) -> None:
    """Wait until at least ``count`` Plotly charts have drawn (an SVG inside each chart element)."""
    page.wait_for_function(
        """([sel, cls, n]) => {
            const charts = Array.from(document.querySelectorAll(sel));
            return charts.filter(c => c.querySelector(cls)).length >= n;
        }""",
        arg=[PLOTLY_CHART, plot_class, count],
        timeout=timeout,
    )


def wait_idle(page: object, timeout: float = 60_000) -> None:
    """Wait until Streamlit has finished its rerun (no running-status widget)."""
    page.wait_for_function("""() => !document.querySelector('[data-testid="stStatusWidget"]')""", timeout=timeout)
    page.wait_for_timeout(300)


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
