"""Basins of attraction: which minimum each start point leads to, for several optimizers.

A grid of start points over the landscape's window (zoomable) is run by each optimizer in ONE
vectorized ``optimizers.run`` call (starts = the whole grid, only final values recorded). Each
run gets a category:

- minimum ``m`` (``0 .. M-1``, the landscape's ``minima()`` order) when it converged there, or
  ended within ``tol`` of it without diverging;
- ``M``: diverged; ``M + 1``: left the window (landscapes unbounded below);
- ``M + 2``: still running or stalled away from every minimum.

With gradient noise (``sigma``, batch size, seed) every start draws its own noise stream, the
same stream for each optimizer (a fair comparison); the fractions of runs per category are the
lesson (Keskar et al. 2016: small batches leave sharp minima).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

import landscapes
import optimizers
from landscapes.base import Landscape, Window
from landscapes.cost import minibatch_seconds
from landscapes.custom import CustomLandscape
from optimizers import Noise, RunConfig, RunOptions, RunResult, Status, cost
from optimizers.allocator import tune_allocator
from optimizers.base import OptimizerConfig
from scenes import limits
from settings import hyper, same_as, spec_for

Array = np.ndarray

NONE = "none"  # an empty optimizer slot
MAX_PANELS = 4
# Starts per ``optimizers.run`` call: the whole grid in one call. Pieces of 16,384 measured only 3-8%
# faster at 256 x 256 x 500 (python -m benchmarks.grids), not worth giving up the single call.
CHUNK = limits.MAX_BASIN_CELLS
EXTRA = ("diverged", "left the window", "still running / stalled (no minimum)")


def basin_kinds() -> list[str]:
    """Optimizer kinds whose fields are all plain numbers, flags or text."""

    def plain(kind: str) -> bool:
        fields = dataclasses.fields(optimizers.optimizer_class(kind))
        return all(isinstance(f.default, (int, float, bool, str)) for f in fields)

    return [k for k in optimizers.names() if plain(k)]


KINDS: tuple[str, ...] = tuple(basin_kinds())
SLOT_CHOICES: tuple[str, ...] = (NONE, *KINDS)
LANDSCAPES: tuple[str, ...] = tuple(landscapes.names())


def _slot(kind: str) -> str:
    return hyper(kind, choices=SLOT_CHOICES)


def _lr(value: float, n: int) -> float:
    return hyper(value, lo=0.0, hi=100.0, log=True, label=f"learning rate {n}")


@dataclass(frozen=True)
class BasinSettings:
    """Landscape, grid, run length and up to four (optimizer, learning rate) panels, plus noise."""

    landscape: str = hyper("himmelblau", choices=LANDSCAPES)
    formula: str = same_as(CustomLandscape, "formula")  # used by landscapes that take a formula
    resolution: int = hyper(100, lo=8, hi=256, label="grid points across")
    zoom: float = hyper(1.0, lo=0.25, hi=4.0, label="zoom out (x window)")
    steps: int = hyper(300, lo=1, hi=limits.MAX_STEPS, label="steps")
    tol: float = hyper(0.05, lo=1e-6, hi=10.0, label="tolerance")
    opt1: str = _slot("sgd")
    lr1: float = _lr(0.01, 1)
    opt2: str = _slot("momentum")
    lr2: float = _lr(0.002, 2)
    opt3: str = _slot("adam")
    lr3: float = _lr(0.1, 3)
    opt4: str = _slot(NONE)
    lr4: float = _lr(0.01, 4)
    noise_sigma: float = same_as(Noise, "sigma")
    batch_size: int = hyper(1, lo=1, hi=1_000_000, label="batch size")
    seed: int = same_as(RunOptions, "seed")

    def __post_init__(self) -> None:
        if not 8 <= self.resolution <= 256:
            raise ValueError(f"Invalid resolution: {self.resolution} (must be between 8 and 256)")
        if not (math.isfinite(self.zoom) and 0.25 <= self.zoom <= 4.0):
            raise ValueError(f"Invalid zoom: {self.zoom} (must be between 0.25 and 4)")
        if not 1 <= self.steps <= limits.MAX_STEPS:
            raise ValueError(f"Invalid steps: {self.steps} (must be between 1 and {limits.MAX_STEPS})")
        if not (math.isfinite(self.tol) and self.tol > 0):
            raise ValueError(f"Invalid tolerance: {self.tol} (must be > 0)")

    # --- derived ------------------------------------------------------------------------------
    def panels(self) -> list[tuple[str, float]]:
        """The used ``(kind, lr)`` slots, in order."""
        slots = [(self.opt1, self.lr1), (self.opt2, self.lr2), (self.opt3, self.lr3), (self.opt4, self.lr4)]
        return [(k, float(lr)) for k, lr in slots if k != NONE]

    def configs(self) -> list[OptimizerConfig]:
        return [optimizers.make(k, lr=lr) for k, lr in self.panels()]

    def labels(self) -> list[str]:
        """A distinct label per panel: ``"SGD, lr=0.01"``."""
        return [f"{optimizers.optimizer_class(k).title}, lr={lr:g}" for k, lr in self.panels()]

    def landscape_params(self) -> dict[str, str]:
        """The landscape's parameters these settings hold: the typed formula, where it takes one."""
        return {"formula": self.formula} if landscapes.takes(self.landscape, "formula") else {}

    def landscape_obj(self) -> Landscape:
        return landscapes.get(self.landscape, **self.landscape_params())

    def window(self) -> Window:
        """The start grid's extent: the landscape's window scaled by ``zoom`` about its centre."""
        w = self.landscape_obj().window
        cx, cy = (w.xmin + w.xmax) / 2, (w.ymin + w.ymax) / 2
        hx, hy = self.zoom * w.width / 2, self.zoom * w.height / 2
        return Window(cx - hx, cx + hx, cy - hy, cy + hy)

    def shape(self) -> tuple[int, int]:
        """Grid ``(ny, nx)``: ``resolution`` points across, square cells."""
        w = self.window()
        return max(2, round(self.resolution * w.height / w.width)), self.resolution

    def noise(self) -> Noise:
        """The runs' gradient noise. On a data landscape, noise on (sigma > 0) means real minibatches of
        ``batch_size`` examples (sigma itself unused), noise off the full batch."""
        if self.noise_sigma == 0.0 and landscapes.landscape_class(self.landscape).__module__.startswith(
            "landscapes.data"
        ):
            return Noise(0.0, int(spec_for(Noise, "batch_size").hi))
        return Noise(self.noise_sigma, self.batch_size)

    def options(self) -> RunOptions:
        return RunOptions(steps=self.steps, record_every=0, tol=self.tol, seed=self.seed)

    def problems(self) -> list[str]:
        """Why these settings cannot run (empty when they can)."""
        out = landscapes.problems(self.landscape, **self.landscape_params())
        if out:
            return out
        panels = self.panels()
        if not panels:
            out.append("Choose at least one optimizer.")
        for n, (kind, lr) in enumerate(panels, start=1):
            if kind not in KINDS:
                out.append(f"Panel {n}: unknown optimizer {kind!r}.")
                continue
            try:
                optimizers.make(kind, lr=lr)
            except ValueError as exc:
                out.append(f"Panel {n} ({kind}): {exc}")
        if self.landscape in LANDSCAPES:
            ny, nx = self.shape()
            cells = nx * ny
            if cells > limits.MAX_BASIN_CELLS:
                out.append(f"Too many start points: {nx} x {ny} = {cells:,} (at most {limits.MAX_BASIN_CELLS:,}).")
            work = cells * self.steps * max(len(panels), 1)
            if work > limits.MAX_GRID_WORK:
                out.append(
                    f"Too much work for one page: start points x steps x optimizers = {work:,} exceeds "
                    f"{limits.MAX_GRID_WORK:,}. Use a coarser grid, fewer steps or fewer optimizers."
                )
        try:
            self.noise()
        except ValueError as exc:
            out.append(str(exc))
        if not out:
            work = self.work()
            advice = f"Use at most {work.max_steps():,} steps, a coarser grid or fewer optimizers."
            out += cost.problems(work, advice)
        return out

    def work(self) -> cost.Work:
        """The CPU seconds the maps may take, at most: each panel's optimizer from every start."""
        ny, nx = self.shape()
        land, options, noisy = self.landscape_obj(), self.options(), self.noise().std > 0
        batches = cost.Work(minibatch_seconds(land, nx * ny, self.noise().batch_size), 0.0, options.steps)
        return sum(
            (cost.estimate_group(land, c, nx * ny, options, noisy) + batches for c in self.configs()), cost.Work()
        )


