"""Runs computed in pieces: configs at their places in a scene (``config_slots``), a result split
per config, and the page's run cache, which computes only the configs it lacks, all in one call,
and gives exactly the scene computed whole."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import landscapes
import optimizers
from landscapes.data import LinearRegression
from optimizers import Noise, RunConfig, RunOptions
from scenes import Scene, spec

NOISY = [
    RunConfig(optimizers.make("sgd", lr=0.01), noise=Noise(0.5, 4)),
    RunConfig(optimizers.make("adam", lr=0.05), noise=Noise(0.5, 4)),
    RunConfig(optimizers.make("momentum", lr=0.005), noise=Noise(0.5, 4)),
    RunConfig(optimizers.make("sgd", lr=0.02), noise=Noise(0.5, 4)),
]
STARTS = np.array([[-1.0, 1.5], [0.5, -0.5]])
OPTS = RunOptions(steps=30, seed=4)
ARRAYS = optimizers.RunResult.per_run_arrays()
RUN = optimizers.run  # the runner itself (the fixture below replaces it with a counting one)


def _assert_same(a: optimizers.RunResult, b: optimizers.RunResult) -> None:
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.labels == b.labels and a.kinds == b.kinds and a.titles == b.titles


@pytest.mark.parametrize(
    "land", [landscapes.get("rosenbrock"), LinearRegression(n=40, test_fraction=0.0, seed=3)], ids=["noise", "data"]
)
def test_configs_at_their_slots_draw_the_whole_scenes_numbers(land):
    whole = optimizers.run(land, NOISY, STARTS, OPTS)
    pieces = optimizers.split_configs(whole)
    part = optimizers.run(land, [NOISY[1], NOISY[3]], STARTS, OPTS, config_slots=[1, 3])
    got = optimizers.split_configs(part)
    _assert_same(got[0], pieces[1])
    _assert_same(got[1], pieces[3])
    # without the slots the same configs draw other numbers (the check is not vacuous)
    moved = optimizers.run(land, [NOISY[1], NOISY[3]], STARTS, OPTS)
    assert not np.array_equal(moved.positions, part.positions)


def test_split_configs_undoes_concat_results():
    whole = optimizers.run(landscapes.get("rosenbrock"), NOISY, STARTS, OPTS)
    pieces = optimizers.split_configs(whole)
    assert [p.labels for p in pieces] == [(c.name,) for c in NOISY]
    assert all(p.positions.shape == (2, 31, 2) and set(p.config_index) == {0} for p in pieces)
    _assert_same(optimizers.concat_results(pieces), whole)


def test_config_slots_are_checked():
    with pytest.raises(ValueError, match="one slot per config"):
        optimizers.run(landscapes.get("rosenbrock"), NOISY[:2], STARTS, OPTS, config_slots=[0])


@pytest.fixture
def counted_runs(monkeypatch):
    """The page's compute module with a fresh run cache, recording the configs of every run call."""
    from ui import compute

    calls: list[tuple[int, ...]] = []

    def run(landscape, configs, starts, options, *, config_slots=None):
        calls.append(tuple(config_slots))
        return RUN(landscape, configs, starts, options, config_slots=config_slots)

    monkeypatch.setattr(compute, "run_cache", lambda cache=compute.RunCache(): cache)
    monkeypatch.setattr(compute.optimizers, "run", run)
    return compute, calls


def _scene(lrs: list[float]) -> Scene:
    kinds = ["sgd", "momentum", "adam", "rmsprop"]
    runs = tuple(spec(k, lr=lr) for k, lr in zip(kinds, lrs, strict=True))
    return Scene(runs=runs, steps=40, seed=2, noise_sigma=0.3, batch_size=4)  # noisy: the streams matter


def _whole(scene: Scene) -> optimizers.RunResult:
    return RUN(scene.landscape_obj(), scene.run_configs(), scene.starts_array(), scene.options())


def test_the_page_runs_the_missing_configs_together_and_only_those(counted_runs):
    compute, calls = counted_runs
    first = _scene([0.001, 0.0005, 0.05, 0.01])
    _assert_same(compute.simulate(first), _whole(first))
    assert calls == [(0, 1, 2, 3)]  # nothing cached: one call for all four
    _assert_same(compute.simulate(first), _whole(first))
    assert calls == [(0, 1, 2, 3)]  # all cached: no call
    second = _scene([0.001, 0.0005, 0.02, 0.01])  # one learning rate changed
    _assert_same(compute.simulate(second), _whole(second))
    assert calls == [(0, 1, 2, 3), (2,)]
    moved = dataclasses.replace(second, starts=((0.5, 0.5),))  # a new start: every config is new
    _assert_same(compute.simulate(moved), _whole(moved))
    assert calls[-1] == (0, 1, 2, 3)


def test_the_run_cache_keeps_the_most_recently_used():
    from ui.compute import RunCache

    cache = RunCache(max_entries=2)
    a, b, c = (optimizers.run(landscapes.get("rosenbrock"), [cfg], STARTS, OPTS) for cfg in NOISY[:3])
    cache.put("a", a)
    cache.put("b", b)
    assert cache.get("a") is a  # "a" used: "b" is now the oldest
    cache.put("c", c)
    assert cache.get("b") is None and cache.get("a") is a and cache.get("c") is c
