"""Shared by the first-order optimizer tests: a plain update loop and Rosenbrock trajectories."""

from __future__ import annotations

import numpy as np

import landscapes


def trajectory(cfg, p0, grad, steps, lr=None):
    """Points ``(steps + 1, n, 2)``; ``lr(t)`` (1-based) overrides the rate at step t."""
    P, state = p0, cfg.init(p0)
    out = [P]
    for t in range(1, steps + 1):
        P, state = cfg.update(grad(P), state, P, lr=None if lr is None else lr(t))
        out.append(P)
    return np.stack(out)


ROSEN = landscapes.get("rosenbrock")
STARTS = np.array([[-1.5, 2.0], [0.5, -0.5], [1.2, 1.0]])


def rosen_traj(cfg, steps=60, lr=None):
    return trajectory(cfg, STARTS, ROSEN.grad, steps, lr=lr)
