""" "See the model": a data landscape's examples and each run's fitted model (a line, a probability
curve whose 0.5 crossing is the decision boundary, or the tanh net's curve) at the animation's
steps, with play/pause and a step slider. Plain Plotly: arrays in, a figure out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from figures import paths
from figures.animation import frame_indices
from figures.contour import colors_for
from figures.style import Figure, FigureStyle, Scatter, fit_title, legend_names
from optimizers.runner import RunResult

Array = np.ndarray
CURVE_POINTS = 100  # points along each fitted curve (smooth at 1,000 px: a sigmoid or tanh bends once)
MODEL_FRAMES = 30  # the fit changes smoothly: half the race animation's frames, half the bytes of every rerun
MAX_SHOWN_EXAMPLES = 150  # per split: more are thinned (evenly, by a fixed rule): each is an SVG marker the
# browser redraws on every rerun (1,000 of them cost a data race about 0.05-0.07 s a rerun, measured)
TRAIN_COLOR, TEST_COLOR = "rgba(60, 60, 60, 0.55)", "rgba(120, 0, 90, 0.6)"


def _thin(x: Array, y: Array, k: int = MAX_SHOWN_EXAMPLES) -> tuple[Array, Array]:
    if x.size <= k:
        return x, y
    idx = np.linspace(0, x.size - 1, k).round().astype(np.int64)
    return x[idx], y[idx]


def model_curves(landscape: Any, params: Array, xs: Array) -> Array:
    """The model's output ``(..., len(xs))`` for parameters ``params (..., 2)`` (``landscape.predict``)."""
    with np.errstate(all="ignore"):
        return np.asarray(landscape.predict(params, xs), dtype=float)


