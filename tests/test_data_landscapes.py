"""Data landscapes: derivatives against finite differences, minima against closed forms and scipy,
the tanh net's mirror minima and saddle, L2 moving the minimum, separable data without a minimum,
minibatch gradients, chunking, bounded memory, condition numbers raw vs standardized."""

from __future__ import annotations

import dataclasses
import itertools
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy.optimize import minimize

from landscapes.data import LinearRegression, LogisticRegression, TanhNet, kernels
from optimizers.minibatch import minibatch_indices, steps_per_epoch
from tests.data_cases import CASES, IDS, drawn_minibatches, points_in


def _central(fun, p: np.ndarray, h: float) -> np.ndarray:
    e = np.eye(2) * h
    return np.stack([(fun(p + e[i]) - fun(p - e[i])) / (2.0 * h) for i in range(2)], axis=-1)


def _step(ls) -> float:
    return 1e-6 * max(ls.window.width, ls.window.height)


# --- derivatives and shapes ---------------------------------------------------------------------


@pytest.mark.parametrize("name", IDS)
def test_gradient_and_hessian_match_central_differences(name):
    ls = CASES[name]
    p = points_in(ls, (3, 7), seed=1)
    h = _step(ls)
    g, H = ls.grad(p), ls.hessian(p)
    assert ls.value(p).shape == (3, 7) and g.shape == (3, 7, 2) and H.shape == (3, 7, 2, 2)
    np.testing.assert_allclose(g, _central(ls.value, p, h), rtol=1e-6, atol=1e-7 * (1 + np.abs(g).max()))
    np.testing.assert_allclose(H, _central(ls.grad, p, h), rtol=1e-6, atol=1e-7 * (1 + np.abs(H).max()))
    np.testing.assert_array_equal(H, np.swapaxes(H, -1, -2))


@pytest.mark.parametrize("name", ["huber", "logistic", "tanh-l2"])
def test_batched_equals_one_by_one_and_inputs_are_unchanged(name):
    ls = CASES[name]
    p = points_in(ls, (5,), seed=2)
    before = p.copy()
    for i in range(5):
        assert ls.value(p)[i] == pytest.approx(float(ls.value(p[i])), rel=1e-13)
        np.testing.assert_allclose(ls.grad(p)[i], ls.grad(p[i]), rtol=1e-13)
    np.testing.assert_array_equal(p, before)


@pytest.mark.parametrize("name", ["huber-l2-test", "logistic-l2", "iris-l2", "tanh-l2"])
def test_chunking_gives_the_same_sums_as_one_chunk(name, monkeypatch):
    ls = CASES[name]
    p = points_in(ls, (4, 3), seed=3)
    monkeypatch.setattr(kernels, "CHUNK_ELEMENTS", 10**9)
    whole = ls.value(p), ls.grad(p), ls.hessian(p)
    monkeypatch.setattr(kernels, "CHUNK_ELEMENTS", 5)  # 1 example per chunk for 12 points
    for a, b in zip(whole, (ls.value(p), ls.grad(p), ls.hessian(p)), strict=True):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)


def test_repeated_examples_are_merged_without_changing_the_loss():
    ls = CASES["iris-l2"]
    assert ls.examples.x.size < ls.data[0].size  # iris has repeated rows
    p = points_in(ls, (6,), seed=4)
    x, y = ls.data
    z = p[:, :1] * x + p[:, 1:]
    direct = np.mean(np.logaddexp(0.0, z) - y * z, axis=1) + 0.5 * ls.l2 * np.sum(p * p, axis=1)
    np.testing.assert_allclose(ls.value(p), direct, rtol=1e-13)


def test_a_large_grid_stays_in_bounded_memory():
    ls = LogisticRegression(n=4000, separable=False, test_fraction=0.0)
    _, _, grid = ls.window.grid(100)
    ls.value(grid[:1, :1])  # data and caches built outside the measurement
    kernels.release_scratch()  # but the scratch arrays inside it
    tracemalloc.start()
    z = ls.value(grid)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert z.shape == (100, 100) and np.all(np.isfinite(z))
    # one (4000 x 10,000) temporary would be 320 MB; the chunks keep each at 2 MB
    assert peak < 20e6, peak


