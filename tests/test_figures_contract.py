"""Figure builders as a whole: payload sizes, the palette, no Streamlit, and the landscape protocol
being all the runner and the figures need."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

import figures
import landscapes
import optimizers
from landscapes.base import Landscape
from landscapes.protocol import LandscapeLike
from optimizers import RunOptions
from tests.figures_support import configs

ROOT = Path(__file__).resolve().parent.parent


# --- size, palette, isolation --------------------------------------------------------------
def test_default_scene_payload_is_small():
    """Rosenbrock, 4 runs x 500 steps (the default scene): all four figures well under 500 KB."""
    L = landscapes.get("rosenbrock")
    cfgs = configs(
        ("sgd", "", dict(lr=1e-3)),
        ("momentum", "", dict(lr=1e-3, momentum=0.9)),
        ("rmsprop", "", dict(lr=1e-2)),
        ("adam", "", dict(lr=5e-2)),
    )
    result = optimizers.run(L, cfgs, np.array([[-1.5, 2.0]]), RunOptions(steps=500))
    figs = [
        figures.contour_figure(L, None, result),
        figures.surface_figure(L, None, result),
        figures.loss_figure(result),
        figures.distance_figure(result, L),
    ]
    sizes = [len(f.to_json()) for f in figs]
    assert sum(sizes) < 450_000, sizes
    assert all(isinstance(f, go.Figure) for f in figs)


def test_animation_payload_is_bounded():
    L = landscapes.get("rosenbrock")
    kinds = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "amsgrad", "nadam"]
    cfgs = configs(*[(k, "", dict(lr=1e-3 if k in ("sgd", "momentum", "nesterov") else 1e-2)) for k in kinds])
    result = optimizers.run(L, cfgs, np.array([[-1.5, 2.0]]), RunOptions(steps=2000))
    fig = figures.animation_figure(L, None, result, max_frames=60)
    assert len(fig.frames) <= 60
    assert len(fig.to_json()) < 1_500_000


def test_run_colors_are_distinct_and_colour_blind_safe_first():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert set(figures.run_colors(8)) == okabe_ito
    assert len(set(figures.run_colors(17))) == 17 and len(figures.run_colors(20)) == 20


def test_figures_never_import_streamlit():
    for path in (ROOT / "figures").glob("*.py"):
        assert "streamlit" not in path.read_text(), path
    code = "import sys, figures; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# --- the landscape contract --------------------------------------------------------------------
PROTOCOL_MEMBERS = frozenset(n for n in vars(LandscapeLike) if not n.startswith("_"))


class OnlyTheProtocol:
    """A landscape seen through ``LandscapeLike`` alone: any other attribute is missing."""

    def __init__(self, inner: Landscape) -> None:
        self._inner = inner

    def __getattr__(self, name: str):
        if name in PROTOCOL_MEMBERS:
            return getattr(self._inner, name)
        raise AttributeError(name)


@pytest.mark.parametrize("name", ["himmelblau", "saddle"])  # with minima; with a saddle and none
def test_the_runner_and_figures_need_only_the_landscape_protocol(name):
    full = landscapes.get(name)
    bare = OnlyTheProtocol(full)
    assert isinstance(bare, LandscapeLike) and not hasattr(bare, "minima_array")
    cfgs = configs(("sgd", "GD", dict(lr=0.02)), ("newton", "Newton", dict()))
    starts = np.array([[0.3, 0.4], [-1.0, 1.5]])
    got, want = (optimizers.run(L, cfgs, starts, RunOptions(steps=60)) for L in (bare, full))
    for field in ("positions", "losses", "status", "status_step", "hit_step", "nearest_minimum", "distance", "evals"):
        np.testing.assert_array_equal(getattr(got, field), getattr(want, field), err_msg=field)
    grid = figures.evaluate_grid(full, None, 40)
    built = {
        "contour": lambda L: figures.contour_figure(L, grid, want),
        "surface": lambda L: figures.surface_figure(L, grid, want),
        "animation": lambda L: figures.animation_figure(L, grid, want),
        "distance": lambda L: figures.distance_figure(want, L),
    }
    for what, build in built.items():
        assert build(bare).to_json() == build(full).to_json(), what
    table_bare, table_full = (figures.results_table(want, landscape=L) for L in (bare, full))
    pd.testing.assert_frame_equal(table_bare, table_full)
