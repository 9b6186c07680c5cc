"""The projector's leaderboard and figures from stored submissions."""

from __future__ import annotations

import numpy as np

from classroom.board import leaderboard, lr_values
from classroom.records import Submission
from figures.classroom import PathLine, lr_spread_figure, projector_figure
from figures.grid import evaluate_grid
from landscapes import get


def _sub(i: int, member: int, nick: str, opt: str, lr: float, score: float | None) -> Submission:
    return Submission(
        i, 1, member, nick, 1, 100.0 + i, opt, {"lr": lr}, (0.0, 0.0), score, score, "ok", [[0, 0], [1, 1]]
    )


SUBS = [
    _sub(1, 10, "Ann", "sgd", 0.1, 30.0),
    _sub(2, 11, "Bob", "adam", 0.05, None),
    _sub(3, 12, "Cy", "adam", 0.01, 12.0),
    _sub(4, 10, "Ann", "sgd", 0.2, 12.0),
]


def test_leaderboard_ranks_hides_and_reveals():
    t = leaderboard(SUBS, "fewest_steps", hide_names=False, revealed=True)
    assert list(t["id"]) == [3, 4, 1, 2]  # lower is better, ties by time, no score last
    assert list(t["rank"]) == [1, 2, 3, 4] and t["settings"].iloc[0] == "lr=0.01"
    hidden = leaderboard(SUBS, "fewest_steps", hide_names=True, revealed=False)
    assert list(hidden["nickname"]) == ["Student 1", "Student 2", "Student 3", "Student 1"]
    assert list(hidden["id"]) == [1, 2, 3, 4] and not any("score" in c for c in hidden.columns)
    assert leaderboard([], "lowest_loss", False, True).empty


def test_projector_figure_one_trace_per_optimizer_and_escaped_labels():
    land = get("quadratic")
    lines = [PathLine(s.optimizer, np.array(s.path, float), s.nickname) for s in SUBS]
    lines.append(PathLine("sgd", np.array([[0.5, 0.5], [0.2, 0.1]]), "<img src=x onerror=alert(1)>"))
    fig = projector_figure(land, evaluate_grid(land, land.window, 40), lines)
    subs = [t for t in fig.data if (t.meta or {}).get("role") == "submissions"]
    assert sorted(t.name for t in subs) == ["adam (2)", "sgd (3)"]
    sgd = next(t for t in subs if t.name.startswith("sgd"))
    assert sum(x is None for x in sgd.x) == 3 and "&lt;img src=x onerror=alert(1)&gt;" in sgd.text
    assert all("<img" not in str(t) for t in sgd.text)
    opts, lrs = lr_values(SUBS)
    spread = lr_spread_figure(opts, lrs)
    assert sorted(len(t.x) for t in spread.data) == [2, 2] and spread.layout.xaxis.type == "log"


def test_the_classroom_core_never_imports_streamlit_or_plotly():
    import subprocess
    import sys

    from tests.browser_support import ROOT

    code = "import sys, classroom.rooms, classroom.board; assert not {'streamlit', 'plotly'} & set(sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
