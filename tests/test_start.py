"""The start of a run: the own point when ``custom_start``, else the landscape's first suggested
start, decided by ``landscapes.start_point`` for every lesson's settings."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import landscapes
from analysis.batch import BatchSettings
from analysis.internals import InternalsSettings
from analysis.schedule_lesson import ScheduleSettings
from analysis.second_order_lesson import SecondOrderSettings
from analysis.sweep import SweepSettings

SETTINGS = [BatchSettings, InternalsSettings, ScheduleSettings, SecondOrderSettings, SweepSettings]


@dataclasses.dataclass(frozen=True)
class Choice:
    custom_start: bool
    start_x: float = 0.25
    start_y: float = -0.5


@pytest.mark.parametrize("name", landscapes.builtin_names())
def test_without_an_own_start_the_first_suggested_start_is_used(name):
    land = landscapes.get(name)
    got = landscapes.start_point(Choice(False), land)
    assert got.shape == (2,) and got.dtype == float
    np.testing.assert_array_equal(got, land.starts[0])
    np.testing.assert_array_equal(landscapes.suggested_start(land), land.starts[0])


def test_an_own_start_wins_over_the_suggested_one():
    land = landscapes.get("rosenbrock")
    np.testing.assert_array_equal(landscapes.start_point(Choice(True), land), [0.25, -0.5])


@pytest.mark.parametrize("cls", SETTINGS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("own", [False, True])
def test_every_lessons_settings_give_the_shared_start(cls, own):
    s = cls(custom_start=own, start_x=0.25, start_y=-0.5)
    land = landscapes.get(s.landscape)
    expected = [0.25, -0.5] if own else land.starts[0]
    np.testing.assert_array_equal(landscapes.start_point(s, land), expected)
    if hasattr(s, "start"):  # the settings that expose their start say the same
        np.testing.assert_array_equal(np.asarray(s.start(), dtype=float), expected)
