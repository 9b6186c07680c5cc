"""Inside the optimizer: ONE run stepped through, recording at every step the gradient, the
optimizer's state, the bias-corrected moments and the effective per-coordinate step size.

The run uses the optimizer's own ``init`` / ``update`` pair (a Python loop over steps: it is one
run), exactly as ``optimizers.run`` advances it, so the positions equal the runner's. The state
NamedTuple is read generically: every field of shape ``(1, 2)`` is recorded (``count`` and scalar
fields such as NAdam's ``mu_product`` are not), and fields unused by this configuration are left out:
those that stay zero over the whole run (RMSprop's ``grad_avg`` unless centered, Adam's ``nu_max``
unless AMSGrad) and the momentum buffer ``buf`` when momentum is 0 (SGD and RMSprop fill it anyway).

Step ``t = 1 .. n`` takes ``p_{t-1}`` to ``p_t`` using the gradient ``g_t = grad f(p_{t-1})``
(the loss gradient, before any weight decay the optimizer adds); the state recorded for step ``t``
is the state after that update.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

import landscapes
import optimizers
from landscapes.base import Landscape
from optimizers.base import OptimizerConfig
from optimizers.suggested import suggested_lr
from settings import check_fields, hyper

Array = np.ndarray

LANDSCAPES = ("ravine", "rosenbrock", "quadratic", "himmelblau", "beale", "plateau", "bounded_saddle", "saddle")
OPTIMIZERS = (
    "sgd",
    "momentum",
    "nesterov",
    "adagrad",
    "adadelta",
    "rmsprop",
    "adam",
    "amsgrad",
    "adamw",
    "adamax",
    "nadam",
    "radam",
    "rprop",
    "asgd",
    "adafactor",
    "signsgd",
    "lion",
)
MAX_STEPS = 2000
GRAD_TOL = 1e-6  # a run whose gradient and last step are both below these has stopped moving
STEP_TOL = 1e-9
DIVERGE_MARGIN = 50.0  # window sizes away: diverged (as the runner)
LEAVE_MARGIN = 0.25  # fraction of the window outside it: left (landscapes unbounded below)

# readable names of the state fields of optimizers/first_order.py
STATE_NAMES: dict[str, str] = {
    "buf": "momentum buffer b",
    "sum": "accumulator G = Σ g²",
    "square_avg": "E[g²] (running mean of g²)",
    "acc_delta": "E[Δx²] (running mean of squared updates)",
    "grad_avg": "E[g] (running mean of g, centered)",
    "mu": "m (1st moment)",
    "nu": "v (2nd moment)",
    "nu_max": "max v so far (AMSGrad)",
    "inf_norm": "u (infinity norm)",
    "prev": "last gradient used (0 after a sign flip)",
    "step_size": "per-coordinate step size s",
    "ax": "averaged iterate p̄ (ASGD)",
    "variance": "v (2nd moment; a vector parameter is not factored)",
}


@dataclass(frozen=True)
class InternalsSettings:
    """What the 'Inside the optimizer' page computes from (its widgets and URL).

    ``step`` is only the step shown; it does not change the run (see ``run_settings``)."""

    landscape: str = hyper("ravine", choices=LANDSCAPES)
    optimizer: str = hyper("adam", choices=OPTIMIZERS)
    suggested_lr: bool = True  # use the suggested learning rate for this optimizer and landscape instead of lr
    lr: float = hyper(0.05, lo=0.0, hi=100.0, lo_open=True, log=True, label="learning rate")
    momentum: float = hyper(0.9, lo=0.0, hi=0.999, label="momentum μ")
    beta1: float = hyper(0.9, lo=0.0, hi=0.999, label="beta1")
    beta2: float = hyper(0.999, lo=0.0, hi=0.9999, label="beta2")
    rho: float = hyper(0.9, lo=0.0, hi=0.999, label="rho")
    alpha: float = hyper(0.99, lo=0.0, hi=0.9999, label="alpha")
    custom_start: bool = False  # else the landscape's first default start
    start_x: float = hyper(0.0, lo=-1e3, hi=1e3, label="start x")
    start_y: float = hyper(0.0, lo=-1e3, hi=1e3, label="start y")
    steps: int = hyper(100, lo=1, hi=MAX_STEPS, label="steps")
    step: int = hyper(10, lo=1, hi=MAX_STEPS, label="step shown")

    def __post_init__(self) -> None:
        if self.landscape not in LANDSCAPES:
            raise ValueError(f"Invalid landscape: {self.landscape!r} (choose one of {', '.join(LANDSCAPES)})")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Invalid optimizer: {self.optimizer!r} (choose one of {', '.join(OPTIMIZERS)})")
        check_fields(self)

    @property
    def learning_rate(self) -> float:
        return suggested_lr(self.landscape, self.optimizer) if self.suggested_lr else self.lr

    def run_settings(self) -> InternalsSettings:
        """These settings with the shown step reset: the part that decides the run (a cache key)."""
        return dataclasses.replace(self, step=1)

    def hyperparameters(self) -> dict[str, float]:
        """The optimizer's hyperparameters these settings set (the others keep torch's defaults).

        Momentum only for ``momentum`` / ``nesterov`` (plain SGD and RMSprop run without it); alpha
        only for RMSprop (ASGD's alpha is a power, not a decay)."""
        cls = optimizers.optimizer_class(self.optimizer)
        names = {f.name for f in dataclasses.fields(cls)}
        hp: dict[str, float] = {"lr": self.learning_rate}
        if self.optimizer in ("momentum", "nesterov"):
            hp["momentum"] = self.momentum
        for name in ("beta1", "beta2", "rho", "alpha"):
            if name in names and (name != "alpha" or self.optimizer == "rmsprop"):
                hp[name] = getattr(self, name)
        return hp

    def config(self) -> OptimizerConfig:
        """The optimizer config (raises ``ValueError`` for a combination it refuses)."""
        return optimizers.make(self.optimizer, **self.hyperparameters())

    def landscape_obj(self) -> Landscape:
        return landscapes.get(self.landscape)

    def start(self) -> Array:
        """The start point ``(2,)``: the own one, else the landscape's first suggested start."""
        return landscapes.start_point(self, self.landscape_obj())


@dataclass(frozen=True, eq=False)
class Trace:
    """One run, every step recorded. ``n`` steps were taken (``n <= requested``).

    - ``positions (n+1, 2)``: ``p_0 .. p_n``; ``losses (n+1,)``.
    - ``grads (n, 2)``: ``g_t`` used by step ``t`` (row ``t-1``), the loss gradient at ``p_{t-1}``.
    - ``deltas (n, 2)``: the actual updates ``p_t - p_{t-1}``.
    - ``state``: state field name -> ``(n, 2)`` values after each step (fields unused by the run left out).
    - ``m_hat``, ``v_hat`` ``(n, 2)`` or ``None``: ``m / (1 - beta1^t)``, ``v / (1 - beta2^t)`` for the
      Adam family (``v_hat`` uses ``v``, not AMSGrad's max).
    - ``velocity (n, 2)`` or ``None``: where the accumulated past pushes, ``-b`` (momentum buffer) or
      ``-m_hat``; ``velocity_name`` says which.
    - ``status``: how the run ended, in words.
    """

    landscape: Landscape
    config: OptimizerConfig
    positions: Array
    losses: Array
    grads: Array
    deltas: Array
    state: dict[str, Array]
    m_hat: Array | None
    v_hat: Array | None
    velocity: Array | None
    velocity_name: str
    status: str
    requested_steps: int

    @property
    def n_steps(self) -> int:
        return int(self.grads.shape[0])

    @property
    def steps(self) -> Array:
        """Step numbers ``1 .. n`` ``(n,)``."""
        return np.arange(1, self.n_steps + 1)

    @property
    def effective_lr(self) -> Array:
        """``|p_t - p_{t-1}| / |g_t|`` per coordinate ``(n, 2)``: the step size the optimizer actually used
        (equal to ``lr`` for plain SGD); NaN where the gradient coordinate is 0."""
        return effective_step_size(self.deltas, self.grads)


def effective_step_size(deltas: Array, grads: Array) -> Array:
    """``|delta| / |g|`` elementwise; NaN where ``g == 0`` (no warning)."""
    d, g = np.abs(np.asarray(deltas, dtype=float)), np.abs(np.asarray(grads, dtype=float))
    out = np.full(np.broadcast_shapes(d.shape, g.shape), np.nan)
    np.divide(d, g, out=out, where=g != 0)
    return out


def bias_correction(values: Array, beta: float) -> Array:
    """``values[t-1] / (1 - beta^t)`` for ``t = 1 .. n``; ``values (n, ...)``."""
    values = np.asarray(values, dtype=float)
    t = np.arange(1, values.shape[0] + 1, dtype=float).reshape((-1,) + (1,) * (values.ndim - 1))
    return values / (1.0 - np.power(float(beta), t))


def _array_fields(state: Any) -> dict[str, Array]:
    """The ``(1, 2)`` array fields of a state NamedTuple, as ``(2,)`` copies."""
    return {
        name: np.array(value[0], dtype=float)
        for name, value in state._asdict().items()
        if name != "count" and np.shape(value) == (1, 2)
    }


def trace_run(landscape: Landscape, config: OptimizerConfig, start: Array, steps: int) -> Trace:
    """Step ``config`` from ``start (2,)`` for up to ``steps`` steps, recording everything.

    Stops early, like the runner, when the run stops moving (gradient below ``GRAD_TOL`` and last step
    below ``STEP_TOL``), diverges (non-finite values or ``DIVERGE_MARGIN`` window sizes away; the bad
    step is not recorded when non-finite), or leaves the window of a landscape unbounded below."""
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"Invalid steps: {steps} (must be in [1, {MAX_STEPS}])")
    P = np.asarray(start, dtype=float).reshape(1, 2)
    window = landscape.window
    far = window.expanded(DIVERGE_MARGIN)
    leave = window.expanded(LEAVE_MARGIN) if landscape.unbounded_below else None
    state = config.init(P)
    positions, grads, states = [P[0].copy()], [], []
    prev = P + np.inf
    status = f"ran all {steps} steps"
    with np.errstate(all="ignore"):
        G = landscape.grad(P)
        for t in range(1, steps + 1):
            if np.sum(G * G) < GRAD_TOL**2 and np.sum((P - prev) ** 2) < STEP_TOL**2:
                status = f"stopped moving after step {t - 1}"
                break
            newP, state = config.update(G, state, P, oracle=None)
            newG = landscape.grad(newP)
            if not (np.all(np.isfinite(newP)) and np.all(np.isfinite(newG))):
                status = f"diverged at step {t} (non-finite values; not drawn)"
                break
            positions.append(newP[0].copy())
            grads.append(G[0].copy())
            states.append(_array_fields(state))
            if not bool(far.contains(newP)[0]) or np.max(np.abs(newG)) > 1e150:
                status = f"diverged at step {t}"
                break
            if leave is not None and not bool(leave.contains(newP)[0]):
                status = f"left the window at step {t}"
                break
            prev, P, G = P, newP, newG
        pos = np.array(positions)
        losses = np.asarray(landscape.value(pos), dtype=float)
    n = len(grads)
    grad_arr = np.array(grads).reshape(n, 2)
    names = list(states[0]) if states else []
    state_arr = {name: np.array([s[name] for s in states]).reshape(n, 2) for name in names}
    state_arr = {k: v for k, v in state_arr.items() if np.any(v != 0)}
    if not np.any(np.asarray(getattr(config, "momentum", 0.0)) != 0):  # filled but never used without momentum
        state_arr.pop("buf", None)
    return _derived(landscape, config, pos, losses, grad_arr, state_arr, status, steps)


