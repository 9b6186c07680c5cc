"""The cached computations behind the pages. Arguments are frozen configs (hashable, picklable);
no widgets inside. A change of display options never re-runs a simulation, and a change of one
run's settings re-runs only that run: each run config's result is cached on its own, with its
noise streams fixed by its place in the scene, so the pieces equal the scene computed whole. The
configs not in the cache are run together, in one call (``optimizers.run`` advances every kind in
lockstep: for 12 optimizers one call costs about half of twelve)."""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Sequence

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
RUN_CACHE_ENTRIES = 256  # run configs kept (one config from every start of its scene)
__all__ = ["IMAGE_N", "SURFACE_N", "guarded", "landscape_grid", "run_configs", "simulate"]


class RunCache:
    """Results of one run config each, least recently used dropped past ``max_entries``; shared by
    every session of the server and safe across their threads. Values are never mutated."""

    def __init__(self, max_entries: int = RUN_CACHE_ENTRIES) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, RunResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> RunResult | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: RunResult) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)


@st.cache_resource(show_spinner=False)
def run_cache() -> RunCache:
    """The server's ``RunCache`` (Streamlit's "clear cache" empties it with the others)."""
    return RunCache()


def run_configs(
    landscape: Landscape, configs: Sequence[RunConfig], slots: Sequence[int], starts: np.ndarray, options: RunOptions
) -> RunResult:
    """``configs``, at places ``slots`` of their scene, from every start ``(S, 2)``: one call."""
    tune_allocator()
    return optimizers.run(landscape, list(configs), starts, options, config_slots=list(slots))


def simulate(scene: Scene) -> RunResult:
    """All runs of ``scene`` with every step recorded; each run config cached separately, the
    missing ones computed together. Under the work guard: if the runs go past the page's CPU
    budget, an error says so and the script stops."""
    landscape = scene.landscape_obj()
    starts = scene.starts_array()
    options = scene.options()
    configs = scene.run_configs()
    cache = run_cache()
    where = (landscape, starts.shape, starts.tobytes(), options)
    keys = [(*where, config, c) for c, config in enumerate(configs)]
    try:
        parts = [cache.get(key) for key in keys]
    except TypeError:  # a landscape that cannot be hashed: computed, not cached
        cache, parts = RunCache(0), [None] * len(configs)
    missing = [c for c, part in enumerate(parts) if part is None]
    if missing:
        try:
            with guarded("The race"):
                fresh = run_configs(landscape, [configs[c] for c in missing], missing, starts, options)
        except guard.WorkLimitError as exc:
            from ui.page import plain

            st.error(plain(str(exc)))
            st.stop()
        for c, part in zip(missing, optimizers.split_configs(fresh), strict=True):
            cache.put(keys[c], part)
            parts[c] = part
    return optimizers.concat_results([p for p in parts if p is not None])


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