# --- categories ---------------------------------------------------------------------------------
def category_names(landscape: Landscape) -> list[str]:
    """One name per category: each known minimum ``"(x, y)"``, then ``EXTRA``."""
    return [f"({m.x:.3g}, {m.y:.3g})" for m in landscape.minima()] + list(EXTRA)


def classify(result: RunResult, n_minima: int, tol: float) -> Array:
    """Category codes ``(R,)`` (int16) of a run result; see the module docstring."""
    status = result.status
    near = (status == Status.CONVERGED) | (
        (result.distance <= tol) & (status != Status.DIVERGED) & (status != Status.LEFT)
    )
    near &= result.nearest_minimum >= 0
    codes = np.full(status.shape, n_minima + 2, dtype=np.int16)
    codes[near] = result.nearest_minimum[near]
    codes[status == Status.DIVERGED] = n_minima
    codes[status == Status.LEFT] = n_minima + 1
    return codes


def fractions(codes: Array, n_categories: int) -> Array:
    """Share of runs in each category, shape ``(n_categories,)``, summing to 1."""
    counts = np.bincount(np.asarray(codes).ravel(), minlength=n_categories)[:n_categories]
    return counts / max(int(counts.sum()), 1)


# --- running ------------------------------------------------------------------------------------
def run_starts(
    landscape: Landscape, config: RunConfig, starts: Array, options: RunOptions, chunk: int = CHUNK
) -> RunResult:
    """One config from every start ``(S, 2)`` through ``optimizers.run``, in pieces of ``chunk``
    starts whose noise streams are offset so the pieces equal the whole."""
    starts = np.asarray(starts, dtype=float).reshape(-1, 2)
    parts = [
        optimizers.run(landscape, [config], starts[k : k + chunk], dataclasses.replace(options, stream_offset=k))
        for k in range(0, starts.shape[0], chunk)
    ]
    return parts[0] if len(parts) == 1 else optimizers.concat_results(parts)


