"""What a dataset is made from (``DataSpec``, every setting declared once with ``settings.hyper``)
and what it is (``Dataset``: train and test arrays, names, kind).

One feature per example: ``x`` has shape ``(n,)``, in the feature's own units (or standardized:
zero mean, unit variance over the training examples). Regression targets ``y`` are in the
target's units; classification labels are 0.0 or 1.0.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from settings import check_fields, declared, hyper

Array = np.ndarray

REGRESSION = "regression"
CLASSIFICATION = "classification"

# generated: one feature, n examples
LINE, CLASSES, TEACHER = "line", "classes", "tanh_teacher"
# bundled with scikit-learn (read from files inside the package, nothing downloaded)
DIABETES, BREAST_CANCER, IRIS = "diabetes", "breast_cancer", "iris"

# uploaded: a CSV file's text, carried by scene files (up to datasets.csv.MAX_BYTES), never by links
CSV = "csv"
REGRESSION_SOURCES = (LINE, TEACHER, DIABETES, CSV)
CLASSIFICATION_SOURCES = (CLASSES, BREAST_CANCER, IRIS, CSV)
SOURCES = (LINE, CLASSES, TEACHER, DIABETES, BREAST_CANCER, IRIS, CSV)
NO_CSV = "the uploaded CSV file is not in this link (links never carry data): upload it again, or open a scene file"
GENERATED = (LINE, CLASSES, TEACHER)
# columns of the bundled sets (checked without loading them)
FEATURE_COUNTS = {DIABETES: 10, BREAST_CANCER: 30, IRIS: 4}
IRIS_CLASSES = 3

MAX_EXAMPLES = 100_000
MAX_CSV_CHARS = 100_000  # datasets.csv.MAX_BYTES
SEED_MAX = 2**32 - 1  # the runner's seed range (optimizers.RunOptions.seed)

SOURCE_HELP = (
    "generated: line (noise, outliers), classes (two Gaussian classes), tanh_teacher (y = 2 tanh(1.5 x) + noise); "
    "bundled with scikit-learn: diabetes (regression), breast_cancer and iris (classification); "
    "csv: an uploaded file"
)


@dataclass(frozen=True)
class DataSpec:
    """A dataset by name, generator settings and seed; hashable, so it is its own cache key.

    ``n``, ``noise``, ``outliers`` and ``separable`` shape the generated sets only (the bundled
    ones use all their rows); ``feature`` and ``positive_class`` pick columns and classes of the
    bundled ones only. ``test_fraction`` of the examples (rounded down) is held out as a test set
    by a seeded shuffle; ``standardize`` rescales the feature with the training mean and spread.
    """

    source: str = hyper(LINE, choices=SOURCES, label="dataset", help=SOURCE_HELP)
    n: int = hyper(200, lo=4, hi=MAX_EXAMPLES, label="examples n", help="size of a generated dataset")
    noise: float = hyper(
        0.5, lo=0.0, hi=10.0, label="label noise", help="std of the noise added to y (line, tanh teacher)"
    )
    outliers: float = hyper(
        0.0, lo=0.0, hi=0.5, label="outlier fraction", help="share of the line's examples moved far above it"
    )
    separable: bool = hyper(True, label="separable classes", help="classes: a threshold separates them exactly")
    seed: int = hyper(0, lo=0, hi=SEED_MAX, label="data seed", help="the same seed gives the same data and split")
    feature: int = hyper(
        0, lo=0, hi=max(FEATURE_COUNTS.values()) - 1, label="feature", help="column of a bundled dataset (0-based)"
    )
    positive_class: int = hyper(
        0, lo=0, hi=IRIS_CLASSES - 1, label="positive class", help="iris: this class is 1, the others 0"
    )
    standardize: bool = hyper(False, label="standardize feature", help="zero mean, unit variance (training stats)")
    test_fraction: float = hyper(0.25, lo=0.0, hi=0.9, label="test fraction", help="share held out for testing")
    csv: str = hyper("", max_chars=MAX_CSV_CHARS, label="CSV file", help="an uploaded file's text (csv only)")
    x_column: int = hyper(0, lo=0, hi=49, label="feature column", help="CSV: the numeric column used as x")
    y_column: int = hyper(1, lo=0, hi=49, label="target column", help="CSV: the numeric column used as y")

    def __post_init__(self) -> None:
        coerce_whole(self)
        check_fields(self)
        if self.source == CSV and not self.csv:
            raise ValueError(f"Invalid dataset: {NO_CSV}")
        count = FEATURE_COUNTS.get(self.source)
        if count is not None and self.feature >= count:
            raise ValueError(f"Invalid feature: {self.feature} ({self.source} has {count} features: 0 to {count - 1})")

    @property
    def kind(self) -> str:
        """``"regression"`` or ``"classification"`` (a CSV file: classification when its target
        column holds only 0 and 1)."""
        if self.source == CSV:
            from datasets.csv import xy

            y = xy(self.csv, self.x_column, self.y_column)[1]
            return CLASSIFICATION if np.all((y == 0.0) | (y == 1.0)) else REGRESSION
        return REGRESSION if self.source in REGRESSION_SOURCES else CLASSIFICATION

    @property
    def generated(self) -> bool:
        return self.source in GENERATED


def coerce_whole(obj: object) -> None:
    """On a frozen dataclass: declared int fields given a whole float (a widget's or a link's
    ``200.0``) become ints, bool fields given 0 or 1 become bools; other values raise ``ValueError``."""
    for name, (f, _) in declared(obj).items():
        value = getattr(obj, name)
        if isinstance(f.default, bool) and not isinstance(value, bool):
            if value not in (0, 1):
                raise ValueError(f"Invalid {name}: {value!r} (must be true or false)")
            object.__setattr__(obj, name, bool(value))
        elif isinstance(f.default, int) and not isinstance(f.default, bool) and not isinstance(value, int):
            whole = isinstance(value, np.integer) or (
                isinstance(value, (float, np.floating)) and float(value).is_integer()
            )
            if not whole:
                raise ValueError(f"Invalid {name}: {value!r} (must be a whole number)")
            object.__setattr__(obj, name, int(value))


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train and test examples of one feature, read-only.

    ``x_train (n_train,)``, ``y_train (n_train,)``, ``x_test (n_test,)``, ``y_test (n_test,)``
    (``n_test`` may be 0). ``x`` is in the feature's units, or standardized when ``standardized``:
    the raw feature is ``x * x_scale + x_shift``. ``kind`` is ``"regression"`` (``y`` in the target's
    units) or ``"classification"`` (``y`` is 0.0 or 1.0; ``class_names`` name 0 and 1).
    """

    x_train: Array
    y_train: Array
    x_test: Array
    y_test: Array
    kind: str
    name: str
    feature_name: str
    target_name: str
    class_names: tuple[str, str] = ("", "")
    standardized: bool = False
    x_shift: float = 0.0
    x_scale: float = 1.0

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                arr = np.array(value, dtype=float)  # a copy: the dataset owns its arrays
                arr.flags.writeable = False
                object.__setattr__(self, f.name, arr)

    def split(self, part: str) -> tuple[Array, Array]:
        """``(x, y)`` of ``"train"`` or ``"test"``."""
        if part == "train":
            return self.x_train, self.y_train
        if part == "test":
            return self.x_test, self.y_test
        raise ValueError(f"Invalid split: {part!r} (must be train or test)")

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.x_test.shape[0])
