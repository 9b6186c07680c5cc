"""The hyperparameter sweep as a heatmap: final loss (log colour) or steps to tolerance per cell,
failed cells in their own colours with a legend, the edge of the stable band drawn over it, an
optional theoretical edge, and an invisible grid of cell centres to click on."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import plotly.graph_objects as go

import optimizers
from analysis.sweep import Outcome, SweepResult, theory_edge
from figures.contour import f32
from figures.grid import contour_levels, known_min_value
from figures.style import MARK_COLOR, FigureStyle, legend_names
from settings import spec_of

Array = np.ndarray

# Failed cells: colours outside Viridis (purple-blue-green-yellow) and distinct from each other.
OUTCOME_COLORS = {
    Outcome.DIVERGED: "#B2182B",  # dark red
    Outcome.LEFT: "#E7298A",  # magenta
    Outcome.GREW: "#F4A582",  # salmon
}
NEVER_COLOR = "#BDBDBD"  # stable, but never within tolerance (steps-to-tolerance view)
NEVER = 4  # code of that category in the overlay
CLICK_ROLE = "click"
EDGE_COLOR = "#FFFFFF"


def param_label(kind: str, name: str) -> str:
    """The hyperparameter's label from its ``hyper`` metadata (``"learning rate"``), else its name."""
    f = next((f for f in dataclasses.fields(optimizers.optimizer_class(kind)) if f.name == name), None)
    spec = spec_of(f) if f is not None else None
    return (spec.label if spec is not None else "") or name


def axis_title(kind: str, name: str, log: bool) -> str:
    return f"{param_label(kind, name)} ({name})" + (", log scale" if log else "")


def boundary(a: Array, b: Array, log: bool) -> Array:
    """The cell boundary between values ``a`` and ``b`` (geometric mean on a log axis); NaN stays NaN."""
    with np.errstate(invalid="ignore"):
        return np.sqrt(a * b) if log else 0.5 * (a + b)


def edge_line(result: SweepResult) -> tuple[Array, Array]:
    """Points ``(x, y)`` of the stable band's edge: per row, the boundary between its last stable
    cell and its first failing cell (NaN where a row has no such pair, so the line breaks)."""
    x = boundary(result.edge_x, result.fail_x, result.settings.x_log)
    return x, result.ys.astype(float)


def _overlay_codes(result: SweepResult, metric: str) -> Array:
    """Codes of the categorical overlay ``(ny, nx)``: outcome for failed cells, ``NEVER`` for
    stable cells that never reached the tolerance (steps view), NaN elsewhere (transparent)."""
    codes = np.where(result.failed, result.outcome.astype(float), np.nan)
    if metric == "steps_to_tol":
        codes = np.where(~result.failed & (result.hit_step < 0), float(NEVER), codes)
    return codes


def _overlay_colorscale() -> list[list[Any]]:
    """A step colourscale over codes 1..4 (zmin 0.5, zmax 4.5)."""
    colors = [OUTCOME_COLORS[Outcome.DIVERGED], OUTCOME_COLORS[Outcome.LEFT], OUTCOME_COLORS[Outcome.GREW], NEVER_COLOR]
    scale: list[list[Any]] = []
    for k, c in enumerate(colors):
        scale += [[k / len(colors), c], [(k + 1) / len(colors), c]]
    return scale


def _value_trace(result: SweepResult, metric: str, style: FigureStyle) -> go.Heatmap:
    values = result.values(metric)
    s = result.settings
    hx = f"{s.x_param}=%{{x:.4g}}<br>{s.y_param}=%{{y:.4g}}"
    bar = style.bar_at_foot()  # under the plot: at the side it took a third of a phone's chart
    # the plot's width, its title at its right included: at a fixed 200-360 px it was a stub under a wide
    # sweep, its ticks turned on end (at 60% a phone's bar was 70 px)
    bar.update(lenmode="fraction", len=1.0, x=0.0)
    if metric == "final_loss":
        landscape = s.landscape_obj()
        finite = values[np.isfinite(values)]
        levels = contour_levels(
            finite if finite.size else np.array([0.0, 1.0]), log=True, zmin=known_min_value(landscape)
        )
        z = np.where(np.isfinite(values), levels.transform(np.nan_to_num(values, nan=0.0)), np.nan)
        bar.update(levels.colorbar())
        bar["title"] = dict(text="final loss", side="right")  # log colour: the ticks say so
        custom = f32(values)
        hover = hx + "<br>final loss %{customdata:.4g}<extra></extra>"
        return go.Heatmap(
            x=f32(result.xs),
            y=f32(result.ys),
            z=f32(z),
            zmin=levels.start,
            zmax=levels.end,
            customdata=custom,
            colorscale="Viridis",
            colorbar=bar,
            hovertemplate=hover,
            name="final loss",
            meta=dict(role="values"),
        )
    bar["title"] = dict(text="steps", side="right")  # the chart's title says to within what
    return go.Heatmap(
        x=f32(result.xs),
        y=f32(result.ys),
        z=f32(values),
        colorscale="Viridis",
        reversescale=True,
        colorbar=bar,
        hovertemplate=hx + "<br>steps to tolerance %{z:.0f}<extra></extra>",
        name="steps to tolerance",
        meta=dict(role="values"),
    )


