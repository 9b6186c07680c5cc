"""Basins of attraction: Himmelblau's four basins under small-step GD, divergence far outside,
categories from hand-made results, shares, noise reproducibility, and the figures' structure."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import landscapes
import optimizers
from analysis.basins import BasinSettings, classify, compute_basins, fractions, run_starts
from figures.basins import basin_figure, category_colors, fractions_figure
from optimizers import Noise, RunConfig, RunOptions, Status

HIMMELBLAU = landscapes.get("himmelblau")
GD = dict(opt1="sgd", lr1=0.01, opt2="none", opt3="none", opt4="none")


@pytest.fixture(scope="module")
def himmelblau_gd():
    return compute_basins(BasinSettings(landscape="himmelblau", resolution=80, steps=300, tol=0.05, **GD))


def grid_starts(res):
    gx, gy = np.meshgrid(res.xs, res.ys)
    return np.stack([gx, gy], axis=-1)


def test_four_basins_and_each_minimum_owns_its_neighbourhood(himmelblau_gd):
    res = himmelblau_gd
    minima = HIMMELBLAU.minima_array()
    assert res.n_minima == 4 and len(res.names) == 4 + 3
    codes = res.codes[0]
    assert set(np.unique(codes)) == {0, 1, 2, 3}  # every run reached one of the four minima
    starts = grid_starts(res)
    for m, point in enumerate(minima):
        near = np.linalg.norm(starts - point, axis=-1) <= 0.3
        assert near.sum() >= 3
        assert np.all(codes[near] == m), (m, point)
        # and each basin is a sizeable share of the square
        assert 0.15 < res.fractions[0, m] < 0.35


def test_shares_sum_to_one_and_count_the_codes(himmelblau_gd):
    res = himmelblau_gd
    np.testing.assert_allclose(res.fractions.sum(axis=1), 1.0)
    counts = np.array([np.sum(res.codes[0] == k) for k in range(len(res.names))])
    np.testing.assert_allclose(res.fractions[0], counts / res.codes[0].size)


def test_far_starts_diverge_and_are_flagged():
    s = BasinSettings(landscape="himmelblau", resolution=24, zoom=4.0, steps=100, **GD)
    res = compute_basins(s)
    M = res.n_minima
    starts = grid_starts(res)
    far = np.abs(starts).max(axis=-1) > 15.0
    assert np.all(res.codes[0][far] == M)  # diverged
    # the runner, run on its own from such a start, says the same
    corner = starts[0, 0]
    single = optimizers.run(
        HIMMELBLAU, [RunConfig(optimizers.make("sgd", lr=0.01))], corner[None], RunOptions(steps=100, record_every=0)
    )
    assert single.status[0] == Status.DIVERGED
    assert 0 < res.fractions[0, M] < 1
    assert "diverged" in res.names[M]


def test_classify_hand_made_results():
    # two minima; runs: converged at 1, running within tol of 0, running far away, diverged, left, stalled far
    result = SimpleNamespace(
        status=np.array(
            [Status.CONVERGED, Status.RUNNING, Status.RUNNING, Status.DIVERGED, Status.LEFT, Status.STALLED]
        ),
        nearest_minimum=np.array([1, 0, 1, 0, 1, 0]),
        distance=np.array([0.001, 0.04, 0.9, 0.01, 0.02, 2.0]),
    )
    np.testing.assert_array_equal(classify(result, n_minima=2, tol=0.05), [1, 0, 4, 2, 3, 4])
    np.testing.assert_allclose(fractions(np.array([1, 0, 4, 2, 3, 4]), 5), [1 / 6, 1 / 6, 1 / 6, 1 / 6, 2 / 6])


def test_each_panel_is_one_optimizer_run_from_every_start():
    s = BasinSettings(
        landscape="six_hump_camel", resolution=20, steps=120, opt1="sgd", lr1=0.02, opt2="adam", lr2=0.05, opt3="none"
    )
    res = compute_basins(s)
    land = landscapes.get("six_hump_camel")
    starts = grid_starts(res).reshape(-1, 2)
    for p, (kind, lr) in enumerate(s.panels()):
        alone = optimizers.run(
            land, [RunConfig(optimizers.make(kind, lr=lr))], starts, RunOptions(steps=120, record_every=0, tol=s.tol)
        )
        np.testing.assert_array_equal(res.final_xy[p].reshape(-1, 2), alone.final_positions)
        np.testing.assert_array_equal(res.codes[p].ravel(), classify(alone, len(land.minima()), s.tol))


def test_noise_is_reproducible_and_chunks_equal_the_whole():
    land = landscapes.get("sharp_flat")
    starts = np.random.default_rng(1).uniform([-3, -2], [3, 2], size=(50, 2))
    config = RunConfig(optimizers.make("sgd", lr=0.1), noise=Noise(1.0, 2))
    options = RunOptions(steps=60, record_every=0, seed=7)
    whole = run_starts(land, config, starts, options)
    pieces = run_starts(land, config, starts, options, chunk=16)
    np.testing.assert_array_equal(whole.final_positions, pieces.final_positions)
    s = BasinSettings(
        landscape="sharp_flat", resolution=16, steps=80, noise_sigma=1.0, batch_size=2, seed=3, tol=0.3, **GD
    )
    a, b = compute_basins(s), compute_basins(s)
    np.testing.assert_array_equal(a.codes, b.codes)
    quiet = compute_basins(BasinSettings(landscape="sharp_flat", resolution=16, steps=80, tol=0.3, **GD))
    assert not np.array_equal(a.final_xy, quiet.final_xy)


def test_figure_one_colour_per_minimum_and_a_panel_per_optimizer():
    s = BasinSettings(landscape="himmelblau", resolution=24, steps=100, opt4="rmsprop", lr4=0.05)
    res = compute_basins(s)
    fig = basin_figure(res)
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    assert len(heatmaps) == len(s.panels()) == 4
    assert [a.text for a in fig.layout.annotations] == list(res.labels)
    colors = category_colors(res.n_minima)
    assert len(set(colors[: res.n_minima])) == res.n_minima == 4
    assert len(set(colors)) == len(colors)
    for p, h in enumerate(heatmaps):
        np.testing.assert_array_equal(np.asarray(h.z), res.codes[p])
        assert h.colorscale == heatmaps[0].colorscale  # one colour per category in every panel
        assert (h.zmin, h.zmax) == (-0.5, len(colors) - 0.5)
        # code k sits in the middle of the k-th step of the colour scale, which has colour k
        stops = [c for _, c in h.colorscale]
        assert stops[0::2] == colors
    stars = [t for t in fig.data if t.meta and t.meta.get("role") == "minimum"]
    assert len(stars) == 4 and all(len(t.x) == 4 for t in stars)
    legend = [t for t in fig.data if t.meta and t.meta.get("role") == "legend"]
    assert [t.marker.color for t in legend[:4]] == colors[:4]
    share = f"{100 * res.fractions[0, 0]:.0f}%"
    assert share in legend[0].name
    bars = fractions_figure(res)
    total = np.sum([np.asarray(b.x) for b in bars.data], axis=0)  # horizontal bars: a row per optimizer
    np.testing.assert_allclose(total, 1.0)
    assert [label.replace("<br>", " ") for label in bars.data[0].y] == list(res.labels)
    assert all(b.orientation == "h" for b in bars.data)


def test_rastrigin_gets_distinct_colours_for_every_minimum():
    n = len(landscapes.get("rastrigin").minima())
    colors = category_colors(n)
    assert len(set(colors)) == n + 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"opt1": "none", "opt2": "none", "opt3": "none"}, "Choose at least one optimizer"),
        ({"opt1": "bfgs", "lr1": 0.0}, "Panel 1 (bfgs)"),
        ({"resolution": 256, "steps": 2000}, "Too much work"),
        ({"opt2": "warp_drive"}, "unknown optimizer"),
    ],
)
def test_impossible_settings_give_problems_and_raise(kwargs, message):
    s = BasinSettings(**kwargs)
    assert any(message in p for p in s.problems())
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compute_basins(s)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"resolution": 4}, "Invalid resolution"),
        ({"zoom": 10.0}, "Invalid zoom"),
        ({"tol": 0.0}, "Invalid tolerance"),
    ],
)
def test_invalid_settings_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BasinSettings(**kwargs)


def test_the_readme_256_map_runs_with_the_default_panels_and_steps():
    """Issue 12, defect 9: 256 x 256 starts, the default three panels of 300 steps (and a fourth
    panel) are not refused; the CPU estimate stays within the page budget."""
    from analysis.basins import BasinSettings
    from optimizers import cost

    for s in (BasinSettings(resolution=256), BasinSettings(resolution=256, opt4="rmsprop")):
        assert s.shape() == (256, 256) and s.steps == 300
        assert s.problems() == []
        assert s.work().seconds <= cost.WORK_BUDGET
    assert BasinSettings(resolution=256, steps=5000).problems()  # heavier work is still refused
