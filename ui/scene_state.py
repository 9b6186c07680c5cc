"""The race page's session state <-> ``Scene``, derived from the declared settings.

Every widget is tied to ``st.session_state`` by key and created without ``value=``; a scene is
written into the state with ``scene_to_state`` (from a link, a preset or a file), each number
clamped into its declared range, and read back with ``state_to_scene``. Keys:
``landscape``, ``lp_<landscape>_<param>`` (a window: ``..._xmin`` etc.), ``run<id>_<field>``,
``start_x``/``start_y``/``more_starts``, ``sched_kind`` and ``sched_<field>``, the scene's scalar
settings by field name, ``view_<flag>``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

import landscapes
import optimizers
from landscapes.base import Window
from optimizers import SCHEDULES, make_schedule
from scenes import RunSpec, Scene, View, limits
from settings import Spec, clamp, spec_for, spec_of

SCALARS = Scene.scalar_settings()  # the scene's own number settings
VIEW_FLAGS = tuple(f.name for f in dataclasses.fields(View))
WINDOW_SIDES = ("xmin", "xmax", "ymin", "ymax")


def ui_kinds() -> list[str]:
    """Optimizer kinds whose hyperparameters are all plain numbers, flags or choices."""
    out = []
    for kind in optimizers.names():
        cls = optimizers.optimizer_class(kind)
        if all(isinstance(f.default, (int, float, bool, str)) for f in dataclasses.fields(cls)):
            out.append(kind)
    return out


def hyper_fields(kind: str) -> list[dataclasses.Field]:
    """The fields of an optimizer kind shown as widgets: all but those declared with ``ui=False``
    (torch's ``maximize``, rarely touched tolerances); flags and choices declared without a Spec too."""
    cls = optimizers.optimizer_class(kind)
    return [f for f in dataclasses.fields(cls) if (spec_of(f) or Spec()).ui]


def param_key(landscape: str, name: str, side: str = "") -> str:
    return f"lp_{landscape}_{name}" + (f"_{side}" if side else "")


def avg_spec() -> Spec:
    """Polyak averaging's start step as a widget offers it (the "off" value -1 is the checkbox)."""
    return dataclasses.replace(spec_for(RunSpec, "average_from"), lo=0)


def _set_number(ss: Any, key: str, value: Any, spec: Spec, default: Any) -> None:
    integer = isinstance(default, int) and not isinstance(default, bool)
    ss[key] = clamp(value, spec, integer)


# --- scene -> state ---------------------------------------------------------------------
def scene_to_state(scene: Scene, state: Any | None = None) -> None:
    """Write every widget value of ``scene`` into the session state (numbers clamped into range)."""
    ss = st.session_state if state is None else state
    ss["landscape"] = scene.landscape
    _landscape_to_state(ss, scene.landscape, dict(scene.landscape_params))
    ss["run_ids"] = list(range(len(scene.runs)))
    ss["next_run_id"] = len(scene.runs)
    for rid, run in enumerate(scene.runs):
        run_to_state(ss, rid, run)
    start_spec = spec_for(Scene, "starts")
    (x0, y0), *rest = scene.starts or ((0.0, 0.0),)
    _set_number(ss, "start_x", x0, start_spec, 0.0)
    _set_number(ss, "start_y", y0, start_spec, 0.0)
    ss["more_starts"] = "; ".join(f"{x:g}, {y:g}" for x, y in rest)
    ss["sched_kind"] = scene.schedule.kind
    for name, (f, spec) in _schedule_fields(scene.schedule.kind).items():
        _set_number(ss, f"sched_{name}", getattr(scene.schedule, name), spec, f.default)
    for name in SCALARS:
        _set_number(ss, name, getattr(scene, name), spec_for(Scene, name), getattr(Scene(), name))
    for name in VIEW_FLAGS:
        ss[f"view_{name}"] = bool(getattr(scene.view, name))


def _landscape_to_state(ss: Any, key: str, given: dict[str, Any]) -> None:
    for f in dataclasses.fields(landscapes.landscape_class(key)):
        spec = spec_of(f) or Spec()
        value = given.get(f.name, f.default)
        if isinstance(f.default, Window):
            bounds = value if not isinstance(value, Window) else (value.xmin, value.xmax, value.ymin, value.ymax)
            for side, v in zip(WINDOW_SIDES, bounds, strict=True):
                _set_number(ss, param_key(key, f.name, side), v, spec, 0.0)
        elif isinstance(f.default, str):
            ss[param_key(key, f.name)] = str(value)
        elif isinstance(f.default, bool):
            ss[param_key(key, f.name)] = bool(value)
        else:
            _set_number(ss, param_key(key, f.name), value, spec, f.default)


def _schedule_fields(kind: str) -> dict[str, tuple[dataclasses.Field, Spec]]:
    cls = SCHEDULES.get_class(kind)
    return {f.name: (f, spec_of(f) or Spec()) for f in dataclasses.fields(cls)}


def run_to_state(ss: Any, rid: int, run: RunSpec) -> None:
    ss[f"run{rid}_kind"] = run.kind
    ss[f"run{rid}_label"] = run.label
    _set_number(ss, f"run{rid}_bs", run.batch_size, spec_for(RunSpec, "batch_size"), 0)
    ss[f"run{rid}_schedule"] = run.schedule  # a per-run schedule from a preset or link (no widget)
    ss[f"run{rid}_spec"] = run  # kept whole for kinds without plain widgets (Polyak wraps a config)
    ss[f"run{rid}_avg_on"] = run.average_from >= 0
    _set_number(ss, f"run{rid}_avg", max(run.average_from, 0), avg_spec(), 0)
    if run.kind not in ui_kinds():
        return
    values = dict(run.hparams)
    for f in hyper_fields(run.kind):
        v = values.get(f.name, f.default)
        if isinstance(f.default, (bool, str)):
            ss[f"run{rid}_{f.name}"] = v
        else:
            _set_number(ss, f"run{rid}_{f.name}", v, spec_of(f) or Spec(), f.default)


# --- state -> scene ---------------------------------------------------------------------
def parse_starts(text: str) -> tuple[list[tuple[float, float]], list[str]]:
    """Parse ``"x, y; x, y"`` into points; returns the points and messages for what was ignored."""
    spec = spec_for(Scene, "starts")
    points, errors = [], []
    for chunk in filter(None, (c.strip() for c in text.replace("\n", ";").split(";"))):
        parts = [p.strip() for p in chunk.replace("(", "").replace(")", "").split(",")]
        try:
            x, y = (float(p) for p in parts)
            if not (spec.contains(x) and spec.contains(y)):
                raise ValueError
            points.append((x, y))
        except ValueError:
            errors.append(
                f"Ignored start {chunk[:40]!r}: write starts as 'x, y; x, y' with numbers within {spec.range_text()}."
            )
    return points, errors


def _landscape_from_state(ss: Any, key: str) -> tuple[tuple[str, Any], ...]:
    params: list[tuple[str, Any]] = []
    for f in dataclasses.fields(landscapes.landscape_class(key)):
        if isinstance(f.default, Window):
            keys = [param_key(key, f.name, side) for side in WINDOW_SIDES]
            if all(k in ss for k in keys):
                params.append((f.name, tuple(float(ss[k]) for k in keys)))
        elif param_key(key, f.name) in ss:
            value = ss[param_key(key, f.name)]
            params.append((f.name, _typed(value, f.default)))
    return tuple(params)


def _typed(value: Any, default: Any) -> Any:
    """A widget's value as its field's type: text, flag, whole number or float."""
    if isinstance(default, (str, bool)):
        return type(default)(value)
    if isinstance(default, int) and float(value).is_integer():
        return int(value)
    return float(value)


def _run_from_state(ss: Any, rid: int) -> RunSpec:
    kind = ss.get(f"run{rid}_kind", "sgd")
    label = str(ss.get(f"run{rid}_label", ""))[: spec_for(RunSpec, "label").max_chars]
    batch = int(ss.get(f"run{rid}_bs", 0))
    if kind not in ui_kinds() and f"run{rid}_spec" in ss:  # edited only through links and files
        return dataclasses.replace(ss[f"run{rid}_spec"], label=label, batch_size=batch)
    hp = {}
    for f in hyper_fields(kind):
        k = f"run{rid}_{f.name}"
        if k in ss and ss[k] != f.default:
            v = ss[k]
            hp[f.name] = v if isinstance(f.default, (bool, str)) else float(v)
    average_from = int(ss.get(f"run{rid}_avg", 0)) if ss.get(f"run{rid}_avg_on") else -1
    return RunSpec(kind, tuple(sorted(hp.items())), label, batch, ss.get(f"run{rid}_schedule"), average_from)


def state_to_scene(state: Any | None = None) -> tuple[Scene, list[str]]:
    """The scene the widgets describe, and messages about input that was ignored."""
    ss = st.session_state if state is None else state
    messages: list[str] = []
    d = Scene()
    key = ss.get("landscape", d.landscape)
    runs = tuple(_run_from_state(ss, rid) for rid in ss.get("run_ids", []))
    extra, errs = parse_starts(ss.get("more_starts", ""))
    messages += errs
    starts = [(float(ss.get("start_x", 0.0)), float(ss.get("start_y", 0.0))), *extra]
    if len(starts) > limits.MAX_STARTS:
        messages.append(f"Only the first {limits.MAX_STARTS} start points are used.")
        starts = starts[: limits.MAX_STARTS]
    kind = ss.get("sched_kind", "constant")
    values = {name: ss[f"sched_{name}"] for name in _schedule_fields(kind) if f"sched_{name}" in ss}
    try:
        schedule = make_schedule(kind, **values)
    except (ValueError, TypeError) as exc:
        messages.append(f"Schedule: {exc}; using a constant learning rate.")
        schedule = make_schedule()
    view = View(**{name: bool(ss.get(f"view_{name}", getattr(d.view, name))) for name in VIEW_FLAGS})
    scalars = {name: type(getattr(d, name))(ss.get(name, getattr(d, name))) for name in SCALARS}
    scene = Scene(
        landscape=key,
        landscape_params=_landscape_from_state(ss, key),
        runs=runs,
        starts=tuple(starts),
        schedule=schedule,
        view=view,
        **scalars,
    )
    return scene, messages
