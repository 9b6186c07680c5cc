"""Links with every setting at the extremes a link can carry, on every page (issue: a tampered link
never breaks a page). Each numeric setting is sent as ``1e300`` and as ``-1e300`` (and at its
declared bounds): the codec clamps them, the widgets hold the clamped values, and each page renders
its charts with warnings, never an error box, a stopped script or a traceback."""

from __future__ import annotations

import dataclasses

import pytest

import landscapes
import optimizers
from analysis.basins import BasinSettings
from analysis.batch import BatchSettings
from analysis.ewma import EwmaSettings
from analysis.internals import InternalsSettings
from analysis.schedule_lesson import ScheduleSettings
from analysis.second_order_lesson import SecondOrderSettings
from analysis.sweep import SweepSettings
from optimizers import SCHEDULES
from scenes import Scene, limits
from settings import declared, spec_of
from tests.app_support import charts, messages, run_page
from ui.scene_state import ui_kinds

LESSONS = {
    "pages/1_Hyperparameter_sweep.py": SweepSettings,
    "pages/2_Basins_of_attraction.py": BasinSettings,
    "pages/3_Inside_the_optimizer.py": InternalsSettings,
    "pages/4_Exponentially_weighted_averages.py": EwmaSettings,
    "pages/5_Batch_size_and_noise.py": BatchSettings,
    "pages/6_Learning_rate_schedules.py": ScheduleSettings,
    "pages/7_Second_order_methods.py": SecondOrderSettings,
}
# a huge and a hugely negative number, and each declared bound ("hi", "lo")
EXTREMES = {"huge": "1e300", "tiny": "-1e300", "top": "hi", "bottom": "lo"}


def _text(extreme: str, f: dataclasses.Field) -> str:
    """The link text of one extreme for a declared field: a huge number, or the declared bound."""
    spec = spec_of(f)
    if extreme in ("hi", "lo"):
        bound = spec.hi if extreme == "hi" else spec.lo
        return repr(float(bound)) if abs(bound) < 1e300 else EXTREMES["huge" if extreme == "hi" else "tiny"]
    return extreme


def _numbers(cls: type) -> list[dataclasses.Field]:
    return [f for _, (f, _s) in declared(cls).items() if isinstance(f.default, (int, float))]


def assert_rendered(at, warned: bool = True) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert charts(at), "no chart drawn"
    if warned:
        assert messages(at), "an extreme link was taken without a word"


@pytest.mark.parametrize("extreme", list(EXTREMES.values()))
@pytest.mark.parametrize("script", list(LESSONS))
def test_every_lesson_setting_at_its_extreme(script, extreme):
    cls = LESSONS[script]
    query = {f.name: _text(extreme, f) for f in _numbers(cls) if f.init}
    at = run_page(script, query=query)
    assert_rendered(at, warned=extreme.startswith(("1e", "-1e")))


def _race_queries(extreme: str) -> list[dict]:
    """Race links covering every declared number of the scene, of every landscape, of every
    optimizer shown in the sidebar and of every schedule, all at ``extreme``."""
    scalar = {f.name: _text(extreme, f) for f in _numbers(Scene)}
    scene = {k: v for k, v in scalar.items() if k not in ("noise_sigma", "batch_size")}
    scene["noise"] = f"{scalar['noise_sigma']}:{scalar['batch_size']}"
    value = extreme if extreme in ("1e300", "-1e300") else ("1e300" if extreme == "hi" else "-1e300")
    scene["start"] = [f"{value},{value}"] * limits.MAX_STARTS
    queries = []
    kinds = ui_kinds()
    for i in range(0, len(kinds), limits.MAX_RUNS):  # every optimizer kind, MAX_RUNS per link
        runs = []
        for kind in kinds[i : i + limits.MAX_RUNS]:
            cls = optimizers.optimizer_class(kind)
            hp = ",".join(f"{f.name}={_text(extreme, f)}" for f in _numbers(cls))
            runs.append(f"{kind}:{hp};bs={value};avg={value}" if hp else kind)
        queries.append({"v": "1", **scene, "run": runs})
    for name in landscapes.names():  # every landscape with its parameters
        cls = landscapes.landscape_class(name)
        q = {"v": "1", **scene, "ls": name}
        lp = ",".join(f"{f.name}:{_text(extreme, f)}" for f in _numbers(cls))
        if lp:
            q["lp"] = lp
        if landscapes.takes(name, "window"):
            q["win"] = ",".join([value, value, value, value]) if extreme != "lo" else f"-{value},{value},-1,1"
        queries.append(q)
    for kind in SCHEDULES.names():  # every schedule with its fields
        cls = SCHEDULES.get_class(kind)
        fields = ",".join(f"{f.name}={_text(extreme, f)}" for f in _numbers(cls))
        queries.append({"v": "1", **scene, "sched": f"{kind}:{fields}" if fields else kind})
    return queries


RACE_CASES = [(extreme, i) for extreme in EXTREMES.values() for i in range(len(_race_queries(extreme)))]


@pytest.mark.parametrize(("extreme", "i"), RACE_CASES)
def test_every_race_setting_at_its_extreme(extreme, i):
    at = run_page(query=_race_queries(extreme)[i])
    assert_rendered(at)


def test_a_window_beyond_the_widgets_range_renders_the_race_with_a_warning():
    at = run_page(query={"v": "1", "ls": "custom", "f": "x**2+y**2", "win": "-20000,20000,-3,3"})
    assert_rendered(at)
    assert any("window" in m for m in messages(at))
    xs = at.number_input(key="lp_custom_window_xmin").value, at.number_input(key="lp_custom_window_xmax").value
    assert xs[0] < 0 < xs[1] and xs[1] - xs[0] < 40000  # clamped, and the widgets show it
