"""What one evaluation of a landscape costs on this machine, for estimating a run before it starts.

An evaluation of ``n`` points costs ``call + n * point`` seconds (a batched NumPy call has a fixed
cost, then a cost per point), separately for the value, the gradient and the Hessian.

- Built-in landscapes: a constant per class (``BUILTIN``), measured with
  ``python -m benchmarks.cost --calibrate`` on the project's 2-core machine and rounded up, so the
  same scene gets the same estimate on every run (links cut by cost are cut the same way).
- A data landscape (``landscapes.data``): a constant per model and loss for each example, times the
  training examples ``n`` (``DATA_PER_EXAMPLE``; the squared loss of a line reads the data's
  moments, so its cost does not grow with ``n``), measured with ``python -m benchmarks.data_landscape
  --calibrate`` and rounded up; a real minibatch gradient costs ``MINIBATCH`` per call and per run
  and drawn example (the indices, the epoch's shuffle shared by its steps, the kernel).
- A typed formula (or any landscape not in the table): measured once, at first use, by timing
  vectorized evaluations of one point, ``SMALL`` points and ``PROBE_POINTS`` points (best of
  ``REPEATS``, in this thread's CPU time, so other sessions' work does not inflate it), cached per
  landscape. The cost per point is the slope between the two larger sizes: arrays that no longer
  fit in the CPU's caches cost more per point than a few hundred points do.

Pure NumPy: no Streamlit, no Plotly.
"""

from __future__ import annotations

import functools
import time
from typing import NamedTuple

import numpy as np

from landscapes.protocol import LandscapeLike

PROBE_POINTS = 4096  # points of the larger measured vectorized evaluation
SMALL = 256  # points of the smaller one
REPEATS = 3  # best of this many timings
CALLS = 5  # one-point calls per timing (a single call is too short to time)
MARGIN = 1.5  # measured costs are multiplied by this (timings vary by a few tens of percent)


class Eval(NamedTuple):
    """Seconds of one batched evaluation: ``call + n * point``."""

    call: float
    point: float

    def seconds(self, n: float) -> float:
        return self.call + n * self.point


class EvalCost(NamedTuple):
    """The cost of a landscape's value, gradient and Hessian."""

    value: Eval
    grad: Eval
    hessian: Eval


def _cost(v: tuple[float, float], g: tuple[float, float], h: tuple[float, float]) -> EvalCost:
    """From (call in microseconds, point in nanoseconds) pairs."""
    return EvalCost(*(Eval(c * 1e-6, p * 1e-9) for c, p in (v, g, h)))


# (call us, point ns) for value, gradient, Hessian; python -m benchmarks.cost --calibrate, x MARGIN
BUILTIN: dict[str, EvalCost] = {
    "rosenbrock": _cost((4.3, 2.2), (7.7, 3.8), (19, 18)),
    "quadratic": _cost((2.9, 0.94), (1.4, 0.1), (18, 17)),
    "booth": _cost((5.9, 2.9), (11, 4.2), (18, 16)),
    "matyas": _cost((4.2, 2.5), (6.5, 3.3), (18, 16)),
    "beale": _cost((32, 16), (42, 19), (63, 41)),
    "himmelblau": _cost((5.2, 2.8), (11, 5.3), (24, 21)),
    "goldstein_price": _cost((52, 27), (56, 29), (71, 46)),
    "six_hump_camel": _cost((7.9, 4), (12, 88), (21, 18)),
    "styblinski_tang": _cost((11, 180), (4.1, 160), (19, 18)),
    "rastrigin": _cost((7.5, 32), (3.7, 29), (21, 46)),
    "ackley": _cost((14, 36), (21, 69), (47, 120)),
    "saddle": _cost((2.1, 0.76), (4.6, 1.9), (19, 17)),
    "bounded_saddle": _cost((4, 1.7), (6, 2.8), (19, 17)),
    "plateau": _cost((37, 41), (33, 40), (33, 44)),
    "ravine": _cost((11, 33), (8.8, 2.4), (12, 6.3)),
    "sharp_flat": _cost((69, 80), (68, 78), (68, 79)),
    "local_minima": _cost((6, 3.8), (9.7, 4.9), (22, 20)),
}


# data landscapes: (call us, ns per point per training example) for value, gradient, Hessian;
# python -m benchmarks.data_landscape --calibrate (2-core machine, loaded), x MARGIN, rounded up
DATA_PER_EXAMPLE: dict[str, EvalCost] = {
    "data_linear/huber": _cost((65, 3), (40, 2.5), (55, 3)),
    "data_logistic": _cost((55, 6), (45, 4), (60, 4)),
    "data_tanh": _cost((40, 4), (50, 5.5), (75, 8)),
}
DATA_MOMENTS = _cost((25, 5), (15, 5), (50, 10))  # the line's squared loss: from the moments, any n
MINIBATCH = Eval(40e-6, 100e-9)  # per call; per run and drawn example (measured 15-25 us, 9 + 55 ns)
# the grids the race page evaluates beyond its runs: the landscape image (figures.contour.IMAGE_PX,
# 300 x 300) and the surface (figures.grid.SURFACE_N, 40 x 40)
CONTOUR_SIDE, SURFACE_SIDE = 300, 40
PAGE_GRID_POINTS = CONTOUR_SIDE**2 + SURFACE_SIDE**2
DATA_GRID_EVALS = 6e7  # a data landscape's grid: at most this many (point, example) evaluations
MIN_GRID_SIDE = 40


