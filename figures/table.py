"""The results table: one row per run, what became of it, and a Styler that flags failures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from figures import paths
from landscapes.base import coordinates, nearest
from landscapes.protocol import LandscapeLike
from optimizers.runner import RunResult, Status

STATUS_COLORS = {  # row backgrounds (CSS) by status
    Status.DIVERGED: "#f8d0c8",
    Status.LEFT: "#fbe3c0",
    Status.STALLED: "#eeeeee",
}
COLUMNS = (
    "run",
    "optimizer",
    "start",
    "final x",
    "final y",
    "final loss",
    "distance to minimum",
    "steps to tolerance",
    "status",
    "grad evaluations",
)


def results_table(
    result: RunResult, labels: Sequence[str] | None = None, landscape: LandscapeLike | None = None
) -> pd.DataFrame:
    """One row per run: label, optimizer kind, start "(x, y)", final x / y / loss, distance to the
    nearest known minimum (missing when none is known), first step within tolerance of a minimum
    (missing if never), status text ("converged", "diverged at step 12", ...), gradient evaluations.
    The status code of each row is kept in ``df.attrs["status"]`` for :func:`highlight_status`."""
    R = len(result.status)
    names = paths.names(result, labels)
    starts = result.positions[:, 0]
    fin = result.final_positions
    hit = pd.array([int(h) if h >= 0 else None for h in result.hit_step], dtype="Int64")
    if landscape is not None and landscape.minima():
        dist = pd.array(nearest(fin, coordinates(landscape.minima()))[1], dtype="Float64")
    else:
        dist = pd.array([None] * R, dtype="Float64")
    df = pd.DataFrame(
        {
            "run": names,
            "optimizer": [result.kinds[c] for c in result.config_index],
            "start": [f"({x:.4g}, {y:.4g})" for x, y in starts],
            "final x": fin[:, 0],
            "final y": fin[:, 1],
            "final loss": result.final_losses,
            "distance to minimum": dist,
            "steps to tolerance": hit,
            "status": [paths.status_text(result, r) for r in range(R)],
            "grad evaluations": result.evals[:, 1].astype(np.int64),
        },
        columns=list(COLUMNS),
    )
    df.attrs["status"] = [int(s) for s in result.status]
    return df


def _row_status(df: pd.DataFrame) -> list[Status | None]:
    codes = df.attrs.get("status")
    if codes is not None and len(codes) == len(df):
        return [Status(c) for c in codes]
    out: list[Status | None] = []  # a table rebuilt without attrs: read the status text
    for text in df["status"]:
        t = str(text)
        out.append(
            Status.DIVERGED
            if t.startswith("diverged")
            else Status.LEFT
            if t.startswith("left")
            else Status.STALLED
            if t.startswith("stalled")
            else None
        )
    return out


def highlight_status(df: pd.DataFrame) -> Any:
    """A ``pandas.io.formats.style.Styler`` of ``df`` with diverged rows (and rows that left the
    window or stalled) on a coloured background; numbers shown to 4 significant digits."""
    statuses = _row_status(df)

    def colour(frame: pd.DataFrame) -> pd.DataFrame:
        css = [f"background-color: {STATUS_COLORS[s]}" if s in STATUS_COLORS else "" for s in statuses]
        return pd.DataFrame({c: css for c in frame.columns}, index=frame.index)

    numeric = [c for c in ("final x", "final y", "final loss", "distance to minimum") if c in df.columns]
    return df.style.apply(colour, axis=None).format("{:.4g}", subset=numeric, na_rep="")
