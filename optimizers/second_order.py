"""Second-order and other methods: Newton, BFGS, nonlinear conjugate gradient, coordinate
descent; Polyak averaging as a wrapper. (Filled in by the second-order work.)"""

from __future__ import annotations

from optimizers.base import OptimizerConfig

ALL: list[type[OptimizerConfig]] = []
