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

from figures.style import FigureStyle
from figures.train_test import decorate_race, early_stops, train_test_losses
from landscapes.cost import is_data
from optimizers.minibatch import steps_per_epoch
from optimizers.runner import RunResult, Status
from ui import compute
from ui.page import plain

__all__ = ["decorate", "is_data", "model_panel", "status_note", "table_columns"]


@st.cache_data(max_entries=32, show_spinner=False)
def data_losses(landscape: Any, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """``figures.train_test.train_test_losses``, cached."""
    return train_test_losses(landscape, positions)


def conditioning(landscape: Any) -> str:
    """The Hessian's condition number at the minimum, raw and standardized feature side by side."""
    other = dataclasses.replace(landscape, standardize=not landscape.standardize)
    raw, std = (other, landscape) if landscape.standardize else (landscape, other)
    return (
        f"Condition number of the Hessian at the minimum: {raw.condition_number():.3g} with the raw feature, "
        f"{std.condition_number():.3g} standardized (1 is a round bowl; large is a ravine)."
    )


def status_note(landscape: Any) -> None:
    """Say why the loss has no minimum (separable classes without L2, ...), as plain text; else how
    round the bowl is."""
    reason = landscape.no_minimum_reason
    if not reason:
        st.caption(plain(conditioning(landscape)))
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
    _, test_losses = data_losses(landscape, result.positions)
    test_grid = compute.landscape_grid(landscape.on("test"), compute.IMAGE_N, landscape.window)  # an image
    decorate_race(landscape, result, figs, labels, style, test_grid, test_losses)


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
    out["status"] = no_minimum_statuses(list(out["status"]), scene, landscape, result)
    out.attrs = dict(df.attrs)
    return out


def no_minimum_statuses(statuses: list[str], scene: Any, landscape: Any, result: RunResult) -> list[str]:
    """``statuses`` (one per run) where a run with no minimum to reach says so: on a loss with none
    (separable classes without L2), a run whose optimizer adds no weight decay of its own and which
    neither diverged nor reached anything keeps growing its weights."""
    reason = landscape.no_minimum_reason
    if not reason:
        return statuses
    decays = [np.any(np.asarray(getattr(c.optimizer, "weight_decay", 0.0)) != 0) for c in scene.run_configs()]
    open_ended = {Status.RUNNING, Status.STALLED, Status.LEFT}
    return [
        f"no minimum: {reason.split(': ', 1)[-1]}" if not decays[int(ci)] and Status(int(code)) in open_ended else text
        for text, ci, code in zip(statuses, result.config_index, result.status, strict=True)
    ]


def model_panel(fig: go.Figure) -> None:
    """The data and each run's fitted model (``fig``, from ``figures.model_view.model_figure``),
    following the animation's steps."""
    st.subheader("See the model")
    st.plotly_chart(fig, theme=None, key="model_chart")
    st.caption(
        "Dots: training examples; open circles: test examples. Each line is a run's model; the slider "
        "and play button step through training. Train and test losses in the table leave out the L2 penalty."
    )
