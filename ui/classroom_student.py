"""The student's side of the Classroom page: join with a code and a nickname, follow the
teacher's pushes (a fragment polls the room's stamp every ``POLL`` seconds: one small query; a
pushed lesson page is followed by ``ui.classroom_follow``), step away to the race and come back,
submit a run."""

from __future__ import annotations

import time

import plotly.graph_objects as go
import streamlit as st

from classroom import roles
from classroom.challenges import Challenge, Entry
from classroom.records import Room
from classroom.rooms import Classroom
from figures.race import race_figures
from scenes import Scene
from scenes.codec import to_query
from ui import classroom_follow, compute
from ui import classroom_state as cs
from ui.classroom_follow import POLL, fragment_rerun
from ui.classroom_hook import WENT
from ui.classroom_teacher import scene_of
from ui.navigation import lesson
from ui.page import plain
from ui.scene_state import scene_to_state

MOMENTUM_KINDS = ("momentum", "nesterov", "sgd")
DOUBLE_CLICK = 5.0  # seconds in which a second Submit of the same entry is the same submission
IDEM = "_cls_idem"  # session key: (entry, idempotency key, time) of the last Submit click


def join_form(cr: Classroom, code: str | None) -> None:
    """Code and nickname; a refusal says why in plain words."""
    with st.form("cls_join"):
        typed = st.text_input("Join code", value=code or "", max_chars=12, key="cls_code")
        nick = st.text_input(
            "Nickname", max_chars=100, key="cls_nick", help=f"at most {roles.NICKNAME_MAX} characters are kept"
        )
        if st.form_submit_button("Join", key="cls_join_btn", type="primary"):
            with cs.refused():
                room, _ = cr.join(typed, cs.token(), nick, cs.address())
                st.session_state[cs.STUDENT] = room.code
                st.session_state[cs.FOLLOW] = True
                st.session_state[cs.SEEN] = -1
                st.query_params.from_dict({"room": room.code})
                st.rerun()


def follower(cr: Classroom, room: Room) -> None:
    """Polls the room's stamp (one query); when the teacher pushed and this student follows, the
    page reruns to show the new scene."""

    @st.fragment(run_every=POLL)
    def poll() -> None:
        with cs.refused():
            stamp = cr.poll(room)
            if stamp is None:
                st.info("The room has closed.")
                return
            following = st.session_state.get(cs.FOLLOW, True)
            # only a fragment tick restarts the page (a full run may be handling a click, e.g. Submit);
            # a change seen during a full run is left for the next tick (SEEN is what the page shows)
            if following and stamp[:2] != st.session_state.get(cs.SEEN) and fragment_rerun():
                st.session_state[cs.SEEN] = stamp[:2]
                st.rerun(scope="app")
            st.caption(f"Following the teacher · push {stamp[0]}" if following else "Exploring on your own")

    poll()


def explore(scene: Scene) -> None:
    """Step away: open the room's scene on the race page in this session (the race page's "Back to
    the class" button returns)."""
    st.session_state[cs.FOLLOW] = False
    scene_to_state(scene)
    st.session_state["_race_scene"] = scene
    st.session_state["_scene_loaded"] = True
    st.switch_page(cs.RACE_PAGE, query_params=to_query(scene))


@st.cache_resource(max_entries=16, show_spinner=False)
def _scene_figure(scene: Scene) -> go.Figure:
    """The contour of a pushed scene, built once for the whole class (one shared object: the page
    only reads it)."""
    landscape = scene.landscape_obj()
    result = compute.simulate(scene)
    figs = race_figures(scene.for_plotly(), landscape, result, compute.landscape_grid(landscape), None,
                        names=("contour",), clickable=False)  # fmt: skip
    return figs["contour"]


def scene_view(scene: Scene) -> None:
    problems = scene.problems()
    if problems:
        st.warning(plain(problems[0]))
        return
    st.plotly_chart(_scene_figure(scene), theme=None, key="cls_scene_chart")


