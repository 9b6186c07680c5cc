"""The vectorized runner: advance every run of a scene together for T steps.

A scene's runs are ``configs x starts`` (config-major: run ``r = c * S + s``). Runs of one
optimizer kind (same class and flags) advance as one ``(n, 2)`` array group; the only Python
loops are over steps, the few groups and a group's distinct batch sizes, never over runs.

Gradients: on a formula landscape, the exact gradient plus the Gaussian noise of ``RunConfig.noise``;
on a data landscape (one with ``minibatch_grad``, ``landscapes.data``), the mean over a real
minibatch of ``min(B, n)`` training examples (``optimizers.minibatch``: per run, per epoch, from the
seed and the run's stream); ``B >= n`` is the full batch, the exact gradient. ``sigma`` is not used
there: the minibatch is the noise.

The types a run takes and gives (``RunConfig``, ``RunOptions``, ``RunResult``, ``Status``) live in
``optimizers.results``; they are importable from here too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from landscapes.base import Window, coordinates, nearest
from landscapes.protocol import LandscapeLike
from optimizers.base import Array, OptimizerConfig, Oracle, stack_configs
from optimizers.guard import CHECK_EVERY, checkpoint
from optimizers.minibatch import minibatch_indices, n_examples
from optimizers.noise import noisy_gradient
from optimizers.results import RunConfig, RunOptions, RunResult, Status, concat_results

__all__ = ["RunConfig", "RunOptions", "RunResult", "Status", "concat_results", "run"]

MAX_ABS = 1e150  # |coordinate| or |gradient| beyond this counts as overflow


@dataclass
class _Group:
    """Mutable bookkeeping of one vectorized group (internal to ``run``)."""

    idx: Array  # (n,) global run indices
    stream: Array  # (n,) each run's noise / minibatch stream, before ``RunOptions.stream_offset``
    start: Array  # (n, 2) start points
    config: OptimizerConfig  # stacked: numeric fields (n, 1)
    lr0: Array  # (n, 1)
    std: Array  # (n, 1) noise std
    noisy: bool
    batch: Array  # (n,) examples per minibatch on a data landscape (n_examples: the full batch)
    minibatch: bool  # some run draws real minibatches
    sched_table: Array  # (n_sched, T)
    sched_index: Array  # (n,)
    state: Any
    oracle: Oracle


def run(
    landscape: LandscapeLike,
    configs: Sequence[RunConfig],
    starts: Array,
    options: RunOptions | None = None,
    *,
    config_slots: Sequence[int] | None = None,
    **overrides: Any,
) -> RunResult:
    """Run every config from every start for ``options.steps`` steps.

    ``starts`` has shape ``(S, 2)``; the result has ``R = len(configs) * S`` runs. Keyword
    ``overrides`` replace fields of ``options`` (``run(..., steps=500)``). ``config_slots`` (one
    per config, default ``0, 1, ...``) is each config's place in a larger scene: run ``(c, s)``
    draws its noise from stream ``stream_offset + config_slots[c] * S + s``, so some configs of a
    scene computed together get exactly the numbers of the whole scene. Entry points (pages,
    the command line, benchmarks) call ``optimizers.allocator.tune_allocator`` once first: a
    library call leaves the process's allocator alone. ``optimizers.guard`` may abandon a run.
    """
    options = options or RunOptions()
    if overrides:
        import dataclasses

        options = dataclasses.replace(options, **overrides)
    starts = np.asarray(starts, dtype=float).reshape(-1, 2)
    if not configs:
        raise ValueError("run needs at least one run configuration")
    with np.errstate(all="ignore"):
        return _run(landscape, list(configs), starts, options, config_slots)


def _make_groups(
    landscape: LandscapeLike, configs: list[RunConfig], starts: Array, T: int, slots: Sequence[int] | None = None
) -> list[_Group]:
    """One ``_Group`` per optimizer kind (class and flags), its runs config-major like the scene's;
    ``slots``: each config's place in the scene, for the noise streams (default: its index)."""
    S = starts.shape[0]
    slot = np.arange(len(configs)) if slots is None else np.asarray(slots, dtype=np.int64)
    if slot.shape != (len(configs),):
        raise ValueError("config_slots needs one slot per config")
    groups: dict[tuple, list[int]] = {}
    for c, cfg in enumerate(configs):
        groups.setdefault(cfg.optimizer.group_key(), []).append(c)
    out = []
    steps_k = np.arange(max(T, 1))
    examples = n_examples(landscape)  # 0 on a formula landscape
    for cfg_ids in groups.values():
        cfg_ids_arr = np.array(cfg_ids)
        idx = (cfg_ids_arr[:, None] * S + np.arange(S)[None, :]).ravel()
        stream = (slot[cfg_ids_arr][:, None] * S + np.arange(S)[None, :]).ravel()
        run_cfgs = [configs[c] for c in cfg_ids]
        stacked = stack_configs([rc.optimizer for rc in run_cfgs])
        stacked = _repeat_config(stacked, S)
        scheds = list(dict.fromkeys(rc.schedule for rc in run_cfgs))
        table = np.stack([np.broadcast_to(np.asarray(s.factor(steps_k), dtype=float), steps_k.shape) for s in scheds])
        sched_index = np.repeat(np.array([scheds.index(rc.schedule) for rc in run_cfgs]), S)
        std = np.repeat(np.array([rc.noise.std for rc in run_cfgs]), S)[:, None]
        batch = np.repeat(np.array([min(rc.noise.batch_size, examples) for rc in run_cfgs], dtype=np.int64), S)
        if examples:  # the minibatch is the noise
            std = np.zeros_like(std)
        p0 = starts[idx % S] if S else np.zeros((0, 2))
        out.append(
            _Group(
                idx=idx,
                stream=stream,
                start=p0,
                config=stacked,
                lr0=stacked.lr,
                std=std,
                noisy=bool(np.any(std > 0)),
                batch=batch,
                minibatch=bool(examples) and bool(np.any(batch < examples)),
                sched_table=table,
                sched_index=sched_index,
                state=stacked.init(p0),
                oracle=Oracle(landscape),
            )
        )
    return out


