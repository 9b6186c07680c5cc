"""The race page's figures for one scene, built in one place so the page, the exported files and
the command-line renderer show exactly the same figures."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from figures.animation import animation_figure
from figures.contour import contour_figure
from figures.curves import distance_figure, loss_figure
from figures.grid import LandscapeGrid
from figures.style import FigureStyle
from figures.surface import surface_figure
from landscapes.protocol import LandscapeLike
from optimizers.runner import RunResult

FIGURE_NAMES = ("contour", "surface", "loss", "distance", "animation")


def race_figures(
    scene: Any,
    landscape: LandscapeLike,
    result: RunResult,
    grid: LandscapeGrid,
    surface_grid: LandscapeGrid | None = None,
    names: tuple[str, ...] = FIGURE_NAMES,
    clickable: bool = False,
) -> dict[str, go.Figure]:
    """The figures named in ``names`` for ``scene`` (a ``scenes.Scene``) and its computed arrays.

    ``clickable`` adds the contour's invisible click grid (for the page, not for files).
    """
    style = FigureStyle(presentation=scene.view.presentation)
    labels = scene.labels()
    starts = np.asarray(scene.starts_array())
    out: dict[str, go.Figure] = {}
    if "contour" in names:
        out["contour"] = contour_figure(landscape, grid, result, labels, style, starts=starts, clickable=clickable)
    if "surface" in names:
        out["surface"] = surface_figure(landscape, surface_grid, result, labels, style)
    if "loss" in names:
        out["loss"] = loss_figure(result, labels, style, log_y=scene.view.log_loss)
    if "distance" in names:
        out["distance"] = distance_figure(result, landscape, labels, style)
    if "animation" in names:
        out["animation"] = animation_figure(landscape, grid, result, labels, style)
    return out
