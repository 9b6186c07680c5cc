"""Custom landscapes from typed formulas: correctness against independent closed forms, finite
differences and the built-in Rosenbrock; the refusals are in test_custom_refusals.py."""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest

import landscapes
import optimizers
from landscapes.base import Window
from landscapes.custom import CustomLandscape
from landscapes.formula import FormulaError
from optimizers import RunConfig, RunOptions

ROSEN = "(1-x)**2 + 100*(y-x**2)**2"
RNG = np.random.default_rng(20240531)


def make_custom(formula, window=(-3.0, 3.0, -3.0, 3.0)):
    """The typed formula through the registry, the only way in."""
    return landscapes.get("custom", formula=formula, window=window)


def fd_grad(f, p: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar field ``f`` at points ``p (n, 2)``: ``(n, 2)``."""
    ex, ey = np.array([h, 0.0]), np.array([0.0, h])
    return np.stack([(f(p + ex) - f(p - ex)) / (2 * h), (f(p + ey) - f(p - ey)) / (2 * h)], axis=-1)


def fd_hessian(g, p: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of a gradient field ``g`` at ``p (n, 2)``: ``(n, 2, 2)`` (rows = d/dx_i)."""
    ex, ey = np.array([h, 0.0]), np.array([0.0, h])
    return np.stack([(g(p + ex) - g(p - ex)) / (2 * h), (g(p + ey) - g(p - ey)) / (2 * h)], axis=-2)


# --- equivalence with the built-in Rosenbrock ---------------------------------------------------
def test_rosenbrock_matches_builtin_values_gradients_hessians():
    custom = make_custom(ROSEN, window=(-2.0, 2.0, -1.0, 3.0))
    ref = landscapes.get("rosenbrock")
    p = RNG.uniform(-2.0, 2.0, size=(200, 2))
    np.testing.assert_allclose(custom.value(p), ref.value(p), rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(custom.grad(p), ref.grad(p), rtol=1e-13, atol=1e-10)
    np.testing.assert_allclose(custom.hessian(p), ref.hessian(p), rtol=1e-13, atol=1e-10)
    grid = RNG.uniform(-2.0, 2.0, size=(3, 4, 2))  # any leading shape
    assert custom.value(grid).shape == (3, 4)
    assert custom.grad(grid).shape == (3, 4, 2)
    assert custom.hessian(grid).shape == (3, 4, 2, 2)
    (m,) = custom.minima()
    assert (m.x, m.y) == pytest.approx((1.0, 1.0), abs=1e-7)
    assert m.value == pytest.approx(0.0, abs=1e-12)
    assert custom.window == ref.window


def test_rosenbrock_trajectories_match_builtin():
    custom = make_custom(ROSEN, window=(-2.0, 2.0, -1.0, 3.0))
    ref = landscapes.get("rosenbrock")
    configs = [RunConfig(optimizers.make("adam", lr=0.05)), RunConfig(optimizers.make("sgd", lr=1e-3))]
    starts = np.array(ref.default_starts)
    options = RunOptions(steps=400)
    a = optimizers.run(custom, configs, starts, options)
    b = optimizers.run(ref, configs, starts, options)
    np.testing.assert_allclose(a.positions, b.positions, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.hit_step, b.hit_step)


# --- formulas that work ---------------------------------------------------------------------------
def test_sin_cos_bowl_closed_forms_and_minima():
    L = make_custom("sin(x)*cos(y) + 0.1*(x**2+y**2)")
    p = RNG.uniform(-3.0, 3.0, size=(100, 2))
    x, y = p[:, 0], p[:, 1]
    np.testing.assert_allclose(L.value(p), np.sin(x) * np.cos(y) + 0.1 * (x**2 + y**2), rtol=1e-13)
    g = np.stack([np.cos(x) * np.cos(y) + 0.2 * x, -np.sin(x) * np.sin(y) + 0.2 * y], axis=-1)
    np.testing.assert_allclose(L.grad(p), g, rtol=1e-12, atol=1e-13)
    hxx = -np.sin(x) * np.cos(y) + 0.2
    hxy = -np.cos(x) * np.sin(y)
    np.testing.assert_allclose(
        L.hessian(p), np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hxx], -1)], -2), rtol=1e-12, atol=1e-13
    )
    mins = L.minima()
    assert 1 <= len(mins) <= 10
    assert [m.value for m in mins] == sorted(m.value for m in mins)
    from scipy.optimize import minimize

    for m in mins:  # scipy from each reported minimum stays there: it is a true local minimum
        assert L.window.contains(m.point)
        res = minimize(
            lambda q: np.sin(q[0]) * np.cos(q[1]) + 0.1 * (q @ q),
            m.point,
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-14},
        )
        np.testing.assert_allclose(res.x, m.point, atol=1e-6)
        assert m.value == pytest.approx(res.fun, abs=1e-12)


