"""Minibatch gradient noise: ``g_noisy = g + (sigma / sqrt(B)) * z`` with ``z ~ N(0, I)``.

The normals come from a counter-based generator (SplitMix64 hash of seed, run stream, step and
coordinate, then Box-Muller), so a run's noise depends only on its own (seed, stream) and the
step, never on which other runs share the call: reproducible from a seed, independent across
streams, and vectorized with no Python loop over runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from settings import check_fields, hyper

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_STREAM = np.uint64(0xD1B54A32D192ED03)
_STEP = np.uint64(0xABC98388FB8FAC03)


@dataclass(frozen=True)
class Noise:
    """Gradient noise of a run: per-sample spread ``sigma`` and batch size ``batch_size``.

    ``sigma = 0`` is full-batch gradient descent; ``batch_size = 1`` is stochastic GD.
    """

    sigma: float = hyper(
        0.0, lo=0.0, hi=1e3, label="gradient noise sigma", help="per-example spread of the gradient; 0 = full batch"
    )
    batch_size: int = hyper(1, lo=1, hi=1_000_000, label="batch size B", help="noise std is sigma / sqrt(B)")

    def __post_init__(self) -> None:
        check_fields(self)

    @property
    def std(self) -> float:
        """Standard deviation of each gradient coordinate's noise: ``sigma / sqrt(B)``."""
        return self.sigma / float(np.sqrt(self.batch_size))


def _splitmix64(x: np.ndarray) -> np.ndarray:
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def standard_normal(seeds: np.ndarray, streams: np.ndarray, step: int) -> np.ndarray:
    """Standard normals of shape ``(n, 2)`` for runs with ``seeds (n,)`` and ``streams (n,)`` at
    integer ``step``: a pure function of its arguments."""
    with np.errstate(over="ignore"):
        s = np.asarray(seeds).astype(np.uint64)
        r = np.asarray(streams).astype(np.uint64)
        base = _splitmix64(_splitmix64(s) ^ (r * _STREAM) ^ (np.uint64(step) * _STEP))
        h1 = _splitmix64(base ^ np.uint64(1))
        h2 = _splitmix64(base ^ np.uint64(2))
    u1 = ((h1 >> np.uint64(11)).astype(np.float64) + 1.0) * 2.0**-53  # (0, 1]
    u2 = (h2 >> np.uint64(11)).astype(np.float64) * 2.0**-53  # [0, 1)
    radius = np.sqrt(-2.0 * np.log(u1))
    angle = 2.0 * np.pi * u2
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=-1)


def noisy_gradient(grads: np.ndarray, std: np.ndarray, seeds: np.ndarray, streams: np.ndarray, step: int) -> np.ndarray:
    """``grads + std * z``: grads ``(n, 2)``, std scalar or ``(n, 1)``."""
    return grads + std * standard_normal(seeds, streams, step)
