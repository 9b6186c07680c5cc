"""The results table: one row per run, what became of it, and a Styler that flags failures."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from figures import paths
from figures.contour import colors_for
from landscapes.base import coordinates, nearest
from landscapes.protocol import LandscapeLike
from optimizers.runner import RunResult, Status

STATUS_COLORS = {  # row backgrounds (CSS) by status
    Status.DIVERGED: "#f8d0c8",
    Status.LEFT: "#fbe3c0",
    Status.STALLED: "#eeeeee",
}
SWATCH = "■■"  # the colour column's text, drawn in the run's colour
MISSING = "—"  # shown for a value that does not exist (no known minimum, never within tolerance)
COLUMNS = (
    "colour",
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
    """One row per run: a colour swatch, label, optimizer name ("Momentum (averaged)"), start
    "(x, y)", final x / y / loss, distance to the nearest known minimum (missing when none is
    known), first step within tolerance of a minimum (missing if never), status in plain words
    ("reached the minimum at step 40", "diverged at step 12", ...: ``figures.paths.status_text``),
    gradient evaluations. Each row's status code and path colour are kept in ``df.attrs["status"]``
    and ``df.attrs["colors"]`` for :func:`results_html`."""
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
            "colour": [SWATCH] * R,
            "run": names,
            "optimizer": [(result.titles or result.kinds)[c] for c in result.config_index],
            "start": [f"({x:.4g}, {y:.4g})" for x, y in starts],
            "final x": fin[:, 0],
            "final y": fin[:, 1],
            "final loss": result.final_losses,
            "distance to minimum": dist,
            "steps to tolerance": hit,
            "status": [paths.status_text(result, r, landscape) for r in range(R)],
            "grad evaluations": result.evals[:, 1].astype(np.int64),
        },
        columns=list(COLUMNS),
    )
    df.attrs["status"] = [int(s) for s in result.status]
    colors = colors_for(result)
    df.attrs["colors"] = [colors[int(c)] for c in result.config_index]
    return df


def _row_status(df: pd.DataFrame) -> list[Status | None]:
    codes = df.attrs.get("status")
    if codes is not None and len(codes) == len(df):
        return [Status(c) for c in codes]
    if "status" not in df.columns:  # a table of something else than runs (a lesson's)
        return [None] * len(df)
    out: list[Status | None] = []  # a table rebuilt without attrs: read the status text
    for text in df["status"]:
        t = str(text)
        out.append(
            Status.DIVERGED
            if t.startswith("diverged")
            else Status.LEFT
            if t.startswith("left")
            else Status.STALLED
            if t.startswith("stuck")
            else None
        )
    return out


RESULTS_CSS = """<style>
.results-table { overflow-x: auto; max-width: 100%; }
.results-table table { border-collapse: collapse; width: 100%; font-size: 0.875rem; }
.results-table td { font-variant-numeric: tabular-nums; }
.results-table th, .results-table td { padding: 0.3rem 0.5rem; text-align: left; }
.results-table th, .results-table td { border-bottom: 1px solid rgba(49, 51, 63, 0.15); }
.results-table th { font-weight: 600; white-space: nowrap; }
</style>"""


def results_html(df: pd.DataFrame) -> str:
    """The results table as one self-contained HTML fragment: rows of failed runs (diverged, left
    the window, stuck) on their colour, the colour column in each run's path colour, every float to
    4 significant digits, missing values as "—", with inline styles only; every cell's text
    HTML-escaped (a run's label comes from a link); in a box that scrolls sideways by itself when the
    screen is narrower than the table."""
    statuses = _row_status(df)
    swatches = df.attrs.get("colors")
    if swatches is None or len(swatches) != len(df):
        swatches = [None] * len(df)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for i, (status, swatch) in enumerate(zip(statuses, swatches, strict=True)):
        row_css = f' style="background-color: {STATUS_COLORS[status]}"' if status in STATUS_COLORS else ""
        cells = []
        for col in df.columns:
            text = html.escape(_cell_text(df[col].iloc[i]))
            css = f' style="color: {swatch}"' if col == "colour" and swatch else ""
            cells.append(f"<td{css}>{text}</td>")
        rows.append(f"<tr{row_css}>{''.join(cells)}</tr>")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f'{RESULTS_CSS}<div class="results-table">{table}</div>'


def _cell_text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float | np.floating) and np.isnan(value)):
        return MISSING
    return f"{value:.4g}" if isinstance(value, float | np.floating) else str(value)
