"""What one evaluation of a landscape costs on this machine, for estimating a run before it starts.

An evaluation of ``n`` points costs ``call + n * point`` seconds (a batched NumPy call has a fixed
cost, then a cost per point), separately for the value, the gradient and the Hessian.

- Built-in landscapes: a constant per class (``BUILTIN``), measured with
  ``python -m benchmarks.cost --calibrate`` on the project's 2-core machine and rounded up, so the
  same scene gets the same estimate on every run (links cut by cost are cut the same way).
- A typed formula (or any landscape not in the table): measured once, at first use, by timing a
  vectorized evaluation of ``PROBE_POINTS`` points and of one point (best of ``REPEATS``, in this
  thread's CPU time, so other sessions' work does not inflate it), cached per landscape.

Pure NumPy: no Streamlit, no Plotly.
"""

from __future__ import annotations

import functools
import time
from typing import NamedTuple

import numpy as np

from landscapes.protocol import LandscapeLike

PROBE_POINTS = 256  # points of the measured vectorized evaluation
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
    "rosenbrock": _cost((4.3, 11), (7.6, 14), (19, 32)),
    "quadratic": _cost((2.9, 6.3), (1.4, 4.1), (18, 27)),
    "booth": _cost((5.7, 13), (11, 16), (18, 24)),
    "matyas": _cost((4.1, 11), (6.5, 11), (17, 27)),
    "beale": _cost((31, 57), (42, 52), (62, 83)),
    "himmelblau": _cost((5, 12), (11, 18), (24, 41)),
    "goldstein_price": _cost((51, 82), (55, 83), (70, 110)),
    "six_hump_camel": _cost((7.7, 15), (11, 110), (20, 30)),
    "styblinski_tang": _cost((9.9, 160), (4, 150), (19, 30)),
    "rastrigin": _cost((7.3, 42), (3.5, 37), (20, 59)),
    "ackley": _cost((13, 50), (20, 87), (45, 170)),
    "saddle": _cost((2.1, 5.8), (4.4, 7.2), (18, 26)),
    "bounded_saddle": _cost((3.8, 9.1), (5.8, 9.8), (19, 27)),
    "plateau": _cost((35, 66), (32, 61), (32, 59)),
    "ravine": _cost((11, 38), (8.6, 6.7), (12, 12)),
    "sharp_flat": _cost((68, 130), (67, 120), (67, 120)),
    "local_minima": _cost((5.8, 14), (9.4, 17), (21, 35)),
}


def eval_cost(landscape: LandscapeLike) -> EvalCost:
    """The cost of ``landscape``'s evaluations: its class's constant, else measured (and cached)."""
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
    """Time ``landscape``'s value, gradient and Hessian at one point and at ``n`` points spread over
    its window; ``call`` is the one-point time, ``point`` the extra time per point, both times
    ``margin``."""
    w = landscape.window
    side = max(int(np.sqrt(n)), 1)
    xs, ys = np.meshgrid(np.linspace(w.xmin, w.xmax, side), np.linspace(w.ymin, w.ymax, side))
    many = np.stack([xs.ravel(), ys.ravel()], axis=-1)
    one = many[len(many) // 2 : len(many) // 2 + 1]
    out = []
    with np.errstate(all="ignore"):
        for fn in (landscape.value, landscape.grad, landscape.hessian):
            fn(one)  # warm up (first calls compile or allocate)
            t1 = _best(lambda fn=fn: [fn(one) for _ in range(CALLS)]) / CALLS
            tn = _best(lambda fn=fn: fn(many))
            out.append(Eval(margin * t1, margin * max(tn - t1, 0.0) / len(many)))
    return EvalCost(*out)


def _best(work) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.thread_time()
        work()
        best = min(best, time.thread_time() - t0)
    return best
