"""Render a scene's race figures without Streamlit: the same builders and arrays as the page."""

from __future__ import annotations

import plotly.graph_objects as go

import optimizers
from figures.grid import CONTOUR_N, SURFACE_N, evaluate_grid
from figures.race import FIGURE_NAMES, race_figures
from scenes import Scene


def render_scene(scene: Scene, names: tuple[str, ...] = FIGURE_NAMES) -> dict[str, go.Figure]:
    """Compute ``scene`` and build the named figures (see ``figures.race.FIGURE_NAMES``); run labels
    are escaped for Plotly (``Scene.for_plotly``)."""
    landscape = scene.landscape_obj()
    result = optimizers.run(landscape, scene.run_configs(), scene.starts_array(), scene.options())
    grid = evaluate_grid(landscape, landscape.window, CONTOUR_N)
    surface_grid = evaluate_grid(landscape, landscape.window, SURFACE_N) if "surface" in names else None
    return race_figures(scene.for_plotly(), landscape, result, grid, surface_grid, names=names)
