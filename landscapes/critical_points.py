"""Approximate minima and saddles of a compiled formula over a window: local minima of a grid,
refined with damped, trust-region Newton steps on the exact gradient and Hessian, deduplicated
and sorted (best first); also suggested starts and display hints. Vectorized over candidates."""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np

from landscapes.base import Array, CriticalPoint, Window, stack
from landscapes.formula import CompiledFormula, FormulaError, compile_formula


# --- critical points ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Analysis:
    minima: tuple[CriticalPoint, ...]
    saddles: tuple[CriticalPoint, ...]
    starts: tuple[tuple[float, float], ...]
    unbounded_below: bool
    log_levels: bool


def _check_window_values(c: CompiledFormula, win: Window, n: int = 64) -> None:
    """Refuse a formula that has no finite real value (with a finite gradient) in the window."""
    _, _, P = win.grid(n)
    ok = np.isfinite(c.value(P)) & np.isfinite(c.grad(P)).all(axis=-1)
    if not ok.any():
        raise FormulaError(
            "The formula has no finite real value anywhere in the window "
            f"[{win.xmin:g}, {win.xmax:g}] x [{win.ymin:g}, {win.ymax:g}] "
            "(e.g. sqrt or log of a negative number, or an overflow)"
        )


def _eig2(H: Array) -> tuple[Array, Array]:
    """Smallest and largest eigenvalues of symmetric 2x2 matrices ``(..., 2, 2)``."""
    a, b, d = H[..., 0, 0], H[..., 0, 1], H[..., 1, 1]
    mid, rad = 0.5 * (a + d), np.hypot(0.5 * (a - d), b)
    return mid - rad, mid + rad


def _solve2(H: Array, g: Array, shift: Array) -> Array:
    """``(H + shift I)^-1 g`` for ``H (n, 2, 2)``, ``g (n, 2)``, ``shift (n,)``."""
    a, b, d = H[:, 0, 0] + shift, H[:, 0, 1], H[:, 1, 1] + shift
    det = a * d - b * b
    return stack((d * g[:, 0] - b * g[:, 1]) / det, (a * g[:, 1] - b * g[:, 0]) / det)


def _clip(step: Array, radius: Array) -> Array:
    """Steps ``(n, 2)`` with each coordinate clipped to ``[-radius, radius]`` (``radius (n,)``): a box
    trust region, so a huge step along a kink does not freeze the other coordinate."""
    return np.clip(step, -radius[:, None], radius[:, None])


def _grid_local_minima(F: Array) -> Array:
    """Mask of interior cells of ``F (ny, nx)`` strictly below all 8 neighbours (NaN never wins)."""
    Fc = np.where(np.isfinite(F), F, np.inf)
    c = Fc[1:-1, 1:-1]
    mask = np.isfinite(c)
    ny, nx = F.shape
    for dy, dx in itertools.product((-1, 0, 1), repeat=2):
        if dy or dx:
            mask &= c < Fc[1 + dy : ny - 1 + dy, 1 + dx : nx - 1 + dx]
    out = np.zeros(F.shape, dtype=bool)
    out[1:-1, 1:-1] = mask
    return out


def _dedupe(P: Array, f: Array, tol: float, cap: int) -> list[int]:
    """Indices of points ``P (n, 2)`` by increasing ``f``, skipping any within ``tol`` of a kept one."""
    kept: list[int] = []
    for i in np.argsort(f, kind="stable"):
        if all(np.hypot(*(P[i] - P[j])) > tol for j in kept):
            kept.append(int(i))
            if len(kept) == cap:
                break
    return kept


def _refine_minima(c: CompiledFormula, P: Array, radius: float, iters: int = 60) -> Array:
    """Damped Newton descent from ``P (n, 2)``: Levenberg-shifted Newton steps inside a trust radius
    that doubles on success and shrinks on failure; only steps that do not raise f are taken."""
    n = P.shape[0]
    f = c.value(P)
    r = np.full(n, radius)
    with np.errstate(all="ignore"):
        for _ in range(iters):
            g, H = c.grad(P), c.hessian(P)
            lo, hi = _eig2(H)
            shift = np.maximum(0.0, -lo) + 1e-9 * (np.abs(hi) + 1e-12)
            step = -_solve2(H, g, shift)
            bad = ~np.isfinite(step).all(axis=1)
            step[bad] = -g[bad]
            step = _clip(np.where(np.isfinite(step), step, 0.0), r)
            Pn = P + step
            fn = c.value(Pn)
            ok = np.isfinite(fn) & (fn <= f + 1e-13 * (1.0 + np.abs(f)))
            P = np.where(ok[:, None], Pn, P)
            f = np.where(ok, fn, f)
            r = np.where(ok, np.minimum(2.0 * r, 64.0 * radius), 0.25 * r)
    return P


def _refine_saddles(c: CompiledFormula, P: Array, radius: float, iters: int = 40) -> Array:
    """Plain Newton steps on ``grad f = 0`` (step length at most ``radius``) from ``P (n, 2)``."""
    with np.errstate(all="ignore"):
        for _ in range(iters):
            step = -_solve2(c.hessian(P), c.grad(P), np.zeros(P.shape[0]))
            P = P + _clip(np.where(np.isfinite(step), step, 0.0), np.full(P.shape[0], radius))
    return P


