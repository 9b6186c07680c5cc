"""The scene: everything that decides what the race page shows, as one frozen, hashable value.

Widgets and URLs produce a ``Scene``; the core consumes ``scene.landscape_obj()``,
``scene.run_configs()``, ``scene.starts_array()`` and ``scene.options()``. Being frozen and
hashable, a scene is a natural ``st.cache_data`` key and can be compared bit for bit.
"""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import landscapes
import optimizers
import settings
from landscapes.base import Landscape
from landscapes.cost import CONTOUR_SIDE, grid_seconds, grid_side, page_grid_points
from optimizers import Constant, Noise, RunConfig, RunOptions, Schedule, cost
from optimizers.base import OptimizerConfig
from scenes import limits
from settings import declared, hyper, same_as

START_LIMIT = 1e6  # |coordinate| of a start point

Scalar = float | int | bool | str


def data_grid_seconds(landscape: object, recorded: int = 0) -> float:
    """A data landscape's extra work on the race page: the training loss's contour and 3D grids, the
    test loss's contour grid, and the train and test losses (without penalty) at the ``recorded``
    points of every run (0 for a formula landscape)."""
    seconds = grid_seconds(landscape, page_grid_points(landscape) + recorded)
    if seconds and landscape.dataset.n_test:
        test = landscape.on("test")
        seconds += grid_seconds(test, grid_side(test, CONTOUR_SIDE) ** 2 + recorded)
    return seconds


def default_batch_size(landscape: object) -> int:
    """A scene's batch size when its link or file names none: the full batch ``n`` on a data
    landscape (batch gradient descent, as choosing one on the page gives), else ``Noise``'s own."""
    return optimizers.minibatch.n_examples(landscape) or Noise().batch_size


@dataclass(frozen=True)
class RunSpec:
    """One optimizer setting: its kind, the hyperparameters that differ from the defaults,
    a label, an optional batch size (0 uses the scene's), an optional learning-rate schedule
    (None uses the scene's) and optional Polyak averaging of its iterates."""

    kind: str = "sgd"
    hparams: tuple[tuple[str, Scalar], ...] = ()
    label: str = hyper("", max_chars=limits.MAX_LABEL, label="label")
    batch_size: int = same_as(Noise, "batch_size", default=0, lo=0, label="batch size (0 = scene's)")
    schedule: Schedule | None = None
    # >= 0: show the Polyak average of the iterates from this step on
    average_from: int = hyper(-1, lo=-1, hi=limits.MAX_STEPS, label="averaging start")

    def config(self) -> OptimizerConfig:
        """The optimizer config, wrapped in Polyak averaging when ``average_from >= 0``;
        ``ValueError`` / ``UnknownOptimizerError`` on bad values."""
        config = optimizers.make(self.kind, **dict(self.hparams))
        if self.average_from >= 0:
            return optimizers.make("polyak", inner=config, start=self.average_from)
        return config

    def display_label(self) -> str:
        if self.label:
            return self.label
        title = optimizers.optimizer_class(self.kind).title
        return f"{title} (averaged)" if self.average_from >= 0 else title

    def with_hparams(self, **values: Scalar) -> RunSpec:
        merged = dict(self.hparams)
        merged.update(values)
        return dataclasses.replace(self, hparams=tuple(sorted(merged.items())))


@dataclass(frozen=True)
class View:
    """Display options (they change figures, not numbers)."""

    surface: bool = hyper(
        False,
        label="3D surface",
        help="The landscape as a 3D surface with the paths on it (off by default: the browser draws it in "
        "software WebGL, which takes seconds on a small machine).",
    )
    animate: bool = hyper(False, label="Classroom animation")
    log_loss: bool = hyper(True, label="Log loss axis", url="logloss")
    presentation: bool = hyper(
        False,
        label="Presentation mode",
        url="present",
        help="For a projector: large fonts, thick lines, the animation first, no export clutter. "
        "The page's link now carries present=1: opening it starts with the sidebar collapsed.",
    )


def spec(
    kind: str,
    label: str = "",
    batch_size: int = 0,
    schedule: Schedule | None = None,
    average_from: int = -1,
    **hparams: Scalar,
) -> RunSpec:
    """Shorthand: ``spec("adam", lr=0.05)``."""
    return RunSpec(kind, tuple(sorted(hparams.items())), label, batch_size, schedule, average_from)


DEFAULT_RUNS: tuple[RunSpec, ...] = (
    spec("sgd", lr=1e-3),
    spec("momentum", lr=1e-3, momentum=0.9),
    spec("rmsprop", lr=1e-2),
    spec("adam", lr=5e-2),
)


