"""L-BFGS against ``torch.optim.LBFGS`` (with and without ``line_search_fn="strong_wolfe"``): each
step is one ``opt.step(closure)`` of many evaluations; our runs are vectorized, torch gets one
optimizer per run (it flattens all its parameters into one vector). Paths agree to 1e-9 relative
over 100 steps (up to 2,000 inner iterations), with the chaotic-run allowance of the first-order
twin tests; the runner's evaluation counts match torch's ``func_evals``; a run's path does not
depend on which runs share the call."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

import optimizers
from optimizers import Oracle, RunConfig, RunOptions, cost
from optimizers.base import stack_configs
from optimizers.lbfgs import LBFGS, cubic_interpolate
from tests.test_torch_twins import RTOL, assert_close, get_landscape, relative_error, starts_of

STEPS = 100


pytestmark = pytest.mark.usefixtures("float64_torch")  # conftest.py


def torch_kwargs(cfg: LBFGS) -> dict:
    kw = cfg.to_dict()
    kw["max_eval"] = int(kw["max_eval"]) or None
    kw["max_iter"], kw["history_size"] = int(kw["max_iter"]), int(kw["history_size"])
    kw["line_search_fn"] = None if kw["line_search_fn"] == "none" else kw["line_search_fn"]
    return kw


def torch_paths(cfg: LBFGS, land, starts: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """torch's points ``(S, steps + 1, 2)`` and closure calls ``(S,)``, one optimizer per run."""
    paths, evals = [], []
    for s in starts:
        p = torch.tensor(s, requires_grad=True)
        opt = torch.optim.LBFGS([p], **torch_kwargs(cfg))

        def closure(p=p):
            x = p.detach().numpy()[None].copy()
            p.grad = torch.from_numpy(land.grad(x)[0].copy())
            return torch.tensor(float(land.value(x)[0]))

        path = [s.copy()]
        for _ in range(steps):
            opt.step(closure)
            path.append(p.detach().numpy().copy())
        paths.append(np.stack(path))
        evals.append(opt.state[p]["func_evals"])
    return np.stack(paths), np.array(evals)


def our_paths(cfg, land, starts: np.ndarray, steps: int) -> np.ndarray:
    P, state, oracle = starts.copy(), cfg.init(starts), Oracle(land)
    out = [P]
    for _ in range(steps):
        P, state = cfg.update(land.grad(P), state, P, oracle=oracle)
        out.append(P)
    return np.stack(out, axis=1)


SETTINGS = {
    "rosenbrock": [
        {"lr": 1e-4, "max_iter": 5, "history_size": 7},
        {"lr": 0.02, "max_iter": 2, "history_size": 3},
        {"line_search_fn": "strong_wolfe"},
        {"line_search_fn": "strong_wolfe", "max_iter": 5, "history_size": 3},
        {"line_search_fn": "strong_wolfe", "max_iter": 4, "max_eval": 6, "lr": 0.3},
    ],
    "himmelblau": [
        {"lr": 0.1, "history_size": 10},
        {"line_search_fn": "strong_wolfe", "history_size": 3, "max_iter": 5},
    ],
    "tilted-quadratic": [
        {"lr": 0.05, "max_iter": 7, "history_size": 6},
        {"line_search_fn": "strong_wolfe", "max_iter": 2},
    ],
    "beale": [
        {"lr": 0.003, "max_iter": 3, "history_size": 2},
        {"line_search_fn": "strong_wolfe", "lr": 0.01, "max_iter": 4},
    ],
}
CASES = [(name, i) for name, hps in SETTINGS.items() for i in range(len(hps))]


@functools.cache
def case(name: str, i: int):
    cfg = LBFGS(**SETTINGS[name][i])
    land, starts = get_landscape(name), starts_of(name)
    theirs, evals = torch_paths(cfg, land, starts, STEPS)
    return cfg, theirs, evals


