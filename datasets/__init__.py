"""Datasets for the data landscapes: seeded generators and the sets bundled with scikit-learn, one
feature each, split into train and test. Pure NumPy (scikit-learn only to read its bundled files).

``make_dataset(DataSpec(source="diabetes", feature=2, standardize=True))`` gives a ``Dataset``.
"""

from datasets.make import make_dataset, split_indices, standardizer
from datasets.spec import (
    CLASSIFICATION,
    CLASSIFICATION_SOURCES,
    REGRESSION,
    REGRESSION_SOURCES,
    SOURCES,
    Dataset,
    DataSpec,
)

__all__ = [
    "CLASSIFICATION",
    "CLASSIFICATION_SOURCES",
    "REGRESSION",
    "REGRESSION_SOURCES",
    "SOURCES",
    "DataSpec",
    "Dataset",
    "make_dataset",
    "split_indices",
    "standardizer",
]
