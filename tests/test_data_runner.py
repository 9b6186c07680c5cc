"""The runner on data landscapes: real minibatches (hand-computed SGD steps over the drawn
examples), the full batch when B >= n, per-run batches independent of the other runs, the Gaussian
noise kept for formula landscapes only."""

from __future__ import annotations

import numpy as np

import optimizers
from landscapes.data import LinearRegression
from optimizers import Noise, RunConfig
from optimizers.minibatch import minibatch_indices

LS = LinearRegression(n=40, test_fraction=0.0, seed=3)
START = np.array([[0.5, -1.0]])


def _sgd(lr: float, batch: int, sigma: float = 0.0) -> RunConfig:
    return RunConfig(optimizers.make("sgd", lr=lr), noise=Noise(sigma, batch))


def _by_hand(p: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The squared loss's gradient mean((w x + b - y) (x, 1)) over examples ``idx``."""
    x, y = LS.data
    r = p[0] * x[idx] + p[1] - y[idx]
    return np.array([np.mean(r * x[idx]), np.mean(r)])


def test_sgd_steps_follow_the_drawn_minibatches_by_hand():
    lr, B, T = 0.02, 8, 12  # 5 steps per epoch: crosses two epoch boundaries
    res = optimizers.run(LS, [_sgd(lr, B)], START, steps=T, seed=11)
    p = START[0].copy()
    for s in range(T):
        idx = minibatch_indices(40, B, np.array([11], dtype=np.uint64), np.array([0], dtype=np.uint64), s)[0]
        p = p - lr * _by_hand(p, idx)
        np.testing.assert_allclose(res.positions[0, s + 1], p, rtol=1e-12, atol=1e-14)


def test_full_batch_when_B_reaches_n_and_sigma_is_ignored():
    lr, T = 0.02, 30
    full = optimizers.run(LS, [_sgd(lr, 40, sigma=5.0), _sgd(lr, 10**6)], START, steps=T)
    p = START[0].copy()
    for _ in range(T):
        p = p - lr * _by_hand(p, np.arange(40))
    np.testing.assert_allclose(full.positions[0, -1], p, rtol=1e-12)
    np.testing.assert_array_equal(full.positions[0], full.positions[1])


def test_a_runs_batches_do_not_depend_on_the_other_runs():
    configs = [_sgd(0.02, 4), _sgd(0.05, 1), _sgd(0.02, 40)]
    together = optimizers.run(LS, configs, START, steps=25, seed=2)
    for c, cfg in enumerate(configs):
        alone = optimizers.run(LS, [cfg], START, steps=25, seed=2, stream_offset=c)
        np.testing.assert_array_equal(together.positions[c], alone.positions[0])
    again = optimizers.run(LS, configs, START, steps=25, seed=2)
    np.testing.assert_array_equal(together.positions, again.positions)
    other_seed = optimizers.run(LS, configs, START, steps=25, seed=3)
    assert not np.array_equal(together.positions[0], other_seed.positions[0])


def test_formula_landscapes_keep_the_gaussian_noise():
    import landscapes

    quad = landscapes.get("quadratic")
    noisy = optimizers.run(quad, [_sgd(0.01, 4, sigma=1.0)], START, steps=5, seed=1)
    exact = optimizers.run(quad, [_sgd(0.01, 4)], START, steps=5, seed=1)
    assert not np.allclose(noisy.positions, exact.positions)
