"""Learning-rate schedules: their curves ``lr(t)`` and what they do to a noisy run.

The same noisy optimizer runs from the same start under several schedules (``optimizers.Schedule``),
many seeds each, in ONE vectorized ``optimizers.run`` call (configs = schedules, starts = the start
repeated ``seeds`` times). A constant rate keeps the iterates bouncing in a cloud around the
minimum whose size is set by ``lr * noise``; a decaying rate explores early (large steps) and
exploits late (small steps), so the cloud shrinks and the run settles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import landscapes
import optimizers
from analysis.batch import band, select_runs, thin_steps
from landscapes.base import Landscape, nearest
from optimizers import Noise, RunConfig, RunOptions, RunResult, Schedule, cost
from optimizers.allocator import tune_allocator
from optimizers.schedules import Constant, Cosine, Exponential, InverseTime, StepDecay
from optimizers.suggested import NOISY
from settings import check_fields, hyper, same_as

Array = np.ndarray

LANDSCAPES = ("himmelblau", "quadratic", "rastrigin", "ackley")
OPTIMIZERS = ("sgd", "momentum", "adam")
NAMES = ("constant", "step", "exponential", "inverse_time", "cosine", "warmup_cosine")
TITLES = {
    "constant": "constant",
    "step": "step decay",
    "exponential": "exponential decay",
    "inverse_time": "inverse time decay",
    "cosine": "cosine annealing",
    "warmup_cosine": "warm-up + cosine",
}
# LaTeX of each schedule, in the update index k = t - 1 = 0, 1, 2, ... (as ``Schedule.factor``)
FORMULAS = {
    "constant": r"\eta_k = \eta_0",
    "step": r"\eta_k = \eta_0\,\gamma_s^{\lfloor k / s \rfloor}",
    "exponential": r"\eta_k = \eta_0\,\gamma_e^{\,k}",
    "inverse_time": r"\eta_k = \frac{\eta_0}{1 + d\,k}",
    # two lines, as warm-up cosine's: on one it ran past its cell on a projector
    "cosine": (
        r"\begin{aligned}\eta_k &= \eta_0\, c_k,"
        r"\\ c_k &= m + (1 - m)\,\tfrac12\left(1 + \cos\frac{\pi \min(k, T)}{T}\right)"
        r"\end{aligned}"
    ),
    "warmup_cosine": (
        r"\begin{aligned}"
        r"\eta_k &= \eta_0 \left(w_0 + (1 - w_0)\frac{\min(k, W)}{W}\right) c_{\max(k - W,\, 0)},"
        r"\\ c_j &= m + (1 - m)\,\tfrac12\left(1 + \cos\frac{\pi \min(j,\, T - W)}{T - W}\right)"
        r"\end{aligned}"
    ),
}
MAX_WORK = 1_000_000  # schedules x seeds x steps
MAX_SHOWN_POINTS = 400


@dataclass(frozen=True)
class ScheduleSettings:
    """Everything the schedules lesson computes from (the page's widgets and URL)."""

    landscape: str = hyper("himmelblau", choices=LANDSCAPES)
    optimizer: str = hyper("sgd", choices=OPTIMIZERS)
    suggested: bool = True  # use NOISY[landscape] (optimizers.suggested) instead of lr and sigma
    lr: float = hyper(0.01, lo=0.0, hi=10.0, lo_open=True, log=True, label="initial learning rate")
    sigma: float = same_as(Noise, "sigma", default=20.0, label="gradient noise σ")
    steps: int = hyper(500, lo=2, hi=5000, label="steps")
    seeds: int = hyper(20, lo=1, hi=200, label="seeds")
    seed: int = same_as(RunOptions, "seed", label="base seed")
    custom_start: bool = False  # else the landscape's first default start
    start_x: float = hyper(0.0, lo=-1e3, hi=1e3, label="start x")
    start_y: float = hyper(0.0, lo=-1e3, hi=1e3, label="start y")
    use_step: bool = True
    use_exponential: bool = True
    use_inverse_time: bool = True
    use_cosine: bool = True
    use_warmup_cosine: bool = True
    step_gamma: float = hyper(0.5, lo=0.0, hi=1.0, lo_open=True, label="step decay factor γ_s")
    step_size: int = hyper(100, lo=1, hi=5000, label="step every s updates")
    exp_gamma: float = hyper(0.99, lo=0.0, hi=1.0, lo_open=True, label="exponential factor γ_e")
    decay: float = hyper(0.02, lo=0.0, hi=100.0, label="inverse time decay d")
    min_factor: float = hyper(0.0, lo=0.0, hi=1.0, label="cosine floor m")
    warmup: int = hyper(50, lo=1, hi=5000, label="warm-up updates W")
    warmup_start: float = hyper(0.1, lo=0.0, hi=1.0, label="warm-up start w₀")
    show_band: bool = False

    def __post_init__(self) -> None:
        if self.landscape not in LANDSCAPES:
            raise ValueError(f"Invalid landscape: {self.landscape!r} (choose one of {', '.join(LANDSCAPES)})")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Invalid optimizer: {self.optimizer!r} (choose one of {', '.join(OPTIMIZERS)})")
        check_fields(self)
        if self.use_warmup_cosine and self.warmup >= self.steps:
            raise ValueError(
                f"Invalid warm-up: {self.warmup} updates leave nothing of {self.steps} steps to decay "
                "(make the warm-up shorter than the run)"
            )
        work = len(self.names) * self.seeds * self.steps
        if work > MAX_WORK:
            raise ValueError(
                f"Too much work: schedules x seeds x steps = {work:,} exceeds {MAX_WORK:,}; use fewer seeds or steps"
            )
        cost.check(self.work(), "Use fewer seeds or steps.")

    def work(self) -> cost.Work:
        """The CPU seconds of running every schedule with every seed (every step recorded), at most."""
        lr0, sigma = self.lr_sigma
        opt = optimizers.make(self.optimizer, lr=lr0)
        configs = [RunConfig(opt, schedule=self.schedule(n), noise=Noise(sigma, 1)) for n in self.names]
        land = landscapes.get(self.landscape)
        return cost.estimate(land, configs, self.seeds, RunOptions(steps=self.steps, record_every=1))

    @property
    def names(self) -> tuple[str, ...]:
        """The schedules to compare: constant always, then the chosen ones."""
        return ("constant", *(n for n in NAMES[1:] if getattr(self, f"use_{n}")))

    @property
    def lr_sigma(self) -> tuple[float, float]:
        return NOISY[self.landscape] if self.suggested else (self.lr, self.sigma)

    def schedule(self, name: str) -> Schedule:
        """The ``optimizers.Schedule`` of ``name``; cosine anneals over the whole run."""
        if name == "constant":
            return Constant()
        if name == "step":
            return StepDecay(gamma=self.step_gamma, step_size=self.step_size)
        if name == "exponential":
            return Exponential(gamma=self.exp_gamma)
        if name == "inverse_time":
            return InverseTime(decay=self.decay)
        if name == "cosine":
            return Cosine(total=self.steps, min_factor=self.min_factor)
        if name == "warmup_cosine":
            return Cosine(
                total=max(self.steps - self.warmup, 1),
                min_factor=self.min_factor,
                warmup=self.warmup,
                warmup_start=self.warmup_start,
            )
        raise ValueError(f"Invalid schedule name: {name!r}")


def lr_curves(lr0: float, schedules: list[Schedule], steps: int) -> tuple[Array, Array]:
    """Updates ``t = 1..steps`` ``(T,)`` and the rate each schedule uses there ``(n, T)``:
    ``lr0 * factor(t - 1)``."""
    k = np.arange(steps)
    return k + 1, np.stack([lr0 * np.broadcast_to(np.asarray(s.factor(k), dtype=float), k.shape) for s in schedules])


@dataclass(frozen=True, eq=False)
class ScheduleLesson:
    """What the schedules page shows.

    ``names``/``labels``/``schedules`` per schedule (``C``); ``updates (T,)`` and ``lr (C, T)`` the rate
    at each update; ``result`` every run (``R = C * seeds``, config-major, thinned to at most
    ``MAX_SHOWN_POINTS`` recorded steps); ``paths`` seed 0 of each schedule (every step);
    ``distance (R, K)`` to the nearest known minimum at ``result.steps``; ``distance_band`` and
    ``loss_band`` ``(3, C, K)``: 10th, 50th, 90th percentile over seeds.
    """

    landscape: Landscape
    start: Array
    lr0: float
    sigma: float
    names: tuple[str, ...]
    labels: tuple[str, ...]
    schedules: tuple[Schedule, ...]
    updates: Array
    lr: Array
    result: RunResult
    paths: RunResult
    distance: Array
    distance_band: Array
    loss_band: Array

    @property
    def seeds(self) -> int:
        return self.distance.shape[0] // len(self.names)

    def final_table(self) -> dict[str, list]:
        """Per schedule: the last rate, mean and median final distance, median final loss."""
        C = len(self.names)
        d = self.distance[:, -1].reshape(C, -1)
        loss = self.result.losses[:, -1].reshape(C, -1)
        return {
            "schedule": list(self.labels),
            "final lr": self.lr[:, -1].tolist(),
            "mean final distance": d.mean(axis=1).tolist(),
            "median final distance": np.median(d, axis=1).tolist(),
            "median final loss": np.median(loss, axis=1).tolist(),
        }


def schedule_lesson(settings: ScheduleSettings) -> ScheduleLesson:
    """Run every chosen schedule with every seed in one ``optimizers.run`` call."""
    tune_allocator()
    landscape = landscapes.get(settings.landscape)
    lr0, sigma = settings.lr_sigma
    names = settings.names
    schedules = [settings.schedule(n) for n in names]
    opt = optimizers.make(settings.optimizer, lr=lr0)
    configs = [
        RunConfig(opt, schedule=s, noise=Noise(sigma, 1), label=TITLES[n])
        for n, s in zip(names, schedules, strict=True)
    ]
    start = landscapes.start_point(settings, landscape)
    C, N = len(configs), settings.seeds
    full = optimizers.run(
        landscape, configs, np.tile(start, (N, 1)), RunOptions(steps=settings.steps, record_every=1, seed=settings.seed)
    )
    paths = select_runs(full, np.arange(C) * N)
    kept = thin_steps(full, MAX_SHOWN_POINTS)
    distance = nearest(kept.positions, landscape.minima_array())[1]
    updates, lr = lr_curves(lr0, schedules, settings.steps)
    return ScheduleLesson(
        landscape,
        start,
        lr0,
        sigma,
        names,
        tuple(c.label for c in configs),
        tuple(schedules),
        updates,
        lr,
        kept,
        paths,
        distance,
        band(distance, C),
        band(kept.losses, C),
    )
