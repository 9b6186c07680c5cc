"""Vectorized optimizers (pure init/update pairs over (N, 2) arrays), schedules, noise, runner."""

from optimizers import adafactor, first_order, lbfgs, rprop_asgd, second_order, sign_methods
from optimizers.base import OptimizerConfig, Oracle, stack_configs
from optimizers.noise import Noise
from optimizers.registry import UnknownOptimizerError, make, names, optimizer_class, register
from optimizers.results import RunConfig, RunOptions, RunResult, Status, concat_results, split_configs
from optimizers.runner import run
from optimizers.schedules import SCHEDULES, Constant, Schedule, make_schedule

for _cls in first_order.ALL + second_order.ALL + rprop_asgd.ALL + adafactor.ALL + sign_methods.ALL + lbfgs.ALL:
    register(_cls)

__all__ = [
    "SCHEDULES",
    "Constant",
    "Noise",
    "OptimizerConfig",
    "Oracle",
    "RunConfig",
    "RunOptions",
    "RunResult",
    "Schedule",
    "Status",
    "UnknownOptimizerError",
    "concat_results",
    "make",
    "make_schedule",
    "names",
    "optimizer_class",
    "register",
    "run",
    "split_configs",
    "stack_configs",
]
