"""The browser benchmark's pages open as intended (the benchmark itself is timed, not tested)."""

from __future__ import annotations

from analysis.internals import OPTIMIZERS
from benchmarks.browser import TWELVE
from scenes import limits
from scenes.codec import from_url


def test_the_twelve_run_race_is_a_full_race_of_distinct_methods_without_warnings():
    scene, warnings = from_url(TWELVE)
    assert warnings == []
    kinds = [r.kind for r in scene.runs]
    assert len(kinds) == limits.MAX_RUNS == len(set(kinds))
    assert set(kinds) <= set(OPTIMIZERS)
