"""Local minima of a rippled landscape, found from a lattice of candidate points: damped Newton
refinement of every candidate at once, kept when the gradient vanishes and the Hessian is positive
definite. For landscapes whose minima sit near known points (Ackley's near the integers)."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from landscapes.base import Array, CriticalPoint, Window


class Smooth(Protocol):
    def value(self, p: Array) -> Array: ...
    def grad(self, p: Array) -> Array: ...
    def hessian(self, p: Array) -> Array: ...


def _eig2(H: Array) -> tuple[Array, Array]:
    """Smallest and largest eigenvalues of symmetric 2x2 matrices ``(..., 2, 2)``."""
    a, b, d = H[..., 0, 0], H[..., 0, 1], H[..., 1, 1]
    mid, rad = 0.5 * (a + d), np.hypot(0.5 * (a - d), b)
    return mid - rad, mid + rad


def newton_minima(
    f: Smooth, candidates: Array, window: Window, reach: float = 0.5, iters: int = 60, gtol: float = 1e-9
) -> tuple[CriticalPoint, ...]:
    """Local minima of ``f`` near ``candidates (n, 2)``: from each, Newton steps on the gradient
    with the Hessian shifted to be positive definite (a descent direction), halved until ``f`` does
    not rise. Kept: points inside ``window`` within ``reach`` of their candidate, with gradient norm
    below ``gtol * (1 + |f|)`` and both Hessian eigenvalues positive; one per ``reach / 10``, sorted
    by value (then distance to the origin). Vectorized over candidates."""
    P0 = np.asarray(candidates, dtype=float).reshape(-1, 2)
    P = P0.copy()
    fP = f.value(P)
    with np.errstate(all="ignore"):
        for _ in range(iters):
            g, H = f.grad(P), f.hessian(P)
            lo, hi = _eig2(H)
            shift = np.maximum(0.0, 1e-6 * np.abs(hi) - lo)
            a, b, d = H[:, 0, 0] + shift, H[:, 0, 1], H[:, 1, 1] + shift
            det = a * d - b * b
            step = -np.stack([(d * g[:, 0] - b * g[:, 1]) / det, (a * g[:, 1] - b * g[:, 0]) / det], axis=-1)
            step = np.where(np.isfinite(step), step, 0.0)
            t = np.ones(P.shape[0])
            for _ in range(30):  # backtracking, all candidates together
                fn = f.value(P + t[:, None] * step)
                worse = ~(fn <= fP + 1e-14 * (1.0 + np.abs(fP)))
                if not worse.any():
                    break
                t = np.where(worse, 0.5 * t, t)
            ok = fn <= fP + 1e-14 * (1.0 + np.abs(fP))
            P = np.where(ok[:, None], P + t[:, None] * step, P)
            fP = np.where(ok, fn, fP)
        g, H = f.grad(P), f.hessian(P)
        lo, _ = _eig2(H)
    keep = (
        window.contains(P)
        & (np.hypot(*(P - P0).T) <= reach)
        & (np.hypot(g[:, 0], g[:, 1]) <= gtol * (1.0 + np.abs(fP)))
        & (lo > 0)
    )
    order = np.lexsort((np.hypot(P[:, 0], P[:, 1]), fP))
    out: list[int] = []
    for i in order[keep[order]]:
        if all(np.hypot(*(P[i] - P[j])) > reach / 10 for j in out):
            out.append(int(i))
    return tuple(CriticalPoint(float(P[i, 0]), float(P[i, 1]), float(fP[i])) for i in out)


def integer_points(window: Window) -> Array:
    """Every point with integer coordinates inside ``window``, shape ``(n, 2)``."""
    xs = np.arange(np.ceil(window.xmin), np.floor(window.xmax) + 1)
    ys = np.arange(np.ceil(window.ymin), np.floor(window.ymax) + 1)
    X, Y = np.meshgrid(xs, ys)
    return np.stack([X.ravel(), Y.ravel()], axis=-1)
