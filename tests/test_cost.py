"""The work estimate (``optimizers.cost``, ``landscapes.cost``) and the runner's checkpoints
(``optimizers.guard``): what a run may cost is known before it starts, and a run can be abandoned
between steps. Timings themselves are compared in ``python -m benchmarks.cost``."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import landscapes
import optimizers
from landscapes.cost import BUILTIN, eval_cost, is_data, measure
from optimizers import Noise, RunConfig, RunOptions, cost, guard
from optimizers.second_order import MAX_HALVINGS, REFITS

KINKED = "abs(x) + abs(y) + 0.1*max(x, y)"  # line searches try every step length on it
HEAVY = "sin(x*y)*exp(cos(x + y)) + tanh(x - y)*cos(x*y)"  # about 30 times x**2 + y**2 per point


def work(kind: str = "sgd", runs: int = 1, starts: int = 1, steps: int = 100, sigma: float = 0.0, land=None, **hp):
    land = land or landscapes.get("rosenbrock")
    configs = [RunConfig(optimizers.make(kind, **hp), noise=Noise(sigma, 1))] * runs
    return cost.estimate(land, configs, starts, RunOptions(steps=steps))


def test_every_builtin_landscape_has_a_constant_cost_and_a_typed_formula_is_measured():
    formulas = {n for n in landscapes.builtin_names() if not is_data(landscapes.landscape_class(n))}
    assert set(BUILTIN) == formulas  # data landscapes: priced per example (tests/test_data_runner.py)
    rosen = landscapes.get("rosenbrock")
    assert eval_cost(rosen) is BUILTIN["rosenbrock"]  # the same numbers every time
    cheap = eval_cost(landscapes.get("custom", formula="x**2 + y**2"))
    heavy = eval_cost(landscapes.get("custom", formula=HEAVY))
    assert heavy.grad.point > 5 * cheap.grad.point  # transcendental functions vs two squares
    assert eval_cost(landscapes.get("custom", formula=HEAVY)) is heavy  # measured once, cached


def test_measure_reports_calls_and_points_that_are_nonnegative_and_finite():
    c = measure(landscapes.get("himmelblau"), n=64)
    for e in c:
        assert np.isfinite(e.call) and e.call > 0 and np.isfinite(e.point) and e.point >= 0


def test_a_line_search_may_try_every_step_length_each_step():
    assert cost.step_evals(optimizers.make("bfgs")).values == 2 + MAX_HALVINGS
    assert cost.step_evals(optimizers.make("bfgs", refine=True)).values == 2 + REFITS + MAX_HALVINGS
    assert cost.step_evals(optimizers.make("cg")).values == 2 + REFITS + MAX_HALVINGS  # refined by default
    assert cost.step_evals(optimizers.make("newton")).hessians == 1
    assert cost.step_evals(optimizers.make("coordinate", exact=True)).hessians == 1
    assert cost.step_evals(optimizers.make("coordinate")) == cost.StepEvals()
    assert cost.step_evals(optimizers.make("polyak", inner="bfgs")) == cost.step_evals(optimizers.make("bfgs"))
    assert cost.step_evals(optimizers.make("adam")) == cost.StepEvals()


def test_the_estimate_grows_with_what_costs():
    base = work().seconds
    assert work(steps=1000).seconds > 5 * base
    assert work(runs=12).seconds > base and work(starts=8).seconds > base
    assert work("bfgs").seconds > 10 * base  # up to 32 value evaluations a step
    assert work(sigma=10.0).seconds > base  # the noise's normals
    assert work("newton").seconds > base
    heavy = landscapes.get("custom", formula=HEAVY)
    assert work(land=heavy, starts=4096).seconds > 1.5 * work(starts=4096).seconds


def test_the_issue_link_is_over_budget_and_max_steps_is_the_exact_cut():
    # /?v=1&run=bfgs (x12)&steps=5000&noise=1000:1 as the race computes it: the twelve runs in one call
    land = landscapes.get("rosenbrock")
    configs = [RunConfig(optimizers.make("bfgs"), noise=Noise(1000.0, 1))] * 12
    total = cost.estimate_race(land, configs, 1, RunOptions(steps=5000))
    assert total.seconds > 2 * cost.WORK_BUDGET
    n = total.max_steps()
    assert 1 <= n < 5000
    at = cost.Work(total.per_step, total.fixed, n)
    assert at.affordable and not cost.Work(total.per_step, total.fixed, n + 1).affordable
    (message,) = cost.problems(total, "Use fewer steps.")
    assert "about" in message and f"{cost.WORK_BUDGET:g} s" in message and "Use fewer steps." in message
    assert cost.problems(at, "") == []


def test_the_race_prices_a_kind_as_one_group_and_a_line_search_alone_too():
    """The race computes the configs it lacks in one call: twelve BFGS runs advance as one group
    (far less than twelve calls), yet the price still covers one of them computed alone, a line
    search's fixed per-call costs included (``ONE_RUN_LINE_SEARCH``); a kind without a line search
    is priced as ``estimate`` prices it."""
    land, options = landscapes.get("rosenbrock"), RunOptions(steps=500)
    bfgs = RunConfig(optimizers.make("bfgs"), noise=Noise(1000.0, 1))
    one = cost.estimate(land, [bfgs], 1, options).seconds
    twelve = cost.estimate_race(land, [bfgs] * 12, 1, options).seconds
    assert cost.ONE_RUN_LINE_SEARCH * one <= twelve < 12 * one
    adam = [RunConfig(optimizers.make("adam"))] * 3
    assert cost.estimate_race(land, adam, 1, options) == cost.estimate(land, adam, 1, options)


def test_works_with_different_steps_add_up_as_seconds():
    a, b = work(steps=100), work(steps=300)
    assert (a + b).seconds == pytest.approx(a.seconds + b.seconds)
    assert (a + a).max_steps() == pytest.approx(a.max_steps() / 2, rel=1e-3)
    assert a.times(2).seconds == pytest.approx(2 * a.seconds)


def test_the_budget_is_declared_once_and_leaves_room_for_the_rest_of_a_page():
    assert cost.WORK_BUDGET == cost.PAGE_BUDGET - cost.OTHER_WORK > 0
    assert cost.PAGE_BUDGET == 5.0  # issue 11: at most 5 s of CPU per scene, link or control change


# --- abandoning a run -------------------------------------------------------------------------
def _run(steps: int = 1000, kind: str = "sgd"):
    return optimizers.run(
        landscapes.get("rosenbrock"),
        [RunConfig(optimizers.make(kind, lr=1e-4))],
        [[-1.5, 2.0]],
        RunOptions(steps=steps, record_every=0, grad_tol=0.0, step_tol=0.0),
    )


def test_without_a_check_the_runner_is_unchanged():
    guard.checkpoint()  # nothing installed: nothing happens
    assert _run(100).steps[-1] == 100


def test_a_check_that_raises_abandons_the_run_within_a_few_steps():
    calls = []

    class GoneError(Exception):
        pass

    def check():
        calls.append(1)
        if len(calls) == 3:
            raise GoneError

    with guard.watching(check), pytest.raises(GoneError):
        _run(10**6)
    assert len(calls) == 3  # stopped at the third checkpoint: 3 * CHECK_EVERY steps, not a million
    guard.checkpoint()  # the block ended: the check is gone


def test_a_cpu_limit_stops_a_run_that_would_take_minutes():
    with guard.watching(guard.cpu_limit(0.05, "The race")), pytest.raises(guard.WorkLimitError) as err:
        _run(10**5)  # about 3 s without the limit
    assert "The race was stopped after" in str(err.value) and "fewer steps" in str(err.value)


def test_a_check_belongs_to_the_thread_that_installed_it():
    seen = []

    def other():
        guard.checkpoint()  # a fresh thread: no check, even while the main thread has one
        seen.append(_run(50).steps[-1])

    def fail():
        raise AssertionError("the other thread's work was checked")

    with guard.watching(fail):
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen == [50]


def test_the_guard_is_the_page_budget_on_a_server_and_scaled_only_when_asked(monkeypatch):
    from ui.compute import GUARD_SCALE_ENV, guard_scale

    monkeypatch.delenv(GUARD_SCALE_ENV, raising=False)
    assert guard_scale() == 1.0  # a server: exactly the budget
    for value, scale in (("2", 2.0), ("0.1", 1.0), ("nonsense", 1.0)):  # never below the budget
        monkeypatch.setenv(GUARD_SCALE_ENV, value)
        assert guard_scale() == scale
