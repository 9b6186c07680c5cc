"""What a run will cost before it starts: an upper bound on the CPU seconds of ``optimizers.run`` on
this machine, so a page can refuse or cut work that a shared server cannot afford.

The estimate counts, per step of each vectorized group of ``n`` runs (the runner's groups: one per
optimizer kind and flags):

- the runner's and the update's own NumPy calls: ``STEP[kind]`` (a fixed cost plus a cost per run);
- the runner's one gradient per step, plus what the kind asks of the landscape in the worst case
  (``step_evals``): a line search (BFGS, conjugate gradient) may try up to ``2 + REFITS +
  MAX_HALVINGS`` step lengths, each one value evaluation plus bookkeeping (``TRIAL``); Newton and
  exact coordinate descent one Hessian; an L-BFGS step up to ``max_eval + 1`` closure calls (a
  value and a gradient each; ``max_iter`` without line search), and up to ``max_iter`` iterations
  of a two-loop recursion over ``history_size`` pairs (``LBFGS_ITER``, ``LBFGS_SLOT``), with
  ``WOLFE_TRIAL`` more per strong-Wolfe trial;
- gradient noise (``NOISE``), or on a data landscape real minibatches (``landscapes.cost.MINIBATCH``
  per run and drawn example), and the recorded steps (``RECORD``, plus the losses of every recorded
  point, evaluated once at the end).

Landscape evaluations cost what ``landscapes.cost`` says (a constant per built-in class, measured
once for a typed formula). The runner's constants were measured with ``python -m benchmarks.cost
--calibrate`` on the project's 2-core machine and rounded up; ``python -m benchmarks.cost``
prints estimates next to measured times. The worst case is the bound: a line search on a kinked
formula or under heavy noise does try every step length, every step.

The budget is declared once here: ``PAGE_BUDGET`` CPU seconds for one rerun of any page, of which
the optimizer runs may take ``WORK_BUDGET`` as estimated; ``optimizers.guard`` stops a run that
goes past ``PAGE_BUDGET`` anyway.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from landscapes.cost import Eval, EvalCost, eval_cost, minibatch_seconds
from landscapes.protocol import LandscapeLike
from optimizers.base import OptimizerConfig, stack_configs
from optimizers.lbfgs import LBFGS
from optimizers.runner import RunConfig, RunOptions
from optimizers.second_order import BFGS, MAX_HALVINGS, REFITS, ConjugateGradient, CoordinateDescent, Newton, Polyak


class Overhead(NamedTuple):
    """Seconds of the runner's own work per step: ``call + n * (point + varied if varied)``."""

    call: float
    point: float
    varied: float

    def seconds(self, n: int, varied: bool) -> float:
        return self.call + n * (self.point + (self.varied if varied else 0.0))

    def __add__(self, other: Overhead) -> Overhead:  # type: ignore[override]
        return Overhead(self.call + other.call, self.point + other.point, self.varied + other.varied)


PAGE_BUDGET = 5.0  # CPU seconds one rerun of any page may use on a shared server (issue 11)
OTHER_WORK = 1.5  # of which grids, figures and the rest of a page take at most (python -m benchmarks.cost)
WORK_BUDGET = PAGE_BUDGET - OTHER_WORK  # what one rerun's optimizer runs may be estimated at

# The runner's own cost per step of a group of n runs: call + n * point seconds, plus n * varied
# when the runs' hyperparameters differ (a sweep: every update then broadcasts (n, 1) columns).
STEP_DEFAULT = Overhead(50e-6, 30e-9, 120e-9)  # first-order (measured 23-34 us, 7-27 ns, +80-100 ns)
STEP: dict[type, Overhead] = {
    BFGS: Overhead(100e-6, 400e-9, 150e-9),  # 2x2 inverse-Hessian updates (84 us, 267-400 ns, +60 ns)
    ConjugateGradient: Overhead(100e-6, 90e-9, 200e-9),  # (74 us, 55-70 ns, +145 ns)
    Newton: Overhead(40e-6, 70e-9, 100e-9),  # 2x2 solves (22 us, 44-66 ns, +80 ns)
}
# L-BFGS, measured on the shared 2-core machine under load (python -m benchmarks.cost shows estimates
# against the clock): an inner iteration besides its pairs and evaluations (~130-180 us, ~0.5 us per
# run), a history pair of the two-loop recursion (~9 us, 34-110 ns per run), a strong-Wolfe trial's
# bookkeeping besides TRIAL and its evaluation (~150 us per trial in all)
LBFGS_ITER = Overhead(150e-6, 500e-9, 100e-9)
LBFGS_SLOT = Overhead(10e-6, 110e-9, 20e-9)
WOLFE_TRIAL = Overhead(120e-6, 260e-9, 0.0)
POLYAK = Overhead(15e-6, 35e-9, 40e-9)  # averaging on top of the inner method (9 us, 21 ns)
NOISE = Eval(70e-6, 90e-9)  # the counter-based normals of noisy gradients (35-50 us, 57 ns)
TRIAL = Eval(30e-6, 40e-9)  # one line-search trial besides its value evaluation (18-21 us, 24-27 ns)
RECORD = 100e-9  # per recorded point: stacking the record, gradient norms, first hits
GROUP = 300e-6  # per group and call: stacking configs, schedules, bookkeeping
# A run computed in a call of its own pays a line search's fixed per-call costs alone. Measured on an
# AMD EPYC CI machine (2026-12-03), when the race computed each config on its own: 12 BFGS runs under
# heavy noise, 228 steps, 4.04 s where 3.50 s was estimated, and more inside a Streamlit script
# thread; a line search's runs are priced this many times their estimate.
ONE_RUN_LINE_SEARCH = 1.6


