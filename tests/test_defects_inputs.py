"""Issue 12, defect 5: a number typed out of range is clamped, and the box shows the value used."""

from __future__ import annotations

import optimizers
from analysis.ewma import EwmaSettings
from scenes import Scene
from settings import spec_for
from tests.app_support import open_run, run_page

EWMA = "pages/4_Exponentially_weighted_averages.py"


def used(at, name: str) -> str:
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_race_boxes_show_the_value_the_race_uses():
    at = run_page()
    at.number_input(key="steps").set_value(99999).run()
    assert not at.exception
    shown = at.number_input(key="steps").value
    assert shown == spec_for(Scene, "steps").hi < 99999
    assert int(used(at, "steps")) == shown
    open_run(at, 0)  # a run's boxes are drawn while its panel is open
    kind = Scene().runs[0].kind
    hi = spec_for(optimizers.optimizer_class(kind), "lr").hi
    at.number_input(key="run0_lr").set_value(10 * hi).run()
    assert not at.exception
    shown = at.number_input(key="run0_lr").value
    assert shown == hi
    runs = at.query_params.get("run")
    first = runs[0] if isinstance(runs, list) else runs
    assert f"lr={shown:g}" in first
    assert any(str(hi) in t.value or f"{hi:g}" in t.value for t in at.toast), "a note says it was clamped"


def test_ewma_beta_of_one_is_clamped_and_shown():
    at = run_page(EWMA)
    at.number_input(key="ewma.beta").set_value(1.0).run()
    assert not at.exception
    hi = spec_for(EwmaSettings, "beta").hi
    assert at.number_input(key="ewma.beta").value == hi < 1.0
    assert float(used(at, "beta")) == hi
