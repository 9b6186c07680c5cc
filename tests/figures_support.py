"""Shared by the figure tests: small landscapes with closed forms, readers of a figure's traces,
and the runs the tests draw (built by ``tests/conftest.py``'s module fixtures ``rosen_race``,
``diverging`` and ``well_race``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import landscapes
import optimizers
from landscapes.base import CriticalPoint, Landscape, Window, hessian_from, stack
from optimizers import RunConfig, RunOptions, Status


# --- small landscapes with closed forms (in case the registry has no quadratic yet) ------------
@dataclass(frozen=True)
class Bowl(Landscape):
    """f = (x - 1)^2 + 2 (y + 0.5)^2 + c: one minimum at (1, -0.5), linear contour levels."""

    c: float = 0.0
    key = "test-bowl"
    title = "Bowl"
    default_window = Window(-2.0, 2.0, -2.0, 2.0)

    def value(self, p):
        x, y = p[..., 0], p[..., 1]
        return (x - 1.0) ** 2 + 2.0 * (y + 0.5) ** 2 + self.c

    def grad(self, p):
        x, y = p[..., 0], p[..., 1]
        return stack(2.0 * (x - 1.0), 4.0 * (y + 0.5))

    def hessian(self, p):
        x = p[..., 0]
        return hessian_from(np.full_like(x, 2.0), np.zeros_like(x), np.full_like(x, 4.0))

    def minima(self):
        return (CriticalPoint(1.0, -0.5, self.c),)


@dataclass(frozen=True)
class DoubleWell(Landscape):
    """f = (x^2 - 1)^2 + y^2: minima (+-1, 0), saddle (0, 0)."""

    key = "test-double-well"
    title = "Double well"
    default_window = Window(-2.0, 2.0, -1.5, 1.5)

    def value(self, p):
        x, y = p[..., 0], p[..., 1]
        return (x * x - 1.0) ** 2 + y * y

    def grad(self, p):
        x, y = p[..., 0], p[..., 1]
        return stack(4.0 * x * (x * x - 1.0), 2.0 * y)

    def hessian(self, p):
        x = p[..., 0]
        return hessian_from(12.0 * x * x - 4.0, np.zeros_like(x), np.full_like(x, 2.0))

    def minima(self):
        return (CriticalPoint(-1.0, 0.0, 0.0), CriticalPoint(1.0, 0.0, 0.0))

    def saddles(self):
        return (CriticalPoint(0.0, 0.0, 1.0),)


@dataclass(frozen=True)
class Plane(Landscape):
    """f = x + y: no minimum at all."""

    key = "test-plane"
    title = "Plane"

    def value(self, p):
        return p[..., 0] + p[..., 1]

    def grad(self, p):
        return np.ones_like(p)

    def hessian(self, p):
        return np.zeros((*p.shape, 2))


@dataclass(frozen=True)
class Wild(Bowl):
    """A bowl that is infinite or undefined on part of the plane."""

    def value(self, p):
        v = super().value(p)
        return np.where(p[..., 0] > 1.5, np.inf, np.where(p[..., 1] > 1.5, np.nan, v))


def rosen(x, y, a=1.0, b=100.0):
    return (a - x) ** 2 + b * (y - x * x) ** 2


def configs(*specs):
    return [RunConfig(optimizers.make(kind, **hp), label=label) for kind, label, hp in specs]


def data_of(fig, role):
    return [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") == role]


def live_count(result, r):
    """Recorded points up to and including the step where run r stopped (record_every = 1)."""
    return int(np.sum(result.steps <= result.status_step[r]))


def matched_indices(points, path):
    """Index into ``path (K, 2)`` of each of ``points (n, 2)`` (float32 tolerance); -1 if none."""
    out = []
    for p in points:
        hit = np.flatnonzero(np.all(np.isclose(path, p, rtol=1e-6, atol=1e-6), axis=1))
        out.append(int(hit[0]) if hit.size else -1)
    return np.array(out)


def rosen_race() -> tuple:
    """Rosenbrock: SGD, momentum and Adam from two starts, 600 steps: (landscape, result, starts)."""
    L = landscapes.get("rosenbrock")
    cfgs = configs(
        ("sgd", "SGD", dict(lr=1e-3)),
        ("momentum", "Momentum", dict(lr=1e-3, momentum=0.9)),
        ("adam", "Adam", dict(lr=5e-2)),
    )
    starts = np.array([[-1.5, 2.0], [0.5, 2.5]])
    result = optimizers.run(L, cfgs, starts, RunOptions(steps=600))
    return L, result, starts


def diverging() -> tuple:
    """Rosenbrock: SGD at lr 1 (diverges) and Adam, 300 steps: (landscape, result)."""
    L = landscapes.get("rosenbrock")
    cfgs = configs(("sgd", "SGD lr=1", dict(lr=1.0)), ("adam", "Adam", dict(lr=5e-2)))
    result = optimizers.run(L, cfgs, np.array([[-1.5, 2.0]]), RunOptions(steps=300))
    assert result.status[0] == Status.DIVERGED  # the premise of the tests below
    return L, result


def well_race() -> tuple:
    """The double well: GD and Adam from two starts, 200 steps: (landscape, result)."""
    L = DoubleWell()
    cfgs = configs(("sgd", "GD", dict(lr=0.05)), ("adam", "Adam", dict(lr=0.1)))
    result = optimizers.run(L, cfgs, np.array([[-0.3, 1.2], [1.8, -1.0]]), RunOptions(steps=200))
    return L, result
