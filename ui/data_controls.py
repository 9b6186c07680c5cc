"""Sidebar widgets of a data landscape (``landscapes.data``): the dataset (generator and its
settings, or a scikit-learn set and its feature), its seed and split, standardization, the L2
penalty and the loss. Each widget comes from the field's declaration (``DataSpec`` and the model's
own fields); only the settings that apply to the chosen dataset are shown. Keys are the race page's
landscape keys (``ui.scene_state.param_key``), so links, presets and files fill them alike."""

from __future__ import annotations

import dataclasses

import streamlit as st

import landscapes
from datasets import bundled, csv
from datasets.spec import BREAST_CANCER, CLASSES, CSV, DIABETES, IRIS, LINE, TEACHER
from settings import Spec, spec_of
from ui import inputs
from ui.page import plain
from ui.scene_state import param_key

SOURCE_TITLES = {
    LINE: "Noisy line (generated)",
    CLASSES: "Two Gaussian classes (generated)",
    TEACHER: "tanh teacher (generated)",
    DIABETES: "Diabetes (scikit-learn)",
    BREAST_CANCER: "Breast cancer (scikit-learn)",
    IRIS: "Iris (scikit-learn)",
    CSV: "Your CSV file (upload)",
}
# the settings that shape each dataset (the rest of DataSpec applies to every one)
ONLY_FOR = {
    "n": (LINE, CLASSES, TEACHER),
    "noise": (LINE, TEACHER),
    "outliers": (LINE,),
    "separable": (CLASSES,),
    "feature": (DIABETES, BREAST_CANCER, IRIS),
    "positive_class": (IRIS,),
    "x_column": (CSV,),
    "y_column": (CSV,),
}
HIDDEN = ("split", "csv")  # the race draws the training loss (the test loss over it); the file: an uploader


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
    if source == CSV:
        csv_upload(key)
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
        if name in ("feature", "positive_class", "x_column", "y_column"):
            names = _column_names(key, name, source)
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


def _column_names(key: str, name: str, source: str) -> tuple[str, ...]:
    if name == "feature":
        return bundled.feature_names(source)
    if name == "positive_class":
        return bundled.class_names(source)
    try:
        return csv.read(st.session_state.get(param_key(key, "csv"), "")).names
    except csv.CsvError:
        return ("(no file yet)",)


def csv_upload(key: str) -> None:
    """The file uploader: a file that reads is kept as the dataset's text; a bad one is refused with
    its message and the current data kept."""
    st.file_uploader(
        "CSV file (numbers; a header row of names)",
        type=["csv", "txt", "tsv"],
        key=f"csv_file_{key}",
        on_change=_csv_uploaded,
        args=(key,),
        help=f"At most {csv.MAX_BYTES:,} bytes and {csv.MAX_ROWS:,} rows. Links never carry the file; "
        "the scene file does.",
    )
    if st.session_state.get("_csv_error"):
        st.error(plain(st.session_state["_csv_error"]))
    if st.session_state.get(param_key(key, "csv")):
        st.caption(
            "This link leaves the uploaded data out (links never carry data): share the scene file "
            "(Share and export) to send it."
        )


def _csv_uploaded(key: str) -> None:
    ss = st.session_state
    upload = ss.get(f"csv_file_{key}")
    if upload is None:
        return
    data = upload.getvalue()
    try:
        table = csv.read(data)
    except csv.CsvError as exc:
        ss.setdefault(inputs.NOTES, []).append(f"CSV refused: {exc}. The current data are kept.")
        ss["_csv_error"] = f"CSV refused: {exc}. The current data are kept."
        return
    ss.pop("_csv_error", None)
    ss[param_key(key, "csv")] = csv.decode(data)
    ss[param_key(key, "x_column")] = 0
    ss[param_key(key, "y_column")] = min(1, len(table.names) - 1)
