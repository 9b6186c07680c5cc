"""Sidebar widgets of the race page: session state <-> ``Scene``.

Every widget is tied to ``st.session_state`` by key and created without ``value=``; a scene is
written into the state with ``scene_to_state`` (from a URL, a preset or a file) and read back
with ``state_to_scene``. Values are clamped into the widgets' bounds before they are stored, so
a widget never sees an out-of-range value.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import streamlit as st

import landscapes
import optimizers
from optimizers import Schedule
from optimizers.base import widget_bounds
from optimizers.schedules import KINDS as SCHEDULE_KINDS
from scenes import RunSpec, Scene, View, limits

CUSTOM = "custom"
WINDOW_KEYS = ("win_xmin", "win_xmax", "win_ymin", "win_ymax")
SCHEDULE_FIELDS = ("gamma", "step_size", "decay", "total", "min_factor", "warmup", "warmup_start")
SCHEDULE_BOUNDS = {
    "gamma": (1e-6, 1.0),
    "step_size": (1, limits.MAX_STEPS),
    "decay": (0.0, 100.0),
    "total": (1, limits.MAX_STEPS),
    "min_factor": (0.0, 1.0),
    "warmup": (0, limits.MAX_STEPS),
    "warmup_start": (0.0, 1.0),
}
SCHEDULE_HELP = {
    "constant": "lr stays lr0",
    "step": "lr0 * gamma^(k // step_size)",
    "exponential": "lr0 * gamma^k",
    "inverse_time": "lr0 / (1 + decay * k)",
    "cosine": "cosine from lr0 down to min_factor * lr0 over 'total' steps",
}
COORD = 1e6  # start coordinates are kept within +-COORD


def ui_kinds() -> list[str]:
    """Optimizer kinds whose hyperparameters are all plain numbers, flags or choices."""
    out = []
    for kind in optimizers.names():
        cls = optimizers.optimizer_class(kind)
        if all(isinstance(f.default, (int, float, bool, str)) for f in dataclasses.fields(cls)):
            out.append(kind)
    return out


def landscape_choices() -> list[str]:
    return [*landscapes.names(), CUSTOM]


def landscape_title(key: str) -> str:
    return "Custom formula" if key == CUSTOM else landscapes.landscape_class(key).title


def kind_title(kind: str) -> str:
    return optimizers.optimizer_class(kind).title


def _clamp(value: Any, lo: float, hi: float) -> float:
    v = float(value)
    return float(min(max(v, lo), hi)) if np.isfinite(v) else float(lo if lo > -np.inf else 0.0)


def hyper_fields(kind: str) -> list[dataclasses.Field]:
    """The fields of an optimizer kind shown as widgets."""
    cls = optimizers.optimizer_class(kind)
    return [f for f in dataclasses.fields(cls) if f.metadata.get("ui", True) or isinstance(f.default, (bool, str))]


# --- scene -> state ---------------------------------------------------------------------
def scene_to_state(scene: Scene, state: Any | None = None) -> None:
    """Write every widget value of ``scene`` into the session state (clamped to widget bounds)."""
    ss = st.session_state if state is None else state
    ss["landscape"] = scene.landscape
    if scene.landscape == CUSTOM:
        ss["formula"] = scene.formula
        for k, v in zip(WINDOW_KEYS, scene.window or (-3.0, 3.0, -3.0, 3.0), strict=True):
            ss[k] = float(v)
    else:
        cls = landscapes.landscape_class(scene.landscape)
        values = {f.name: f.default for f in dataclasses.fields(cls)}
        values.update(dict(scene.landscape_params))
        for name, (lo, hi) in cls.param_bounds.items():
            ss[f"lp_{scene.landscape}_{name}"] = _clamp(values[name], lo, hi)
    ss["run_ids"] = list(range(len(scene.runs)))
    ss["next_run_id"] = len(scene.runs)
    for rid, run in enumerate(scene.runs):
        _run_to_state(ss, rid, run)
    (x0, y0), *rest = scene.starts or ((0.0, 0.0),)
    ss["start_x"], ss["start_y"] = _clamp(x0, -COORD, COORD), _clamp(y0, -COORD, COORD)
    ss["more_starts"] = "; ".join(f"{x:g}, {y:g}" for x, y in rest)
    ss["steps"] = int(_clamp(scene.steps, 1, limits.MAX_STEPS))
    ss["schedule_kind"] = scene.schedule.kind
    for name in SCHEDULE_FIELDS:
        lo, hi = SCHEDULE_BOUNDS[name]
        value = _clamp(getattr(scene.schedule, name), lo, hi)
        ss[f"sched_{name}"] = int(value) if isinstance(lo, int) else value
    ss["noise_sigma"] = _clamp(scene.noise_sigma, 0.0, 1e3)
    ss["batch_size"] = int(_clamp(scene.batch_size, 1, 1_000_000))
    ss["seed"] = int(_clamp(scene.seed, 0, 2**32 - 1))
    ss["tol"] = _clamp(scene.tol, 1e-12, 10.0)
    for name in ("surface", "animate", "log_loss", "presentation"):
        ss[f"view_{name}"] = bool(getattr(scene.view, name))


def _run_to_state(ss: Any, rid: int, run: RunSpec) -> None:
    ss[f"run{rid}_kind"] = run.kind
    ss[f"run{rid}_label"] = run.label
    ss[f"run{rid}_bs"] = int(_clamp(run.batch_size, 0, 1_000_000))
    ss[f"run{rid}_schedule"] = run.schedule  # a per-run schedule from a preset or link (no widget)
    ss[f"run{rid}_spec"] = run  # kept whole for kinds without plain widgets (Polyak wraps a config)
    ss[f"run{rid}_avg_on"] = run.average_from >= 0
    ss[f"run{rid}_avg"] = int(_clamp(max(run.average_from, 0), 0, limits.MAX_STEPS))
    if run.kind not in ui_kinds():
        return
    cls = optimizers.optimizer_class(run.kind)
    values = {f.name: f.default for f in dataclasses.fields(cls)}
    values.update(dict(run.hparams))
    for f in hyper_fields(run.kind):
        v = values[f.name]
        if isinstance(f.default, (bool, str)):
            ss[f"run{rid}_{f.name}"] = v
        else:
            ss[f"run{rid}_{f.name}"] = _clamp(v, *widget_bounds(f))


# --- state -> scene ---------------------------------------------------------------------
def parse_starts(text: str) -> tuple[list[tuple[float, float]], list[str]]:
    """Parse ``"x, y; x, y"`` into points; returns the points and messages for what was ignored."""
    points, errors = [], []
    for chunk in filter(None, (c.strip() for c in text.replace("\n", ";").split(";"))):
        parts = [p.strip() for p in chunk.replace("(", "").replace(")", "").split(",")]
        try:
            x, y = (float(p) for p in parts)
            if not (np.isfinite(x) and np.isfinite(y)) or max(abs(x), abs(y)) > COORD:
                raise ValueError
            points.append((x, y))
        except ValueError:
            errors.append(f"Ignored start {chunk!r}: write starts as 'x, y; x, y' with finite numbers.")
    return points, errors


def state_to_scene(state: Any | None = None) -> tuple[Scene, list[str]]:
    """The scene the widgets describe, and messages about input that was ignored."""
    ss = st.session_state if state is None else state
    messages: list[str] = []
    key = ss.get("landscape", "rosenbrock")
    params: tuple[tuple[str, float], ...] = ()
    formula, window = "", None
    if key == CUSTOM:
        formula = ss.get("formula", "")
        window = tuple(float(ss.get(k, d)) for k, d in zip(WINDOW_KEYS, (-3.0, 3.0, -3.0, 3.0), strict=True))
    else:
        cls = landscapes.landscape_class(key)
        params = tuple((name, float(ss[f"lp_{key}_{name}"])) for name in cls.param_bounds if f"lp_{key}_{name}" in ss)
    runs = []
    for rid in ss.get("run_ids", []):
        kind = ss.get(f"run{rid}_kind", "sgd")
        label = str(ss.get(f"run{rid}_label", ""))[: limits.MAX_LABEL]
        if kind not in ui_kinds() and f"run{rid}_spec" in ss:  # edited only through links and files
            runs.append(
                dataclasses.replace(ss[f"run{rid}_spec"], label=label, batch_size=int(ss.get(f"run{rid}_bs", 0)))
            )
            continue
        hp = {}
        for f in hyper_fields(kind):
            k = f"run{rid}_{f.name}"
            if k in ss and ss[k] != f.default:
                v = ss[k]
                hp[f.name] = v if isinstance(f.default, (bool, str)) else float(v)
        average_from = int(ss.get(f"run{rid}_avg", 0)) if ss.get(f"run{rid}_avg_on") else -1
        runs.append(
            RunSpec(
                kind,
                tuple(sorted(hp.items())),
                label,
                int(ss.get(f"run{rid}_bs", 0)),
                ss.get(f"run{rid}_schedule"),
                average_from,
            )
        )
    extra, errs = parse_starts(ss.get("more_starts", ""))
    messages += errs
    starts = [(float(ss.get("start_x", 0.0)), float(ss.get("start_y", 0.0))), *extra]
    if len(starts) > limits.MAX_STARTS:
        messages.append(f"Only the first {limits.MAX_STARTS} start points are used.")
        starts = starts[: limits.MAX_STARTS]
    sched_kind = ss.get("schedule_kind", "constant")
    sched_values = {name: ss[f"sched_{name}"] for name in SCHEDULE_FIELDS if f"sched_{name}" in ss}
    try:
        schedule = Schedule(sched_kind, **sched_values)
    except (ValueError, TypeError) as exc:
        messages.append(f"Schedule: {exc}; using a constant learning rate.")
        schedule = Schedule()
    view = View(
        **{
            name: bool(ss.get(f"view_{name}", getattr(View(), name)))
            for name in ("surface", "animate", "log_loss", "presentation")
        }
    )
    scene = Scene(
        landscape=key,
        landscape_params=params,
        formula=formula,
        window=window,
        runs=tuple(runs),
        starts=tuple(starts),
        steps=int(ss.get("steps", 500)),
        schedule=schedule,
        noise_sigma=float(ss.get("noise_sigma", 0.0)),
        batch_size=int(ss.get("batch_size", 1)),
        seed=int(ss.get("seed", 0)),
        tol=float(ss.get("tol", 1e-2)),
        view=view,
    )
    return scene, messages


# --- the widgets ------------------------------------------------------------------------
def preset_controls() -> None:
    """Curated scenes, one click away."""
    from scenes.presets import PRESETS

    keys = [p.key for p in PRESETS]
    titles = {p.key: p.title for p in PRESETS}
    st.selectbox(
        "Preset scene",
        keys,
        key="preset_key",
        format_func=lambda k: titles[k],
        help="Curated scenes, each teaching one concept.",
    )
    preset = PRESETS[keys.index(st.session_state["preset_key"])]
    st.caption(f"**{preset.concept}.** " + preset.caption.replace("\n", " "))
    st.button("Load preset", key="load_preset", on_click=_load_preset, type="primary")


def _load_preset() -> None:
    from scenes.presets import preset_by_key

    scene_to_state(preset_by_key(st.session_state["preset_key"]).scene)
    st.session_state["_url_warnings"] = []


def landscape_controls() -> None:
    """Landscape choice, its formula and lesson, its parameters (or the custom formula)."""
    ss = st.session_state
    st.selectbox(
        "Landscape", landscape_choices(), key="landscape", format_func=landscape_title, on_change=_landscape_changed
    )
    key = ss["landscape"]
    if key == CUSTOM:
        ss.setdefault("formula", "sin(x)*cos(y) + 0.1*(x**2 + y**2)")
        st.text_area(
            "f(x, y) =",
            key="formula",
            height=70,
            help="Python-like syntax: + - * / ** (or ^), sin cos tan exp log sqrt abs tanh "
            "sinh cosh atan atan2 asin acos min max, pi, e.",
        )
        cols = st.columns(2)
        for i, (k, d) in enumerate(zip(WINDOW_KEYS, (-3.0, 3.0, -3.0, 3.0), strict=True)):
            ss.setdefault(k, d)
            cols[i % 2].number_input(k.replace("win_", ""), key=k, min_value=-1e4, max_value=1e4, format="%g")
        return
    cls = landscapes.landscape_class(key)
    st.caption(cls.lesson)  # the formula is shown large on the page itself
    if cls.param_bounds:
        defaults = {f.name: f.default for f in dataclasses.fields(cls)}
        cols = st.columns(min(len(cls.param_bounds), 2))
        for i, (name, (lo, hi)) in enumerate(cls.param_bounds.items()):
            k = f"lp_{key}_{name}"
            ss.setdefault(k, float(defaults[name]))
            cols[i % len(cols)].number_input(
                name, key=k, min_value=float(lo), max_value=float(hi), format="%g", help=cls.param_help.get(name)
            )


def _landscape_changed() -> None:
    """A new landscape: move the starts to its suggested ones."""
    ss = st.session_state
    key = ss["landscape"]
    starts = ((1.0, 1.0),) if key == CUSTOM else landscapes.landscape_class(key)().starts
    (ss["start_x"], ss["start_y"]) = (float(starts[0][0]), float(starts[0][1]))
    ss["more_starts"] = ""


def run_controls() -> None:
    """The list of runs: add, duplicate, remove; each run's hyperparameters in an expander."""
    ss = st.session_state
    ss.setdefault("run_ids", [])
    ss.setdefault("next_run_id", len(ss["run_ids"]))
    kinds = ui_kinds()
    cols = st.columns([3, 2])
    cols[0].selectbox("Optimizer to add", kinds, key="add_kind", format_func=kind_title, label_visibility="collapsed")
    disabled = len(ss["run_ids"]) >= limits.MAX_RUNS
    cols[1].button(
        "Add",
        key="add_run",
        on_click=_add_run,
        disabled=disabled,
        use_container_width=True,
        help=f"At most {limits.MAX_RUNS} runs" if disabled else "Add this optimizer to the race",
    )
    for n, rid in enumerate(list(ss["run_ids"])):
        kind = ss.get(f"run{rid}_kind", "sgd")
        label = ss.get(f"run{rid}_label") or kind_title(kind)
        with st.expander(f"{n + 1}. {label}", expanded=False):
            st.text_input("Label", key=f"run{rid}_label", max_chars=limits.MAX_LABEL, placeholder=kind_title(kind))
            _hyper_widgets(rid, kind)
            st.number_input(
                "Batch size (0 = scene's)",
                key=f"run{rid}_bs",
                min_value=0,
                max_value=1_000_000,
                step=1,
                help="Minibatch size for this run: gradient noise sigma / sqrt(B)",
            )
            if kind in ui_kinds():
                a1, a2 = st.columns([3, 2])
                a1.checkbox(
                    "Polyak averaging",
                    key=f"run{rid}_avg_on",
                    help="Show the running mean of the iterates (from the given step) instead of the "
                    "last iterate: with noisy gradients it sits much closer to the minimum.",
                )
                a2.number_input(
                    "from step",
                    key=f"run{rid}_avg",
                    min_value=0,
                    max_value=limits.MAX_STEPS,
                    step=10,
                    label_visibility="collapsed",
                )
            c1, c2 = st.columns(2)
            c1.button("Duplicate", key=f"dup{rid}", on_click=_duplicate_run, args=(rid,), disabled=disabled)
            c2.button("Remove", key=f"del{rid}", on_click=_remove_run, args=(rid,))


