"""Registry of optimizer configs by kind: list the names, look one up, build one from a dict."""

from __future__ import annotations

from typing import Any

from optimizers.base import OptimizerConfig

_REGISTRY: dict[str, type[OptimizerConfig]] = {}


class UnknownOptimizerError(KeyError):
    """Raised for an optimizer kind that is not registered; the message lists the known ones."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown optimizer"


def register(cls: type[OptimizerConfig]) -> type[OptimizerConfig]:
    if not cls.kind:
        raise ValueError(f"{cls.__name__} has no kind")
    _REGISTRY[cls.kind] = cls
    return cls


def names() -> list[str]:
    """Registered optimizer kinds in registration order."""
    return list(_REGISTRY)


def optimizer_class(kind: str) -> type[OptimizerConfig]:
    try:
        return _REGISTRY[kind]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise UnknownOptimizerError(f"Unknown optimizer {kind!r}; known: {known}") from None


def make(kind: str, **hyperparameters: Any) -> OptimizerConfig:
    """An optimizer config by kind; unknown hyperparameter names raise ``ValueError``."""
    cls = optimizer_class(kind)
    try:
        return cls(**hyperparameters)
    except TypeError as exc:
        raise ValueError(f"Invalid hyperparameters for {kind!r}: {exc}") from None