@dataclass(frozen=True)
class StepEvals:
    """Landscape evaluations per step per run, worst case, besides the runner's own gradient."""

    values: int = 0  # each with a line-search trial's bookkeeping
    hessians: int = 0
    grads: int = 0  # besides the runner's one


def _most(value: object) -> int:
    """The largest entry of a scalar or ``(n, 1)`` hyperparameter, as an int."""
    return int(np.max(np.asarray(value)))


def lbfgs_calls(config: LBFGS) -> int:
    """Closure calls (a value and a gradient each) one L-BFGS step may make, at most: a strong-Wolfe
    search may overrun ``max_eval`` by one; a fixed step evaluates once per iteration but the last."""
    most_eval = _most(config.max_evals())
    if config.line_search_fn == "strong_wolfe":
        return most_eval + 1
    return max(min(_most(config.max_iter), most_eval), 1)


def step_evals(config: OptimizerConfig) -> StepEvals:
    """What one step of ``config``'s kind may ask of the landscape, at most (of a stacked config:
    of its costliest run)."""
    if isinstance(config, Polyak):
        return step_evals(config.inner)
    if isinstance(config, LBFGS):
        calls = lbfgs_calls(config)
        return StepEvals(values=calls, grads=calls - 1)  # the first gradient is the runner's
    if isinstance(config, (BFGS, ConjugateGradient)):
        # the value at the start point (when not kept from the last search), the first trial,
        # the quadratic refits of a refined search, then the halvings
        return StepEvals(values=2 + (REFITS if config.refine else 0) + MAX_HALVINGS)
    if isinstance(config, Newton) or (isinstance(config, CoordinateDescent) and config.exact):
        return StepEvals(hessians=1)
    return StepEvals()


def _scaled(overhead: Overhead, k: float) -> Overhead:
    return Overhead(*(k * x for x in overhead))


def _step_overhead(config: OptimizerConfig) -> Overhead:
    if isinstance(config, Polyak):
        inner = _step_overhead(config.inner)
        return Overhead(*(a + b for a, b in zip(inner, POLYAK, strict=True)))
    if isinstance(config, LBFGS):
        per_iter = LBFGS_ITER + _scaled(LBFGS_SLOT, _most(config.history_size))
        out = _scaled(per_iter, _most(config.max_iter))
        if config.line_search_fn == "strong_wolfe":
            out = out + _scaled(WOLFE_TRIAL, lbfgs_calls(config))
        return out
    return STEP.get(type(config), STEP_DEFAULT)


def step_seconds(cost: EvalCost, config: OptimizerConfig, n: int, noisy: bool, varied: bool = False) -> float:
    """Seconds of one step of a group of ``n`` runs of ``config``'s kind, at most (``varied``: the
    runs' hyperparameters differ)."""
    ev = step_evals(config)
    out = _step_overhead(config).seconds(n, varied) + cost.grad.seconds(n)
    out += ev.values * (TRIAL.seconds(n) + cost.value.seconds(n)) + ev.hessians * cost.hessian.seconds(n)
    out += ev.grads * cost.grad.seconds(n)
    if noisy:
        out += NOISE.seconds(n)
    return out


@dataclass(frozen=True)
class Work:
    """Estimated CPU seconds of some runs: ``per_step * steps + fixed``."""

    per_step: float = 0.0
    fixed: float = 0.0
    steps: int = 0

    @property
    def seconds(self) -> float:
        return self.per_step * self.steps + self.fixed

    def __add__(self, other: Work) -> Work:
        """Runs made one after the other (their steps may differ: the sum keeps the seconds)."""
        if self.steps == other.steps or not (self.per_step and other.per_step):
            return Work(self.per_step + other.per_step, self.fixed + other.fixed, max(self.steps, other.steps))
        return Work(0.0, self.seconds + other.seconds, 0)

    def times(self, k: float) -> Work:
        return Work(self.per_step * k, self.fixed * k, self.steps)

    def max_steps(self, budget: float | None = None) -> int:
        """The most steps these runs can make within ``budget`` (``WORK_BUDGET``); 0 if none."""
        budget = WORK_BUDGET if budget is None else budget
        if self.per_step <= 0:
            return self.steps if self.fixed <= budget else 0
        return max(math.floor((budget - self.fixed) / self.per_step), 0)

    @property
    def affordable(self) -> bool:
        return self.seconds <= WORK_BUDGET


