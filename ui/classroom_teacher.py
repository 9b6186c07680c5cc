"""The teacher's side of the Classroom page: the room's code, QR code and links, pushes,
challenges, the room's switches, and the projector view (paths, leaderboard, learning rates)."""

from __future__ import annotations

import io
import time
from urllib.parse import parse_qs, urlencode

import plotly.graph_objects as go
import segno
import streamlit as st

from classroom import board, roles
from classroom.challenges import DEFAULT_OPTIMIZERS, KINDS, Challenge, scene_of_link
from classroom.records import Room, Submission
from classroom.rooms import Classroom
from figures.classroom import PathLine, lr_spread_figure, projector_figure
from figures.style import FigureStyle
from scenes import Scene
from scenes.codec import from_query, scene_url
from ui import classroom_state as cs
from ui import compute
from ui.navigation import lesson
from ui.page import base_url, plain

REFRESH = 2.0  # seconds between the projector's looks at the room


def room_url(code: str, key: str | None = None) -> str:
    """The join link (``key``: the private teacher link) of a room on this server."""
    params = {"room": code, **({"key": key} if key else {})}
    base = base_url() or "/Classroom"
    return f"{base}?{urlencode(params)}"


@st.cache_data(max_entries=64, show_spinner=False)
def qr_png(text: str) -> bytes:
    """A QR code of ``text`` as PNG bytes (segno: pure Python)."""
    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="png", scale=8, border=2)
    return buf.getvalue()


def create_room(cr: Classroom) -> None:
    """The "create a room" button: a new room, its teacher link in the URL, this session its teacher."""
    if st.button("Create a room", key="cls_create", type="primary"):
        with cs.refused():
            made = cr.open_room()
            st.session_state[cs.TEACHER] = (made.room.code, made.key)
            st.query_params.from_dict({"room": made.room.code, "key": made.key})
            st.rerun()


def scene_of(room: Room) -> Scene:
    """The room's current scene (the last push; the default race before any)."""
    return scene_of_link(room.scene)


def header(room: Room, key: str) -> None:
    code = roles.show_code(room.code)
    join = room_url(room.code)
    left, right = st.columns([3, 1])
    with left:
        st.markdown(f"## Join code: `{code}`")
        st.markdown(f"Open **{plain(join)}** or scan the QR code, then type the code and a nickname.")
        with st.expander("Private teacher link (do not project it)"):
            st.code(room_url(room.code, key), language=None, wrap_lines=True)
            st.caption("Anyone with this link manages the room. Only a hash of its key is stored.")
    right.image(qr_png(join), width=180)


def controls(cr: Classroom, room: Room, key: str) -> None:
    """Sidebar: push, challenge, the room's switches, reset, close, download."""
    code = room.code
    with st.sidebar:
        st.header("Push a scene")
        race = st.session_state.get("_race_scene")
        if race is not None and st.button("Push the race's current scene", key="cls_push_race"):
            with cs.refused():
                cr.push(code, key, "", scene_url(race).lstrip("?"))
                st.toast("Pushed.")
        link = st.text_input("…or a scene link", key="cls_push_link", max_chars=4000)
        if st.button("Push this link", key="cls_push_link_btn") and link.strip():
            scene, warnings = from_query(parse_qs(link.split("?", 1)[-1], keep_blank_values=True))
            for w in warnings[:3]:
                st.warning(plain(w))
            with cs.refused():
                cr.push(code, key, "", scene_url(scene).lstrip("?"))
                st.toast("Pushed.")
        challenge_form(cr, room, key)
        st.header("Room")
        for flag, label in (("hide_names", "Hide names"), ("locked", "Lock submissions"), ("revealed", "Show scores")):
            st.session_state.setdefault(f"cls_flag_{flag}", getattr(room, flag))
            st.toggle(label, key=f"cls_flag_{flag}", on_change=_set_flag, args=(cr, code, key, flag))
        with cs.refused():
            remove_id = st.number_input("Remove submission #", min_value=0, step=1, key="cls_remove_id")
            if st.button("Remove", key="cls_remove") and remove_id:
                st.toast("Removed." if cr.remove(code, key, int(remove_id)) else "No such submission.")
            if st.button("Reset: remove every submission", key="cls_reset"):
                st.toast(f"Removed {cr.reset(code, key)} submissions.")
            st.download_button(
                "Download submissions (CSV)", cr.csv(code, key), f"room-{code}.csv", "text/csv", key="cls_csv"
            )
            if st.button("Close the room", key="cls_close"):
                cr.close(code, key)
                st.session_state.pop(cs.TEACHER, None)
                st.rerun()


def _set_flag(cr: Classroom, code: str, key: str, flag: str) -> None:
    try:
        cr.set_flags(code, key, **{flag: bool(st.session_state[f"cls_flag_{flag}"])})
    except cs.REFUSALS as exc:
        st.session_state["_cls_message"] = str(exc)


