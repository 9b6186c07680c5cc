"""Landscapes built to teach one trap each: saddles, plateaus, ravines, sharp vs flat minima."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from landscapes.base import Array, CriticalPoint, Landscape, Window, hessian_from, stack
from landscapes.classic import real_cubic_roots
from settings import hyper


def _well(p: Array, center: tuple[float, float], width: float, depth: float) -> tuple[Array, Array, Array]:
    """A Gaussian well ``-depth · exp(-|p - c|^2 / (2 width^2))``: value ``(...)``, grad ``(..., 2)``,
    Hessian ``(..., 2, 2)``. Far from the centre the exponential underflows quietly to 0."""
    d = np.asarray(p, dtype=float) - np.asarray(center, dtype=float)
    s2 = width * width
    g = depth * np.exp(-0.5 * (d[..., 0] ** 2 + d[..., 1] ** 2) / s2)
    grad = (g / s2)[..., None] * d
    dx, dy = d[..., 0], d[..., 1]
    hess = hessian_from(g * (1.0 / s2 - dx * dx / s2**2), -g * dx * dy / s2**2, g * (1.0 / s2 - dy * dy / s2**2))
    return -g, grad, hess


def _newton(grad, hessian, points: Array, iters: int = 60) -> Array:
    """Plain Newton iterations on ∇f = 0 from ``points (M, 2)`` (all at once); returns ``(M, 2)``."""
    p = np.array(points, dtype=float)
    for _ in range(iters):
        p = p - np.linalg.solve(hessian(p), grad(p)[..., None])[..., 0]
    return p


@dataclass(frozen=True)
class Saddle(Landscape):
    """``f = x^2 - y^2``: a pure saddle at the origin, unbounded below along y."""

    key = "saddle"
    title = "Saddle"
    latex = r"f(x, y) = x^2 - y^2"
    lesson = "Downhill along x, uphill along y: plain GD stalls near the saddle; noise or momentum escapes."
    default_window = Window(-2.0, 2.0, -2.0, 2.0)
    default_starts = ((-1.5, 0.01), (1.5, -0.001), (-1.5, 0.3))
    unbounded_below = True

    def value(self, p: Array) -> Array:
        return p[..., 0] ** 2 - p[..., 1] ** 2

    def grad(self, p: Array) -> Array:
        return stack(2.0 * p[..., 0], -2.0 * p[..., 1])

    def hessian(self, p: Array) -> Array:
        x = np.asarray(p[..., 0], dtype=float)
        return hessian_from(np.full_like(x, 2.0), np.zeros_like(x), np.full_like(x, -2.0))

    def saddles(self) -> tuple[CriticalPoint, ...]:
        return (CriticalPoint(0.0, 0.0, 0.0),)


@dataclass(frozen=True)
class BoundedSaddle(Landscape):
    """``f = x^2 + (y^2 - 1)^2 / 2``: a saddle at the origin (value 1/2) between minima at (0, ±1)."""

    key = "bounded_saddle"
    title = "Saddle with two minima"
    latex = r"f(x, y) = x^2 + \tfrac{1}{2}\,(y^2 - 1)^2"
    lesson = "Runs slide into the saddle and linger there before a tiny offset grows and picks a minimum."
    default_window = Window(-2.0, 2.0, -2.0, 2.0)
    default_starts = ((-1.8, 0.01), (1.8, -0.001), (1.5, 1.8))

    def value(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return x * x + 0.5 * (y * y - 1.0) ** 2

    def grad(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return stack(2.0 * x, 2.0 * y * (y * y - 1.0))

    def hessian(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return hessian_from(np.full_like(x, 2.0, dtype=float), np.zeros_like(x, dtype=float), 6.0 * y * y - 2.0)

    def minima(self) -> tuple[CriticalPoint, ...]:
        return (CriticalPoint(0.0, 1.0, 0.0), CriticalPoint(0.0, -1.0, 0.0))

    def saddles(self) -> tuple[CriticalPoint, ...]:
        return (CriticalPoint(0.0, 0.0, 0.5),)


@dataclass(frozen=True)
class Plateau(Landscape):
    """A narrow Gaussian well in a wide plateau, tilted by a faint bowl so the plateau is not exactly flat:
    ``f = 1 - exp(-|p - c|^2 / (2 s^2)) + k |p - c|^2 / 2`` with ``c = (1.5, 1)``, ``k = 0.005``; minimum
    at ``c`` with value 0."""

    width: float = hyper(0.5, lo=0.2, hi=2.0, help="radius s of the well; outside about 3s the ground is nearly flat")

    key = "plateau"
    title = "Plateau"
    latex = (
        r"f = 1 - e^{-\lVert p - c\rVert^2 / 2s^2} + \tfrac{k}{2}\lVert p - c\rVert^2,"
        r"\quad c = (1.5, 1),\ k = 0.005"
    )
    lesson = "On a plateau gradients are tiny: plain GD crawls, adaptive methods (RMSprop, Adam) rescale and move."
    default_window = Window(-4.0, 4.0, -4.0, 4.0)
    default_starts = ((-3.0, -3.0), (-3.5, 2.5), (3.5, -3.0))

    CENTER = (1.5, 1.0)
    BOWL = 0.005  # curvature k of the faint bowl under the plateau

    def value(self, p: Array) -> Array:
        w, _, _ = _well(p, self.CENTER, self.width, 1.0)
        d = np.asarray(p, dtype=float) - np.asarray(self.CENTER)
        return 1.0 + w + 0.5 * self.BOWL * (d[..., 0] ** 2 + d[..., 1] ** 2)

    def grad(self, p: Array) -> Array:
        _, g, _ = _well(p, self.CENTER, self.width, 1.0)
        return g + self.BOWL * (np.asarray(p, dtype=float) - np.asarray(self.CENTER))

    def hessian(self, p: Array) -> Array:
        _, _, h = _well(p, self.CENTER, self.width, 1.0)
        return h + self.BOWL * np.eye(2)

    def minima(self) -> tuple[CriticalPoint, ...]:
        return (CriticalPoint(*self.CENTER, 0.0),)


def _rotation(angle_deg: float) -> Array:
    """Columns: the steep axis ``e_u`` and the valley axis ``e_v`` of a ravine rotated by ``angle_deg``."""
    t = np.deg2rad(angle_deg)
    return np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])


_RAVINE_STARTS_UV = ((0.6, 2.4), (-0.5, -2.5), (1.5, 1.0))  # (u, v): across and along the valley; |.| < 2.7


@dataclass(frozen=True)
class Ravine(Landscape):
    """An ill-conditioned quadratic ``f = (κ u^2 + v^2) / 2`` with ``u = x cos θ + y sin θ``,
    ``v = -x sin θ + y cos θ``: curvature κ across the valley, 1 along it; minimum at the origin."""

    kappa: float = hyper(
        20.0, lo=1.0, hi=1000.0, help="condition number: ratio of the curvatures across and along the valley"
    )
    angle: float = hyper(30.0, lo=-90.0, hi=90.0, help="direction of the steep axis u, in degrees from the x axis")

    key = "ravine"
    title = "Ravine"
    latex = (
        r"f = \tfrac{1}{2}\left(\kappa u^2 + v^2\right),\quad "
        r"u = x\cos\theta + y\sin\theta,\ v = -x\sin\theta + y\cos\theta"
    )
    lesson = "A narrow valley: GD zig-zags across it (lr is capped by 2/κ); momentum and RMSprop go along it."
    default_window = Window(-3.0, 3.0, -3.0, 3.0)
    default_starts = tuple(tuple(float(c) for c in _rotation(30.0) @ np.array(uv)) for uv in _RAVINE_STARTS_UV)
    log_levels = True

    def _matrix(self) -> Array:
        """The constant Hessian ``R diag(κ, 1) R^T``, shape ``(2, 2)``."""
        R = _rotation(self.angle)
        return R @ np.diag([self.kappa, 1.0]) @ R.T

    def value(self, p: Array) -> Array:
        p = np.asarray(p, dtype=float)
        return 0.5 * np.einsum("...i,ij,...j->...", p, self._matrix(), p)

    def grad(self, p: Array) -> Array:
        return np.asarray(p, dtype=float) @ self._matrix()  # the matrix is symmetric

    def hessian(self, p: Array) -> Array:
        p = np.asarray(p, dtype=float)
        return np.broadcast_to(self._matrix(), (*p.shape[:-1], 2, 2)).copy()

    def minima(self) -> tuple[CriticalPoint, ...]:
        return (CriticalPoint(0.0, 0.0, 0.0),)

    @property
    def starts(self) -> tuple[tuple[float, float], ...]:
        R = _rotation(self.angle)
        return tuple(tuple(float(c) for c in R @ np.array(uv)) for uv in _RAVINE_STARTS_UV)


@dataclass(frozen=True)
class SharpFlat(Landscape):
    """Two Gaussian wells of depth 1 in a weak bowl: a sharp one (width ``w_s``) at (-1.5, 0) and a flat one
    (width ``w_f``) at (1.5, 0). ``f = k |p|^2 / 2 - Σ exp(-|p - c_i|^2 / (2 w_i^2))``, ``k = 0.1``.
    The minima and the saddle between them are found by Newton's method (no closed form)."""

    sharp_width: float = hyper(0.2, lo=0.05, hi=0.5, help="width of the sharp well at (-1.5, 0)")
    flat_width: float = hyper(1.0, lo=0.6, hi=1.5, help="width of the flat well at (1.5, 0)")

    key = "sharp_flat"
    title = "Sharp vs flat minimum"
    latex = (
        r"f = \tfrac{k}{2}\lVert p\rVert^2 - e^{-\lVert p - c_s\rVert^2 / 2w_s^2}"
        r" - e^{-\lVert p - c_f\rVert^2 / 2w_f^2},"
        r"\quad c_s = (-1.5, 0),\ c_f = (1.5, 0),\ k = 0.1"
    )
    lesson = "Two minima of equal depth: noisy small-batch SGD leaves the sharp one and settles in the flat one."
    default_window = Window(-3.5, 3.5, -2.5, 2.5)
    default_starts = ((-1.3, 0.25), (-0.6, 1.2), (2.5, 1.5))

    SHARP = (-1.5, 0.0)
    FLAT = (1.5, 0.0)
    BOWL = 0.1

    def _parts(self, p: Array) -> tuple[Array, Array, Array]:
        p = np.asarray(p, dtype=float)
        vs, gs, hs = _well(p, self.SHARP, self.sharp_width, 1.0)
        vf, gf, hf = _well(p, self.FLAT, self.flat_width, 1.0)
        v = 0.5 * self.BOWL * (p[..., 0] ** 2 + p[..., 1] ** 2) + vs + vf
        return v, self.BOWL * p + gs + gf, self.BOWL * np.eye(2) + hs + hf

    def value(self, p: Array) -> Array:
        return self._parts(p)[0]

    def grad(self, p: Array) -> Array:
        return self._parts(p)[1]

    def hessian(self, p: Array) -> Array:
        return self._parts(p)[2]

    def minima(self) -> tuple[CriticalPoint, ...]:
        return _sharp_flat_critical(self.sharp_width, self.flat_width)[0]

    def saddles(self) -> tuple[CriticalPoint, ...]:
        return _sharp_flat_critical(self.sharp_width, self.flat_width)[1]