def _hyper_widgets(rid: int, kind: str) -> None:
    cls = optimizers.optimizer_class(kind)
    if kind not in ui_kinds():
        run = st.session_state.get(f"run{rid}_spec")
        st.caption(
            f"{cls.title}: settings from the preset or link "
            f"({', '.join(f'{k}={v}' for k, v in run.hparams) if run else 'defaults'})."
        )
        if cls.rule:
            st.latex(cls.rule)
        return
    st.caption(f"`torch.optim.{cls.torch_name}` defaults and arithmetic" if cls.torch_name else cls.title)
    if cls.rule:
        st.latex(cls.rule)
    for f in hyper_fields(kind):
        k = f"run{rid}_{f.name}"
        m = f.metadata
        label = m.get("label") or f.name
        if isinstance(f.default, bool):
            st.checkbox(label, key=k)
        elif isinstance(f.default, str):
            choices = list(m.get("choices", (f.default,)))
            st.selectbox(label, choices, key=k)
        else:
            lo, hi = widget_bounds(f)
            st.number_input(
                label,
                key=k,
                min_value=float(lo) if np.isfinite(lo) else None,
                max_value=float(hi) if np.isfinite(hi) else None,
                format="%g",
                step=_step_for(f.default),
                help=m.get("help") or None,
            )


