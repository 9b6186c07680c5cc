"""First-order optimizers with ``torch.optim``'s defaults and arithmetic.

Each class is a frozen hyperparameter config with a pure ``init`` / ``update`` pair over
``(n, 2)`` arrays. Conventions follow PyTorch (its ``_single_tensor_*`` code paths): the L2
penalty is added to the gradient (``g += wd * p``) except in AdamW (decoupled decay
``p *= 1 - lr * wd``); eps is added after the square root; the step count ``t`` starts at 1.
PyTorch's ``betas=(b1, b2)`` is written here as two fields ``beta1`` and ``beta2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from optimizers.base import Array, OptimizerConfig, learning_rate, maximize_field, torch_style_grad
from settings import hyper

_WD_HELP = "L2 penalty: adds weight_decay * p to the gradient (pulls paths toward the origin)"


def _decoupled_field() -> Any:
    """torch's ``decoupled_weight_decay`` flag (Adam, NAdam, RAdam), declared once."""
    return hyper(False, label="decoupled weight decay", help="as AdamW: p *= 1 - lr * weight_decay, not g += wd * p")


def _decay_and_grad(config: OptimizerConfig, grads: Array, params: Array, lr: Any) -> tuple[Array, Array]:
    """The params after decoupled decay ``p *= 1 - lr*wd`` (where ``config.decoupled_weight_decay``)
    and the gradient torch uses: clipped, negated when maximizing, plus ``wd*p`` unless decoupled."""
    if getattr(config, "decoupled_weight_decay", False):
        g = torch_style_grad(config, grads, params, weight_decay=False)
        return params * (1.0 - lr * config.weight_decay), g
    return params, torch_style_grad(config, grads, params)


def _check_betas(beta1: Any, beta2: Any) -> None:
    """Raise ``ValueError('Invalid beta parameter at index i: value')`` unless ``0 <= beta < 1``
    (as ``torch.optim.Adam``; ``beta = 1`` would divide by a zero bias correction)."""
    for i, beta in enumerate((beta1, beta2)):
        arr = np.asarray(beta, dtype=float)
        bad = arr[~((arr >= 0.0) & (arr < 1.0))]
        if bad.size:
            raise ValueError(f"Invalid beta parameter at index {i}: {float(bad.ravel()[0])} (must be in [0, 1))")


def _pow(base: Any, exponent: Any) -> Any:
    """``base ** exponent`` through NumPy's ufunc whatever the shapes (scalar or ``(n, 1)``).

    Python's ``float ** int`` (libm) and NumPy's SIMD ``power`` can differ in the last bit, so
    without this a run's path would depend on whether its betas were stacked with other runs'
    (a race of Adam(b1=0.9) alone vs beside Adam(b1=0.8)); torch uses Python's, 1 ulp away.
    """
    return np.power(np.asarray(base, dtype=float), exponent)


def _lerp(start: Array, end: Array, weight: Any) -> Array:
    """``torch.lerp``: ``start + weight * (end - start)``."""
    return start + weight * (end - start)


class MomentumState(NamedTuple):
    count: int
    buf: Array  # (n, 2) momentum buffer


@dataclass(frozen=True)
class SGD(OptimizerConfig):
    """``torch.optim.SGD``. ``g += wd*p``; with momentum ``b = mu*b + (1-dampening)*g``
    (``b = g`` at t=1); Nesterov steps with ``g + mu*b``, heavy ball with ``b``; ``p -= lr*step``.
    Momentum 0 is plain (batch / minibatch / stochastic) gradient descent."""

    lr: float = hyper(1e-3, lo=0.0, hi=100.0, log=True, label="learning rate")
    momentum: float = hyper(0.0, lo=0.0, hi=1.0, label="momentum")
    dampening: float = hyper(0.0, lo=0.0, hi=1.0, label="dampening")
    weight_decay: float = hyper(0.0, lo=0.0, hi=10.0, label="weight decay", help=_WD_HELP)
    max_grad_norm: float = hyper(0.0, lo=0.0, hi=1e6, label="clip grad norm", help="0 = no clipping")
    nesterov: bool = False
    maximize: bool = maximize_field()

    kind = "sgd"
    title = "SGD"
    rule = (
        r"b_t = \mu b_{t-1} + (1-\tau) g_t,\quad d_t = \begin{cases} g_t + \mu b_t & \text{Nesterov} \\ b_t "
        r"& \text{otherwise} \end{cases},\quad p_t = p_{t-1} - \eta\, d_t"
    )
    torch_name = "SGD"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.nesterov and (np.any(np.asarray(self.momentum) <= 0) or np.any(np.asarray(self.dampening) != 0)):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def init(self, params: Array) -> MomentumState:
        return MomentumState(0, np.zeros_like(params))

    def update(self, grads, state, params, lr=None, oracle=None):
        lr = learning_rate(self, lr)
        g = torch_style_grad(self, grads, params)
        mu = self.momentum
        # first step: b = g (a copy, as torch clones it: the state must not alias the caller's grads)
        buf = g.copy() if state.count == 0 else mu * state.buf + (1.0 - self.dampening) * g
        step = g + mu * buf if self.nesterov else buf
        step = np.where(np.asarray(mu) != 0, step, g)
        return params - lr * step, MomentumState(state.count + 1, buf)


