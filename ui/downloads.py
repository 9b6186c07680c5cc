"""Download buttons for a figure: PNG (chosen scale), SVG, and a self-contained interactive HTML.

Files are produced lazily (Streamlit calls the function only when the button is clicked), so
showing the buttons costs nothing per rerun.
"""

from __future__ import annotations

import re
from typing import Any

import streamlit as st


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "figure"


def figure_downloads(fig: Any, name: str, key: str, scale: float = 2.0) -> None:
    """PNG / SVG / HTML download buttons for ``fig`` in one row."""
    from export import static

    slug = _slug(name)
    cols = st.columns(3)
    cols[0].download_button(
        f"PNG ({scale:g}x)",
        lambda: static.figure_to_png(fig, scale=scale),
        file_name=f"{slug}.png",
        mime="image/png",
        key=f"{key}_png",
        on_click="ignore",
    )
    cols[1].download_button(
        "SVG",
        lambda: static.figure_to_svg(fig),
        file_name=f"{slug}.svg",
        mime="image/svg+xml",
        key=f"{key}_svg",
        on_click="ignore",
    )
    cols[2].download_button(
        "HTML (interactive)",
        lambda: static.figure_to_html(fig),
        file_name=f"{slug}.html",
        mime="text/html",
        key=f"{key}_html",
        on_click="ignore",
    )
