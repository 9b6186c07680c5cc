"""Hyperparameter sweep: one optimizer from one start over a grid of two of its hyperparameters.

Every cell of the ``ny x nx`` grid is one run; all of them advance in ONE vectorized
``optimizers.run`` call (``run_columns`` can cut bigger batches into pieces; the runs are
independent and noise streams are offset, so the pieces equal the whole). Only final values
are recorded.

The per-run configs are built cheaply: the swept values are validated once, vectorized, on a
stacked config (``dataclasses.replace`` with ``(n, 1)`` columns), then each run's scalar config is
a shallow copy of the default config with its two values set (no per-run validation).

Outcome of a cell: ``STABLE`` (converged, still running with a lower loss, or stalled),
``DIVERGED`` (overflow or flew far away), ``LEFT`` (left the window of a landscape unbounded
below) or ``GREW`` (still running but its loss ended above the starting loss: unstable, just
not blown up yet). The stable band of each row ends before its first failing cell.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np

import landscapes
import optimizers
from landscapes.base import Landscape
from landscapes.custom import CustomLandscape
from optimizers import Noise, RunConfig, RunOptions, RunResult, Status, cost
from optimizers.allocator import tune_allocator
from optimizers.base import OptimizerConfig
from optimizers.schedules import Constant
from scenes import Scene, limits, spec
from settings import Spec, hyper, same_as, spec_of

Array = np.ndarray

CHUNK = 16384  # runs per vectorized piece (measured: one piece of 10,000 beats pieces of 2-4k)
METRICS = ("final_loss", "steps_to_tol")
SECOND_AXIS = ("beta1", "alpha", "rho", "momentum", "lr_decay", "damping", "beta2", "weight_decay")


class Outcome(IntEnum):
    """What a sweep cell shows."""

    STABLE = 0  # converged, still improving, or stalled
    DIVERGED = 1  # non-finite / overflow / flew far outside the window
    LEFT = 2  # left the window of a landscape that is unbounded below
    GREW = 3  # still running, but the loss ended above the starting loss

    @property
    def label(self) -> str:
        return {0: "stable", 1: "diverged", 2: "left the window", 3: "loss grew (unstable)"}[int(self)]


# --- which optimizers and hyperparameters can be swept ------------------------------------------
def sweep_params(kind: str) -> list[str]:
    """Float hyperparameters of an optimizer kind (the fields a sweep axis can vary)."""
    cls = optimizers.optimizer_class(kind)
    return [
        f.name
        for f in dataclasses.fields(cls)
        if isinstance(f.default, float) and not isinstance(f.default, bool) and (spec_of(f) or Spec()).bounded
    ]


def sweep_kinds() -> list[str]:
    """Optimizer kinds with plain fields and at least two float hyperparameters."""
    out = []
    for kind in optimizers.names():
        cls = optimizers.optimizer_class(kind)
        plain = all(isinstance(f.default, (int, float, bool, str)) for f in dataclasses.fields(cls))
        if plain and len(sweep_params(kind)) >= 2:
            out.append(kind)
    return out


KINDS: tuple[str, ...] = tuple(sweep_kinds())
LANDSCAPES: tuple[str, ...] = tuple(landscapes.names())


def default_axes(kind: str) -> tuple[str, str]:
    """The natural pair to sweep: the learning rate and the method's main other knob."""
    params = sweep_params(kind)
    x = "lr" if "lr" in params else params[0]
    y = next((p for p in SECOND_AXIS if p in params and p != x), next(p for p in params if p != x))
    return x, y


def axis_defaults(kind: str, name: str) -> tuple[float, float, bool]:
    """A sensible ``(min, max, log)`` range for hyperparameter ``name`` of ``kind``."""
    if name == "lr":
        return 1e-4, 1.0, True
    if name in ("momentum", "beta1", "alpha", "rho"):
        return 0.0, 0.99, False
    if name == "beta2":
        return 0.5, 0.9999, False
    if name == "eps":
        return 1e-10, 1e-1, True
    f = next(f for f in dataclasses.fields(optimizers.optimizer_class(kind)) if f.name == name)
    spec = spec_of(f) or Spec(lo=0.0, hi=1.0)
    lo, hi = spec.closed()  # open bounds (Rprop's 0 < etaminus < 1) moved inside
    lo = lo if math.isfinite(lo) else 0.0
    hi = min(hi, 1.0) if math.isfinite(hi) else 1.0
    if hi <= lo:
        hi = lo + 1.0
    if spec.log and lo >= 0.0:
        return max(lo, hi * 1e-4), hi, True
    return lo, hi, False


