"""The declaration layer: Spec ranges, the one check / clamp policy, the generic registry, and what a
declaration buys (a new schedule kind or scene setting works everywhere from its declaration)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pytest

import optimizers
from optimizers import SCHEDULES, Schedule
from scenes import Scene
from scenes.codec import from_json, from_url, scene_url, to_json
from settings import Registry, Spec, UnknownNameError, check, check_fields, clamp, clamp_warn, hyper, same_as, spec_for
from tests.app_support import run_page


def test_open_and_closed_bounds():
    s = Spec(lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    assert not s.contains(0.0) and s.contains(5e-324) and s.contains(0.5) and not s.contains(1.0)
    assert not s.contains(math.nan) and not s.contains(math.inf)
    lo, hi = s.closed()
    assert 0.0 < lo < 1e-9 and 1.0 - 1e-5 < hi < 1.0 and s.contains(lo) and s.contains(hi)
    assert s.range_text() == "(0, 1)" and Spec(lo=1, hi=5000).range_text() == "[1, 5000]"


def test_check_refuses_out_of_range_numbers_and_arrays_naming_the_setting():
    s = Spec(lo=0.0, hi=10.0, label="learning rate")
    check("lr", 10.0, s)
    check("lr", np.array([[0.0], [3.0]]), s)
    for bad in (-1.0, 10.5, math.nan, np.array([[1.0], [11.0]])):
        with pytest.raises(ValueError, match=r"Invalid learning rate: .*lr must be in \[0, 10\]"):
            check("lr", bad, s)
    with pytest.raises(ValueError, match=r"Invalid kind: 'c' \(kind must be one of a, b\)"):
        check("kind", "c", Spec(choices=("a", "b")))


def test_clamp_keeps_valid_values_and_moves_the_rest_inside():
    s = Spec(lo=0.0, hi=1.0, lo_open=True)
    assert clamp(0.25, s) == 0.25 and clamp(1e-300, s) == 1e-300  # valid values are never moved
    assert clamp(-3.0, s) == s.closed()[0] > 0.0 and clamp(7.0, s) == 1.0
    assert clamp(math.nan, s) == s.closed()[0]
    ints = Spec(lo=1, hi=5000)
    assert clamp(99999, ints, integer=True) == 5000 and clamp(-2.7, ints, integer=True) == 1
    assert clamp(2.6, ints, integer=True) == 3 and isinstance(clamp(2.6, ints, integer=True), int)
    assert clamp(0.6, Spec(lo=0.5, hi=3), integer=True) == 1  # rounding stays inside the range


def test_clamp_warn_says_what_it_changed_only():
    warn: list[str] = []
    assert clamp_warn(3.0, Spec(lo=0, hi=5), "steps", warn) == 3.0 and warn == []
    assert clamp_warn(1e9, Spec(lo=0, hi=5), "steps", warn) == 5 and len(warn) == 1
    assert "steps" in warn[0] and "1000000000" in warn[0] and "5" in warn[0]


def test_declared_fields_are_checked_and_can_be_reused():
    @dataclass(frozen=True)
    class Owner:
        rate: float = hyper(0.5, lo=0.0, hi=1.0, label="rate", help="a fraction")
        kind: str = hyper("a", choices=("a", "b"))

        def __post_init__(self) -> None:
            check_fields(self)

    @dataclass(frozen=True)
    class Reuser:
        rate: float = same_as(Owner, "rate", default=0.25, label="my rate")

    Owner(rate=1.0, kind="b")
    with pytest.raises(ValueError, match="rate"):
        Owner(rate=1.5)
    with pytest.raises(ValueError, match="kind"):
        Owner(kind="z")
    spec = spec_for(Reuser, "rate")
    assert Reuser().rate == 0.25 and (spec.lo, spec.hi, spec.help, spec.label) == (0.0, 1.0, "a fraction", "my rate")


def test_registry_refuses_a_second_class_under_a_taken_key_and_lists_known_ones():
    class A:
        key = "a"

    class B:
        key = "a"

    r: Registry = Registry("thing")
    assert r.register(A) is A and r.register(A) is A  # registering the same class again is harmless
    with pytest.raises(ValueError, match="twice"):
        r.register(B)
    with pytest.raises(UnknownNameError, match="'zz'; known: a") as info:
        r.get_class("zz")
    assert isinstance(info.value, KeyError)
    with pytest.raises(ValueError, match="thing 'a'"):
        r.make("a", nonsense=1)


def test_one_scalar_range_for_the_core_the_scene_and_the_lessons():
    from analysis.batch import BatchSettings
    from analysis.ewma import EwmaSettings

    seeds = {spec_for(c, "seed").hi for c in (optimizers.RunOptions, Scene, BatchSettings, EwmaSettings)}
    assert seeds == {2**32 - 1}
    assert spec_for(Scene, "noise_sigma").hi == spec_for(optimizers.Noise, "sigma").hi
    with pytest.raises(ValueError):  # the core refuses what the scene cannot hold either
        optimizers.Noise(sigma=spec_for(Scene, "noise_sigma").hi * 2)


def test_a_new_schedule_kind_is_one_class_and_a_registry_line(monkeypatch):
    @dataclass(frozen=True)
    class Linear(Schedule):
        total: int = hyper(100, lo=1, hi=10_000, label="total")

        kind = "linear_trial"
        rule = "lr0 * max(0, 1 - k / total)"

        def curve(self, kd: np.ndarray) -> np.ndarray:
            return np.maximum(0.0, 1.0 - kd / self.total)

    monkeypatch.setitem(SCHEDULES._classes, Linear.kind, Linear)  # the registry line, undone after the test
    scene, warnings = from_url("?v=1&sched=linear_trial:total=50&steps=60")
    assert warnings == [] and scene.schedule == Linear(total=50)
    assert from_url(scene_url(scene))[0] == scene and from_json(to_json(scene))[0] == scene
    assert from_url("?v=1&sched=linear_trial:total=0")[0].schedule == Linear(total=1)  # clamped by its declaration
    at = run_page(query={"v": "1", "sched": "linear_trial:total=50", "steps": "60"})
    assert not at.exception and not at.error
    assert at.selectbox(key="sched_kind").value == "linear_trial"
    assert at.number_input(key="sched_total").value == 50
    assert [f.name for f in dataclasses.fields(Linear)] == ["warmup", "warmup_start", "total"]