def test_threads_evaluating_together_get_their_own_scratch():
    ls, other = CASES["tanh-l2"], CASES["logistic"]
    p, q = points_in(ls, (30, 30), seed=9), points_in(other, (30, 30), seed=10)
    expected = [ls.hessian(p), other.value(q)] * 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda k: ls.hessian(p) if k % 2 == 0 else other.value(q), range(8)))
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, b)


# --- minima -------------------------------------------------------------------------------------


def _design(ls):
    x, y = ls.data
    return np.stack([x, np.ones_like(x)], axis=1), y


@pytest.mark.parametrize("l2", [0.0, 0.5, 3.0])
def test_least_squares_minimum_is_the_normal_equations_solution(l2):
    ls = LinearRegression(n=60, l2=l2)
    X, y = _design(ls)
    n = y.size
    expected = np.linalg.solve(X.T @ X / n + l2 * np.eye(2), X.T @ y / n)
    (m,) = ls.minima()
    np.testing.assert_allclose(m.point, expected, rtol=1e-10)
    if l2 == 0.0:
        np.testing.assert_allclose(m.point, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-10)
    residual = X @ expected - y
    assert m.value == pytest.approx(0.5 * np.mean(residual**2) + 0.5 * l2 * expected @ expected, rel=1e-12)


MORE = {
    # delta far below the residuals (~50): almost every example is on Huber's linear part
    "huber-diabetes": LinearRegression(source="diabetes", feature=2, standardize=True, loss="huber", delta=1.0),
    "logistic-raw-area": LogisticRegression(source="breast_cancer", feature=3),  # mean area: up to 2,500
}


@pytest.mark.parametrize("name", ["huber", "huber-l2-test", "logistic", "logistic-l2", "iris-l2", *MORE])
def test_convex_minima_match_scipy(name):
    ls = CASES.get(name) or MORE[name]
    (m,) = ls.minima()
    w = ls.window
    start = np.array([w.xmin + 0.1 * w.width, w.ymax - 0.2 * w.height])
    ref = minimize(lambda q: float(ls.value(q)), start, jac=ls.grad, method="BFGS", options={"gtol": 1e-10})
    assert m.value <= ref.fun + 1e-12
    np.testing.assert_allclose(m.point, ref.x, atol=1e-5 * (1 + np.abs(ref.x).max()))
    assert np.linalg.norm(ls.grad(m.point)) < 1e-8


def test_the_outliers_pull_the_squared_fit_more_than_the_huber_fit():
    clean = LinearRegression(n=200, outliers=0.0).minima()[0].point
    squared = LinearRegression(n=200, outliers=0.15).minima()[0].point
    robust = LinearRegression(n=200, outliers=0.15, loss="huber").minima()[0].point
    assert np.linalg.norm(robust - clean) < 0.3 * np.linalg.norm(squared - clean)


def test_the_tanh_net_has_mirror_minima_and_a_saddle_at_the_origin():
    ls = CASES["tanh"]
    a, b = ls.minima()
    np.testing.assert_array_equal(b.point, -a.point)
    assert a.value == b.value
    np.testing.assert_allclose(a.point, [1.5, 2.0], rtol=0.3)  # near the teacher's weights (45 noisy examples)
    for m in (a, b):
        assert np.linalg.norm(ls.grad(m.point)) < 1e-9
        assert np.linalg.eigvalsh(ls.hessian(m.point)).min() > 0
        ref = minimize(lambda q: float(ls.value(q)), 0.8 * m.point, jac=ls.grad, method="BFGS", options={"gtol": 1e-11})
        np.testing.assert_allclose(ref.x, m.point, atol=1e-5)
    (s,) = ls.saddles()
    assert (s.x, s.y) == (0.0, 0.0)
    np.testing.assert_array_equal(ls.grad(np.zeros(2)), [0.0, 0.0])
    lo, hi = np.linalg.eigvalsh(ls.hessian(np.zeros(2)))
    assert lo < 0 < hi
    y = ls.data[1]
    assert s.value == pytest.approx(0.5 * np.mean(y**2), rel=1e-13)


