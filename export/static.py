"""Figure export (placeholder API; the export work fills in the warm-browser implementation)."""

from __future__ import annotations

from typing import Any


def figure_to_png(fig: Any, scale: float = 2.0, width: int | None = None, height: int | None = None) -> bytes:
    return fig.to_image(format="png", scale=scale, width=width, height=height)


def figure_to_svg(fig: Any, width: int | None = None, height: int | None = None) -> bytes:
    return fig.to_image(format="svg", width=width, height=height)


def figure_to_html(fig: Any) -> str:
    return fig.to_html(include_plotlyjs=True, full_html=True)