@dataclass(frozen=True)
class Momentum(SGD):
    """Heavy-ball momentum: ``torch.optim.SGD(momentum=0.9)``."""

    momentum: float = hyper(0.9, lo=0.0, hi=1.0, label="momentum")
    kind = "momentum"
    title = "Momentum"
    rule = r"b_t = \mu b_{t-1} + (1-\tau) g_t,\quad p_t = p_{t-1} - \eta\, b_t"


@dataclass(frozen=True)
class Nesterov(SGD):
    """Nesterov momentum: ``torch.optim.SGD(momentum=0.9, nesterov=True)``; the step uses
    ``g + mu*b``, the look-ahead gradient method in PyTorch's (Sutskever's) variables."""

    momentum: float = hyper(0.9, lo=0.0, hi=1.0, lo_open=True, label="momentum")
    nesterov: bool = True
    kind = "nesterov"
    title = "Nesterov"
    rule = r"b_t = \mu b_{t-1} + g_t,\quad p_t = p_{t-1} - \eta\,(g_t + \mu b_t)"


class AdagradState(NamedTuple):
    count: int
    sum: Array  # (n, 2) accumulated squared gradients


@dataclass(frozen=True)
class Adagrad(OptimizerConfig):
    """``torch.optim.Adagrad``: ``G += g^2``; ``p -= lr/(1+(t-1)*lr_decay) * g/(sqrt(G)+eps)``."""

    lr: float = hyper(1e-2, lo=0.0, hi=100.0, log=True, label="learning rate")
    lr_decay: float = hyper(0.0, lo=0.0, hi=10.0, label="lr decay")
    weight_decay: float = hyper(0.0, lo=0.0, hi=10.0, label="weight decay", help=_WD_HELP)
    initial_accumulator_value: float = hyper(0.0, lo=0.0, hi=1e6, label="initial accumulator")
    eps: float = hyper(1e-10, lo=0.0, hi=1.0, log=True, label="eps", ui=False)
    max_grad_norm: float = hyper(0.0, lo=0.0, hi=1e6, label="clip grad norm", help="0 = no clipping")
    maximize: bool = maximize_field()

    kind = "adagrad"
    title = "Adagrad"
    rule = r"G_t = G_{t-1} + g_t^2,\quad p_t = p_{t-1} - \frac{\eta}{\sqrt{G_t}+\epsilon}\, g_t"
    torch_name = "Adagrad"

    def init(self, params: Array) -> AdagradState:
        return AdagradState(0, np.zeros_like(params) + self.initial_accumulator_value)

    def update(self, grads, state, params, lr=None, oracle=None):
        t = state.count + 1
        g = torch_style_grad(self, grads, params)
        clr = learning_rate(self, lr) / (1.0 + (t - 1) * self.lr_decay)
        acc = state.sum + g * g
        return params - clr * g / (np.sqrt(acc) + self.eps), AdagradState(t, acc)


class AdadeltaState(NamedTuple):
    count: int
    square_avg: Array  # E[g^2]
    acc_delta: Array  # E[dx^2]


