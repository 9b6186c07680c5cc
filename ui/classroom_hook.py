"""The race page's one link to the classroom: for a teacher, "Push to my room"; for a student
who stepped away, "Back to the class". Nothing (two dictionary lookups) for everyone else."""

from __future__ import annotations

import streamlit as st

from scenes import Scene

TEACHER = "_cls_teacher"  # session key: (code, key) of the room this session teaches
STUDENT = "_cls_student"  # session key: code of the room this session joined


def room_bar(scene: Scene, page: str = "") -> None:
    """In the sidebar: push ``scene`` (of ``page``; ``""`` is the race) to this teacher's room, or
    go back to the student's room and follow the teacher again. The classroom (and its database
    driver) is imported only for a session in a room."""
    teacher, student = st.session_state.get(TEACHER), st.session_state.get(STUDENT)
    if not teacher and not student:
        return
    from classroom.roles import show_code
    from scenes.codec import scene_url
    from ui import classroom_state as cs

    with st.sidebar:
        if teacher:
            code, key = teacher
            if st.button(f"Push to my room ({show_code(code)})", key="cls_push_here", type="primary"):
                cr = cs.classroom()
                if cr is not None:
                    with cs.refused():
                        version = cr.push(code, key, page, scene_url(scene).lstrip("?"))
                        st.toast(f"Pushed to the room (push {version}).")
        if student and st.button(f"Back to the class ({show_code(student)})", key="cls_back", type="primary"):
            st.session_state[cs.FOLLOW] = True
            st.switch_page(cs.CLASSROOM_PAGE)
