"""A lesson page's chart: the Plotly figure and, under it, its PNG / SVG / HTML download buttons
(none in presentation mode)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import page
from ui.downloads import figure_downloads


def chart(fig: Any, name: str, key: str, **kwargs: Any) -> None:
    """Show ``fig`` under ``key`` (Plotly's own colours) with download buttons keyed ``dl_<key>``
    whose files are named after ``name`` (not while presenting); ``kwargs`` go to ``st.plotly_chart``
    (``on_select``, ...)."""
    st.plotly_chart(fig, theme=None, key=key, **kwargs)
    if not page.presentation_requested():  # on a projector, no export clutter
        figure_downloads(fig, name, f"dl_{key}")