@dataclass(frozen=True)
class Adadelta(OptimizerConfig):
    """``torch.optim.Adadelta``: ``E[g2] = rho E[g2] + (1-rho) g^2``;
    ``d = sqrt(E[dx2]+eps)/sqrt(E[g2]+eps) * g``; ``E[dx2] = rho E[dx2] + (1-rho) d^2``; ``p -= lr d``."""

    lr: float = hyper(1.0, lo=0.0, hi=100.0, log=True, label="learning rate")
    rho: float = hyper(0.9, lo=0.0, hi=1.0, label="rho")
    eps: float = hyper(1e-6, lo=0.0, hi=1.0, log=True, label="eps")
    weight_decay: float = hyper(0.0, lo=0.0, hi=10.0, label="weight decay", help=_WD_HELP)
    max_grad_norm: float = hyper(0.0, lo=0.0, hi=1e6, label="clip grad norm", help="0 = no clipping")
    maximize: bool = maximize_field()

    kind = "adadelta"
    title = "Adadelta"
    rule = (
        r"\Delta_t = \frac{\sqrt{E[\Delta^2]_{t-1}+\epsilon}}{\sqrt{E[g^2]_t+\epsilon}}\, g_t,"
        r"\quad p_t = p_{t-1} - \eta\,\Delta_t"
    )
    torch_name = "Adadelta"

    def init(self, params: Array) -> AdadeltaState:
        z = np.zeros_like(params)
        return AdadeltaState(0, z, z)

    def update(self, grads, state, params, lr=None, oracle=None):
        g = torch_style_grad(self, grads, params)
        rho = self.rho
        sq = state.square_avg * rho + (1.0 - rho) * g * g
        delta = np.sqrt(state.acc_delta + self.eps) / np.sqrt(sq + self.eps) * g
        acc = state.acc_delta * rho + (1.0 - rho) * delta * delta
        return params - learning_rate(self, lr) * delta, AdadeltaState(state.count + 1, sq, acc)


class RMSpropState(NamedTuple):
    count: int
    square_avg: Array
    grad_avg: Array  # used when centered
    buf: Array  # used with momentum


@dataclass(frozen=True)
class RMSprop(OptimizerConfig):
    """``torch.optim.RMSprop``: ``S = alpha S + (1-alpha) g^2``; centered subtracts the squared
    mean gradient; ``avg = sqrt(S) + eps``; with momentum ``b = mu b + g/avg``, ``p -= lr b``,
    else ``p -= lr g/avg``."""

    lr: float = hyper(1e-2, lo=0.0, hi=100.0, log=True, label="learning rate")
    alpha: float = hyper(0.99, lo=0.0, hi=1.0, label="alpha (decay)")
    eps: float = hyper(1e-8, lo=0.0, hi=1.0, log=True, label="eps", ui=False)
    momentum: float = hyper(0.0, lo=0.0, hi=1.0, label="momentum")
    weight_decay: float = hyper(0.0, lo=0.0, hi=10.0, label="weight decay", help=_WD_HELP)
    max_grad_norm: float = hyper(0.0, lo=0.0, hi=1e6, label="clip grad norm", help="0 = no clipping")
    centered: bool = False
    maximize: bool = maximize_field()

    kind = "rmsprop"
    title = "RMSprop"
    rule = r"S_t = \alpha S_{t-1} + (1-\alpha) g_t^2,\quad p_t = p_{t-1} - \frac{\eta}{\sqrt{S_t}+\epsilon}\, g_t"
    torch_name = "RMSprop"

    def init(self, params: Array) -> RMSpropState:
        z = np.zeros_like(params)
        return RMSpropState(0, z, z, z)

    def update(self, grads, state, params, lr=None, oracle=None):
        lr = learning_rate(self, lr)
        g = torch_style_grad(self, grads, params)
        a = self.alpha
        sq = state.square_avg * a + (1.0 - a) * g * g
        grad_avg = state.grad_avg
        if self.centered:
            grad_avg = _lerp(grad_avg, g, 1.0 - a)
            avg = np.sqrt(sq - grad_avg * grad_avg)
        else:
            avg = np.sqrt(sq)
        avg = avg + self.eps
        buf = state.buf * self.momentum + g / avg
        step = np.where(np.asarray(self.momentum) > 0, buf, g / avg)
        return params - lr * step, RMSpropState(state.count + 1, sq, grad_avg, buf)


class AdamState(NamedTuple):
    count: int
    mu: Array  # first moment m
    nu: Array  # second moment v
    nu_max: Array  # running max of v (AMSGrad)