def test_a_tanh_net_without_a_minimum_says_why_and_an_ill_conditioned_one_is_found():
    line = TanhNet(source="line")  # y = 0.8 x - 2 on x in [0, 10]: best approached by v tanh(w x) ~ v w x
    assert line.minima() == () and "w -> 0" in line.no_minimum_reason and line.unbounded_below
    raw = TanhNet(source="diabetes", feature=2, l2=1e-3)  # BMI near 26: w tiny, v large, condition ~1e10
    assert len(raw.minima()) == 2 and raw.condition_number() > 1e8
    assert np.linalg.norm(raw.grad(raw.minima()[0].point)) < 1e-6


def test_a_noisy_teacher_has_only_local_minima_and_says_so():
    ls = TanhNet(noise=10.0, test_fraction=0.0)  # noise 5 times the signal: a step fits the noise better
    assert ls.minima() and ls.critical.lower_at_infinity and ls.unbounded_below
    far = np.array([40.0, ls.minima()[0].y])
    assert float(ls.value(far)) < ls.minima()[0].value
    assert not CASES["tanh"].critical.lower_at_infinity and not CASES["tanh"].unbounded_below


def test_a_strong_penalty_turns_the_tanh_saddle_into_the_only_minimum():
    ls = TanhNet(n=60, l2=50.0)
    assert [(m.x, m.y) for m in ls.minima()] == [(0.0, 0.0)]
    assert ls.saddles() == ()


@pytest.mark.parametrize("cls", [LinearRegression, LogisticRegression, TanhNet])
def test_l2_moves_the_minimum_toward_the_origin(cls):
    kwargs = {"separable": False} if cls is LogisticRegression else {}
    free = cls(n=100, **kwargs).minima()[0].point
    decayed = cls(n=100, l2=0.5, **kwargs).minima()[0].point
    assert np.linalg.norm(decayed) < 0.9 * np.linalg.norm(free)
    assert np.linalg.norm(decayed - free) > 0.1 * np.linalg.norm(free)


def test_separable_classes_have_no_minimum_without_l2():
    ls = LogisticRegression(n=60, separable=True)
    assert ls.minima() == () and ls.diverges_on_separable and ls.unbounded_below
    assert "separable" in ls.no_minimum_reason and "grow" in ls.no_minimum_reason
    assert ls.condition_number() == float("inf")
    # along the separating direction the loss falls forever
    direction = dataclasses.replace(ls, l2=0.01).minima()[0].point
    values = ls.value(np.outer([1.0, 2.0, 4.0, 8.0, 16.0], direction))
    assert np.all(np.diff(values) < 0) and values[-1] < 1e-3
    # real data: iris setosa by petal length
    assert LogisticRegression(source="iris", feature=2).no_minimum_reason
    decayed = dataclasses.replace(ls, l2=0.1)
    assert len(decayed.minima()) == 1 and not decayed.no_minimum_reason and not decayed.unbounded_below
    assert np.linalg.norm(decayed.grad(decayed.minima()[0].point)) < 1e-10


def test_condition_number_raw_vs_standardized_diabetes():
    raw = LinearRegression(source="diabetes", feature=2)
    std = LinearRegression(source="diabetes", feature=2, standardize=True)
    assert raw.condition_number() > 1e4  # BMI around 26 kg/m^2: a ravine
    assert std.condition_number() == pytest.approx(1.0, abs=1e-9)  # a round bowl
    # the same fit in other units: equal loss at the minimum
    assert raw.minima()[0].value == pytest.approx(std.minima()[0].value, rel=1e-10)


def test_train_and_test_landscapes_differ():
    train = LinearRegression(n=60, noise=1.0)
    test = train.on("test")
    assert test.split == "test" and test.data[0].size == 15
    assert not np.allclose(train.minima()[0].point, test.minima()[0].point)
    with pytest.raises(ValueError, match="test"):
        LinearRegression(test_fraction=0.0, split="test")


# --- minibatches --------------------------------------------------------------------------------


