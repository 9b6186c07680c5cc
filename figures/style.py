"""Presentation settings and a colour-blind-safe palette shared by every figure."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
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
# Paul Tol's "vibrant" scheme (colour-blind safe too), for the kinds the first two sets run out on.
TOL_VIBRANT: tuple[str, ...] = ("#EE7733", "#0077BB", "#33BBEE", "#EE3377", "#CC3311", "#009988", "#BBBBBB")
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


# One colour per optimizer kind, the same in every scene and on every page: the kinds a course
# meets first get the eight Okabe-Ito colours (yellow left out: too weak on the light contour),
# the rest Paul Tol's muted ones.
KIND_COLORS: dict[str, str] = {
    "sgd": "#0072B2",  # blue
    "momentum": "#D55E00",  # vermillion
    "nesterov": "#009E73",  # bluish green
    "adam": "#CC79A7",  # reddish purple
    "rmsprop": "#E69F00",  # orange
    "adagrad": "#56B4E9",  # sky blue
    "newton": "#000000",  # black
    "adadelta": "#332288",  # indigo
    "amsgrad": "#882255",  # wine
    "adamw": "#AA4499",  # purple
    "nadam": "#CC6677",  # rose
    "radam": "#117733",  # green
    "adamax": "#999933",  # olive
    "bfgs": "#44AA99",  # teal
    "cg": "#88CCEE",  # cyan
    "polyak": "#DDCC77",  # sand
    "coordinate": "#DDAA33",  # mustard (Tol's high-contrast yellow)
    # Tol's vibrant set: a family's relative gets a colour near its relative's (ASGD by SGD's blue,
    # L-BFGS by BFGS's teal)
    "rprop": "#EE7733",  # orange
    "asgd": "#0077BB",  # blue
    "adafactor": "#33BBEE",  # cyan
    "lion": "#EE3377",  # magenta
    "signsgd": "#CC3311",  # red
    "lbfgs": "#009988",  # teal
}
# the same kind again: darker, lighter, much darker, much lighter (fraction of black / white mixed
# in); black itself only gets lighter
SHADES: tuple[float, ...] = (0.0, -0.4, 0.4, -0.65, 0.65)
UNKNOWN_COLOR = "#777777"
BLACK_SHADES: tuple[float, ...] = (0.0, 0.3, 0.5, 0.65, 0.8)


def run_colors(n: int) -> list[str]:
    """``n`` distinct colours: Okabe-Ito first, then Paul Tol's muted set, then repeating."""
    return [PALETTE[i % len(PALETTE)] for i in range(max(n, 0))]


def shade(color: str, amount: float) -> str:
    """``color`` ("#rrggbb") mixed with black (``amount < 0``) or white (``amount > 0``) by
    ``|amount|`` in [0, 1]; ``0`` returns it unchanged."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    target = 255 if amount > 0 else 0
    a = min(abs(amount), 1.0)
    return "#" + "".join(f"{round(c + (target - c) * a):02X}" for c in rgb)


def kind_colors(kinds: Sequence[str]) -> list[str]:
    """One colour per run setting ``(C,)`` from its optimizer kind: ``KIND_COLORS[kind]`` for the
    first setting of a kind, shades of it (``SHADES``) for the next ones; an unknown kind grey."""
    seen: dict[str, int] = {}
    out = []
    for kind in kinds:
        k = seen.get(kind, 0)
        seen[kind] = k + 1
        base = KIND_COLORS.get(kind, UNKNOWN_COLOR)
        shades = BLACK_SHADES if base == "#000000" else SHADES
        out.append(shade(base, shades[k % len(shades)]))
    return out


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


# Plotly checks every property of every trace and figure as it is built: for a 12-run race that was two
# thirds of its figures' build time (156 ms, 57 ms unchecked: the same JSON), on every rerun that moves
# a start. The race's figures are built unchecked with these; ``tests/test_figures_checked.py`` builds
# each race figure again, checked, from its JSON, and compares.
def Scatter(*args: Any, **kwargs: Any) -> go.Scatter:  # noqa: N802 (stands for the class)
    """``go.Scatter`` without Plotly's property checks."""
    return go.Scatter(*args, _validate=False, **kwargs)


def Figure(*args: Any, **kwargs: Any) -> go.Figure:  # noqa: N802 (stands for the class)
    """``go.Figure`` without Plotly's property checks."""
    return go.Figure(*args, _validate=False, **kwargs)


BAR_ROOM = (60, 90)  # px for a horizontal colour bar with its ticks: (normal, presenting)
FOOT_BAR_PX = (200, 360)  # its length (normal, presenting): with its title at its right, within a phone's chart
PHONE_LEGEND_PX = 270  # the width a legend under the plot has on a 390 px phone (the plot area's)


