"""The app's pages, named and grouped for ``st.navigation`` (``app.py``): one line per page.

Each entry is a file in ``pages/`` with the title and icon the navigation shows. Adding a page is
adding its line to a section (a section with no pages yet is not shown).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple


class Entry(NamedTuple):
    """One page: its file (relative to the app's folder), navigation title and icon (a Material
    Symbol, ``:material/name:``: Streamlit ships its font, while emoji need a font the browser may
    not have, and headless Chromium draws them as empty boxes)."""

    path: str
    title: str
    icon: str
    default: bool = False


# The browser tab's icon on every page, set once by app.py: a page that passed its own ``page_icon`` to
# ``st.set_page_config`` replaced it for that page only (a different emoji per page), and a Material
# Symbol as the tab icon is fetched from fonts.gstatic.com (none offline); an emoji is drawn in place.
APP_ICON = "🏁"

SECTIONS: dict[str, tuple[Entry, ...]] = {
    "Race": (
        Entry("pages/race.py", "Optimizer race", ":material/sports_score:", default=True),
        Entry("pages/0_Gallery.py", "Gallery of scenes", ":material/photo_library:"),
    ),
    "Lessons": (
        Entry("pages/1_Hyperparameter_sweep.py", "Hyperparameter sweep", ":material/tune:"),
        Entry("pages/2_Basins_of_attraction.py", "Basins of attraction", ":material/map:"),
        Entry("pages/3_Inside_the_optimizer.py", "Inside the optimizer", ":material/biotech:"),
        Entry("pages/4_Exponentially_weighted_averages.py", "Exponentially weighted averages", ":material/show_chart:"),
        Entry("pages/5_Batch_size_and_noise.py", "Batch size and noise", ":material/casino:"),
        Entry("pages/6_Learning_rate_schedules.py", "Learning-rate schedules", ":material/trending_down:"),
        Entry("pages/7_Second_order_methods.py", "Second-order methods", ":material/calculate:"),
    ),
    "Networks": (Entry("pages/8_Network_lab.py", "Network lab", ":material/hub:"),),
    "Classroom": (Entry("pages/9_Classroom.py", "Live classroom", ":material/school:"),),
}


def entries() -> list[Entry]:
    """Every page, in navigation order."""
    return [e for section in SECTIONS.values() for e in section]


def current_path() -> str:
    """The file of the page running now (as listed here, e.g. ``"pages/race.py"``), or ``""``: the
    script the navigation resolved (``app.py`` runs it), or the main script when a page runs alone."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return ""
    info = ctx.pages_manager.get_pages().get(ctx.page_script_hash) or {}
    script = Path(info.get("script_path") or ctx.pages_manager.main_script_path).as_posix()
    return next((e.path for e in entries() if script.endswith("/" + e.path) or script == e.path), "")


def lesson(path: str) -> Entry | None:
    """The lesson page (or the network lab) with this file, or ``None``: the pages with URL state
    that a teacher's push may send students to, besides the race."""
    return next((e for e in (*SECTIONS["Lessons"], *SECTIONS["Networks"]) if e.path == path), None)