def _mean_of_example_grads(ls, p: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """One run's gradient written out per example (no kernel), plus the penalty."""
    x, y = ls.data[0][idx], ls.data[1][idx]
    if isinstance(ls, TanhNet):
        t = np.tanh(p[0] * x)
        r = p[1] * t - y
        per = np.stack([r * p[1] * (1 - t * t) * x, r * t], axis=1)
    else:
        z = p[0] * x + p[1]
        d = 1.0 / (1.0 + np.exp(-z)) - y if isinstance(ls, LogisticRegression) else z - y
        if isinstance(ls, LinearRegression) and ls.loss == "huber":
            d = np.clip(d, -ls.delta, ls.delta)
        per = np.stack([d * x, d], axis=1)
    return per.mean(axis=0) + ls.l2 * p


@pytest.mark.parametrize("name", ["linear-l2", "huber", "logistic-l2", "tanh-l2"])
def test_a_minibatch_gradient_is_the_mean_over_the_drawn_examples(name):
    ls = CASES[name]
    P, idx, got = drawn_minibatches(ls, runs=4, batch=8, seed=5, step=3)
    assert got.shape == (4, 2)
    for r in range(4):
        np.testing.assert_allclose(got[r], _mean_of_example_grads(ls, P[r], idx[r]), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["linear", "huber", "logistic", "tanh-l2"])
def test_one_epoch_of_minibatch_gradients_averages_to_the_full_gradient(name):
    ls = CASES[name]
    n = ls.data[0].size  # 45 training examples
    B = 9
    P = points_in(ls, (3,), seed=6)
    seeds, streams = np.full(3, 4), np.array([0, 5, 9])
    E = steps_per_epoch(n, B)
    epoch = 2  # any epoch: steps 2E .. 3E-1
    steps = range(epoch * E, (epoch + 1) * E)
    grads = [ls.minibatch_grad(P, minibatch_indices(n, B, seeds, streams, s)) for s in steps]
    np.testing.assert_allclose(np.mean(grads, axis=0), ls.grad(P), rtol=1e-11, atol=1e-13)
    full = ls.minibatch_grad(P, minibatch_indices(n, n, seeds, streams, 7))  # B = n: batch gradient descent
    np.testing.assert_allclose(full, ls.grad(P), rtol=1e-11, atol=1e-13)


def test_minibatch_grad_refuses_mismatched_shapes():
    ls = CASES["linear"]
    with pytest.raises(ValueError, match="minibatch"):
        ls.minibatch_grad(np.zeros((3, 2)), np.zeros((2, 4), dtype=int))


# --- metadata -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", IDS)
def test_metadata_view_and_starts(name):
    ls = CASES[name]
    assert ls.key and ls.title and ls.latex and ls.lesson and len(ls.axis_names) == 2
    for m in ls.minima():
        assert ls.window.contains(m.point)
    assert all(ls.window.contains(np.array(s)) for s in ls.starts)
    x = np.linspace(-1.0, 1.0, 5)
    assert ls.predict(np.zeros((3, 2)), x).shape == (3, 5)


@pytest.mark.parametrize("cls", [LinearRegression, LogisticRegression, TanhNet])
def test_every_corner_of_the_parameter_box_builds_a_usable_landscape(cls):
    bounds = cls.param_bounds()
    for corner in itertools.product(*bounds.values()):
        ls = cls(n=40, **dict(zip(bounds, corner, strict=True)))
        assert np.all(np.isfinite(ls.value(np.array(ls.starts))))
        for m in ls.minima():
            assert np.linalg.norm(ls.grad(m.point)) < 1e-7 * (1.0 + abs(m.value))
        assert bool(ls.minima()) != bool(ls.no_minimum_reason)


@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (LogisticRegression, {"source": "line"}),
        (LinearRegression, {"source": "iris"}),
        (LinearRegression, {"source": "diabetes", "feature": 10}),
        (LinearRegression, {"loss": "absolute"}),
        (LinearRegression, {"delta": 0.0}),
        (TanhNet, {"l2": -1.0}),
    ],
)
def test_bad_parameters_are_refused(cls, kwargs):
    with pytest.raises(ValueError, match="Invalid"):
        cls(**kwargs)
