"""The classroom in a Streamlit session: the shared store, this session's identity and room,
and refusals shown as plain messages (never a traceback)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import streamlit as st

from classroom import roles
from classroom.challenges import ChallengeError
from classroom.rooms import Classroom, JoinError, NotAllowedError
from classroom.store import Store, StoreUnavailableError
from ui.classroom_hook import STUDENT, TEACHER  # noqa: F401  (the session keys, shared with the race page)
from ui.page import plain

TOKEN = "_cls_token"  # this session's student token (random, never shown)
FOLLOW = "_cls_follow"  # whether the student follows the teacher's pushes
SEEN = "_cls_seen"  # the push version this session last showed
RACE_PAGE = "pages/race.py"  # the race page (ui/navigation.py), for st.switch_page
CLASSROOM_PAGE = "pages/9_Classroom.py"
REFUSALS = (StoreUnavailableError, NotAllowedError, JoinError, ChallengeError)


@st.cache_resource(show_spinner=False)
def _classroom() -> Classroom:
    """One store (one connection pool) per server process, from ``CLASSROOM_DB``."""
    return Classroom(Store())


def classroom() -> Classroom | None:
    """The shared classroom, or ``None`` with a plain message when the database is unavailable
    (tried again at the next rerun)."""
    try:
        return _classroom()
    except StoreUnavailableError as exc:
        st.error(plain(str(exc)))
        return None


def token() -> str:
    return st.session_state.setdefault(TOKEN, roles.new_secret(16))


def address() -> str | None:
    try:
        ip = st.context.ip_address
    except Exception:
        return None
    return ip if isinstance(ip, str) else None


@contextlib.contextmanager
def refused(where: Any = st) -> Iterator[None]:
    """Show a refusal or an unavailable database as a plain error in ``where``; the page goes on."""
    try:
        yield
    except REFUSALS as exc:
        where.error(plain(str(exc)))
