"""Issue 12, defect 8: the race sidebar's rules fit, labels are whole, a cosine link has no leftovers."""

from __future__ import annotations

import optimizers
from tests.app_support import open_run, run_page
from ui.widgets import stacked


def test_update_rules_are_stacked_one_equation_per_line():
    sgd = stacked(optimizers.optimizer_class("sgd").rule)
    assert sgd.startswith(r"\begin{gathered}") and r"g_t \\ d_t" in sgd and r"\\ p_t" in sgd
    assert r"\quad" not in sgd and "g_t," not in sgd  # the line used to be cut right after "g_t,"
    adam = stacked(optimizers.optimizer_class("adam").rule)
    assert adam.count(r"\\") == 2
    one = optimizers.optimizer_class("polyak").rule
    assert stacked(one) == one


def test_a_schedule_switched_to_cosine_keeps_nothing_of_the_step_schedule():
    at = run_page(query={"v": "1", "sched": "step:step_size=20"})
    assert at.selectbox(key="sched_kind").value == "step"
    at.selectbox(key="sched_kind").select("cosine").run()
    assert not at.exception
    sched = at.query_params.get("sched")
    sched = sched[0] if isinstance(sched, list) else sched
    assert sched.startswith("cosine") and "step_size" not in sched


def test_a_run_panel_is_titled_by_its_label():
    """(That the panel stays open while its label is edited is checked in a browser:
    tests/test_browser_words.py.)"""
    at = run_page(state={"run0_open": True})  # the panel open (a closed one draws nothing)
    labels = [e.label for e in at.expander]
    assert any(label.startswith("1. ") for label in labels)
    open_run(at, 0)  # a run's boxes are drawn while its panel is open
    at.text_input(key="run0_label").input("fast one").run()
    assert not at.exception
    assert any(e.label == "1. fast one" for e in at.expander)