@lru_cache(maxsize=64)
def _sharp_flat_critical(sharp_width: float, flat_width: float) -> tuple[tuple[CriticalPoint, ...], ...]:
    """Minima (best first) and the saddle of ``SharpFlat``: Newton from the well centres for the minima;
    for the saddle, Newton on ``f_x(x, 0)`` (the x axis is a mirror line) from the highest point between them."""
    ls = SharpFlat(sharp_width, flat_width)
    mins = _newton(ls.grad, ls.hessian, np.array([ls.SHARP, ls.FLAT]))
    xs = np.linspace(mins[0, 0], mins[1, 0], 2001)
    line = np.stack([xs, np.zeros_like(xs)], axis=-1)
    x = xs[np.argmax(ls.value(line))]
    for _ in range(60):
        q = np.array([x, 0.0])
        x = x - ls.grad(q)[0] / ls.hessian(q)[0, 0]
    pts = [CriticalPoint(float(m[0]), float(m[1]), float(ls.value(m))) for m in mins]
    saddle = CriticalPoint(float(x), 0.0, float(ls.value(np.array([x, 0.0]))))
    return tuple(sorted(pts, key=lambda m: m.value)), (saddle,)


@dataclass(frozen=True)
class LocalMinima(Landscape):
    """A tilted double well along a curved valley: ``f = (x^2 - 1)^2 + t x + (y - x^2/2)^2``.
    Critical points lie on ``y = x^2 / 2`` at the roots of ``4x^3 - 4x + t = 0``: the global minimum
    (x < 0), a saddle, and a worse local minimum (x > 0)."""

    tilt: float = hyper(0.3, lo=0.0, hi=1.0, help="slope t that makes the left minimum deeper than the right one")

    key = "local_minima"
    title = "Global vs local minimum"
    latex = r"f(x, y) = (x^2 - 1)^2 + t\,x + \left(y - \tfrac{x^2}{2}\right)^2"
    lesson = "The start picks the basin; a worse local minimum is often good enough: the global one is not the point."
    default_window = Window(-2.0, 2.0, -1.5, 2.5)
    default_starts = ((0.4, 2.0), (-0.3, -1.2), (1.8, -1.0), (-1.8, 2.2))

    def value(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return (x * x - 1.0) ** 2 + self.tilt * x + (y - 0.5 * x * x) ** 2

    def grad(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        r = y - 0.5 * x * x
        return stack(4.0 * x * (x * x - 1.0) + self.tilt - 2.0 * x * r, 2.0 * r)

    def hessian(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        hxx = 12.0 * x * x - 4.0 - 2.0 * (y - 0.5 * x * x) + 2.0 * x * x
        return hessian_from(hxx, -2.0 * x, np.full_like(x, 2.0, dtype=float))

    def _critical(self) -> list[CriticalPoint]:
        xs = real_cubic_roots(4.0, 0.0, -4.0, self.tilt)  # ascending: minimum, saddle, minimum
        return [CriticalPoint(float(x), float(0.5 * x * x), float((x * x - 1.0) ** 2 + self.tilt * x)) for x in xs]

    def minima(self) -> tuple[CriticalPoint, ...]:
        lo, _, hi = self._critical()
        return (lo, hi)

    def saddles(self) -> tuple[CriticalPoint, ...]:
        return (self._critical()[1],)


ALL: list[type[Landscape]] = [Saddle, BoundedSaddle, Plateau, Ravine, SharpFlat, LocalMinima]