def _critical(c: CompiledFormula, P: Array, win: Window, gtol: float, want_min: bool) -> Array:
    """Mask of points ``P (n, 2)`` that are stationary minima (or saddles) inside ``win``."""
    g, H = c.grad(P), c.hessian(P)
    lo, hi = _eig2(H)
    scale = np.abs(lo) + np.abs(hi) + 1e-12
    ok = win.contains(P) & np.isfinite(c.value(P)) & (np.hypot(g[:, 0], g[:, 1]) <= gtol)
    if want_min:
        return ok & (lo >= -1e-6 * scale)
    return ok & (lo < -1e-6 * scale) & (hi > 1e-6 * scale)


def _kink_minimum(c: CompiledFormula, P: Array, win: Window, delta: float) -> Array:
    """Mask of points ``P (n, 2)`` inside ``win`` not above f at 8 points ``delta`` around them and
    below their mean: minima at kinks (``abs``, ``min``, ``max``) where the gradient is not zero."""
    angles = np.arange(8) * (np.pi / 4)
    ring = P[:, None, :] + delta * np.stack([np.cos(angles), np.sin(angles)], axis=-1)  # (n, 8, 2)
    f, fr = c.value(P), c.value(ring)
    return win.contains(P) & np.isfinite(f) & np.all(fr >= f[:, None], axis=1) & (fr.mean(axis=1) > f)


def _points(c: CompiledFormula, P: Array, keep: list[int]) -> tuple[CriticalPoint, ...]:
    v = c.value(P)
    return tuple(CriticalPoint(float(P[i, 0]), float(P[i, 1]), float(v[i])) for i in keep)


@functools.lru_cache(maxsize=64)
def analyze(text: str, bounds: tuple[float, float, float, float]) -> Analysis:
    """Approximate minima and saddles (grid search + Newton refinement), starts and display hints."""
    with np.errstate(all="ignore"):
        return _analyze_now(compile_formula(text), Window(*bounds))


def _analyze_now(c: CompiledFormula, win: Window, n: int = 200, cap: int = 10) -> Analysis:
    _, _, grid = win.grid(n)
    F = c.value(grid)
    G = c.grad(grid)
    spacing = max(win.width, win.height) / (n - 1)
    gnorm = np.hypot(G[..., 0], G[..., 1])
    finite_g = gnorm[np.isfinite(gnorm)]
    gtol = 1e-6 * max(1.0, float(np.median(finite_g)) if finite_g.size else 1.0)
    dtol = 1e-4 * math.hypot(win.width, win.height)

    def best(mask: Array, by: Array, limit: int = 100) -> Array:
        idx = np.flatnonzero(mask.ravel())
        idx = idx[np.argsort(by.ravel()[idx], kind="stable")[:limit]]
        return grid.reshape(-1, 2)[idx]

    P = _refine_minima(c, best(_grid_local_minima(F), F), spacing)
    P = P[_critical(c, P, win, gtol, want_min=True) | _kink_minimum(c, P, win, 1e-6 * spacing)]
    minima = _points(c, P, _dedupe(P, c.value(P), dtol, cap))

    H = c.hessian(grid)
    lo, hi = _eig2(H)
    S = _refine_saddles(c, best(_grid_local_minima(gnorm) & (lo < 0) & (hi > 0), gnorm), spacing)
    S = S[_critical(c, S, win, gtol, want_min=False)]
    saddles = _points(c, S, _dedupe(S, c.value(S), dtol, cap))

    fr = ((0.15, 0.85), (0.85, 0.15), (0.85, 0.85), (0.15, 0.15), (0.5, 0.9), (0.5, 0.1))
    cand = np.array([[win.xmin + a * win.width, win.ymin + b * win.height] for a, b in fr])
    good = np.isfinite(c.value(cand)) & np.isfinite(c.grad(cand)).all(axis=1)
    if not good.any():  # fall back to the highest finite grid point
        flat = np.where(np.isfinite(F) & np.isfinite(G).all(axis=-1), F, -np.inf).ravel()
        cand, good = grid.reshape(-1, 2)[[int(np.argmax(flat))]], np.ones(1, dtype=bool)
    starts = tuple((float(f"{px:.6g}"), float(f"{py:.6g}")) for px, py in cand[good][:2])

    finite = np.isfinite(F)
    Ff = F[finite]
    border = np.zeros(F.shape, dtype=bool)
    border[[0, -1], :] = border[:, [0, -1]] = True
    unbounded = bool(Ff.size and border[finite][np.argmin(Ff)] and not minima)
    lo_f, q01, hi_f = (float(q) for q in np.quantile(Ff, [0.0, 0.01, 1.0])) if Ff.size else (0.0, 0.0, 0.0)
    log_levels = bool(lo_f >= 0.0 and q01 > lo_f and (hi_f - lo_f) > 1000.0 * (q01 - lo_f))
    return Analysis(minima, saddles, starts, unbounded, log_levels)


@functools.lru_cache(maxsize=128)
def validate(text: str, bounds: tuple[float, float, float, float]) -> None:
    _check_window_values(compile_formula(text), Window(*bounds))
