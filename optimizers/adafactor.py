"""``torch.optim.Adafactor`` (Shazeer & Stern 2018, as PyTorch implements it) with PyTorch's
defaults and arithmetic (``_single_tensor_adafactor``), over ``(n, D)`` arrays: each run's
parameters are one vector, and torch factors the second moment only for matrices, so each run
keeps a full second-moment vector (``variance``) as torch does for a vector parameter.
Numeric hyperparameters are scalars or ``(n, 1)`` arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from optimizers.base import Array, OptimizerConfig, clip_by_norm, learning_rate, maximize_field, signed
from settings import hyper

EPS64 = float(np.finfo(np.float64).eps)  # torch's eps1 = None: the parameter dtype's machine epsilon


def torch_lerp(start: Array, end: Array, weight: Any) -> Array:
    """``torch.lerp`` exactly: ``start + w (end - start)`` for ``|w| < 0.5``, else
    ``end - (end - start)(1 - w)`` (so ``w = 1`` gives ``end``)."""
    diff = end - start
    return np.where(np.abs(weight) < 0.5, start + weight * diff, end - diff * (1.0 - weight))


def _rms(x: Array) -> Array:
    """Root mean square of each row: ``||x|| / sqrt(D)``, shape ``(n, 1)``."""
    return np.sqrt(np.sum(x * x, axis=-1, keepdims=True)) / x.shape[-1] ** 0.5


class AdafactorState(NamedTuple):
    count: int
    variance: Array  # (n, D) second-moment estimate


@dataclass(frozen=True)
class Adafactor(OptimizerConfig):
    """``torch.optim.Adafactor``: ``v = lerp(v, g^2, t^beta2_decay)``;
    ``u = g / sqrt(max(v, eps1^2))``; ``p *= 1 - lr wd``;
    ``p -= max(eps2, rms(p)) min(lr, 1/sqrt(t)) u / max(1, rms(u) / d)`` (``rms`` of the
    parameters before the decay). No first moment; the step is relative to the parameters' size."""

    lr: float = hyper(1e-2, lo=0.0, hi=100.0, log=True, label="learning rate", help="capped at 1/sqrt(t)")
    beta2_decay: float = hyper(-0.8, lo=-10.0, hi=0.0, label="beta2 decay", help="v averages with weight t^beta2_decay")
    eps1: float = hyper(EPS64, lo=0.0, hi=1.0, log=True, label="eps1", ui=False, help="floor of sqrt(v)")
    eps2: float = hyper(1e-3, lo=0.0, hi=1.0, log=True, label="eps2", help="floor of the relative step's scale rms(p)")
    d: float = hyper(1.0, lo=1.0, hi=1e6, label="clipping threshold d")
    weight_decay: float = hyper(
        0.0, lo=0.0, hi=10.0, label="weight decay", help="decoupled decay: p *= 1 - lr * weight_decay each step"
    )
    max_grad_norm: float = hyper(0.0, lo=0.0, hi=1e6, label="clip grad norm", help="0 = no clipping")
    maximize: bool = maximize_field()

    kind = "adafactor"
    title = "Adafactor"
    rule = (
        r"v_t = v_{t-1} + t^{\beta_{2}}(g_t^2 - v_{t-1}),\ u_t = g_t/\sqrt{v_t},\ "
        r"p_t = p_{t-1} - \max(\epsilon_2, \mathrm{rms}(p))\,\min(\eta, t^{-1/2})\, "
        r"\frac{u_t}{\max(1, \mathrm{rms}(u_t)/d)}"
    )
    torch_name = "Adafactor"

    def init(self, params: Array) -> AdafactorState:
        return AdafactorState(0, np.zeros_like(params))

    def update(self, grads, state, params, lr=None, oracle=None):
        lr = learning_rate(self, lr)
        t = state.count + 1
        g = signed(self, clip_by_norm(grads, self.max_grad_norm))
        weight = np.power(float(t), self.beta2_decay)
        rho = np.minimum(lr, 1.0 / float(t) ** 0.5)
        alpha = np.maximum(self.eps2, _rms(params)) * rho
        p = params * (1.0 - lr * self.weight_decay)
        v = torch_lerp(state.variance, g * g, weight)
        u = (1.0 / np.sqrt(np.maximum(v, self.eps1 * self.eps1))) * g  # torch: rsqrt, then times g
        denom = np.maximum(1.0, _rms(u) / self.d)
        return p - (alpha / denom) * u, AdafactorState(t, v)


ALL: list[type[OptimizerConfig]] = [Adafactor]

__all__ = ["ALL", "Adafactor", "AdafactorState", "torch_lerp"]
