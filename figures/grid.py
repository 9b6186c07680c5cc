"""The landscape sampled on a grid for display, and contour levels that read in loss units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscapes.base import Window
from landscapes.protocol import LandscapeLike

Array = np.ndarray

CONTOUR_N = 150  # grid points per axis for a contour
SURFACE_N = 40  # grid points per axis for a 3D surface (the browser pays for every vertex)
FLOAT32_MAX = float(np.finfo(np.float32).max) / 16  # keep headroom: sums stay finite


@dataclass(frozen=True, eq=False)
class LandscapeGrid:
    """Loss sampled on a regular grid: ``xs (nx,)``, ``ys (ny,)``, ``z (ny, nx)`` float32 (row = y)."""

    xs: Array
    ys: Array
    z: Array
    window: Window


def evaluate_grid(landscape: LandscapeLike, window: Window | None = None, n: int = CONTOUR_N) -> LandscapeGrid:
    """Evaluate ``landscape`` on an ``n x n`` grid over ``window`` (default: the landscape's).

    Non-finite or huge values are clipped to a finite float32 range, without NumPy warnings.
    """
    window = window or landscape.window
    xs, ys, pts = window.grid(n)
    with np.errstate(all="ignore"):
        z = np.asarray(landscape.value(pts), dtype=float)
        z = np.nan_to_num(z, nan=FLOAT32_MAX, posinf=FLOAT32_MAX, neginf=-FLOAT32_MAX)
        z = np.clip(z, -FLOAT32_MAX, FLOAT32_MAX).astype(np.float32)
    return LandscapeGrid(xs.astype(np.float32), ys.astype(np.float32), z, window)


@dataclass(frozen=True)
class ContourLevels:
    """Evenly spaced levels of a displayed quantity ``t = transform(loss)``.

    Linear: ``t = loss``. Log: ``t = log10(loss - zmin + delta)``, so evenly spaced levels of
    ``t`` are geometrically spaced in ``loss - zmin``. ``tickvals`` (in ``t``) and ``ticktext``
    (in loss units) label a colourbar or axis exactly: a tick labelled ``v`` sits at
    ``transform(zmin + v)`` (log) or at ``v`` (linear).
    """

    log: bool
    start: float
    end: float
    size: float
    zmin: float = 0.0
    delta: float = 1.0
    tickvals: tuple[float, ...] = ()
    ticktext: tuple[str, ...] = ()
    title: str = "loss"

    def transform(self, loss: Array) -> Array:
        """Loss values to the displayed quantity (same shape); finite for every finite input."""
        loss = np.asarray(loss, dtype=float)
        if not self.log:
            return loss
        with np.errstate(all="ignore"):
            return np.log10(np.maximum(loss - self.zmin, 0.0) + self.delta)

    def inverse(self, t: Array) -> Array:
        """The loss at a displayed value ``t``."""
        t = np.asarray(t, dtype=float)
        return self.zmin - self.delta + 10.0**t if self.log else t

    def loss_levels(self) -> Array:
        """The contour levels in loss units, shape ``(L,)``."""
        t = np.arange(self.start, self.end + 0.5 * self.size, self.size)
        return self.inverse(t)

    def colorbar(self, **extra: object) -> dict[str, object]:
        """Colourbar keywords: loss-unit ticks and the title."""
        bar: dict[str, object] = dict(title=dict(text=self.title, side="right"))
        if self.tickvals:
            bar.update(tickmode="array", tickvals=list(self.tickvals), ticktext=list(self.ticktext))
        bar.update(extra)
        return bar


def _fmt(v: float) -> str:
    """Tick text: plain numbers from 0.001 to 10000, powers of ten beyond."""
    return f"{v:g}" if v == 0 or 1e-3 <= abs(v) < 1e5 else f"{v:.0e}".replace("e+0", "e").replace("e-0", "e-")


def contour_levels(z: Array, log: bool, n: int = 30, zmin: float | None = None) -> ContourLevels:
    """``n`` contour levels for the values ``z`` (any shape).

    ``log``: levels evenly spaced in ``log10(z - zmin + delta)`` (for ranges spanning decades, such
    as Rosenbrock's), where ``zmin`` is the smallest of ``z`` and the given ``zmin`` (pass a
    known minimum value so paths below the grid's lowest sample stay on the scale), and
    ``delta = range * 1e-6`` (rounded down to a power of ten) keeps the logarithm finite.
    """
    z = np.asarray(z, dtype=float)
    finite = z[np.isfinite(z)]
    lo = float(finite.min()) if finite.size else 0.0
    hi = float(finite.max()) if finite.size else 1.0
    if zmin is not None and np.isfinite(zmin):
        lo = min(lo, float(zmin))
    span = hi - lo
    if not span > 0:  # flat landscape: one band
        span = max(abs(lo), 1.0)
        hi = lo + span
    n = max(int(n), 2)
    if not log:
        return ContourLevels(False, lo, hi, span / n, zmin=lo, title="loss")
    delta = 10.0 ** np.floor(np.log10(span * 1e-6))
    start = float(np.log10(delta))
    end = float(np.log10(span + delta))
    powers = np.arange(np.ceil(np.log10(delta)) + 1, np.floor(np.log10(span)) + 1)
    offsets = np.concatenate([[0.0], 10.0**powers])
    tickvals = tuple(float(v) for v in np.log10(offsets + delta))
    ticktext = tuple(_fmt(v) for v in offsets)
    title = "loss (log scale)" if lo == 0 else f"loss − ({lo:.4g}) (log scale)"
    return ContourLevels(
        True,
        start,
        end,
        (end - start) / n,
        zmin=lo,
        delta=float(delta),
        tickvals=tickvals,
        ticktext=ticktext,
        title=title,
    )


def known_min_value(landscape: LandscapeLike) -> float | None:
    """The lowest known minimum value, or ``None`` when no minimum is known."""
    mins = landscape.minima()
    return min(m.value for m in mins) if mins else None


def levels_for(landscape: LandscapeLike, grid: LandscapeGrid, n: int = 30) -> ContourLevels:
    """Contour levels for a grid of ``landscape``: log where the landscape asks for it."""
    return contour_levels(grid.z, bool(landscape.log_levels), n, zmin=known_min_value(landscape))
