"""Sharpness: the top eigenvalue of the training loss's Hessian at each run's parameters.

Power iteration on exact Hessian-vector products (``networks.mlp.hvp``: forward-over-backward, no
finite differences), batched over runs: ``v <- H v / ||H v||`` from a seeded random unit vector,
then the Rayleigh quotient ``lambda = v . H v``. It converges to the eigenvalue of largest
magnitude (at a minimum, the largest, positive one) at the rate ``|lambda_2 / lambda_1|``; the
relative change of ``lambda`` over the last iteration is returned as a convergence check.
"""

from __future__ import annotations

import numpy as np

from networks import mlp
from networks.mlp import Architecture
from optimizers import guard

Array = np.ndarray
ITERATIONS = 30


def top_eigenvalue(
    arch: Architecture, params: Array, x: Array, y: Array, iterations: int = ITERATIONS, seed: int = 0
) -> tuple[Array, Array]:
    """``lambda (R,)`` and the last relative change ``(R,)`` for networks ``params (R, P)`` on ``x``, ``y``.

    Non-finite parameters give ``nan``."""
    R = params.shape[0]
    ok = np.all(np.isfinite(params), axis=1)
    p = np.where(ok[:, None], params, 0.0)
    v = np.random.default_rng(seed).standard_normal(p.shape)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    lam, previous = np.zeros(R), np.zeros(R)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        for _ in range(max(int(iterations), 1)):
            hv, _ = mlp.hvp(arch, p, x, y, v)
            previous, lam = lam, np.sum(v * hv, axis=1)
            norm = np.linalg.norm(hv, axis=1, keepdims=True)
            v = np.where(norm > 0, hv / np.where(norm > 0, norm, 1.0), v)
            guard.checkpoint()
        change = np.abs(lam - previous) / np.maximum(np.abs(lam), 1e-300)
    return np.where(ok, lam, np.nan), np.where(ok, change, np.nan)
