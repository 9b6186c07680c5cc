"""The real datasets bundled with scikit-learn, one feature chosen by index.

Only ``sklearn.datasets.load_*`` functions are used: they read files shipped inside the
scikit-learn package, so nothing is downloaded. scikit-learn is imported on first use (about a
second), not when this module is imported.

- ``diabetes``: 442 patients, 10 features in their own units (``scaled=False``: age in years, BMI
  in kg/m^2, ...); target: disease progression one year later (a score, about 25 to 346).
- ``breast_cancer``: 569 tumours, 30 features; label 1 = benign, 0 = malignant.
- ``iris``: 150 flowers, 4 features in cm; label 1 = the chosen species, 0 = the other two.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from datasets.spec import BREAST_CANCER, DIABETES, IRIS

Array = np.ndarray


@dataclass(frozen=True)
class Bundled:
    """One feature of a bundled dataset: ``x (n,)`` and ``y (n,)`` with their names."""

    x: Array
    y: Array
    name: str
    feature_name: str
    target_name: str
    class_names: tuple[str, str] = ("", "")


NAMES = {
    DIABETES: "Diabetes (scikit-learn)",
    BREAST_CANCER: "Breast cancer (scikit-learn)",
    IRIS: "Iris (scikit-learn)",
}


def load(source: str, feature: int, positive_class: int = 0) -> Bundled:
    """Column ``feature`` of bundled dataset ``source`` and its target (iris: ``positive_class`` vs the rest)."""
    from sklearn import datasets as sk  # about a second to import: only when used

    if source == DIABETES:
        b = sk.load_diabetes(scaled=False)
        y, target, classes = b.target, "disease progression", ("", "")
    elif source == BREAST_CANCER:
        b = sk.load_breast_cancer()
        y, target, classes = b.target, "benign", (str(b.target_names[0]), str(b.target_names[1]))
    elif source == IRIS:
        b = sk.load_iris()
        positive = str(b.target_names[positive_class])
        y, target, classes = b.target == positive_class, positive, ("other", positive)
    else:
        raise ValueError(f"Invalid dataset: {source!r} (not a bundled dataset)")
    x = np.asarray(b.data[:, feature], dtype=float)
    return Bundled(x, np.asarray(y, dtype=float), NAMES[source], str(b.feature_names[feature]), target, classes)


@lru_cache(maxsize=8)
def feature_names(source: str) -> tuple[str, ...]:
    """The names of bundled dataset ``source``'s features, by column (loads the set once)."""
    from sklearn import datasets as sk

    loaders = {DIABETES: sk.load_diabetes, BREAST_CANCER: sk.load_breast_cancer, IRIS: sk.load_iris}
    if source not in loaders:
        raise ValueError(f"Invalid dataset: {source!r} (not a bundled dataset)")
    return tuple(str(f) for f in loaders[source]().feature_names)


@lru_cache(maxsize=8)
def class_names(source: str) -> tuple[str, ...]:
    """The class names of a bundled classification set (empty for regression)."""
    from sklearn import datasets as sk

    if source == IRIS:
        return tuple(str(c) for c in sk.load_iris().target_names)
    if source == BREAST_CANCER:
        return tuple(str(c) for c in sk.load_breast_cancer().target_names)
    return ()
