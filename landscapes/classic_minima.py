"""Classic benchmark functions with several minima: Himmelblau, Goldstein-Price, the six-hump camel,
Styblinski-Tang, Rastrigin and Ackley (which minimum a run reaches depends on where it starts)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from landscapes.base import Array, CriticalPoint, Landscape, Window, filled, hessian_from, stack
from landscapes.lattice import integer_points, newton_minima
from settings import hyper


@dataclass(frozen=True)
class Himmelblau(Landscape):
    """``f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2``: four minima of value 0, one local maximum, four saddles."""

    key = "himmelblau"
    title = "Himmelblau"
    latex = r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2"
    lesson = "Four equally good minima: the start alone decides which one you reach."
    default_window = Window(-5.0, 5.0, -5.0, 5.0)
    default_starts = ((0.0, 0.0), (-1.0, -1.5), (0.5, -1.5), (-0.8, 0.2))
    log_levels = True

    def value(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    def grad(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        a, b = x * x + y - 11.0, x + y * y - 7.0
        return stack(4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b)

    def hessian(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        a, b = x * x + y - 11.0, x + y * y - 7.0
        return hessian_from(4.0 * a + 8.0 * x * x + 2.0, 4.0 * (x + y), 4.0 * b + 8.0 * y * y + 2.0)

    def minima(self) -> tuple[CriticalPoint, ...]:
        return HIMMELBLAU_MINIMA

    def saddles(self) -> tuple[CriticalPoint, ...]:
        return HIMMELBLAU_SADDLES


# Critical points of Himmelblau's function: (3, 2) is exact, the rest are roots of ∇f = 0
# found with 40-digit arithmetic (mpmath.findroot) and rounded.
HIMMELBLAU_MINIMA = (
    CriticalPoint(3.0, 2.0, 0.0),
    CriticalPoint(-2.8051180869527448531, 3.1313125182505729658, 0.0),
    CriticalPoint(-3.7793102533777468919, -3.2831859912861694123, 0.0),
    CriticalPoint(3.5844283403304917449, -1.8481265269644035535, 0.0),
)
HIMMELBLAU_SADDLES = (
    CriticalPoint(3.385154183607020938, 0.073851879837749287719, 13.311926270405589889),
    CriticalPoint(0.086677504555396351823, 2.8842547011747761131, 67.719150087526140226),
    CriticalPoint(-3.0730257507643896105, -0.081353044287967511553, 104.01516291755810586),
    CriticalPoint(-0.12796134673068006631, -1.9537149802445764261, 178.33723920192745998),
)


@dataclass(frozen=True)
class GoldsteinPrice(Landscape):
    """``f = A(x, y) B(x, y)``, a product of two quartics: global minimum (0, -1) with value 3 and three
    local minima (-0.6, -0.4) → 30, (1.8, 0.2) → 84, (1.2, 0.8) → 840."""

    key = "goldstein_price"
    title = "Goldstein–Price"
    latex = (
        r"f = \left[1 + (x + y + 1)^2 (19 - 14x + 3x^2 - 14y + 6xy + 3y^2)\right]"
        r"\left[30 + (2x - 3y)^2 (18 - 32x + 12x^2 + 48y - 36xy + 27y^2)\right]"
    )
    lesson = "Values from 3 to a million: only log-spaced contours reveal the four basins."
    default_window = Window(-2.0, 2.0, -2.0, 2.0)
    default_starts = ((-1.5, 1.5), (1.5, 1.5), (-1.0, -1.8), (0.5, 0.0))
    log_levels = True

    @staticmethod
    def _parts(p: Array) -> tuple[Array, ...]:
        """``A, A_x, A_y, A_xx, A_xy, A_yy, B, B_x, ...`` (the two factors and their derivatives)."""
        x, y = p[..., 0], p[..., 1]
        u = x + y + 1.0
        P = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y
        Pd = -14.0 + 6.0 * x + 6.0 * y  # P_x = P_y
        A = 1.0 + u * u * P
        Ax = 2.0 * u * P + u * u * Pd
        Axx = 2.0 * P + 4.0 * u * Pd + 6.0 * u * u  # also A_xy and A_yy (u_x = u_y = 1, P_xx = P_xy = P_yy = 6)
        v = 2.0 * x - 3.0 * y
        Q = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y
        Qx = -32.0 + 24.0 * x - 36.0 * y
        Qy = 48.0 - 36.0 * x + 54.0 * y
        B = 30.0 + v * v * Q
        Bx = 4.0 * v * Q + v * v * Qx
        By = -6.0 * v * Q + v * v * Qy
        Bxx = 8.0 * Q + 8.0 * v * Qx + 24.0 * v * v
        Bxy = -12.0 * Q + 4.0 * v * Qy - 6.0 * v * Qx - 36.0 * v * v
        Byy = 18.0 * Q - 12.0 * v * Qy + 54.0 * v * v
        return A, Ax, Ax, Axx, Axx, Axx, B, Bx, By, Bxx, Bxy, Byy

    def value(self, p: Array) -> Array:
        A, *_, B = self._parts(p)[:7]
        return A * B

    def grad(self, p: Array) -> Array:
        A, Ax, Ay, _, _, _, B, Bx, By, *_ = self._parts(p)
        return stack(Ax * B + A * Bx, Ay * B + A * By)

    def hessian(self, p: Array) -> Array:
        A, Ax, Ay, Axx, Axy, Ayy, B, Bx, By, Bxx, Bxy, Byy = self._parts(p)
        hxx = Axx * B + 2.0 * Ax * Bx + A * Bxx
        hxy = Axy * B + Ax * By + Ay * Bx + A * Bxy
        hyy = Ayy * B + 2.0 * Ay * By + A * Byy
        return hessian_from(hxx, hxy, hyy)

    def minima(self) -> tuple[CriticalPoint, ...]:
        return (
            CriticalPoint(0.0, -1.0, 3.0),
            CriticalPoint(-0.6, -0.4, 30.0),
            CriticalPoint(1.8, 0.2, 84.0),
            CriticalPoint(1.2, 0.8, 840.0),
        )

    def saddles(self) -> tuple[CriticalPoint, ...]:
        return (
            CriticalPoint(-0.4, -0.6, 35.0),
            CriticalPoint(1.2, -0.2, 99.0),
            CriticalPoint(1.4, 0.6, 980.0),
            CriticalPoint(0.6, 0.4, 990.0),
        )


@dataclass(frozen=True)
class SixHumpCamel(Landscape):
    """``f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (4y^2 - 4) y^2``: six minima in symmetric pairs ``±p``."""

    key = "six_hump_camel"
    title = "Six-hump camel"
    latex = r"f(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (4y^2 - 4)\,y^2"
    lesson = "Two global minima, four local ones and saddles between them: a map of basins of attraction."
    default_window = Window(-2.5, 2.5, -1.5, 1.5)
    default_starts = ((-2.2, -1.2), (0.6, 1.2), (2.2, 0.0), (-0.3, 0.3))

    def value(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        x2, y2 = x * x, y * y
        return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2

    def grad(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        x2 = x * x
        return stack(8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y, x - 8.0 * y + 16.0 * y**3)

    def hessian(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        x2 = x * x
        return hessian_from(8.0 - 25.2 * x2 + 10.0 * x2 * x2, filled(x, 1.0), -8.0 + 48.0 * y * y)

    def minima(self) -> tuple[CriticalPoint, ...]:
        return _pairs(SIX_HUMP_CAMEL_MINIMA)

    def saddles(self) -> tuple[CriticalPoint, ...]:
        return (CriticalPoint(0.0, 0.0, 0.0), *_pairs(SIX_HUMP_CAMEL_SADDLES))


def _pairs(points: tuple[CriticalPoint, ...]) -> tuple[CriticalPoint, ...]:
    """Each point followed by its mirror image ``-p`` (same value: f(-p) = f(p))."""
    return tuple(q for m in points for q in (m, CriticalPoint(-m.x, -m.y, m.value)))


# One of each ±pair of critical points of the six-hump camel: roots of ∇f = 0 found with
# 40-digit arithmetic (mpmath.findroot) and rounded. f is even: f(-p) = f(p).
SIX_HUMP_CAMEL_MINIMA = (
    CriticalPoint(0.089842013100318062422, -0.7126564030207396334, -1.0316284534898773504),
    CriticalPoint(-1.7036067149699808488, 0.79608356867262511903, -0.21546382438371763758),
    CriticalPoint(-1.6071047529201972298, -0.56865145488413137139, 2.1042503103112582746),
)
SIX_HUMP_CAMEL_SADDLES = (
    CriticalPoint(1.1092053368047864474, -0.76826809250953984178, 0.54371860097818513539),
    CriticalPoint(1.6380679841897785638, 0.22867406904439406995, 2.2293571975307147209),
    CriticalPoint(-1.2960702671671091833, -0.60508438803865849681, 2.2294708180298599234),
)


def real_cubic_roots(a: float, b: float, c: float, d: float) -> Array:
    """The real roots of ``a t^3 + b t^2 + c t + d``, ascending, polished by two Newton steps."""
    r = np.roots([a, b, c, d])
    t = np.sort(r[np.abs(r.imag) < 1e-9].real)
    for _ in range(2):
        t = t - (((a * t + b) * t + c) * t + d) / ((3.0 * a * t + 2.0 * b) * t + c)
    return t


@dataclass(frozen=True)
class StyblinskiTang(Landscape):
    """``f = ½ Σ (x_i^4 - 16 x_i^2 + 5 x_i)``: separable, four minima; the global one near (-2.9035, -2.9035)."""

    key = "styblinski_tang"
    title = "Styblinski–Tang"
    latex = r"f(x, y) = \tfrac{1}{2}\sum_{i \in \{x, y\}} \left(x_i^4 - 16x_i^2 + 5x_i\right)"
    lesson = "Four minima of different depth: the one downhill from your start is rarely the deepest."
    default_window = Window(-5.0, 5.0, -5.0, 5.0)
    default_starts = ((0.5, 0.5), (4.5, -4.5), (-0.5, 4.5), (0.1, -0.2))

    @staticmethod
    def _g(t: Array | float) -> Array:
        return 0.5 * (t**4 - 16.0 * t**2 + 5.0 * t)

    def value(self, p: Array) -> Array:
        return self._g(p[..., 0]) + self._g(p[..., 1])

    def grad(self, p: Array) -> Array:
        return 2.0 * p**3 - 16.0 * p + 2.5

    def hessian(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        return hessian_from(6.0 * x * x - 16.0, np.zeros_like(x), 6.0 * y * y - 16.0)

    def _roots(self) -> Array:
        """Critical points of the 1D term: ``2t^3 - 16t + 2.5 = 0`` (minimum, maximum, minimum)."""
        return real_cubic_roots(2.0, 0.0, -16.0, 2.5)

    def minima(self) -> tuple[CriticalPoint, ...]:
        lo, _, hi = self._roots()
        pts = [(lo, lo), (lo, hi), (hi, lo), (hi, hi)]
        out = [CriticalPoint(float(x), float(y), float(self._g(x) + self._g(y))) for x, y in pts]
        return tuple(sorted(out, key=lambda m: m.value))

    def saddles(self) -> tuple[CriticalPoint, ...]:
        lo, mid, hi = self._roots()
        pts = [(mid, lo), (lo, mid), (mid, hi), (hi, mid)]
        return tuple(CriticalPoint(float(x), float(y), float(self._g(x) + self._g(y))) for x, y in pts)


@dataclass(frozen=True)
class Rastrigin(Landscape):
    """``f = 2A + Σ (x_i^2 - A cos 2π x_i)``: a bowl covered in a grid of local minima near integer points."""

    A: float = hyper(10.0, lo=1.0, hi=20.0, help="height of the ripples (0 would leave only the bowl)")

    key = "rastrigin"
    title = "Rastrigin"
    latex = r"f(x, y) = 2A + \sum_{i \in \{x, y\}} \left(x_i^2 - A\cos 2\pi x_i\right)"
    lesson = "Hundreds of local minima on a bowl: plain GD stops in the nearest one; noise and momentum hop out."
    default_window = Window(-5.12, 5.12, -5.12, 5.12)
    default_starts = ((-4.3, 3.8), (2.2, -1.1), (0.45, 0.5))

    def value(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        tau = 2.0 * np.pi
        return 2.0 * self.A + x * x - self.A * np.cos(tau * x) + y * y - self.A * np.cos(tau * y)

    def grad(self, p: Array) -> Array:
        tau = 2.0 * np.pi
        return 2.0 * p + tau * self.A * np.sin(tau * p)

    def hessian(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        tau = 2.0 * np.pi
        c = tau * tau * self.A
        return hessian_from(2.0 + c * np.cos(tau * x), np.zeros_like(x), 2.0 + c * np.cos(tau * y))

    def minima(self) -> tuple[CriticalPoint, ...]:
        """Every local minimum in the window, global first. f is separable with a diagonal Hessian,
        so its minima are the pairs (x, y) of minima of the 1D function ``x^2 - A cos 2πx``."""
        w = self.window
        reach = int(np.ceil(max(abs(w.xmin), abs(w.xmax), abs(w.ymin), abs(w.ymax)))) + 1
        m = _rastrigin_minima_1d(self.A, reach)  # (K,) locations
        g = m * m - self.A * np.cos(2.0 * np.pi * m) + self.A  # 1D values, g(0) = 0
        mx, my = m[(m >= w.xmin) & (m <= w.xmax)], m[(m >= w.ymin) & (m <= w.ymax)]
        gx, gy = g[(m >= w.xmin) & (m <= w.xmax)], g[(m >= w.ymin) & (m <= w.ymax)]
        pts = [(float(gx[i] + gy[j]), float(mx[i]), float(my[j])) for i in range(len(mx)) for j in range(len(my))]
        pts.sort(key=lambda t: (t[0], abs(t[1]) + abs(t[2])))
        return tuple(CriticalPoint(x, y, v) for v, x, y in pts)


def _rastrigin_minima_1d(A: float, reach: int = 2) -> Array:
    """Local minima of ``x^2 - A cos 2πx`` near the integers ``-reach..reach``: Newton from each
    integer (each local minimum lies within 1/4 of an integer: there ``cos 2πx > 0`` is needed for
    positive curvature, since ``2 + 4π²A cos 2πx > 0`` with ``A >= 1`` fails only where it is negative)."""
    tau = 2.0 * np.pi
    n = np.arange(-reach, reach + 1, dtype=float)
    x = n.copy()
    for _ in range(50):
        x = x - (2.0 * x + tau * A * np.sin(tau * x)) / (2.0 + tau * tau * A * np.cos(tau * x))
    ok = (np.abs(x - n) < 0.5) & (2.0 + tau * tau * A * np.cos(tau * x) > 0)
    ok &= np.abs(2.0 * x + tau * A * np.sin(tau * x)) < 1e-9
    return x[ok]


@dataclass(frozen=True)
class Ackley(Landscape):
    """Ackley's function, smoothed at the origin: ``r = sqrt((x^2 + y^2)/2 + ε^2)`` with ε = 0.05
    replaces the cone tip, so the gradient is continuous and the minimum (0, 0), value 0, has a Hessian.
    """

    a: float = hyper(20.0, lo=1.0, hi=40.0, help="depth of the central funnel")
    b: float = hyper(0.2, lo=0.05, hi=1.0, help="how quickly the funnel narrows")

    key = "ackley"
    title = "Ackley"
    latex = (
        r"f(x, y) = a\left(e^{-b\varepsilon} - e^{-b r}\right) + e - e^{\frac{1}{2}(\cos 2\pi x + \cos 2\pi y)},"
        r"\quad r = \sqrt{\tfrac{1}{2}(x^2 + y^2) + \varepsilon^2}"
    )
    lesson = "A deep funnel under an egg-crate of local minima: the big picture is easy, the details trap you."
    default_window = Window(-5.0, 5.0, -5.0, 5.0)
    default_starts = ((-3.6, 3.1), (2.4, -4.2), (1.2, 0.9))

    EPS = 0.05  # smoothing radius of the funnel tip

    def _r(self, p: Array) -> Array:
        return np.sqrt(0.5 * (p[..., 0] ** 2 + p[..., 1] ** 2) + self.EPS**2)

    def value(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        tau = 2.0 * np.pi
        ripple = np.exp(0.5 * (np.cos(tau * x) + np.cos(tau * y)))
        funnel = self.a * (np.exp(-self.b * self.EPS) - np.exp(-self.b * self._r(p)))
        return funnel + np.e - ripple

    def grad(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        tau = 2.0 * np.pi
        r = self._r(p)
        k = self.a * self.b * np.exp(-self.b * r) / (2.0 * r)
        e2 = np.exp(0.5 * (np.cos(tau * x) + np.cos(tau * y)))
        return stack(k * x + np.pi * e2 * np.sin(tau * x), k * y + np.pi * e2 * np.sin(tau * y))

    def hessian(self, p: Array) -> Array:
        x, y = p[..., 0], p[..., 1]
        tau = 2.0 * np.pi
        r = self._r(p)
        k = self.a * self.b * np.exp(-self.b * r) / (2.0 * r)
        q = k * (self.b + 1.0 / r) / (2.0 * r)  # -∂k/∂x = q x
        e2 = np.exp(0.5 * (np.cos(tau * x) + np.cos(tau * y)))
        sx, sy = np.sin(tau * x), np.sin(tau * y)
        pi2 = np.pi**2
        hxx = k - q * x * x + pi2 * e2 * (2.0 * np.cos(tau * x) - sx * sx)
        hyy = k - q * y * y + pi2 * e2 * (2.0 * np.cos(tau * y) - sy * sy)
        hxy = -q * x * y - pi2 * e2 * sx * sy
        return hessian_from(hxx, hxy, hyy)

    def minima(self) -> tuple[CriticalPoint, ...]:
        """The global minimum (0, 0) and every local minimum in the window: the ripples put one near
        each integer point, pulled a little toward the funnel (``landscapes.lattice``)."""
        return _ackley_minima(self)


@functools.lru_cache(maxsize=32)
def _ackley_minima(f: Ackley) -> tuple[CriticalPoint, ...]:
    return newton_minima(f, integer_points(f.window), f.window)
