"""``torch.optim.LBFGS`` with PyTorch's defaults and arithmetic, vectorized over runs.

One ``update`` is one ``LBFGS.step(closure)``: up to ``max_iter`` inner iterations, each a
two-loop recursion over the run's history of at most ``history_size`` pairs ``(s, y)``, then a
fixed step ``lr`` (the first ever ``min(1, 1/|g|_1) lr``) or, with ``line_search_fn =
"strong_wolfe"``, torch's bracketing and zooming cubic-interpolation search (``_strong_wolfe``).
Every closure call is one value and one gradient evaluation through the ``Oracle``, batched over
the runs that need it; the runner's gradient is the first one of each step.

Runs are rows of ``(n, D)`` arrays and the history is ``(k, n, D)``, slot-major so that one slot of
every run is contiguous (``k`` grows as pairs arrive, up to ``history_size``). Each run keeps its
own iteration count, history and stopping tests, so a run's path does not depend on which runs
share the call: the only loops are over inner iterations, history slots and line-search trials,
never over runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from optimizers.base import Array, OptimizerConfig, Oracle, learning_rate
from settings import hyper

LINE_SEARCHES = ("none", "strong_wolfe")
C1, C2 = 1e-4, 0.9  # torch's strong-Wolfe constants (not arguments of LBFGS)


def _col(value: Any, n: int, dtype: type = float) -> Array:
    """A scalar or ``(n, 1)`` hyperparameter as an ``(n,)`` array."""
    return np.broadcast_to(np.asarray(value, dtype=float).reshape(-1), (n,)).astype(dtype)


def _dot(a: Array, b: Array) -> Array:
    """Row-wise dot products ``(n,)`` of ``(n, D)`` arrays."""
    return np.sum(a * b, axis=-1)


def _pymin(a: Any, b: Any) -> Array:
    """Python's ``min(a, b)``: ``b`` if ``b < a`` else ``a`` (so a NaN ``a`` stays)."""
    return np.where(b < a, b, a)


def _pymax(a: Any, b: Any) -> Array:
    """Python's ``max(a, b)``: ``b`` if ``b > a`` else ``a``."""
    return np.where(b > a, b, a)


def cubic_interpolate(x1, f1, g1, x2, f2, g2, lo=None, hi=None) -> Array:
    """torch's ``_cubic_interpolate`` over arrays: the minimizer of the cubic through two points
    with values and slopes, kept within ``[lo, hi]`` (default: between the points); the middle of
    the bounds where the cubic has no minimum."""
    if lo is None:
        lo, hi = np.where(x1 <= x2, x1, x2), np.where(x1 <= x2, x2, x1)
    with np.errstate(all="ignore"):  # both orientations are computed, one is used
        d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        d2_square = d1**2 - g1 * g2
        ok = d2_square >= 0
        d2 = np.sqrt(np.where(ok, d2_square, 0.0))
        left = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        right = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    min_pos = np.where(x1 <= x2, left, right)
    return np.where(ok, _pymin(_pymax(min_pos, lo), hi), (lo + hi) / 2.0)


def _evaluate(oracle: Oracle, x: Array, t: Array, d: Array) -> tuple[Array, Array]:
    """torch's closure at ``x + t d``: values ``(m,)`` and gradients ``(m, D)``."""
    p = x + t[:, None] * d
    return oracle.value(p), oracle.grad(p)


