"""``make_dataset(spec)``: the dataset a ``DataSpec`` names, generated or loaded, split and
optionally standardized; cached per spec (the spec is frozen, hence hashable).

Reproducible: the generators draw from ``numpy.random.default_rng([seed, 0])`` and the split from
``default_rng([seed, 1])``, so the same spec gives the same arrays on every machine and call.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from datasets import bundled, csv, generators
from datasets.spec import CLASSES, CSV, LINE, TEACHER, Dataset, DataSpec

Array = np.ndarray

CACHE_SIZE = 32


@lru_cache(maxsize=CACHE_SIZE)
def make_dataset(spec: DataSpec) -> Dataset:
    """The dataset of ``spec``: examples shuffled by the seed, the last ``floor(test_fraction * n)``
    held out (leaving at least 2 for training), the feature standardized with the training mean and
    standard deviation when ``spec.standardize`` (a constant feature is only centred)."""
    x, y, names = _examples(spec)
    train, test = split_indices(x.shape[0], spec.test_fraction, spec.seed)
    shift, scale = 0.0, 1.0
    if spec.standardize:
        shift, scale = standardizer(x[train])
    return Dataset(
        x_train=(x[train] - shift) / scale,
        y_train=y[train],
        x_test=(x[test] - shift) / scale,
        y_test=y[test],
        kind=spec.kind,
        standardized=spec.standardize,
        x_shift=shift,
        x_scale=scale,
        **names,
    )


def _examples(spec: DataSpec) -> tuple[Array, Array, dict]:
    rng = np.random.default_rng([spec.seed, 0])
    if spec.source == LINE:
        x, y = generators.line(spec.n, spec.noise, spec.outliers, rng)
        return x, y, {"name": "Noisy line", "feature_name": "x", "target_name": "y"}
    if spec.source == CLASSES:
        x, y = generators.classes(spec.n, spec.separable, rng)
        kind = "separable" if spec.separable else "overlapping"
        names = {"name": f"Two Gaussian classes ({kind})", "feature_name": "x", "target_name": "class 1"}
        return x, y, {**names, "class_names": ("class 0", "class 1")}
    if spec.source == TEACHER:
        x, y = generators.tanh_teacher(spec.n, spec.noise, rng)
        return x, y, {"name": "tanh teacher", "feature_name": "x", "target_name": "y"}
    if spec.source == CSV:
        x, y, xname, yname = csv.xy(spec.csv, spec.x_column, spec.y_column)
        names = {"name": "Uploaded CSV", "feature_name": xname, "target_name": yname}
        return x, y, {**names, "class_names": ("0", "1")}
    b = bundled.load(spec.source, spec.feature, spec.positive_class)
    names = {"name": b.name, "feature_name": b.feature_name, "target_name": b.target_name}
    return b.x, b.y, {**names, "class_names": b.class_names}


def split_indices(n: int, test_fraction: float, seed: int) -> tuple[Array, Array]:
    """A seeded shuffle of ``range(n)`` cut into train ``(n - k,)`` and test ``(k,)`` index arrays,
    ``k = min(floor(test_fraction * n), n - 2)``."""
    order = np.random.default_rng([seed, 1]).permutation(n)
    k = max(0, min(int(np.floor(test_fraction * n)), n - 2))
    return order[: n - k], order[n - k :]


def standardizer(x: Array) -> tuple[float, float]:
    """``(mean, std)`` of ``x``; the std is 1 when ``x`` is constant (nothing to rescale)."""
    mean = float(np.mean(x))
    std = float(np.std(x))
    return mean, (std if std > 0.0 else 1.0)
