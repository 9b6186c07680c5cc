"""Sidebar widgets of the race page, each derived from a declared setting (``settings.hyper``):
labels, help and valid ranges come from the field, never restated here. Session state <-> scene
is ``ui.scene_state``'s job."""

from __future__ import annotations

import dataclasses
import re

import streamlit as st

import landscapes
import optimizers
from landscapes.base import Window
from optimizers import SCHEDULES
from scenes import RunSpec, Scene, View, limits
from scenes.model import default_batch_size
from settings import Spec, clamp, spec_for, spec_of
from ui import data_controls, inputs, page
from ui.scene_state import (
    WINDOW_SIDES,
    avg_spec,
    hyper_fields,
    param_key,
    run_to_state,
    scene_to_state,
    state_to_scene,
    ui_kinds,
)

__all__ = [
    "landscape_controls",
    "preset_controls",
    "preset_lesson",
    "run_controls",
    "run_settings_controls",
    "start_controls",
    "state_to_scene",
    "view_controls",
]


def landscape_title(key: str) -> str:
    return landscapes.landscape_class(key).title


def kind_title(kind: str) -> str:
    return optimizers.optimizer_class(kind).title


def scene_number(name: str, container: object = st, label: str = "", **kwargs: object) -> None:
    """A number box for one of the scene's own settings (``steps``, ``seed``, ...)."""
    inputs.number(spec_for(Scene, name), name, getattr(Scene(), name), label, container, **kwargs)


# --- presets ----------------------------------------------------------------------------
OWN_SCENE = ""  # the preset box's entry for a scene that is no preset (or no longer one)


def preset_controls() -> None:
    """Curated scenes, one pick away. The box shows the preset the scene is, and "Your own scene"
    once anything is changed (``scenes.presets.preset_of``); picking a preset loads it."""
    from scenes.presets import PRESETS, WELCOME, preset_of

    ss = st.session_state
    titles = {p.key: p.title for p in (WELCOME, *PRESETS)}
    preset = preset_of(state_to_scene(ss)[0])
    ss["preset_key"] = preset.key if preset else OWN_SCENE  # before the box exists in this run
    st.selectbox(
        "Preset scene",
        [OWN_SCENE, *titles],
        key="preset_key",
        format_func=lambda k: titles.get(k, "Your own scene"),
        on_change=_load_preset,
        help="Curated scenes, each teaching one concept: picking one loads it.",
    )
    if preset is None:
        st.caption("Changed by you, or built from scratch. Pick a preset to load it.")


def _load_preset() -> None:
    from scenes.presets import WELCOME, preset_by_key

    key = st.session_state.get("preset_key", OWN_SCENE)
    if key != OWN_SCENE:
        scene_to_state(WELCOME.scene if key == WELCOME.key else preset_by_key(key).scene)
        page.set_link_warnings([])


def preset_lesson(scene: Scene) -> None:
    """The lesson of the preset ``scene`` is (opened from the gallery, a link or the preset box):
    its title, the concept and the two-line explanation; nothing for the user's own scene."""
    from scenes.presets import preset_of

    preset = preset_of(scene)
    if preset is not None:
        st.info(
            f"**{sentence(preset.title)}** {sentence(preset.concept)}  \n" + preset.caption.replace("\n", " "),
            icon=":material/menu_book:",
        )


def sentence(text: str) -> str:
    """``text`` ending as a sentence does: a full stop added unless it ends with ``.``, ``!`` or ``?``
    (a preset's title and concept are phrases; in the lesson box they read as sentences)."""
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."


# --- landscape --------------------------------------------------------------------------
def landscape_controls() -> None:
    """Landscape choice, its lesson and its parameters, each widget derived from the parameter's
    declaration (a number, a text such as the typed formula, or a window of four numbers)."""
    ss = st.session_state
    st.selectbox(
        "Landscape", landscapes.names(), key="landscape", format_func=landscape_title, on_change=_landscape_changed
    )
    key = ss["landscape"]
    cls = landscapes.landscape_class(key)
    if not cls.user_defined:
        st.caption(cls.lesson)  # the formula is shown large on the page itself
    if data_controls.is_data(key):
        data_controls.data_controls(key)
        return
    numbers = []
    for f in dataclasses.fields(cls):
        spec = spec_of(f) or Spec()
        if isinstance(f.default, str):
            ss.setdefault(param_key(key, f.name), f.default)
            st.text_area(
                spec.label or f.name,
                key=param_key(key, f.name),
                height=70,
                max_chars=spec.max_chars or None,
                help=spec.help or None,
            )
        elif isinstance(f.default, Window):
            cols = st.columns(2)
            defaults = (f.default.xmin, f.default.xmax, f.default.ymin, f.default.ymax)
            for i, (side, d) in enumerate(zip(WINDOW_SIDES, defaults, strict=True)):
                side_spec = dataclasses.replace(spec, label=side, help=f"{spec.label}: {side}")
                inputs.number(side_spec, param_key(key, f.name, side), d, container=cols[i % 2])
        else:
            numbers.append((f, spec))
    if numbers:
        cols = st.columns(min(len(numbers), 2))
        for i, (f, spec) in enumerate(numbers):
            inputs.number(spec, param_key(key, f.name), f.default, f.name, cols[i % len(cols)])


