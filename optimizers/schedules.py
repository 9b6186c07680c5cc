"""Learning-rate schedules usable with any optimizer: one small frozen dataclass per kind, in a
registry (``SCHEDULES``), with each field declared once (``settings.hyper``).

A schedule's ``factor(k)`` multiplies the base learning rate at update ``k = 0, 1, 2, ...`` (update
``t = k + 1``), so ``lr_t = lr0 * factor(t - 1)``, as PyTorch's ``lr_scheduler`` sets the rate before
each step. ``factor`` takes an int or an array of ints; a schedule is also optax's
``Schedule = Callable[[int], float]`` (``schedule(k) == schedule.factor(k)``).

Every kind may warm up: ``warmup > 0`` multiplies by a linear ramp from ``warmup_start`` to 1 over
the first ``warmup`` updates (``LinearLR``), composed with the decay, which starts after the ramp.
Adding a kind is one class with ``@SCHEDULES.register``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from settings import Registry, check_fields, hyper

MAX_SCHEDULE_STEPS = 1_000_000  # bound of every step count a schedule holds
SCHEDULES: Registry[Schedule] = Registry("schedule", key_attr="kind")


@dataclass(frozen=True)
class Schedule:
    """Base of every schedule: the warm-up ramp and the composition with the kind's ``curve``."""

    warmup: int = hyper(
        0, lo=0, hi=MAX_SCHEDULE_STEPS, label="warm-up steps", help="linear ramp over the first updates"
    )
    warmup_start: float = hyper(0.1, lo=0.0, hi=1.0, label="warm-up start", help="factor at update 0 of the ramp")

    kind: ClassVar[str] = ""
    rule: ClassVar[str] = ""  # the decay in words and symbols, for the UI
    torch_name: ClassVar[str] = ""  # the torch.optim.lr_scheduler class it matches

    def __post_init__(self) -> None:
        check_fields(self)

    def curve(self, kd: np.ndarray) -> np.ndarray:
        """Multiplier at decay index ``kd`` (float array, updates since the warm-up ended)."""
        raise NotImplementedError

    def factor(self, k: int | np.ndarray) -> np.ndarray | float:
        """Multiplier of the base learning rate at update index ``k`` (0-based)."""
        k = np.asarray(k, dtype=float)
        w = float(self.warmup)
        kd = np.maximum(k - w, 0.0) if w > 0 else k
        f = self.curve(kd)
        if w > 0:
            ramp = self.warmup_start + (1.0 - self.warmup_start) * np.minimum(k, w) / w
            f = f * ramp
        return f if f.ndim else float(f)

    def __call__(self, k: int | np.ndarray) -> np.ndarray | float:
        return self.factor(k)


@SCHEDULES.register
@dataclass(frozen=True)
class Constant(Schedule):
    kind = "constant"
    rule = "lr stays lr0"

    def curve(self, kd: np.ndarray) -> np.ndarray:
        return np.ones_like(kd)


@SCHEDULES.register
@dataclass(frozen=True)
class StepDecay(Schedule):
    gamma: float = hyper(0.5, lo=0.0, hi=1.0, lo_open=True, label="gamma", help="factor at each drop")
    step_size: int = hyper(100, lo=1, hi=MAX_SCHEDULE_STEPS, label="step size", help="updates between drops")

    kind = "step"
    rule = "lr0 * gamma^(k // step_size)"
    torch_name = "StepLR"

    def curve(self, kd: np.ndarray) -> np.ndarray:
        return self.gamma ** np.floor(kd / self.step_size)


@SCHEDULES.register
@dataclass(frozen=True)
class Exponential(Schedule):
    gamma: float = hyper(0.5, lo=0.0, hi=1.0, lo_open=True, label="gamma", help="factor per update")

    kind = "exponential"
    rule = "lr0 * gamma^k"
    torch_name = "ExponentialLR"

    def curve(self, kd: np.ndarray) -> np.ndarray:
        return self.gamma**kd


@SCHEDULES.register
@dataclass(frozen=True)
class InverseTime(Schedule):
    decay: float = hyper(0.01, lo=0.0, hi=100.0, label="decay", help="lr0 / (1 + decay * k)")

    kind = "inverse_time"
    rule = "lr0 / (1 + decay * k)"

    def curve(self, kd: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + self.decay * kd)


@SCHEDULES.register
@dataclass(frozen=True)
class Cosine(Schedule):
    total: int = hyper(1000, lo=1, hi=MAX_SCHEDULE_STEPS, label="total", help="updates from lr0 down to the floor")
    min_factor: float = hyper(0.0, lo=0.0, hi=1.0, label="min factor", help="floor as a fraction of lr0")

    kind = "cosine"
    rule = "cosine from lr0 down to min_factor * lr0 over 'total' updates"
    torch_name = "CosineAnnealingLR"

    def curve(self, kd: np.ndarray) -> np.ndarray:
        frac = np.minimum(kd, self.total) / self.total
        return self.min_factor + (1.0 - self.min_factor) * 0.5 * (1.0 + np.cos(np.pi * frac))


def make_schedule(kind: str = "constant", **values: Any) -> Schedule:
    """A schedule by kind with the given fields (``ValueError`` for unknown kinds or fields)."""
    return SCHEDULES.make(kind, **values)
