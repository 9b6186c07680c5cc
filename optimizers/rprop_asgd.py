"""``torch.optim.Rprop`` and ``torch.optim.ASGD`` with PyTorch's defaults and arithmetic (their
``_single_tensor_*`` code paths), elementwise over ``(n, D)`` arrays; numeric hyperparameters are
scalars or ``(n, 1)`` arrays. As in torch, both read the learning rate into their state at the
first step: Rprop's step sizes start at it (a schedule changes only that first value, as torch's
schedulers do), ASGD's rate ``eta`` starts at it and then follows ``lr / (1 + lambd lr t)^alpha``
with the step's (scheduled) ``lr``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from optimizers.base import Array, OptimizerConfig, learning_rate, maximize_field, signed, torch_style_grad
from settings import hyper


class RpropState(NamedTuple):
    count: int
    prev: Array  # (n, D) last gradient (0 where its sign flipped)
    step_size: Array  # (n, D) per-coordinate step sizes


@dataclass(frozen=True)
class Rprop(OptimizerConfig):
    """``torch.optim.Rprop`` (resilient backpropagation, iRprop-): each coordinate has its own
    step size ``s`` (``lr`` at first); where ``g prev > 0`` it grows ``s *= etaplus``, where
    ``g prev < 0`` it shrinks ``s *= etaminus`` and that coordinate skips this step (``g = 0``),
    clamped to ``[step_size_min, step_size_max]``; ``p -= sign(g) s``; ``prev = g``. Only the
    gradient's signs matter."""

    lr: float = hyper(1e-2, lo=0.0, hi=100.0, log=True, label="initial step size")
    etaminus: float = hyper(0.5, lo=0.0, hi=1.0, lo_open=True, hi_open=True, label="eta minus (shrink)")
    etaplus: float = hyper(1.2, lo=1.0, hi=100.0, lo_open=True, label="eta plus (grow)")
    step_size_min: float = hyper(1e-6, lo=0.0, hi=100.0, label="min step size", ui=False)
    step_size_max: float = hyper(50.0, lo=0.0, hi=1e6, label="max step size", ui=False)
    maximize: bool = maximize_field()

    kind = "rprop"
    title = "Rprop"
    rule = (
        r"s_t = \operatorname{clip}(s_{t-1} \cdot \{\eta^+, \eta^-, 1\}_{\operatorname{sign}(g_t g_{t-1})}),"
        r"\quad p_t = p_{t-1} - \operatorname{sign}(g_t)\, s_t"
    )
    torch_name = "Rprop"

    def init(self, params: Array) -> RpropState:
        z = np.zeros_like(params)
        return RpropState(0, z, z)

    def update(self, grads, state, params, lr=None, oracle=None):
        g = signed(self, grads)
        # torch fills the step sizes with the group's lr when it first steps
        size = np.zeros_like(params) + learning_rate(self, lr) if state.count == 0 else state.step_size
        prod = np.sign(g * state.prev)
        factor = np.where(prod > 0, self.etaplus, np.where(prod < 0, self.etaminus, 1.0))
        size = np.minimum(np.maximum(size * factor, self.step_size_min), self.step_size_max)
        g = np.where(prod < 0, 0.0, g)
        return params - np.sign(g) * size, RpropState(state.count + 1, g, size)


class ASGDState(NamedTuple):
    count: int
    eta: Any  # the step's rate, scalar or (n, 1)
    mu: Any  # the averaging weight, scalar or (n, 1)
    ax: Array  # (n, D) averaged iterate


@dataclass(frozen=True)
class ASGD(OptimizerConfig):
    """``torch.optim.ASGD`` (averaged SGD, Polyak & Juditsky 1992): ``g += wd p``;
    ``p = p (1 - lambd eta) - eta g``; ``ax += mu (p - ax)``; then ``eta = lr / (1 + lambd lr t)^alpha``
    and ``mu = 1 / max(1, t - t0)``. The path shown is torch's ``p``; the average ``ax`` (torch
    keeps it in the state) starts at step ``t0`` (a million by default: it equals ``p`` until then)."""

    lr: float = hyper(1e-2, lo=0.0, hi=100.0, log=True, label="learning rate")
    lambd: float = hyper(1e-4, lo=0.0, hi=1e3, label="lambd (decay)", help="eta = lr / (1 + lambd lr t)^alpha")
    alpha: float = hyper(0.75, lo=0.0, hi=10.0, label="alpha (power)")
    t0: float = hyper(1e6, lo=0.0, hi=1e9, label="t0 (averaging start)", help="the step from which ax averages")
    weight_decay: float = hyper(0.0, lo=0.0, hi=10.0, label="weight decay", help="L2 penalty: adds weight_decay * p")
    max_grad_norm: float = hyper(0.0, lo=0.0, hi=1e6, label="clip grad norm", help="0 = no clipping")
    maximize: bool = maximize_field()

    kind = "asgd"
    title = "ASGD"
    rule = (
        r"p_t = p_{t-1}(1 - \lambda\eta_t) - \eta_t g_t,\ \eta_{t+1} = \frac{\eta}{(1 + \lambda\eta t)^\alpha},"
        r"\ \bar p_t = \bar p_{t-1} + \mu_t (p_t - \bar p_{t-1})"
    )
    torch_name = "ASGD"

    def init(self, params: Array) -> ASGDState:
        return ASGDState(0, self.lr, 1.0, np.zeros_like(params))

    def update(self, grads, state, params, lr=None, oracle=None):
        lr = learning_rate(self, lr)
        t = state.count + 1
        g = torch_style_grad(self, grads, params)
        eta = lr if state.count == 0 else state.eta  # torch reads the group's lr at its first step
        new = params * (1.0 - self.lambd * eta) - eta * g
        ax = np.where(np.asarray(state.mu) != 1, state.ax + (new - state.ax) * state.mu, new)
        eta = lr / np.power(1.0 + self.lambd * lr * float(t), self.alpha)
        mu = 1.0 / np.maximum(1.0, float(t) - np.asarray(self.t0, dtype=float))
        return new, ASGDState(t, eta, mu, ax)


ALL: list[type[OptimizerConfig]] = [Rprop, ASGD]

__all__ = ["ALL", "ASGD", "ASGDState", "Rprop", "RpropState"]
