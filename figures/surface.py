"""The landscape as a 3D surface with every run's path drawn just above it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from figures import paths
from figures.contour import colors_for, f32, figure_title, legend_name, run_look
from figures.grid import SURFACE_N, LandscapeGrid, evaluate_grid, levels_for
from figures.style import LANDSCAPE_COLORSCALE, Figure, FigureStyle
from landscapes.protocol import LandscapeLike
from optimizers.runner import RunResult

Array = np.ndarray
MAX_SURFACE_POINTS = 200  # per run: a 3D path needs fewer points than the contour's
LIFT = 0.01  # paths float this fraction of the surface's height range above it


def surface_height(xs: Array, ys: Array, zs: Array, points: Array) -> Array:
    """Height of the drawn surface above ``points (n, 2)``: the higher of the two ways a grid cell
    ``zs (ny, nx)`` can be split into triangles (WebGL draws triangles, not bilinear patches).
    Points outside the grid are clamped to its edge."""
    fx = np.interp(points[:, 0], xs, np.arange(len(xs)))
    fy = np.interp(points[:, 1], ys, np.arange(len(ys)))
    i = np.clip(np.floor(fx).astype(int), 0, len(xs) - 2)
    j = np.clip(np.floor(fy).astype(int), 0, len(ys) - 2)
    u, v = fx - i, fy - j
    z00, z10, z01, z11 = zs[j, i], zs[j, i + 1], zs[j + 1, i], zs[j + 1, i + 1]
    a = np.where(u >= v, z00 + u * (z10 - z00) + v * (z11 - z10), z00 + v * (z01 - z00) + u * (z11 - z01))
    b = np.where(
        u + v <= 1, z00 + u * (z10 - z00) + v * (z01 - z00), z11 + (1 - u) * (z01 - z11) + (1 - v) * (z10 - z11)
    )
    return np.maximum(a, b)


def surface_title(landscape: LandscapeLike, run_names: Sequence[str]) -> str:
    """The 3D chart's own title (not the contour's): what the height shows."""
    return figure_title(landscape, run_names, limit=36).replace(":", " in 3D:", 1)


def surface_figure(
    landscape: LandscapeLike,
    grid: LandscapeGrid | None = None,
    result: RunResult | None = None,
    labels: Sequence[str] | None = None,
    style: FigureStyle | None = None,
    title: str | None = None,
    max_points: int = MAX_SURFACE_POINTS,
) -> go.Figure:
    """3D surface of ``landscape`` over ``grid`` (default ``60 x 60``) and the paths of ``result``.

    Where the landscape uses log contour levels, the height is ``log10(loss - min + delta)`` (the
    same transform as the contour's colours) and the z axis is labelled in loss units; paths use
    the same transform and are lifted by 1 % of the height range so they stay visible. Points
    outside the grid's window are left out (gaps), so a run that flies off ends at the edge.
    """
    style = style or FigureStyle()
    grid = evaluate_grid(landscape, None, SURFACE_N) if grid is None else grid
    levels = levels_for(landscape, grid)
    zs = levels.transform(grid.z)
    lift = LIFT * float(np.ptp(zs) or 1.0)
    traces: list[go.BaseTraceType] = [
        go.Surface(
            x=grid.xs,
            y=grid.ys,
            z=f32(zs),
            colorscale=LANDSCAPE_COLORSCALE,
            showscale=False,
            opacity=0.85,  # translucent: a path behind a ridge still shows through
            name="loss",
            hoverinfo="skip",
            meta=dict(role="landscape"),
            contours=dict(z=dict(show=False)),
            lighting=dict(ambient=0.7, diffuse=0.6, specular=0.05),
        )
    ]
    run_names: list[str] = []
    if result is not None:
        run_names = paths.names(result, labels)
        colors = colors_for(result)
        for r in range(len(result.status)):
            idx = paths.run_indices(result, r, max_points)
            pts = result.positions[r, idx]
            zf = levels.transform(result.losses[r, idx])
            z = np.maximum(zf, surface_height(grid.xs.astype(float), grid.ys.astype(float), zs, pts)) + lift
            z = np.where(grid.window.contains(pts), z, np.nan)
            look = run_look(result, r, style, colors)
            custom = np.column_stack([result.steps[idx], result.losses[r, idx]])
            traces.append(
                go.Scatter3d(
                    x=f32(pts[:, 0]),
                    y=f32(pts[:, 1]),
                    z=f32(z),
                    mode="lines+markers",
                    name=legend_name(result, r, run_names[r]),
                    legendgroup=f"run{r}",
                    line=dict(color=look["color"], width=style.line_width * 2, dash=look["dash"]),
                    marker=dict(size=style.marker_size * 0.6, color=look["color"]),
                    customdata=f32(custom),
                    hovertemplate=(
                        f"<b>{run_names[r]}</b><br>step %{{customdata[0]:.0f}}<br>x=%{{x:.4g}}, "
                        "y=%{y:.4g}<br>loss %{customdata[1]:.4g}<extra></extra>"
                    ),
                    meta=dict(role="path", run=r),
                )
            )
    zaxis: dict[str, object] = dict(title=dict(text=levels.title))
    if levels.tickvals:
        zaxis.update(tickmode="array", tickvals=list(levels.tickvals), ticktext=list(levels.ticktext))
    w = grid.window
    config_names = list(result.labels) if result is not None else []
    if labels is not None and result is not None and len(labels) == len(result.labels):
        config_names = list(labels)
    fig = Figure(traces)
    fig.update_layout(
        **style.layout(
            title=dict(text=title or surface_title(landscape, config_names), x=0.01, xanchor="left"),
            scene=dict(
                xaxis=dict(title=dict(text=landscape.axis_names[0]), range=[w.xmin, w.xmax], nticks=5),
                yaxis=dict(title=dict(text=landscape.axis_names[1]), range=[w.ymin, w.ymax], nticks=5),
                zaxis=dict(zaxis, nticks=5),
                camera=dict(eye=dict(x=1.1, y=-1.5, z=1.5)),  # from above: paths in valleys stay in view
                aspectmode="manual",
                aspectratio=dict(x=1.0, y=float(np.clip(w.height / w.width, 0.25, 4.0)), z=0.6),
            ),
            legend=dict(orientation="h", yanchor="top", y=0.0, x=0.0, font=dict(size=style.font_size)),
            margin=dict(l=0, r=0, t=60, b=0),
            uirevision=landscape.key,
        )
    )
    return fig
