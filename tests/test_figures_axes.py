"""The plane's axes are titled with the landscape's parameter names: x and y on a formula, the
model's weights on a data landscape (w and b for a line, w and v for the tanh network)."""

from __future__ import annotations

import pytest

import figures
import landscapes
import optimizers
from optimizers import RunConfig, RunOptions

CASES = [
    ("rosenbrock", ("x", "y")),
    ("data_linear", ("w", "b")),
    ("data_logistic", ("w", "b")),
    ("data_tanh", ("w", "v")),
]


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def race(request):
    name, names = request.param
    land = landscapes.get(name)
    start = landscapes.suggested_start(land)[None]
    result = optimizers.run(land, [RunConfig(optimizers.make("sgd", lr=0.01))], start, RunOptions(steps=5))
    return land, result, names


def test_every_formula_landscape_names_its_axes_x_and_y():
    for name in landscapes.builtin_names():
        if not name.startswith("data_"):
            assert landscapes.get(name).axis_names == ("x", "y"), name
    assert landscapes.get("custom").axis_names == ("x", "y")


def test_contour_and_animation_axes_carry_the_parameter_names(race):
    land, result, names = race
    assert land.axis_names == names
    for fig in (figures.contour_figure(land, None, result), figures.animation_figure(land, None, result)):
        assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == names
    (click,) = [t for t in figures.contour_figure(land, None, result).data if (t.meta or {}).get("role") == "click"]
    assert click.hovertemplate.startswith(f"{names[0]}=%{{x:.3f}}, {names[1]}=%{{y:.3f}}")


def test_surface_axes_carry_the_parameter_names(race):
    land, result, names = race
    scene = figures.surface_figure(land, None, result).layout.scene
    assert (scene.xaxis.title.text, scene.yaxis.title.text) == names