def _repeat_config(config: OptimizerConfig, S: int) -> OptimizerConfig:
    """Repeat each stacked config's ``(c, 1)`` fields ``S`` times (one row per start)."""

    if S == 1:
        return config
    values = {
        name: np.repeat(getattr(config, name), S, axis=0)
        for name in config.numeric_fields()
        if np.ndim(getattr(config, name))
    }
    values.update({name: _repeat_config(getattr(config, name), S) for name in config.config_fields()})
    return dataclasses.replace(config, **values)


def _run(
    landscape: LandscapeLike,
    configs: list[RunConfig],
    starts: Array,
    options: RunOptions,
    slots: Sequence[int] | None = None,
) -> RunResult:
    """Advance each group, place its record at the group's run indices, score the final points."""
    C, S, T = len(configs), starts.shape[0], options.steps
    R = C * S
    rec_steps = options.recorded_steps()
    K = rec_steps.size
    minima = coordinates(landscape.minima())
    saddles = coordinates(landscape.saddles())
    window = landscape.window
    ctx = _Context(
        landscape=landscape,
        options=options,
        minima=minima,
        saddles=saddles,
        far=window.expanded(options.diverge_margin),
        leave=window.expanded(options.leave_margin) if landscape.unbounded_below else None,
        rec_steps=rec_steps,
        rec_slot={int(s): i for i, s in enumerate(rec_steps)},
    )

    positions = np.empty((R, K, 2))
    grad_norms = np.empty((R, K))
    status = np.zeros(R, dtype=np.int8)
    status_step = np.full(R, T, dtype=np.int64)
    hit_step = np.full(R, -1, dtype=np.int64)
    evals = np.zeros((R, 3), dtype=np.int64)
    groups = _make_groups(landscape, configs, starts, T, slots)
    for g, rec in zip(groups, _advance_all(groups, ctx), strict=True):
        positions[g.idx] = rec.positions
        grad_norms[g.idx] = np.sqrt(np.einsum("nkd,nkd->nk", rec.grads, rec.grads))
        status[g.idx] = rec.status
        status_step[g.idx] = rec.status_step
        hit_step[g.idx] = rec.hit_step
        evals[g.idx] = rec.evals
    losses = np.asarray(landscape.value(positions), dtype=float)  # one call for every recorded step
    nearest_minimum, distance = nearest(positions[:, -1], minima)
    return RunResult(
        positions=positions,
        losses=losses,
        grad_norms=grad_norms,
        steps=rec_steps,
        status=status,
        status_step=status_step,
        hit_step=hit_step,
        nearest_minimum=nearest_minimum,
        distance=distance,
        evals=evals,
        config_index=np.repeat(np.arange(C), S),
        start_index=np.tile(np.arange(S), C),
        labels=tuple(c.name for c in configs),
        kinds=tuple(c.optimizer.kind for c in configs),
        titles=tuple(c.optimizer.display_title for c in configs),
    )