def strong_wolfe(
    oracle: Oracle, x: Array, t: Array, d: Array, f: Array, g: Array, gtd: Array, tolerance_change: Array, max_ls: Array
) -> tuple[Array, Array, Array, Array]:
    """torch's ``_strong_wolfe`` line search for ``m`` runs at once (each its own state machine).

    ``x, d, g (m, D)``; ``t, f, gtd, tolerance_change, max_ls (m,)``. Returns the accepted
    values ``(m,)``, gradients ``(m, D)``, step lengths ``(m,)`` and evaluations made ``(m,)``.
    A loop over trials: each evaluates, in one batched call, every run still searching.
    """
    m = t.shape[0]
    d_norm = np.abs(d).max(axis=-1)
    t = t.astype(float).copy()
    f_new, g_new = _evaluate(oracle, x, t, d)
    evals = np.ones(m, dtype=np.int64)
    gtd_new = _dot(g_new, d)
    t_prev, f_prev, g_prev, gtd_prev = np.zeros(m), f.copy(), g.copy(), gtd.copy()
    ls_iter = np.zeros(m, dtype=np.int64)
    phase = np.zeros(m, dtype=np.int8)  # 0 bracketing, 1 zooming, 2 finished
    done = np.zeros(m, dtype=bool)
    insuf = np.zeros(m, dtype=bool)
    low = np.zeros(m, dtype=np.int64)
    b_t, b_f, b_gtd = np.zeros((m, 2)), np.zeros((m, 2)), np.zeros((m, 2))
    b_g = np.zeros((m, 2, d.shape[-1]))
    rows = np.arange(m)

    def set_bracket(mask, t0, f0, g0, gtd0, t1, f1, g1, gtd1):
        for k, (tk, fk, gk, gtdk) in enumerate(((t0, f0, g0, gtd0), (t1, f1, g1, gtd1))):
            b_t[mask, k] = np.broadcast_to(tk, (m,))[mask]
            b_f[mask, k] = fk[mask]
            b_g[mask, k] = gk[mask]
            b_gtd[mask, k] = np.broadcast_to(gtdk, (m,))[mask]

    while True:
        # --- bracketing: test the last trial, or pick the next one by extrapolation
        interp = np.zeros(m, dtype=bool)
        if (phase == 0).any():
            ph0 = phase == 0
            maxed = ph0 & (ls_iter >= max_ls)  # torch: ``bracket = [0, t]`` after max_ls trials
            chk = ph0 & ~maxed
            armijo = chk & ((f_new > f + C1 * t * gtd) | ((ls_iter > 1) & (f_new >= f_prev)))
            wolfe = chk & ~armijo & (np.abs(gtd_new) <= -C2 * gtd)
            uphill = chk & ~armijo & ~wolfe & (gtd_new >= 0)
            to_zoom = armijo | uphill
            set_bracket(to_zoom, t_prev, f_prev, g_prev, gtd_prev, t, f_new, g_new, gtd_new)
            set_bracket(wolfe, t, f_new, g_new, gtd_new, t, f_new, g_new, gtd_new)  # torch's ``[t]``
            set_bracket(maxed, 0.0, f, g, gtd_new, t, f_new, g_new, gtd_new)  # its gtd is never read
            done |= wolfe
            entered = to_zoom | wolfe | maxed
            low = np.where(entered, np.where(b_f[:, 0] <= b_f[:, 1], 0, 1), low)
            phase = np.where(entered, 1, phase).astype(np.int8)
            interp = chk & ~entered
            if interp.any():
                nt = cubic_interpolate(
                    t_prev, f_prev, gtd_prev, t, f_new, gtd_new, lo=t + 0.01 * (t - t_prev), hi=t * 10
                )
                t_prev = np.where(interp, t, t_prev)
                f_prev = np.where(interp, f_new, f_prev)
                g_prev = np.where(interp[:, None], g_new, g_prev)
                gtd_prev = np.where(interp, gtd_new, gtd_prev)
                t = np.where(interp, nt, t)
        # --- zooming: stop, or pick the next trial inside the bracket
        ph1 = phase == 1
        small = np.abs(b_t[:, 1] - b_t[:, 0]) * d_norm < tolerance_change
        finish = ph1 & (done | (ls_iter >= max_ls) | small)
        phase = np.where(finish, 2, phase).astype(np.int8)
        zoom = ph1 & ~finish
        if zoom.any():
            nt = cubic_interpolate(b_t[:, 0], b_f[:, 0], b_gtd[:, 0], b_t[:, 1], b_f[:, 1], b_gtd[:, 1])
            bmax, bmin = b_t.max(axis=1), b_t.min(axis=1)
            eps = 0.1 * (bmax - bmin)
            near = _pymin(bmax - nt, nt - bmin) < eps
            move = near & (insuf | (nt >= bmax) | (nt <= bmin))
            nt = np.where(move, np.where(np.abs(nt - bmax) < np.abs(nt - bmin), bmax - eps, bmin + eps), nt)
            insuf = np.where(zoom, near & ~move, insuf)
            t = np.where(zoom, nt, t)
        need = interp | zoom
        if not need.any():
            break
        idx = np.flatnonzero(need)
        fe, ge = _evaluate(oracle, x[idx], t[idx], d[idx])
        f_new, g_new, gtd_new = f_new.copy(), g_new.copy(), gtd_new.copy()
        f_new[idx], g_new[idx] = fe, ge
        gtd_new[idx] = _dot(ge, d[idx])
        evals += need
        ls_iter += need
        if zoom.any():
            high = 1 - low
            f_low = b_f[rows, low]
            worse = zoom & ((f_new > f + C1 * t * gtd) | (f_new >= f_low))
            better = zoom & ~worse
            done |= better & (np.abs(gtd_new) <= -C2 * gtd)
            flip = better & ~done & (gtd_new * (b_t[rows, high] - b_t[rows, low]) >= 0)
            # old low becomes high (flip), then the new point becomes low (better) or high (worse)
            for arr in (b_t, b_f, b_gtd, b_g):
                arr[rows[flip], high[flip]] = arr[rows[flip], low[flip]]
            slot = np.where(worse, high, low)
            upd = rows[zoom]
            b_t[upd, slot[upd]] = t[upd]
            b_f[upd, slot[upd]] = f_new[upd]
            b_g[upd, slot[upd]] = g_new[upd]
            b_gtd[upd, slot[upd]] = gtd_new[upd]
            low = np.where(worse, np.where(b_f[:, 0] <= b_f[:, 1], 0, 1), low)
    return b_f[rows, low], b_g[rows, low], b_t[rows, low], evals


