"""Refactors must not change numbers: every preset's and every golden link's run arrays equal those
recorded before the settings refactor (``tests/data/golden_runs.npz``).

Integer arrays (statuses, steps, evaluation counts) and where runs are NaN (diverged) must match
exactly; floats to a relative 1e-5 (of max(1, |value|)). Not bit for bit: NumPy picks its SIMD kernels
(exp, tanh, sums) by the CPU (AVX2, AVX-512, ...), which changes last bits, and over hundreds of steps
sign-based and quasi-Newton runs grow those to about 1e-6 (measured: recorded on one CI machine,
compared on an AVX-512 one). A changed rule or order of operations that matters moves far more."""

import numpy as np
import pytest

from tests.golden_scenes import FIELDS, GOLDEN, golden_scenes, run_arrays

SCENES = golden_scenes()


@pytest.fixture(scope="module")
def golden():
    with np.load(GOLDEN) as data:
        return {k: data[k] for k in data.files}


def test_every_golden_scene_is_recorded(golden):
    recorded = {k.split("/")[0] for k in golden}
    assert recorded == set(SCENES)


@pytest.mark.parametrize("name", sorted(SCENES))
def test_run_arrays_match_the_recorded_ones(golden, name):
    arrays = run_arrays(SCENES[name])
    for field in FIELDS:
        expected = golden[f"{name}/{field}"]
        got = arrays[field]
        assert got.shape == expected.shape and got.dtype == expected.dtype, field
        if expected.dtype.kind != "f":
            np.testing.assert_array_equal(got, expected, err_msg=f"{name}: {field}", strict=True)
            continue
        np.testing.assert_array_equal(np.isnan(got), np.isnan(expected), err_msg=f"{name}: {field} NaN")
        scale = np.maximum(1.0, np.abs(np.nan_to_num(expected, nan=0.0, posinf=0.0, neginf=0.0)))
        np.testing.assert_array_equal(np.isinf(got), np.isinf(expected), err_msg=f"{name}: {field} inf")
        finite = np.isfinite(expected)
        err = np.abs(got[finite] - expected[finite]) / scale[finite]
        assert err.size == 0 or err.max() <= 1e-5, (name, field, float(err.max()))