def submit_form(cr: Classroom, room: Room, challenge: Challenge) -> None:
    st.subheader("Your run")
    st.markdown(plain(f"Task: {challenge_text(challenge)}"))
    opt = st.selectbox("Optimizer", challenge.optimizers, key="cls_opt")
    lo, hi = challenge.lr_range
    ss = st.session_state
    ss["cls_lr"] = min(max(float(ss.get("cls_lr", 0.01)), lo), hi)  # within this challenge's range
    lr = st.number_input("Learning rate", min_value=lo, max_value=hi, format="%g", key="cls_lr")
    momentum = None
    if opt in MOMENTUM_KINDS:
        ss.setdefault("cls_mom", 0.9 if opt != "sgd" else 0.0)
        momentum = st.number_input("Momentum", 0.0, 0.999, format="%g", key="cls_mom")
    start = None
    if challenge.allow_start:
        x0, y0 = challenge.base_scene().starts[0]
        ss.setdefault("cls_x", float(x0))
        ss.setdefault("cls_y", float(y0))
        c1, c2 = st.columns(2)
        start = (c1.number_input("Start x", key="cls_x"), c2.number_input("Start y", key="cls_y"))
    if st.button("Submit", key="cls_submit", type="primary"):
        entry = Entry(opt, float(lr), momentum, start)
        with cs.refused():
            sub, _ = cr.submit(room.code, cs.token(), entry, idempotency_key(entry, time.time()))
            if sub is not None:  # new, or a repeat (a double-click): what the first click stored
                score = "did not make it" if sub.score is None else f"{sub.score:g}"
                st.success(plain(f"Submitted #{sub.id}: score {score} ({sub.status})."))


def idempotency_key(entry: Entry, now: float) -> str:
    """The key a Submit click sends with ``entry``: the last click's key when it sent the same entry
    less than ``DOUBLE_CLICK`` seconds before (a double-click counts once, however its two runs
    interleave: the key is kept before the store is asked), else a new random one."""
    last = st.session_state.get(IDEM)
    if last is not None and last[0] == entry and now - last[2] < DOUBLE_CLICK:
        return last[1]
    key = roles.new_secret(12)
    st.session_state[IDEM] = (entry, key, now)
    return key


def challenge_text(ch: Challenge) -> str:
    from classroom.challenges import KINDS

    lo, hi = ch.lr_range
    return f"{KINDS[ch.kind]} ({ch.steps} steps; {', '.join(ch.optimizers)}; learning rate {lo:g} to {hi:g})"


def student_view(cr: Classroom, code: str) -> None:
    room = cr.room(code)
    member = cr.member(room, cs.token()) if room else None
    if room is None or member is None:
        st.session_state.pop(cs.STUDENT, None)
        st.info("This room has closed." if room is None else "Join the room first.")
        join_form(cr, code)
        return
    st.markdown(f"Room `{roles.show_code(room.code)}` · you are **{plain(member.nickname)}**")
    # what this run shows, recorded before the follower's first (inline) run: that run then finds
    # nothing new and never restarts this one (which would drop a click being handled, e.g. Submit)
    st.session_state[cs.SEEN] = (room.version, room.challenge_version)
    pushed_lesson = lesson(room.page)
    if (
        pushed_lesson is not None
        and st.session_state.get(cs.FOLLOW, True)
        and st.session_state.get(WENT) != room.version
    ):
        classroom_follow.go(room)  # a lesson page pushed since this session last followed: there, with its state
    st.session_state[WENT] = room.version
    follower(cr, room)
    left, right = st.columns([3, 2])
    with left:
        if pushed_lesson is not None:
            st.info(plain(f"The teacher is showing the lesson “{pushed_lesson.title}”."))
            if st.button("Open the teacher's lesson", key="cls_open_lesson", type="primary"):
                classroom_follow.go(room)
        else:
            scene = scene_of(room)
            if st.button("Explore this scene on my own", key="cls_explore"):
                explore(scene)
            scene_view(scene)
    with right:
        challenge = Challenge.from_json(room.challenge)
        if challenge is None:
            st.info("No challenge yet: watch the teacher's scene.")
        elif room.locked:
            st.info("Submissions are locked.")
        else:
            submit_form(cr, room, challenge)
