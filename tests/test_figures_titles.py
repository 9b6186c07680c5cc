"""Chart titles that wrap to fit a phone (``figures.style.fit_title``) and the basin maps drawn one
chart per optimizer (``figures.basins.panel_figure``), issue 12 "Screens"."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from analysis.basins import BasinSettings, compute_basins
from figures.basins import panel_figure
from figures.style import CHAR_EM, TITLE_PX, FigureStyle, fit_title, title_lines

LONG = "Himmelblau: Momentum (averaged), final loss after 300 steps (40 x 40 runs)"


def plot_height(fig: go.Figure) -> float:
    return fig.layout.height - fig.layout.margin.t - fig.layout.margin.b


def test_title_lines_fit_the_width_and_keep_every_word():
    lines = title_lines(LONG, 16)
    assert len(lines) > 1 and " ".join(lines) == LONG
    assert all(len(line) * CHAR_EM * 16 <= TITLE_PX for line in lines)
    assert title_lines("Loss", 16) == ["Loss"]


def test_a_wrapped_title_takes_room_above_the_plot_not_from_it():
    style = FigureStyle()
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1]), layout=style.layout(title=dict(text=LONG)))
    before = plot_height(fig)
    fit_title(fig)
    text = fig.layout.title.text
    assert text.count("<br>") >= 1 and text.replace(" <br>", " ") == LONG
    assert plot_height(fig) == before  # the figure grew by the added lines
    lines = text.count("<br>") + 1
    assert fig.layout.margin.t >= lines * 1.3 * fig.layout.title.font.size + fig.layout.title.pad.t
    again = fit_title(fig)  # already wrapped: unchanged
    assert again.layout.title.text == text and plot_height(again) == before


def test_a_short_title_keeps_its_figure_size():
    style = FigureStyle()
    fig = fit_title(go.Figure(layout=style.layout(title=dict(text="Loss"))))
    assert fig.layout.title.text == "Loss" and fig.layout.height == style.fig_height


def test_a_projector_title_gets_longer_lines():
    phone = fit_title(go.Figure(layout=FigureStyle().layout(title=dict(text=LONG))))
    projector = fit_title(go.Figure(layout=FigureStyle(True).layout(title=dict(text=LONG))), presentation=True)
    assert projector.layout.title.font.size > phone.layout.title.font.size
    longest = max(len(line) for line in projector.layout.title.text.split(" <br>"))
    assert longest * CHAR_EM * projector.layout.title.font.size > TITLE_PX  # wider than a phone's line


def test_each_basin_panel_is_its_own_chart_with_its_shares():
    result = compute_basins(BasinSettings(landscape="himmelblau", resolution=12, steps=60))
    for p, label in enumerate(result.labels):
        fig = panel_figure(result, p)
        (heat,) = [t for t in fig.data if t.type == "heatmap"]
        np.testing.assert_array_equal(heat.z, result.codes[p])
        assert fig.layout.title.text.startswith(label)
        shares = [t.name for t in fig.data if (t.meta or {}).get("role") == "legend"]
        total = sum(float(name.rsplit(": ", 1)[1].rstrip("%")) for name in shares)
        assert abs(total - 100) <= len(shares)  # this panel's shares, rounded to whole percents
        assert fig.layout.yaxis.scaleanchor == "x"  # square cells
        assert fig.layout.legend.orientation == "h"  # under the plot, not beside it