def axis_values(lo: float, hi: float, n: int, log: bool) -> Array:
    """``n`` values from ``lo`` to ``hi`` (geometric when ``log``), shape ``(n,)``; ``[lo]`` if ``n == 1``."""
    if n == 1:
        return np.array([float(lo)])
    return np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)


def cell_edges(values: Array, log: bool) -> Array:
    """Boundaries between grid cells, shape ``(n + 1,)`` (midpoints in log space on a log axis)."""
    v = np.log10(values) if log else np.asarray(values, dtype=float)
    if v.size == 1:
        half = 0.5 if not log else 0.1
        edges = np.array([v[0] - half, v[0] + half])
    else:
        mid = 0.5 * (v[1:] + v[:-1])
        edges = np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])
    return 10.0**edges if log else edges


# --- settings -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepSettings:
    """Everything the sweep page shows. Axis ``x`` varies along a row, ``y`` along a column."""

    landscape: str = hyper("ravine", choices=LANDSCAPES)
    formula: str = same_as(CustomLandscape, "formula")  # used by landscapes that take a formula
    optimizer: str = hyper("momentum", choices=KINDS)
    x_param: str = "lr"
    x_min: float = hyper(1e-4, lo=-1e6, hi=1e6, label="x min")
    x_max: float = hyper(1.0, lo=-1e6, hi=1e6, label="x max")
    x_log: bool = True
    nx: int = hyper(60, lo=1, hi=100, label="x cells")
    y_param: str = "momentum"
    y_min: float = hyper(0.0, lo=-1e6, hi=1e6, label="y min")
    y_max: float = hyper(0.99, lo=-1e6, hi=1e6, label="y max")
    y_log: bool = False
    ny: int = hyper(40, lo=1, hi=100, label="y cells")
    custom_start: bool = False  # False: the landscape's first default start
    start_x: float = hyper(0.0, lo=-1e6, hi=1e6, label="start x")
    start_y: float = hyper(0.0, lo=-1e6, hi=1e6, label="start y")
    steps: int = hyper(200, lo=1, hi=limits.MAX_STEPS, label="steps")
    tol: float = hyper(1e-2, lo=1e-12, hi=10.0, label="tolerance")
    metric: str = hyper("final_loss", choices=METRICS)

    def __post_init__(self) -> None:
        for axis in ("x", "y"):
            lo, hi = getattr(self, f"{axis}_min"), getattr(self, f"{axis}_max")
            n, log = getattr(self, f"n{axis}"), getattr(self, f"{axis}_log")
            if not (math.isfinite(lo) and math.isfinite(hi)):
                raise ValueError(f"Invalid {axis} range: [{lo}, {hi}] (bounds must be finite)")
            if not 1 <= n <= 100:
                raise ValueError(f"Invalid n{axis}: {n} (must be between 1 and 100 cells)")
            if lo > hi or (lo == hi and n > 1):
                raise ValueError(f"Invalid {axis} range: min {lo:g} must be below max {hi:g}")
            if log and lo <= 0:
                raise ValueError(f"Invalid {axis} range: a log axis needs min > 0 (got {lo:g})")
        if not 1 <= self.steps <= limits.MAX_STEPS:
            raise ValueError(f"Invalid steps: {self.steps} (must be between 1 and {limits.MAX_STEPS})")
        if not (math.isfinite(self.tol) and self.tol > 0):
            raise ValueError(f"Invalid tolerance: {self.tol} (must be > 0)")
        if self.metric not in METRICS:
            raise ValueError(f"Invalid metric: {self.metric!r} (choose one of {', '.join(METRICS)})")

    # --- derived ------------------------------------------------------------------------------
    @property
    def cells(self) -> int:
        return self.nx * self.ny

    def landscape_params(self) -> dict[str, str]:
        """The landscape's parameters these settings hold: the typed formula, where it takes one."""
        return {"formula": self.formula} if landscapes.takes(self.landscape, "formula") else {}

    def landscape_obj(self) -> Landscape:
        return landscapes.get(self.landscape, **self.landscape_params())

    def start(self) -> tuple[float, float]:
        x, y = landscapes.start_point(self, self.landscape_obj())
        return float(x), float(y)

    def xs(self) -> Array:
        return axis_values(self.x_min, self.x_max, self.nx, self.x_log)

    def ys(self) -> Array:
        return axis_values(self.y_min, self.y_max, self.ny, self.y_log)

    def options(self) -> RunOptions:
        return RunOptions(steps=self.steps, record_every=0, tol=self.tol)

    def cell_config(self, i: int, j: int) -> OptimizerConfig:
        """The optimizer config of cell (row ``i`` = y index, column ``j`` = x index)."""
        return optimizers.make(self.optimizer, **self.cell_hparams(i, j))

    def cell_hparams(self, i: int, j: int) -> dict[str, float]:
        return {self.x_param: float(self.xs()[j]), self.y_param: float(self.ys()[i])}

    def cell_scene(self, i: int, j: int) -> Scene:
        """The race scene of one cell: this optimizer, landscape, start, steps and tolerance."""
        return Scene(
            landscape=self.landscape,
            landscape_params=tuple(self.landscape_params().items()),
            runs=(spec(self.optimizer, **self.cell_hparams(i, j)),),
            starts=(self.start(),),
            steps=self.steps,
            tol=self.tol,
        )

    def work(self) -> cost.Work:
        """The CPU seconds the sweep may take, at most: every cell in one vectorized group."""
        base = optimizers.make(self.optimizer)
        return cost.estimate_group(self.landscape_obj(), base, self.cells, self.options(), varied=True)

    def problems(self) -> list[str]:
        """Why this sweep cannot run (empty when it can): names, limits, hyperparameter ranges, work."""
        out = landscapes.problems(self.landscape, **self.landscape_params())
        if out:
            return out
        if self.optimizer not in KINDS:
            out.append(f"Optimizer {self.optimizer!r} cannot be swept (choose one of {', '.join(KINDS)}).")
            return out
        params = sweep_params(self.optimizer)
        for axis in ("x", "y"):
            name = getattr(self, f"{axis}_param")
            if name not in params:
                out.append(
                    f"{self.optimizer} has no hyperparameter {name!r} to sweep on the {axis} axis "
                    f"(choose one of {', '.join(params)})."
                )
        if self.x_param == self.y_param:
            out.append("Choose two different hyperparameters for the x and y axes.")
        if self.cells > limits.MAX_SWEEP_CELLS:
            out.append(f"Too many cells: {self.nx} x {self.ny} = {self.cells:,} (at most {limits.MAX_SWEEP_CELLS:,}).")
        work = self.cells * self.steps
        if work > limits.MAX_GRID_WORK:
            out.append(
                f"Too much work for one page: cells x steps = {work:,} exceeds {limits.MAX_GRID_WORK:,}. "
                "Use fewer cells or steps."
            )
        if not out:
            for i, j in ((0, 0), (0, self.nx - 1), (self.ny - 1, 0), (self.ny - 1, self.nx - 1)):
                try:
                    self.cell_config(i, j)
                except ValueError as exc:
                    out.append(f"The swept range leaves the optimizer's valid values: {exc}")
                    break
        if not out:
            work = self.work()
            advice = f"Use at most {work.max_steps():,} steps with {self.cells:,} cells, or fewer cells."
            out += cost.problems(work, advice)
        if self.landscape in LANDSCAPES:
            start = np.array(self.start())
            box = self.landscape_obj().window.expanded(1.0)
            if not (np.all(np.isfinite(start)) and box.contains(start)):
                out.append(
                    f"The start ({start[0]:g}, {start[1]:g}) is too far outside the landscape's window "
                    f"[{box.xmin:g}, {box.xmax:g}] x [{box.ymin:g}, {box.ymax:g}]."
                )
        return out


