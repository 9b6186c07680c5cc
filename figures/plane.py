"""The layout of a plot over the (x, y) plane: equal-scale axes over a window, the legend below the
plot with room made for it, a horizontal colour bar between the x-axis title and the legend, and the
landscape image laid under the plot. Shared by the race's contour, its animation and the lesson
pages' landscapes."""

from __future__ import annotations

from typing import Any

from figures.style import FigureStyle
from landscapes.base import Window


def with_image(layout: dict[str, Any], image: dict[str, Any]) -> dict[str, Any]:
    """``layout`` (of ``plane_layout``) with the landscape image under the plot and no grid lines over it."""
    return dict(
        layout,
        images=[image],
        xaxis=dict(layout["xaxis"], showgrid=False),
        yaxis=dict(layout["yaxis"], showgrid=False),
    )


LEGEND_COLUMNS = 3  # legend entries per row assumed when making room for the legend under the plot


def legend_room(entries: int, style: FigureStyle, columns: int = LEGEND_COLUMNS) -> tuple[int, int]:
    """``(figure height, bottom margin)`` px that keep the plot area the same whatever the number of
    legend ``entries`` below it (``columns`` a row): the legend takes room, not the plot."""
    rows = max(-(-int(entries) // columns), 1)
    row = style.font_size + 14
    bottom = 2 * style.font_size + 30 + rows * row
    return style.fig_height + bottom - 50 - row, bottom


BAR_PX = 300  # a horizontal colour bar's length: fits a 390 px phone's plot, not wider than a desktop's


def bar_room(style: FigureStyle) -> int:
    """Height (px) of a horizontal colour bar with its title above and ticks below (``bar_below``), with
    a few px to spare: measured in Chromium, 68 px at font 14 and 131 px at the projector's 22 (and
    the projector's bar sits 18 px lower, ``bar_gap``)."""
    return 160 if style.presentation else 76


def bar_gap(style: FigureStyle) -> int:
    """Px from the plot's bottom to a horizontal colour bar's title: below the x ticks and the x-axis
    title (at the projector's font 22 the axis title "x" touched the bar's title at 64 px)."""
    return 3 * style.font_size + 16 if style.presentation else 2 * style.font_size + 20


def bar_below(style: FigureStyle, layout: dict[str, Any]) -> dict[str, Any]:
    """Colour-bar keywords that lay it across the plot's width under the x-axis title (in the room
    ``plane_layout(..., colorbar_below=True)`` made): a vertical bar at the right would take ~100 px
    of a phone's 358 px chart and leave the plot 200 px wide (issue 12)."""
    plot_h = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    return dict(
        orientation="h",
        x=0.5,  # centred under the (centred, equal-scale) plot, about as wide as a phone's plot
        xanchor="center",
        # on a projector half the chart's width (540 px at 1280x720): its seven tick labels at font 22
        # side by side (at 300 px they turned), and never wider than a narrow screen's chart
        lenmode="fraction" if style.presentation else "pixels",
        len=0.5 if style.presentation else BAR_PX,
        y=-bar_gap(style) / plot_h,
        yanchor="top",
        thickness=18 if style.presentation else 12,
        title=dict(side="top"),
    )


def plane_layout(
    window: Window,
    style: FigureStyle,
    title: str,
    legend_entries: int = 3,
    colorbar_below: bool = False,
    legend_columns: int = LEGEND_COLUMNS,
    axis_names: tuple[str, str] = ("x", "y"),
) -> dict[str, Any]:
    """Equal-scale axes over ``window`` titled ``axis_names`` (the landscape's parameters), legend
    below the plot (room made for ``legend_entries`` entries at ``legend_columns`` a row,
    ``legend_room``, so many runs never squeeze the plot), and with ``colorbar_below`` room for a
    horizontal colour bar between the x-axis title and the legend (``bar_below``): then the side
    margins are slim, and a 358 px chart (a 390 px phone) keeps a 300 px plot."""
    height, bottom = legend_room(legend_entries, style, legend_columns)
    room = bar_room(style) if colorbar_below else 0
    height, bottom = height + room, bottom + room
    plot_h = height - 60 - bottom
    return style.layout(
        height=height,
        margin=dict(l=40, r=10, t=60, b=bottom) if colorbar_below else dict(l=60, r=20, t=60, b=bottom),
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=style.font_size + 2)),
        xaxis=dict(
            title=dict(text=axis_names[0]), range=[window.xmin, window.xmax], constrain="domain", zeroline=False
        ),
        yaxis=dict(
            title=dict(text=axis_names[1], standoff=4),
            nticks=7,  # short tick labels: a narrow left margin
            range=[window.ymin, window.ymax],
            scaleanchor="x",
            scaleratio=1,
            constrain="domain",
            zeroline=False,
        ),
        legend=dict(
            orientation="h",
            yanchor="top",
            y=-(2 * style.font_size + 20 + room) / plot_h,
            x=0.0,
            font=dict(size=style.font_size),
        ),
        hovermode="closest",
    )
