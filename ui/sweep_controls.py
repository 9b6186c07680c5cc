"""The sweep page's widget callbacks and its clicked cell: both axes always on valid, different
hyperparameters of the chosen optimizer, each with its default range when it changes; an own start
that begins at the landscape's default start; a click on the chart read back as a cell."""

from __future__ import annotations

import streamlit as st

import landscapes
from analysis.sweep import (
    KINDS,
    LANDSCAPES,
    SweepResult,
    SweepSettings,
    axis_defaults,
    default_axes,
    sweep_params,
)
from ui import page

KEY = "sweep"
CHART_KEY = "sweep_chart"
S = SweepSettings


def _k(name: str) -> str:
    return f"{KEY}.{name}"


def _set_axis(axis: str, name: str, kind: str) -> None:
    """Put hyperparameter ``name`` on ``axis`` with its default range."""
    lo, hi, log = axis_defaults(kind, name)
    ss = st.session_state
    ss[_k(f"{axis}_param")], ss[_k(f"{axis}_min")], ss[_k(f"{axis}_max")], ss[_k(f"{axis}_log")] = name, lo, hi, log


def sync_axes() -> None:
    """Keep both axes on valid, different hyperparameters of the chosen optimizer."""
    ss = st.session_state
    kind = ss.get(_k("optimizer"), S.optimizer)
    if kind not in KINDS:
        return
    params = sweep_params(kind)
    dx, dy = default_axes(kind)
    x, y = ss.get(_k("x_param"), S.x_param), ss.get(_k("y_param"), S.y_param)
    if x not in params:
        _set_axis("x", dx if dx != y else dy, kind)
        x = ss[_k("x_param")]
    if y not in params or y == x:
        _set_axis("y", next(p for p in (dy, dx, *params) if p != x), kind)


def axis_changed(axis: str) -> None:
    """A new hyperparameter on an axis starts from its default range."""
    ss = st.session_state
    kind = ss.get(_k("optimizer"), S.optimizer)
    name = ss[_k(f"{axis}_param")]
    if kind in KINDS and name in sweep_params(kind):
        _set_axis(axis, name, kind)
        other = "y" if axis == "x" else "x"
        if ss.get(_k(f"{other}_param")) == name:
            _set_axis(other, next(p for p in sweep_params(kind) if p != name), kind)


def start_toggled() -> None:
    """Switching to an own start begins at the landscape's default start."""
    ss = st.session_state
    if ss.get(_k("custom_start")):
        name = ss.get(_k("landscape"), S.landscape)
        if name in LANDSCAPES:
            try:
                typed = {"formula": ss.get(_k("formula"), S.formula)} if landscapes.takes(name, "formula") else {}
                land = landscapes.get(name, **typed)
            except ValueError:  # a broken formula: its message is shown with the page's problems
                return
            ss[_k("start_x")], ss[_k("start_y")] = (float(c) for c in landscapes.suggested_start(land))


def clicked_cell(result: SweepResult) -> tuple[int, int] | None:
    """The cell last clicked on this sweep's chart (the selection event is read before the chart
    is drawn; a click made on another sweep's chart is dropped when the settings change)."""
    ss = st.session_state
    xy = page.clicked_point(CHART_KEY)
    if xy is not None and ss.get("_sweep_last_event") != xy:
        ss["_sweep_last_event"] = xy
        ss["_sweep_selected"] = (result.settings, xy)
    chosen = ss.get("_sweep_selected")
    if not chosen or chosen[0] != result.settings:
        return None
    return result.nearest_cell(*chosen[1])