# --- running a stacked config -------------------------------------------------------------------
def stacked_config(base: OptimizerConfig, columns: dict[str, Array]) -> OptimizerConfig:
    """``base`` with ``columns`` (name -> ``(n,)`` values) as ``(n, 1)`` fields: one vectorized
    validation of every value (``ValueError`` names the first bad one)."""
    return dataclasses.replace(base, **{k: np.asarray(v, dtype=float).reshape(-1, 1) for k, v in columns.items()})


def unstacked_configs(base: OptimizerConfig, columns: dict[str, Array]) -> list[OptimizerConfig]:
    """One scalar config per row of ``columns`` without per-row validation (validate with
    ``stacked_config`` first): shallow copies of ``base`` with the row's values set."""
    names = list(columns)
    rows = zip(*(np.asarray(columns[k], dtype=float).ravel().tolist() for k in names), strict=True)
    out = []
    for row in rows:
        c = copy.copy(base)
        for name, value in zip(names, row, strict=True):
            object.__setattr__(c, name, value)  # what a frozen dataclass's __init__ does
        out.append(c)
    return out


def run_columns(
    landscape: Landscape,
    base: OptimizerConfig,
    columns: dict[str, Array],
    start: Array,
    options: RunOptions,
    chunk: int = CHUNK,
) -> RunResult:
    """Run ``base`` with each row of ``columns`` (name -> ``(n,)``) from one ``start`` ``(2,)``:
    ``n`` runs through ``optimizers.run`` (in pieces of ``chunk`` configs, noise streams offset so
    the pieces equal the whole). ``ValueError`` if any value is invalid."""
    stacked_config(base, columns)  # validates all values at once
    configs = unstacked_configs(base, columns)
    schedule, noise = Constant(), Noise()
    run_cfgs = [RunConfig(c, schedule, noise) for c in configs]
    starts = np.asarray(start, dtype=float).reshape(1, 2)
    parts = [
        optimizers.run(landscape, run_cfgs[k : k + chunk], starts, dataclasses.replace(options, stream_offset=k))
        for k in range(0, len(run_cfgs), chunk)
    ]
    return parts[0] if len(parts) == 1 else optimizers.concat_results(parts)


