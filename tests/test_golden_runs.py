"""Refactors must not change numbers: every preset's and every golden link's run arrays equal,
bit for bit, those recorded before the settings refactor (``tests/data/golden_runs.npz``)."""

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
def test_run_arrays_bit_identical(golden, name):
    arrays = run_arrays(SCENES[name])
    for field in FIELDS:
        expected = golden[f"{name}/{field}"]
        got = arrays[field]
        assert got.shape == expected.shape, field
        # NaN (a diverged run) equals NaN here, as it should for a bit-for-bit check
        np.testing.assert_array_equal(got, expected, err_msg=f"{name}: {field}", strict=True)