@dataclass(frozen=True, eq=False)
class _Context:
    """What every group's loop shares (internal to ``run``)."""

    landscape: LandscapeLike
    options: RunOptions
    minima: Array
    saddles: Array
    far: Window  # beyond it a run has diverged
    leave: Window | None  # beyond it a run has left (landscapes unbounded below)
    rec_steps: Array
    rec_slot: dict[int, int]


class _GroupRecord(NamedTuple):
    """What ``_advance`` returns for one group of ``n`` runs (``K`` recorded steps)."""

    positions: Array  # (n, K, 2) recorded displayed points
    grads: Array  # (n, K, 2) exact gradient at the iterate, at the recorded steps
    status: Array  # (n,) ``Status`` codes
    status_step: Array  # (n,) step where the run stopped, ``steps`` if it ran on
    hit_step: Array  # (n,) first step within ``tol`` of a minimum, -1 if never
    evals: Array  # (n, 3) value, gradient, Hessian evaluations up to ``status_step``


# a group's stepper: yields the points whose exact gradient it needs next (its starts, then each
# step's new points), is sent ``(gradient, rows found diverged or None)`` and returns its record
_Stepper = Generator[Array, tuple[Array, "Array | None"], _GroupRecord]


def _advance_all(groups: list[_Group], ctx: _Context) -> list[_GroupRecord]:
    """Advance every group in lockstep, step by step: one exact-gradient evaluation and one
    divergence check a step over the points of all groups still running (a group per optimizer
    kind; a scene of 12 kinds called the landscape 12 times a step before). Groups that stop early
    leave the lockstep. Every row is computed as alone (the landscape is vectorized over points)."""
    steppers = [_advance(g, ctx) for g in groups]
    records: list[_GroupRecord | None] = [None] * len(groups)
    wanted = {i: next(s) for i, s in enumerate(steppers)}
    t = 0
    while wanted:
        keys = list(wanted)
        parts = [wanted[i] for i in keys]
        P = parts[0] if len(parts) == 1 else np.concatenate(parts)
        G = ctx.landscape.grad(P)
        bad = _bad_rows(P, G, ctx.far) if t else None
        lo = 0
        for i, part in zip(keys, parts, strict=True):
            hi = lo + part.shape[0]
            try:
                wanted[i] = steppers[i].send((G[lo:hi], None if bad is None else bad[lo:hi]))
            except StopIteration as done:
                records[i] = done.value
                del wanted[i]
            lo = hi
        t += 1
        if t % CHECK_EVERY == 0:
            checkpoint()  # the caller may abandon the work here
    return [r for r in records if r is not None]


