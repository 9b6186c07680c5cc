"""The cached computations behind the pages. Arguments are frozen configs (hashable, picklable);
no widgets inside. A change of display options never re-runs a simulation, and a change of one
run's settings re-runs only that run (each run is cached on its own, with its noise streams
fixed by its position in the scene, so the pieces equal the scene computed whole)."""

from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

import optimizers
from figures.grid import CONTOUR_N, LandscapeGrid, evaluate_grid
from landscapes.base import Landscape
from optimizers import RunConfig, RunOptions, RunResult
from optimizers.allocator import tune_allocator
from scenes import Scene

SURFACE_N = 60


@st.cache_data(max_entries=256, show_spinner=False)
def simulate_one(landscape: Landscape, config: RunConfig, starts: np.ndarray, options: RunOptions) -> RunResult:
    """One run config from every start."""
    tune_allocator()
    return optimizers.run(landscape, [config], starts, options)


def simulate(scene: Scene) -> RunResult:
    """All runs of ``scene`` with every step recorded; each run config cached separately."""
    landscape = scene.landscape_obj()
    starts = scene.starts_array()
    base = scene.options()
    parts = [
        simulate_one(landscape, config, starts, dataclasses.replace(base, stream_offset=c * len(starts)))
        for c, config in enumerate(scene.run_configs())
    ]
    return optimizers.concat_results(parts)


@st.cache_data(max_entries=64, show_spinner=False)
def landscape_grid(landscape: Landscape, n: int = CONTOUR_N) -> LandscapeGrid:
    """The landscape evaluated on an ``n x n`` grid over its window (float32 for display)."""
    return evaluate_grid(landscape, landscape.window, n)
