"""Classic benchmark functions with a single minimum: Rosenbrock, Beale, Booth, Matyas and the
quadratic bowl (bowls and valleys, hard for their curvature rather than for other minima)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscapes.base import Array, CriticalPoint, Landscape, Window, filled, hessian_from, stack
from settings import hyper


@dataclass(frozen=True)
class Rosenbrock(Landscape):
    """``f = (a - x)^2 + b (y - x^2)^2``; minimum at ``(a, a^2)`` with value 0."""

    a: float = hyper(1.0, lo=-2.0, hi=2.0, help="x of the minimum (a, a²)")
    b: float = hyper(100.0, lo=0.0, hi=1000.0, help="steepness of the valley walls")

    key = "rosenbrock"
    title = "Rosenbrock"
    latex = r"f(x, y) = (a - x)^2 + b\,(y - x^2)^2"
    lesson = "A curved, flat-bottomed valley: easy to find, slow to follow to the minimum."
    default_window = Window(-2.0, 2.0, -1.0, 3.0)
    default_starts = ((-1.5, 2.0), (-0.5, 2.5), (1.5, -0.5))
    log_levels = True

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


@dataclass(frozen=True)
class Beale(Landscape):
    """``f = Σ_k (c_k - x + x y^k)^2`` with ``c = (1.5, 2.25, 2.625)``; minimum (3, 0.5), value 0."""

    key = "beale"
    title = "Beale"
    latex = r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"
    lesson = "Steep walls and a flat, bent floor: gradient sizes span many orders of magnitude."
    default_window = Window(-4.5, 4.5, -4.5, 4.5)
    default_starts = ((-1.0, 2.0), (1.0, -2.0), (0.5, 1.2))
    log_levels = True

    _C = (1.5, 2.25, 2.625)

    def _residuals(self, p: Array) -> list[tuple[Array, ...]]:
        """For each k: ``r = c_k - x + x y^k`` and its partials ``r_x, r_y, r_xy, r_yy`` (``r_xx = 0``)."""
        x, y = p[..., 0], p[..., 1]
        out = []
        for k, c in enumerate(self._C, start=1):
            yk1 = y ** (k - 1)
            r = c - x + x * yk1 * y
            ryy = k * (k - 1) * x * y ** (k - 2) if k >= 2 else np.zeros_like(x)
            out.append((r, yk1 * y - 1.0, k * x * yk1, k * yk1, ryy))
        return out

    def value(self, p: Array) -> Array:
        return sum(r * r for r, *_ in self._residuals(p))

    def grad(self, p: Array) -> Array:
        res = self._residuals(p)
        return stack(sum(2.0 * r * rx for r, rx, *_ in res), sum(2.0 * r * ry for r, _, ry, *_ in res))

    def hessian(self, p: Array) -> Array:
        res = self._residuals(p)
        hxx = sum(2.0 * rx * rx for _, rx, *_ in res)
        hxy = sum(2.0 * (rx * ry + r * rxy) for r, rx, ry, rxy, _ in res)
        hyy = sum(2.0 * (ry * ry + r * ryy) for r, _, ry, _, ryy in res)
        return hessian_from(hxx, hxy, hyy)

    def minima(self) -> tuple[CriticalPoint, ...]:
        return (CriticalPoint(3.0, 0.5, 0.0),)

    def saddles(self) -> tuple[CriticalPoint, ...]:
        # At x = 0 every residual equals c_k, so f_y = 0; f_x = 2 Σ c_k (y^k - 1) vanishes at y = 1.
        # The second saddle is a root of ∇f = 0 found with 40-digit arithmetic.
        return (
            CriticalPoint(0.10053793732415835927, -2.6445135850231249689, 9.8645122847555601724),
            CriticalPoint(0.0, 1.0, sum(c * c for c in self._C)),
        )


@dataclass(frozen=True)
class Booth(Landscape):
    """``f = (x + 2y - 7)^2 + (2x + y - 5)^2``: a tilted quadratic bowl (Hessian eigenvalues 18 and 2)."""

    key = "booth"
    title = "Booth"
    latex = r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2"
    lesson = "A tilted bowl with condition number 9: gradients do not point at the minimum."
    default_window = Window(-5.0, 7.0, -3.0, 9.0)
    default_starts = ((-4.0, -2.0), (6.0, 8.0), (-4.0, 8.0))
    log_levels = True

    def value(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2

    def grad(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        u, v = x + 2.0 * y - 7.0, 2.0 * x + y - 5.0
        return stack(2.0 * u + 4.0 * v, 4.0 * u + 2.0 * v)

    def hessian(self, p: Array) -> Array:
        x = p[..., 0]
        return hessian_from(filled(x, 10.0), filled(x, 8.0), filled(x, 10.0))

    def minima(self) -> tuple[CriticalPoint, ...]:
        return (CriticalPoint(1.0, 3.0, 0.0),)


@dataclass(frozen=True)
class Matyas(Landscape):
    """``f = 0.26 (x^2 + y^2) - 0.48 xy``: a shallow diagonal valley (Hessian eigenvalues 1 and 0.04)."""

    key = "matyas"
    title = "Matyas"
    latex = r"f(x, y) = 0.26\,(x^2 + y^2) - 0.48\,xy"
    lesson = "A nearly flat diagonal valley (condition number 25): GD slows to a crawl along the floor."
    default_window = Window(-10.0, 10.0, -10.0, 10.0)
    default_starts = ((-8.0, -6.0), (7.0, -8.0), (-2.0, 9.0))
    log_levels = True

    def value(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return 0.26 * (x * x + y * y) - 0.48 * x * y

    def grad(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return stack(0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x)

    def hessian(self, p: Array) -> Array:
        x = p[..., 0]
        return hessian_from(filled(x, 0.52), filled(x, -0.48), filled(x, 0.52))

    def minima(self) -> tuple[CriticalPoint, ...]:
        return (CriticalPoint(0.0, 0.0, 0.0),)


@dataclass(frozen=True)
class Quadratic(Landscape):
    """``f = c (x^2 + y^2) / 2``: the isotropic bowl; GD is stable iff ``lr < 2 / c``."""

    c: float = hyper(1.0, lo=0.01, hi=100.0, help="curvature (the Hessian is c times the identity)")

    key = "quadratic"
    title = "Quadratic bowl"
    latex = r"f(x, y) = \tfrac{c}{2}\,(x^2 + y^2)"
    lesson = "The simplest bowl: lr = 1/c lands in one step, lr > 2/c diverges."
    default_window = Window(-2.0, 2.0, -2.0, 2.0)
    default_starts = ((-1.5, 1.0), (1.2, 1.6), (0.5, -1.8))

    def value(self, p: Array) -> Array:
        return 0.5 * self.c * (p[..., 0] ** 2 + p[..., 1] ** 2)

    def grad(self, p: Array) -> Array:
        return self.c * np.asarray(p, dtype=float)

    def hessian(self, p: Array) -> Array:
        x = p[..., 0]
        return hessian_from(filled(x, self.c), np.zeros_like(x, dtype=float), filled(x, self.c))

    def minima(self) -> tuple[CriticalPoint, ...]:
        return (CriticalPoint(0.0, 0.0, 0.0),)
