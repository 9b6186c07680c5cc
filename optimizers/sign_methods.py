"""Sign-based methods: plain sign descent and Lion (Chen et al. 2023, "Symbolic Discovery of
Optimization Algorithms", Algorithm 2). Neither ships with ``torch.optim``.

Elementwise over ``(n, D)`` arrays (``D = 2`` on a landscape, a network's parameter count in
``netlab``); numeric hyperparameters are scalars or ``(n, 1)`` arrays. Every coordinate moves by
exactly ``lr`` per step (plus Lion's decoupled decay), whatever the gradient's size: on a
landscape the paths move along diagonals and oscillate by ``lr`` around a minimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.base import Array, NoState, OptimizerConfig, any_nonzero, learning_rate
from settings import hyper


@dataclass(frozen=True)
class SignSGD(OptimizerConfig):
    """Sign descent: ``p -= lr * (sign(g) + wd * p)`` (``sign(0) = 0``; ``wd = 0`` by default, decoupled
    decay as Lion's). The steepest descent direction in
    the max norm; signSGD (Bernstein et al. 2018) without momentum."""

    lr: float = hyper(1e-3, lo=0.0, hi=100.0, log=True, label="learning rate")
    weight_decay: float = hyper(
        0.0,
        lo=0.0,
        hi=10.0,
        label="weight decay",
        help="decoupled decay, as Lion's: p -= lr * weight_decay * p each step",
    )

    kind = "signsgd"
    title = "Sign descent"
    rule = r"p_t = p_{t-1} - \eta\,(\operatorname{sign}(g_t) + \lambda p_{t-1})"

    def init(self, params: Array) -> NoState:
        return NoState(0)

    def update(self, grads, state, params, lr=None, oracle=None):
        step = np.sign(grads)
        if any_nonzero(self.weight_decay):
            step = step + self.weight_decay * params  # Lion with beta1 = 0: c = g
        return params - learning_rate(self, lr) * step, NoState(state.count + 1)


class LionState(NamedTuple):
    count: int
    mu: Array  # (n, D) momentum m


@dataclass(frozen=True)
class Lion(OptimizerConfig):
    """Lion (Chen et al. 2023): ``c = b1 m + (1-b1) g``; ``p -= lr (sign(c) + wd p)``;
    ``m = b2 m + (1-b2) g`` (``m = 0`` at first). The paper's defaults: ``lr = 1e-4``,
    ``b1 = 0.9``, ``b2 = 0.99``; its weight decay is decoupled (scaled by ``lr``, as AdamW's)."""

    lr: float = hyper(1e-4, lo=0.0, hi=100.0, log=True, label="learning rate")
    beta1: float = hyper(0.9, lo=0.0, hi=1.0, label="beta1", help="interpolation of the step's direction")
    beta2: float = hyper(0.99, lo=0.0, hi=1.0, label="beta2", help="decay of the momentum m")
    weight_decay: float = hyper(
        0.0, lo=0.0, hi=10.0, label="weight decay", help="decoupled decay: p -= lr * weight_decay * p each step"
    )

    kind = "lion"
    title = "Lion"
    rule = (
        r"c_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\ p_t = p_{t-1} - \eta\,(\operatorname{sign}(c_t) + "
        r"\lambda p_{t-1}),\ m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t"
    )

    def init(self, params: Array) -> LionState:
        return LionState(0, np.zeros_like(params))

    def update(self, grads, state, params, lr=None, oracle=None):
        lr = learning_rate(self, lr)
        c = self.beta1 * state.mu + (1.0 - self.beta1) * grads
        new = params - lr * (np.sign(c) + self.weight_decay * params)
        m = self.beta2 * state.mu + (1.0 - self.beta2) * grads
        return new, LionState(state.count + 1, m)


ALL: list[type[OptimizerConfig]] = [SignSGD, Lion]

__all__ = ["ALL", "Lion", "LionState", "SignSGD"]