def estimate(
    landscape: LandscapeLike, configs: Sequence[RunConfig], starts: int | np.ndarray, options: RunOptions
) -> Work:
    """The CPU seconds ``optimizers.run(landscape, configs, starts, options)`` may take, at most.

    ``starts`` is the start array or just how many starts there are (a 256 x 256 grid need not be
    built to be priced)."""
    S = int(starts) if np.isscalar(starts) else int(np.asarray(starts).reshape(-1, 2).shape[0])
    groups: dict[tuple, tuple[list[OptimizerConfig], bool, tuple[int, ...]]] = {}
    for rc in configs:
        key = rc.optimizer.group_key()
        cfgs, noisy, batches = groups.get(key, ([], False, ()))
        groups[key] = ([*cfgs, rc.optimizer], noisy or rc.noise.std > 0, (*batches, rc.noise.batch_size))
    out = Work()
    for cfgs, noisy, batches in groups.values():
        # stacked, so a kind whose cost depends on numbers (L-BFGS's history) is priced at its costliest run
        config = stack_configs(cfgs) if len(cfgs) > 1 else cfgs[0]
        out = out + estimate_group(landscape, config, len(cfgs) * S, options, noisy, varied=len(cfgs) > 1)
        # real minibatches on a data landscape: one call per distinct batch size, per step
        mb = sum(minibatch_seconds(landscape, S * batches.count(b), b) for b in set(batches))
        out = out + Work(mb, 0.0, options.steps)
    return out


def estimate_race(
    landscape: LandscapeLike, configs: Sequence[RunConfig], starts: int | np.ndarray, options: RunOptions
) -> Work:
    """``estimate`` for the race: the configs its cache lacks are computed in one call (all of them for
    a new scene), so each kind's runs advance as one group, but one run may also be computed alone
    (after its learning rate changed): a line search's runs (BFGS, conjugate gradient) are priced
    ``ONE_RUN_LINE_SEARCH`` times higher, which bounds that run alone too."""
    work = estimate(landscape, configs, starts, options)
    searching = [rc for rc in configs if _line_search(rc.optimizer)]
    if not searching:
        return work
    return work + estimate(landscape, searching, starts, options).times(ONE_RUN_LINE_SEARCH - 1)


def _line_search(config: OptimizerConfig) -> bool:
    """Whether ``config`` (or the method a Polyak average wraps) searches along a line each step."""
    rule = config.inner if isinstance(config, Polyak) else config
    return isinstance(rule, (BFGS, ConjugateGradient))


def estimate_group(
    landscape: LandscapeLike,
    config: OptimizerConfig,
    n: int,
    options: RunOptions,
    noisy: bool = False,
    varied: bool = False,
) -> Work:
    """The CPU seconds of ``n`` runs of ``config``'s kind advancing as one vectorized group (a basin
    map's starts; with ``varied`` hyperparameters, a sweep's cells), at most."""
    cost = eval_cost(landscape)
    per_step = step_seconds(cost, config, n, noisy, varied)
    if options.record_every:  # every k-th step kept, the losses of all evaluated at the end
        per_step += n * (RECORD + cost.value.point) / options.record_every
    # setup, the start's gradient, the start and final points recorded
    fixed = GROUP + cost.grad.seconds(n) + cost.value.seconds(2 * n) + 2 * n * RECORD
    return Work(per_step, fixed, options.steps)


class WorkProblem(str):
    """A problem message saying that some settings are too much work (a reader may cut a count to
    fit instead of refusing a value)."""


class TooMuchWorkError(ValueError):
    """Settings refused because computing them would take more than the budget."""


def too_much(work: Work, advice: str) -> WorkProblem:
    """The message for work over the budget, with ``advice`` (what to reduce)."""
    return WorkProblem(
        f"Too much work for one page: about {work.seconds:,.1f} s of computing, where one page may use "
        f"{WORK_BUDGET:g} s on a shared server. {advice}"
    )


def problems(work: Work, advice: str) -> list[str]:
    """``[too_much(work, advice)]`` when ``work`` is over the budget, else ``[]``."""
    return [] if work.affordable else [too_much(work, advice)]


def check(work: Work, advice: str) -> None:
    """Raise ``TooMuchWorkError`` when ``work`` is over the budget (for a settings class's checks)."""
    if not work.affordable:
        raise TooMuchWorkError(too_much(work, advice))


__all__ = [
    "OTHER_WORK",
    "PAGE_BUDGET",
    "WORK_BUDGET",
    "StepEvals",
    "TooMuchWorkError",
    "Work",
    "WorkProblem",
    "check",
    "estimate",
    "estimate_group",
    "problems",
    "step_evals",
    "step_seconds",
    "too_much",
]
