"""Presentation settings and a colour-blind-safe palette shared by every figure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

# Okabe & Ito (2008), reordered so the colours that read best on a light-grey contour come first
# (yellow, the weakest on white, is last).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
# Paul Tol's "muted" qualitative scheme, used after the eight Okabe-Ito colours.
TOL_MUTED: tuple[str, ...] = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)
PALETTE: tuple[str, ...] = OKABE_ITO + TOL_MUTED

# Light greys for the landscape, so the coloured paths stand out (ColorBrewer "Greys", low = light).
LANDSCAPE_COLORSCALE: list[list[Any]] = [
    [0.0, "#ffffff"],
    [0.25, "#f0f0f0"],
    [0.5, "#d9d9d9"],
    [0.75, "#bdbdbd"],
    [1.0, "#969696"],
]
DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
SYMBOLS: tuple[str, ...] = ("circle", "square", "diamond", "triangle-up", "triangle-down", "pentagon")
MINIMUM_COLOR = "#ffffff"
MARK_COLOR = "#222222"  # outlines of minima, saddles, starts


def run_colors(n: int) -> list[str]:
    """``n`` distinct colours: Okabe-Ito first, then Paul Tol's muted set, then repeating."""
    return [PALETTE[i % len(PALETTE)] for i in range(max(n, 0))]


def _lean_white() -> go.layout.Template:
    """Plotly's "plotly_white" look without its per-trace-type defaults: the same axes, grid and
    background, but assigning it costs a fraction (the full template is validated and copied
    into every figure, about 20 ms each)."""
    full = pio.templates["plotly_white"].layout.to_plotly_json()
    keep = (
        "font",
        "paper_bgcolor",
        "plot_bgcolor",
        "xaxis",
        "yaxis",
        "scene",
        "title",
        "hoverlabel",
        "hovermode",
        "colorway",
    )
    return go.layout.Template(layout={k: full[k] for k in keep if k in full})


LEAN_WHITE = _lean_white()


@dataclass(frozen=True)
class FigureStyle:
    """How figures look (never what they show). ``presentation`` is projector mode."""

    presentation: bool = False
    template: str = "plotly_white"
    height: int = 520

    @property
    def font_size(self) -> int:
        return 22 if self.presentation else 14

    @property
    def line_width(self) -> float:
        return 4.0 if self.presentation else 2.0

    @property
    def marker_size(self) -> float:
        """Step markers along a path (px)."""
        return 7.0 if self.presentation else 4.0

    @property
    def mark_size(self) -> float:
        """Minima, saddles, starts and path ends (px)."""
        return 22.0 if self.presentation else 14.0

    @property
    def fig_height(self) -> int:
        return int(self.height * 1.25) if self.presentation else self.height

    def layout(self, **extra: Any) -> dict[str, Any]:
        """Common layout keywords (template, fonts, height, margins, legend) merged with ``extra``."""
        base: dict[str, Any] = dict(
            template=LEAN_WHITE if self.template == "plotly_white" else self.template,
            height=self.fig_height,
            font=dict(size=self.font_size),
            margin=dict(l=60, r=20, t=60, b=50),
            legend=dict(font=dict(size=self.font_size)),
            hoverlabel=dict(font=dict(size=self.font_size)),
        )
        base.update(extra)
        return base