@dataclass(frozen=True, eq=False)
class BasinResult:
    """Basin maps. ``codes (P, ny, nx)`` category per start for each of ``P`` panels, grid axes
    ``xs (nx,)`` and ``ys (ny,)``, ``minima (M, 2)``, ``names`` of the ``M + 3`` categories,
    ``fractions (P, M + 3)`` and each run's final point ``final_xy (P, ny, nx, 2)``."""

    settings: BasinSettings
    labels: tuple[str, ...]
    xs: Array
    ys: Array
    minima: Array
    names: tuple[str, ...]
    codes: Array
    fractions: Array
    final_xy: Array

    @property
    def n_minima(self) -> int:
        return int(self.minima.shape[0])

    def table(self) -> list[dict[str, object]]:
        """Rows ``{"optimizer": label, <category>: fraction, ...}`` for a small table."""
        return [
            {"optimizer": lab, **{n: float(f) for n, f in zip(self.names, fr, strict=True)}}
            for lab, fr in zip(self.labels, self.fractions, strict=True)
        ]


def compute_basins(settings: BasinSettings, chunk: int = CHUNK) -> BasinResult:
    """Run every panel's optimizer from every grid start (``ValueError`` listing the problems if
    the settings cannot run)."""
    tune_allocator()
    problems = settings.problems()
    if problems:
        raise ValueError(" ".join(problems))
    landscape = settings.landscape_obj()
    ny, nx = settings.shape()
    w = settings.window()
    xs, ys = np.linspace(w.xmin, w.xmax, nx), np.linspace(w.ymin, w.ymax, ny)
    gx, gy = np.meshgrid(xs, ys)
    starts = np.stack([gx.ravel(), gy.ravel()], axis=-1)
    minima = landscape.minima_array()
    names = category_names(landscape)
    options, noise = settings.options(), settings.noise()
    codes, fracs, finals = [], [], []
    for config, label in zip(settings.configs(), settings.labels(), strict=True):
        result = run_starts(landscape, RunConfig(config, noise=noise, label=label), starts, options, chunk)
        c = classify(result, minima.shape[0], settings.tol)
        codes.append(c.reshape(ny, nx))
        fracs.append(fractions(c, len(names)))
        finals.append(result.final_positions.reshape(ny, nx, 2))
    return BasinResult(
        settings,
        tuple(settings.labels()),
        xs,
        ys,
        minima,
        tuple(names),
        np.stack(codes),
        np.stack(fracs),
        np.stack(finals),
    )