def _step_for(default: float) -> float:
    mag = abs(float(default))
    return float(10 ** np.floor(np.log10(mag))) if mag > 0 else 0.01


def _add_run() -> None:
    ss = st.session_state
    rid = ss["next_run_id"]
    ss["next_run_id"] = rid + 1
    ss["run_ids"] = [*ss["run_ids"], rid]
    _run_to_state(ss, rid, RunSpec(ss.get("add_kind", "sgd")))


def _duplicate_run(rid: int) -> None:
    ss = st.session_state
    scene, _ = state_to_scene(ss)
    run = scene.runs[ss["run_ids"].index(rid)]
    new = ss["next_run_id"]
    ss["next_run_id"] = new + 1
    ss["run_ids"] = [*ss["run_ids"], new]
    _run_to_state(ss, new, dataclasses.replace(run, label=(run.label or kind_title(run.kind)) + " copy"))


def _remove_run(rid: int) -> None:
    ss = st.session_state
    ss["run_ids"] = [r for r in ss["run_ids"] if r != rid]


def start_controls() -> None:
    cols = st.columns(2)
    cols[0].number_input("start x", key="start_x", min_value=-COORD, max_value=COORD, format="%g", step=0.1)
    cols[1].number_input("start y", key="start_y", min_value=-COORD, max_value=COORD, format="%g", step=0.1)
    st.text_input(
        "More starts",
        key="more_starts",
        placeholder="x, y; x, y",
        help=f"Extra start points, up to {limits.MAX_STARTS} in all. Click the contour to move start 1.",
    )


