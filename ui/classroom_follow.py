"""A student following the teacher from page to page. A push names a page (``""``: the race's
scene, shown on the Classroom page; else a lesson page, ``ui.navigation.lesson``) and its URL
state. A following student is sent there once per push (``WENT`` records the push version this
session went to): the Classroom page sends them on to a pushed lesson, and on the race and lesson
pages the sidebar's follower (a fragment polling the room's stamp every ``POLL`` seconds: one small
query) sends them to the next push. "Explore on my own" stops following; "Back to the class" goes
to the teacher's current push and follows again."""

from __future__ import annotations

from urllib.parse import parse_qsl

import streamlit as st

from classroom.records import Room
from classroom.roles import show_code
from classroom.rooms import Classroom
from ui import classroom_state as cs
from ui.classroom_hook import RELOAD, STUDENT, WENT
from ui.navigation import lesson

POLL = 2.0  # seconds between a follower's looks at the room's stamp


def fragment_rerun() -> bool:
    """Whether this script run reruns only fragments (a ``run_every`` tick), not the whole page."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def go(room: Room) -> None:
    """Follow the room's current push now: to its lesson page with the pushed state (loaded again
    even if this session has been there), or to the Classroom page for the race's scene."""
    ss = st.session_state
    ss[WENT], ss[cs.FOLLOW] = room.version, True
    entry = lesson(room.page)
    if entry is None:
        st.switch_page(cs.CLASSROOM_PAGE)
    ss[RELOAD] = entry.path
    st.switch_page(entry.path, query_params=parse_qsl(room.scene, keep_blank_values=True))


def follow_bar(code: str) -> None:
    """On the race and lesson pages, in the sidebar: follow the room's pushes, or come back."""
    cr = cs.classroom()
    if cr is None:
        return
    ss = st.session_state
    with cs.refused():
        room = cr.room(code)
        if room is None:
            ss.pop(STUDENT, None)
            st.info("Your room has closed.")
            return
        st.caption(f"Room {show_code(room.code)}")
        if not ss.get(cs.FOLLOW, True):
            if st.button(f"Back to the class ({show_code(room.code)})", key="cls_back", type="primary"):
                go(room)
            return
        if ss.get(WENT) != room.version:  # a push this session has not followed yet
            go(room)
        if st.button("Explore on my own", key="cls_explore_here"):
            ss[cs.FOLLOW] = False
            st.rerun()
        poll(cr, room)


def poll(cr: Classroom, room: Room) -> None:
    """Every ``POLL`` seconds: a new push reruns the page, which follows it (``go``)."""

    @st.fragment(run_every=POLL)
    def tick() -> None:
        with cs.refused():
            stamp = cr.poll(room)
            if stamp is None:
                st.info("The room has closed.")
                return
            if stamp[0] != st.session_state.get(WENT) and fragment_rerun():
                st.rerun(scope="app")
            st.caption(f"Following the teacher · push {stamp[0]}")

    tick()
