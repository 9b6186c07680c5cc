"""Hyperparameter sweep core and heatmap: the GD stability limit 2/lambda_max (and heavy ball's
2(1+mu)/lambda_max) from the landscape's own Hessian, cells equal to single runs, failure flags,
figure structure, and validation of ranges."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

import landscapes
import optimizers
from analysis.sweep import (
    Outcome,
    SweepSettings,
    compute_sweep,
    run_columns,
    stable_edge,
    stacked_config,
    unstacked_configs,
)
from figures.sweep import sweep_figure
from optimizers import RunConfig, RunOptions, Status
from scenes.codec import from_query

START = (1.0, 0.5)  # generic: not on an eigenvector of either landscape


def gd_sweep(landscape: str, x_min: float, x_max: float, nx: int = 60, steps: int = 200) -> SweepSettings:
    """Plain GD (momentum 0: one row) over a log grid of learning rates."""
    return SweepSettings(
        landscape=landscape,
        optimizer="sgd",
        x_param="lr",
        x_min=x_min,
        x_max=x_max,
        x_log=True,
        nx=nx,
        y_param="momentum",
        y_min=0.0,
        y_max=0.0,
        y_log=False,
        ny=1,
        custom_start=True,
        start_x=START[0],
        start_y=START[1],
        steps=steps,
    )


def lambda_max(name: str) -> float:
    """Largest Hessian eigenvalue at the start (the landscapes here are quadratics)."""
    land = landscapes.get(name)
    return float(np.linalg.eigvalsh(land.hessian(np.array(START))).max())


@pytest.mark.parametrize(("name", "x_min", "x_max"), [("quadratic", 1e-2, 10.0), ("ravine", 1e-3, 1.0)])
def test_gd_diverges_exactly_beyond_two_over_lambda_max(name, x_min, x_max):
    limit = 2.0 / lambda_max(name)
    assert x_min < limit < x_max
    res = compute_sweep(gd_sweep(name, x_min, x_max))
    xs = res.xs
    failed = res.failed[0]
    # every cell below the limit is stable, every cell above it fails
    np.testing.assert_array_equal(failed, xs > limit)
    # the reported edge is the last grid value below the limit, the first failure the next one
    j = int(np.searchsorted(xs, limit))
    assert res.edge_x[0] == xs[j - 1] <= limit < res.fail_x[0] == xs[j]
    # within one grid cell of the closed form
    ratio = xs[1] / xs[0]
    assert limit / ratio <= res.edge_x[0] <= limit <= res.fail_x[0] <= limit * ratio
    # well beyond the limit the runner itself flags divergence
    far = xs > 1.5 * limit
    assert np.all(res.status[0, far] == Status.DIVERGED)
    assert np.all(res.outcome[0, far] == Outcome.DIVERGED)
    assert np.all(np.isnan(res.values()[0, failed]))
    assert np.all(np.isfinite(res.values()[0, ~failed]))


def test_heavy_ball_edge_follows_two_one_plus_mu_over_lambda_max():
    lam = lambda_max("ravine")
    s = SweepSettings(
        landscape="ravine",
        optimizer="momentum",
        x_min=1e-3,
        x_max=1.0,
        nx=80,
        y_min=0.0,
        y_max=0.6,
        ny=4,
        custom_start=True,
        start_x=START[0],
        start_y=START[1],
        steps=400,
    )
    res = compute_sweep(s)
    step = np.log(res.xs[1] / res.xs[0])
    for mu, edge, fail in zip(res.ys, res.edge_x, res.fail_x, strict=True):
        theory = 2.0 * (1.0 + mu) / lam
        assert edge <= theory * np.exp(step) and fail >= theory / np.exp(step), (mu, edge, fail, theory)


def test_stable_edge_of_a_hand_made_mask():
    xs = np.array([1.0, 2.0, 3.0, 4.0])
    failed = np.array([[0, 0, 1, 1], [0, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 1]], dtype=bool)
    edge, fail = stable_edge(xs, failed)
    np.testing.assert_array_equal(edge, [2.0, 4.0, np.nan, 1.0])
    np.testing.assert_array_equal(fail, [3.0, np.nan, 1.0, 2.0])


@pytest.mark.parametrize(
    ("landscape", "kind", "y_param", "y_range"),
    [
        ("himmelblau", "momentum", "momentum", (0.0, 0.95)),
        ("rosenbrock", "adam", "beta1", (0.5, 0.95)),
    ],
)
def test_cells_equal_single_runs(landscape, kind, y_param, y_range):
    s = SweepSettings(
        landscape=landscape,
        optimizer=kind,
        x_param="lr",
        x_min=1e-4,
        x_max=0.3,
        nx=12,
        y_param=y_param,
        y_min=y_range[0],
        y_max=y_range[1],
        ny=9,
        steps=150,
        tol=0.05,
    )
    res = compute_sweep(s)
    land = landscapes.get(landscape)
    start = np.array(land.starts[0], dtype=float)
    rng = np.random.default_rng(0)
    cells = [(0, 0), (s.ny - 1, s.nx - 1)] + [tuple(rng.integers([0, 0], [s.ny, s.nx])) for _ in range(4)]
    for i, j in cells:
        lr = float(np.geomspace(1e-4, 0.3, 12)[j])
        y = float(np.linspace(*y_range, 9)[i])
        single = optimizers.run(
            land,
            [RunConfig(optimizers.make(kind, **{"lr": lr, y_param: y}))],
            start[None],
            RunOptions(steps=150, record_every=0, tol=0.05),
        )
        assert res.status[i, j] == single.status[0]
        assert res.status_step[i, j] == single.status_step[0]
        assert res.hit_step[i, j] == single.hit_step[0]
        np.testing.assert_allclose(res.final_loss[i, j], single.final_losses[0], rtol=1e-12, atol=0)
        np.testing.assert_allclose(res.final_xy[i, j], single.final_positions[0], rtol=1e-12, atol=1e-300)


def test_cheap_configs_equal_validated_ones_and_chunks_equal_the_whole():
    base = optimizers.make("momentum")
    cols = {"lr": np.array([1e-3, 2e-2, 0.3]), "momentum": np.array([0.0, 0.5, 0.9])}
    made = [optimizers.make("momentum", lr=a, momentum=b) for a, b in zip(cols["lr"], cols["momentum"], strict=True)]
    assert unstacked_configs(base, cols) == made
    assert base.lr == optimizers.make("momentum").lr  # the default config was not touched
    with pytest.raises(ValueError, match="momentum"):
        stacked_config(base, {"momentum": np.array([0.5, 1.5])})
    land = landscapes.get("himmelblau")
    options = RunOptions(steps=80, record_every=0)
    whole = run_columns(land, base, cols, np.array([0.5, 0.5]), options)
    pieces = run_columns(land, base, cols, np.array([0.5, 0.5]), options, chunk=2)
    np.testing.assert_array_equal(whole.final_positions, pieces.final_positions)
    np.testing.assert_array_equal(whole.status, pieces.status)


def test_figure_axes_shape_and_failed_cells():
    s = gd_sweep("ravine", 1e-3, 1.0, nx=30)
    s = dataclasses.replace(s, y_max=0.9, ny=5, y_param="momentum")
    res = compute_sweep(s)
    fig = sweep_figure(res, selected=(1, 2))
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "linear"
    values = next(t for t in fig.data if t.meta["role"] == "values")
    failed = next(t for t in fig.data if t.meta["role"] == "failed")
    assert np.asarray(values.z).shape == (5, 30) == np.asarray(failed.z).shape
    np.testing.assert_allclose(values.x, res.xs, rtol=1e-6)
    marked = np.isfinite(np.asarray(failed.z, dtype=float))
    np.testing.assert_array_equal(marked, res.failed)
    assert res.failed.any() and not res.failed.all()
    assert np.all(np.isnan(np.asarray(values.z, dtype=float))[res.failed])
    # a legend entry names the diverged cells with their count
    diverged = int(np.sum(res.outcome == Outcome.DIVERGED))
    assert any(t.name == f"diverged ({diverged} cells)" for t in fig.data)
    # the edge line sits between the last stable and the first failing x of each row
    edge = next(t for t in fig.data if t.meta["role"] == "edge")
    for k in range(5):
        assert res.edge_x[k] <= edge.x[k] * (1 + 1e-6) and edge.x[k] <= res.fail_x[k] * (1 + 1e-6)
    # an invisible marker on every cell centre
    click = next(t for t in fig.data if t.meta["role"] == "click")
    assert len(click.x) == 5 * 30 and click.marker.opacity == 0
    # the heavy-ball theory line is drawn (constant Hessian)
    assert any(t.meta["role"] == "theory" for t in fig.data)


def test_cell_scene_round_trips_through_the_url():
    s = SweepSettings(nx=7, ny=5)
    scene = s.cell_scene(3, 4)
    from scenes.codec import scene_url

    back, warnings = from_query(parse_qs(urlsplit(scene_url(scene, base="/")).query))
    assert not warnings
    assert back.landscape == s.landscape and back.steps == s.steps
    assert dict(back.runs[0].hparams) == {"lr": float(s.xs()[4]), "momentum": float(s.ys()[3])}
    assert back.starts == (s.start(),)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x_min": 1.0, "x_max": 0.1}, "Invalid x range: min 1 must be below max 0.1"),
        ({"y_min": 0.5, "y_max": 0.5}, "Invalid y range"),
        ({"x_min": 0.0}, "log axis needs min > 0"),
        ({"nx": 101}, "Invalid nx: 101"),
        ({"ny": 0}, "Invalid ny: 0"),
        ({"steps": 0}, "Invalid steps"),
        ({"x_max": float("inf")}, "must be finite"),
    ],
)
def test_invalid_ranges_raise(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        SweepSettings(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"optimizer": "sgd", "y_param": "beta1"}, "sgd has no hyperparameter 'beta1'"),
        ({"x_param": "momentum"}, "two different hyperparameters"),
        ({"y_max": 1.5}, "Invalid momentum: 1.5"),
        ({"nx": 100, "ny": 100, "steps": 5000}, "Too much work"),
        ({"custom_start": True, "start_x": 100.0}, "too far outside"),
        ({"optimizer": "coordinate"}, "cannot be swept"),
    ],
)
def test_impossible_sweeps_raise_with_a_clear_message(kwargs, message):
    s = SweepSettings(**kwargs)
    assert any(message in p for p in s.problems())
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        compute_sweep(s)
