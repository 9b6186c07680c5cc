"""A typed formula works wherever a built-in landscape does: sweep, basins, links, export."""

from __future__ import annotations

import numpy as np

from analysis.basins import BasinSettings, compute_basins
from analysis.sweep import SweepSettings, compute_sweep
from export.render import render_scene
from scenes import Scene
from scenes.codec import from_query, to_query
from tests.app_support import chart_titles, charts, messages, run_page

ROSENBROCK = "(1-x)**2 + 100*(y-x**2)**2"
HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"
DOUBLE_WELL = "(x**2 - 1)**2 + y**2"


def test_sweep_on_the_typed_rosenbrock_equals_the_built_in_one():
    common = dict(
        optimizer="sgd",
        x_param="lr",
        x_min=1e-4,
        x_max=3e-3,
        nx=6,
        y_param="momentum",
        y_min=0.0,
        y_max=0.9,
        ny=5,
        custom_start=True,
        start_x=-1.5,
        start_y=2.0,
        steps=150,
    )
    typed = compute_sweep(SweepSettings(landscape="custom", formula=ROSENBROCK, **common))
    built_in = compute_sweep(SweepSettings(landscape="rosenbrock", **common))
    np.testing.assert_allclose(typed.final_loss, built_in.final_loss, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(typed.status, built_in.status)


def test_basins_of_a_typed_double_well_split_at_x_zero():
    result = compute_basins(
        BasinSettings(
            landscape="custom",
            formula=DOUBLE_WELL,
            resolution=24,
            steps=1500,
            opt1="sgd",
            lr1=0.01,
            opt2="none",
            opt3="none",
        )
    )
    assert len(result.minima) == 2
    left = int(np.argmin(result.minima[:, 0]))
    np.testing.assert_allclose(result.minima[left], (-1.0, 0.0), atol=1e-6)
    np.testing.assert_allclose(result.minima[1 - left], (1.0, 0.0), atol=1e-6)
    gx = result.xs[None, :].repeat(len(result.ys), axis=0)
    codes = result.codes[0]
    # small steps follow the gradient flow, which keeps the sign of x: left of 0 ends in the left well
    assert np.all(codes[gx < -0.2] == left)
    assert np.all(codes[gx > 0.2] == 1 - left)


def test_formula_travels_in_links_and_exports():
    scene = Scene(
        landscape="custom", landscape_params=(("formula", ROSENBROCK), ("window", (-2.0, 2.0, -1.0, 3.0))), steps=50
    )
    back, warnings = from_query(to_query(scene))
    assert warnings == [] and back == scene
    figs = render_scene(scene, ("contour",))
    assert "Custom" in figs["contour"].layout.title.text


def test_sweep_and_basin_pages_accept_a_formula_and_refuse_a_hostile_one(tmp_path):
    target = tmp_path / "pwned"  # created only if a formula were executed
    for script, small in (
        ("pages/1_Hyperparameter_sweep.py", {"nx": "8", "ny": "6"}),
        ("pages/2_Basins_of_attraction.py", {"resolution": "16"}),
    ):
        at = run_page(script, query={"landscape": "custom", "formula": HIMMELBLAU, **small})
        assert not at.exception
        assert not at.error, [e.value for e in at.error]
        # the sweep's chart is titled by the landscape; the basin maps by their optimizer, under a
        # caption that names the landscape
        named = [t for t in chart_titles(at) if t.startswith("Custom")]
        named += [m.value for m in at.markdown if m.value.startswith("**Where runs from each start end**: Custom")]
        assert charts(at) and named
        for hostile in (f"__import__('os').system('touch {target}')", f"open('{target}', 'w')"):
            at = run_page(script, query={"landscape": "custom", "formula": hostile, **small})
            assert not at.exception
            assert not target.exists(), hostile
            assert messages(at), hostile  # refused, and said so
            assert hostile not in str(dict(at.query_params)), hostile  # dropped: the default formula is used


def test_a_sweep_cell_on_a_typed_formula_opens_as_a_race_on_that_formula():
    settings = SweepSettings(
        landscape="custom",
        formula=ROSENBROCK,
        optimizer="sgd",
        x_param="lr",
        x_min=1e-4,
        x_max=1e-3,
        nx=3,
        y_param="momentum",
        y_min=0.0,
        y_max=0.5,
        ny=2,
        steps=50,
    )
    scene = settings.cell_scene(1, 2)
    back, warnings = from_query(to_query(scene))
    assert warnings == []
    assert back.landscape == "custom" and dict(back.landscape_params)["formula"] == ROSENBROCK
    assert dict(back.runs[0].hparams) == {"lr": 1e-3, "momentum": 0.5}