# --- the sweep ----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SweepResult:
    """A finished sweep. Grids have shape ``(ny, nx)`` (row = y value, column = x value).

    ``final_loss``, ``status`` (``Status`` codes), ``status_step``, ``hit_step`` (first step within
    ``tol`` of a minimum, -1 never), ``outcome`` (``Outcome`` codes), ``final_xy (ny, nx, 2)``;
    per row: ``edge_x`` (last x of the stable band, NaN if the first cell fails) and
    ``fail_x`` (first failing x, NaN if none fails).
    """

    settings: SweepSettings
    xs: Array
    ys: Array
    start: Array
    start_loss: float
    final_loss: Array
    final_xy: Array
    status: Array
    status_step: Array
    hit_step: Array
    outcome: Array
    edge_x: Array
    fail_x: Array

    @property
    def failed(self) -> Array:
        return self.outcome != Outcome.STABLE

    def values(self, metric: str | None = None) -> Array:
        """The plotted quantity ``(ny, nx)``: final loss or steps to tolerance (NaN where a cell
        failed, or never reached the tolerance)."""
        metric = metric or self.settings.metric
        if metric == "final_loss":
            v = self.final_loss.astype(float)
        elif metric == "steps_to_tol":
            v = np.where(self.hit_step >= 0, self.hit_step, np.nan).astype(float)
        else:
            raise ValueError(f"Invalid metric: {metric!r} (choose one of {', '.join(METRICS)})")
        return np.where(self.failed, np.nan, v)

    def cell(self, i: int, j: int) -> dict[str, Any]:
        """One cell's configuration and result as a plain dict (for a small table)."""
        s = self.settings
        return {
            s.x_param: float(self.xs[j]),
            s.y_param: float(self.ys[i]),
            "outcome": Outcome(int(self.outcome[i, j])).label,
            "status": Status(int(self.status[i, j])).label,
            "stopped at step": int(self.status_step[i, j]),
            "final loss": float(self.final_loss[i, j]),
            "steps to tolerance": int(self.hit_step[i, j]) if self.hit_step[i, j] >= 0 else None,
            "final x": float(self.final_xy[i, j, 0]),
            "final y": float(self.final_xy[i, j, 1]),
        }

    def nearest_cell(self, x: float, y: float) -> tuple[int, int]:
        """Row and column of the cell whose centre is nearest to ``(x, y)`` (in axis units)."""
        s = self.settings
        return _nearest_index(self.ys, y, s.y_log), _nearest_index(self.xs, x, s.x_log)


