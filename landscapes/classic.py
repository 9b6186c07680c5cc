"""Classic optimization benchmark functions (Rosenbrock, Beale, Himmelblau, ...)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscapes.base import Array, CriticalPoint, Landscape, Window, hessian_from, stack


@dataclass(frozen=True)
class Rosenbrock(Landscape):
    """``f = (a - x)^2 + b (y - x^2)^2``; minimum at ``(a, a^2)`` with value 0."""

    a: float = 1.0
    b: float = 100.0

    key = "rosenbrock"
    title = "Rosenbrock"
    formula = r"f(x, y) = (a - x)^2 + b\,(y - x^2)^2"
    lesson = "A curved, flat-bottomed valley: easy to find, slow to follow to the minimum."
    default_window = Window(-2.0, 2.0, -1.0, 3.0)
    default_starts = ((-1.5, 2.0), (-0.5, 2.5), (1.5, -0.5))
    log_levels = True
    param_bounds = {"a": (-2.0, 2.0), "b": (0.0, 1000.0)}
    param_help = {"a": "x of the minimum (a, a²)", "b": "steepness of the valley walls"}

    def value(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x * x) ** 2

    def grad(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        r = y - x * x
        return stack(-2.0 * (self.a - x) - 4.0 * self.b * x * r, 2.0 * self.b * r)

    def hessian(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        hxx = 2.0 - 4.0 * self.b * (y - 3.0 * x * x)
        return hessian_from(hxx, -4.0 * self.b * x, np.full_like(x, 2.0 * self.b))

    def minima(self) -> tuple[CriticalPoint, ...]:
        return (CriticalPoint(self.a, self.a**2, 0.0),)

    @property
    def window(self) -> Window:
        a = self.a
        return Window(min(-2.0, a - 1.0), max(2.0, a + 1.0), min(-1.0, a * a - 1.0), max(3.0, a * a + 1.0))


ALL: list[type[Landscape]] = [Rosenbrock]