def _landscape_changed() -> None:
    """A new landscape picked by the user (never a link or a preset, which set it in state): move the
    starts to its suggested ones and set each run's learning rate to the one suggested for its kind."""
    ss = st.session_state
    key = ss["landscape"]
    suggest_rates(key)
    try:
        starts = landscapes.get(key).starts
    except ValueError:  # a typed formula's default cannot fail, but never break the page
        starts = Scene().starts
    (ss["start_x"], ss["start_y"]) = (float(starts[0][0]), float(starts[0][1]))
    ss["more_starts"] = ""
    if data_controls.is_data(key):  # full batch to begin with: B = n is batch gradient descent
        ss["batch_size"] = default_batch_size(landscapes.get(key))


def suggest_rates(landscape: str) -> None:
    """Set each run's learning rate to ``optimizers.suggested``'s for its kind on ``landscape`` (a
    formula landscape; data and typed ones keep the rates) and say so in a toast."""
    from optimizers.suggested import formula_landscapes, suggested_lr

    ss = st.session_state
    if landscape not in formula_landscapes():
        return
    changed = 0
    for rid in ss.get("run_ids", []):
        kind = ss.get(f"run{rid}_kind", "")
        lr = next((f for f in hyper_fields(kind) if f.name == "lr"), None) if kind in ui_kinds() else None
        if lr is not None:
            ss[f"run{rid}_lr"] = clamp(suggested_lr(landscape, kind), spec_of(lr) or Spec(), False)
            changed += 1
    if changed:
        st.toast(f"Learning rates set for {landscape_title(landscape)}; change them freely.")


# --- runs -------------------------------------------------------------------------------
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
    label_spec = spec_for(RunSpec, "label")
    st.html(SIDEBAR_CSS)  # style only: no Markdown-with-HTML renderer for the browser to load
    keep_run_state(ss)
    for n, rid in enumerate(list(ss["run_ids"])):
        kind = ss.get(f"run{rid}_kind", "sgd")
        label = ss.get(f"run{rid}_label") or kind_title(kind)
        # a closed panel draws nothing (its widgets' values are kept by keep_run_state): twelve runs
        # would otherwise put about a hundred widgets and twelve formulas on every page load; the
        # panel is keyed by the run, so editing its label leaves it open
        panel = st.expander(f"{n + 1}. {label}", key=run_panel_key(rid), on_change="rerun")
        if not panel.open:
            continue
        with panel:
            st.text_input("Label", key=f"run{rid}_label", max_chars=label_spec.max_chars, placeholder=kind_title(kind))
            _hyper_widgets(rid, kind)
            inputs.number(spec_for(RunSpec, "batch_size"), f"run{rid}_bs", 0)
            if kind in ui_kinds():  # the checkbox on a line of its own: its label is never cut
                st.checkbox(
                    "Polyak averaging",
                    key=f"run{rid}_avg_on",
                    help="Show the running mean of the iterates (from the given step) instead of the "
                    "last iterate: with noisy gradients it sits much closer to the minimum.",
                )
                inputs.number(avg_spec(), f"run{rid}_avg", 0, "averaging from step")
            c1, c2 = st.columns(2)
            c1.button("Duplicate", key=f"dup{rid}", on_click=_duplicate_run, args=(rid,), disabled=disabled)
            c2.button("Remove", key=f"del{rid}", on_click=_remove_run, args=(rid,))


def run_panel_key(rid: int) -> str:
    """Session key of run ``rid``'s settings panel (``True`` while it is open)."""
    return f"run{rid}_open"


def keep_run_state(ss: object) -> None:
    """Keep every run's settings in session state while its panel is closed: Streamlit drops the
    value of a widget that was not drawn in a run unless the script itself set it, so each one is
    set to itself before the panels are drawn (Streamlit's documented way to keep widget state).
    The panel's own open state too: a new label makes a new panel, which opens as the old one was."""
    for rid in ss["run_ids"]:
        prefix = f"run{rid}_"
        for k in [k for k in ss if isinstance(k, str) and k.startswith(prefix)]:
            ss[k] = ss[k]