def test_himmelblau_minima_and_saddles():
    L = make_custom("(x^2+y-11)^2+(x+y^2-7)^2", window=(-5.0, 5.0, -5.0, 5.0))
    known = np.array([[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]])
    found = L.minima_array()
    assert found.shape == (4, 2)
    for k in known:
        assert np.min(np.linalg.norm(found - k, axis=1)) < 1e-5
    assert all(m.value == pytest.approx(0.0, abs=1e-10) for m in L.minima())
    sad = np.array([[s.x, s.y] for s in L.saddles()])
    assert sad.shape == (4, 2)
    x, y = sad[:, 0], sad[:, 1]
    gx = 4 * x * (x**2 + y - 11) + 2 * (x + y**2 - 7)
    gy = 2 * (x**2 + y - 11) + 4 * y * (x + y**2 - 7)
    np.testing.assert_allclose(np.stack([gx, gy], -1), 0.0, atol=1e-8)
    hxx, hyy, hxy = 12 * x**2 + 4 * y - 42, 12 * y**2 + 4 * x - 26, 4 * (x + y)
    assert np.all(hxx * hyy - hxy**2 < 0)


def test_nonsmooth_min_max_abs_atan2():
    L = make_custom("min(x, y**2) + max(x, y, 1) + abs(x - 1) + atan2(y, x)")
    p = RNG.uniform(-3.0, 3.0, size=(200, 2))
    x, y = p[:, 0], p[:, 1]
    f = np.minimum(x, y**2) + np.maximum(np.maximum(x, y), 1) + np.abs(x - 1) + np.arctan2(y, x)
    np.testing.assert_allclose(L.value(p), f, rtol=1e-13)
    # away from kinks and from the atan2 branch cut, the gradient is the classical one
    smooth = (np.abs(x - y**2) > 1e-3) & (np.abs(x - 1) > 1e-3) & (np.abs(y - 1) > 1e-3) & (np.abs(x - y) > 1e-3)
    smooth &= ~((x < 0) & (np.abs(y) < 1e-2))
    q = p[smooth]
    np.testing.assert_allclose(L.grad(q), fd_grad(L.value, q), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(L.hessian(q), fd_hessian(L.grad, q), rtol=1e-5, atol=1e-5)

    A = make_custom("atan2(y, x)", window=(0.5, 3.0, -2.0, 2.0))
    r2 = x**2 + y**2
    np.testing.assert_allclose(A.grad(p), np.stack([-y / r2, x / r2], -1), rtol=1e-12)

    K = make_custom("abs(x - 0.3) + abs(y + 0.7)")  # a kink minimum: found although grad != 0 near it
    (m,) = K.minima()
    assert (m.x, m.y) == pytest.approx((0.3, -0.7), abs=1e-8)
    np.testing.assert_array_equal(K.grad(np.array([[1.0, 1.0], [0.0, -1.0]])), [[1.0, 1.0], [-1.0, -1.0]])
    np.testing.assert_array_equal(K.hessian(np.array([1.0, 1.0])), np.zeros((2, 2)))


def test_caret_is_power_with_math_precedence():
    p = RNG.uniform(-2.0, 2.0, size=(50, 2))
    x, y = p[:, 0], p[:, 1]
    np.testing.assert_allclose(make_custom("x^2 + 3*y^2").value(p), x**2 + 3 * y**2, rtol=1e-14)
    np.testing.assert_allclose(make_custom("-x^2 + y").value(p), -(x**2) + y, rtol=1e-14)
    np.testing.assert_allclose(make_custom("2^3^2 * x").value(p), 512 * x, rtol=1e-14)  # right-assoc.
    assert make_custom("x^2 + y").latex == make_custom("x**2 + y").latex
    tex = make_custom("abs(x)^3 + max(x, y)^2").latex  # powers of our own functions print too
    assert r"{\left|x\right|}^{3}" in tex and r"{\max\left(x, y\right)}^{2}" in tex


def test_constants_functions_and_metadata():
    L = make_custom("exp(-x^2) * cos(pi*y) + e*tanh(y) + ln(2 + x^2) - sqrt(1 + y^2)")
    p = RNG.uniform(-3.0, 3.0, size=(60, 2))
    x, y = p[:, 0], p[:, 1]
    f = np.exp(-(x**2)) * np.cos(np.pi * y) + np.e * np.tanh(y) + np.log(2 + x**2) - np.sqrt(1 + y**2)
    np.testing.assert_allclose(L.value(p), f, rtol=1e-13)
    np.testing.assert_allclose(L.grad(p), fd_grad(L.value, p), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(L.hessian(p), fd_hessian(L.grad, p), rtol=1e-5, atol=1e-6)
    assert L.key == "custom" and L.title == "Custom formula" and L.lesson
    assert L.latex.startswith("f(x, y) = ") and r"\cos" in L.latex and r"\tanh" in L.latex
    assert L.window == landscapes.Window(-3.0, 3.0, -3.0, 3.0)
    assert len(L.starts) >= 1 and all(L.window.contains(np.array(s)) for s in L.starts)
    assert isinstance(L, landscapes.Landscape)


@pytest.mark.parametrize(
    ("text", "numpy_f", "window"),
    [
        ("(x^2+y-11)^2+(x+y^2-7)^2", lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2, (-5, 5, -5, 5)),
        (
            "-20*exp(-0.2*sqrt(0.5*(x^2+y^2))) - exp(0.5*(cos(2*pi*x)+cos(2*pi*y))) + e + 20",
            lambda x, y: (
                -20 * np.exp(-0.2 * np.sqrt(0.5 * (x**2 + y**2)))
                - np.exp(0.5 * (np.cos(2 * np.pi * x) + np.cos(2 * np.pi * y)))
                + np.e
                + 20
            ),
            (-3, 3, -3, 3),
        ),
        (
            "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
            lambda x, y: (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
            (-4.5, 4.5, -4.5, 4.5),
        ),
        (
            "x**y + asin(y/4) + acos(x/4) + atan(x*y) + sinh(x/3)*cosh(y/3) + tan(x/3)",
            lambda x, y: (
                x**y
                + np.arcsin(y / 4)
                + np.arccos(x / 4)
                + np.arctan(x * y)
                + np.sinh(x / 3) * np.cosh(y / 3)
                + np.tan(x / 3)
            ),
            (0.5, 3, -3, 3),
        ),
        (
            "log(x) / (1 + y^2) - x^(-2) + 1/3*y^3",
            lambda x, y: np.log(x) / (1 + y**2) - x**-2.0 + y**3 / 3,
            (0.5, 3, -2, 2),
        ),
    ],
)
def test_values_and_derivatives_of_classics(text, numpy_f, window):
    L = make_custom(text, window=window)
    lo, hi = np.array(window[::2], float), np.array(window[1::2], float)
    p = lo + (hi - lo) * RNG.uniform(0.05, 0.95, size=(80, 2))
    np.testing.assert_allclose(L.value(p), numpy_f(p[:, 0], p[:, 1]), rtol=1e-12)
    np.testing.assert_allclose(L.grad(p), fd_grad(L.value, p), rtol=1e-6, atol=1e-6)
    H = L.hessian(p)
    np.testing.assert_allclose(H, fd_hessian(L.grad, p), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(H[:, 0, 1], H[:, 1, 0])


def test_constant_derivatives_broadcast_and_outputs_are_fresh():
    L = make_custom("x + 2*y")
    for shape in [(), (5,), (3, 4)]:
        p = RNG.normal(size=(*shape, 2))
        assert L.value(p).shape == shape
        np.testing.assert_array_equal(L.grad(p), np.broadcast_to([1.0, 2.0], (*shape, 2)))
        np.testing.assert_array_equal(L.hessian(p), np.zeros((*shape, 2, 2)))
    X = make_custom("x")
    p = np.array([[1.0, 2.0], [3.0, 4.0]])
    keep = p.copy()
    v = X.value(p)
    v[:] = 99.0  # the output is a new array, not a view of the input
    np.testing.assert_array_equal(p, keep)
    np.testing.assert_array_equal(X.value(np.array([[1, 2]])), [1.0])  # integer input


def test_huge_exact_constants_are_computed_as_floats():
    big = 7**300 + 1  # SymPy keeps it exact; NumPy cannot take Python ints this large
    L = make_custom("sqrt(((((7**10)**10)**3)+1))*x + log(((((7**10)**10)**3)+1))*y")
    p = np.array([[1.5, 2.0], [-1.0, 0.5]])
    expected = math.sqrt(float(big)) * p[:, 0] + math.log(big) * p[:, 1]
    np.testing.assert_allclose(L.value(p), expected, rtol=1e-12)
    np.testing.assert_allclose(L.grad(p), np.broadcast_to([math.sqrt(float(big)), math.log(big)], (2, 2)), rtol=1e-12)


def test_outside_the_domain_gives_nan_without_warnings():
    L = make_custom("log(x) + sqrt(y)")
    p = np.array([[-1.0, 1.0], [1.0, -1.0], [0.0, 0.0], [2.0, 4.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v, g, H = L.value(p), L.grad(p), L.hessian(p)
        L.minima()
    assert np.isnan(v[0]) and np.isnan(v[1]) and not np.isfinite(v[2])
    assert v[3] == pytest.approx(np.log(2.0) + 2.0)
    np.testing.assert_allclose(g[3], [0.5, 0.25])
    np.testing.assert_allclose(H[3], [[-0.25, 0.0], [0.0, -1.0 / 32.0]])


def test_landscape_is_a_hashable_picklable_value():
    a = make_custom("x^2 + y^2", window=(-1, 2, -3, 4))
    b = CustomLandscape("x^2 + y^2", Window(-1.0, 2.0, -3.0, 4.0))
    assert a == b and hash(a) == hash(b)
    assert pickle.loads(pickle.dumps(a)) == a
    assert a.params() == {"formula": "x^2 + y^2", "window": Window(-1.0, 2.0, -3.0, 4.0)}
    assert CustomLandscape().minima()  # the default formula works without arguments


def test_window_validation():
    with pytest.raises(ValueError, match="Invalid window"):
        make_custom("x^2 + y^2", window=(1.0, -1.0, 0.0, 1.0))
    with pytest.raises(ValueError):
        make_custom("x^2 + y^2", window=(0.0, np.inf, 0.0, 1.0))
    with pytest.raises(ValueError):
        make_custom("x^2 + y^2", window=(0.0, 1.0, 0.0))
    # the domain check depends on the window
    with pytest.raises(FormulaError, match="no finite real value"):
        make_custom("sqrt(x - 10) + y")
    assert make_custom("sqrt(x - 10) + y", window=(9.0, 12.0, -1.0, 1.0)).value(np.array([11.0, 0.0])) == 1.0
