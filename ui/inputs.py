"""Widgets for declared settings (``settings.hyper``): the field's Spec gives the label, help and
valid range, so no page restates a bound.

A number box gets no browser-side bounds: Streamlit's frontend would keep an out-of-range value
typed into it on screen while the script goes on with the old one (a box that looks applied but is
not). Instead, the value is clamped into the declared range when it changes, the box shows the
clamped value, and a short note says so.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from settings import Spec, clamp

NOTES = "_input_notes"  # session key: notes about clamped values, shown once by ``show_notes``


def _step(default: float) -> float:
    mag = abs(float(default))
    return float(10 ** math.floor(math.log10(mag))) if mag > 0 else 0.01


def number(
    spec: Spec,
    key: str,
    default: float | int,
    label: str = "",
    container: Any = st,
    *,
    quiet: bool = False,
    **kwargs: Any,
) -> float | int:
    """A number box for a declared setting held in ``st.session_state[key]`` (an int box when
    ``default`` is an int). Keyword arguments go to ``number_input`` (``disabled``, ...).

    ``quiet``: the value is clamped where it is read (here, before the box is drawn), without a note:
    for boxes the browser may send a value the user never typed (the clip settings got 0 after a
    refused CSV upload, and three notes about it)."""
    integer = isinstance(default, int) and not isinstance(default, bool)
    ss = st.session_state
    if key not in ss or ss[key] is None:
        ss[key] = clamp(default, spec, integer)
    elif quiet:
        ss[key] = clamp(ss[key], spec, integer)
    kwargs.setdefault("help", spec.help or None)
    kind = int if integer else float
    if type(ss[key]) is not kind:  # an int box holds ints, a float box floats
        ss[key] = kind(ss[key])
    if integer:
        kwargs.setdefault("step", 1)
        kwargs.setdefault("format", "%d")
    else:
        kwargs.setdefault("step", _step(default))
        kwargs.setdefault("format", "%g")
    if not quiet:
        kwargs.update(on_change=_clamp_in_state, args=(key, spec, integer, default))
    return container.number_input(label or spec.label or key, key=key, **kwargs)


def _clamp_in_state(key: str, spec: Spec, integer: bool, default: float | int) -> None:
    ss = st.session_state
    value = ss.get(key)
    if value is None:  # a cleared box: back to the default
        ss[key] = clamp(default, spec, integer)
        return
    got = clamp(value, spec, integer)
    if got != value:
        ss[key] = got
        name = spec.label or key
        ss.setdefault(NOTES, []).append(f"{name}: {value:g} is outside {spec.range_text()}; using {got:g}.")


def show_notes() -> None:
    """Show (once) what the number boxes clamped in this rerun's callbacks."""
    from ui.page import plain

    for note in st.session_state.pop(NOTES, []):
        st.toast(plain(note))