@dataclass(frozen=True)
class Scene:
    """A race: landscape (and its parameters), runs, starts, steps, schedule, noise, seed, view.

    ``landscape_params`` holds the landscape's parameters that differ from its defaults, as
    ``(name, value)`` pairs: numbers, or for the typed formula its text and its window (4 numbers).
    Every scalar setting is declared once here (range, label, help) or taken from the core's own
    declaration (``Noise``, ``RunOptions``); checks, links, files and widgets derive from it.
    """

    landscape: str = "rosenbrock"
    landscape_params: tuple[tuple[str, Any], ...] = ()
    runs: tuple[RunSpec, ...] = DEFAULT_RUNS
    starts: tuple[tuple[float, float], ...] = hyper(((-1.5, 2.0),), lo=-START_LIMIT, hi=START_LIMIT, label="start")
    steps: int = hyper(500, lo=1, hi=limits.MAX_STEPS, label="Steps", help="optimizer updates per run")
    schedule: Schedule = field(default_factory=Constant)
    noise_sigma: float = same_as(Noise, "sigma", url="noise")  # one link key: noise=sigma:B
    batch_size: int = same_as(Noise, "batch_size", url="noise")
    seed: int = same_as(RunOptions, "seed")
    tol: float = hyper(
        1e-2,
        lo=1e-12,
        hi=10.0,
        log=True,
        label="Tolerance (distance to a minimum)",
        help="a run within this distance of a known minimum has reached it",
    )
    view: View = field(default_factory=View)

    @classmethod
    def scalar_settings(cls) -> tuple[str, ...]:
        """The scene's own number settings (``steps``, ``seed``, ...), in declaration order: each is
        read from links and files, written back and given a widget from its declaration alone."""
        return tuple(n for n, (f, _) in declared(cls).items() if isinstance(f.default, (int, float)))

    # --- to the core ---------------------------------------------------------------------
    def landscape_obj(self) -> Landscape:
        """The landscape instance (``ValueError`` / ``UnknownLandscapeError`` / ``FormulaError``)."""
        return landscapes.get(self.landscape, **dict(self.landscape_params))

    def run_configs(self) -> list[RunConfig]:
        labels = self.labels()
        return [
            RunConfig(
                optimizer=r.config(),
                schedule=self.schedule if r.schedule is None else r.schedule,
                noise=Noise(self.noise_sigma, r.batch_size or self.batch_size),
                label=label,
            )
            for r, label in zip(self.runs, labels, strict=True)
        ]

    def default_batch_size(self) -> int:
        """``default_batch_size`` of this scene's landscape (``Noise``'s own if the landscape is refused)."""
        try:
            return default_batch_size(self.landscape_obj())
        except (ValueError, KeyError):
            return Noise().batch_size

    def labels(self) -> list[str]:
        """A distinct label per run: the user's, else the optimizer's title (numbered if repeated)."""
        base = [r.display_label() for r in self.runs]
        out = []
        for i, b in enumerate(base):
            n = base[:i].count(b)
            out.append(b if n == 0 and base.count(b) == 1 else f"{b} ({n + 1})")
        return out

    def starts_array(self) -> np.ndarray:
        """Start points, shape ``(S, 2)``."""
        return np.array(self.starts, dtype=float).reshape(-1, 2)

    def options(self, record_every: int = 1) -> RunOptions:
        return RunOptions(steps=self.steps, record_every=record_every, tol=self.tol, seed=self.seed)

    # --- checks ----------------------------------------------------------------------------
    def problems(self) -> list[str]:
        """Human-readable reasons this scene cannot run (empty when it can)."""
        out: list[str] = []
        try:
            self.landscape_obj()
        except (ValueError, KeyError) as exc:
            out.append(f"Landscape: {exc}")
        if not self.runs:
            out.append("Choose at least one optimizer.")
        if len(self.runs) > limits.MAX_RUNS:
            out.append(f"At most {limits.MAX_RUNS} runs per race (got {len(self.runs)}).")
        for i, r in enumerate(self.runs):
            try:
                r.config()
            except (ValueError, KeyError, TypeError) as exc:
                out.append(f"Run {i + 1} ({r.kind}): {exc}")
        if not self.starts:
            out.append("Give at least one start point.")
        if len(self.starts) > limits.MAX_STARTS:
            out.append(f"At most {limits.MAX_STARTS} start points (got {len(self.starts)}).")
        out += settings.problems(self)  # every declared scalar setting against its range
        for i, r in enumerate(self.runs):
            out += [f"Run {i + 1}: {p}" for p in settings.problems(r)]
        work = max(len(self.runs), 1) * max(len(self.starts), 1) * self.steps
        if work > limits.MAX_RACE_WORK:
            out.append(
                f"Too much work for one page: runs x starts x steps = {work:,} "
                f"exceeds {limits.MAX_RACE_WORK:,}. Use fewer steps or runs."
            )
        if not out:
            out += cost.problems(self.work(), self.work_advice())
        return out

    def work(self) -> cost.Work:
        """The CPU seconds computing this scene may take, at most, as the race page computes it
        (the run configs it lacks in one call, from every start; ``optimizers.cost.estimate_race``)."""
        land, n_starts, options = self.landscape_obj(), len(self.starts), self.options()
        runs = cost.estimate_race(land, self.run_configs(), n_starts, options)
        recorded = len(self.runs) * n_starts * (self.steps + 1)
        return runs + cost.Work(0.0, data_grid_seconds(land, recorded), 0)

    def work_advice(self) -> str:
        """What to reduce when the scene is too much work: the steps it could afford, or fewer runs."""
        n = self.work().max_steps()
        fewer = "fewer runs or start points (line searches, BFGS and conjugate gradient, cost the most)"
        if data_grid_seconds(self.landscape_obj()) > cost.WORK_BUDGET / 2:
            return "Use fewer examples: drawing this dataset's loss surface alone takes most of a page's time."
        return f"Use at most {n:,} steps with these runs and starts, or {fewer}." if n else f"Use {fewer}."

    def replace(self, **changes: Any) -> Scene:
        return dataclasses.replace(self, **changes)

    def for_plotly(self) -> Scene:
        """This scene with its users' run labels escaped for Plotly, which renders a subset of HTML in
        legends and titles (``<a href=...>`` is a live link): a label from a link or a file stays text."""
        runs = tuple(
            dataclasses.replace(r, label=html.escape(r.label, quote=False)) if r.label else r for r in self.runs
        )
        return self.replace(runs=runs)