def _nearest_index(values: Array, v: float, log: bool) -> int:
    """Index of the grid value nearest to ``v`` (in log10 on a log axis)."""
    if log:
        return int(np.argmin(np.abs(np.log10(values) - np.log10(max(v, 1e-300)))))
    return int(np.argmin(np.abs(values - v)))


def classify(status: Array, final_loss: Array, start_loss: float) -> Array:
    """``Outcome`` codes from the runner's statuses and the final losses (same shape)."""
    out = np.full(status.shape, Outcome.STABLE, dtype=np.int8)
    grew = (status == Status.RUNNING) & ~(final_loss <= start_loss)
    out[grew] = Outcome.GREW
    out[status == Status.DIVERGED] = Outcome.DIVERGED
    out[status == Status.LEFT] = Outcome.LEFT
    return out


def stable_edge(xs: Array, failed: Array) -> tuple[Array, Array]:
    """For each row of ``failed (ny, nx)``: the last x before the first failing cell (NaN when
    the first cell fails; ``xs[-1]`` when none does) and the first failing x (NaN when none)."""
    failed = np.asarray(failed, dtype=bool)
    any_fail = failed.any(axis=1)
    first = np.where(any_fail, failed.argmax(axis=1), xs.size)
    edge = np.where(first > 0, xs[np.maximum(first - 1, 0)], np.nan)
    fail = np.where(any_fail, xs[np.minimum(first, xs.size - 1)], np.nan)
    return edge, fail


def compute_sweep(settings: SweepSettings, chunk: int = CHUNK) -> SweepResult:
    """Run every cell of the sweep (``ValueError`` listing the problems if it cannot run)."""
    tune_allocator()
    problems = settings.problems()
    if problems:
        raise ValueError(" ".join(problems))
    landscape = settings.landscape_obj()
    xs, ys = settings.xs(), settings.ys()
    gx, gy = np.meshgrid(xs, ys)  # (ny, nx), row-major: run r = i * nx + j
    start = np.array(settings.start())
    base = optimizers.make(settings.optimizer)
    columns = {settings.x_param: gx.ravel(), settings.y_param: gy.ravel()}
    result = run_columns(landscape, base, columns, start, settings.options(), chunk)
    shape = (settings.ny, settings.nx)
    final_loss = result.final_losses.reshape(shape)
    status = result.status.reshape(shape)
    start_loss = float(landscape.value(start))
    outcome = classify(status, final_loss, start_loss)
    edge, fail = stable_edge(xs, outcome != Outcome.STABLE)
    return SweepResult(
        settings,
        xs,
        ys,
        start,
        start_loss,
        final_loss,
        result.final_positions.reshape(*shape, 2),
        status,
        result.status_step.reshape(shape),
        result.hit_step.reshape(shape),
        outcome,
        edge,
        fail,
    )


# --- theory -------------------------------------------------------------------------------------
def constant_hessian(landscape: Landscape) -> Array | None:
    """The Hessian ``(2, 2)`` when it is the same everywhere (a quadratic landscape), else None."""
    w = landscape.window
    pts = np.array([[w.xmin, w.ymin], [w.xmax, w.ymax], [w.xmin, w.ymax], [0.3 * w.xmin + 0.7 * w.xmax, 0.0]])
    with np.errstate(all="ignore"):
        H = np.asarray(landscape.hessian(pts), dtype=float)
    if not np.all(np.isfinite(H)) or not np.allclose(H, H[0], rtol=1e-12, atol=1e-12):
        return None
    return H[0]


def theory_edge(settings: SweepSettings, ys: Array | None = None) -> Array | None:
    """The classical stability limit of heavy-ball GD on a quadratic, per row ``(ny,)``:
    ``lr < 2 (1 + mu) / lambda_max`` (``mu = 0``: plain GD, ``lr < 2 / lambda_max``).

    Given only where it is exact: SGD or heavy-ball momentum (default dampening and weight decay)
    swept over learning rate (x) and momentum (y) on a landscape whose Hessian is constant. Else None.
    """
    if settings.optimizer not in ("sgd", "momentum") or (settings.x_param, settings.y_param) != ("lr", "momentum"):
        return None
    H = constant_hessian(settings.landscape_obj())
    if H is None:
        return None
    lam = float(np.linalg.eigvalsh(H).max())
    if lam <= 0:
        return None
    ys = settings.ys() if ys is None else np.asarray(ys, dtype=float)
    return 2.0 * (1.0 + ys) / lam