def _advance(g: _Group, ctx: _Context) -> _Stepper:
    """Advance one group from its starts through every step (a stepper of ``_advance_all``, which
    evaluates the gradients).

    Recorded arrays are kept by reference (no update mutates its inputs) and stacked once at the
    end. Oracle counts are tallied per step for the whole group, then read at each run's stop.
    """
    landscape, options, minima = ctx.landscape, ctx.options, ctx.minima
    T = options.steps
    n = g.idx.size
    status = np.zeros(n, dtype=np.int8)
    status_step = np.full(n, T, dtype=np.int64)
    P = g.start
    G, _ = yield P
    cum_evals = np.zeros((T + 1, 3), dtype=np.int64)
    cum_evals[0, 1] = 1
    last_t = 0
    active = np.ones(n, dtype=bool)
    prevP = P + np.inf  # no previous step yet: infinitely long
    seeds = np.full(n, options.seed, dtype=np.uint64)
    streams = (g.stream + options.stream_offset).astype(np.uint64)
    pos = g.config.position(g.state, P)
    # a displayed point that is not the iterate (Polyak averaging) must also stop moving
    averaged = type(g.config).position is not OptimizerConfig.position
    prevpos = pos + np.inf
    rec_pos, rec_grad = [pos], [G]
    per_step_hits = options.record_every != 1  # with every step recorded, hits are found afterwards
    hit_local = np.full(n, -1, dtype=np.int64)
    if per_step_hits:
        _hit(0, pos, minima, options.tol, hit_local)
    gtol2, xtol2 = options.grad_tol**2, options.step_tol**2
    single_schedule = g.sched_table.shape[0] == 1

    for t in range(1, T + 1):
        if not active.any():
            break
        # stationary runs stop before moving again
        gsq = _sq_norms(G)
        if gsq.min() < gtol2:
            still = active & (gsq < gtol2) & (_sq_norms(P - prevP) < xtol2)
            if averaged:
                still &= _sq_norms(pos - prevpos) < xtol2
            if still.any():
                if minima.size:
                    near = nearest(pos[still], minima)[1] <= options.tol
                else:  # no minimum known: converged unless it stopped on a known saddle
                    near = ~(nearest(pos[still], ctx.saddles)[1] <= options.tol)
                status[still] = np.where(near, Status.CONVERGED, Status.STALLED)
                status_step[still] = t - 1
                active &= ~still
                if not active.any():
                    break
        if single_schedule:
            lr = g.lr0 * g.sched_table[0, t - 1]
        else:
            lr = g.lr0 * g.sched_table[g.sched_index, t - 1][:, None]
        if g.minibatch:
            grads = _minibatch_grads(landscape, P, G, g.batch, seeds, streams, t - 1)
        else:
            grads = noisy_gradient(G, g.std, seeds, streams, t) if g.noisy else G
        newP, new_state = g.config.update(grads, g.state, P, lr=lr, oracle=g.oracle)
        cum_evals[t] = (g.oracle.n_value, g.oracle.n_grad + t + 1, g.oracle.n_hess)
        last_t = t
        newG, bad = yield newP
        if bad is not None:
            gone = active & bad
            if gone.any():
                status[gone] = Status.DIVERGED
                status_step[gone] = t
                active &= ~gone
        if ctx.leave is not None and not _inside_all(newP, ctx.leave):
            out = active & ~ctx.leave.contains(newP)
            if out.any():
                status[out] = Status.LEFT
                status_step[out] = t
                active &= ~out
        g.state = new_state
        newpos = g.config.position(new_state, newP)
        prevP, prevpos = P, pos
        if active.all():
            P, G, pos = newP, newG, newpos
        else:
            a2 = active[:, None]
            P = np.where(a2, newP, P)
            G = np.where(a2, newG, G)
            pos = np.where(a2, newpos, pos)
        if per_step_hits:
            _hit(t, pos, minima, options.tol, hit_local)
        if t in ctx.rec_slot:
            rec_pos.append(pos)
            rec_grad.append(G)
    # a run that stopped at step k made k updates; counts after the last step repeat
    cum_evals[last_t + 1 :] = cum_evals[last_t]
    K = ctx.rec_steps.size
    while len(rec_pos) < K:  # every run stopped early: later recorded steps repeat the last point
        rec_pos.append(pos)
        rec_grad.append(G)
    pos_k = np.stack(rec_pos, axis=1)
    if not per_step_hits:
        hit_local = _first_hits(pos_k, minima, options.tol)
    return _GroupRecord(
        positions=pos_k,
        grads=np.stack(rec_grad, axis=1),
        status=status,
        status_step=status_step,
        hit_step=hit_local,
        evals=cum_evals[np.minimum(status_step, T)],
    )