def model_figure(
    landscape: Any,
    result: RunResult,
    labels: Sequence[str] | None = None,
    style: FigureStyle | None = None,
    max_frames: int = MODEL_FRAMES,
) -> go.Figure:
    """The training (filled) and test (open) examples of ``landscape`` (a data landscape) and each
    run's model at the frames' steps; the first frame is the start, the slider's last the end."""
    style = style or FigureStyle()
    ds = landscape.dataset
    x_all = np.concatenate([ds.x_train, ds.x_test])
    lo, hi = float(x_all.min()), float(x_all.max())
    pad = 0.05 * (hi - lo) if hi > lo else 1.0
    xs = np.linspace(lo - pad, hi + pad, CURVE_POINTS)
    names = paths.names(result, labels)
    colors = colors_for(result)
    classification = ds.kind == "classification"
    traces: list[Any] = []
    for part, (x, y), color, symbol in (
        ("training", (ds.x_train, ds.y_train), TRAIN_COLOR, "circle"),
        ("test", (ds.x_test, ds.y_test), TEST_COLOR, "circle-open"),
    ):
        if x.size == 0:
            continue
        tx, ty = _thin(x, y)
        shown = f" ({tx.size:,} of {x.size:,} shown)" if tx.size < x.size else ""
        traces.append(
            Scatter(
                x=tx.astype(np.float32),
                y=ty.astype(np.float32),
                mode="markers",
                name=f"{part} examples{shown}",
                marker=dict(size=5 if not style.presentation else 8, color=color, symbol=symbol),
                hovertemplate=f"{part}: x=%{{x:.4g}}, y=%{{y:.4g}}<extra></extra>",
                meta=dict(role=f"{part}-examples"),
            )
        )
    frames_at = frame_indices(result, max_frames)
    R = len(result.status)
    # each run's parameters at each frame: its last live point once it stopped
    stop = np.array([paths.run_length(result, r) - 1 for r in range(R)])
    at = np.minimum(frames_at[None, :], stop[:, None])  # (R, F)
    params = result.positions[np.arange(R)[:, None], at]  # (R, F, 2)
    curves = model_curves(landscape, params, xs).astype(np.float32)  # (R, F, CURVE_POINTS)
    first = len(traces)
    for r in range(R):
        traces.append(
            Scatter(
                x=xs.astype(np.float32),
                y=curves[r, -1],
                mode="lines",
                name=names[r],
                legendgroup=f"run{r}",
                line=dict(color=colors[r % len(colors)], width=style.line_width),
                hovertemplate=f"<b>{names[r]}</b><br>x=%{{x:.4g}}<br>model %{{y:.4g}}<extra></extra>",
                meta=dict(role="model", run=r),
            )
        )
    # plain dicts, checked once by the figure (a go.Scatter per run and frame took 3 times as long)
    frames = [
        dict(
            data=[dict(type="scatter", y=curves[r, f]) for r in range(R)],  # x is the trace's own: sent once
            traces=list(range(first, first + R)),
            name=str(int(result.steps[e])),
        )
        for f, e in enumerate(frames_at)
    ]
    still = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate", "transition": {"duration": 0}}
    play = {"frame": {"duration": 80, "redraw": False}, "fromcurrent": True, "transition": {"duration": 0}}
    y_all = np.concatenate([ds.y_train, ds.y_test])
    ylo, yhi = (-0.1, 1.1) if classification else (float(y_all.min()), float(y_all.max()))
    ypad = 0.0 if classification else 0.1 * max(yhi - ylo, 1e-9)
    fs = style.font_size
    target = f"P({ds.target_name or 'class 1'} | x)" if classification else (ds.target_name or "y")
    feature = ds.feature_name + (" (standardized)" if ds.standardized else "")
    # under the plot, top to bottom, in room made for each: the x-axis title, the step slider across the
    # whole width, play/pause, the legend (at the side, the legend left a phone's plot 40 px wide, and
    # the buttons beside the slider lay over its start)
    layout = style.legend_below(legend_names(traces), height=int(style.fig_height * 0.9))
    axis = 2 * fs + 20  # tick labels and the axis title, as in legend_below
    slider_h, buttons_h = 3 * fs + 40, 2 * fs + 14
    controls = slider_h + buttons_h
    height, bottom = layout["height"] + controls, layout["margin"]["b"] + controls
    top = layout["margin"]["t"]
    plot_h = height - top - bottom
    # the layout given to the constructor: ``update_layout`` with the template took 3-5 times as long
    fig = Figure(
        data=traces,
        frames=frames,
        layout=style.layout(
            title=dict(
                text=f"The model: {ds.name}" + (" (P = 0.5 is the decision boundary)" if classification else ""),
                x=0.01,
                xanchor="left",
                font=dict(size=fs + 2),
            ),
            xaxis=dict(title=dict(text=feature), range=[lo - pad, hi + pad]),
            yaxis=dict(title=dict(text=target), range=[ylo - ypad, yhi + ypad]),
            legend=dict(layout["legend"], y=(layout["margin"]["b"] - axis) / height),
            hovermode="closest",
            margin=dict(layout["margin"], b=bottom),
            height=height,
            updatemenus=[
                dict(
                    type="buttons",
                    direction="left",
                    x=0.0,
                    y=-(axis + slider_h) / plot_h,
                    xanchor="left",
                    yanchor="top",
                    pad=dict(t=0, r=0),
                    showactive=False,
                    buttons=[
                        dict(label="▶ Play", method="animate", args=[None, play]),
                        dict(label="❚❚ Pause", method="animate", args=[[None], still]),
                    ],
                )
            ],
            sliders=[
                dict(
                    active=len(frames) - 1,
                    x=0.0,
                    len=1.0,
                    y=-axis / plot_h,
                    yanchor="top",
                    pad=dict(t=0),
                    currentvalue=dict(prefix="step "),
                    steps=[dict(label=f["name"], method="animate", args=[[f["name"]], still]) for f in frames],
                )
            ],
        ),
    )
    fit_title(fig, style.presentation)  # wrapped: on a phone a long dataset name was cut
    # the legend hangs from the figure's bottom (container coordinates): again for the height a wrapped
    # title added
    fig.update_layout(legend=dict(y=(layout["margin"]["b"] - axis) / fig.layout.height))
    return fig