@dataclass(frozen=True)
class _Moments(OptimizerConfig):
    """The hyperparameters the Adam family shares (``torch.optim``'s ``lr, betas, eps,
    weight_decay``, betas split in two), validated like torch (each beta in [0, 1))."""

    lr: float = hyper(1e-3, lo=0.0, hi=100.0, log=True, label="learning rate")
    beta1: float = hyper(0.9, lo=0.0, hi=1.0, hi_open=True, label="beta1")
    beta2: float = hyper(0.999, lo=0.0, hi=1.0, hi_open=True, label="beta2")
    eps: float = hyper(1e-8, lo=0.0, hi=1.0, log=True, label="eps", ui=False)
    weight_decay: float = hyper(0.0, lo=0.0, hi=10.0, label="weight decay", help=_WD_HELP)
    max_grad_norm: float = hyper(0.0, lo=0.0, hi=1e6, label="clip grad norm", help="0 = no clipping")
    maximize: bool = maximize_field()

    def __post_init__(self) -> None:
        _check_betas(self.beta1, self.beta2)  # first: torch's own message for betas at 1
        super().__post_init__()


@dataclass(frozen=True)
class _AdamRule(_Moments):
    """``torch.optim.Adam``'s update, shared by Adam (decay coupled unless told) and AdamW."""

    amsgrad: bool = False

    rule = (
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\ v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\ "
        r"p_t = p_{t-1} - \eta\,\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon}"
    )

    def init(self, params: Array) -> AdamState:
        z = np.zeros_like(params)
        return AdamState(0, z, z, z)

    def update(self, grads, state, params, lr=None, oracle=None):
        lr = learning_rate(self, lr)
        t = state.count + 1
        params, g = _decay_and_grad(self, grads, params, lr)
        b1, b2 = self.beta1, self.beta2
        m = _lerp(state.mu, g, 1.0 - b1)
        v = state.nu * b2 + (1.0 - b2) * g * g
        bc1 = 1.0 - _pow(b1, t)
        bc2_sqrt = np.sqrt(1.0 - _pow(b2, t))
        v_max = np.maximum(state.nu_max, v) if self.amsgrad else state.nu_max
        denom = np.sqrt(v_max if self.amsgrad else v) / bc2_sqrt + self.eps
        return params - (lr / bc1) * (m / denom), AdamState(t, m, v, v_max)


@dataclass(frozen=True)
class Adam(_AdamRule):
    """``torch.optim.Adam``: ``m = b1 m + (1-b1) g``; ``v = b2 v + (1-b2) g^2``;
    ``p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)``; AMSGrad uses ``max`` of all v;
    ``decoupled_weight_decay`` decays as AdamW does."""

    decoupled_weight_decay: bool = _decoupled_field()

    kind = "adam"
    title = "Adam"
    torch_name = "Adam"


@dataclass(frozen=True)
class AMSGrad(Adam):
    """``torch.optim.Adam(amsgrad=True)``: the denominator uses the running max of ``v``."""

    amsgrad: bool = True
    kind = "amsgrad"
    title = "AMSGrad"


@dataclass(frozen=True)
class AdamW(_AdamRule):
    """``torch.optim.AdamW``: decoupled weight decay ``p *= 1 - lr*wd`` before the Adam step
    (PyTorch default ``weight_decay=1e-2``)."""

    weight_decay: float = hyper(
        1e-2, lo=0.0, hi=10.0, label="weight decay", help="decoupled decay: p *= 1 - lr * weight_decay each step"
    )
    decoupled_weight_decay: ClassVar[bool] = True  # always: torch's AdamW has no such argument
    kind = "adamw"
    title = "AdamW"
    torch_name = "AdamW"


class AdamaxState(NamedTuple):
    count: int
    mu: Array
    inf_norm: Array


@dataclass(frozen=True)
class Adamax(_Moments):
    """``torch.optim.Adamax``: ``m = b1 m + (1-b1) g``; ``u = max(b2 u, |g| + eps)``;
    ``p -= lr/(1-b1^t) * m/u``."""

    lr: float = hyper(2e-3, lo=0.0, hi=100.0, log=True, label="learning rate")

    kind = "adamax"
    title = "Adamax"
    rule = r"u_t = \max(\beta_2 u_{t-1}, |g_t|+\epsilon),\quad p_t = p_{t-1} - \frac{\eta}{1-\beta_1^t}\frac{m_t}{u_t}"
    torch_name = "Adamax"

    def init(self, params: Array) -> AdamaxState:
        z = np.zeros_like(params)
        return AdamaxState(0, z, z)

    def update(self, grads, state, params, lr=None, oracle=None):
        t = state.count + 1
        g = torch_style_grad(self, grads, params)
        m = _lerp(state.mu, g, 1.0 - self.beta1)
        u = np.maximum(state.inf_norm * self.beta2, np.abs(g) + self.eps)
        clr = learning_rate(self, lr) / (1.0 - _pow(self.beta1, t))
        return params - clr * (m / u), AdamaxState(t, m, u)