def _derived(landscape, config, pos, losses, grads, state, status, steps) -> Trace:
    """Bias-corrected moments and the velocity, from the recorded state."""
    n = grads.shape[0]
    beta1, beta2 = getattr(config, "beta1", None), getattr(config, "beta2", None)
    m_hat = v_hat = velocity = None
    velocity_name = ""
    if getattr(config, "kind", "") == "lion":  # Lion's momentum has no bias correction
        beta1 = beta2 = None
        if "mu" in state:
            return _trace(
                landscape,
                config,
                pos,
                losses,
                grads,
                state,
                None,
                None,
                -state["mu"],
                "−m (Lion's momentum)",
                status,
                steps,
            )
    if beta1 is not None and "mu" in state:
        m_hat = bias_correction(state["mu"], beta1)
    elif beta1 is not None and n:  # m identically 0 (all gradients 0): still defined
        m_hat = np.zeros((n, 2))
    if beta2 is not None and "nu" in state:
        v_hat = bias_correction(state["nu"], beta2)
    if m_hat is not None:
        velocity, velocity_name = -m_hat, "−m̂ (bias-corrected 1st moment)"
    elif "buf" in state:
        velocity, velocity_name = -state["buf"], "−b (momentum buffer)"
    return _trace(landscape, config, pos, losses, grads, state, m_hat, v_hat, velocity, velocity_name, status, steps)


