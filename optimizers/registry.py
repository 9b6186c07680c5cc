"""Registry of optimizer configs by kind: list the names, look one up, build one from keyword values."""

from __future__ import annotations

from typing import Any

from optimizers.base import OptimizerConfig
from settings import Registry, UnknownNameError


class UnknownOptimizerError(UnknownNameError):
    """Raised for an optimizer kind that is not registered; the message lists the known ones."""


OPTIMIZERS: Registry[OptimizerConfig] = Registry("optimizer", key_attr="kind", error=UnknownOptimizerError)
register = OPTIMIZERS.register
names = OPTIMIZERS.names
optimizer_class = OPTIMIZERS.get_class


def make(kind: str, **hyperparameters: Any) -> OptimizerConfig:
    """An optimizer config by kind; unknown hyperparameter names raise ``ValueError``."""
    return OPTIMIZERS.make(kind, **hyperparameters)
