"""Landscapes written out in the tests themselves, independent of the ones under test."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscapes.base import CriticalPoint, Landscape, Window, hessian_from, stack


@dataclass(frozen=True)
class Saddle(Landscape):
    """``f = x^2 - y^2``: a saddle at the origin, unbounded below along y; no minimum."""

    key = ""
    default_window = Window(-2.0, 2.0, -2.0, 2.0)
    unbounded_below = True

    def value(self, p: np.ndarray) -> np.ndarray:
        return p[..., 0] ** 2 - p[..., 1] ** 2

    def grad(self, p: np.ndarray) -> np.ndarray:
        return stack(2.0 * p[..., 0], -2.0 * p[..., 1])

    def hessian(self, p: np.ndarray) -> np.ndarray:
        one = np.ones(p.shape[:-1])
        return hessian_from(2.0 * one, 0.0 * one, -2.0 * one)

    def saddles(self) -> tuple[CriticalPoint, ...]:
        return (CriticalPoint(0.0, 0.0, 0.0),)