class LBFGSState(NamedTuple):
    count: int  # steps (closure-driven ``step`` calls) made
    n_iter: Array  # (n,) inner iterations made so far (torch's ``state["n_iter"]``)
    d: Array  # (n, D) last direction
    t: Array  # (n,) last step length
    dirs: Array  # (k, n, D) gradient changes y, oldest first (slot-major: one slot is contiguous)
    stps: Array  # (k, n, D) steps s
    ro: Array  # (k, n) 1 / y.s; slots past a run's n_old hold zeros, so they change nothing
    n_old: Array  # (n,) pairs held
    h_diag: Array  # (n,) scale of the initial inverse Hessian, y.s / y.y
    prev_g: Array  # (n, D) gradient at the start of the last iteration
    prev_loss: Array  # (n,)
    x: Array  # (n, D) where the value was last evaluated
    f: Array  # (n,) that value


def _two_loop(g: Array, dirs: Array, stps: Array, ro: Array, h_diag: Array) -> Array:
    """torch's L-BFGS direction ``-H g`` by the two-loop recursion, in torch's order of operations.

    A run's unused slots hold zeros (``ro = 0``), where every update is an exact no-op, so runs of
    any history length share the loop over slots with no masks."""
    q = -g
    k = dirs.shape[0]
    al = np.empty((k, g.shape[0]))
    for i in range(k - 1, -1, -1):
        a = (stps[i] * q).sum(axis=-1) * ro[i]
        al[i] = a
        q = q - a[:, None] * dirs[i]
    r = q * h_diag[:, None]
    for i in range(k):
        be_i = (dirs[i] * r).sum(axis=-1) * ro[i]
        r = r + (al[i] - be_i)[:, None] * stps[i]
    return r


def _remember(state: dict, add: Array, y: Array, s: Array, ys: Array, cap: Array) -> None:
    """Append ``(y, s, 1/ys)`` to the history of the runs in ``add``, dropping the oldest pair of
    a full history (``cap`` pairs), as torch's lists do. Grows the arrays when needed (in place)."""
    n_old = state["n_old"]
    full = add & (n_old >= cap)
    slot = np.where(full, cap - 1, n_old)
    width = state["dirs"].shape[0]
    need = int(slot[add].max(initial=-1)) + 1
    if need > width:
        new_width = int(min(max(need, 2 * width, 4), cap.max()))
        for key in ("dirs", "stps", "ro"):
            arr = state[key]
            state[key] = np.concatenate([arr, np.zeros((new_width - width, *arr.shape[1:]))], axis=0)
    if full.any():
        for key in ("dirs", "stps", "ro"):
            state[key][:-1, full] = state[key][1:, full]
            state[key][-1, full] = 0.0  # past a full run's cap: keep the zeros
    rows = np.flatnonzero(add)
    state["dirs"][slot[rows], rows] = y[rows]
    state["stps"][slot[rows], rows] = s[rows]
    state["ro"][slot[rows], rows] = 1.0 / ys[rows]
    state["n_old"] = np.where(add, np.minimum(n_old + 1, cap), n_old)


