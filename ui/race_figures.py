"""The race page's figures, built once per scene and shared by every session.

Building the Plotly figures (validation of every property) is the larger part of the race's server
time once the runs are cached: about 0.15-0.3 s on this machine for the default scene. A class that
opens the same link, or a user who goes back to a scene, gets the figures from the cache. The
figures are read-only after this: ``st.plotly_chart`` serializes them without changing them, and
the page copies one before changing it (``page.without_click_grid``)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from figures.model_view import model_figure
from figures.race import race_figures
from figures.style import FigureStyle
from scenes import Scene
from ui import compute, data_race

__all__ = ["race_figure_set"]


@st.cache_resource(max_entries=32, show_spinner=False)
def race_figure_set(scene: Scene, names: tuple[str, ...]) -> dict[str, go.Figure]:
    """``names`` of ``figures.race.race_figures`` for ``scene`` (``scene.view`` sets the style), on a
    data landscape with the test loss, test curves and early stopping added, and "model" (the data and
    each run's fitted model, ``figures.model_view``) when asked for; not to be mutated."""
    landscape = scene.landscape_obj()
    result = compute.simulate(scene)
    surface = compute.landscape_grid(landscape, compute.SURFACE_N) if "surface" in names else None
    plotly_scene = scene.for_plotly()
    figs = race_figures(
        plotly_scene,
        landscape,
        result,
        compute.landscape_grid(landscape, compute.IMAGE_N),  # drawn as an image on the server
        surface,
        names=names,
        clickable=True,
    )
    if data_race.is_data(landscape):
        style = FigureStyle(presentation=scene.view.presentation)
        data_race.decorate(landscape, result, figs, plotly_scene.labels(), style)
        if "model" in names:
            figs["model"] = model_figure(landscape, result, plotly_scene.labels(), style)
    return figs
