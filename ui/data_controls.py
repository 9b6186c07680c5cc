"""Sidebar widgets of a data landscape (``landscapes.data``): the dataset (generator and its
settings, or a scikit-learn set and its feature), its seed and split, standardization, the L2
penalty and the loss. Each widget comes from the field's declaration (``DataSpec`` and the model's
own fields); only the settings that apply to the chosen dataset are shown. Keys are the race page's
landscape keys (``ui.scene_state.param_key``), so links, presets and files fill them alike."""

from __future__ import annotations

import dataclasses

import streamlit as st

import landscapes
from datasets import bundled
from datasets.spec import BREAST_CANCER, CLASSES, DIABETES, IRIS, LINE, TEACHER
from settings import Spec, spec_of
from ui import inputs
from ui.scene_state import param_key

SOURCE_TITLES = {
    LINE: "Noisy line (generated)",
    CLASSES: "Two Gaussian classes (generated)",
    TEACHER: "tanh teacher (generated)",
    DIABETES: "Diabetes (scikit-learn)",
    BREAST_CANCER: "Breast cancer (scikit-learn)",
    IRIS: "Iris (scikit-learn)",
}
# the settings that shape each dataset (the rest of DataSpec applies to every one)
ONLY_FOR = {
    "n": (LINE, CLASSES, TEACHER),
    "noise": (LINE, TEACHER),
    "outliers": (LINE,),
    "separable": (CLASSES,),
    "feature": (DIABETES, BREAST_CANCER, IRIS),
    "positive_class": (IRIS,),
}
HIDDEN = ("split",)  # the race draws the training loss; the test loss is drawn over it


def is_data(key: str) -> bool:
    return landscapes.landscape_class(key).__module__.startswith("landscapes.data")


def data_controls(key: str) -> None:
    """The widgets of data landscape ``key``, in declaration order."""
    ss = st.session_state
    cls = landscapes.landscape_class(key)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    source_key = param_key(key, "source")
    choices = list((spec_of(fields["source"]) or Spec()).choices or ())
    if ss.get(source_key) not in choices:
        ss[source_key] = fields["source"].default
    st.selectbox("Dataset", choices, key=source_key, format_func=lambda s: SOURCE_TITLES.get(s, s))
    source = ss[source_key]
    cols = st.columns(2)
    i = 0
    for name, f in fields.items():
        if name == "source" or name in HIDDEN or source not in ONLY_FOR.get(name, (source,)):
            continue
        if name == "delta" and ss.get(param_key(key, "loss"), f.default) != "huber":
            continue
        spec = spec_of(f) or Spec()
        k = param_key(key, name)
        box = cols[i % 2]
        i += 1
        if name in ("feature", "positive_class"):
            names = bundled.feature_names(source) if name == "feature" else bundled.class_names(source)
            if ss.get(k) not in range(len(names)):
                ss[k] = 0
            box.selectbox(spec.label, range(len(names)), key=k, format_func=names.__getitem__, help=spec.help)
        elif isinstance(f.default, bool):
            ss.setdefault(k, f.default)
            box.toggle(spec.label or name, key=k, help=spec.help or None)
        elif isinstance(f.default, str):
            options = list(spec.choices or (f.default,))
            if ss.get(k) not in options:
                ss[k] = f.default
            box.selectbox(spec.label or name, options, key=k, help=spec.help or None)
        else:
            inputs.number(spec, k, f.default, spec.label or name, box)
