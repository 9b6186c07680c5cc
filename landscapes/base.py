"""The landscape contract: a 2D function with analytic gradient and Hessian plus teaching metadata.

Every function takes points of shape ``(..., 2)`` (coordinates on the last axis, so one
function serves ``(N, 2)`` runs and ``(H, W, 2)`` grids) and never loops over points.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from settings import check_fields, declared

Array = np.ndarray


@dataclass(frozen=True)
class Window:
    """An axis-aligned view rectangle ``[xmin, xmax] x [ymin, ymax]`` in parameter units."""

    xmin: float
    xmax: float
    ymin: float
    ymax: float

    def __post_init__(self) -> None:
        values = (self.xmin, self.xmax, self.ymin, self.ymax)
        if not all(np.isfinite(v) for v in values):
            raise ValueError(f"Invalid window: {values} (bounds must be finite)")
        if not (self.xmin < self.xmax and self.ymin < self.ymax):
            raise ValueError(f"Invalid window: {values} (need xmin < xmax and ymin < ymax)")

    @property
    def width(self) -> float:
        return self.xmax - self.xmin

    @property
    def height(self) -> float:
        return self.ymax - self.ymin

    def expanded(self, margin: float) -> Window:
        """The window grown by ``margin`` times its width/height on every side."""
        dx, dy = margin * self.width, margin * self.height
        return Window(self.xmin - dx, self.xmax + dx, self.ymin - dy, self.ymax + dy)

    def contains(self, points: Array) -> Array:
        """Boolean mask of shape ``points.shape[:-1]``: which points lie inside (edges included)."""
        x, y = points[..., 0], points[..., 1]
        return (x >= self.xmin) & (x <= self.xmax) & (y >= self.ymin) & (y <= self.ymax)

    def grid(self, nx: int, ny: int | None = None) -> tuple[Array, Array, Array]:
        """Grid axes and points: ``xs (nx,)``, ``ys (ny,)``, ``points (ny, nx, 2)``."""
        ny = nx if ny is None else ny
        xs = np.linspace(self.xmin, self.xmax, nx)
        ys = np.linspace(self.ymin, self.ymax, ny)
        gx, gy = np.meshgrid(xs, ys)
        return xs, ys, np.stack([gx, gy], axis=-1)


@dataclass(frozen=True)
class CriticalPoint:
    """A known stationary point: location and function value there."""

    x: float
    y: float
    value: float

    @property
    def point(self) -> Array:
        return np.array([self.x, self.y], dtype=float)


def coordinates(points: Sequence[CriticalPoint]) -> Array:
    """Critical points as an array of shape ``(M, 2)`` (``M`` may be 0)."""
    return np.array([[c.x, c.y] for c in points], dtype=float).reshape(len(points), 2)


def nearest(points: Array, targets: Array) -> tuple[Array, Array]:
    """For each point ``(..., 2)``: the index of the nearest of ``targets (M, 2)`` and the distance
    to it, both of shape ``points.shape[:-1]``; -1 and inf when there is no target."""
    points = np.asarray(points, dtype=float)
    if targets.shape[0] == 0:
        return np.full(points.shape[:-1], -1), np.full(points.shape[:-1], np.inf)
    d = np.linalg.norm(points[..., None, :] - targets, axis=-1)
    k = np.argmin(d, axis=-1)
    return k, np.take_along_axis(d, k[..., None], axis=-1)[..., 0]


def stack(x: Array, y: Array) -> Array:
    """Stack two same-shaped arrays into points of shape ``(..., 2)``."""
    if np.shape(x) != np.shape(y):
        x, y = np.broadcast_arrays(x, y)
    out = np.empty((*x.shape, 2), dtype=np.result_type(x, y, float))
    out[..., 0] = x
    out[..., 1] = y
    return out


def filled(x: Array, c: float) -> Array:
    """An array shaped like ``x`` filled with ``c`` (for constant Hessian entries)."""
    return np.full_like(x, c, dtype=float)


def hessian_from(hxx: Array, hxy: Array, hyy: Array) -> Array:
    """Assemble symmetric Hessians of shape ``(..., 2, 2)`` from their three entries."""
    hxx, hxy, hyy = np.broadcast_arrays(hxx, hxy, hyy)
    row0 = np.stack([hxx, hxy], axis=-1)
    row1 = np.stack([hxy, hyy], axis=-1)
    return np.stack([row0, row1], axis=-2)


@dataclass(frozen=True)
class Landscape:
    """Base class of every landscape. Subclasses are frozen dataclasses whose fields are the
    user-editable parameters (Rosenbrock's ``a`` and ``b``, a ravine's condition number, ...), each
    declared with ``settings.hyper`` (range and help), from which checks, links and widgets derive.

    Subclasses set the class variables and implement ``value``, ``grad`` and ``hessian`` over
    points of shape ``(..., 2)``; they may override ``minima``, ``saddles``, ``window`` and
    ``starts`` when those depend on the parameters.
    """

    key: ClassVar[str] = ""
    title: ClassVar[str] = ""
    latex: ClassVar[str] = ""  # the formula in LaTeX, without surrounding $
    lesson: ClassVar[str] = ""  # one line: what it teaches
    default_window: ClassVar[Window] = Window(-2.0, 2.0, -2.0, 2.0)
    default_starts: ClassVar[tuple[tuple[float, float], ...]] = ((1.5, 1.5),)
    unbounded_below: ClassVar[bool] = False  # runs leaving the window are stopped as "left"
    log_levels: ClassVar[bool] = False  # contour levels spaced logarithmically
    user_defined: ClassVar[bool] = False  # True for a landscape typed by the user (a formula)
    axis_names: ClassVar[tuple[str, str]] = ("x", "y")  # the two parameters' names (the plane's axes)

    def __post_init__(self) -> None:
        check_fields(self)

    @classmethod
    def param_bounds(cls) -> dict[str, tuple[float, float]]:
        """The numeric parameters' closed ranges, by name (from their ``hyper`` declarations)."""
        return {name: spec.closed() for name, (f, spec) in declared(cls).items() if isinstance(f.default, float)}

    # --- the function -------------------------------------------------------------------
    def value(self, p: Array) -> Array:
        """f(p): shape ``p.shape[:-1]``."""
        raise NotImplementedError

    def grad(self, p: Array) -> Array:
        """∇f(p): shape ``p.shape``."""
        raise NotImplementedError

    def hessian(self, p: Array) -> Array:
        """∇²f(p): shape ``p.shape + (2,)``."""
        raise NotImplementedError

    # --- metadata -----------------------------------------------------------------------
    @property
    def window(self) -> Window:
        return self.default_window

    @property
    def starts(self) -> tuple[tuple[float, float], ...]:
        return self.default_starts

    def minima(self) -> tuple[CriticalPoint, ...]:
        """Known minima (global and local), best first."""
        return ()

    def saddles(self) -> tuple[CriticalPoint, ...]:
        """Known saddle points."""
        return ()

    def params(self) -> dict[str, float]:
        """The parameter fields as a plain dict."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def minima_array(self) -> Array:
        """Known minima as an array of shape ``(M, 2)`` (``M`` may be 0)."""
        return coordinates(self.minima())
