"""Planes through parameter space, the paths projected on them and the loss over them.

A plane is ``origin + a d1 + b d2`` for ``origin, d1, d2 (P,)``. Three kinds:

- ``pca_plane``: the plane through the shared start that best fits every run's recorded points
  together (least squares): the top two right singular vectors of the displacements from the start,
  ``X = points - start`` (through ``X X^T``, small: at most ``PCA_POINTS`` points per run). One
  plane for all optimizers, so their paths can be compared. Its share of
  the squared distance from the start, ``s_i^2 / sum s^2``, is the "explained variance" (about the
  start, not the mean: the plane must contain the start).
- ``random_plane``: two filter-normalized Gaussian directions around a run's end point (Li et al.
  2018): each filter (the weights into one unit, a column of ``W``) of a direction is rescaled to the
  norm of the same filter of the weights; bias entries are 0 (their ``ignore='biasbn'``).
- ``ends_plane``: the plane through the shared start and two runs' end points (orthonormal basis,
  ``d1`` toward the first end).

``coords`` projects points onto a plane by least squares (exact for points in it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from networks.mlp import Architecture
from networks.train import evaluate

Array = np.ndarray
PCA_POINTS = 100  # recorded points per run used to fit the PCA plane (evenly spaced, ends included)
DIVERGED = 1e100  # points this far from the start (or non-finite) are left out of the PCA fit


@dataclass(frozen=True, eq=False)
class Plane:
    """``origin + a d1 + b d2``; ``explained``: the PCA shares of the two directions (else empty)."""

    origin: Array
    d1: Array
    d2: Array
    explained: tuple[float, ...] = ()

    @property
    def basis(self) -> Array:
        return np.stack([self.d1, self.d2])

    def coords(self, points: Array) -> Array:
        """Least-squares plane coordinates ``(..., 2)`` of ``points (..., P)``."""
        d = self.basis
        gram = d @ d.T
        return np.linalg.solve(gram, d @ (points - self.origin).reshape(-1, d.shape[1]).T).T.reshape(
            *points.shape[:-1], 2
        )

    def points(self, a: Array, b: Array) -> Array:
        """Parameter vectors ``(..., P)`` at plane coordinates ``a``, ``b`` (broadcast together)."""
        a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
        return self.origin + a[..., None] * self.d1 + b[..., None] * self.d2


def pca_plane(params: Array, start: Array, per_run: int = PCA_POINTS, runs: Array | None = None) -> Plane:
    """The plane through ``start (P,)`` fitting the recorded points ``params (R, T, P)`` of all runs
    (of the runs where the boolean mask ``runs (R,)`` is True: leave diverged runs out).

    ``d1`` is signed so that the fitted runs' end points have a positive mean ``a`` coordinate."""
    T = params.shape[1]
    if runs is not None:
        params = params[np.asarray(runs, bool)]
    keep = np.unique(np.round(np.linspace(0, T - 1, min(T, per_run))).astype(int))
    x = (params[:, keep] - start).reshape(-1, params.shape[-1])
    with np.errstate(over="ignore", invalid="ignore"):
        norms = np.linalg.norm(x, axis=1)
    x = x[np.isfinite(norms) & (norms < DIVERGED)]  # a diverged run's points would be all the plane fits
    x = x / max(float(np.max(np.linalg.norm(x, axis=1), initial=0.0)), 1e-300)  # no overflow in X X^T
    if len(x) < 2:  # nothing to fit: any plane through the start
        x = np.vstack([x, np.eye(2, x.shape[1])])
    # the top right singular vectors through the small Gram matrix X X^T (m x m, m << P):
    # X^T u_i (length s_i), made orthonormal by QR (rounding; a zero one replaced); s_i^2 = eigenvalues
    gram = x @ x.T
    eig, u = np.linalg.eigh(gram)
    order = np.argsort(eig)[::-1][:2]
    q, _ = np.linalg.qr(x.T @ u[:, order])
    d1, d2 = q[:, 0], q[:, 1]
    total = float(np.trace(gram))
    shares = tuple(float(max(v, 0.0) / total) if total > 0 else 0.0 for v in eig[order])
    with np.errstate(over="ignore", invalid="ignore"):
        ends = (params[:, -1] - start) @ d1
    if np.mean(ends[np.isfinite(ends)]) < 0 if np.isfinite(ends).any() else False:
        d1 = -d1
    return Plane(np.asarray(start, float).copy(), d1, d2, shares)


def filter_normalized(arch: Architecture, weights: Array, rng: np.random.Generator) -> Array:
    """A Gaussian direction ``(P,)`` whose every filter (column of each ``W``) has the norm of that
    filter of ``weights (P,)``; biases 0."""
    d = rng.standard_normal(arch.n_params)
    d[~arch.weight_mask()] = 0.0
    for (dw, _), (w, _) in zip(arch.unpack(d), arch.unpack(np.asarray(weights, float)), strict=True):
        dw *= np.linalg.norm(w, axis=0) / (np.linalg.norm(dw, axis=0) + 1e-10)
    return d


def random_plane(arch: Architecture, center: Array, seed: int) -> Plane:
    """Two filter-normalized random directions (seeded) around ``center (P,)``."""
    rng = np.random.default_rng(seed)
    return Plane(
        np.asarray(center, float).copy(), filter_normalized(arch, center, rng), filter_normalized(arch, center, rng)
    )


def ends_plane(start: Array, end_a: Array, end_b: Array) -> Plane:
    """The plane through ``start`` and two end points, orthonormal, ``d1`` toward ``end_a``.

    If the two ends are in line with the start, ``d2`` is any unit vector orthogonal to ``d1``."""
    u = end_a - start
    nu = np.linalg.norm(u)
    d1 = u / nu if nu > 0 else np.eye(len(start))[0]
    v = end_b - start
    v = v - (v @ d1) * d1
    nv = np.linalg.norm(v)
    if nv <= 1e-12 * max(nu, 1.0):
        e = np.zeros_like(d1)
        e[int(np.argmin(np.abs(d1)))] = 1.0
        v = e - (e @ d1) * d1
        nv = np.linalg.norm(v)
    return Plane(np.asarray(start, float).copy(), d1, v / nv)


def grid_axes(coords: Array, n: int, margin: float = 0.25, min_half: float = 1e-3) -> tuple[Array, Array]:
    """Axes ``a (n,)``, ``b (n,)`` covering every finite point of ``coords (..., 2)`` with ``margin``
    of the span added on each side."""
    c = coords.reshape(-1, 2)
    c = c[np.all(np.isfinite(c), axis=1)]
    lo, hi = (c.min(axis=0), c.max(axis=0)) if len(c) else (np.zeros(2), np.zeros(2))
    mid, half = (lo + hi) / 2, np.maximum((hi - lo) / 2 * (1 + 2 * margin), min_half)
    return np.linspace(mid[0] - half[0], mid[0] + half[0], n), np.linspace(mid[1] - half[1], mid[1] + half[1], n)


def surface(arch: Architecture, plane: Plane, a: Array, b: Array, x: Array, y: Array) -> Array:
    """The loss ``(len(b), len(a))`` on the grid of plane coordinates (rows: ``b``; columns: ``a``)."""
    A, B = np.meshgrid(a, b)
    return evaluate(arch, plane.points(A, B).reshape(-1, arch.n_params), x, y).reshape(len(b), len(a))
