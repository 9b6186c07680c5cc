"""Shared plumbing of the lesson pages: a page's settings are one frozen dataclass of plain
fields, kept in the URL (``scenes.flat``) and in session state under ``"<page>.<field>"``.

Typical page::

    settings = lesson.start_page(SweepSettings, "sweep")      # URL -> state once, warnings shown
    lesson.number(SweepSettings, "sweep", "steps", "Steps")   # widgets by field
    settings = lesson.finish_settings(SweepSettings, "sweep")  # state -> settings, URL updated
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import streamlit as st

import landscapes
from figures.style import FigureStyle
from scenes import flat
from settings import Spec, spec_of
from ui import classroom_hook, inputs, page
from ui.navigation import current_path

T = TypeVar("T")


def _key(page_key: str, name: str) -> str:
    return f"{page_key}.{name}"


def _query() -> dict[str, str]:
    return {k: st.query_params.get(k, "") for k in st.query_params}


def start_page(cls: type[T], page_key: str) -> T:
    """Load the page's settings from the URL on its first run in this session (or restore them
    after a visit to another page, which drops widget state); show what the URL got wrong."""
    ss = st.session_state
    loaded = f"_{page_key}_loaded"
    saved = f"_{page_key}_settings"
    first = _key(page_key, dataclasses.fields(cls)[0].name)
    warnings, warned = f"_{page_key}_warnings", f"_{page_key}_warned"
    pushed = ss.get(classroom_hook.RELOAD) is not None and ss.get(classroom_hook.RELOAD) == current_path()
    if not ss.get(loaded) or pushed:  # the first run, or a teacher's push this student follows
        ss.pop(classroom_hook.RELOAD, None)
        settings, link_warnings = flat.from_query(cls, _query())
        ss[loaded] = True
        ss[warnings] = page.tally(link_warnings)
        ss[warned] = settings  # the settings those warnings are about
        _to_state(settings, page_key)
    elif first not in ss and saved in ss:
        _to_state(ss[saved], page_key)
    elif ss.get(warnings) and _changed(ss.get(warned), page_key):  # the user moved on: the link's words go
        ss[warnings] = {}
    page.apply_presentation(page.presentation_requested())
    page.show_messages(ss.get(warnings, {}))
    inputs.show_notes()
    return ss.get(saved, cls())


def _changed(settings: Any, page_key: str) -> bool:
    """Whether the widgets' values differ from ``settings``."""
    if settings is None:
        return True
    ss = st.session_state
    return any(
        _key(page_key, f.name) in ss and ss[_key(page_key, f.name)] != getattr(settings, f.name)
        for f in dataclasses.fields(settings)
    )


def _to_state(settings: Any, page_key: str) -> None:
    for f in dataclasses.fields(settings):
        st.session_state[_key(page_key, f.name)] = getattr(settings, f.name)


def finish_settings(cls: type[T], page_key: str, room_bar: bool = True) -> T:
    """The settings the widgets describe; also saved for later visits and written to the URL. With
    ``room_bar`` (once per page run), a teacher's "Push to my room" or a student's follower in the
    sidebar (``ui.classroom_hook``; nothing outside a room)."""
    ss = st.session_state
    values = {f.name: ss[_key(page_key, f.name)] for f in dataclasses.fields(cls) if _key(page_key, f.name) in ss}
    try:
        for name, value in values.items():  # text past its length never reaches the URL
            limit = _max_chars(cls, name)
            if isinstance(value, str) and len(value) > limit:
                raise ValueError(f"{name} is too long: {len(value):,} characters (at most {limit:,})")
        settings = cls(**values)
    except (ValueError, TypeError) as exc:
        st.error(page.plain(f"These settings cannot be used: {exc}"))
        st.stop()
    ss[f"_{page_key}_settings"] = settings
    wanted = flat.to_query(settings)
    if page.presentation_requested():
        wanted[page.PRESENT_FLAG] = "1"
    if wanted != _query():
        st.query_params.from_dict(wanted)
    if room_bar:
        classroom_hook.lesson_bar(wanted)
    return settings


def number(cls: type, page_key: str, name: str, label: str, container: Any = st, **kwargs: Any) -> Any:
    """A number box for a declared field of the page's settings: out-of-range values are clamped
    into the field's range and shown clamped (``ui.inputs``)."""
    f = next(f for f in dataclasses.fields(cls) if f.name == name)
    return inputs.number(spec_of(f) or Spec(), _key(page_key, name), f.default, label, container, **kwargs)