@dataclass(frozen=True)
class LBFGS(OptimizerConfig):
    """``torch.optim.LBFGS``: one step runs up to ``max_iter`` iterations of
    ``d = -H g`` (two-loop recursion over the last ``history_size`` pairs ``s = t d``,
    ``y = g_new - g``, kept where ``y.s > 1e-10``; ``H_0 = (y.s / y.y) I``), ``p += t d`` with
    ``t = lr`` (``min(1, 1/|g|_1) lr`` at the very first iteration) or the strong-Wolfe step.
    A step stops early where ``max |g| <= tolerance_grad``, the change of ``p`` or of the loss is
    below ``tolerance_change``, ``g.d > -tolerance_change``, or ``max_eval`` evaluations are made.
    Uses function values and gradients (the Oracle); a step is many evaluations (see its count).
    """

    lr: float = hyper(1.0, lo=0.0, hi=100.0, log=True, label="learning rate", help="the fixed or first trial step")
    max_iter: int = hyper(20, lo=1, hi=100, label="iterations per step")
    max_eval: int = hyper(0, lo=0, hi=250, label="evaluations per step", help="0 = max_iter * 5 // 4 (torch's None)")
    tolerance_grad: float = hyper(1e-7, lo=0.0, hi=1e6, log=True, label="tolerance grad", ui=False)
    tolerance_change: float = hyper(1e-9, lo=0.0, hi=1e6, log=True, label="tolerance change", ui=False)
    history_size: int = hyper(100, lo=1, hi=200, label="history size")
    line_search_fn: str = hyper(
        "none", label="line search", choices=LINE_SEARCHES, help="strong_wolfe: torch's cubic-interpolation search"
    )

    kind = "lbfgs"
    title = "L-BFGS"
    rule = (
        r"d_k = -H_k g_k\ (\text{two-loop over } m \text{ pairs } s, y),\ p_{k+1} = p_k + t_k d_k,"
        r"\ \text{up to max\_iter per step}"
    )
    torch_name = "LBFGS"

    def init(self, params: Array) -> LBFGSState:
        n, dim = params.shape
        z = np.zeros(n)
        empty = np.zeros((0, n, dim))
        nan = np.full_like(params, np.nan)
        return LBFGSState(
            0,
            z.astype(np.int64),
            nan,
            z,
            empty,
            empty,
            np.zeros((0, n)),
            z.astype(np.int64),
            z + 1.0,
            nan,
            z,
            nan,
            np.full(n, np.nan),
        )

    def max_evals(self) -> Any:
        """torch's ``max_eval`` (``max_iter * 5 // 4`` when 0), scalar or ``(n, 1)``."""
        return np.where(np.asarray(self.max_eval) > 0, self.max_eval, np.asarray(self.max_iter) * 5 // 4)

    def update(self, grads, state, params, lr=None, oracle=None):
        if oracle is None:
            raise ValueError("lbfgs needs an oracle (the landscape's value and gradient)")
        with np.errstate(all="ignore"):
            return self._step(grads, state, params, learning_rate(self, lr), oracle)

    def _step(self, grads: Array, state: LBFGSState, params: Array, lr: Any, oracle: Oracle):
        n = params.shape[0]
        lr = _col(lr, n)
        max_iter = _col(self.max_iter, n, np.int64)
        max_eval = _col(self.max_evals(), n, np.int64)
        tol_grad, tol_change = _col(self.tolerance_grad, n), _col(self.tolerance_change, n)
        cap = _col(self.history_size, n, np.int64)
        same = state.x.shape == params.shape and np.array_equal(state.x, params)
        loss = state.f if same else oracle.value(params)
        g = grads
        st = {"dirs": state.dirs.copy(), "stps": state.stps.copy(), "ro": state.ro.copy(), "n_old": state.n_old}
        d, t, h_diag = state.d, state.t, state.h_diag
        prev_g, prev_loss, n_total = state.prev_g, state.prev_loss, state.n_iter
        p = params
        evals = np.ones(n, dtype=np.int64)
        n_iter = np.zeros(n, dtype=np.int64)
        running = ~(np.abs(g).max(axis=-1) <= tol_grad)
        x_last, f_last = params, loss
        while True:
            running &= n_iter < max_iter
            if not running.any():
                break
            n_iter = n_iter + running
            n_total = n_total + running
            first = running & (n_total == 1)
            rest = running & ~first
            # direction: steepest descent at the very first iteration, else the L-BFGS one
            st["n_old"] = np.where(first, 0, st["n_old"])
            h_diag = np.where(first, 1.0, h_diag)
            d_new = -g
            if rest.any():
                y = g - prev_g
                s = d * t[:, None]
                ys = _dot(y, s)
                add = rest & (ys > 1e-10)
                if add.any():
                    _remember(st, add, y, s, ys, cap)
                    h_diag = np.where(add, ys / _dot(y, y), h_diag)
                d_rest = _two_loop(g, st["dirs"], st["stps"], st["ro"], h_diag)
                d_new = np.where(rest[:, None], d_rest, d_new)
            d = np.where(running[:, None], d_new, d)
            prev_g = np.where(running[:, None], g, prev_g)
            prev_loss = np.where(running, loss, prev_loss)
            g1 = np.abs(g).sum(axis=-1)
            t0 = np.where(first, _pymin(1.0, 1.0 / g1) * lr, lr)
            t = np.where(running, t0, t)
            gtd = _dot(g, d)
            go = running & ~(gtd > -tol_change)
            if not go.any():
                break
            idx = np.flatnonzero(go)
            ls_evals = np.zeros(n, dtype=np.int64)
            opt = np.zeros(n, dtype=bool)
            if self.line_search_fn == "strong_wolfe":
                f_new, g_new, t_ls, used = strong_wolfe(
                    oracle,
                    p[idx],
                    t[idx],
                    d[idx],
                    loss[idx],
                    g[idx],
                    gtd[idx],
                    tol_change[idx],
                    max_eval[idx] - evals[idx],
                )
                t = t.copy()
                t[idx] = t_ls
                p = p.copy()
                p[idx] = p[idx] + t_ls[:, None] * d[idx]
                loss, g = loss.copy(), g.copy()
                loss[idx], g[idx] = f_new, g_new
                ls_evals[idx] = used
                opt[idx] = np.abs(g_new).max(axis=-1) <= tol_grad[idx]
                x_last, f_last = None, None  # the accepted point's value is known: keep it below
            else:
                p = p.copy()
                p[idx] = p[idx] + t[idx, None] * d[idx]
                more = go & (n_iter != max_iter)
                jdx = np.flatnonzero(more)
                if jdx.size:
                    loss, g = loss.copy(), g.copy()
                    loss[jdx], g[jdx] = oracle.value(p[jdx]), oracle.grad(p[jdx])
                    ls_evals[jdx] = 1
                    opt[jdx] = np.abs(g[jdx]).max(axis=-1) <= tol_grad[jdx]
                x_last, f_last = None, None
            evals = evals + ls_evals
            stop = (
                (n_iter == max_iter)
                | (evals >= max_eval)
                | opt
                | (np.abs(d * t[:, None]).max(axis=-1) <= tol_change)
                | (np.abs(loss - prev_loss) < tol_change)
            )
            running = go & ~stop
        # the value at the final point is known unless the last iteration moved without evaluating
        fresh = ~((n_iter == max_iter) & (self.line_search_fn != "strong_wolfe")) | (n_iter == 0)
        x_keep = np.where(fresh[:, None], p, np.nan) if x_last is None else x_last
        f_keep = np.where(fresh, loss, np.nan) if f_last is None else f_last
        new_state = LBFGSState(
            state.count + 1,
            n_total,
            d,
            t,
            st["dirs"],
            st["stps"],
            st["ro"],
            st["n_old"],
            h_diag,
            prev_g,
            prev_loss,
            x_keep,
            f_keep,
        )
        return p, new_state


ALL: list[type[OptimizerConfig]] = [LBFGS]

__all__ = ["ALL", "LBFGS", "LINE_SEARCHES", "LBFGSState", "cubic_interpolate", "strong_wolfe"]