def legend_names(fig: Any) -> list[str]:
    """The names of the traces of ``fig`` (a figure, or a list of traces) that show in its legend."""
    return [str(t.name or "") for t in getattr(fig, "data", fig) if t.showlegend is not False]


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

    def legend_columns(self, names: Sequence[str]) -> int:
        """Legend entries a row on a phone's chart (``PHONE_LEGEND_PX`` wide) for entries ``names``,
        estimated from the longest (its symbol and text): room is made for that many rows, so a legend
        is neither cut at the figure's bottom nor laid over the axis title on a narrow screen."""
        longest = max((len(n) for n in names), default=1)
        return max(1, int(PHONE_LEGEND_PX // (50 + 0.62 * self.font_size * longest)))

    def legend_below(self, names: Sequence[str], height: int | None = None) -> dict[str, Any]:
        """Layout keywords (height, margin, legend) for a legend under the x-axis title, in room made for
        the entries ``names`` (``legend_columns`` a row), placed from the figure's bottom: at the side, a
        legend of long entries left a phone's chart a plot 40 px wide (issue 12). ``height``: the
        figure's height without the legend (``fig_height``)."""
        rows = max(-(-len(names) // self.legend_columns(names)), 1)
        axis = 2 * self.font_size + 20  # tick labels and the axis title
        bottom = axis + rows * (self.font_size + 14) + 10
        total = (height or self.fig_height) + bottom - 50
        legend = dict(orientation="h", yanchor="top", yref="container", y=(bottom - axis) / total, x=0.0)
        return dict(
            height=total, margin=dict(l=60, r=20, t=60, b=bottom), legend=dict(legend, font=dict(size=self.font_size))
        )

    def legend_and_bar_below(self, names: Sequence[str], height: int | None = None) -> dict[str, Any]:
        """``legend_below`` with room under the legend for a horizontal colour bar (``bar_at_foot``): at
        the side, a bar took a third of a phone's chart from its plot."""
        layout = self.legend_below(names, height)
        bar = BAR_ROOM[self.presentation]
        total, bottom = layout["height"] + bar, layout["margin"]["b"] + bar
        axis = 2 * self.font_size + 20  # tick labels and the axis title, as in legend_below
        legend = dict(layout["legend"], y=(bottom - axis) / total)
        return dict(height=total, margin=dict(layout["margin"], b=bottom), legend=legend)

    def bar_at_foot(self) -> dict[str, Any]:
        """Colour-bar keywords for a horizontal bar at the figure's foot, ``FOOT_BAR_PX`` long, its title
        at its right (above it, anchored at the figure's foot, Plotly drew the title over the bar): in the
        room ``legend_and_bar_below`` made, and with its title inside a phone's 358 px chart."""
        return dict(
            orientation="h",
            x=0.02,
            xanchor="left",
            yref="container",
            y=0.0,
            yanchor="bottom",
            ypad=10,
            lenmode="pixels",
            len=FOOT_BAR_PX[self.presentation],
            thickness=18 if self.presentation else 12,
            title=dict(side="right"),
        )

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


def log_ticks(values: Any, most: int = 6) -> dict[str, Any]:
    """Tick keywords for a log axis over ``values``: when their positive finite values span more than a
    decade and a half, a label at every power of ten, or at every k-th so that at most ``most`` show
    (Plotly otherwise labels the digits between powers, and on a low chart or a projector's large font
    the labels ran into each other); ``{}`` (Plotly's own) for narrower spans."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return {}
    span = float(np.log10(v.max() / v.min()))
    if span <= 1.5:
        return {}
    return dict(dtick=max(1, int(np.ceil(span / most))))


def corner_note(text: str, style: FigureStyle, right: bool = False, **extra: Any) -> dict[str, Any]:
    """A small note in a plot's lower corner (left, or ``right``), as annotation keywords: what a
    chart drew differently from its data ("0 drawn at 1e-16"), kept out of the axis title, where a
    long one is cut at the plot's height."""
    return dict(
        text=text,
        x=1.0 if right else 0.0,
        y=0.0,
        xref="paper",
        yref="paper",
        xanchor="right" if right else "left",
        yanchor="bottom",
        showarrow=False,
        font=dict(size=style.font_size * 0.8),
        **extra,
    )


# --- titles that wrap --------------------------------------------------------------------------
# Plotly never wraps a title: past its chart's edge it is cut. A line of at most this many px: a 390 px
# phone's chart is 358 px wide and the title starts 1% in; a projector's chart beside another, 590 px.
TITLE_PX = 320
TITLE_PX_PRESENTING = 540
CHAR_EM = 0.6  # a character's mean width in em, on the wide side (DejaVu Sans, the fallback of Open Sans)


def title_lines(text: str, size: float, px: float = TITLE_PX) -> list[str]:
    """``text`` broken at spaces into lines of at most ``px`` px at font ``size`` (estimated from
    ``CHAR_EM``); a word longer than a line keeps a line of its own."""
    chars = max(12, int(px / (CHAR_EM * size)))
    return textwrap.wrap(text, chars, break_long_words=False, break_on_hyphens=False) or [text]


def fit_title(fig: go.Figure, presentation: bool = False) -> go.Figure:
    """``fig`` with its title (at ``font_size + 2``, as the contours' ``plane_layout`` has it) broken
    into lines that fit a phone's chart (``TITLE_PX``; a projector's half-width chart when
    ``presentation``), hung from the figure's top; the top margin and the height grow by the added
    lines, so the plot area keeps its size. Changes ``fig`` in place (a title already broken with
    ``<br>`` is left as it is) and returns it."""
    title = fig.layout.title
    text = title.text or ""
    if not text or "<br>" in text:
        return fig
    base = fig.layout.font.size or 14
    size = title.font.size or base + 2
    lines = title_lines(text, size, TITLE_PX_PRESENTING if presentation else TITLE_PX)
    line_h = round(1.3 * size)
    top = fig.layout.margin.t if fig.layout.margin.t is not None else 80
    # hung from the top by about a line: Plotly anchors a title of several lines a little too high (at
    # font 24 a 14 px pad left its first line cut by the figure's top edge)
    pad = round(0.9 * size)
    need = pad + line_h * len(lines) + 12  # and 12 px above the plot
    extra = max(0, need - top)
    # " <br>": the line's last space stays in the SVG text, so a title's text reads as words
    fig.update_layout(
        title=dict(
            text=" <br>".join(lines), font=dict(size=size), y=1, yref="container", yanchor="top", pad=dict(t=pad)
        ),
        margin=dict(t=top + extra),
        height=(fig.layout.height or 450) + extra,
    )
    return fig
