"""Landscapes: derivatives against finite differences, critical points, shapes, registry, metadata.

Every registered landscape is covered automatically (parametrized over ``landscapes.names()``),
at its defaults and at the corners of its parameter box.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from scipy.optimize import minimize

import landscapes
from landscapes import CriticalPoint, Landscape, UnknownLandscapeError
from landscapes.base import coordinates, nearest
from landscapes.data import DataLandscape
from settings import spec_for

NAMES = landscapes.builtin_names()


def _cases() -> list[tuple[str, dict[str, float]]]:
    """Each landscape at its defaults, then at every corner of its parameter box."""
    out: list[tuple[str, dict[str, float]]] = [(n, {}) for n in NAMES]
    for n in NAMES:
        bounds = landscapes.landscape_class(n).param_bounds()
        keys = sorted(bounds)
        if not keys:
            continue
        for corner in itertools.product(*(bounds[k] for k in keys)):
            out.append((n, dict(zip(keys, corner, strict=True))))
    return out


CASES = _cases()
CASE_IDS = [n + "".join(f"-{k}={v:g}" for k, v in p.items()) for n, p in CASES]

# Landscapes whose minima() lists only some of their local minima (none since issue 12's defect 1).
PARTIAL_MINIMA: set[str] = set()


def _make(case: tuple[str, dict[str, float]]) -> Landscape:
    name, params = case
    return landscapes.get(name, **params)


def _uniform(ls: Landscape, n: int, seed: int = 0) -> np.ndarray:
    """``n`` random points of shape ``(n, 2)`` uniformly in the landscape's window."""
    w = ls.window
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(w.xmin, w.xmax, n), rng.uniform(w.ymin, w.ymax, n)], axis=-1)


def _step(ls: Landscape) -> float:
    """Finite-difference step: 1e-5 of the window's size."""
    return 1e-5 * max(ls.window.width, ls.window.height)


def _central(fun, p: np.ndarray, h: float) -> np.ndarray:
    """Central differences of ``fun`` along x and y, stacked on a new last axis, Richardson-extrapolated
    from steps ``h`` and ``h / 2`` (truncation ~ h^4: a data landscape's window can be wide where its
    third derivatives are large, e.g. the tanh net's far from the origin)."""

    def diff(step: float) -> np.ndarray:
        e = np.eye(2) * step
        return np.stack([(fun(p + e[i]) - fun(p - e[i])) / (2.0 * step) for i in range(2)], axis=-1)

    return (4.0 * diff(h / 2.0) - diff(h)) / 3.0


# --- derivatives ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_gradient_matches_central_differences(case):
    ls = _make(case)
    p = _uniform(ls, 200, seed=1)
    h = _step(ls)
    g = ls.grad(p)
    fd = _central(ls.value, p, h)
    # truncation ~ h^2 f''' (relative to |g|) plus rounding ~ eps |f| / h
    tol = 1e-6 * (1.0 + np.linalg.norm(g, axis=-1)) + 3e-13 * (1.0 + np.abs(ls.value(p))) / h
    err = np.linalg.norm(g - fd, axis=-1)
    assert np.all(err <= tol), f"worst point {p[np.argmax(err / tol)]}: error {err.max():.3g}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_hessian_matches_central_differences_of_gradient(case):
    ls = _make(case)
    p = _uniform(ls, 200, seed=2)
    h = _step(ls)
    H = ls.hessian(p)
    fd = np.swapaxes(_central(ls.grad, p, h), -1, -2)  # fd[..., i, j] = d g_j / d p_i, symmetric anyway
    tol = 1e-6 * (1.0 + np.linalg.norm(H, axis=(-2, -1))) + 3e-13 * (1.0 + np.linalg.norm(ls.grad(p), axis=-1)) / h
    err = np.linalg.norm(H - fd, axis=(-2, -1))
    assert np.all(err <= tol), f"worst point {p[np.argmax(err / tol)]}: error {err.max():.3g}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_hessian_is_symmetric(case):
    ls = _make(case)
    H = ls.hessian(_uniform(ls, 50, seed=3))
    np.testing.assert_array_equal(H, np.swapaxes(H, -1, -2))


