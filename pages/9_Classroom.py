"""Live classroom: the teacher creates a room, pushes scenes and sets challenges; students join
with a code and a nickname, follow the teacher's screen and submit runs that the server
recomputes and scores; the projector shows every path and a live leaderboard.

Links: ``?room=CODE`` joins (the code is filled in); ``?room=CODE&key=KEY`` is the private
teacher link. The rooms live in the database named by ``CLASSROOM_DB`` (``classroom.store``).
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Classroom", layout="wide")

from ui import classroom_state as cs  # noqa: E402
from ui.classroom_student import join_form, student_view  # noqa: E402
from ui.classroom_teacher import create_room, teacher_view  # noqa: E402

st.title("Classroom")
cr = cs.classroom()
if cr is None:
    st.stop()

code = st.query_params.get("room", "")
key = st.query_params.get("key", "")
teaching = st.session_state.get(cs.TEACHER)
if not key and teaching and (not code or code == teaching[0]):
    code, key = teaching

if key:
    with cs.refused():
        room = cr.teacher_room(code, key)
        teacher_view(cr, room, key)
    st.stop()

joined = st.session_state.get(cs.STUDENT)
if joined and (not code or code == joined):
    with cs.refused():
        student_view(cr, joined)
    st.stop()

left, right = st.columns(2)
with left:
    st.subheader("Join a room")
    join_form(cr, code)
with right:
    st.subheader("Teach")
    st.markdown(
        "Create a room: you get a join code, a QR code and a private teacher link. Push the race's "
        "scene to every student's screen, set a challenge, and show the submissions on the projector."
    )
    create_room(cr)
