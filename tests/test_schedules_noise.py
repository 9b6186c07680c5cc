"""Learning-rate schedules against ``torch.optim.lr_scheduler``; gradient noise: determinism,
independence, moments, ``sigma / sqrt(B)`` through the runner, and reproducibility of runs."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as lrs

import landscapes
import optimizers
from landscapes.base import Landscape, Window
from optimizers import Noise, RunConfig, RunOptions, RunResult, make_schedule
from optimizers.first_order import SGD, Adam
from optimizers.noise import noisy_gradient, standard_normal

LR0 = 0.1
N = 240  # schedule steps compared


def torch_lrs(make_scheduler, n: int = N, lr0: float = LR0) -> np.ndarray:
    """The learning rate torch uses for each of ``n`` optimizer steps (read before the step)."""
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=lr0)
    sched = make_scheduler(opt)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SequentialLR's deprecation chatter is not ours
        for _ in range(n):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    return np.array(out)


def ours(n: int = N, **kw) -> np.ndarray:
    return LR0 * np.asarray(make_schedule(**kw).factor(np.arange(n)))


def warm(after, w=15, start=0.2):
    """torch: LinearLR warm-up for ``w`` steps, then ``after`` (which starts at its own step 0)."""
    return lambda o: lrs.SequentialLR(
        o, [lrs.LinearLR(o, start_factor=start, end_factor=1.0, total_iters=w), after(o)], milestones=[w]
    )


CASES = {
    "constant": (dict(kind="constant"), lambda o: lrs.LambdaLR(o, lambda k: 1.0)),
    "step": (dict(kind="step", gamma=0.7, step_size=25), lambda o: lrs.StepLR(o, step_size=25, gamma=0.7)),
    "exponential": (dict(kind="exponential", gamma=0.98), lambda o: lrs.ExponentialLR(o, gamma=0.98)),
    "inverse_time": (
        dict(kind="inverse_time", decay=0.05),
        lambda o: lrs.LambdaLR(o, lambda k: 1.0 / (1.0 + 0.05 * k)),
    ),
    "cosine": (
        dict(kind="cosine", total=N - 1, min_factor=0.05),
        lambda o: lrs.CosineAnnealingLR(o, T_max=N - 1, eta_min=0.05 * LR0),
    ),
    "warmup": (
        dict(kind="constant", warmup=30, warmup_start=0.1),
        lambda o: lrs.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=30),
    ),
    "warmup_step": (
        dict(kind="step", gamma=0.5, step_size=40, warmup=15, warmup_start=0.2),
        warm(lambda o: lrs.StepLR(o, step_size=40, gamma=0.5)),
    ),
    "warmup_exponential": (
        dict(kind="exponential", gamma=0.97, warmup=15, warmup_start=0.2),
        warm(lambda o: lrs.ExponentialLR(o, gamma=0.97)),
    ),
    "warmup_cosine": (
        dict(kind="cosine", total=N - 16, min_factor=0.1, warmup=15, warmup_start=0.2),
        warm(lambda o: lrs.CosineAnnealingLR(o, T_max=N - 16, eta_min=0.1 * LR0)),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_schedule_matches_torch(name):
    kw, make = CASES[name]
    np.testing.assert_allclose(ours(**kw), torch_lrs(make), rtol=1e-12, atol=1e-15)


def test_cosine_holds_eta_min_after_total():
    # torch's CosineAnnealingLR climbs back up after T_max; ours stays at the floor
    f = make_schedule(kind="cosine", total=50, min_factor=0.2).factor(np.arange(50, 120))
    np.testing.assert_allclose(f, 0.2)


def test_factor_scalar_and_callable():
    s = make_schedule(kind="exponential", gamma=0.5)
    assert isinstance(s.factor(3), float) and s(3) == s.factor(3) == 0.125


def test_unknown_schedule_kind_raises_listing_the_known_ones():
    with pytest.raises(KeyError, match=r"linear.*cosine"):
        make_schedule("linear")


@pytest.mark.parametrize(
    "kw",
    [
        dict(kind="step", gamma=0.0),
        dict(kind="exponential", gamma=1.5),
        dict(kind="step", gamma=float("nan")),
        dict(kind="step", step_size=0),
        dict(kind="inverse_time", decay=-0.1),
        dict(kind="cosine", total=0),
        dict(kind="cosine", min_factor=1.5),
        dict(kind="cosine", min_factor=-0.1),
        dict(kind="constant", warmup=-1),
        dict(kind="step", warmup_start=2.0),
        dict(kind="cosine", gamma=0.5),  # a field of another kind
    ],
)
def test_invalid_schedule_raises(kw):
    with pytest.raises(ValueError, match="Invalid"):
        make_schedule(**kw)


# --- noise -------------------------------------------------------------------------------------
def test_noise_is_a_pure_function_of_seed_stream_and_step():
    seeds = np.full(5, 42, dtype=np.uint64)
    streams = np.arange(5)
    a = standard_normal(seeds, streams, 7)
    np.testing.assert_array_equal(a, standard_normal(seeds, streams, 7))
    assert a.shape == (5, 2)
    assert not np.any(a == standard_normal(seeds, streams, 8))
    assert not np.any(a == standard_normal(seeds + np.uint64(1), streams, 7))
    # a row's numbers depend only on its own (seed, stream), not on its neighbours
    np.testing.assert_array_equal(standard_normal(seeds[:1], streams[3:4], 7), a[3:4])


def test_noise_moments_and_shape_over_100k_draws():
    n = 100_000
    z = standard_normal(np.zeros(n, dtype=np.uint64), np.arange(n), 1).ravel()  # 200k numbers
    se = 1.0 / np.sqrt(z.size)
    assert abs(z.mean()) < 5 * se
    assert abs(z.std() - 1.0) < 5 / np.sqrt(2 * z.size)  # the sample std has standard error 1/sqrt(2n)
    assert abs(np.mean(np.abs(z) < 1.0) - 0.6826894921) < 0.005  # Gaussian, not just unit variance
    assert abs(np.mean(z**4) - 3.0) < 0.1  # kurtosis


def test_streams_steps_seeds_and_coordinates_are_uncorrelated():
    n = 50_000
    bound = 5 / np.sqrt(n)  # |r| of independent samples is ~ 1/sqrt(n)
    s0 = np.zeros(n, dtype=np.uint64)
    base = standard_normal(s0, np.arange(n), 3)
    others = {
        "next stream": standard_normal(s0, np.arange(n) + 1, 3),
        "next step": standard_normal(s0, np.arange(n), 4),
        "next seed": standard_normal(s0 + np.uint64(1), np.arange(n), 3),
    }
    for name, other in others.items():
        for i in range(2):
            r = np.corrcoef(base[:, i], other[:, i])[0, 1]
            assert abs(r) < bound, (name, r)
    assert abs(np.corrcoef(base[:, 0], base[:, 1])[0, 1]) < bound
    # one stream over many steps: no lag-1 correlation
    path = np.array([standard_normal(np.zeros(1, dtype=np.uint64), np.array([9]), t)[0, 0] for t in range(5000)])
    assert abs(np.corrcoef(path[:-1], path[1:])[0, 1]) < 5 / np.sqrt(path.size)


def test_noisy_gradient_adds_std_times_standard_normal():
    g = np.arange(8.0).reshape(4, 2)
    std = np.array([[0.0], [1.0], [0.5], [2.0]])
    seeds, streams = np.full(4, 3, dtype=np.uint64), np.arange(4)
    z = standard_normal(seeds, streams, 11)
    np.testing.assert_array_equal(noisy_gradient(g, std, seeds, streams, 11), g + std * z)
    assert Noise(sigma=2.0, batch_size=16).std == pytest.approx(0.5)
    assert Noise().std == 0.0
    with pytest.raises(ValueError, match="batch size"):
        Noise(sigma=1.0, batch_size=0)
    with pytest.raises(ValueError, match="sigma"):
        Noise(sigma=-1.0)


@dataclass(frozen=True)
class Flat(Landscape):
    """``f = 0``: every move of SGD with ``lr = 1`` is exactly minus the gradient noise."""

    key = ""
    default_window = Window(-100.0, 100.0, -100.0, 100.0)

    def value(self, p):
        return np.zeros(p.shape[:-1])

    def grad(self, p):
        return np.zeros(p.shape)

    def hessian(self, p):
        return np.zeros((*p.shape, 2))


@pytest.mark.parametrize(("sigma", "batch"), [(1.0, 1), (2.0, 4), (3.0, 25)])
def test_runner_noise_std_is_sigma_over_sqrt_batch(sigma, batch):
    S, T = 2000, 20
    res = optimizers.run(
        Flat(),
        [RunConfig(SGD(lr=1.0), noise=Noise(sigma=sigma, batch_size=batch))],
        np.zeros((S, 2)),
        RunOptions(steps=T, grad_tol=0.0, tol=0.0),
    )
    moves = np.diff(res.positions, axis=1).ravel()  # 80k draws of -noise
    expect = sigma / np.sqrt(batch)
    assert abs(moves.std() / expect - 1.0) < 0.02
    assert abs(moves.mean()) < 5 * expect / np.sqrt(moves.size)


ROSEN = landscapes.get("rosenbrock")
STARTS = np.array([[-1.5, 2.0], [1.5, -0.5], [0.0, 0.0]])


def noisy(lr=1e-3, sigma=5.0, batch=2, label=""):
    return RunConfig(SGD(lr=lr), noise=Noise(sigma=sigma, batch_size=batch), label=label)


def test_a_runs_noise_does_not_depend_on_its_neighbours():
    opts = RunOptions(steps=60, seed=5)
    alone = optimizers.run(ROSEN, [noisy()], STARTS, opts)
    # same run indices 0..S-1; other runs (same group with another lr, another kind, noise-free) join
    crowd = [
        noisy(),
        noisy(lr=5e-4, sigma=1.0),
        RunConfig(Adam(lr=0.01), noise=Noise(sigma=3.0)),
        RunConfig(SGD(lr=1e-3)),
    ]
    together = optimizers.run(ROSEN, crowd, STARTS, opts)
    S = STARTS.shape[0]
    np.testing.assert_array_equal(together.positions[:S], alone.positions)
    np.testing.assert_array_equal(together.losses[:S], alone.losses)
    np.testing.assert_array_equal(together.status[:S], alone.status)


def test_same_seed_same_result_other_seed_other_result():
    cfgs = [noisy(), RunConfig(Adam(lr=0.02), noise=Noise(sigma=2.0))]
    a = optimizers.run(ROSEN, cfgs, STARTS, RunOptions(steps=80, seed=11))
    b = optimizers.run(ROSEN, cfgs, STARTS, RunOptions(steps=80, seed=11))
    c = optimizers.run(ROSEN, cfgs, STARTS, RunOptions(steps=80, seed=12))
    for name in ("steps", *RunResult.per_run_arrays()):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.labels == b.labels and a.kinds == b.kinds
    assert not np.any(a.positions[:, 1:] == c.positions[:, 1:])


def test_noise_free_runs_ignore_the_seed():
    a = optimizers.run(ROSEN, [RunConfig(SGD(lr=1e-3))], STARTS, RunOptions(steps=30, seed=1))
    b = optimizers.run(ROSEN, [RunConfig(SGD(lr=1e-3))], STARTS, RunOptions(steps=30, seed=2))
    np.testing.assert_array_equal(a.positions, b.positions)