def _trace(landscape, config, pos, losses, grads, state, m_hat, v_hat, velocity, velocity_name, status, steps) -> Trace:
    n = grads.shape[0]
    deltas = np.diff(pos, axis=0).reshape(n, 2)
    return Trace(
        landscape, config, pos, losses, grads, deltas, state, m_hat, v_hat, velocity, velocity_name, status, steps
    )


def trace_lesson(settings: InternalsSettings) -> Trace:
    """The run the page shows (the shown step does not matter)."""
    return trace_run(settings.landscape_obj(), settings.config(), settings.start(), settings.steps)


def clamp_step(step: int, n_steps: int) -> tuple[int, str | None]:
    """The shown step within ``[1, n_steps]`` and a warning when it had to move."""
    k = min(max(int(step), 1), max(int(n_steps), 1))
    if k == step:
        return k, None
    return k, f"step {step} is beyond this run ({n_steps} steps); showing step {k}"


def step_rows(trace: Trace, step: int) -> list[dict[str, Any]]:
    """Every recorded quantity at step ``step`` (1-based) as rows ``{quantity, x, y}``."""
    i = step - 1
    rows = [("point pₜ₋₁", trace.positions[i]), ("gradient gₜ", trace.grads[i])]
    rows += [(STATE_NAMES.get(name, name), values[i]) for name, values in trace.state.items()]
    if trace.m_hat is not None:
        rows.append(("m̂ = m / (1 − β₁ᵗ)", trace.m_hat[i]))
    if trace.v_hat is not None:
        rows.append(("v̂ = v / (1 − β₂ᵗ)", trace.v_hat[i]))
    rows += [("step Δp = pₜ − pₜ₋₁", trace.deltas[i]), ("effective step size |Δp| / |g|", trace.effective_lr[i])]
    return [{"quantity": name, "x": float(v[0]), "y": float(v[1])} for name, v in rows]