def challenge_form(cr: Classroom, room: Room, key: str) -> None:
    st.header("Challenge")
    with st.form("cls_challenge"):
        kind = st.selectbox("Task", list(KINDS), format_func=KINDS.get, key="cls_ch_kind")
        steps = st.number_input("Steps", 1, 2000, 200, key="cls_ch_steps")
        allowed = st.multiselect("Allowed optimizers", [*list(DEFAULT_OPTIMIZERS), "adagrad", "adamw", "nadam"],
                                 default=list(DEFAULT_OPTIMIZERS), key="cls_ch_opts")  # fmt: skip
        lo = st.number_input("Smallest learning rate", 1e-6, 10.0, 1e-4, format="%g", key="cls_ch_lo")
        hi = st.number_input("Largest learning rate", 1e-6, 10.0, 1.0, format="%g", key="cls_ch_hi")
        minutes = st.number_input("Deadline in minutes (0: none)", 0, 600, 0, key="cls_ch_minutes")
        free_start = st.checkbox("Students may choose the start", key="cls_ch_start")
        if st.form_submit_button("Set the challenge on the current scene", key="cls_ch_set"):
            with cs.refused():
                ch = Challenge.on(scene_of(room), kind=kind, steps=int(steps), optimizers=tuple(allowed),
                                  lr_range=(float(lo), float(hi)), allow_start=free_start,
                                  deadline=time.time() + 60 * minutes if minutes else 0.0)  # fmt: skip
                cr.set_challenge(room.code, key, ch)
                st.toast("Challenge set.")


@st.cache_data(max_entries=64, show_spinner=False)
def _submissions(_cr: Classroom, room_id: int, stamp: tuple, challenge_version: int) -> list[Submission]:
    """The live submissions of one challenge version, re-read only when the room's stamp changes."""
    return _cr.store.submissions(room_id, challenge_version)


@st.cache_resource(max_entries=32, show_spinner=False)
def _projector_figure(scene: Scene, room_id: int, stamp: tuple, _lines: list[PathLine]) -> go.Figure:
    """The paths figure, rebuilt only when the room's stamp (or scene) changes; shared, read-only."""
    landscape = scene.landscape_obj()
    return projector_figure(landscape, compute.landscape_grid(landscape), _lines, FigureStyle(height=560))


@st.cache_resource(max_entries=32, show_spinner=False)
def _lr_figure(room_id: int, stamp: tuple, _optimizers: list[str], _lrs: list[float]) -> go.Figure:
    """The spread of learning rates, rebuilt only when the room's stamp changes; shared, read-only."""
    return lr_spread_figure(_optimizers, _lrs)


def projector(cr: Classroom, code: str) -> None:
    """Every ``REFRESH`` seconds: one cheap query; the figures are rebuilt only when it changed."""

    @st.fragment(run_every=REFRESH)
    def view() -> None:
        with cs.refused():
            room = cr.room(code)
            if room is None:
                st.info("This room is closed.")
                return
            stamp = cr.store.stamp(room.id)
            challenge = Challenge.from_json(room.challenge)
            subs = _submissions(cr, room.id, stamp, room.challenge_version)
            shown_lesson = None if challenge else lesson(room.page)  # a pushed lesson page, no task on it
            scene = challenge.base_scene() if challenge else scene_of(room)
            n_members = cr.store.member_count(room.id)
            st.markdown(
                f"**{n_members}** joined · push **{room.version}** · **{len(subs)}** submissions"
                + (" · locked" if room.locked else "")
                + (f" · task: {KINDS[challenge.kind]}, {challenge.steps} steps" if challenge else " · no challenge yet")
            )
            names = board.display_names(subs, room.hide_names)
            lines = [PathLine(s.optimizer, s.path, n) for s, n in zip(subs, names, strict=True)]
            left, right = st.columns([3, 2])
            with left:
                if shown_lesson is not None:
                    st.info(plain(f"The students follow the lesson “{shown_lesson.title}”."))
                else:
                    fig = _projector_figure(scene, room.id, stamp, lines)
                    st.plotly_chart(fig, theme=None, key="cls_projector_paths")
            with right:
                st.subheader("Leaderboard")
                kind = challenge.kind if challenge else "lowest_loss"
                table = board.leaderboard(subs, kind, room.hide_names, room.revealed)
                for col in ("nickname", "optimizer", "settings", "status"):  # st.table renders Markdown
                    table[col] = table[col].map(plain)
                st.table(table.set_index("id"), border="horizontal")
                opts, lrs = board.lr_values(subs)
                if lrs:
                    st.plotly_chart(_lr_figure(room.id, stamp, opts, lrs), theme=None, key="cls_lr_spread")

    view()


def teacher_view(cr: Classroom, room: Room, key: str) -> None:
    st.session_state[cs.TEACHER] = (room.code, key)
    if "_cls_message" in st.session_state:
        st.error(plain(st.session_state.pop("_cls_message")))
    header(room, key)
    controls(cr, room, key)
    projector(cr, room.code)
