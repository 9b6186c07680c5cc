"""Several optimizers train the same network together from one shared initialization.

Each run is an optimizer config (the race's classes, pure ``init`` / ``update`` over ``(n, P)``
arrays), a batch size and a seed. Every step, the runs that share a batch size do one batched
forward and backward pass over their own minibatches (``optimizers.minibatch.minibatch_indices``:
run ``r`` draws from ``(seed_r, stream 0)``, so runs with equal seeds and batch sizes see the same
batches, whatever their optimizer), then the runs of each optimizer kind update in one call
(``stack_configs``). No Python loop over runs or examples; the loop is over steps.

Recorded at ``record_steps`` (at most ``max_record`` steps from 0 to ``steps``, both ends
included): every run's parameters and its loss on the whole training and test sets. The
minibatch loss of every step is kept too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from networks import mlp, progress
from networks.data import NetData
from networks.mlp import Architecture
from optimizers import guard
from optimizers.base import OptimizerConfig, stack_configs
from optimizers.minibatch import minibatch_indices

Array = np.ndarray
MAX_RECORD = 201


@dataclass(frozen=True)
class NetRun:
    """One training run: an optimizer config, a batch size (0 for the full batch) and a minibatch seed."""

    optimizer: OptimizerConfig
    batch_size: int = 0
    seed: int = 0
    label: str = ""


@dataclass(frozen=True, eq=False)
class Training:
    """Results of ``R`` runs. ``params (R, T, P)`` at ``record_steps (T,)``; ``train_loss``,
    ``test_loss (R, T)`` on the whole sets there; ``batch_loss (R, steps)`` of each update's
    minibatch; ``final (R, P)``."""

    record_steps: Array
    params: Array
    train_loss: Array
    test_loss: Array
    batch_loss: Array
    labels: tuple[str, ...]

    @property
    def final(self) -> Array:
        return self.params[:, -1]

    @property
    def start(self) -> Array:
        return self.params[0, 0]


def record_steps(steps: int, max_record: int = MAX_RECORD) -> Array:
    """The steps recorded: evenly spaced whole steps from 0 to ``steps``, both included."""
    return np.unique(np.round(np.linspace(0, steps, min(steps + 1, max_record))).astype(int))


def train(
    arch: Architecture,
    data: NetData,
    start: Array,
    runs: Sequence[NetRun],
    steps: int,
    max_record: int = MAX_RECORD,
) -> Training:
    """Train every run of ``runs`` for ``steps`` updates from ``start (P,)``."""
    R, n = len(runs), len(data.x_train)
    batch = np.array([r.batch_size if 0 < r.batch_size < n else n for r in runs])
    seeds = np.array([r.seed for r in runs], dtype=np.uint64)
    by_batch = {int(b): np.flatnonzero(batch == b) for b in np.unique(batch)}
    by_kind: dict[tuple, list[int]] = {}
    for i, r in enumerate(runs):
        by_kind.setdefault(r.optimizer.group_key(), []).append(i)
    kinds = [(np.array(idx), stack_configs([runs[i].optimizer for i in idx])) for idx in by_kind.values()]
    params = np.repeat(np.asarray(start, dtype=float)[None], R, axis=0)
    states = [cfg.init(params[idx]) for idx, cfg in kinds]
    rec = record_steps(steps, max_record)
    kept = np.empty((R, len(rec), arch.n_params))
    kept[:, 0] = params
    batch_loss = np.empty((R, steps))
    grads = np.empty_like(params)
    k = 1
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps):
            for b, idx in by_batch.items():
                if b == n:
                    batch_loss[idx, step], grads[idx] = mlp.loss_grad(arch, params[idx], data.x_train, data.y_train)
                else:
                    pick = minibatch_indices(n, b, seeds[idx], np.zeros(len(idx), np.uint64), step)
                    xb, yb = data.x_train[pick], data.y_train[pick]
                    batch_loss[idx, step], grads[idx] = mlp.loss_grad(arch, params[idx], xb, yb)
            new = np.empty_like(params)
            for j, (idx, cfg) in enumerate(kinds):
                new[idx], states[j] = cfg.update(grads[idx], states[j], params[idx])
            params = new
            if k < len(rec) and rec[k] == step + 1:
                kept[:, k] = params
                k += 1
            if step % guard.CHECK_EVERY == 0:
                guard.checkpoint()
                progress.report((step + 1) / steps, "Training")
    flat = kept.reshape(-1, arch.n_params)
    train_loss = evaluate(arch, flat, data.x_train, data.y_train).reshape(R, -1)
    test_loss = evaluate(arch, flat, data.x_test, data.y_test).reshape(R, -1)
    labels = tuple(r.label or r.optimizer.title for r in runs)
    return Training(rec, kept, train_loss, test_loss, batch_loss, labels)


CHUNK_FLOATS = 2_000_000  # activations per chunk of parameter vectors evaluated together (16 MB)


def evaluate(arch: Architecture, points: Array, x: Array, y: Array) -> Array:
    """The loss ``(M,)`` of many parameter vectors ``points (M, P)`` on the same examples, in chunks
    that keep the activations near ``CHUNK_FLOATS`` floats (a 41 x 41 surface is 1,681 networks)."""
    width = max(arch.sizes[1:])
    chunk = max(1, CHUNK_FLOATS // (len(x) * width))
    out = np.empty(len(points))
    for s in range(0, len(points), chunk):
        out[s : s + chunk] = mlp.loss(arch, points[s : s + chunk], x, y)
        guard.checkpoint()
    return out
