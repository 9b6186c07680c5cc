"""Second-order and other methods against references derived independently: linear solves,
hand-computed steps, the BFGS secant equation, ``scipy.optimize.minimize`` and hand-averaged
iterates; plus evaluation counts reported by the runner."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
import scipy.optimize

import landscapes
import optimizers
from landscapes.base import CriticalPoint, Landscape, Window, hessian_from, stack
from optimizers import Oracle, RunConfig, RunOptions, Status, second_order
from optimizers.base import stack_configs
from optimizers.first_order import SGD, Adam
from optimizers.second_order import BFGS, ConjugateGradient, CoordinateDescent, Newton, Polyak
from tests.reference_landscapes import Saddle


@dataclass(frozen=True)
class Quad(Landscape):
    """``f = 1/2 (p - m)^T A (p - m)`` with ``A = [[a, b], [b, c]]``; minimum at ``m`` if A > 0."""

    a: float = 3.0
    b: float = 1.0
    c: float = 2.0
    mx: float = 0.5
    my: float = -1.0

    key = ""  # test-only, never registered
    default_window = Window(-4.0, 4.0, -4.0, 4.0)

    @property
    def A(self) -> np.ndarray:
        return np.array([[self.a, self.b], [self.b, self.c]])

    @property
    def m(self) -> np.ndarray:
        return np.array([self.mx, self.my])

    def value(self, p):
        d = p - self.m
        return 0.5 * np.einsum("...i,ij,...j->...", d, self.A, d)

    def grad(self, p):
        return (p - self.m) @ self.A

    def hessian(self, p):
        return np.broadcast_to(self.A, (*p.shape[:-1], 2, 2)).copy()

    def minima(self):
        if np.all(np.linalg.eigvalsh(self.A) > 0):
            return (CriticalPoint(self.mx, self.my, 0.0),)
        return ()


@dataclass(frozen=True)
class QuarticValley(Landscape):
    """``f = x^2 + y^4``: the Hessian ``diag(2, 12 y^2)`` is singular on the line ``y = 0``."""

    key = ""

    def value(self, p):
        return p[..., 0] ** 2 + p[..., 1] ** 4

    def grad(self, p):
        return stack(2.0 * p[..., 0], 4.0 * p[..., 1] ** 3)

    def hessian(self, p):
        return hessian_from(np.full(p.shape[:-1], 2.0), np.zeros(p.shape[:-1]), 12.0 * p[..., 1] ** 2)

    def minima(self):
        return (CriticalPoint(0.0, 0.0, 0.0),)


ROSEN = landscapes.get("rosenbrock")
QUADS = [Quad(), Quad(a=10.0, b=3.0, c=1.0, mx=-1.0, my=2.0), Quad(a=1.0, b=0.0, c=50.0, mx=1.5, my=0.25)]
RNG_STARTS = np.random.default_rng(7).uniform(-3.0, 3.0, size=(6, 2))


def steps_of(cfg, land, start, n):
    """``n`` updates by hand from ``start (S, 2)``: the iterates ``(n + 1, S, 2)``."""
    p = np.array(start, dtype=float).reshape(-1, 2)
    state, oracle, path = cfg.init(p), Oracle(land), [p]
    for _ in range(n):
        p, state = cfg.update(land.grad(p), state, p, oracle=oracle)
        path.append(p)
    return np.array(path)


# --- Newton ------------------------------------------------------------------------------------
@pytest.mark.parametrize("land", [*QUADS, Quad(a=2.0, b=0.5, c=-3.0)], ids=["q1", "q2", "q3", "indef"])
def test_newton_one_step_to_the_stationary_point_of_any_quadratic(land):
    # the stationary point solves A (p - m) = 0, i.e. A p = A m: solve it ourselves
    target = np.linalg.solve(land.A, land.A @ land.m)
    path = steps_of(Newton(), land, RNG_STARTS, 1)
    np.testing.assert_allclose(path[1], np.broadcast_to(target, RNG_STARTS.shape), atol=1e-12)


def test_newton_half_step_and_inputs_unchanged():
    land = QUADS[1]
    p = RNG_STARTS.copy()
    g = land.grad(p)
    new, _ = Newton(lr=0.5).update(g, Newton().init(p), p, oracle=Oracle(land))
    np.testing.assert_array_equal(p, RNG_STARTS)
    np.testing.assert_allclose(new, p - 0.5 * np.linalg.solve(land.A, g.T).T, atol=1e-12)


def test_plain_newton_jumps_onto_the_saddle():
    path = steps_of(Newton(), Saddle(), [[1.0, 0.5], [-0.3, 1.7]], 1)
    np.testing.assert_allclose(path[1], 0.0, atol=1e-15)


def test_damped_and_saddle_free_newton_leave_the_saddle():
    start = [[1.0, 0.5]]
    # H = diag(2, -2), g = (2x, -2y). Damping 3: (H + 3I) = diag(5, 1): step (2x/5, -2y)
    damped = steps_of(Newton(damping=3.0), Saddle(), start, 1)[1, 0]
    np.testing.assert_allclose(damped, [1.0 - 0.4, 0.5 + 1.0])
    # saddle-free: |H| = diag(2, 2): step (x, -y), so x -> 0 and y doubles
    free = steps_of(Newton(saddle_free=True), Saddle(), start, 3)[:, 0]
    np.testing.assert_allclose(free, [[1.0, 0.5], [0.0, 1.0], [0.0, 2.0], [0.0, 4.0]])
    # in a run: plain Newton stalls on the saddle, saddle-free Newton leaves the window
    res = optimizers.run(
        Saddle(), [RunConfig(Newton()), RunConfig(Newton(saddle_free=True))], np.array(start), RunOptions(steps=20)
    )
    assert res.status.tolist() == [Status.STALLED, Status.LEFT]
    np.testing.assert_allclose(res.final_positions[0], 0.0, atol=1e-15)


def test_newton_singular_hessian_falls_back_to_a_gradient_step():
    # on y = 0 the Hessian diag(2, 0) is singular: documented fallback p -= lr * g
    path = steps_of(Newton(lr=0.25), QuarticValley(), [[1.0, 0.0], [1.0, 0.5]], 1)
    np.testing.assert_allclose(path[1, 0], [1.0 - 0.25 * 2.0, 0.0])
    # the regular row takes its Newton step: x -> x - 0.25 * x, y -> y - 0.25 * (4y^3 / 12y^2)
    np.testing.assert_allclose(path[1, 1], [0.75, 0.5 - 0.25 * 0.5 / 3.0])
    assert np.isfinite(path).all()


def test_newton_needs_an_oracle_and_validates():
    with pytest.raises(ValueError, match="oracle"):
        Newton().update(np.ones((1, 2)), Newton().init(np.ones((1, 2))), np.ones((1, 2)))
    with pytest.raises(ValueError, match="damping"):
        Newton(damping=-1.0)


def test_newton_damping_per_run_matches_single_runs():
    land = QUADS[0]
    lams = [0.0, 1.0, 10.0]
    stacked = stack_configs([Newton(damping=d) for d in lams])
    p = np.repeat(RNG_STARTS[:1], 3, axis=0)
    together, _ = stacked.update(land.grad(p), stacked.init(p), p, oracle=Oracle(land))
    for i, d in enumerate(lams):
        g = land.grad(p[i])
        np.testing.assert_allclose(together[i], p[i] - np.linalg.solve(land.A + d * np.eye(2), g), atol=1e-12)


# --- BFGS and conjugate gradient ------------------------------------------------------------------
LINE_SEARCHERS = {
    "bfgs": BFGS(),
    "bfgs_refined": BFGS(refine=True),
    "cg_pr": ConjugateGradient(),
    "cg_fr": ConjugateGradient(variant="fletcher_reeves"),
}


@pytest.mark.parametrize("name", [k for k, c in LINE_SEARCHERS.items() if c.refine])
@pytest.mark.parametrize("land", QUADS, ids=["q1", "q2", "q3"])
def test_quadratic_in_two_steps_with_the_refined_line_search(name, land):
    # the refined line search is exact on a quadratic, so CG and BFGS terminate in n = 2 steps
    path = steps_of(LINE_SEARCHERS[name], land, RNG_STARTS, 2)
    np.testing.assert_allclose(path[2], np.broadcast_to(land.m, RNG_STARTS.shape), atol=1e-8)


@pytest.mark.parametrize(("cfg", "steps"), [(BFGS(), 15), (ConjugateGradient(refine=False), 200)], ids=["bfgs", "cg"])
@pytest.mark.parametrize("land", QUADS, ids=["q1", "q2", "q3"])
def test_quadratic_with_plain_backtracking_takes_more_steps(cfg, steps, land):
    # plain backtracking BFGS takes unit steps once they pass Armijo: a few more steps; CG with
    # inexact steps loses conjugacy and converges only linearly (q2 has condition number ~120)
    path = steps_of(cfg, land, RNG_STARTS, steps)
    assert np.linalg.norm(path[-1] - land.m, axis=-1).max() < 1e-8
    assert np.all(np.diff(land.value(path), axis=0) <= 1e-12)  # Armijo: never uphill


@pytest.mark.parametrize("name", list(LINE_SEARCHERS))
def test_rosenbrock_to_1e_6_within_a_few_hundred_steps(name):
    starts = np.array([[-1.2, 1.0], *ROSEN.starts])
    res = optimizers.run(ROSEN, [RunConfig(LINE_SEARCHERS[name])], starts, RunOptions(steps=300, tol=1e-6))
    assert np.all(res.status == Status.CONVERGED)
    assert np.all(res.hit_step > 0) and np.all(res.hit_step < 200)
    np.testing.assert_allclose(res.final_positions, 1.0, atol=1e-6)
    assert np.all(np.diff(res.losses, axis=1) <= 1e-12)  # monotone: every accepted step satisfies Armijo


def test_bfgs_agrees_with_scipy():
    for x0 in ([-1.2, 1.0], [1.5, -0.5], [-0.5, 2.5]):
        ref = scipy.optimize.minimize(
            lambda p: float(ROSEN.value(p)), x0, jac=ROSEN.grad, method="BFGS", options={"gtol": 1e-10}
        )
        ours = steps_of(BFGS(), ROSEN, [x0], 200)[-1, 0]
        np.testing.assert_allclose(ours, ref.x, atol=1e-6)
    land = QUADS[2]
    ref = scipy.optimize.minimize(lambda p: float(land.value(p)), [3.0, 1.0], jac=land.grad, method="BFGS")
    np.testing.assert_allclose(steps_of(BFGS(), land, [[3.0, 1.0]], 5)[-1, 0], ref.x, atol=1e-5)


def test_bfgs_inverse_update_is_the_inverse_of_the_direct_update():
    rng = np.random.default_rng(3)
    s = rng.normal(size=(50, 2))
    y = s @ np.array([[4.0, 1.0], [1.0, 2.0]]) + 0.1 * rng.normal(size=(50, 2))
    M = rng.normal(size=(50, 2, 2))
    B = M @ np.swapaxes(M, 1, 2) + np.eye(2)  # SPD Hessian approximations
    H = np.linalg.inv(B)
    ok = np.einsum("ni,ni->n", s, y) > 0
    Hn = second_order.bfgs_inverse_update(H, s, y)
    # direct BFGS: B+ = B - B s s^T B / s^T B s + y y^T / y^T s  (Nocedal & Wright 6.19)
    Bs = np.einsum("nij,nj->ni", B, s)
    Bn = (
        B
        - Bs[:, :, None] * Bs[:, None, :] / np.einsum("ni,ni->n", s, Bs)[:, None, None]
        + y[:, :, None] * y[:, None, :] / np.einsum("ni,ni->n", y, s)[:, None, None]
    )
    np.testing.assert_allclose(Hn[ok], np.linalg.inv(Bn[ok]), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(np.einsum("nij,nj->ni", Hn[ok], y[ok]), s[ok], atol=1e-10)  # secant
    np.testing.assert_array_equal(Hn[~ok], H[~ok])  # curvature condition fails: no update


def test_cg_first_step_is_an_exact_steepest_descent_step_and_validates():
    land = QUADS[1]
    p = RNG_STARTS[:2]
    g = land.grad(p)
    # exact line search along -g on a quadratic: alpha = g.g / g^T A g
    alpha = np.einsum("ni,ni->n", g, g) / np.einsum("ni,ij,nj->n", g, land.A, g)
    path = steps_of(ConjugateGradient(), land, p, 1)
    np.testing.assert_allclose(path[1], p - alpha[:, None] * g, rtol=1e-10)
    with pytest.raises(ValueError, match="variant"):
        ConjugateGradient(variant="hestenes")
    with pytest.raises(ValueError, match="step"):
        BFGS(lr=0.0)


def test_line_search_does_not_warn_on_non_finite_rows():
    p = np.array([[np.nan, 0.0], [1.0, 1.0]])
    for cfg in (BFGS(), ConjugateGradient()):
        new, _ = cfg.update(QUADS[0].grad(p), cfg.init(p), p, oracle=Oracle(QUADS[0]))
        assert np.isfinite(new[1]).all()


# --- coordinate descent ------------------------------------------------------------------------
def test_exact_coordinate_descent_solves_a_separable_quadratic_in_two_steps():
    land = QUADS[2]  # b = 0: separable
    path = steps_of(CoordinateDescent(lr=1.0, exact=True), land, RNG_STARTS, 2)
    # step 1 fixes x only, step 2 fixes y
    np.testing.assert_allclose(path[1, :, 0], land.mx)
    np.testing.assert_array_equal(path[1, :, 1], RNG_STARTS[:, 1])
    np.testing.assert_allclose(path[2], np.broadcast_to(land.m, RNG_STARTS.shape), atol=1e-14)


def test_gradient_coordinate_descent_by_hand():
    land = QUADS[0]
    p0 = np.array([[1.0, 2.0]])
    path = steps_of(CoordinateDescent(lr=0.1), land, p0, 2)[:, 0]
    g0 = land.A @ (p0[0] - land.m)
    p1 = p0[0] - [0.1 * g0[0], 0.0]
    g1 = land.A @ (p1 - land.m)
    np.testing.assert_allclose(path[1], p1)
    np.testing.assert_allclose(path[2], p1 - [0.0, 0.1 * g1[1]])


def test_exact_coordinate_descent_steps_downhill_on_negative_curvature():
    # along y the saddle has curvature -2: the |H_yy| step y -> y - (-2y)/2 = 2y goes downhill
    path = steps_of(CoordinateDescent(lr=1.0, exact=True), Saddle(), [[1.0, 0.5]], 2)[:, 0]
    np.testing.assert_allclose(path, [[1.0, 0.5], [0.0, 0.5], [0.0, 1.0]])


# --- Polyak averaging --------------------------------------------------------------------------
@pytest.mark.parametrize("start", [0, 5])
def test_polyak_average_is_the_mean_of_the_iterates(start):
    land = QUADS[1]
    T, lr = 30, 0.05
    x0 = np.array([[2.0, 1.0]])
    # iterates of gradient descent by hand
    path = [x0[0]]
    for _ in range(T):
        path.append(path[-1] - lr * land.A @ (path[-1] - land.m))
    path = np.array(path)
    expect = np.array([path[start : t + 1].mean(axis=0) if t >= start else path[t] for t in range(T + 1)])
    res = optimizers.run(
        land, [RunConfig(Polyak(inner=SGD(lr=lr), start=start))], x0, RunOptions(steps=T, tol=0.0, grad_tol=0.0)
    )
    np.testing.assert_allclose(res.positions[0], expect, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res.losses[0], land.value(expect), rtol=1e-12, atol=1e-14)


def test_polyak_groups_and_stacks_inner_configs():
    land = QUADS[0]
    starts = RNG_STARTS[:3]
    cfgs = [
        Polyak(inner=SGD(lr=0.01)),
        Polyak(inner=SGD(lr=0.05), start=3),
        Polyak(inner=Adam(lr=0.1)),
        Polyak(inner="newton"),
        Polyak(inner={"kind": "sgd", "lr": 0.02, "momentum": 0.9}),
    ]
    assert cfgs[0].group_key() == cfgs[1].group_key() != cfgs[2].group_key()
    assert cfgs[0].group_key() != cfgs[4].group_key() or cfgs[4].inner.momentum == 0.9
    stacked = stack_configs(cfgs[:2])
    np.testing.assert_array_equal(stacked.inner.lr, [[0.01], [0.05]])
    np.testing.assert_array_equal(stacked.start, [[0.0], [3.0]])
    opts = RunOptions(steps=25, tol=0.0, grad_tol=0.0)
    together = optimizers.run(land, [RunConfig(c) for c in cfgs], starts, opts)
    for i, c in enumerate(cfgs):
        alone = optimizers.run(land, [RunConfig(c)], starts, opts)
        np.testing.assert_allclose(together.positions[i * 3 : (i + 1) * 3], alone.positions, rtol=1e-12, atol=1e-15)
    assert together.evals[9:12, 2].min() >= 1  # the Newton inner config asked for Hessians
    assert Polyak(inner="sgd").to_dict()["inner"]["kind"] == "sgd"
    with pytest.raises(ValueError):
        Polyak(inner=Polyak())
    with pytest.raises(ValueError):
        Polyak(inner=3.0)


# --- evaluation counts through the runner --------------------------------------------------------
def test_runner_eval_counts():
    T = 20
    starts = RNG_STARTS[:2]
    # no stopping: GD takes 1 gradient per step (plus the start's), Newton also 1 Hessian per step
    res = optimizers.run(
        ROSEN, [RunConfig(SGD(lr=1e-4)), RunConfig(Newton(lr=0.05))], starts, RunOptions(steps=T, tol=0.0)
    )
    assert (res.status == Status.RUNNING).all()
    np.testing.assert_array_equal(res.evals[:2], [[0, T + 1, 0]] * 2)
    np.testing.assert_array_equal(res.evals[2:], [[0, T + 1, T]] * 2)
    # a run that stops at step k made k updates: Newton on a quadratic is there after one step,
    # moves 0 on step 2, and is seen still before step 3
    res = optimizers.run(QUADS[0], [RunConfig(Newton())], starts, RunOptions(steps=T))
    assert (res.status == Status.CONVERGED).all()
    np.testing.assert_array_equal(res.status_step, [2, 2])
    np.testing.assert_array_equal(res.evals, [[0, 3, 2]] * 2)
    # BFGS asks for values (line search), never for Hessians
    res = optimizers.run(ROSEN, [RunConfig(BFGS())], starts, RunOptions(steps=T, tol=0.0))
    assert (res.evals[:, 0] >= T).all() and (res.evals[:, 2] == 0).all()


def test_coordinate_descent_per_run_learning_rates():
    land = QUADS[0]
    p = np.repeat(np.array([[1.0, 2.0]]), 3, axis=0)
    lrs = [0.01, 0.1, 0.3]
    for exact in (False, True):
        stacked = stack_configs([CoordinateDescent(lr=lr, exact=exact) for lr in lrs])
        together, _ = stacked.update(land.grad(p), stacked.init(p), p, oracle=Oracle(land))
        for i, lr in enumerate(lrs):
            g = land.grad(p[i])
            dx = g[0] / land.a if exact else lr * g[0]  # exact: the 1D Newton step, lr not used
            np.testing.assert_allclose(together[i], [p[i, 0] - dx, p[i, 1]], rtol=1e-14)
