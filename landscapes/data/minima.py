"""Where the data landscapes have their minima and saddles: damped Newton on one point, the
separability test of one-feature logistic regression, and the grid-then-Newton search of the
two-weight tanh network (a 1D profile over ``w`` with the best ``v`` for each, then Newton in 2D).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from landscapes.base import Array

Fun = Callable[[Array], Array]

NEWTON_ITERS = 100
PROFILE_POINTS = 600  # w values of the tanh profile on (0, W]
PROFILE_REACH = 8.0  # W = PROFILE_REACH / rms(x): tanh(w x) is saturated beyond it


def damped_newton(value: Fun, grad: Fun, hessian: Fun, p0: Array, iters: int = NEWTON_ITERS) -> Array:
    """A local minimizer from ``p0 (2,)``: Newton steps (the Hessian shifted to positive definite
    where it is not), halved until the value decreases enough (Armijo); stops when the step no
    longer changes ``p`` or the value stops decreasing. Returns ``(2,)``."""
    p = np.array(p0, dtype=float)
    f = float(value(p))
    for _ in range(iters):
        g, H = grad(p), hessian(p)
        scale = float(np.abs(H).max()) + 1e-300
        low = float(np.linalg.eigvalsh(H)[0])
        shift = 0.0 if low > 1e-12 * scale else 1e-8 * scale - low
        d = np.linalg.solve(H + shift * np.eye(2), -g)
        slope = float(g @ d)
        if not (slope < 0.0 and np.all(np.isfinite(d))):
            break
        t = 1.0
        while t > 1e-10:
            q = p + t * d
            fq = float(value(q))
            if fq <= f + 1e-4 * t * slope:
                break
            t *= 0.5
        else:
            break  # no decrease along the Newton direction: at the minimum within rounding
        moved = np.abs(q - p).max() <= 1e-15 * (1.0 + np.abs(p).max())
        p, f = q, fq
        if moved:
            break
    return p


def huber_irls(x: Array, y: Array, delta: float, l2: float, p0: Array, iters: int = 500) -> Array:
    """The minimizer ``(w, b)`` of ``mean(huber_delta(w x + b - y)) + l2 |p|^2 / 2`` by iteratively
    reweighted least squares from ``p0 (2,)``: each step solves the weighted normal equations with
    weights ``min(1, delta / |r_i|)``, a quadratic lying above the loss and touching it at the
    current point, so the loss never increases. Needs a nonconstant ``x`` or ``l2 > 0``."""
    p = np.array(p0, dtype=float)
    for _ in range(iters):
        a = np.abs(p[0] * x + p[1] - y)
        wts = delta / np.maximum(a, delta)
        wx = wts * x
        A = np.array([[np.mean(wx * x) + l2, np.mean(wx)], [np.mean(wx), np.mean(wts) + l2]])
        q = np.linalg.solve(A, np.array([np.mean(wx * y), np.mean(wts * y)]))
        done = np.abs(q - p).max() <= 1e-14 * (1.0 + np.abs(q).max())
        p = q
        if done:
            break
    return p


def newton_root(grad: Fun, hessian: Fun, p0: Array, iters: int = 50) -> Array | None:
    """A stationary point near ``p0 (2,)`` by plain Newton on ``grad = 0`` (it finds saddles too), or
    None if the iterations do not settle."""
    p = np.array(p0, dtype=float)
    for _ in range(iters):
        try:
            step = np.linalg.solve(hessian(p), grad(p))
        except np.linalg.LinAlgError:
            return None
        p = p - step
        if not np.all(np.isfinite(p)):
            return None
        if np.abs(step).max() <= 1e-13 * (1.0 + np.abs(p).max()):
            return p
    return None


def classes_separable(x: Array, y: Array) -> bool:
    """Whether a threshold on ``x`` puts the labels 0 and 1 on two sides (ties at the threshold
    allowed: quasi-separation has no minimum either). False if a class is missing."""
    x0, x1 = x[y == 0], x[y == 1]
    if x0.size == 0 or x1.size == 0:
        return False
    return bool(x0.max() <= x1.min() or x1.max() <= x0.min())


class Profile(NamedTuple):
    """The tanh net's profile on its grid: starting points ``(K, 2)`` near its local minima
    (``lows``) and maxima (``highs``, saddle candidates); where it is lowest when that is an end of
    the range (``edge``: ``"small"`` for w -> 0, ``"large"`` for w -> W, else ``""``) and that value."""

    lows: Array
    highs: Array
    edge: str
    lowest: float


def profile_candidates(sums: Callable[[Array], tuple[Array, Array]], value: Fun, x: Array, l2: float) -> Profile:
    """The profile ``f(w) = min_v L(w, v)`` of the tanh net over ``w`` in ``(0, W]`` (see ``Profile``).

    ``sums(points (M, 2)) -> (mean t^2, mean y t)`` with ``t = tanh(w x)`` gives the best
    ``v(w) = mean(y t) / (mean(t^2) + l2)``; ``value`` is the loss at points ``(M, 2)``.
    """
    rms = float(np.sqrt(np.mean(np.asarray(x, float) ** 2))) or 1.0
    w = np.linspace(0.0, PROFILE_REACH / rms, PROFILE_POINTS + 1)[1:]
    tt, yt = sums(np.stack([w, np.zeros_like(w)], axis=-1))
    v = yt / (tt + l2)
    pts = np.stack([w, v], axis=-1)
    f = value(pts)
    mid, left, right = f[1:-1], f[:-2], f[2:]
    lower = (mid <= left) & (mid <= right) & (mid < np.maximum(left, right))
    upper = (mid >= left) & (mid >= right) & (mid > np.minimum(left, right))
    inner = pts[1:-1]
    k = int(np.argmin(f))
    edge = "small" if k == 0 else ("large" if k == f.size - 1 else "")
    return Profile(inner[lower], inner[upper], edge, float(f[k]))


def unique_points(points: list[Array], tol: float) -> list[Array]:
    """``points`` without near-duplicates (max-norm distance below ``tol``), first kept."""
    out: list[Array] = []
    for p in points:
        if all(np.abs(p - q).max() > tol for q in out):
            out.append(p)
    return out


def curvature(H: Array) -> str:
    """``"min"`` (positive definite), ``"saddle"`` (indefinite) or ``"flat"`` (singular)."""
    lo, hi = np.linalg.eigvalsh(H)
    tiny = 1e-13 * max(abs(lo), abs(hi), 1e-300)  # a few hundred rounding errors of eigvalsh
    if lo > tiny:
        return "min"
    if lo < -tiny and hi > tiny:
        return "saddle"
    return "flat"
