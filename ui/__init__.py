"""Streamlit glue shared by the app's pages: widgets, cached computations, URL state, downloads.

Imported first by a server's first script run. Until some session has run ``app.py``'s
``st.navigation``, Streamlit treats the app as an old-style multipage app (a ``pages/`` folder sits
beside it) and runs a page asked for by its URL (``/Gallery``) on its own, without ``app.py``: the
navigation lists the files ("app", "race") and ``app.py``'s page settings (the sidebar collapsed for
``present=1``) are missing. So the first import switches that mode off and reruns, through ``app.py``.
"""

from __future__ import annotations


def _leave_pages_folder_mode() -> None:
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if PagesManager.uses_pages_directory and get_script_run_ctx(suppress_warning=True) is not None:
        PagesManager.uses_pages_directory = False  # what st.navigation itself sets
        st.rerun()


_leave_pages_folder_mode()
