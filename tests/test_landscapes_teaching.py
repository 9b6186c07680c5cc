"""The teaching landscapes behave as their lessons say: saddles, plateaus, ravines, sharp and flat
minima, tilted local minima, Rastrigin's grid of minima; every listed minimum is one SciPy finds."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

import landscapes


def test_saddle_has_opposite_curvatures_and_no_minimum():
    ls = landscapes.get("saddle")
    assert ls.unbounded_below and ls.minima() == ()
    np.testing.assert_allclose(ls.hessian(np.zeros(2)), [[2.0, 0.0], [0.0, -2.0]])
    assert all(abs(y) < 0.5 and abs(x) > 1.0 for x, y in ls.starts[:2])  # near the x axis, to escape along y


def test_bounded_saddle_lists_two_minima_and_the_saddle():
    ls = landscapes.get("bounded_saddle")
    assert {(m.x, m.y) for m in ls.minima()} == {(0.0, 1.0), (0.0, -1.0)}
    assert [(s.x, s.y, s.value) for s in ls.saddles()] == [(0.0, 0.0, 0.5)]


@pytest.mark.parametrize("width", [0.3, 0.5, 1.0])
def test_plateau_gradient_is_tiny_at_the_starts_and_large_at_the_well(width):
    ls = landscapes.get("plateau", width=width)
    m = ls.minima()[0].point
    g_starts = np.linalg.norm(ls.grad(np.array(ls.starts)), axis=-1)
    g_rim = np.linalg.norm(ls.grad(m + np.array([width, 0.0])))  # steepest near one width from the centre
    assert g_rim > 0.5 / width
    assert np.all(g_starts < 0.05), g_starts
    assert np.all(g_starts > 0.0)  # not exactly flat: plain GD does creep


def test_plateau_width_changes_the_landscape():
    p = np.array([2.5, 1.0])
    assert float(landscapes.get("plateau", width=0.3).value(p)) > float(landscapes.get("plateau", width=1.5).value(p))


@pytest.mark.parametrize(("kappa", "angle"), [(20.0, 30.0), (1000.0, -60.0), (1.0, 0.0)])
def test_ravine_curvatures_follow_kappa_and_angle(kappa, angle):
    ls = landscapes.get("ravine", kappa=kappa, angle=angle)
    t = np.deg2rad(angle)
    steep = np.array([np.cos(t), np.sin(t)])
    along = np.array([-np.sin(t), np.cos(t)])
    # f(s d) = c s^2 / 2 along a principal direction d with curvature c
    assert float(ls.value(2.0 * steep)) == pytest.approx(0.5 * kappa * 4.0)
    assert float(ls.value(2.0 * along)) == pytest.approx(0.5 * 4.0)
    np.testing.assert_allclose(np.linalg.eigvalsh(ls.hessian(np.zeros(2))), sorted([1.0, kappa]))
    assert np.all(ls.window.contains(np.array(ls.starts)))


def test_sharp_flat_minima_have_similar_depth_and_very_different_curvature():
    ls = landscapes.get("sharp_flat")
    assert len(ls.minima()) == 2 and len(ls.saddles()) == 1
    sharp, flat = sorted(ls.minima(), key=lambda m: m.x)  # the sharp well is on the left
    assert abs(sharp.value - flat.value) < 0.05
    curv_sharp = np.linalg.eigvalsh(ls.hessian(sharp.point)).min()
    curv_flat = np.linalg.eigvalsh(ls.hessian(flat.point)).max()
    assert curv_sharp > 10.0 * curv_flat
    s = ls.saddles()[0]
    assert sharp.x < s.x < flat.x and s.value > max(sharp.value, flat.value)


@pytest.mark.parametrize("tilt", [0.1, 0.3, 1.0])
def test_local_minima_has_a_deeper_left_minimum_and_a_saddle_between(tilt):
    ls = landscapes.get("local_minima", tilt=tilt)
    best, worse = ls.minima()
    assert best.x < 0.0 < worse.x and best.value < worse.value
    (s,) = ls.saddles()
    assert best.x < s.x < worse.x and s.value > worse.value
    # the critical points lie on the valley floor y = x^2 / 2 where 4x^3 - 4x + t = 0
    for c in (best, s, worse):
        assert c.y == pytest.approx(0.5 * c.x**2, abs=1e-14)
        assert 4.0 * c.x**3 - 4.0 * c.x + tilt == pytest.approx(0.0, abs=1e-12)


def test_rastrigin_lists_every_minimum_in_the_window_and_A_changes_them():
    mins = landscapes.get("rastrigin").minima()
    assert len(mins) == 121  # one near each integer point of [-5.12, 5.12]^2
    assert (mins[0].x, mins[0].y, mins[0].value) == (0.0, 0.0, 0.0)
    near = {(round(m.x), round(m.y)) for m in mins}
    assert near == {(i, j) for i in range(-5, 6) for j in range(-5, 6)}
    # larger ripples pull the off-centre minima closer to the integers
    x10 = max(m.x for m in landscapes.get("rastrigin", A=10.0).minima() if m.x < 2.5)
    x20 = max(m.x for m in landscapes.get("rastrigin", A=20.0).minima() if m.x < 2.5)
    assert x10 < x20 < 2.0
    # with small ripples the bowl wins far out: 1D, x^2 - cos 2πx has a local minimum near n only
    # while 2n < 2π (the ripple's slope), so with A = 1 only |n| <= 3 remain (7 x 7)
    assert len(landscapes.get("rastrigin", A=1.0).minima()) == 49


@pytest.mark.parametrize(
    "name, params", [("rastrigin", {}), ("rastrigin", {"A": 2.5}), ("ackley", {}), ("ackley", {"a": 40.0, "b": 1.0})]
)
def test_every_listed_minimum_is_one_scipy_finds_and_scipy_finds_no_other(name, params):
    """Defect 1 (issue 12): from 400 random starts and from a nudge off each listed minimum, scipy's
    BFGS ends at a listed minimum (when it stops at a minimum inside the window), and each listed
    point is where scipy comes back to, with a positive definite Hessian (finite differences)."""
    ls = landscapes.get(name, **params)
    mins = ls.minima_array()
    w = ls.window
    rng = np.random.default_rng(0)
    starts = np.column_stack([rng.uniform(w.xmin, w.xmax, 400), rng.uniform(w.ymin, w.ymax, 400)])
    f = lambda q: float(ls.value(q))  # noqa: E731
    for start in np.vstack([starts, mins + rng.normal(0.0, 0.05, mins.shape)]):
        res = minimize(f, start, jac=ls.grad, method="BFGS", options={"gtol": 1e-10})
        p = res.x
        if not w.contains(p) or np.linalg.norm(ls.grad(p)) > 1e-6:
            continue
        h = 1e-4
        fd = np.array(
            [
                [f(p + h * (e + d)) - f(p + h * (e - d)) - f(p - h * (e - d)) + f(p - h * (e + d)) for d in np.eye(2)]
                for e in np.eye(2)
            ]
        ) / (4 * h * h)
        if np.linalg.eigvalsh(fd).min() <= 0:
            continue
        assert np.linalg.norm(mins - p, axis=-1).min() < 1e-6, f"unlisted minimum {p} from {start}"
    for m in mins:  # every listed point: zero gradient, positive definite Hessian
        assert np.linalg.norm(ls.grad(m)) < 1e-8
        assert np.linalg.eigvalsh(ls.hessian(m)).min() > 0
