"""Datasets: every source builds, is reproducible from its seed and cached per spec; the split and
the standardization; the generators' promises (separable classes, outliers, the teacher); bad
settings refused; the bundled sets read from scikit-learn's files, nothing downloaded."""

from __future__ import annotations

import ast
import dataclasses
import socket
from pathlib import Path

import numpy as np
import pytest

import optimizers
from datasets import CLASSIFICATION, REGRESSION, SOURCES, DataSpec, make_dataset, split_indices
from datasets.generators import TEACHER_V, TEACHER_W
from datasets.spec import FEATURE_COUNTS
from settings import declared, spec_for

ROOT = Path(__file__).resolve().parent.parent


CSV_TEXT = "x,label\n" + "".join(f"{i / 4},{int(i % 3 == 0)}\n" for i in range(40))


@pytest.mark.parametrize("source", SOURCES)
def test_every_source_builds_with_its_kind_and_shapes(source):
    extra = {"csv": CSV_TEXT} if source == "csv" else {}
    d = make_dataset(DataSpec(source=source, n=40, **extra))
    assert d.kind == DataSpec(source=source, **extra).kind
    assert d.x_train.shape == d.y_train.shape and d.x_test.shape == d.y_test.shape
    assert d.n_train >= 2 and d.n_test >= 1
    assert np.all(np.isfinite(d.x_train)) and np.all(np.isfinite(d.y_train))
    if d.kind == CLASSIFICATION:
        assert set(np.unique(np.concatenate([d.y_train, d.y_test]))) == {0.0, 1.0}
        assert all(d.class_names)
    else:
        assert d.kind == REGRESSION
    assert d.name and d.feature_name and d.target_name


def test_a_csv_dataset_needs_its_file_and_is_split_like_the_others():
    with pytest.raises(ValueError, match="not in this link"):
        DataSpec(source="csv")
    d = make_dataset(DataSpec(source="csv", csv=CSV_TEXT, test_fraction=0.25, seed=3))
    assert (d.n_train, d.n_test) == (30, 10) and d.kind == CLASSIFICATION
    train, _ = split_indices(40, 0.25, 3)
    np.testing.assert_array_equal(d.x_train, np.arange(40)[train] / 4)
    assert (d.feature_name, d.target_name) == ("x", "label")


def test_reproducible_from_the_seed_and_cached_per_spec():
    spec = DataSpec(source="line", n=50, outliers=0.1, seed=7)
    first = make_dataset(spec)
    assert make_dataset(DataSpec(source="line", n=50, outliers=0.1, seed=7)) is first  # an equal spec: the cache
    make_dataset.cache_clear()
    again = make_dataset(spec)
    assert again is not first
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(again, name), getattr(first, name))
    other = make_dataset(dataclasses.replace(spec, seed=8))
    assert not np.array_equal(other.x_train, first.x_train)


def test_the_arrays_are_read_only():
    d = make_dataset(DataSpec())
    with pytest.raises(ValueError):
        d.x_train[0] = 1.0


def test_the_split_is_seeded_disjoint_and_complete():
    train, test = split_indices(100, 0.25, seed=3)
    assert (train.size, test.size) == (75, 25)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(100))
    np.testing.assert_array_equal(split_indices(100, 0.25, seed=3)[1], test)
    assert not np.array_equal(split_indices(100, 0.25, seed=4)[1], test)
    assert split_indices(10, 0.9, seed=0)[0].size == 2  # at least two training examples
    d = make_dataset(DataSpec(n=30, test_fraction=0.0))
    assert d.n_train == 30 and d.n_test == 0


def test_standardize_uses_the_training_statistics():
    raw = make_dataset(DataSpec(source="line", n=80))
    std = make_dataset(DataSpec(source="line", n=80, standardize=True))
    assert std.standardized and not raw.standardized
    assert abs(std.x_train.mean()) < 1e-12 and abs(std.x_train.std() - 1.0) < 1e-12
    np.testing.assert_allclose(std.x_train * std.x_scale + std.x_shift, raw.x_train, rtol=1e-12)
    np.testing.assert_allclose(std.x_test * std.x_scale + std.x_shift, raw.x_test, rtol=1e-12)
    np.testing.assert_array_equal(std.y_test, raw.y_test)


def test_separable_classes_are_separated_by_a_threshold_and_overlapping_ones_are_not():
    for seed in range(5):
        sep = make_dataset(DataSpec(source="classes", n=400, separable=True, seed=seed, test_fraction=0.0))
        assert sep.x_train[sep.y_train == 0].max() < 1.0 < sep.x_train[sep.y_train == 1].min()
        over = make_dataset(DataSpec(source="classes", n=400, separable=False, seed=seed, test_fraction=0.0))
        assert over.x_train[over.y_train == 0].max() > over.x_train[over.y_train == 1].min()
        assert over.y_train.sum() == 200


def test_the_line_has_its_outliers_and_the_teacher_its_curve():
    spec = DataSpec(source="line", n=200, noise=0.0, outliers=0.1, test_fraction=0.0)
    d = make_dataset(spec)
    residual = d.y_train - (0.8 * d.x_train - 2.0)
    assert np.sum(residual > 5.0) == 20 and np.sum(np.abs(residual) < 1e-12) == 180
    t = make_dataset(DataSpec(source="tanh_teacher", n=50, noise=0.0, test_fraction=0.0))
    np.testing.assert_allclose(t.y_train, TEACHER_V * np.tanh(TEACHER_W * t.x_train), rtol=1e-15)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"source": "mnist"},
        {"source": "iris", "feature": 4},
        {"source": "diabetes", "feature": 10},
        {"n": 3},
        {"n": 20.5},
        {"test_fraction": 0.95},
        {"noise": -1.0},
        {"outliers": float("nan")},
        {"separable": 2},
        {"positive_class": 3},
    ],
)
def test_bad_settings_are_refused_with_the_setting_named(kwargs):
    with pytest.raises(ValueError, match="Invalid"):
        DataSpec(**kwargs)


def test_whole_numbers_from_links_and_widgets_become_ints():
    spec = DataSpec(n=200.0, seed=np.int64(3), standardize=1)
    assert spec == DataSpec(n=200, seed=3, standardize=True)
    assert type(spec.n) is int and type(spec.seed) is int and spec.standardize is True


def test_every_setting_is_declared_and_the_seed_range_is_the_runners():
    assert set(declared(DataSpec)) == {f.name for f in dataclasses.fields(DataSpec)}
    assert spec_for(DataSpec, "seed").hi == spec_for(optimizers.RunOptions, "seed").hi


@pytest.mark.parametrize("source", sorted(FEATURE_COUNTS))
def test_bundled_sets_are_read_from_files_with_the_network_off(source, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a bundled dataset tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    make_dataset.cache_clear()
    last = FEATURE_COUNTS[source] - 1
    d = make_dataset(DataSpec(source=source, feature=last))
    assert d.n_train + d.n_test == {"diabetes": 442, "breast_cancer": 569, "iris": 150}[source]


def test_only_bundled_loaders_are_used():
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "datasets").glob("*.py"))
    assert "fetch_" not in text and "urlopen" not in text and "requests" not in text


def test_the_data_core_never_imports_streamlit_or_plotly():
    files = [*(ROOT / "datasets").glob("*.py"), *(ROOT / "landscapes" / "data").glob("*.py")]
    files.append(ROOT / "optimizers" / "minibatch.py")
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not names & {"streamlit", "plotly"}, path
