"""The race and lesson pages' link to the classroom, in the sidebar: for a teacher, "Push to my
room" (this page and its state); for a student, following the teacher's pushes from any page (a
fragment polls the room) or, after stepping away, "Back to the class". Nothing (two dictionary
lookups) for everyone else: the classroom and its database driver are imported only for a session
in a room."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import streamlit as st

from scenes import Scene
from ui.navigation import current_path

TEACHER = "_cls_teacher"  # session key: (code, key) of the room this session teaches
STUDENT = "_cls_student"  # session key: code of the room this session joined
WENT = "_cls_went"  # session key: the push version this student's session last went to
RELOAD = "_cls_reload"  # session key: the lesson page that loads its settings from the URL again (a push)


def room_bar(scene: Scene) -> None:
    """The race page's bar: a push sends ``scene`` (page ``""``: the race, shown on the Classroom page)."""

    def link() -> str:
        from scenes.codec import scene_url

        return scene_url(scene).lstrip("?")

    _bar(lambda: "", link)


def lesson_bar(query: dict[str, str]) -> None:
    """A lesson page's bar: a push sends the page running now with its URL state ``query``."""
    from ui.page import PRESENT_FLAG

    _bar(current_path, lambda: urlencode({k: v for k, v in query.items() if k != PRESENT_FLAG}))


def _bar(page: Callable[[], str], link: Callable[[], str]) -> None:
    """The sidebar's classroom controls; ``page`` and ``link`` (the pushed page and its state) are
    worked out only when a teacher pushes."""
    teacher, student = st.session_state.get(TEACHER), st.session_state.get(STUDENT)
    if not teacher and not student:
        return
    from classroom.roles import show_code
    from ui import classroom_state as cs

    with st.sidebar:
        if teacher:
            code, key = teacher
            if st.button(f"Push to my room ({show_code(code)})", key="cls_push_here", type="primary"):
                cr = cs.classroom()
                if cr is not None:
                    with cs.refused():
                        version = cr.push(code, key, page(), link())
                        st.toast(f"Pushed to the room (push {version}).")
        if student:
            from ui.classroom_follow import follow_bar

            follow_bar(student)
