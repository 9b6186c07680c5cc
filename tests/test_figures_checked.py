"""The race's figures are built without Plotly's property checks (``figures.style.Scatter`` and
``Figure``: two thirds of their build time). Here each one is built again from its dictionary with the
checks on: every property must be one Plotly knows, with a valid value, and the checked figure must
be the same figure."""

from __future__ import annotations

import dataclasses
import json

import plotly.graph_objects as go
import pytest

from figures.style import Scatter
from scenes import Scene, View, spec
from scenes.data_presets import BATCH_SIZES
from ui.race_figures import race_figure_set

ALL = ("contour", "loss", "distance", "surface", "animation")
KINDS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "amsgrad", "adamw", "adamax", "nadam")
TWELVE = Scene(
    # the last two: one diverges (its end is an X, its curve ends in an X), one converges
    runs=(*(spec(k, lr=1e-3) for k in KINDS), spec("sgd", lr=1.0), spec("adam", lr=0.05)),
    steps=120,
)
SCENES = {
    "default": (Scene(), ALL),
    "twelve runs": (TWELVE, ("contour", "loss", "distance")),
    "two starts": (dataclasses.replace(Scene(), starts=((-1.5, 2.0), (1.0, -0.5))), ("contour", "loss", "distance")),
    "data race": (BATCH_SIZES, (*ALL, "model")),
    "presenting": (dataclasses.replace(BATCH_SIZES, view=View(presentation=True)), ("contour", "animation", "model")),
}


def _checked(fig: go.Figure) -> go.Figure:
    """``fig`` rebuilt from its dictionary by Plotly with every property checked (raises if invalid)."""
    return go.Figure(fig.to_dict())


@pytest.mark.parametrize("case", list(SCENES))
def test_every_race_figure_passes_plotlys_checks_unchanged(case):
    scene, names = SCENES[case]
    figs = race_figure_set(scene, names)
    assert set(figs) == set(names)
    for name, fig in figs.items():
        checked = _checked(fig)
        assert json.loads(checked.to_json()) == json.loads(fig.to_json()), (case, name)


def test_the_check_finds_an_unknown_property():
    fig = go.Figure(data=[Scatter(x=[1, 2], y=[3, 4], markr=dict(size=3))], _validate=False)
    with pytest.raises(ValueError, match="markr"):
        _checked(fig)
