"""Suggested learning rates, all in one place: a table keyed by landscape and optimizer kind, used
by the race (a new landscape sets each run's rate) and the "Inside the optimizer" lesson, and the
noisy lessons' (learning rate, noise) per landscape (``NOISY``: batch size, schedules).

``BASE`` holds a rate per kind that shows the method well on the Ravine; ``OVERRIDES`` replaces it
where that rate would diverge, leave the window or stop short of a minimum that another rate
reaches within ``STEPS`` steps from the landscape's first start (derived by
``benchmarks/suggested_lr.py``, checked pair by pair in ``tests/test_suggested_lr.py`` with
``judge``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

import landscapes
from optimizers.registry import make
from optimizers.runner import RunConfig, RunOptions, Status, run

STEPS = 500  # steps a suggestion is judged over (the race's default)

BASE: dict[str, float] = {
    "sgd": 0.02,
    "momentum": 0.005,
    "nesterov": 0.005,
    "adagrad": 0.5,
    "adadelta": 1.0,
    "rmsprop": 0.02,
    "adam": 0.05,
    "amsgrad": 0.05,
    "adamw": 0.05,
    "adamax": 0.1,
    "nadam": 0.05,
    "radam": 0.1,
    "rprop": 0.01,  # Rprop's initial step size
    "asgd": 0.02,
    "adafactor": 0.1,
    "signsgd": 0.03,
    "lion": 0.03,
    "newton": 1.0,  # second-order methods: the full (line-searched) step
    "bfgs": 1.0,
    "cg": 1.0,
    "lbfgs": 1.0,
    "coordinate": 0.02,
}
# derived by benchmarks/suggested_lr.py (paste its output here)
OVERRIDES: dict[str, dict[str, float]] = {
    "rosenbrock": {
        "sgd": 0.000625,
        "momentum": 0.000625,
        "nesterov": 0.0003125,
        "radam": 0.003125,
        "asgd": 0.000625,
        "lion": 0.015,
        "newton": 0.25,
        "coordinate": 0.0025,
    },
    "quadratic": {"signsgd": 0.015, "lion": 0.015, "coordinate": 0.16},
    "booth": {"adadelta": 8.0, "signsgd": 0.015, "lion": 0.015},
    "matyas": {
        "momentum": 0.04,
        "nesterov": 0.04,
        "adagrad": 4.0,
        "adadelta": 8.0,
        "rmsprop": 0.16,
        "adam": 0.4,
        "amsgrad": 0.4,
        "adamw": 0.4,
        "adamax": 0.8,
        "nadam": 0.4,
        "radam": 0.8,
    },
    "beale": {
        "adagrad": 2.0,
        "rmsprop": 0.16,
        "adam": 0.4,
        "amsgrad": 0.4,
        "nadam": 0.4,
        "radam": 0.00625,
        "lion": 0.24,
        "bfgs": 2.0,
        "lbfgs": 7.62939453125e-06,
    },
    "himmelblau": {"radam": 0.05, "signsgd": 0.015, "lion": 0.015},
    "goldstein_price": {
        "sgd": 1.220703125e-06,
        "momentum": 7.62939453125e-08,
        "nesterov": 3.0517578125e-07,
        "adagrad": 0.00390625,
        "adadelta": 0.03125,
        "rmsprop": 0.0003125,
        "adam": 0.000390625,
        "amsgrad": 0.000390625,
        "adamw": 0.000390625,
        "adamax": 0.000390625,
        "nadam": 0.000390625,
        "radam": 7.62939453125e-07,
        "rprop": 3.90625e-05,
        "asgd": 1.220703125e-06,
        "adafactor": 0.0001953125,
        "signsgd": 0.0075,
        "lion": 0.00046875,
        "cg": 0.0001220703125,
        "coordinate": 1.220703125e-06,
    },
    "six_hump_camel": {"radam": 0.025, "signsgd": 0.015},
    "rastrigin": {
        "sgd": 0.0025,
        "radam": 0.003125,
        "asgd": 0.0025,
        "adafactor": 0.025,
        "signsgd": 0.015,
        "lion": 0.015,
        "newton": 0.25,
        "coordinate": 0.0025,
    },
    "ackley": {"adafactor": 0.0125, "signsgd": 0.0075, "lion": 0.0075, "lbfgs": 0.03125},
    "saddle": {"cg": 0.03125, "lbfgs": 0.03125},
    "bounded_saddle": {"adadelta": 8.0, "signsgd": 0.015, "lion": 0.015},
    "plateau": {"adadelta": 4.0, "adafactor": 0.05, "signsgd": 0.015, "lion": 0.015},
    "ravine": {"lion": 0.015, "coordinate": 0.04},
    "sharp_flat": {"adafactor": 0.05, "signsgd": 0.015, "lion": 0.015},
    "local_minima": {"adadelta": 8.0, "signsgd": 0.00375, "lion": 0.015},
}
# pairs where no rate of the derivation reaches a minimum in ``STEPS`` steps (slow valleys, the saddle
# with none, Newton drawn to a saddle or a maximum): there a suggestion only has to be safe
UNREACHED: dict[str, tuple[str, ...]] = {
    "rosenbrock": (
        "sgd",
        "momentum",
        "nesterov",
        "adagrad",
        "adadelta",
        "rmsprop",
        "adam",
        "amsgrad",
        "adamw",
        "adamax",
        "nadam",
        "radam",
        "rprop",
        "asgd",
        "adafactor",
        "signsgd",
        "coordinate",
    ),
    "booth": ("adamw",),
    "matyas": ("sgd", "asgd", "adafactor", "signsgd", "lion", "coordinate"),
    "beale": (
        "sgd",
        "adadelta",
        "adamw",
        "adamax",
        "radam",
        "rprop",
        "asgd",
        "adafactor",
        "signsgd",
        "lion",
        "newton",
        "cg",
        "lbfgs",
        "coordinate",
    ),
    "himmelblau": ("newton",),
    "goldstein_price": (
        "sgd",
        "momentum",
        "nesterov",
        "adagrad",
        "adadelta",
        "rmsprop",
        "adam",
        "amsgrad",
        "adamw",
        "adamax",
        "nadam",
        "radam",
        "asgd",
        "adafactor",
        "signsgd",
        "lion",
        "coordinate",
    ),
    "styblinski_tang": ("newton",),
    "rastrigin": ("newton",),
    "ackley": ("newton",),
    "saddle": (
        "sgd",
        "momentum",
        "nesterov",
        "adagrad",
        "adadelta",
        "rmsprop",
        "adam",
        "amsgrad",
        "adamw",
        "adamax",
        "nadam",
        "radam",
        "rprop",
        "asgd",
        "adafactor",
        "signsgd",
        "lion",
        "newton",
        "bfgs",
        "cg",
        "lbfgs",
        "coordinate",
    ),
    "bounded_saddle": ("newton",),
    "plateau": ("sgd", "momentum", "nesterov", "asgd", "coordinate"),
    "ravine": ("adadelta", "signsgd"),
    "local_minima": ("newton",),
}
# pairs no rate of the derivation keeps in the window (Rprop's steps grow whatever the first one;
# CG's line search runs off Beale's flat arms)
NO_SAFE_RATE: frozenset[tuple[str, str]] = frozenset({("beale", "rprop"), ("beale", "cg")})
# the noisy lessons (batch size, schedules): (learning rate, per-sample gradient noise sigma) that show
# the lesson with plain SGD; on the data landscapes the minibatch is the noise (sigma unused)
NOISY: dict[str, tuple[float, float]] = {
    "himmelblau": (0.01, 20.0),
    "quadratic": (0.1, 4.0),
    "ravine": (0.02, 5.0),
    "sharp_flat": (0.1, 2.0),
    "rastrigin": (0.01, 10.0),
    "ackley": (0.2, 2.0),
    "data_linear": (0.02, 0.0),
    "data_tanh": (0.1, 0.0),
}


def suggested_lr(landscape: str, kind: str) -> float:
    """The suggested learning rate of optimizer ``kind`` on ``landscape`` (its Ravine rate where the
    landscape has no entry of its own; the kind's own default for a kind not in the table)."""
    own = OVERRIDES.get(landscape, {})
    if kind in own:
        return own[kind]
    if kind in BASE:
        return BASE[kind]
    import dataclasses

    from optimizers.registry import optimizer_class

    return next(f.default for f in dataclasses.fields(optimizer_class(kind)) if f.name == "lr")


class Verdict(NamedTuple):
    """How one learning rate did from the landscape's first start over ``STEPS`` steps."""

    safe: bool  # neither diverged nor left the window (nor, where minima are known, went outside it)
    reached: bool  # came within the tolerance of a known minimum
    hit_step: int  # the first step it did (-1: never)
    distance: float  # final distance to the nearest known minimum (inf: none known)


def judge(landscape: str, pairs: Sequence[tuple[str, float]], steps: int = STEPS) -> list[Verdict]:
    """Run each ``(kind, lr)`` of ``pairs`` from ``landscape``'s first start, all in one call of the
    core runner, and say how each did. On a landscape unbounded below with no minimum (the saddle)
    leaving the window is the lesson: there only divergence is unsafe."""
    land = landscapes.get(landscape)
    configs = [RunConfig(make(kind, lr=lr)) for kind, lr in pairs]
    start = np.asarray(land.starts[:1], dtype=float)
    result = run(land, configs, start, RunOptions(steps=steps, record_every=1))
    w = land.window
    xs, ys = result.positions[..., 0], result.positions[..., 1]
    inside = np.all((xs >= w.xmin) & (xs <= w.xmax) & (ys >= w.ymin) & (ys <= w.ymax), axis=1)
    escape_ok = land.unbounded_below and not land.minima()
    out = []
    for r in range(len(configs)):
        status = Status(int(result.status[r]))
        safe = status != Status.DIVERGED and (escape_ok or (status != Status.LEFT and bool(inside[r])))
        hit = int(result.hit_step[r])
        out.append(Verdict(safe, hit >= 0, hit, float(result.distance[r])))
    return out


def formula_landscapes() -> list[str]:
    """The landscapes a suggestion is judged on: every formula landscape (no data, no typed formula)."""
    return [
        k for k in landscapes.names() if not k.startswith("data_") and not landscapes.landscape_class(k).user_defined
    ]
