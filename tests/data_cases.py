"""Data landscapes under test, shared by the data landscape tests: each model on small generated
data and on a bundled set, with and without a penalty."""

from __future__ import annotations

import numpy as np

from landscapes.data import DataLandscape, LinearRegression, LogisticRegression, TanhNet
from optimizers.minibatch import minibatch_indices

CASES: dict[str, DataLandscape] = {
    "linear": LinearRegression(n=60),
    "linear-l2": LinearRegression(n=60, l2=0.5, standardize=True),
    "huber": LinearRegression(n=60, loss="huber", delta=0.7, outliers=0.1),
    "huber-l2-test": LinearRegression(n=60, loss="huber", delta=0.7, outliers=0.1, l2=0.2, split="test"),
    "diabetes": LinearRegression(source="diabetes", feature=2),
    "logistic": LogisticRegression(n=60, separable=False),
    "logistic-l2": LogisticRegression(n=60, l2=0.1),
    "iris-l2": LogisticRegression(source="iris", feature=3, standardize=True, l2=0.05),
    "tanh": TanhNet(n=60),
    "tanh-l2": TanhNet(n=60, l2=0.1, noise=0.2),
}
IDS = list(CASES)


def drawn_minibatches(ls: DataLandscape, runs: int, batch: int, seed: int, step: int) -> tuple[np.ndarray, ...]:
    """Points ``(runs, 2)`` in the view, each run's minibatch ``(runs, batch)`` at ``step`` and the
    landscape's minibatch gradients there ``(runs, 2)``."""
    P = points_in(ls, (runs,), seed=seed)
    idx = minibatch_indices(ls.data[0].size, batch, np.full(runs, seed), np.arange(runs), step)
    return P, idx, ls.minibatch_grad(P, idx)


def points_in(ls: DataLandscape, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Random points of shape ``shape + (2,)`` uniformly in the landscape's window."""
    w = ls.window
    rng = np.random.default_rng(seed)
    return np.stack([rng.uniform(w.xmin, w.xmax, shape), rng.uniform(w.ymin, w.ymax, shape)], axis=-1)
