"""Learning-rate schedules usable with any optimizer.

A schedule is a frozen config whose ``factor(k)`` multiplies the base learning rate at update
``k = 0, 1, 2, ...`` (update ``t = k + 1``), so ``lr_t = lr0 * factor(t - 1)``, as PyTorch's
``lr_scheduler`` sets the rate before each step. ``factor`` takes an int or an array of ints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizers.base import check_range

KINDS = ("constant", "step", "exponential", "inverse_time", "cosine")


@dataclass(frozen=True)
class Schedule:
    """``kind`` is one of ``KINDS``; fields used by each kind:

    - constant: ``1``
    - step: ``gamma ** (k // step_size)`` (``StepLR``)
    - exponential: ``gamma ** k`` (``ExponentialLR``)
    - inverse_time: ``1 / (1 + decay * k)`` (the notes' ``lr0 / (1 + decay * epoch)``)
    - cosine: ``min_factor + (1 - min_factor) * (1 + cos(pi * min(k, total) / total)) / 2``
      (``CosineAnnealingLR`` with ``eta_min = min_factor * lr0``)

    ``warmup > 0`` multiplies by a linear ramp from ``warmup_start`` to 1 over the first
    ``warmup`` updates (``LinearLR``), composed with the decay (which starts after the ramp).
    """

    kind: str = "constant"
    gamma: float = 0.5
    step_size: int = 100
    decay: float = 0.01
    total: int = 1000
    min_factor: float = 0.0
    warmup: int = 0
    warmup_start: float = 0.1

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Invalid schedule kind: {self.kind!r} (known: {', '.join(KINDS)})")
        check_range("gamma", self.gamma, 0.0, 1.0, lo_open=True)
        check_range("step_size", self.step_size, 1, 1e9)
        check_range("decay", self.decay, 0.0, 1e6)
        check_range("total", self.total, 1, 1e9)
        check_range("min_factor", self.min_factor, 0.0, 1.0)
        check_range("warmup", self.warmup, 0, 1e9)
        check_range("warmup_start", self.warmup_start, 0.0, 1.0)

    def factor(self, k: int | np.ndarray) -> np.ndarray | float:
        """Multiplier of the base learning rate at update index ``k`` (0-based)."""
        k = np.asarray(k, dtype=float)
        w = float(self.warmup)
        kd = np.maximum(k - w, 0.0) if w > 0 else k
        if self.kind == "constant":
            f = np.ones_like(kd)
        elif self.kind == "step":
            f = self.gamma ** np.floor(kd / self.step_size)
        elif self.kind == "exponential":
            f = self.gamma**kd
        elif self.kind == "inverse_time":
            f = 1.0 / (1.0 + self.decay * kd)
        else:
            frac = np.minimum(kd, self.total) / self.total
            f = self.min_factor + (1.0 - self.min_factor) * 0.5 * (1.0 + np.cos(np.pi * frac))
        if w > 0:
            ramp = self.warmup_start + (1.0 - self.warmup_start) * np.minimum(k, w) / w
            f = f * ramp
        return f if f.ndim else float(f)

    def __call__(self, k: int | np.ndarray) -> np.ndarray | float:
        """optax-style ``Schedule = Callable[[int], float]`` (a multiplier, see ``factor``)."""
        return self.factor(k)
