"""Presentation mode on every page (issue 12): ``present=1`` on a lesson page hides the export buttons
and keeps itself in the URL, and it survives moving between pages through the navigation (which drops
the query string); the race page's View toggle turns it off for the other pages too."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app_support import TIMEOUT, run_page
from tests.browser_support import ROOT

EWMA = "pages/4_Exponentially_weighted_averages.py"
SCHEDULES = "pages/6_Learning_rate_schedules.py"


def downloads(at: AppTest) -> int:
    return len(at.get("download_button"))


def navigate(at: AppTest, path: str) -> AppTest:
    """Move to ``path`` as the navigation does: a new page, the old query string gone."""
    at.switch_page(path)
    for k in list(at.query_params):
        del at.query_params[k]
    return at.run()


def test_a_lesson_page_without_present_offers_its_downloads():
    at = run_page(EWMA)
    assert not at.exception
    assert downloads(at) > 0
    assert "present" not in at.query_params


def test_present_1_on_a_lesson_page_hides_the_downloads_and_stays_in_the_url():
    at = run_page(EWMA, query={"present": "1"})
    assert not at.exception
    assert downloads(at) == 0
    assert at.query_params["present"] == "1"
    assert any("font-size: 20px" in h.value for h in at.get("html"))  # the projector's large fonts


def test_presentation_survives_moving_to_another_lesson_and_to_the_race():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["present"] = "1"
    at.switch_page(EWMA).run()
    assert not at.exception and downloads(at) == 0
    navigate(at, SCHEDULES)
    assert not at.exception
    assert at.title[0].value != "Exponentially weighted averages"
    assert downloads(at) == 0
    assert "present" in at.query_params  # the page's own link presents too
    navigate(at, "pages/race.py")
    assert not at.exception
    assert at.toggle(key="view_presentation").value is True
    assert downloads(at) == 0


def test_turning_presentation_off_on_the_race_turns_it_off_on_the_lessons():
    at = run_page(query={"present": "1"})
    assert at.toggle(key="view_presentation").value is True
    at.toggle(key="view_presentation").set_value(False).run()
    assert not at.exception and "present" not in at.query_params
    navigate(at, EWMA)
    assert not at.exception
    assert downloads(at) > 0
    assert "present" not in at.query_params


def test_presenting_folds_a_lessons_opening_text_so_its_main_chart_comes_first():
    """On a projector the opening paragraph and formula go into an "About this lesson" expander: the
    first screen (1280x720) holds the lesson's title and its main chart."""
    opening = "A noisy daily temperature"
    shown = run_page(EWMA)
    assert not shown.exception and not shown.expander
    assert any(opening in m.value for m in shown.markdown)
    presented = run_page(EWMA, query={"present": "1"})
    assert not presented.exception
    (about,) = presented.expander
    assert about.label == "About this lesson"
    assert any(opening in m.value for m in about.markdown) and about.latex
