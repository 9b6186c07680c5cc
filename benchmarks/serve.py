"""Serve the app for a measurement or an end-to-end test, and drive Debian's Chromium.

``streamlit run`` (or a launcher taking the same arguments) on a free local port, polled at
``/_stcore/health`` until ``ok``, stopped by its PID afterwards; a Playwright page in headless
``/usr/bin/chromium`` (``executable_path``: nothing downloads a browser). The benchmarks and
``tests/browser_support.py`` both use these (benchmarks never import the tests)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STREAMLIT_RUN = (sys.executable, "-m", "streamlit", "run")
SERVER_OPTIONS = (
    "--server.headless",
    "true",
    "--browser.gatherUsageStats",
    "false",
    "--server.fileWatcherType",
    "none",
)
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
def app_process(
    script: str = "app.py",
    timeout: float = 60.0,
    launcher: Sequence[str] = STREAMLIT_RUN,
    env: Mapping[str, str] | None = None,
    capture: bool = True,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Start ``launcher script`` (``streamlit run`` by default) with the server options on a free
    port, with ``env`` added to the environment; yield its base URL and process once healthy; stop
    it afterwards. ``capture``: keep its output for the error raised when it does not start (else
    discard it, as a long measurement must, lest a full pipe block the server)."""
    port = free_port()
    cmd = [*launcher, script, "--server.port", str(port), "--server.address", "127.0.0.1", *SERVER_OPTIONS]
    out = subprocess.PIPE if capture else subprocess.DEVNULL
    err = subprocess.STDOUT if capture else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=err)
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
                text = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                raise RuntimeError(f"streamlit did not start (exit {proc.returncode}):\n{text}")
            time.sleep(0.25)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@contextlib.contextmanager
def streamlit_server(script: str = "app.py", timeout: float = 60.0) -> Iterator[str]:
    """Start ``streamlit run script`` on a free port; yield its base URL; stop it afterwards."""
    with app_process(script, timeout) as (url, _):
        yield url


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
