"""The cached computations behind the pages. Arguments are frozen configs (hashable, picklable);
no widgets inside. A change of display options never re-runs a simulation, and a change of one
run's settings re-runs only that run (each run is cached on its own, with its noise streams
fixed by its position in the scene, so the pieces equal the scene computed whole)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

import numpy as np
import streamlit as st

import optimizers
from figures.contour import IMAGE_PX
from figures.grid import CONTOUR_N, SURFACE_N, LandscapeGrid, evaluate_grid
from landscapes.base import Landscape, Window
from landscapes.cost import grid_side
from optimizers import RunConfig, RunOptions, RunResult, guard
from optimizers.allocator import tune_allocator
from optimizers.cost import PAGE_BUDGET
from scenes import Scene

IMAGE_N = IMAGE_PX  # the race's landscape grid: its levels and its image, one evaluation
__all__ = ["IMAGE_N", "SURFACE_N", "guarded", "landscape_grid", "simulate", "simulate_one"]


@st.cache_data(max_entries=256, show_spinner=False)
def simulate_one(landscape: Landscape, config: RunConfig, starts: np.ndarray, options: RunOptions) -> RunResult:
    """One run config from every start."""
    tune_allocator()
    return optimizers.run(landscape, [config], starts, options)


def simulate(scene: Scene) -> RunResult:
    """All runs of ``scene`` with every step recorded; each run config cached separately. Under the
    work guard: if the runs go past the page's CPU budget, an error says so and the script stops."""
    landscape = scene.landscape_obj()
    starts = scene.starts_array()
    base = scene.options()
    try:
        with guarded("The race"):
            parts = [
                simulate_one(landscape, config, starts, dataclasses.replace(base, stream_offset=c * len(starts)))
                for c, config in enumerate(scene.run_configs())
            ]
    except guard.WorkLimitError as exc:
        from ui.page import plain

        st.error(plain(str(exc)))
        st.stop()
    return optimizers.concat_results(parts)


@contextlib.contextmanager
def guarded(what: str = "This computation") -> Iterator[None]:
    """Within the block the optimizer runner stops, between steps, work nobody waits for: when this
    session has gone or its user asked for another rerun (Streamlit's own stop/rerun request, raised
    as at any ``st`` call), or when this thread has used ``PAGE_BUDGET`` seconds of CPU
    (``guard.WorkLimitError``). Estimates (``optimizers.cost``) keep allowed work well below that."""
    with guard.watching(_session_check(), guard.cpu_limit(PAGE_BUDGET * guard_scale(), what)):
        yield


GUARD_SCALE_ENV = "OPTIMIZER_GUARD_SCALE"


def guard_scale() -> float:
    """The guard's limit as a multiple of ``PAGE_BUDGET``: 1 on a server. The test suite sets
    ``OPTIMIZER_GUARD_SCALE=2`` (``tests/conftest.py``): two test workers on two vCPUs slow each
    other's CPU time down (measured: a race cut to 2.9 s of CPU alone went past 5 s under the suite),
    and a test must not fail because the machine is busy; the budget itself is measured on a quiet
    machine by ``python -m benchmarks.cost``."""
    import os

    try:
        return max(float(os.environ.get(GUARD_SCALE_ENV, "1")), 1.0)
    except ValueError:
        return 1.0


def _session_check():
    """Streamlit's stop/rerun check for this script run (``None`` outside one, e.g. in bare tests)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_run_yield_check
    except ImportError:  # another Streamlit version: only the CPU limit applies
        return None
    return get_run_yield_check()


def landscape_grid(landscape: Landscape, n: int = CONTOUR_N, window: Window | None = None) -> LandscapeGrid:
    """The landscape evaluated on an ``n x n`` grid over ``window`` (default: its own; float32 for
    display); a data landscape over many examples on a coarser one (``landscapes.cost.grid_side``)."""
    return _landscape_grid(landscape, grid_side(landscape, n), window or landscape.window)


@st.cache_data(max_entries=64, show_spinner=False)
def _landscape_grid(landscape: Landscape, n: int, window: Window) -> LandscapeGrid:
    return evaluate_grid(landscape, window, n)
