"""The loss along the straight line through two solutions (Goodfellow et al. 2015; Keskar et al.
2016, fig. 3): ``theta(alpha) = (1 - alpha) theta_a + alpha theta_b``; ``alpha = 0`` is the first
solution, ``1`` the second, and values outside ``[0, 1]`` go beyond them."""

from __future__ import annotations

import numpy as np

from networks.mlp import Architecture
from networks.train import evaluate

Array = np.ndarray


def line_points(theta_a: Array, theta_b: Array, alphas: Array) -> Array:
    """Parameter vectors ``(K, P)`` at ``alphas (K,)``."""
    alphas = np.asarray(alphas, float)[:, None]
    return (1.0 - alphas) * theta_a + alphas * theta_b


def line_loss(arch: Architecture, theta_a: Array, theta_b: Array, alphas: Array, x: Array, y: Array) -> Array:
    """The loss ``(K,)`` on ``x``, ``y`` along the line, at ``alphas (K,)``."""
    return evaluate(arch, line_points(theta_a, theta_b, alphas), x, y)
