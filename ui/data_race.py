"""The race page on a data landscape: train vs test (the test loss dashed over the training surface,
test losses and early stopping on the loss curves, per-run train/test loss and gap, batch size and
epochs in the results table), why there is no minimum when there is none, and the model panel.
Thin glue: the numbers come from ``landscapes.data`` and one cached call, the figures from
``figures.train_test`` and ``figures.model_view``."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from figures.model_view import model_figure
from figures.style import FigureStyle
from figures.train_test import add_test_contours, add_test_curves, early_stops
from landscapes.cost import is_data
from optimizers.minibatch import steps_per_epoch
from optimizers.runner import RunResult
from ui import compute
from ui.page import plain

__all__ = ["decorate", "is_data", "model_panel", "status_note", "table_columns"]


@st.cache_data(max_entries=32, show_spinner=False)
def data_losses(landscape: Any, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The mean loss without penalty over the training and the test examples at ``positions (R, K, 2)``:
    ``(R, K)`` each (test ``None`` without test examples)."""
    bare = dataclasses.replace(landscape, l2=0.0, split="train")
    train = bare.value(positions)
    test = bare.on("test").value(positions) if landscape.dataset.n_test else None
    return train, test


def status_note(landscape: Any) -> None:
    """Say why the loss has no minimum (separable classes without L2, ...), as plain text."""
    reason = landscape.no_minimum_reason
    if reason:
        st.info(plain(f"No minimum: {reason}. Runs head off to infinity; add an L2 penalty to create one."))
    elif getattr(landscape, "critical", None) is not None and landscape.critical.lower_at_infinity:
        st.info("Only local minima: far away the loss falls lower still (the network fits the noise).")


def decorate(
    landscape: Any, result: RunResult, figs: dict[str, go.Figure], labels: list[str], style: FigureStyle
) -> None:
    """Draw the test loss over the contour and the test curves on the loss figure (in place)."""
    if not landscape.dataset.n_test:
        return
    test = landscape.on("test")
    if "contour" in figs:
        add_test_contours(figs["contour"], test, compute.landscape_grid(test), style)
    _, test_losses = data_losses(landscape, result.positions)
    if "loss" in figs and test_losses is not None:
        add_test_curves(figs["loss"], result, test_losses, labels, style)


def table_columns(df: pd.DataFrame, scene: Any, landscape: Any, result: RunResult) -> pd.DataFrame:
    """``df`` (the results table) with each run's batch size, epochs, final train and test loss
    (without penalty), their gap, and the step of lowest test loss."""
    n = landscape.n_examples
    batch = np.array([min(c.noise.batch_size, n) for c in scene.run_configs()])[result.config_index]
    made = np.minimum(result.status_step, result.steps[-1])
    epochs = made / np.array([steps_per_epoch(n, int(b)) for b in batch])
    train, test = data_losses(landscape, result.positions)
    out = df.copy()
    out.insert(out.columns.get_loc("final loss") + 1, "batch B", [f"{b} of {n}" for b in batch])
    out.insert(out.columns.get_loc("batch B") + 1, "epochs", np.round(epochs, 2))
    out["train loss"] = train[:, -1]
    if test is not None:
        out["test loss"] = test[:, -1]
        out["gap (test - train)"] = test[:, -1] - train[:, -1]
        out["lowest test loss at step"] = early_stops(result, test)
    out.attrs = dict(df.attrs)
    return out


def model_panel(landscape: Any, result: RunResult, labels: list[str], style: FigureStyle) -> go.Figure:
    """The data and each run's fitted model, following the animation's steps."""
    st.subheader("See the model")
    fig = model_figure(landscape, result, labels, style)
    st.plotly_chart(fig, theme=None, key="model_chart")
    st.caption(
        "Dots: training examples; open circles: test examples. Each line is a run's model; the slider "
        "and play button step through training. Train and test losses in the table leave out the L2 penalty."
    )
    return fig
