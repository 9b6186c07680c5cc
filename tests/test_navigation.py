"""The navigation (issue 12): every file of pages/ is a named page, the race is the default."""

from __future__ import annotations

from tests.app_support import run_page
from tests.browser_support import ROOT
from ui.navigation import SECTIONS, entries


def test_every_page_file_is_in_the_navigation_once():
    listed = [e.path for e in entries()]
    files = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
    assert sorted(listed) == files
    assert len({e.title for e in entries()}) == len(listed)


def test_the_race_is_the_default_page_and_named_optimizer_race():
    defaults = [e for e in entries() if e.default]
    assert [(e.path, e.title) for e in defaults] == [("pages/race.py", "Optimizer race")]
    assert defaults[0] in SECTIONS["Race"]


def test_app_runs_the_race_and_switches_to_a_lesson():
    at = run_page("app.py")
    assert not at.exception
    assert at.title[0].value == "Optimizer race"
    at.switch_page("pages/4_Exponentially_weighted_averages.py").run()
    assert not at.exception
    assert at.title and at.title[0].value != "Optimizer race"


def test_navigation_icons_are_material_symbols_not_emoji():
    # emoji need a font the browser may lack (headless Chromium draws boxes); Streamlit ships Material Symbols
    for e in entries():
        assert e.icon.startswith(":material/") and e.icon.endswith(":"), e
        assert e.icon[10:-1].replace("_", "").isalnum() and e.icon[10:-1].islower(), e