def _legend_traces(codes: Array, style: FigureStyle) -> list[go.Scatter]:
    """Legend entries (square markers) for the categories present, with their cell counts."""
    out = []
    names = {Outcome.DIVERGED: "diverged", Outcome.LEFT: "left the window", Outcome.GREW: "loss grew (unstable)"}
    items = [(int(k), names[k], OUTCOME_COLORS[k]) for k in (Outcome.DIVERGED, Outcome.LEFT, Outcome.GREW)]
    items.append((NEVER, "never within tolerance", NEVER_COLOR))
    for code, name, color in items:
        n = int(np.sum(codes == code))
        if n == 0 and code != Outcome.DIVERGED:
            continue
        out.append(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=f"{name} ({n} cells)",
                marker=dict(symbol="square", size=style.mark_size, color=color, line=dict(width=1, color=MARK_COLOR)),
                hoverinfo="skip",
                meta=dict(role="legend", code=code),
            )
        )
    return out


def click_trace(result: SweepResult) -> go.Scatter:
    """Invisible markers at every cell centre (Plotly selects scatter points, not heatmap cells)."""
    gx, gy = np.meshgrid(result.xs, result.ys)
    return go.Scatter(
        x=f32(gx.ravel()),
        y=f32(gy.ravel()),
        mode="markers",
        name="click a cell",
        marker=dict(size=10, opacity=0, color="#000000"),
        hoverinfo="none",
        showlegend=False,
        selected=dict(marker=dict(opacity=0)),
        unselected=dict(marker=dict(opacity=0)),
        meta=dict(role=CLICK_ROLE),
    )


def sweep_figure(
    result: SweepResult,
    style: FigureStyle | None = None,
    metric: str | None = None,
    selected: tuple[int, int] | None = None,
    clickable: bool = True,
) -> go.Figure:
    """Heatmap ``z (ny, nx)`` of the sweep (x along columns, y along rows; log axes as set),
    failed cells in ``OUTCOME_COLORS`` with legend entries, the stable band's edge as a white
    line, the theoretical edge where it is exact, the ``selected`` cell ``(i, j)`` outlined,
    and with ``clickable`` an invisible scatter of cell centres (meta role "click") on top."""
    style = style or FigureStyle()
    s = result.settings
    metric = metric or s.metric
    codes = _overlay_codes(result, metric)
    traces: list[Any] = [
        _value_trace(result, metric, style),
        go.Heatmap(
            x=f32(result.xs),
            y=f32(result.ys),
            z=f32(codes),
            zmin=0.5,
            zmax=4.5,
            colorscale=_overlay_colorscale(),
            showscale=False,
            hoverongaps=False,
            hovertemplate=f"{s.x_param}=%{{x:.4g}}<br>{s.y_param}=%{{y:.4g}}<br>%{{text}}<extra></extra>",
            text=_overlay_text(codes),
            name="failed cells",
            meta=dict(role="failed"),
        ),
        *_legend_traces(codes, style),
    ]
    ex, ey = edge_line(result)
    if np.isfinite(ex).any():
        traces.append(
            go.Scatter(
                x=f32(ex),
                y=f32(ey),
                mode="lines+markers",
                name="edge of the stable band",
                line=dict(color=EDGE_COLOR, width=style.line_width + 1),
                marker=dict(size=style.marker_size + 2, color=EDGE_COLOR, line=dict(width=1, color=MARK_COLOR)),
                connectgaps=False,
                hovertemplate=f"stable up to {s.x_param}≈%{{x:.4g}}<br>{s.y_param}=%{{y:.4g}}<extra></extra>",
                meta=dict(role="edge"),
            )
        )
    theory = theory_edge(s, result.ys)
    if theory is not None:
        traces.append(
            go.Scatter(
                x=f32(theory),
                y=f32(result.ys),
                mode="lines",
                name="theory: 2(1+μ)/λ_max",
                line=dict(color=MARK_COLOR, width=style.line_width, dash="dash"),
                hovertemplate="theory: lr = %{x:.4g}<extra></extra>",
                meta=dict(role="theory"),
            )
        )
    if selected is not None:
        i, j = selected
        traces.append(
            go.Scatter(
                x=[float(result.xs[j])],
                y=[float(result.ys[i])],
                mode="markers",
                name="selected cell",
                marker=dict(symbol="square-open", size=style.mark_size * 1.4, color=MARK_COLOR, line=dict(width=3)),
                hoverinfo="skip",
                meta=dict(role="selected"),
            )
        )
    if clickable:
        traces.append(click_trace(result))
    fig = go.Figure(traces)
    what = "final loss" if metric == "final_loss" else f"steps to within {s.tol:g} of a minimum"
    title = (
        f"{s.landscape_obj().title}: {optimizers.optimizer_class(s.optimizer).title}, {what} "
        f"after {s.steps} steps ({s.nx} x {s.ny} runs)"
    )
    fig.update_layout(
        **style.layout(
            title=dict(text=title, x=0.01, xanchor="left"),
            xaxis=dict(
                title=dict(text=axis_title(s.optimizer, s.x_param, s.x_log)),
                type="log" if s.x_log else "linear",
                showgrid=False,
                zeroline=False,
            ),
            yaxis=dict(
                title=dict(text=axis_title(s.optimizer, s.y_param, s.y_log)),
                type="log" if s.y_log else "linear",
                showgrid=False,
                zeroline=False,
            ),
            **style.legend_and_bar_below(legend_names(fig)),
            plot_bgcolor="#FFFFFF",
            hovermode="closest",
        ),
        uirevision=f"{s.landscape}-{s.optimizer}-{s.x_param}-{s.y_param}",
    )
    return fig


def _overlay_text(codes: Array) -> list[list[str]] | None:
    """Hover text of the overlay cells; None when no cell is marked (saves the payload)."""
    if not np.isfinite(codes).any():
        return None
    names = {
        float(Outcome.DIVERGED): "diverged",
        float(Outcome.LEFT): "left window",
        float(Outcome.GREW): "loss grew",
        float(NEVER): "never reached tol",
    }
    return [[names.get(float(c), "") if np.isfinite(c) else "" for c in row] for row in codes]
