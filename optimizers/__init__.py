"""Vectorized optimizers (pure init/update pairs over (N, 2) arrays), schedules, noise, runner."""

from optimizers import first_order, second_order
from optimizers.base import OptimizerConfig, Oracle, stack_configs
from optimizers.noise import Noise
from optimizers.registry import UnknownOptimizerError, make, names, optimizer_class, register
from optimizers.runner import RunConfig, RunOptions, RunResult, Status, concat_results, run
from optimizers.schedules import Schedule

for _cls in first_order.ALL + second_order.ALL:
    register(_cls)

__all__ = [
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
    "names",
    "optimizer_class",
    "register",
    "run",
    "stack_configs",
]
