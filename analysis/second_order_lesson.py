"""Second-order methods: gradient descent vs Newton (undamped, damped, saddle-free) vs BFGS vs
conjugate gradient vs coordinate descent from one start, with what each step costs.

Every method runs in ONE ``optimizers.run`` call (one config per method, one start). The runner
counts oracle calls per run (``RunResult.evals``: value, gradient, Hessian); the gradient count
includes the start's gradient and the one at each new point. The evaluations needed to reach the
tolerance are counted exactly by running each method that reached it again for just
``hit_step`` steps.

A second, small experiment on the pure saddle ``x^2 - y^2`` shows Newton's pull toward saddles:
undamped Newton jumps to the stationary point of its quadratic model, which there is the saddle
itself, and stalls; saddle-free Newton (``|H|``) and gradient descent go downhill and escape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import landscapes
import optimizers
from landscapes.base import Landscape
from optimizers import RunConfig, RunOptions, RunResult, Status, cost
from optimizers.allocator import tune_allocator
from settings import check_fields, hyper

Array = np.ndarray

LANDSCAPES = ("rosenbrock", "ravine", "quadratic", "bounded_saddle", "saddle")
METHODS = ("gd", "newton", "damped_newton", "saddle_free", "bfgs", "cg", "coordinate")
TITLES = {
    "gd": "Gradient descent",
    "newton": "Newton",
    "damped_newton": "Damped Newton",
    "saddle_free": "Saddle-free Newton",
    "bfgs": "BFGS",
    "cg": "Conjugate gradient",
    "coordinate": "Coordinate descent",
}
SADDLE_METHODS = ("gd", "newton", "damped_newton", "saddle_free")
SADDLE_START = (-1.5, 0.3)
SADDLE_STEPS = 30
MAX_STEPS = 5000
TABLE_COLUMNS = (
    "method",
    "status",
    "steps run",
    "steps to tol",
    "final distance",
    "final loss",
    "value evals",
    "gradient evals",
    "Hessian evals",
    "gradients / step",
    "Hessians / step",
    "values / step",
    "evals to tol",
)


@dataclass(frozen=True)
class SecondOrderSettings:
    """Everything the second-order lesson computes from (the page's widgets and URL)."""

    landscape: str = hyper("rosenbrock", choices=LANDSCAPES)
    custom_start: bool = False  # else the landscape's first default start
    start_x: float = hyper(-1.5, lo=-1e3, hi=1e3, label="start x")
    start_y: float = hyper(2.0, lo=-1e3, hi=1e3, label="start y")
    steps: int = hyper(300, lo=1, hi=MAX_STEPS, label="steps")
    tol: float = hyper(1e-3, lo=1e-9, hi=1.0, log=True, label="tolerance")
    gd_lr: float = hyper(0.0, lo=0.0, hi=10.0, label="GD learning rate (0 = automatic)")
    damping: float = hyper(1.0, lo=0.0, hi=1e4, label="damping λ")
    coordinate_exact: bool = True  # coordinate descent with exact 1D Newton steps

    def __post_init__(self) -> None:
        if self.landscape not in LANDSCAPES:
            raise ValueError(f"Invalid landscape: {self.landscape!r} (choose one of {', '.join(LANDSCAPES)})")
        check_fields(self)
        work = self.work()
        cost.check(work, f"Use at most {work.max_steps():,} steps.")

    def work(self) -> cost.Work:
        """The CPU seconds of the lesson, at most: every method (every step recorded), then again up
        to where each reached the tolerance (``evals_to_tol``), and the short saddle demo."""
        configs = [method_config(n, self, 0.01) for n in METHODS]  # the learning rate costs nothing
        land, saddle = landscapes.get(self.landscape), landscapes.get("saddle")
        demo = cost.estimate(
            saddle, [method_config(n, self, 0.01) for n in SADDLE_METHODS], 1, RunOptions(SADDLE_STEPS)
        )
        runs = cost.estimate(land, configs, 1, RunOptions(steps=self.steps, record_every=1))
        return runs.times(2) + cost.Work(fixed=demo.seconds)


def auto_lr(landscape: Landscape, start: Array) -> float:
    """``1 / L`` with ``L`` the largest ``|eigenvalue|`` of the Hessian at the start and at the known
    minima: the classic safe step of gradient descent (stable wherever curvature is at most ``L``)."""
    pts = np.vstack([np.asarray(start, dtype=float).reshape(1, 2), landscape.minima_array().reshape(-1, 2)])
    with np.errstate(all="ignore"):
        eig = np.abs(np.linalg.eigvalsh(landscape.hessian(pts)))
    top = float(np.nanmax(eig)) if np.isfinite(eig).any() else 1.0
    return 1.0 / top if top > 0 else 1.0


def method_config(name: str, settings: SecondOrderSettings, gd_lr: float) -> RunConfig:
    """The run config of method ``name``."""
    if name == "gd":
        opt = optimizers.make("sgd", lr=gd_lr)
    elif name == "newton":
        opt = optimizers.make("newton")
    elif name == "damped_newton":
        opt = optimizers.make("newton", damping=settings.damping)
    elif name == "saddle_free":
        opt = optimizers.make("newton", saddle_free=True)
    elif name == "bfgs":
        opt = optimizers.make("bfgs")
    elif name == "cg":
        opt = optimizers.make("cg")
    elif name == "coordinate":
        opt = (
            optimizers.make("coordinate", lr=1.0, exact=True)
            if settings.coordinate_exact
            else optimizers.make("coordinate", lr=gd_lr)
        )
    else:
        raise ValueError(f"Invalid method: {name!r}")
    label = TITLES[name]
    if name == "gd":
        label += f" (lr {gd_lr:.3g})"
    elif name == "damped_newton":
        label += f" (λ = {settings.damping:g})"
    return RunConfig(opt, label=label)


def evals_to_tol(landscape: Landscape, configs: list[RunConfig], start: Array, hit_step: Array, tol: float) -> Array:
    """Oracle calls ``(M, 3)`` (value, gradient, Hessian) each config made until its first step within
    ``tol`` of a minimum (``hit_step``), by running it again for exactly that many steps; ``-1``
    rows for configs that never got there. Configs with equal ``hit_step`` share one run call."""
    out = np.full((len(configs), 3), -1, dtype=np.int64)
    for h in sorted({int(h) for h in hit_step if h >= 0}):
        idx = [i for i, s in enumerate(hit_step) if s == h]
        if h == 0:  # started there: only the start's gradient
            out[idx] = (0, 1, 0)
            continue
        res = optimizers.run(
            landscape, [configs[i] for i in idx], start.reshape(1, 2), RunOptions(steps=h, record_every=0, tol=tol)
        )
        out[idx] = res.evals
    return out


@dataclass(frozen=True, eq=False)
class SecondOrderLesson:
    """What the second-order page shows.

    ``result``: every method from ``start`` (``R = M`` runs, every step recorded); ``names`` the
    method keys, ``labels`` their display names; ``to_tol`` ``(M, 3)`` oracle calls to reach the
    tolerance (-1 if never); ``saddle``: GD and the Newton variants on ``x^2 - y^2`` from
    ``SADDLE_START`` (``saddle_names``, ``saddle_labels``).
    """

    landscape: Landscape
    start: Array
    gd_lr: float
    names: tuple[str, ...]
    labels: tuple[str, ...]
    result: RunResult
    to_tol: Array
    saddle_landscape: Landscape
    saddle_names: tuple[str, ...]
    saddle_labels: tuple[str, ...]
    saddle: RunResult

    def per_step(self) -> Array:
        """Average oracle calls per step made ``(M, 3)`` (value, gradient, Hessian); the start's
        gradient is not counted. NaN for a run that made no step."""
        made = self.result.status_step.astype(float)
        calls = self.result.evals.astype(float) - np.array([0.0, 1.0, 0.0])
        with np.errstate(all="ignore"):
            return np.where(made[:, None] > 0, calls / made[:, None], np.nan)

    def table(self) -> dict[str, list]:
        """The comparison table, columns ``TABLE_COLUMNS`` (NaN where a run never reached the tolerance or
        the landscape has no known minimum)."""
        r = self.result
        per = self.per_step()
        reached = self.to_tol[:, 0] >= 0
        return {
            "method": list(self.labels),
            "status": [Status(s).label for s in r.status],
            "steps run": r.status_step.tolist(),
            "steps to tol": [float(h) if h >= 0 else np.nan for h in r.hit_step],
            "final distance": [float(d) if np.isfinite(d) else np.nan for d in r.distance],
            "final loss": r.final_losses.tolist(),
            "value evals": r.evals[:, 0].tolist(),
            "gradient evals": r.evals[:, 1].tolist(),
            "Hessian evals": r.evals[:, 2].tolist(),
            "gradients / step": per[:, 1].tolist(),
            "Hessians / step": per[:, 2].tolist(),
            "values / step": per[:, 0].tolist(),
            "evals to tol": np.where(reached, self.to_tol.sum(axis=1), np.nan).tolist(),
        }

    def saddle_table(self) -> dict[str, list]:
        """Status of each saddle-demo run, its final point and distance to the saddle (0, 0)."""
        s = self.saddle
        fin = s.final_positions
        return {
            "method": list(self.saddle_labels),
            "status": [Status(v).label for v in s.status],
            "at step": s.status_step.tolist(),
            "final x": fin[:, 0].tolist(),
            "final y": fin[:, 1].tolist(),
            "distance to saddle": np.hypot(fin[:, 0], fin[:, 1]).tolist(),
        }


def second_order_lesson(settings: SecondOrderSettings) -> SecondOrderLesson:
    """Run every method (one run call), count evaluations to tolerance, and the saddle demo."""
    tune_allocator()
    landscape = landscapes.get(settings.landscape)
    start = landscapes.start_point(settings, landscape)
    gd_lr = settings.gd_lr if settings.gd_lr > 0 else auto_lr(landscape, start)
    configs = [method_config(n, settings, gd_lr) for n in METHODS]
    options = RunOptions(steps=settings.steps, record_every=1, tol=settings.tol)
    result = optimizers.run(landscape, configs, start.reshape(1, 2), options)
    to_tol = evals_to_tol(landscape, configs, start, result.hit_step, settings.tol)

    saddle = landscapes.get("saddle")
    s_start = np.array(SADDLE_START)
    s_lr = auto_lr(saddle, s_start)
    s_configs = [method_config(n, settings, s_lr) for n in SADDLE_METHODS]
    s_result = optimizers.run(saddle, s_configs, s_start.reshape(1, 2), RunOptions(steps=SADDLE_STEPS))
    return SecondOrderLesson(
        landscape,
        start,
        gd_lr,
        METHODS,
        tuple(c.label for c in configs),
        result,
        to_tol,
        saddle,
        SADDLE_METHODS,
        tuple(c.label for c in s_configs),
        s_result,
    )
