"""The runner on data landscapes: real minibatches (hand-computed SGD steps over the drawn
examples), the full batch when B >= n, per-run batches independent of the other runs, the Gaussian
noise kept for formula landscapes only."""

from __future__ import annotations

import numpy as np
import pytest

import optimizers
from landscapes.data import LinearRegression
from optimizers import Noise, RunConfig
from optimizers.minibatch import minibatch_indices

LS = LinearRegression(n=40, test_fraction=0.0, seed=3)
START = np.array([[0.5, -1.0]])


def _sgd(lr: float, batch: int, sigma: float = 0.0) -> RunConfig:
    return RunConfig(optimizers.make("sgd", lr=lr), noise=Noise(sigma, batch))


def _by_hand(p: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The squared loss's gradient mean((w x + b - y) (x, 1)) over examples ``idx``."""
    x, y = LS.data
    r = p[0] * x[idx] + p[1] - y[idx]
    return np.array([np.mean(r * x[idx]), np.mean(r)])


def test_sgd_steps_follow_the_drawn_minibatches_by_hand():
    lr, B, T = 0.02, 8, 12  # 5 steps per epoch: crosses two epoch boundaries
    res = optimizers.run(LS, [_sgd(lr, B)], START, steps=T, seed=11)
    p = START[0].copy()
    for s in range(T):
        idx = minibatch_indices(40, B, np.array([11], dtype=np.uint64), np.array([0], dtype=np.uint64), s)[0]
        p = p - lr * _by_hand(p, idx)
        np.testing.assert_allclose(res.positions[0, s + 1], p, rtol=1e-12, atol=1e-14)


def test_full_batch_when_B_reaches_n_and_sigma_is_ignored():
    lr, T = 0.02, 30
    full = optimizers.run(LS, [_sgd(lr, 40, sigma=5.0), _sgd(lr, 10**6)], START, steps=T)
    p = START[0].copy()
    for _ in range(T):
        p = p - lr * _by_hand(p, np.arange(40))
    np.testing.assert_allclose(full.positions[0, -1], p, rtol=1e-12)
    np.testing.assert_array_equal(full.positions[0], full.positions[1])


def test_a_runs_batches_do_not_depend_on_the_other_runs():
    configs = [_sgd(0.02, 4), _sgd(0.05, 1), _sgd(0.02, 40)]
    together = optimizers.run(LS, configs, START, steps=25, seed=2)
    for c, cfg in enumerate(configs):
        alone = optimizers.run(LS, [cfg], START, steps=25, seed=2, stream_offset=c)
        np.testing.assert_array_equal(together.positions[c], alone.positions[0])
    again = optimizers.run(LS, configs, START, steps=25, seed=2)
    np.testing.assert_array_equal(together.positions, again.positions)
    other_seed = optimizers.run(LS, configs, START, steps=25, seed=3)
    assert not np.array_equal(together.positions[0], other_seed.positions[0])


def test_formula_landscapes_keep_the_gaussian_noise():
    import landscapes

    quad = landscapes.get("quadratic")
    noisy = optimizers.run(quad, [_sgd(0.01, 4, sigma=1.0)], START, steps=5, seed=1)
    exact = optimizers.run(quad, [_sgd(0.01, 4)], START, steps=5, seed=1)
    assert not np.allclose(noisy.positions, exact.positions)


def test_a_data_race_is_priced_by_its_examples():
    """The issue's benchmark race (8 runs x 1,000 steps, B = 32, 10,000 examples) fits a page's
    budget; 100,000 examples do not, and the page says to use fewer."""
    from landscapes.cost import eval_cost, minibatch_seconds
    from scenes import Scene, spec

    small = landscapes_get("data_logistic", n=1000)
    large = landscapes_get("data_logistic", n=10_000)
    assert eval_cost(large).value.point == pytest.approx(10 * eval_cost(small).value.point)
    assert minibatch_seconds(large, 8, 32) > 0 and minibatch_seconds(large, 8, large.n_examples) == 0.0

    def race(n: int) -> Scene:
        params = (("n", n), ("separable", False), ("test_fraction", 0.0))
        runs = tuple(spec("sgd", lr=0.1 * (i + 1)) for i in range(8))
        return Scene(
            landscape="data_logistic",
            landscape_params=params,
            runs=runs,
            starts=((0.0, 0.0),),
            steps=1000,
            batch_size=32,
        )

    assert race(10_000).problems() == []
    (problem,) = race(100_000).problems()
    assert "Too much work" in problem and "fewer examples" in problem


def landscapes_get(name: str, **params):
    import landscapes

    return landscapes.get(name, test_fraction=0.0, separable=False, **params)


def test_display_grids_of_many_examples_are_coarser():
    from figures.contour import IMAGE_PX
    from figures.grid import CONTOUR_N, SURFACE_N
    from landscapes.cost import CONTOUR_SIDE, SURFACE_SIDE, grid_side

    assert (CONTOUR_SIDE, SURFACE_SIDE) == (IMAGE_PX, SURFACE_N)  # priced as the race page draws them
    assert grid_side(landscapes_get("data_logistic", n=200), CONTOUR_N) == CONTOUR_N
    side = grid_side(landscapes_get("data_logistic", n=10_000), CONTOUR_N)
    assert 40 <= side < CONTOUR_N and side**2 * 10_000 <= 6e7


def test_the_landscape_picture_of_many_examples_uses_the_pages_coarser_grid(monkeypatch):
    """The race page evaluates a data landscape once on its (coarser) grid and caches it: building the
    picture must not evaluate it again at the full picture size (0.35 s on every rerun, measured)."""
    import figures.contour as contour
    from figures.grid import evaluate_grid, levels_for
    from figures.style import FigureStyle
    from landscapes.cost import grid_side

    landscape = landscapes_get("data_logistic", n=1000)
    side = grid_side(landscape, contour.IMAGE_PX)
    assert side < contour.IMAGE_PX
    grid = evaluate_grid(landscape, landscape.window, side)

    def no_second_grid(*args, **kwargs):
        raise AssertionError("the landscape was evaluated again")

    monkeypatch.setattr(contour, "evaluate_grid", no_second_grid)
    _, image = contour.landscape_layer(landscape, grid, levels_for(landscape, grid), FigureStyle())
    assert image["source"].startswith("data:image/png")


def test_export_renders_a_data_preset_with_train_test_and_the_model():
    from export.render import render_scene
    from scenes.presets import preset_by_key

    figs = render_scene(preset_by_key("train_test_minima").scene, ("contour", "loss", "model"))
    roles = {name: [getattr(t, "meta", None) or {} for t in fig.data] for name, fig in figs.items()}
    assert any(m.get("role") == "test-landscape" for m in roles["contour"])
    assert sum(m.get("role") == "early-stop" for m in roles["loss"]) == 2
    assert sum(m.get("role") == "model" for m in roles["model"]) == 2 and figs["model"].frames


def test_model_frames_send_only_the_curves_and_the_still_keeps_them_whole():
    """Each frame of the model panel carries the runs' fitted lines (y = w x + b at that frame's step)
    and no x (the trace's own, sent once); the picture of the last frame keeps the x."""
    import optimizers
    from figures.animation import final_still
    from figures.model_view import model_figure
    from scenes.model import Scene, spec

    scene = Scene(
        landscape="data_linear",
        landscape_params=(("n", 60), ("test_fraction", 0.0), ("standardize", False)),
        runs=(spec("sgd", lr=0.01), spec("adam", lr=0.1)),
        starts=((0.0, 0.0),),
        steps=120,
        batch_size=60,
    )
    land = scene.landscape_obj()
    result = optimizers.run(land, scene.run_configs(), scene.starts_array(), scene.options())
    fig = model_figure(land, result)
    lines = [i for i, t in enumerate(fig.data) if (t.meta or {}).get("role") == "model"]
    xs = np.asarray(fig.data[lines[0]].x, dtype=float)
    for frame in fig.frames:
        k = int(np.searchsorted(result.steps, int(frame.name)))
        assert list(frame.traces) == lines
        for r, trace in enumerate(frame.data):
            assert trace.x is None
            w, b = result.positions[r, k]
            np.testing.assert_allclose(np.asarray(trace.y, dtype=float), w * xs + b, rtol=1e-5, atol=1e-5)
    still = final_still(fig)
    for i in lines:
        assert still.data[i].x is not None and len(still.data[i].x) == len(still.data[i].y) == len(xs)


def test_model_panel_thins_many_examples_evenly_and_says_so():
    import optimizers
    from figures.model_view import model_figure
    from scenes.model import Scene, spec

    scene = Scene(
        landscape="data_logistic",
        landscape_params=(("n", 1000), ("test_fraction", 0.25), ("separable", False)),
        runs=(spec("sgd", lr=0.5),),
        starts=((0.0, 0.0),),
        steps=20,
    )
    land = scene.landscape_obj()
    result = optimizers.run(land, scene.run_configs(), scene.starts_array(), scene.options())
    fig = model_figure(land, result)
    train = next(t for t in fig.data if (t.meta or {}).get("role") == "training-examples")
    test = next(t for t in fig.data if (t.meta or {}).get("role") == "test-examples")
    assert train.name == "training examples (150 of 750 shown)"
    assert test.name == "test examples (150 of 250 shown)"
    shown = np.asarray(train.x, dtype=float)
    assert len(shown) == 150 and len(test.x) == 150
    x = land.dataset.x_train
    # the shown ones are examples, spread over the whole set (not its first 150)
    assert np.isin(shown.astype(np.float32), x.astype(np.float32)).all()
    assert np.isclose(shown[-1], x[-1], rtol=1e-6) and np.isclose(shown[0], x[0], rtol=1e-6)