def _minibatch_grads(
    landscape: Any, P: Array, G: Array, batch: Array, seeds: Array, streams: Array, step: int
) -> Array:
    """Each run's gradient at ``P (n, 2)`` over its minibatch at ``step`` (from 0): runs whose batch
    is the whole training set keep the exact ``G``; one call per distinct batch size."""
    n = n_examples(landscape)
    out = G.copy()
    for B in np.unique(batch[batch < n]):
        rows = np.flatnonzero(batch == B)
        idx = minibatch_indices(n, int(B), seeds[rows], streams[rows], step)
        out[rows] = landscape.minibatch_grad(P[rows], idx)
    return out


def _first_hits(pos_k: Array, minima: Array, tol: float) -> Array:
    """First recorded index within ``tol`` of a minimum for paths ``(n, K, 2)``; -1 if never."""
    n = pos_k.shape[0]
    if minima.shape[0] == 0:
        return np.full(n, -1, dtype=np.int64)
    d2 = np.full(pos_k.shape[:2], np.inf)
    for m in minima:
        dx = pos_k[..., 0] - m[0]
        dy = pos_k[..., 1] - m[1]
        d2 = np.minimum(d2, dx * dx + dy * dy)
    inside = d2 <= tol * tol
    return np.where(inside.any(axis=1), inside.argmax(axis=1), -1).astype(np.int64)


def _inside_all(points: Array, box: Window) -> bool:
    """Fast check that every point lies in ``box`` (NaN fails it). Column-wise whole-array
    reductions: broadcasting or reducing along the length-2 last axis is many times slower."""
    x, y = points[:, 0], points[:, 1]
    return bool(x.min() >= box.xmin and x.max() <= box.xmax and y.min() >= box.ymin and y.max() <= box.ymax)


def _sq_norms(v: Array) -> Array:
    """Squared Euclidean norm of each row of ``v (n, 2)``."""
    x, y = v[:, 0], v[:, 1]
    return x * x + y * y


def _bad_rows(P: Array, G: Array, far: Window) -> Array | None:
    """Rows with non-finite or overflowing values or far outside the window; ``None`` when all
    rows are fine (the common case, decided with a few whole-array reductions)."""
    # abs().max() propagates NaN, so a NaN anywhere fails the comparison and takes the slow path
    if np.abs(G).max() < MAX_ABS and _inside_all(P, far):
        return None
    finite = np.isfinite(P) & np.isfinite(G) & (np.abs(P) < MAX_ABS) & (np.abs(G) < MAX_ABS)
    return ~(finite[:, 0] & finite[:, 1] & far.contains(P))


def _hit(t: int, pos: Array, minima: Array, tol: float, hit_local: Array) -> None:
    """Set ``hit_local`` (group-local, -1 = not yet) to ``t`` for runs now within ``tol`` of a
    minimum. Computed over all runs (a boolean-indexed subset costs more than it saves); the
    loop is over the few known minima, not over runs."""
    if minima.shape[0] == 0:
        return
    x, y = pos[:, 0], pos[:, 1]
    d2 = None
    for m in minima:
        dx = x - m[0]
        dy = y - m[1]
        e = dx * dx + dy * dy
        d2 = e if d2 is None else np.minimum(d2, e)
    newly = (d2 <= tol * tol) & (hit_local < 0)
    if newly.any():
        hit_local[newly] = t
