"""Train vs test on a data landscape's figures: the test loss drawn as dashed contour lines over the
training surface with its minimum marked, and on the loss curves each run's test loss (dotted) with
its lowest point, the early-stopping step, marked. Plain Plotly: arrays in, traces added."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from figures import paths
from figures.contour import colors_for
from figures.grid import LandscapeGrid, levels_for
from figures.raster import line_image, overlay
from figures.style import MARK_COLOR, FigureStyle, Scatter
from landscapes.protocol import LandscapeLike
from optimizers.runner import RunResult

Array = np.ndarray
TEST_RGB = (120, 0, 90)  # the test surface's dashed lines and its minimum
TEST_LINE = f"rgba{(*TEST_RGB, 0.7)}"


def test_lines(test: LandscapeLike, grid: LandscapeGrid, style: FigureStyle) -> Array:
    """``(ny, nx, 4)`` RGBA picture (top row = largest y) of the test loss's level lines, dashed: every
    other level of ``grid``'s own levels, thicker when presenting."""
    picture = line_image(grid, levels_for(test, grid), (*TEST_RGB, 255), every=2)
    if style.presentation:  # thicker lines for the back of the room: each line pixel also to its right
        picture[:, 1:] = np.maximum(picture[:, 1:], picture[:, :-1])
    return picture


def test_traces(test: LandscapeLike, style: FigureStyle) -> list[go.BaseTraceType]:
    """The legend's entry for the test loss's lines (drawn in the picture) and a marker at each test
    minimum."""
    traces: list[go.BaseTraceType] = [
        Scatter(
            x=[None],
            y=[None],
            mode="lines",
            line=dict(color=TEST_LINE, dash="dash", width=1.2 if not style.presentation else 2.0),
            hoverinfo="skip",
            name="test loss",
            showlegend=True,
            meta=dict(role="test-landscape"),
        )
    ]
    mins = test.minima()
    if mins:
        traces.append(
            Scatter(
                x=[m.x for m in mins],
                y=[m.y for m in mins],
                mode="markers",
                name="test minimum",
                marker=dict(symbol="star-diamond", size=style.mark_size * 1.3, color=TEST_LINE, line=dict(width=1.5)),
                text=[f"test minimum ({m.x:.4g}, {m.y:.4g})<br>test loss {m.value:.4g}" for m in mins],
                hovertemplate="%{text}<extra></extra>",
                meta=dict(role="test-minimum"),
            )
        )
    return traces


def add_test_contours(fig: go.Figure, test: LandscapeLike, grid: LandscapeGrid, style: FigureStyle) -> go.Figure:
    """``fig`` (a contour figure of the training loss, its surface the layout image "landscape") with
    the test loss drawn over it on the server: its dashed lines (``grid``: the test loss over the
    figure's window) painted into the training picture, so the browser contours nothing, and its
    traces right after the surface's so the paths stay on top."""
    images = [dict(i.to_plotly_json()) for i in fig.layout.images]
    for image in images:
        if image.get("name") == "landscape":
            image["source"] = overlay(image["source"], test_lines(test, grid, style))
    data = list(fig.data)
    fig.data = ()
    fig.add_traces([data[0], *test_traces(test, style), *data[1:]])
    fig.update_layout(images=images)
    return fig


def early_stops(result: RunResult, test_losses: Array) -> Array:
    """Each run's recorded step of lowest test loss ``(R,)`` (over its live part): the step early
    stopping would keep. ``test_losses`` is ``(R, K)`` at ``result.steps``."""
    out = np.empty(len(result.status), dtype=np.int64)
    for r in range(len(result.status)):  # runs stop at different steps: a few runs, not examples
        live = result.steps <= result.status_step[r]
        vals = np.where(live & np.isfinite(test_losses[r]), test_losses[r], np.inf)
        out[r] = int(result.steps[int(np.argmin(vals))])
    return out


def add_test_curves(
    fig: go.Figure,
    result: RunResult,
    test_losses: Array,
    labels: Sequence[str] | None,
    style: FigureStyle,
    max_points: int = paths.MAX_CURVE_POINTS,
) -> go.Figure:
    """``fig`` (the loss-by-step figure) with each run's test loss, dotted in its colour, and a marker at
    its lowest point (early stopping). Skipped on a log axis transformed to ``loss - min``."""
    if "min" in str(fig.layout.yaxis.title.text or ""):
        return fig
    names = paths.names(result, labels)
    colors = colors_for(result)
    stops = early_stops(result, test_losses)
    traces: list[go.Scatter] = []  # added at once: each add_trace re-validates the figure's traces
    for r in range(len(result.status)):
        idx = paths.run_indices(result, r, max_points)
        color = colors[r % len(colors)]
        traces.append(
            Scatter(
                x=result.steps[idx],
                y=test_losses[r, idx],
                mode="lines",
                name=f"{names[r]} (test)",
                legendgroup=f"run{r}",
                showlegend=False,
                line=dict(color=color, width=style.line_width * 0.8, dash="dot"),
                hovertemplate=f"<b>{names[r]}</b><br>step %{{x}}<br>test loss %{{y:.4g}}<extra></extra>",
                meta=dict(role="test-curve", run=r),
            )
        )
        k = int(np.searchsorted(result.steps, stops[r]))
        traces.append(
            Scatter(
                x=[stops[r]],
                y=[test_losses[r, k]],
                mode="markers",
                name=f"{names[r]}: lowest test loss",
                legendgroup=f"run{r}",
                showlegend=False,
                marker=dict(
                    symbol="triangle-down", size=style.mark_size * 1.2, color=color, line=dict(color=MARK_COLOR)
                ),
                hovertemplate=f"<b>{names[r]}</b>: lowest test loss %{{y:.4g}} at step %{{x}} "
                "(early stopping)<extra></extra>",
                meta=dict(role="early-stop", run=r),
            )
        )
    fig.add_traces(traces)
    fig.update_layout(title=dict(text="Loss by step (dotted: test loss; ▼ lowest test loss)"))
    return fig


def train_test_losses(landscape: Any, positions: Array) -> tuple[Array, Array | None]:
    """The mean loss without penalty over the training and the test examples at ``positions (R, K, 2)``:
    ``(R, K)`` each (test ``None`` without test examples)."""
    bare = dataclasses.replace(landscape, l2=0.0, split="train")
    train = bare.value(positions)
    test = bare.on("test").value(positions) if landscape.dataset.n_test else None
    return train, test


def decorate_race(
    landscape: Any,
    result: RunResult,
    figs: dict[str, go.Figure],
    labels: Sequence[str] | None,
    style: FigureStyle,
    test_grid: LandscapeGrid | None,
    test_losses: Array | None,
) -> dict[str, go.Figure]:
    """The race figures of a data landscape with the test loss drawn (contour: dashed lines over the
    training surface from ``test_grid``; loss: test curves and early stopping), in place."""
    if "contour" in figs and test_grid is not None:
        add_test_contours(figs["contour"], landscape.on("test"), test_grid, style)
    if "loss" in figs and test_losses is not None:
        add_test_curves(figs["loss"], result, test_losses, labels, style)
    return figs