def choice(
    cls: type, page_key: str, name: str, label: str, options: list[Any], container: Any = st, **kwargs: Any
) -> Any:
    """A selectbox over ``options`` for a field."""
    key = _key(page_key, name)
    f = next(f for f in dataclasses.fields(cls) if f.name == name)
    if st.session_state.get(key, f.default) not in options:
        st.session_state[key] = f.default if f.default in options else options[0]
    st.session_state.setdefault(key, f.default)
    return container.selectbox(label, options, key=key, **kwargs)


def toggle(cls: type, page_key: str, name: str, label: str, container: Any = st, **kwargs: Any) -> Any:
    key = _key(page_key, name)
    f = next(f for f in dataclasses.fields(cls) if f.name == name)
    st.session_state.setdefault(key, f.default)
    return container.toggle(label, key=key, **kwargs)


def text(cls: type, page_key: str, name: str, label: str, container: Any = st, **kwargs: Any) -> Any:
    """A text box for a field, limited to the field's declared ``max_chars`` (else ``flat.MAX_TEXT``)
    in the browser; ``finish_settings`` refuses longer text that reaches the server anyway."""
    key = _key(page_key, name)
    f = next(f for f in dataclasses.fields(cls) if f.name == name)
    st.session_state.setdefault(key, f.default)
    kwargs.setdefault("max_chars", _max_chars(cls, name))
    return container.text_input(label, key=key, **kwargs)


def _max_chars(cls: type, name: str) -> int:
    """The declared ``max_chars`` of a text field, else ``flat.MAX_TEXT``."""
    f = next(f for f in dataclasses.fields(cls) if f.name == name)
    return (spec_of(f) or Spec()).max_chars or flat.MAX_TEXT


def start_controls(cls: type, page_key: str) -> None:
    """The "own start point" toggle and its x / y inputs (fields ``custom_start``, ``start_x``,
    ``start_y``); the inputs are disabled while the landscape's suggested start is used, and
    switching to an own start begins from that suggested one (the landscape's first start), never
    from (0, 0), which can be the landscape's minimum."""
    toggle(cls, page_key, "custom_start", "Own start point", on_change=_start_from_suggested, args=(cls, page_key))
    own = bool(st.session_state.get(_key(page_key, "custom_start"), False))
    number(cls, page_key, "start_x", "Start x", disabled=not own)
    number(cls, page_key, "start_y", "Start y", disabled=not own)


def _start_from_suggested(cls: type, page_key: str) -> None:
    """``on_change`` of the own-start toggle: when switched on, put the suggested start (the point
    the run started from until now) into the x / y boxes."""
    ss = st.session_state
    if not ss.get(_key(page_key, "custom_start")):
        return
    default = {f.name: f.default for f in dataclasses.fields(cls)}.get("landscape")
    try:
        land = landscapes.get(ss.get(_key(page_key, "landscape"), default))
    except (KeyError, ValueError, TypeError):
        return  # a landscape the page will refuse anyway: leave the boxes as they are
    x, y = landscapes.suggested_start(land)
    ss[_key(page_key, "start_x")], ss[_key(page_key, "start_y")] = float(x), float(y)


# a lesson's charts on a projector: FigureStyle's presentation height (1.25 x this, 550 px instead of
# 650), so that under the page's title a lesson's main plot ends inside a 1280x720 screen; lower (450)
# left a contour with its legend and colour bar a plot 165 px wide
PRESENTING_HEIGHT = 440


def figure_style(presenting: bool | None = None, height: int = PRESENTING_HEIGHT) -> FigureStyle:
    """The figures' style on this page: large fonts and a lower chart (``height``) while presenting
    (``presenting``; ``None``: as the page is, ``page.presentation_requested``)."""
    if page.presentation_requested() if presenting is None else presenting:
        return FigureStyle(presentation=True, height=height)
    return FigureStyle()


@contextlib.contextmanager
def intro() -> Iterator[None]:
    """The lesson's opening text (``with lesson.intro(): st.markdown(...)``): on the page, or, while
    presenting, folded in an "About this lesson" expander, so that a projector's first screen
    (1280x720) holds the lesson's title and its main chart."""
    if page.presentation_requested():
        with st.expander("About this lesson", icon=":material/menu_book:"):
            yield
    else:
        yield


def table(df: pd.DataFrame, formats: dict[str, str] | None = None) -> None:
    """A lesson's table as plain HTML (``page.show_results``: no data-grid component for the browser
    to load and draw on a canvas, measured as the costliest element of a lesson page's first load);
    ``formats`` maps a column to the format of its numbers (else 4 significant digits, "—" if missing)."""
    out = df.copy()
    for col, fmt in (formats or {}).items():
        out[col] = [fmt.format(v) if isinstance(v, int | float | np.number) and pd.notna(v) else v for v in out[col]]
    page.show_results(out)