# between equations (",\quad"), and before a parenthetical remark ("\quad(\text{saddle-free: ...})":
# Newton's rule ran past an 800 px page's main column)
_RULE_BREAK = re.compile(r",\s*(?:\\quad|\\qquad|\\ )\s*|\s*\\quad\s*(?=\(\\text)")
SIDEBAR_CSS = """<style>
[data-testid="stSidebar"] .katex-display { overflow-x: auto; overflow-y: hidden; font-size: 0.75em; }
</style>"""


def stacked(rule: str) -> str:
    """An update rule's LaTeX with one equation per line (at the ``,\\quad`` / ``,\\ `` between
    them, and a remark in parentheses on a line of its own), so it fits a sidebar instead of running
    off its edge."""
    parts = _RULE_BREAK.split(rule)
    return rule if len(parts) == 1 else r"\begin{gathered}" + r" \\ ".join(parts) + r"\end{gathered}"


def _hyper_widgets(rid: int, kind: str) -> None:
    cls = optimizers.optimizer_class(kind)
    if kind not in ui_kinds():
        run = st.session_state.get(f"run{rid}_spec")
        st.caption(
            f"{cls.title}: settings from the preset or link "
            f"({', '.join(f'{k}={v}' for k, v in run.hparams) if run else 'defaults'})."
        )
        if cls.rule:
            st.latex(stacked(cls.rule))
        return
    st.caption(f"`torch.optim.{cls.torch_name}` defaults and arithmetic" if cls.torch_name else cls.title)
    if cls.rule:
        st.latex(stacked(cls.rule))
    for f in hyper_fields(kind):
        k = f"run{rid}_{f.name}"
        spec = spec_of(f) or Spec()
        label = spec.label or f.name
        if isinstance(f.default, bool):
            st.checkbox(label, key=k, help=spec.help or None)
        elif isinstance(f.default, str):
            st.selectbox(label, list(spec.choices or (f.default,)), key=k, help=spec.help or None)
        else:
            inputs.number(spec, k, f.default, label)


def _add_run() -> None:
    ss = st.session_state
    rid = ss["next_run_id"]
    ss["next_run_id"] = rid + 1
    ss["run_ids"] = [*ss["run_ids"], rid]
    run_to_state(ss, rid, RunSpec(ss.get("add_kind", "sgd")))


def _duplicate_run(rid: int) -> None:
    ss = st.session_state
    scene, _ = state_to_scene(ss)
    run = scene.runs[ss["run_ids"].index(rid)]
    new = ss["next_run_id"]
    ss["next_run_id"] = new + 1
    ss["run_ids"] = [*ss["run_ids"], new]
    run_to_state(ss, new, dataclasses.replace(run, label=(run.label or kind_title(run.kind)) + " copy"))


def _remove_run(rid: int) -> None:
    ss = st.session_state
    ss["run_ids"] = [r for r in ss["run_ids"] if r != rid]


# --- starts, run settings, view ---------------------------------------------------------
def start_controls() -> None:
    spec = spec_for(Scene, "starts")
    cols = st.columns(2)
    inputs.number(spec, "start_x", 0.0, "start x", cols[0], step=0.1)
    inputs.number(spec, "start_y", 0.0, "start y", cols[1], step=0.1)
    st.text_input(
        "More starts",
        key="more_starts",
        placeholder="x, y; x, y",
        max_chars=40 * limits.MAX_STARTS,
        help=f"Extra start points, up to {limits.MAX_STARTS} in all. Click the contour to move start 1.",
    )


def run_settings_controls() -> None:
    """Steps, the learning-rate schedule with its kind's fields, then every other number setting of
    the scene in declaration order (a new one appears here by being declared on ``Scene``)."""
    ss = st.session_state
    scene_number("steps", step=50)
    st.selectbox(
        "Learning-rate schedule",
        SCHEDULES.names(),
        key="sched_kind",
        format_func=lambda k: f"{k.replace('_', ' ')}: {SCHEDULES.get_class(k).rule}",
    )
    cls = SCHEDULES.get_class(ss["sched_kind"])
    cols = st.columns(2)
    for i, f in enumerate(dataclasses.fields(cls)):
        spec = spec_of(f) or Spec()
        inputs.number(spec, f"sched_{f.name}", f.default, spec.label or f.name, cols[i % 2])
    rest = [n for n in Scene.scalar_settings() if n != "steps"]
    cols = st.columns(2)
    for i, name in enumerate(rest):
        scene_number(name, cols[i % 2])


def view_controls() -> None:
    """A toggle per display option, from its declaration."""
    for f in dataclasses.fields(View):
        spec = spec_of(f) or Spec()
        st.toggle(spec.label or f.name, key=f"view_{f.name}", help=spec.help or None)
