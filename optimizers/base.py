"""The optimizer contract, after optax: a frozen hyperparameter config with a pure
``init`` / ``update`` pair over arrays of shape ``(N, 2)`` (N runs advance together).

Numeric hyperparameters are floats or arrays broadcastable to ``(N, 1)``, so one call can sweep
a learning rate over N runs. ``stack_configs`` turns a list of scalar configs of one kind into a
single config whose numeric fields are ``(N, 1)`` arrays.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import numpy as np

from landscapes.protocol import LandscapeLike
from settings import check_fields, hyper

Array = np.ndarray


class Oracle:
    """What an update may ask of the landscape for its group of runs, with evaluation counters.

    ``value``/``grad``/``hessian`` take points of shape ``(n, 2)``. Counters count batched calls,
    i.e. evaluations per run. ``grad`` here is the exact gradient; the runner adds noise.
    """

    def __init__(self, landscape: LandscapeLike) -> None:
        self.landscape = landscape
        self.n_value = 0
        self.n_grad = 0
        self.n_hess = 0

    def value(self, p: Array) -> Array:
        self.n_value += 1
        return self.landscape.value(p)

    def grad(self, p: Array) -> Array:
        self.n_grad += 1
        return self.landscape.grad(p)

    def hessian(self, p: Array) -> Array:
        self.n_hess += 1
        return self.landscape.hessian(p)


class NoState(NamedTuple):
    """State of a stateless optimizer (plain SGD): only the step count."""

    count: int


@dataclass(frozen=True)
class OptimizerConfig:
    """Base of every optimizer's hyperparameters. Subclasses are frozen dataclasses declaring
    their fields with ``hyper`` and implementing ``init`` and ``update``.

    ``update(grads, state, params, lr=None, oracle=None) -> (new_params, new_state)``:
    ``grads`` and ``params`` have shape ``(n, 2)``; ``lr`` overrides ``self.lr`` (a schedule's
    value, scalar or ``(n, 1)``); ``oracle`` gives second-order methods and line searches access
    to the landscape. Inputs are never mutated.
    """

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""
    rule: ClassVar[str] = ""  # LaTeX of the update rule, for the UI
    torch_name: ClassVar[str] = ""  # name in torch.optim where PyTorch has the method

    def __post_init__(self) -> None:
        check_fields(self)

    @property
    def display_title(self) -> str:
        """The method's name for people ("Momentum (averaged)" for a wrapped one): ``title``."""
        return self.title

    # --- the pure pair ----------------------------------------------------------------
    def init(self, params: Array) -> Any:
        raise NotImplementedError

    def update(
        self, grads: Array, state: Any, params: Array, lr: Any = None, oracle: Oracle | None = None
    ) -> tuple[Array, Any]:
        raise NotImplementedError

    def position(self, state: Any, params: Array) -> Array:
        """The point to display and score for these params (Polyak averaging overrides it)."""
        return params

    # --- helpers ----------------------------------------------------------------------
    def numeric_fields(self) -> list[str]:
        return [
            f.name
            for f in dataclasses.fields(self)
            if not isinstance(getattr(self, f.name), (bool, str, OptimizerConfig))
        ]

    def config_fields(self) -> list[str]:
        """Fields holding another optimizer config (Polyak averaging's ``inner``)."""
        return [f.name for f in dataclasses.fields(self) if isinstance(getattr(self, f.name), OptimizerConfig)]

    def group_key(self) -> tuple:
        """Configs with equal keys can advance in one vectorized group (nested configs must
        have equal keys too)."""
        flags = tuple(
            (f.name, getattr(self, f.name))
            for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), (bool, str))
        )
        nested = tuple((name, getattr(self, name).group_key()) for name in self.config_fields())
        return (type(self), flags + nested)

    def to_dict(self) -> dict[str, Any]:
        """Field values as plain Python scalars (JSON friendly)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = v if isinstance(v, (bool, str)) else float(v)
        return out


def stack_configs(configs: list[OptimizerConfig]) -> OptimizerConfig:
    """One config of the same kind whose numeric fields are ``(n, 1)`` arrays (or scalars
    where every config has the same value).

    All configs must share ``group_key()`` (same class and same boolean/str flags).
    """
    if not configs:
        raise ValueError("stack_configs needs at least one config")
    key = configs[0].group_key()
    if any(c.group_key() != key for c in configs):
        raise ValueError("stack_configs needs configs of one kind with equal flags")
    first = configs[0]
    values: dict[str, Any] = {}
    for name in first.numeric_fields():
        column = np.array([getattr(c, name) for c in configs], dtype=float)
        # a hyperparameter shared by every run stays a scalar: cheaper arithmetic, same result
        values[name] = float(column[0]) if np.all(column == column[0]) else column[:, None]
    for name in first.config_fields():
        values[name] = stack_configs([getattr(c, name) for c in configs])
    return dataclasses.replace(first, **values)


def clip_by_norm(grads: Array, max_norm: Any) -> Array:
    """Scale each run's gradient to norm at most ``max_norm`` (``<= 0`` disables), like
    ``torch.nn.utils.clip_grad_norm_``: ``g * min(1, max_norm / (||g|| + 1e-6))``."""
    if isinstance(max_norm, (int, float)) and max_norm <= 0:  # the common case, no array overhead
        return grads
    max_norm = np.asarray(max_norm, dtype=float)
    if not np.any(max_norm > 0):
        return grads
    norm = np.linalg.norm(grads, axis=-1, keepdims=True)
    coef = np.minimum(1.0, max_norm / (norm + 1e-6))
    return np.where(max_norm > 0, grads * coef, grads)


def learning_rate(config: OptimizerConfig, lr: Any) -> Any:
    """The learning rate to use this step: the schedule's value if given, else the config's."""
    return config.lr if lr is None else lr


def maximize_field() -> Any:
    """``torch.optim``'s ``maximize`` flag, declared once for every twin that has it."""
    return hyper(False, label="maximize", help="ascend: negate the gradient (torch's maximize=True)", ui=False)


def signed(config: OptimizerConfig, grads: Array) -> Array:
    """``-grads`` when the config has ``maximize`` set (torch negates before any decay), else ``grads``."""
    return -grads if getattr(config, "maximize", False) else grads


def any_nonzero(value: Any) -> bool:
    """Whether a hyperparameter (a float, or an ``(n, 1)`` array of one per run) is nonzero for any run;
    the float case without array overhead (the common one)."""
    return (value != 0) if isinstance(value, (int, float)) else bool(np.any(value != 0))


def torch_style_grad(config: OptimizerConfig, grads: Array, params: Array, weight_decay: bool = True) -> Array:
    """Clip (``max_grad_norm``), negate when maximizing, then (unless ``weight_decay`` is False)
    add the L2 penalty ``weight_decay * p`` as ``torch.optim`` does."""
    g = signed(config, clip_by_norm(grads, getattr(config, "max_grad_norm", 0.0)))
    wd = getattr(config, "weight_decay", 0.0) if weight_decay else 0.0
    if any_nonzero(wd):
        g = g + wd * params
    return g
