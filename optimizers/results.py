"""What a run is and what it gives: its config (``RunConfig``), length and stopping rules
(``RunOptions``), the arrays of a finished scene (``RunResult``) and the status codes
(``Status``); ``optimizers.runner`` runs them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np

from optimizers.base import Array, OptimizerConfig
from optimizers.noise import Noise
from optimizers.schedules import Constant, Schedule
from settings import check_fields, hyper


class Status(IntEnum):
    """What became of a run."""

    RUNNING = 0  # still moving when the steps ran out
    CONVERGED = 1  # stopped moving within ``tol`` of a known minimum
    DIVERGED = 2  # non-finite or overflowing values, or flew far outside the window
    LEFT = 3  # left the window of a landscape that is unbounded below
    STALLED = 4  # stopped moving away from every known minimum (a saddle, a plateau)

    @property
    def label(self) -> str:
        """In plain words: "still moving", "reached a minimum", "diverged", "left the window",
        "stuck (saddle or plateau)"."""
        return STATUS_WORDS[self]


STATUS_WORDS = {
    Status.RUNNING: "still moving",
    Status.CONVERGED: "reached a minimum",
    Status.DIVERGED: "diverged",
    Status.LEFT: "left the window",
    Status.STALLED: "stuck (saddle or plateau)",
}


@dataclass(frozen=True)
class RunConfig:
    """One optimizer setting of a scene: hyperparameters, schedule, gradient noise, label."""

    optimizer: OptimizerConfig
    schedule: Schedule = field(default_factory=Constant)
    noise: Noise = field(default_factory=Noise)
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.optimizer.display_title


@dataclass(frozen=True)
class RunOptions:
    """Run length, recording and stopping rules.

    - ``record_every``: keep every k-th step (and always the first and last); 0 keeps only
      the start and the final values, so huge grids fit in memory.
    - ``tol``: distance to a known minimum that counts as reaching it.
    - ``grad_tol``, ``step_tol``: a run whose gradient norm and last step are both below
      these has stopped moving (converged at a minimum, else stalled).
    - ``seed``: base seed of the gradient noise; run ``r`` draws from stream
      ``stream_offset + r``, so a scene computed in pieces (one config at a time, with offsets
      ``c * S``) gets exactly the numbers of the scene computed whole.
    - ``leave_margin``: on landscapes unbounded below, a run further than this fraction of the
      window's size outside the window has left it. ``diverge_margin``: on any landscape, a run
      this many window sizes away has diverged.
    """

    steps: int = hyper(200, lo=0, hi=10**7, label="steps")
    record_every: int = hyper(1, lo=0, hi=10**7, label="record every")
    tol: float = hyper(1e-2, lo=0.0, hi=1e6, label="tolerance")
    grad_tol: float = 1e-6
    step_tol: float = 1e-9
    seed: int = hyper(0, lo=0, hi=2**32 - 1, label="seed", help="the same seed gives the same noise")
    leave_margin: float = 0.25
    diverge_margin: float = 50.0
    stream_offset: int = 0

    def __post_init__(self) -> None:
        check_fields(self)

    def recorded_steps(self) -> Array:
        """The step indices kept, shape ``(K,)``: 0, k, 2k, ... and always ``steps``."""
        if self.record_every == 0:
            kept = np.array([0, self.steps])
        else:
            kept = np.arange(0, self.steps + 1, self.record_every)
            if kept[-1] != self.steps:
                kept = np.append(kept, self.steps)
        return np.unique(kept)


@dataclass(frozen=True, eq=False)
class RunResult:
    """Arrays of a finished scene. ``R`` runs, ``K`` recorded steps.

    positions ``(R, K, 2)``, losses ``(R, K)``, grad_norms ``(R, K)`` (exact gradient), steps
    ``(K,)``; per run: status ``(R,)`` (``Status`` codes), status_step ``(R,)`` (step where the
    run stopped, or ``steps`` if it ran on), hit_step ``(R,)`` (first step within ``tol`` of a
    minimum, -1 if never), nearest_minimum ``(R,)`` (index into ``landscape.minima()`` of the
    final point's nearest minimum, -1 if none is known), distance ``(R,)`` to it, evals ``(R, 3)``
    (value, gradient, Hessian evaluations), config_index and start_index ``(R,)``.
    Stopped runs repeat their last point in later recorded steps.
    """

    positions: Array
    losses: Array
    grad_norms: Array
    steps: Array
    status: Array
    status_step: Array
    hit_step: Array
    nearest_minimum: Array
    distance: Array
    evals: Array
    config_index: Array
    start_index: Array
    labels: tuple[str, ...]
    kinds: tuple[str, ...]
    titles: tuple[str, ...] = ()  # (C,) the optimizers' names ("Momentum (averaged)"), kinds' order

    @classmethod
    def per_run_arrays(cls) -> tuple[str, ...]:
        """Names of the arrays with one entry (row) per run: every array field but ``steps``."""
        return tuple(f.name for f in dataclasses.fields(cls) if f.type == "Array" and f.name != "steps")

    @property
    def final_positions(self) -> Array:
        return self.positions[:, -1]

    @property
    def final_losses(self) -> Array:
        return self.losses[:, -1]

    def run_labels(self) -> list[str]:
        """Label of each run ``(R,)``; with several starts, the start index is appended."""
        n_starts = int(self.start_index.max()) + 1 if self.start_index.size else 1
        return [
            self.labels[c] + (f" #{s + 1}" if n_starts > 1 else "")
            for c, s in zip(self.config_index, self.start_index, strict=False)
        ]

    def frame(self) -> Any:
        """Tidy ``pandas.DataFrame``: run, label, optimizer, step, x, y, loss, grad_norm."""
        import pandas as pd

        R, K = self.losses.shape
        labels = np.array(self.run_labels(), dtype=object)
        kinds = np.array(self.kinds, dtype=object)[self.config_index]
        return pd.DataFrame(
            {
                "run": np.repeat(np.arange(R), K),
                "label": np.repeat(labels, K),
                "optimizer": np.repeat(kinds, K),
                "step": np.tile(self.steps, R),
                "x": self.positions[..., 0].ravel(),
                "y": self.positions[..., 1].ravel(),
                "loss": self.losses.ravel(),
                "grad_norm": self.grad_norms.ravel(),
            }
        )

    def summary(self) -> Any:
        """One row per run: final point and loss, status, where it stopped, steps to tolerance."""
        import pandas as pd

        fin = self.final_positions
        return pd.DataFrame(
            {
                "run": np.arange(len(self.status)),
                "label": self.run_labels(),
                "optimizer": np.array(self.kinds, dtype=object)[self.config_index],
                "final_x": fin[:, 0],
                "final_y": fin[:, 1],
                "final_loss": self.final_losses,
                "status": [Status(s).label for s in self.status],
                "status_step": self.status_step,
                "steps_to_tol": np.where(self.hit_step >= 0, self.hit_step, -1),
                "nearest_minimum": self.nearest_minimum,
                "distance": self.distance,
                "grad_evals": self.evals[:, 1],
                "hessian_evals": self.evals[:, 2],
            }
        )


def concat_results(parts: Sequence[RunResult]) -> RunResult:
    """One result from results of the same steps computed separately (configs in order)."""
    if not parts:
        raise ValueError("concat_results needs at least one result")
    steps = parts[0].steps
    if any(not np.array_equal(p.steps, steps) for p in parts):
        raise ValueError("concat_results needs results recorded at the same steps")
    offsets = np.cumsum([0] + [len(p.labels) for p in parts[:-1]])

    def cat(name: str) -> Array:
        return np.concatenate([getattr(p, name) for p in parts])

    return RunResult(
        **{name: cat(name) for name in RunResult.per_run_arrays() if name != "config_index"},
        steps=steps,
        config_index=np.concatenate([p.config_index + o for p, o in zip(parts, offsets, strict=True)]),
        labels=tuple(lb for p in parts for lb in p.labels),
        kinds=tuple(k for p in parts for k in p.kinds),
        titles=tuple(t for p in parts for t in p.titles),
    )


def split_configs(result: RunResult) -> list[RunResult]:
    """``result`` as one result per config (each with its runs, ``config_index`` 0): the inverse of
    ``concat_results``."""
    out = []
    for c, label in enumerate(result.labels):
        runs = np.flatnonzero(result.config_index == c)
        arrays = {name: getattr(result, name)[runs] for name in RunResult.per_run_arrays()}
        arrays["config_index"] = np.zeros(runs.size, dtype=result.config_index.dtype)
        out.append(
            dataclasses.replace(
                result,
                **arrays,
                labels=(label,),
                kinds=(result.kinds[c],),
                titles=result.titles[c : c + 1],
            )
        )
    return out
