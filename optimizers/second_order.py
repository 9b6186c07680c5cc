"""Second-order and other methods: Newton (damped, saddle-free), BFGS, nonlinear conjugate
gradient, coordinate descent; Polyak averaging as a wrapper around any optimizer.

Every class is a frozen hyperparameter config with a pure ``init`` / ``update`` pair over
``(n, 2)`` arrays, like the first-order ones; numeric hyperparameters are scalars or ``(n, 1)``
arrays. 2x2 linear algebra is done in closed form (or with ``np.linalg`` on stacked ``(n, 2, 2)``
arrays), never with a Python loop over runs. Methods that need the Hessian or function values
ask the ``Oracle`` the runner passes; the gradient is always the ``grads`` argument (the
runner's, possibly noisy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from optimizers.base import Array, OptimizerConfig, Oracle, learning_rate
from settings import hyper

REFITS = 8  # quadratic refits of a refined line search, at most
MAX_HALVINGS = 30  # backtracking shrinks of a line search, at most
_LS_HELP = "first trial step of the backtracking line search (1 = the full quasi-Newton step)"
_REFINE_HELP = (
    "refine the step by quadratic fits along the line before backtracking "
    "(a near-exact line search, exact on a quadratic)"
)


# --- shared helpers ----------------------------------------------------------------------------
def _need(oracle: Oracle | None, kind: str) -> Oracle:
    if oracle is None:
        raise ValueError(f"{kind} needs an oracle (the landscape's value/grad/hessian)")
    return oracle


def _dot(a: Array, b: Array) -> Array:
    """Row-wise dot product of ``(n, 2)`` arrays: ``(n,)``."""
    return a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1]


def _col(value: Any, n: int) -> Array:
    """A scalar or ``(n, 1)`` hyperparameter as an ``(n,)`` float array."""
    return np.broadcast_to(np.asarray(value, dtype=float).reshape(-1), (n,)).astype(float)


def solve2(H: Array, g: Array) -> Array:
    """``H^{-1} g`` for stacked 2x2 systems ``H (n, 2, 2)``, ``g (n, 2)`` by Cramer's rule.

    Singular systems give non-finite rows (no warning)."""
    a, b, c, d = H[:, 0, 0], H[:, 0, 1], H[:, 1, 0], H[:, 1, 1]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        det = a * d - b * c
        x = (d * g[:, 0] - b * g[:, 1]) / det
        y = (a * g[:, 1] - c * g[:, 0]) / det
    return np.stack([x, y], axis=-1)


def abs_eig(H: Array) -> Array:
    """``|H| = V |Lambda| V^T`` for symmetric ``H (n, 2, 2)`` (saddle-free Newton's metric)."""
    H = 0.5 * (H + np.swapaxes(H, -1, -2))
    ok = np.isfinite(H).all(axis=(-1, -2))
    safe = np.where(ok[:, None, None], H, 0.0)
    w, V = np.linalg.eigh(safe)
    out = np.einsum("nij,nj,nkj->nik", V, np.abs(w), V)
    return np.where(ok[:, None, None], out, np.nan)


def _fit_minimizer(f0: Array, gd: Array, a: Array, fa: Array) -> tuple[Array, Array]:
    """Minimizer of the quadratic ``q(t)`` with ``q(0) = f0``, ``q'(0) = gd``, ``q(a) = fa``
    (Nocedal & Wright eq. 3.57) and that quadratic's curvature coefficient; all ``(n,)``."""
    curv = (fa - f0 - gd * a) / (a * a)
    return -gd / (2.0 * curv), curv


def backtracking(
    oracle: Oracle,
    p: Array,
    f0: Array,
    g: Array,
    d: Array,
    alpha0: Any,
    *,
    c1: float = 1e-4,
    refine: bool = False,
    refits: int = REFITS,
    max_halvings: int = MAX_HALVINGS,
) -> tuple[Array, Array, Array]:
    """Vectorized backtracking Armijo line search along ``d (n, 2)`` from ``p (n, 2)``.

    Finds ``a`` with ``f(p + a d) <= f0 + c1 a g.d``. The first trial is ``alpha0`` (scalar or
    ``(n, 1)``). With ``refine`` (a near-exact line search), up to ``refits`` trials follow at the
    minimizer of the quadratic through ``f0``, ``g.d`` and the last trial's value (exact on a
    quadratic, so it stops after one refit there), or at 4 times the last trial where that
    quadratic has no minimum but the trial went downhill; the lowest trial is kept. Then, while
    Armijo fails, the step shrinks to the same quadratic's minimizer kept within ``[0.1 a, 0.5 a]``
    (at least a halving, Nocedal & Wright section 3.5), at most ``max_halvings`` times. Loops only
    over trials, never over runs; each trial is one batched ``oracle.value`` call on the rows still
    searching.

    Returns ``alpha (n,)``, ``f(p + alpha d) (n,)`` and ``ok (n,)``; rows where no trial satisfied
    Armijo get ``alpha = 0``, ``f0`` and ``ok = False``. Rows whose ``f0`` or ``g.d`` is not finite
    are left to the caller (``alpha0``, ``ok = True``).
    """
    n = p.shape[0]
    f0 = np.asarray(f0, dtype=float)
    with np.errstate(all="ignore"):
        gd = _dot(g, d)
        a = _col(alpha0, n).copy()
        searching = np.isfinite(f0) & np.isfinite(gd)
        fa = np.full(n, np.nan)
        idx = np.flatnonzero(searching)
        if idx.size:
            fa[idx] = oracle.value(p[idx] + a[idx, None] * d[idx])
        best_a, best_f = a.copy(), fa.copy()
        moving = searching.copy()
        for _ in range(refits if refine else 0):
            aq, curv = _fit_minimizer(f0, gd, a, fa)
            # no positive curvature seen yet but the trial went downhill: the minimum lies further
            aq = np.where(~(curv > 0) & (fa < f0), 4.0 * a, aq)
            rel = np.abs(aq - a) / a
            change = moving & np.isfinite(aq) & (aq > 0) & (rel > 1e-8)
            if not change.any():
                break
            idx = np.flatnonzero(change)
            a[idx] = aq[idx]
            fa[idx] = oracle.value(p[idx] + a[idx, None] * d[idx])
            better = change & np.isfinite(fa) & ~(best_f <= fa)
            best_a = np.where(better, a, best_a)
            best_f = np.where(better, fa, best_f)
            moving = change & (rel > 1e-2)  # refine on only while the fit still moves the step
        # backtracking from the best trial, whose value is known
        a, ft = best_a, best_f
        ok = ~searching
        fnew = np.where(ok, f0, np.nan)
        pending = searching.copy()
        for k in range(max_halvings + 1):
            if k > 0:
                aq, _ = _fit_minimizer(f0, gd, a, ft)
                shrink = np.where(np.isfinite(aq), np.clip(aq, 0.1 * a, 0.5 * a), 0.5 * a)
                a = np.where(pending, shrink, a)
                idx = np.flatnonzero(pending)
                ft = np.full(n, np.nan)
                ft[idx] = oracle.value(p[idx] + a[idx, None] * d[idx])
            acc = pending & np.isfinite(ft) & (ft <= f0 + c1 * a * gd)
            ok |= acc
            fnew = np.where(acc, ft, fnew)
            pending &= ~acc
            if not pending.any():
                break
    a = np.where(searching & ~ok, 0.0, np.where(searching, a, _col(alpha0, n)))
    fnew = np.where(ok, fnew, f0)
    return a, fnew, ok


def _values(oracle: Oracle, params: Array, cache_x: Array | None, cache_f: Array | None) -> Array:
    """``f(params)``, reusing the value the last line search computed at the same points."""
    if cache_x is not None and cache_x.shape == params.shape and np.array_equal(cache_x, params):
        return cache_f
    return oracle.value(params)


# --- Newton ------------------------------------------------------------------------------------
class NewtonState(NamedTuple):
    count: int


@dataclass(frozen=True)
class Newton(OptimizerConfig):
    """Newton's method: ``p -= lr * M^{-1} g`` with ``M = H + damping * I`` (Levenberg-style
    damping), or with ``saddle_free`` ``M = |H| + damping * I`` where ``|H| = V |Lambda| V^T``
    (saddle-free Newton, Dauphin et al. 2014), which turns the step downhill along negative
    curvature so saddles repel instead of attract.

    Plain undamped Newton jumps to the stationary point of the local quadratic model, whatever
    its kind: on ``x^2 - y^2`` it lands on the saddle in one step. Fallback: where ``M`` is
    singular (the solve is not finite), that run takes a gradient step ``p -= lr * g`` instead.
    One Hessian evaluation per step.
    """

    lr: float = hyper(1.0, lo=0.0, hi=100.0, log=True, label="step size", help="1 = the full Newton step")
    damping: float = hyper(
        0.0, lo=0.0, hi=1e6, label="damping λ", help="adds λ·I to the Hessian: shorter, more gradient-like steps"
    )
    saddle_free: bool = hyper(
        False, label="saddle-free (|H|)", help="use |eigenvalues| of H: negative curvature pushes away from saddles"
    )

    kind = "newton"
    title = "Newton"
    rule = r"p_t = p_{t-1} - \eta\,(H_t + \lambda I)^{-1} g_t\quad(\text{saddle-free: } |H_t| = V|\Lambda|V^\top)"

    def init(self, params: Array) -> NewtonState:
        return NewtonState(0)

    def update(self, grads, state, params, lr=None, oracle=None):
        lr = learning_rate(self, lr)
        H = _need(oracle, self.kind).hessian(params)
        if self.saddle_free:
            H = abs_eig(H)
        lam = _col(self.damping, params.shape[0])
        H = H + lam[:, None, None] * np.eye(2)
        step = solve2(H, grads)
        step = np.where(np.isfinite(step).all(axis=-1, keepdims=True), step, grads)
        return params - lr * step, NewtonState(state.count + 1)


# --- BFGS --------------------------------------------------------------------------------------
class BFGSState(NamedTuple):
    count: int
    hinv: Array  # (n, 2, 2) inverse-Hessian approximation
    prev_p: Array  # (n, 2) params of the last step
    prev_g: Array  # (n, 2) gradient there
    x: Array  # (n, 2) where ``f`` was last evaluated (the accepted point)
    f: Array  # (n,) value there


def bfgs_inverse_update(hinv: Array, s: Array, y: Array, scale_first: bool = False) -> Array:
    """BFGS update of inverse Hessians ``(n, 2, 2)`` with steps ``s`` and gradient changes ``y``
    (``(n, 2)``): ``H+ = (I - r s y^T) H (I - r y s^T) + r s s^T``, ``r = 1 / s.y``. Rows with
    ``s.y <= 1e-12`` (curvature condition fails) keep ``H``. ``scale_first`` first replaces ``H``
    by ``(s.y / y.y) I`` (Nocedal & Wright eq. 6.20)."""
    sy = _dot(s, y)
    good = np.isfinite(sy) & (sy > 1e-12) & np.isfinite(s).all(-1) & np.isfinite(y).all(-1)
    with np.errstate(all="ignore"):
        r = np.where(good, 1.0 / np.where(good, sy, 1.0), 0.0)
        eye = np.eye(2)
        base = hinv
        if scale_first:
            gamma = np.where(good, sy / np.where(good, _dot(y, y), 1.0), 1.0)
            base = np.where(good[:, None, None], gamma[:, None, None] * eye, hinv)
        A = eye - r[:, None, None] * s[:, :, None] * y[:, None, :]
        new = A @ base @ np.swapaxes(A, -1, -2) + r[:, None, None] * s[:, :, None] * s[:, None, :]
    return np.where(good[:, None, None], new, hinv)


@dataclass(frozen=True)
class BFGS(OptimizerConfig):
    """BFGS quasi-Newton: direction ``d = -H g`` with ``H`` an inverse-Hessian approximation
    (identity at first, rescaled by ``s.y / y.y`` after the first step, Nocedal & Wright 6.20),
    step ``p += a d`` with ``a`` from the backtracking Armijo line search ``backtracking`` starting
    at ``lr`` (with ``refine``, near-exact: then BFGS minimizes a 2D quadratic in two steps); then
    ``H <- (I - r s y^T) H (I - r y s^T) + r s s^T`` with ``s = p_t - p_{t-1}``,
    ``y = g_t - g_{t-1}``, ``r = 1/s.y``, skipped when ``s.y <= 1e-12``. If ``d`` is not a descent
    direction or the line search fails, ``H`` is reset to the identity (a failed search takes
    no step). Uses function values (``oracle.value``) but no Hessian.
    """

    lr: float = hyper(1.0, lo=0.0, hi=100.0, lo_open=True, log=True, label="initial step", help=_LS_HELP)
    c1: float = hyper(1e-4, lo=0.0, hi=0.5, lo_open=True, log=True, label="Armijo c1", ui=False)
    refine: bool = hyper(False, label="refine line search", help=_REFINE_HELP)

    kind = "bfgs"
    title = "BFGS"
    rule = (
        r"d_t = -H_t g_t,\ p_t = p_{t-1} + \alpha_t d_t,\ "
        r"H_{t+1} = (I-\rho s y^\top) H_t (I-\rho y s^\top) + \rho s s^\top"
    )

    def init(self, params: Array) -> BFGSState:
        n = params.shape[0]
        nan = np.full_like(params, np.nan)
        return BFGSState(0, np.broadcast_to(np.eye(2), (n, 2, 2)).copy(), nan, nan, nan, np.full(n, np.nan))

    def update(self, grads, state, params, lr=None, oracle=None):
        oracle = _need(oracle, self.kind)
        lr = learning_rate(self, lr)
        g = grads
        hinv = state.hinv
        if state.count > 0:
            hinv = bfgs_inverse_update(hinv, params - state.prev_p, g - state.prev_g, scale_first=state.count == 1)
        d = -np.einsum("nij,nj->ni", hinv, g)
        with np.errstate(invalid="ignore"):
            descent = _dot(g, d) < 0
        reset = ~descent
        d = np.where(reset[:, None], -g, d)
        f0 = _values(oracle, params, state.x, state.f)
        a, fnew, ok = backtracking(oracle, params, f0, g, d, lr, c1=self.c1, refine=self.refine)
        reset |= ~ok
        hinv = np.where(reset[:, None, None], np.eye(2), hinv)
        new = params + a[:, None] * d
        return new, BFGSState(state.count + 1, hinv, params, g, new, fnew)


# --- nonlinear conjugate gradient ----------------------------------------------------------------
class CGState(NamedTuple):
    count: int
    d: Array  # (n, 2) last search direction
    prev_g: Array  # (n, 2) last gradient
    x: Array  # (n, 2) where ``f`` was last evaluated
    f: Array  # (n,)


CG_VARIANTS = ("fletcher_reeves", "polak_ribiere")


@dataclass(frozen=True)
class ConjugateGradient(OptimizerConfig):
    """Nonlinear conjugate gradient: ``d_t = -g_t + beta_t d_{t-1}`` with Fletcher-Reeves
    ``beta = g_t.g_t / g_{t-1}.g_{t-1}`` or Polak-Ribiere+ ``beta = max(0, g_t.(g_t - g_{t-1}) /
    g_{t-1}.g_{t-1})``; ``p += a d`` with the same line search as BFGS, refined by default (CG's
    directions carry no step length and stay conjugate only with near-exact steps).
    Restarts with steepest descent ``d = -g`` every ``restart`` steps (2 = the dimension) and
    wherever ``d`` is not a descent direction. With the refined (on a quadratic exact) line search
    it minimizes a 2D quadratic in two steps.
    """

    lr: float = hyper(1.0, lo=0.0, hi=100.0, lo_open=True, log=True, label="initial step", help=_LS_HELP)
    c1: float = hyper(1e-4, lo=0.0, hi=0.5, lo_open=True, log=True, label="Armijo c1", ui=False)
    restart: int = hyper(2, lo=1, hi=1e6, label="restart every", ui=False)
    variant: str = hyper(
        "polak_ribiere", label="beta formula", help="Fletcher-Reeves or Polak-Ribiere+", choices=CG_VARIANTS
    )
    refine: bool = hyper(True, label="refine line search", help=_REFINE_HELP)

    kind = "cg"
    title = "Conjugate gradient"
    rule = (
        r"d_t = -g_t + \beta_t d_{t-1},\ \beta^{FR} = \frac{\|g_t\|^2}{\|g_{t-1}\|^2},\ "
        r"\beta^{PR+} = \max\!\left(0, \frac{g_t^\top (g_t - g_{t-1})}{\|g_{t-1}\|^2}\right),\ "
        r"p_t = p_{t-1} + \alpha_t d_t"
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.variant not in CG_VARIANTS:
            raise ValueError(f"Invalid CG variant: {self.variant!r} (known: {', '.join(CG_VARIANTS)})")
        if np.any(np.asarray(self.restart) != np.round(np.asarray(self.restart))):
            raise ValueError(f"Invalid restart: {self.restart} (must be a whole number of steps)")

    def init(self, params: Array) -> CGState:
        n = params.shape[0]
        nan = np.full_like(params, np.nan)
        return CGState(0, np.zeros_like(params), nan, nan, np.full(n, np.nan))

    def update(self, grads, state, params, lr=None, oracle=None):
        oracle = _need(oracle, self.kind)
        lr = learning_rate(self, lr)
        g = grads
        n = params.shape[0]
        restart_now = (state.count % _col(self.restart, n).astype(np.int64)) == 0
        with np.errstate(all="ignore"):
            gg_prev = _dot(state.prev_g, state.prev_g)
            num = _dot(g, g) if self.variant == "fletcher_reeves" else _dot(g, g - state.prev_g)
            beta = num / gg_prev
            if self.variant == "polak_ribiere":
                beta = np.maximum(beta, 0.0)
            d = -g + beta[:, None] * state.d
            bad = restart_now | ~np.isfinite(beta) | ~(_dot(g, d) < 0)
        d = np.where(bad[:, None], -g, d)
        f0 = _values(oracle, params, state.x, state.f)
        a, fnew, _ = backtracking(oracle, params, f0, g, d, lr, c1=self.c1, refine=self.refine)
        new = params + a[:, None] * d
        return new, CGState(state.count + 1, d, g, new, fnew)


# --- coordinate descent ------------------------------------------------------------------------
class CoordinateState(NamedTuple):
    count: int


@dataclass(frozen=True)
class CoordinateDescent(OptimizerConfig):
    """Coordinate descent: update ``x`` on odd steps and ``y`` on even ones (``i = (t-1) mod 2``):
    ``p_i -= lr * g_i``. With ``exact``, the 1D Newton step ``p_i -= g_i / |H_ii|`` instead (the
    exact minimizer along the coordinate on a quadratic; ``lr`` and schedules do not scale it).
    Where the coordinate's curvature is negative, ``|H_ii|`` still steps downhill (the 1D
    saddle-free step); where ``|H_ii| <= 1e-8`` or is not finite it falls back to ``lr * g_i``.
    The other coordinate is untouched. ``exact`` costs one Hessian evaluation per step.
    """

    lr: float = hyper(
        1e-3,
        lo=0.0,
        hi=100.0,
        log=True,
        label="learning rate",
        help="gradient step on the active coordinate (with exact steps: only the fallback)",
    )
    exact: bool = hyper(False, label="exact 1D Newton step", help="step g_i / |H_ii| along the coordinate")

    kind = "coordinate"
    title = "Coordinate descent"
    rule = (
        r"i = (t-1) \bmod 2,\quad p_{t,i} = p_{t-1,i} - \eta\, g_{t,i}"
        r"\ \ (\text{exact: } g_{t,i} / |H_{ii}|)"
    )

    def init(self, params: Array) -> CoordinateState:
        return CoordinateState(0)

    def update(self, grads, state, params, lr=None, oracle=None):
        lr = learning_rate(self, lr)
        i = state.count % 2
        gi = grads[:, i]
        step_i = _col(lr, gi.shape[0]) * gi
        if self.exact:
            hii = np.abs(_need(oracle, self.kind).hessian(params)[:, i, i])
            good = np.isfinite(hii) & (hii > 1e-8)
            with np.errstate(all="ignore"):
                step_i = np.where(good, gi / np.where(good, hii, 1.0), step_i)
        step = np.zeros_like(params)
        step[:, i] = step_i
        return params - step, CoordinateState(state.count + 1)


# --- Polyak averaging --------------------------------------------------------------------------
class PolyakState(NamedTuple):
    count: int  # updates made
    inner: Any  # the inner optimizer's state
    mean: Array  # (n, 2) running mean of the averaged iterates
    n_avg: Array  # (n, 1) how many iterates are in the mean


def _default_inner() -> OptimizerConfig:
    from optimizers.first_order import SGD

    return SGD(lr=0.01)


@dataclass(frozen=True)
class Polyak(OptimizerConfig):
    """Polyak(-Ruppert) averaging around any optimizer ``inner``: the inner method moves the
    iterates ``p_t`` as usual, and the displayed point is their running mean
    ``pbar_t = mean(p_s : start <= s <= t)`` (``p_0`` is the start point), updated as
    ``pbar += (p_t - pbar) / m``. Before ``start`` updates the current iterate is shown.
    ``inner`` may be given as a config, a kind name, or a dict ``{"kind": ..., **hyperparameters}``.
    The learning rate (and a schedule's) is the inner one's.
    """

    inner: OptimizerConfig = field(default_factory=_default_inner)
    start: int = hyper(0, lo=0, hi=1e7, label="average from step", help="iterates before this step are not averaged")

    kind = "polyak"
    title = "Polyak averaging"
    rule = r"\bar p_t = \frac{1}{t - s + 1} \sum_{k=s}^{t} p_k"

    def __post_init__(self) -> None:
        inner = self.inner
        if isinstance(inner, str):
            inner = {"kind": inner}
        if isinstance(inner, dict):
            from optimizers.registry import make

            spec = dict(inner)
            inner = make(spec.pop("kind"), **spec)
        if not isinstance(inner, OptimizerConfig):
            raise ValueError(f"Invalid inner optimizer: {self.inner!r}")
        if isinstance(inner, Polyak):
            raise ValueError("Invalid inner optimizer: Polyak averaging cannot wrap itself")
        object.__setattr__(self, "inner", inner)
        super().__post_init__()

    @property
    def lr(self) -> Any:
        return self.inner.lr

    @property
    def display_title(self) -> str:
        return f"{self.inner.title} (averaged)"

    def to_dict(self) -> dict[str, Any]:
        return {"inner": {"kind": self.inner.kind, **self.inner.to_dict()}, "start": float(self.start)}

    def init(self, params: Array) -> PolyakState:
        first = np.asarray(self.start) <= 0
        n_avg = np.broadcast_to(np.where(first, 1.0, 0.0), (params.shape[0], 1)).copy()
        return PolyakState(0, self.inner.init(params), params.copy(), n_avg)

    def update(self, grads, state, params, lr=None, oracle=None):
        new, inner = self.inner.update(grads, state.inner, params, lr=lr, oracle=oracle)
        t = state.count + 1
        use = np.broadcast_to(t >= np.asarray(self.start), state.n_avg.shape)
        m = state.n_avg + use
        mean = np.where(use, state.mean + (new - state.mean) / np.maximum(m, 1.0), state.mean)
        mean = np.where(m > 0, mean, new)  # nothing averaged yet: follow the iterate
        return new, PolyakState(t, inner, mean, m)

    def position(self, state: PolyakState, params: Array) -> Array:
        return np.where(state.n_avg > 0, state.mean, params)


ALL: list[type[OptimizerConfig]] = [Newton, BFGS, ConjugateGradient, CoordinateDescent, Polyak]

__all__ = [
    "ALL",
    "BFGS",
    "CG_VARIANTS",
    "ConjugateGradient",
    "CoordinateDescent",
    "Newton",
    "Polyak",
    "abs_eig",
    "backtracking",
    "bfgs_inverse_update",
    "solve2",
]
