"""Entry point: ``streamlit run app.py``. Names and groups the pages of ``pages/`` in the navigation
(``ui.navigation.SECTIONS``) and runs the one the URL asks for; the race is the default page (``/``).
"""

from __future__ import annotations

import streamlit as st

from ui import page
from ui.navigation import SECTIONS

st.set_page_config(
    page_title="Optimizer race",
    page_icon="🏁",
    layout="wide",
    initial_sidebar_state="collapsed" if page.presentation_requested() else "auto",
)
navigation = st.navigation(
    {
        section: [st.Page(e.path, title=e.title, icon=e.icon, default=e.default) for e in entries]
        for section, entries in SECTIONS.items()
        if entries
    }
)
navigation.run()