def is_data(landscape: object) -> bool:
    """A landscape (or landscape class) whose value is a mean over examples, with real minibatches."""
    return hasattr(landscape, "minibatch_grad") and hasattr(landscape, "n_examples")


def data_eval_cost(landscape: LandscapeLike) -> EvalCost:
    """A data landscape's cost: per model and loss, scaled by its training examples."""
    key = landscape.key
    if key == "data_linear":
        if getattr(landscape, "loss", "squared") != "huber":
            return DATA_MOMENTS
        key = "data_linear/huber"
    n = int(getattr(landscape, "n_examples", 1))
    per = DATA_PER_EXAMPLE.get(key, DATA_PER_EXAMPLE["data_tanh"])
    return EvalCost(*(Eval(e.call, n * e.point) for e in per))


def minibatch_seconds(landscape: object, runs: int, batch: int) -> float:
    """Seconds of one step's minibatch gradients for ``runs`` runs of ``batch`` examples each (0 on a
    formula landscape, or when the batch is the whole training set: the exact gradient is used)."""
    if not is_data(landscape) or batch <= 0 or batch >= int(landscape.n_examples):
        return 0.0
    return MINIBATCH.call + runs * batch * MINIBATCH.point


def grid_side(landscape: object, side: int) -> int:
    """The side of an ``side x side`` display grid for ``landscape``: as asked for a formula; for a data
    landscape at most ``sqrt(DATA_GRID_EVALS / n)`` (at least ``MIN_GRID_SIDE``), so a grid over many
    examples stays a fraction of a second (the loss of a two-parameter model is smooth: a coarser grid
    draws the same contours)."""
    if not is_data(landscape):
        return side
    fit = int((DATA_GRID_EVALS / max(int(landscape.n_examples), 1)) ** 0.5)
    return min(side, max(fit, MIN_GRID_SIDE))


def page_grid_points(landscape: object) -> int:
    """The points of the race page's contour and surface grids for ``landscape``."""
    return grid_side(landscape, CONTOUR_SIDE) ** 2 + grid_side(landscape, SURFACE_SIDE) ** 2


def grid_seconds(landscape: object, points: int = PAGE_GRID_POINTS) -> float:
    """What evaluating a data landscape's value on ``points`` grid points costs, beyond the fixed
    share of a page's budget for grids and figures (0 for a formula landscape: that share covers it)."""
    if not is_data(landscape):
        return 0.0
    return data_eval_cost(landscape).value.seconds(points)


def eval_cost(landscape: LandscapeLike) -> EvalCost:
    """The cost of ``landscape``'s evaluations: its class's constant, else measured (and cached)."""
    if is_data(landscape):
        return data_eval_cost(landscape)
    key = getattr(landscape, "key", "")
    if key in BUILTIN and not getattr(landscape, "user_defined", False):
        return BUILTIN[key]
    try:
        return _measured(landscape)
    except TypeError:  # an unhashable landscape-like object: measure, uncached
        return measure(landscape)


@functools.lru_cache(maxsize=256)
def _measured(landscape: LandscapeLike) -> EvalCost:
    return measure(landscape)


def measure(landscape: LandscapeLike, n: int = PROBE_POINTS, margin: float = MARGIN) -> EvalCost:
    """Time ``landscape``'s value, gradient and Hessian at one point, at ``SMALL`` points and at ``n``
    points spread over its window: ``call`` is the one-point time, ``point`` the slope between the
    two larger sizes, both times ``margin``."""
    w = landscape.window
    side = max(int(np.sqrt(n)), 2)
    xs, ys = np.meshgrid(np.linspace(w.xmin, w.xmax, side), np.linspace(w.ymin, w.ymax, side))
    many = np.stack([xs.ravel(), ys.ravel()], axis=-1)
    few = many[:: max(len(many) // SMALL, 1)][:SMALL]
    one = many[len(many) // 2 : len(many) // 2 + 1]
    out = []
    with np.errstate(all="ignore"):
        for fn in (landscape.value, landscape.grad, landscape.hessian):
            fn(one)  # warm up (first calls compile or allocate)
            t1 = _best(lambda fn=fn: [fn(one) for _ in range(CALLS)]) / CALLS
            t_few, t_many = _best(lambda fn=fn: fn(few)), _best(lambda fn=fn: fn(many))
            slope = max(t_many - t_few, 0.0) / max(len(many) - len(few), 1)
            out.append(Eval(margin * t1, margin * slope))
    return EvalCost(*out)


def _best(work) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.thread_time()
        work()
        best = min(best, time.thread_time() - t0)
    return best
