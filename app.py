"""Entry point: ``streamlit run app.py``. Names and groups the pages of ``pages/`` in the navigation
(``ui.navigation.SECTIONS``) and runs the one the URL asks for; the race is the default page (``/``).
In presentation mode the navigation is in the top bar, and the sidebar stays collapsed.
"""

from __future__ import annotations

import streamlit as st

from ui import page
from ui.navigation import APP_ICON, SECTIONS

presenting = page.presentation_requested()
st.set_page_config(
    page_title="Optimizer race",
    page_icon=APP_ICON,  # the tab's icon on every page: no page sets its own
    layout="wide",
    initial_sidebar_state="collapsed" if presenting else "auto",
)
# presenting, the pages are in the top bar: moving between them never opens the collapsed sidebar
navigation = st.navigation(
    {
        section: [st.Page(e.path, title=e.title, icon=e.icon, default=e.default) for e in entries]
        for section, entries in SECTIONS.items()
        if entries
    },
    position="top" if presenting else "sidebar",
)
st.html(page.NARROW_CSS)  # style only: takes no room on the page
navigation.run()
