"""The Network lab's datasets, generated or bundled (nothing is downloaded), split and standardized.

- ``sine``: ``y = sin(x) + noise * e``, ``x ~ U(-3, 3)``, ``e ~ N(0, 1)`` (1D regression);
- ``moons``, ``circles``, ``blobs``: scikit-learn's generators (2 features, 2 or 3 classes);
- ``spirals``: two interleaved spirals; ``xor``: the four quadrants (``x0 * x1 > 0``), label noise
  as a share of flipped labels;
- ``digits``: scikit-learn's bundled 8x8 handwritten digits (64 features, 10 classes).

Inputs are standardized with the training set's mean and spread (per feature; constant pixels
stay 0). ``n`` is the number of examples before the split (digits: at most the 1,797 it has).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn import datasets as skd

Array = np.ndarray
DATASETS = ("sine", "moons", "circles", "spirals", "xor", "blobs", "digits")
DIGITS_N = 1797


@dataclass(frozen=True, eq=False)
class NetData:
    """Train and test examples: ``x (n, d_in)``; ``y (n, 1)`` floats (regression) or ``(n,)`` labels."""

    name: str
    task: str
    x_train: Array
    y_train: Array
    x_test: Array
    y_test: Array
    n_out: int  # outputs of the network: 1 for regression, the number of classes otherwise

    @property
    def d_in(self) -> int:
        return int(self.x_train.shape[1])


def _examples(name: str, n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    rs = int(rng.integers(2**31 - 1))
    if name == "sine":
        x = rng.uniform(-3.0, 3.0, (n, 1))
        return x, np.sin(x) + noise * rng.standard_normal((n, 1))
    if name == "moons":
        return skd.make_moons(n, noise=noise, random_state=rs)
    if name == "circles":
        return skd.make_circles(n, noise=noise, factor=0.5, random_state=rs)
    if name == "blobs":
        return skd.make_blobs(n, centers=3, cluster_std=1.0 + 4.0 * noise, random_state=rs)
    if name == "spirals":
        t = np.sqrt(rng.uniform(0.0, 1.0, n)) * 3.0 * np.pi
        label = rng.integers(0, 2, n)
        angle = t + np.pi * label
        x = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1) / (3.0 * np.pi)
        return x + noise * rng.standard_normal((n, 2)), label
    if name == "xor":
        x = rng.uniform(-1.0, 1.0, (n, 2))
        label = (x[:, 0] * x[:, 1] > 0).astype(int)
        flip = rng.uniform(size=n) < min(noise, 0.5)
        return x, np.where(flip, 1 - label, label)
    if name == "digits":
        d = skd.load_digits()
        keep = rng.permutation(DIGITS_N)[: min(n, DIGITS_N)]
        return d.data[keep].astype(float), d.target[keep]
    raise ValueError(f"Invalid dataset: {name!r} (choose one of {', '.join(DATASETS)})")


def make_data(name: str, n: int, noise: float, test_fraction: float, seed: int) -> NetData:
    """``n`` examples of ``name`` (noise as described above), ``test_fraction`` of them held out."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"Invalid test fraction: {test_fraction} (must be in (0, 1))")
    rng = np.random.default_rng(seed)
    x, y = _examples(name, int(n), float(noise), rng)
    x = np.asarray(x, dtype=float)
    m = len(x)
    n_test = min(max(round(test_fraction * m), 1), m - 2)
    order = rng.permutation(m)
    test, train = order[:n_test], order[n_test:]
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    std = np.where(std > 0, std, 1.0)
    x = (x - mean) / std
    if name == "sine":
        return NetData(name, "regression", x[train], y[train], x[test], y[test], 1)
    y = np.asarray(y, dtype=np.int64)
    classes = {"blobs": 3, "digits": 10}.get(name, 2)
    return NetData(name, "classification", x[train], y[train], x[test], y[test], classes)