@pytest.mark.parametrize(("name", "i"), CASES)
def test_paths_match_torch(name, i):
    cfg, theirs, _ = case(name, i)
    land, starts = get_landscape(name), starts_of(name)
    ours = our_paths(cfg, land, starts, STEPS)
    assert np.abs(theirs[:, -1] - theirs[:, 0]).max() > 0.1, "runs barely move, a weak test"
    nudged = our_paths(cfg, land, starts * (1.0 + 1e-15 * np.array([1.0, -1.0])), STEPS)
    tol = np.maximum(RTOL, 100.0 * relative_error(nudged, ours).max(axis=(1, 2)))
    assert (tol <= 1e-6).mean() >= 0.5, "most runs must be well conditioned"
    assert_close(ours, theirs, f"{cfg} on {name}", rtol=tol)


def test_the_runner_follows_the_update_and_counts_torchs_evaluations():
    """The runner's paths are the plain update loop's (tested against torch above), runs of one
    stacked group included; with one run per group, its gradient count is torch's closure calls
    plus the runner's own gradient at the last point."""
    name = "rosenbrock"
    land, starts = get_landscape(name), starts_of(name)
    opts = RunOptions(steps=STEPS, grad_tol=0.0, step_tol=0.0)
    for i in (1, 3):
        cfg, _, evals = case(name, i)
        res = optimizers.run(land, [RunConfig(cfg)], starts[:1], opts)
        np.testing.assert_array_equal(res.positions, our_paths(cfg, land, starts[:1], STEPS))
        assert res.evals[0, 1] == evals[0] + 1
        assert res.evals[0, 0] <= evals[0]  # values: at most one per closure call (some are reused)
    cfgs = [LBFGS(**SETTINGS[name][i]) for i in (2, 3)]  # same flags: one stacked group
    res = optimizers.run(land, [RunConfig(c) for c in cfgs], starts, opts)
    for k, cfg in enumerate(cfgs):
        ours = our_paths(cfg, land, starts, STEPS)
        np.testing.assert_array_equal(res.positions[k * len(starts) : (k + 1) * len(starts)], ours)


def test_a_run_does_not_depend_on_its_neighbours():
    land = get_landscape("himmelblau")
    hps = [{"history_size": 3.0, "max_iter": 5.0}, {"history_size": 100.0, "max_iter": 20.0}, {"lr": 0.5}]
    for ls in ("none", "strong_wolfe"):
        cfgs = [LBFGS(line_search_fn=ls, **({"lr": 0.05} | hp)) for hp in hps]
        starts = starts_of("himmelblau")[:3]
        together = our_paths(stack_configs(cfgs), land, starts, 30)
        for k, cfg in enumerate(cfgs):
            alone = our_paths(cfg, land, starts[k : k + 1], 30)
            np.testing.assert_array_equal(together[k : k + 1], alone)


def test_update_does_not_mutate_its_inputs():
    land, starts = get_landscape("rosenbrock"), starts_of("rosenbrock")
    cfg = LBFGS(line_search_fn="strong_wolfe", max_iter=3)
    oracle = Oracle(land)
    P, state = starts.copy(), cfg.init(starts)
    P, state = cfg.update(land.grad(P), state, P, oracle=oracle)
    G = land.grad(P)
    copies = G.copy(), P.copy(), [np.array(x, copy=True) for x in state]
    cfg.update(G, state, P, oracle=oracle)
    np.testing.assert_array_equal(G, copies[0])
    np.testing.assert_array_equal(P, copies[1])
    for a, b in zip(state, copies[2], strict=True):
        np.testing.assert_array_equal(a, b)


def test_cubic_interpolation_finds_a_cubics_minimizer():
    """f(x) = x^3 - 3x has its local minimum at 1; given values and slopes at 0 and 2."""
    f, g = (lambda x: x**3 - 3 * x), (lambda x: 3 * x**2 - 3)
    x1, x2 = np.array([0.0]), np.array([2.0])
    np.testing.assert_allclose(cubic_interpolate(x1, f(x1), g(x1), x2, f(x2), g(x2)), [1.0], rtol=1e-14)
    np.testing.assert_allclose(cubic_interpolate(x2, f(x2), g(x2), x1, f(x1), g(x1)), [1.0], rtol=1e-14)
    # no minimum (secant slope 1, both slopes 2: the cubic only rises): the middle of the bounds
    lo, hi = np.array([0.5]), np.array([3.5])
    mid = cubic_interpolate(x1, np.array([0.0]), np.array([2.0]), x2, np.array([2.0]), np.array([2.0]), lo, hi)
    assert mid[0] == 2.0
    # a minimum outside the bounds is clipped to them
    clipped = cubic_interpolate(x1, f(x1), g(x1), x2, f(x2), g(x2), np.array([1.5]), np.array([4.0]))
    assert clipped[0] == 1.5


