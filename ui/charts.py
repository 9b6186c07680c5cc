"""A lesson page's chart: the Plotly figure and, under it, its PNG / SVG / HTML download buttons
(none in presentation mode); charts side by side where there is room, else stacked."""

from __future__ import annotations

from typing import Any

import streamlit as st

from figures.style import fit_title
from ui import page
from ui.downloads import figure_downloads

# two charts side by side only where each gets this many px; else one column (a phone, or 800 px with
# the sidebar open, where two columns left each chart 226 px and cut its title), as on the race page
CHART_MIN = 420


def chart(fig: Any, name: str, key: str, **kwargs: Any) -> None:
    """Show ``fig`` under ``key`` (Plotly's own colours, its title wrapped to fit a phone:
    ``figures.style.fit_title``) with download buttons keyed ``dl_<key>`` whose files are named after
    ``name`` (not while presenting); ``kwargs`` go to ``st.plotly_chart`` (``on_select``, ...)."""
    presenting = page.presentation_requested()
    st.plotly_chart(fit_title(fig, presenting), theme=None, key=key, **kwargs)
    if not presenting:  # on a projector, no export clutter
        figure_downloads(fig, name, f"dl_{key}")


def side_by_side(n: int = 2, min_width: int = CHART_MIN, columns: int | None = None) -> list[Any]:
    """``n`` cells of a responsive grid (``st.grid``), at most ``columns`` (else ``n``) a row: side by
    side where each gets ``min_width`` px, else fewer a row, down to one column on a phone. Each cell
    holds a chart with its buttons, or any other elements."""
    grid = st.grid(min(columns or n, 24), min_column_width=min_width)
    return [grid.cell() for _ in range(n)]