# --- shapes, batching, finiteness -------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(), (7,), (3, 5)], ids=["point", "runs", "grid"])
def test_shapes_and_batched_equals_pointwise(name, shape):
    ls = landscapes.get(name)
    n = int(np.prod(shape)) if shape else 1
    flat = _uniform(ls, n, seed=4)
    p = flat.reshape((*shape, 2))
    v, g, H = ls.value(p), ls.grad(p), ls.hessian(p)
    assert np.shape(v) == shape
    assert np.shape(g) == (*shape, 2)
    assert np.shape(H) == (*shape, 2, 2)
    for i, q in enumerate(flat):  # one point at a time, shape (2,)
        idx = np.unravel_index(i, shape) if shape else ()
        assert np.asarray(v)[idx] == pytest.approx(float(ls.value(q)), rel=1e-13, abs=1e-13)
        np.testing.assert_allclose(np.asarray(g)[idx], ls.grad(q), rtol=1e-13, atol=1e-13)
        np.testing.assert_allclose(np.asarray(H)[idx], ls.hessian(q), rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("name", NAMES)
def test_inputs_are_not_modified(name):
    ls = landscapes.get(name)
    p = _uniform(ls, 10, seed=5)
    before = p.copy()
    ls.value(p), ls.grad(p), ls.hessian(p)
    np.testing.assert_array_equal(p, before)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_finite_far_beyond_the_window(case):
    """No overflow, invalid or divide warnings on the window and up to 50 window sizes around it."""
    ls = _make(case)
    for margin, n in ((0.0, 101), (3.0, 61), (50.0, 41)):
        p = ls.window.expanded(margin).grid(n)[2]
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            v, g, H = ls.value(p), ls.grad(p), ls.hessian(p)
        assert np.all(np.isfinite(v)) and np.all(np.isfinite(g)) and np.all(np.isfinite(H))


# --- critical points ---------------------------------------------------------------------------


def _grad_tol(ls: Landscape, p: np.ndarray) -> float:
    """What "the gradient vanishes" means at ``p``: rounding of ``p`` (~1e-16 |p|) times the curvature,
    with a wide margin, plus rounding in evaluating the gradient's terms."""
    curvature = np.linalg.norm(ls.hessian(p))
    return 1e-13 * (1.0 + curvature) * (1.0 + np.linalg.norm(p)) + 1e-13 * (1.0 + abs(float(ls.value(p))))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_minima_are_stationary_and_convex_with_listed_values(case):
    ls = _make(case)
    for m in ls.minima():
        p = m.point
        g = ls.grad(p)
        assert np.linalg.norm(g) <= _grad_tol(ls, p), f"gradient {g} at minimum {m}"
        assert float(ls.value(p)) == pytest.approx(m.value, rel=1e-10, abs=1e-10)
        H = ls.hessian(p)
        lam = np.linalg.eigvalsh(H)
        assert lam.min() >= -1e-9 * (1.0 + np.abs(lam).max()), f"Hessian eigenvalues {lam} at {m}"
        # and nothing lower on a small ring around it
        r = 1e-4 * max(ls.window.width, ls.window.height)
        t = np.linspace(0.0, 2.0 * np.pi, 16, endpoint=False)
        ring = p + r * np.stack([np.cos(t), np.sin(t)], axis=-1)
        assert np.all(ls.value(ring) >= m.value - 1e-12 * (1.0 + abs(m.value)))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_saddles_are_stationary_and_indefinite(case):
    ls = _make(case)
    for s in ls.saddles():
        p = s.point
        assert np.linalg.norm(ls.grad(p)) <= _grad_tol(ls, p), f"gradient {ls.grad(p)} at saddle {s}"
        assert float(ls.value(p)) == pytest.approx(s.value, rel=1e-10, abs=1e-10)
        lam = np.linalg.eigvalsh(ls.hessian(p))
        assert lam[0] < -1e-6 * np.abs(lam).max() and lam[1] > 1e-6 * np.abs(lam).max(), f"eigenvalues {lam}"
        assert ls.window.contains(p)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_minima_are_distinct_inside_the_window_and_global_first(case):
    ls = _make(case)
    mins = ls.minima()
    if isinstance(ls, DataLandscape) and ls.critical.lower_at_infinity:
        # only local minima are listed: the loss falls below them far away (noisy data, |w| large)
        assert mins and ls.unbounded_below
        # as w -> inf, v tanh(w x) -> v sign(x): the best such step fits with v = mean(y sign(x))
        x, y = ls.data
        v_step = float(np.mean(y * np.sign(x)))
        assert float(ls.value(np.array([1e6, v_step]))) < mins[0].value
        return
    if ls.unbounded_below:
        assert mins == ()
        return
    assert mins, "a bounded landscape lists at least its global minimum"
    pts = ls.minima_array()
    assert np.all(ls.window.contains(pts))
    d = np.linalg.norm(pts[:, None] - pts[None, :], axis=-1) + np.eye(len(pts))
    assert d.min() > 1e-6
    best = mins[0].value
    assert all(best <= m.value + 1e-12 * (1.0 + abs(m.value)) for m in mins)
    grid = ls.window.grid(401)[2]
    assert ls.value(grid).min() >= best - 1e-9 * (1.0 + abs(best))


@pytest.mark.parametrize("case", [c for c in CASES if c[0] not in PARTIAL_MINIMA], ids=lambda c: c[0])
def test_every_local_minimum_found_by_scipy_is_listed(case):
    """Local minimization (scipy, BFGS with our gradient) from a grid of starts over the window ends at
    listed minima, or leaves the window (unbounded or asymptotic valleys)."""
    ls = _make(case)
    mins = ls.minima_array()
    w = ls.window
    size = max(w.width, w.height)
    for start in w.grid(7)[2].reshape(-1, 2):
        res = minimize(lambda q: float(ls.value(q)), start, jac=ls.grad, method="BFGS", options={"gtol": 1e-10})
        p = res.x
        if not w.expanded(0.05).contains(p) or np.linalg.norm(ls.grad(p)) > 1e-5 * (1 + abs(res.fun)):
            continue  # left the window, or stopped on a flat stretch without converging
        if np.linalg.eigvalsh(ls.hessian(p)).min() <= 0:
            continue  # stopped on a saddle or a degenerate point
        assert mins.size and np.linalg.norm(mins - p, axis=-1).min() < 1e-4 * size, (
            f"unlisted minimum {p} (f={res.fun}) from start {start}"
        )


# Literature values, written out independently of the code: (name, params, point, value).
KNOWN_MINIMA = [
    ("rosenbrock", {}, (1.0, 1.0), 0.0),
    ("rosenbrock", {"a": 2.0}, (2.0, 4.0), 0.0),
    ("quadratic", {}, (0.0, 0.0), 0.0),
    ("booth", {}, (1.0, 3.0), 0.0),
    ("matyas", {}, (0.0, 0.0), 0.0),
    ("beale", {}, (3.0, 0.5), 0.0),
    ("himmelblau", {}, (3.0, 2.0), 0.0),
    ("himmelblau", {}, (-2.805118, 3.131312), 0.0),
    ("himmelblau", {}, (-3.779310, -3.283186), 0.0),
    ("himmelblau", {}, (3.584428, -1.848126), 0.0),
    ("goldstein_price", {}, (0.0, -1.0), 3.0),
    ("six_hump_camel", {}, (0.0898, -0.7126), -1.0316),
    ("six_hump_camel", {}, (-0.0898, 0.7126), -1.0316),
    ("styblinski_tang", {}, (-2.903534, -2.903534), -39.16617 * 2),
    ("rastrigin", {}, (0.0, 0.0), 0.0),
    ("ackley", {}, (0.0, 0.0), 0.0),
    ("bounded_saddle", {}, (0.0, 1.0), 0.0),
    ("plateau", {}, (1.5, 1.0), 0.0),
    ("ravine", {"kappa": 500.0, "angle": -45.0}, (0.0, 0.0), 0.0),
]


@pytest.mark.parametrize(("name", "params", "point", "value"), KNOWN_MINIMA)
def test_global_minimum_matches_the_literature(name, params, point, value):
    ls = landscapes.get(name, **params)
    listed = ls.minima_array()
    i = int(np.argmin(np.linalg.norm(listed - np.array(point), axis=-1)))
    np.testing.assert_allclose(listed[i], point, atol=1e-4)
    assert ls.minima()[i].value == pytest.approx(value, abs=1e-4)
    assert ls.minima()[i].value == pytest.approx(ls.minima()[0].value, abs=1e-9)  # a global one


# --- registry and metadata -------------------------------------------------------------------------


def test_names_are_unique_and_cover_the_built_ins():
    assert len(NAMES) == len(set(NAMES))
    expected = {
        "rosenbrock",
        "beale",
        "himmelblau",
        "rastrigin",
        "ackley",
        "booth",
        "goldstein_price",
        "six_hump_camel",
        "styblinski_tang",
        "matyas",
        "quadratic",
        "saddle",
        "bounded_saddle",
        "plateau",
        "ravine",
        "sharp_flat",
        "local_minima",
    }
    assert expected <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_get_with_defaults(name):
    ls = landscapes.get(name)
    assert isinstance(ls, Landscape) and ls.key == name
    assert type(ls) is landscapes.landscape_class(name)
    assert ls == landscapes.get(name) and hash(ls) == hash(landscapes.get(name))  # usable as a cache key


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(UnknownLandscapeError) as info:
        landscapes.get("no_such_landscape")
    message = str(info.value)
    assert "no_such_landscape" in message
    assert all(n in message for n in NAMES)
    assert isinstance(info.value, KeyError)


@pytest.mark.parametrize("name", [n for n in NAMES if landscapes.landscape_class(n).param_bounds()])
def test_invalid_parameter_values_raise(name):
    cls = landscapes.landscape_class(name)
    for param, (lo, hi) in cls.param_bounds().items():
        for bad in (lo - 1.0 - abs(lo), hi + 1.0 + abs(hi), float("nan"), float("inf")):
            with pytest.raises(ValueError, match=param):
                landscapes.get(name, **{param: bad})
        landscapes.get(name, **{param: lo})  # the bounds themselves are allowed
        landscapes.get(name, **{param: hi})


@pytest.mark.parametrize("name", NAMES)
def test_unknown_parameter_name_raises(name):
    with pytest.raises(ValueError, match="Invalid parameters"):
        landscapes.get(name, not_a_parameter=1.0)


def test_parameters_change_behaviour():
    ls = landscapes.get("rosenbrock", a=2.0)
    (m,) = ls.minima()
    assert (m.x, m.y, m.value) == (2.0, 4.0, 0.0)
    np.testing.assert_array_equal(ls.grad(np.array([2.0, 4.0])), [0.0, 0.0])
    assert float(landscapes.get("rosenbrock").value(np.array([2.0, 4.0]))) == 1.0  # (1-2)^2 + 100 (4-4)^2
    np.testing.assert_allclose(landscapes.get("quadratic", c=3.0).hessian(np.ones(2)), 3.0 * np.eye(2))
    p = np.array([0.3, -0.2])
    assert float(landscapes.get("rastrigin", A=5.0).value(p)) != float(landscapes.get("rastrigin").value(p))


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name):
    cls = landscapes.landscape_class(name)
    ls = landscapes.get(name)
    assert ls.title.strip() and ls.latex.strip() and ls.lesson.strip()
    assert "\n" not in ls.lesson and len(ls.lesson) <= 120
    assert 2 <= len(ls.starts) <= 4
    assert np.all(ls.window.contains(np.array(ls.starts)))
    fields = {f.name for f in dataclasses.fields(cls)}
    if issubclass(cls, DataLandscape):
        # window and starts follow the data's minimum; settings also choose (text), switch (bool) or count
        assert ls.window == landscapes.get(name).window and ls.starts == landscapes.get(name).starts
        assert set(cls.param_bounds()) <= fields
    else:
        assert ls.window == cls.default_window and ls.starts == cls.default_starts  # properties agree at defaults
        assert set(cls.param_bounds()) == fields
    assert all(spec_for(cls, name).help.strip() for name in fields)  # every parameter explained
    for f in dataclasses.fields(cls):
        if f.name in cls.param_bounds():
            lo, hi = cls.param_bounds()[f.name]
            assert lo <= f.default <= hi
    for m in ls.minima():  # no run starts on a known critical point
        assert all(np.hypot(x - m.x, y - m.y) > 1e-3 for x, y in ls.starts)


