"""Choosing which recorded points of a run to send to the browser."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from landscapes.base import Window
from landscapes.protocol import LandscapeLike
from optimizers.runner import RunResult, Status

Array = np.ndarray

MAX_PATH_POINTS = 400  # per run, on the contour and the surface
MAX_CURVE_POINTS = 1000  # per run, on loss and distance curves
# What one figure sends and draws, all runs together: many runs share it (a 12-run race drew 12 x 500
# points in each curve chart and 720 step markers on the contour, and settled 0.5x slower in the
# browser than the 4-run default, which these budgets leave as it was).
CURVE_BUDGET = 3000  # curve points per loss or distance figure
PATH_BUDGET = 2400  # path points per contour
MIN_SHARE = 150  # points a run keeps whatever the number of runs


def share(budget: int, runs: int, cap: int, floor: int = MIN_SHARE) -> int:
    """Points per run when ``runs`` runs share ``budget``: at most ``cap``, at least ``floor``."""
    return max(min(cap, budget // max(runs, 1)), min(floor, cap))


def thin_indices(k: int, max_points: int) -> Array:
    """At most ``max_points`` (>= 2) evenly spread indices into ``range(k)``, always keeping
    ``0`` and ``k - 1``; all of them when ``k <= max_points``. Sorted, unique, int64."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k <= max_points:
        return np.arange(k, dtype=np.int64)
    m = max(int(max_points), 2)
    return np.unique(np.round(np.linspace(0, k - 1, m)).astype(np.int64))


def envelope_indices(values: Array, max_points: int) -> Array:
    """At most ``max_points`` indices into ``values (K,)`` that keep its shape: in each of
    ``max_points // 2`` equal buckets the lowest and the highest value (NaN skipped), plus the first
    and last index; all of them when ``K <= max_points``. A zig-zag or a spike stays visible where
    evenly spaced points would alias it. Sorted, unique, int64."""
    k = len(values)
    if k <= max_points:
        return np.arange(k, dtype=np.int64)
    buckets = max(max_points // 2, 1)
    size = -(-k // buckets)  # ceil
    y = np.full(buckets * size, np.nan)
    y[:k] = values
    y = y.reshape(buckets, size)
    bad = ~np.isfinite(y)
    low = np.where(bad, np.inf, y).argmin(axis=1)
    high = np.where(bad, -np.inf, y).argmax(axis=1)
    base = np.arange(buckets) * size
    idx = np.concatenate([[0, k - 1], base + low, base + high])
    return np.unique(idx[idx < k]).astype(np.int64)


def thin_path(positions: Array, max_points: int = MAX_PATH_POINTS) -> Array:
    """Evenly thinned copy of ``positions (K, 2)`` (or any ``(K, ...)``) keeping first and last."""
    return positions[thin_indices(len(positions), max_points)]


def run_length(result: RunResult, r: int) -> int:
    """Recorded points of run ``r`` up to where it stopped (later ones repeat its last point)."""
    k = int(np.searchsorted(result.steps, result.status_step[r], side="left")) + 1
    return min(k, len(result.steps))


def run_indices(result: RunResult, r: int, max_points: int = MAX_PATH_POINTS) -> Array:
    """Indices into the recorded steps of run ``r`` to draw: its live part, thinned."""
    return thin_indices(run_length(result, r), max_points)


def names(result: RunResult, labels: Sequence[str] | None = None) -> list[str]:
    """Display name of each run ``(R,)``. ``labels`` are per config (length C, a start number is
    appended when there are several starts) or per run (length R); default: the result's."""
    R = len(result.status)
    n_starts = int(result.start_index.max()) + 1 if R else 1
    if labels is None:
        return result.run_labels()
    labels = list(labels)
    n_configs = len(result.labels)
    if len(labels) == n_configs:
        return [
            labels[c] + (f" #{s + 1}" if n_starts > 1 else "")
            for c, s in zip(result.config_index, result.start_index, strict=True)
        ]
    if len(labels) == R:
        return labels
    raise ValueError(f"labels: expected {n_configs} (one per config) or {R} (one per run), got {len(labels)}")


def status_text(result: RunResult, r: int, landscape: LandscapeLike | None = None) -> str:
    """What became of run ``r``, in plain words: "reached the minimum at step 40" (with
    ``landscape``, "the minimum" is the lowest known one and "a local minimum" any other; without
    it, "a minimum"), "... , still moving" when it got there but never came to rest, "still moving",
    "stuck (saddle or plateau)", "diverged at step 12" or "left the window at step 40"."""
    code, k = Status(int(result.status[r])), int(result.status_step[r])
    if code == Status.DIVERGED:
        return f"diverged at step {k}"
    if code == Status.LEFT:
        return f"left the window at step {k}"
    if code == Status.STALLED:
        return "stuck (saddle or plateau)"
    hit = int(result.hit_step[r])
    if code == Status.CONVERGED or hit >= 0:
        reached = f"reached {_which_minimum(result, r, landscape)} at step {hit if hit >= 0 else k}"
        return reached if code == Status.CONVERGED else f"{reached}, still moving"
    return "still moving"


def _which_minimum(result: RunResult, r: int, landscape: LandscapeLike | None) -> str:
    """ "the minimum" (the lowest known), "a local minimum", or "a minimum" when unknown."""
    m = int(result.nearest_minimum[r])
    minima = landscape.minima() if landscape is not None else []
    if m < 0 or m >= len(minima):
        return "a minimum"
    lowest = min(p.value for p in minima)
    return "the minimum" if minima[m].value <= lowest + 1e-9 * (1.0 + abs(lowest)) else "a local minimum"


def flew_off(result: RunResult, r: int) -> bool:
    """Did run ``r`` diverge or leave the window?"""
    return int(result.status[r]) in (Status.DIVERGED, Status.LEFT)


def _exit_point(inside: Array, outside: Array, window: Window) -> Array:
    """Where the segment from ``inside`` to ``outside`` crosses the window's edge."""
    d = outside - inside
    t = 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        for lo, hi, p, dp in ((window.xmin, window.xmax, inside[0], d[0]), (window.ymin, window.ymax, inside[1], d[1])):
            if dp > 0:
                t = min(t, (hi - p) / dp)
            elif dp < 0:
                t = min(t, (lo - p) / dp)
    return inside + max(t, 0.0) * d


def clip_flight(points: Array, window: Window) -> tuple[Array, bool]:
    """For a run that flew off: its points up to the last one inside ``window``, plus the point
    where it then crossed the edge. Returns ``(points, clipped)``; points with no point inside
    or that end inside come back unchanged (only non-finite points are dropped)."""
    points = points[np.isfinite(points).all(axis=1)]
    inside = window.contains(points)
    if not inside.any() or inside[-1]:
        return points, False
    i = int(np.flatnonzero(inside)[-1])
    exit_pt = _exit_point(points[i], points[i + 1], window)
    return np.vstack([points[: i + 1], exit_pt[None, :]]), True