def run_settings_controls() -> None:
    ss = st.session_state
    st.number_input("Steps", key="steps", min_value=1, max_value=limits.MAX_STEPS, step=50)
    st.selectbox(
        "Learning-rate schedule",
        SCHEDULE_KINDS,
        key="schedule_kind",
        format_func=lambda k: f"{k.replace('_', ' ')}: {SCHEDULE_HELP[k]}",
    )
    kind = ss["schedule_kind"]
    used = {
        "step": ("gamma", "step_size"),
        "exponential": ("gamma",),
        "inverse_time": ("decay",),
        "cosine": ("total", "min_factor"),
        "constant": (),
    }[kind]
    cols = st.columns(2)
    for i, name in enumerate((*used, "warmup")):
        lo, hi = SCHEDULE_BOUNDS[name]
        integer = isinstance(lo, int)
        cols[i % 2].number_input(
            name.replace("_", " "),
            key=f"sched_{name}",
            min_value=lo,
            max_value=hi,
            step=1 if integer else None,
            format="%d" if integer else "%g",
        )
    st.number_input(
        "Gradient noise sigma",
        key="noise_sigma",
        min_value=0.0,
        max_value=1e3,
        format="%g",
        help="Stochastic gradient = gradient + N(0, (sigma/sqrt(B))^2). 0 = full batch.",
    )
    cols = st.columns(2)
    cols[0].number_input("Batch size B", key="batch_size", min_value=1, max_value=1_000_000, step=1)
    cols[1].number_input("Seed", key="seed", min_value=0, max_value=2**32 - 1, step=1)
    st.number_input("Tolerance (distance to a minimum)", key="tol", min_value=1e-12, max_value=10.0, format="%g")


def view_controls() -> None:
    st.toggle("3D surface", key="view_surface")
    st.toggle("Classroom animation", key="view_animate")
    st.toggle("Log loss axis", key="view_log_loss")
    st.toggle(
        "Presentation mode",
        key="view_presentation",
        help="For a projector: large fonts, thick lines, the animation first, no export clutter. "
        "The page's link now carries present=1: opening it starts with the sidebar collapsed.",
    )