@pytest.mark.parametrize("case", [c for c in CASES if c[1]], ids=CASE_IDS[len(NAMES) :])
def test_starts_stay_inside_the_window_for_any_parameters(case):
    ls = _make(case)
    assert np.all(ls.window.contains(np.array(ls.starts)))
    assert np.all(ls.window.contains(ls.minima_array()))


@pytest.mark.parametrize("shape", [(7,), (3, 5)])
def test_nearest_finds_the_closest_target_by_brute_force(shape):
    rng = np.random.default_rng(3)
    points = rng.uniform(-3, 3, (*shape, 2))
    targets = np.array([[0.0, 0.0], [2.0, 1.0], [-1.5, 2.5]])
    index, distance = nearest(points, targets)
    assert index.shape == distance.shape == shape
    for at in np.ndindex(*shape):
        x, y = points[at]
        by_hand = [math.hypot(x - tx, y - ty) for tx, ty in targets]
        assert index[at] == by_hand.index(min(by_hand))
        assert distance[at] == pytest.approx(min(by_hand), rel=1e-15)


def test_nearest_without_targets_is_minus_one_at_infinity():
    index, distance = nearest(np.zeros((4, 2)), np.zeros((0, 2)))
    assert index.tolist() == [-1] * 4 and np.all(np.isinf(distance))


def test_coordinates_of_critical_points():
    points = (CriticalPoint(1.0, -2.0, 0.5), CriticalPoint(3.0, 4.0, 0.0))
    np.testing.assert_array_equal(coordinates(points), [[1.0, -2.0], [3.0, 4.0]])
    assert coordinates(()).shape == (0, 2)


def test_every_landscape_and_the_custom_formula_meet_the_protocol():
    from landscapes.protocol import LandscapeLike

    for ls in [*(landscapes.get(n) for n in NAMES), landscapes.get("custom", formula="x**2 + 3*y**2")]:
        assert isinstance(ls, LandscapeLike), ls.key
        assert isinstance(ls.title, str) and isinstance(ls.latex, str) and isinstance(ls.key, str)
        assert isinstance(ls.unbounded_below, bool) and isinstance(ls.log_levels, bool)
        assert isinstance(ls.window, landscapes.Window)
        assert all(isinstance(c, CriticalPoint) for c in (*ls.minima(), *ls.saddles()))
        assert all(len(s) == 2 for s in ls.starts)
