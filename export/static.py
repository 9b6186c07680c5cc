"""Figure files: PNG (at a scale) and SVG through Plotly's static export (kaleido driving the
system Chromium), and self-contained interactive HTML with Plotly's JavaScript embedded.

One export browser per process is kept warm (``kaleido.start_sync_server``): the first export
starts Chromium (seconds), later ones reuse it. Streamlit serves every session from one process,
so a server holds one export browser.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import threading
import warnings
from typing import Any

import plotly.io as pio

_lock = threading.Lock()
_warm = False


def chromium_path() -> str | None:
    """The system Chromium kaleido should drive (``BROWSER_PATH`` overrides)."""
    return os.environ.get("BROWSER_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def ensure_browser() -> None:
    """Start the process's warm export browser once (thread-safe)."""
    global _warm
    with _lock:
        if _warm:
            return
        import kaleido

        path = chromium_path()
        if path and "BROWSER_PATH" not in os.environ:
            os.environ["BROWSER_PATH"] = path
        kaleido.start_sync_server(silence_warnings=True)
        atexit.register(_stop)
        _warm = True


def _stop() -> None:
    import kaleido

    with contextlib.suppress(Exception):  # shutting down anyway
        kaleido.stop_sync_server(silence_warnings=True)


def _image(fig: Any, fmt: str, scale: float, width: int | None, height: int | None) -> bytes:
    """A picture of ``fig``; an animation is pictured at its last frame (``final_still``)."""
    from figures.animation import final_still

    fig = final_still(fig) if getattr(fig, "frames", None) else fig
    ensure_browser()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        return pio.to_image(fig, format=fmt, scale=scale, width=width, height=height)


def figure_to_png(fig: Any, scale: float = 2.0, width: int | None = None, height: int | None = None) -> bytes:
    """PNG bytes; the image is ``width x height`` CSS pixels (the figure's layout size by
    default, else 700 x 500) times ``scale``."""
    return _image(fig, "png", scale, width, height)


def figure_to_svg(fig: Any, width: int | None = None, height: int | None = None) -> bytes:
    """SVG bytes (vector; heatmap-like traces are embedded as images by Plotly)."""
    return _image(fig, "svg", 1.0, width, height)


def figure_to_html(fig: Any) -> str:
    """A self-contained HTML page (Plotly's JS embedded, works offline; animations keep their
    play/pause controls)."""
    return pio.to_html(
        fig, include_plotlyjs=True, full_html=True, auto_play=False, config={"displaylogo": False, "responsive": True}
    )
