"""Render a scene's race figures without Streamlit: the same builders and arrays as the page."""

from __future__ import annotations

import plotly.graph_objects as go

import optimizers
from figures.contour import IMAGE_PX
from figures.grid import CONTOUR_N, SURFACE_N, evaluate_grid
from figures.model_view import model_figure
from figures.race import FIGURE_NAMES, race_figures
from figures.style import FigureStyle
from figures.train_test import decorate_race, train_test_losses
from landscapes.cost import grid_side, is_data
from scenes import Scene


def render_scene(scene: Scene, names: tuple[str, ...] = FIGURE_NAMES) -> dict[str, go.Figure]:
    """Compute ``scene`` and build the named figures (see ``figures.race.FIGURE_NAMES``, and "model" on a
    data landscape); run labels are escaped for Plotly (``Scene.for_plotly``). A data landscape's
    figures show the test loss as on the page."""
    landscape = scene.landscape_obj()
    result = optimizers.run(landscape, scene.run_configs(), scene.starts_array(), scene.options())
    grid = evaluate_grid(landscape, landscape.window, grid_side(landscape, CONTOUR_N))
    surface_grid = (
        evaluate_grid(landscape, landscape.window, grid_side(landscape, SURFACE_N)) if "surface" in names else None
    )
    plotly_scene = scene.for_plotly()
    figs = race_figures(plotly_scene, landscape, result, grid, surface_grid, names=names)
    if is_data(landscape):  # train vs test, and the model
        style, labels = FigureStyle(presentation=scene.view.presentation), plotly_scene.labels()
        if landscape.dataset.n_test:
            test = landscape.on("test")
            test_grid = evaluate_grid(test, landscape.window, grid_side(test, IMAGE_PX))  # drawn as an image
            decorate_race(
                landscape, result, figs, labels, style, test_grid, train_test_losses(landscape, result.positions)[1]
            )
        if "model" in names:
            figs["model"] = model_figure(landscape, result, labels, style)
    return figs
