"""Issue 12, defect 4: "Inside the optimizer" with an own start point starts somewhere instructive."""

from __future__ import annotations

import landscapes
from tests.app_support import messages, run_page

INSIDE = "pages/3_Inside_the_optimizer.py"


def test_switching_to_an_own_start_begins_at_the_suggested_start_and_the_run_moves():
    at = run_page(INSIDE)
    assert not at.exception
    at.toggle(key="internals.custom_start").set_value(True).run()
    assert not at.exception and not messages(at)
    suggested = landscapes.get("ravine").starts[0]
    assert (at.number_input(key="internals.start_x").value, at.number_input(key="internals.start_y").value) == (
        suggested[0],
        suggested[1],
    )
    assert at.slider, "the run takes many steps: the step slider is shown"
    assert at.slider[0].max > 50


def test_a_start_on_the_minimum_says_why_nothing_moves_instead_of_a_step_warning():
    at = run_page(INSIDE, query={"custom_start": "1", "start_x": "0", "start_y": "0", "step": "60"})
    assert not at.exception
    assert not any("beyond this run" in m for m in messages(at))
    assert any("gradient is zero" in i.value for i in at.info)