def test_cost_prices_every_evaluation_an_lbfgs_step_may_make():
    # a fixed step: the first closure call and one after each of 20 iterations but the last
    assert cost.step_evals(LBFGS()) == cost.StepEvals(values=20, grads=19)
    # strong Wolfe: max_eval = 20 * 5 // 4 calls, and a search may overrun it by one
    assert cost.step_evals(LBFGS(line_search_fn="strong_wolfe")) == cost.StepEvals(values=26, grads=25)
    # the bound holds on runs that never converge (tiny steps on Rosenbrock), per run and step
    land, starts = get_landscape("rosenbrock"), starts_of("rosenbrock")
    for cfg in (LBFGS(lr=1e-5, max_iter=7), LBFGS(lr=1e-5, line_search_fn="strong_wolfe", max_eval=9)):
        res = optimizers.run(land, [RunConfig(cfg)], starts[:1], RunOptions(steps=20, grad_tol=0.0, step_tol=0.0))
        ev = cost.step_evals(cfg)
        assert res.evals[0, 0] <= 20 * ev.values and res.evals[0, 1] <= 20 * (ev.grads + 1) + 1
        assert res.evals[0, 1] >= 20 * (ev.grads + 1) // 2  # and is not far above what happens
    cheap = cost.estimate(land, [RunConfig(optimizers.make("sgd"))], 1, RunOptions(steps=100)).seconds
    dear = cost.estimate(land, [RunConfig(LBFGS())], 1, RunOptions(steps=100)).seconds
    assert dear > 10 * cheap


def test_torch_keyword_arguments_build_torchs_lbfgs_with_the_same_settings():
    """What ``export.torch_script`` passes to torch: 0 and "none" become torch's None."""
    cfg = LBFGS(line_search_fn="strong_wolfe", max_iter=7, history_size=9, lr=0.5)
    group = torch.optim.LBFGS([torch.zeros(2, requires_grad=True)], **cfg.torch_kwargs()).param_groups[0]
    assert (group["max_iter"], group["max_eval"], group["history_size"]) == (7, 7 * 5 // 4, 9)
    assert group["line_search_fn"] == "strong_wolfe" and group["lr"] == 0.5
    assert LBFGS().torch_kwargs()["line_search_fn"] is None


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="Invalid line search"):
        LBFGS(line_search_fn="wolfe")
    with pytest.raises(ValueError, match="Invalid iterations per step: 0"):
        LBFGS(max_iter=0)
    with pytest.raises(ValueError, match="needs an oracle"):
        LBFGS().update(np.zeros((1, 2)), LBFGS().init(np.zeros((1, 2))), np.zeros((1, 2)))


class Quadratic7:
    """``f = 1/2 sum_i c_i (p_i - 0.5)^2`` in 7 dimensions, ``c`` from 1 to 50: a network-sized point."""

    c = np.geomspace(1.0, 50.0, 7)

    def value(self, p: np.ndarray) -> np.ndarray:
        return 0.5 * np.sum(self.c * (p - 0.5) ** 2, axis=-1)

    def grad(self, p: np.ndarray) -> np.ndarray:
        return self.c * (p - 0.5)


@pytest.mark.parametrize("hp", [{"lr": 0.01, "history_size": 4}, {"line_search_fn": "strong_wolfe", "max_iter": 3}])
def test_n_by_d_parameters_match_torch(hp):
    """Runs of D = 7 parameters (as ``netlab`` uses the optimizers) follow torch's LBFGS too."""
    land, cfg = Quadratic7(), LBFGS(**hp)
    starts = np.random.default_rng(5).normal(size=(3, 7))
    theirs, _ = torch_paths(cfg, land, starts, 15)
    ours = our_paths(cfg, land, starts, 15)
    assert np.abs(theirs[:, -1] - theirs[:, 0]).max() > 0.1
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