class NAdamState(NamedTuple):
    count: int
    mu: Array
    nu: Array
    mu_product: Any  # product of the momentum schedule, scalar or (n, 1)


@dataclass(frozen=True)
class NAdam(_Moments):
    """``torch.optim.NAdam`` (Dozat 2016 with PyTorch's momentum schedule
    ``mu_t = b1 (1 - 0.5 * 0.96^(t * momentum_decay))``)."""

    lr: float = hyper(2e-3, lo=0.0, hi=100.0, log=True, label="learning rate")
    momentum_decay: float = hyper(4e-3, lo=0.0, hi=1.0, label="momentum decay")
    decoupled_weight_decay: bool = _decoupled_field()

    kind = "nadam"
    title = "NAdam"
    rule = (
        r"p_t = p_{t-1} - \eta\,\Big(\frac{(1-\mu_t) g_t}{1-\prod\mu} + \frac{\mu_{t+1} m_t}"
        r"{1-\prod\mu \cdot \mu_{t+1}}\Big) \Big/ \Big(\sqrt{v_t/(1-\beta_2^t)}+\epsilon\Big)"
    )
    torch_name = "NAdam"

    def init(self, params: Array) -> NAdamState:
        z = np.zeros_like(params)
        return NAdamState(0, z, z, 1.0)

    def update(self, grads, state, params, lr=None, oracle=None):
        lr = learning_rate(self, lr)
        t = state.count + 1
        params, g = _decay_and_grad(self, grads, params, lr)
        b1, b2 = self.beta1, self.beta2
        bc2 = 1.0 - _pow(b2, t)
        mu = b1 * (1.0 - 0.5 * _pow(0.96, t * self.momentum_decay))
        mu_next = b1 * (1.0 - 0.5 * _pow(0.96, (t + 1) * self.momentum_decay))
        mu_product = state.mu_product * mu
        m = _lerp(state.mu, g, 1.0 - b1)
        v = state.nu * b2 + (1.0 - b2) * g * g
        denom = np.sqrt(v / bc2) + self.eps
        new = params - (lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
        new = new - (lr * mu_next / (1.0 - mu_product * mu_next)) * (m / denom)
        return new, NAdamState(t, m, v, mu_product)


@dataclass(frozen=True)
class RAdam(_Moments):
    """``torch.optim.RAdam`` (Liu et al. 2019): Adam with the variance rectification term,
    plain bias-corrected momentum while ``rho_t <= 5``."""

    decoupled_weight_decay: bool = _decoupled_field()

    kind = "radam"
    title = "RAdam"
    rule = r"p_t = p_{t-1} - \eta\, r_t\, \frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)}+\epsilon}\ \ (\rho_t > 5)"
    torch_name = "RAdam"

    def init(self, params: Array) -> AdamState:
        z = np.zeros_like(params)
        return AdamState(0, z, z, z)

    def update(self, grads, state, params, lr=None, oracle=None):
        lr = learning_rate(self, lr)
        t = state.count + 1
        params, g = _decay_and_grad(self, grads, params, lr)
        b1, b2 = self.beta1, self.beta2
        m = _lerp(state.mu, g, 1.0 - b1)
        v = state.nu * b2 + (1.0 - b2) * g * g
        b2_t = _pow(b2, t)
        bc1 = 1.0 - _pow(b1, t)
        bc2 = 1.0 - b2_t
        m_hat = m / bc1
        rho_inf = 2.0 / (1.0 - b2) - 1.0
        rho_t = rho_inf - 2.0 * t * b2_t / bc2
        with np.errstate(invalid="ignore", divide="ignore"):
            rect = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive = np.sqrt(bc2) / (np.sqrt(v) + self.eps)
            rectified = m_hat * lr * adaptive * rect
        step = np.where(np.asarray(rho_t) > 5.0, rectified, m_hat * lr)
        return params - step, AdamState(t, m, v, state.nu_max)


ALL: list[type[OptimizerConfig]] = [
    SGD,
    Momentum,
    Nesterov,
    Adagrad,
    Adadelta,
    RMSprop,
    Adam,
    AMSGrad,
    AdamW,
    Adamax,
    NAdam,
    RAdam,
]

__all__ = [
    "SGD",
    "AMSGrad",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Momentum",
    "NAdam",
    "Nesterov",
    "RAdam",
    "RMSprop",
]
