"""The batch-size experiment (Keskar et al. 2016): the same initialization trained by plain SGD with
several batch sizes over several seeds (the seed picks the minibatches), then, per run, the
sharpness of its end point (top Hessian eigenvalue of the training loss) and its generalization
gap (test loss minus training loss, both on the whole sets). Every run advances in one ``train``
call (one batched pass per batch size and step, one SGD update for all).

Whether large batches end sharper with a larger gap on these small problems is measured, not
assumed: ``spearman`` is the rank correlation of sharpness and gap over all runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

import optimizers
from networks import sharpness
from networks.data import NetData
from networks.mlp import Architecture
from networks.train import NetRun, train

Array = np.ndarray
MAX_BATCHES = 6


def parse_batches(text: str, n_train: int | None = None) -> tuple[int, ...]:
    """Batch sizes from text such as ``"8, 32, full"`` (``full`` or ``0``: the whole training set),
    distinct and sorted (full last); sizes at or above ``n_train`` become full. ``ValueError`` names
    the bad piece."""
    pieces = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    if not pieces:
        raise ValueError("Invalid batch sizes: give at least one, e.g. 8, 32, full")
    out = set()
    for p in pieces:
        if p.lower() in ("full", "0"):
            out.add(0)
            continue
        try:
            value = float(p)
        except ValueError:
            raise ValueError(f"Invalid batch size: {p!r} (a whole number, or full)") from None
        if not (math.isfinite(value) and value == int(value) and 1 <= value <= 100_000):
            raise ValueError(f"Invalid batch size: {p!r} (a whole number from 1 to 100,000, or full)")
        out.add(0 if n_train is not None and value >= n_train else int(value))
    if len(out) > MAX_BATCHES:
        raise ValueError(f"Invalid batch sizes: at most {MAX_BATCHES} (got {len(out)})")
    return tuple(sorted(b for b in out if b)) + ((0,) if 0 in out else ())


def batch_label(b: int) -> str:
    return "full batch" if b == 0 else f"B = {b}"


@dataclass(frozen=True, eq=False)
class BatchExperiment:
    """One row per run: ``batch (M,)`` (0 = full), ``seed``, final ``train_loss``, ``test_loss``,
    ``gap = test - train``, ``sharpness`` (top Hessian eigenvalue), ``spearman`` of sharpness and gap."""

    batch: Array
    seed: Array
    train_loss: Array
    test_loss: Array
    gap: Array
    sharpness: Array
    spearman: float

    def rows(self) -> list[dict]:
        return [
            {
                "batch": batch_label(int(b)),
                "seed": int(s),
                "train loss": float(tr),
                "test loss": float(te),
                "gap": float(g),
                "sharpness": float(sh),
            }
            for b, s, tr, te, g, sh in zip(
                self.batch, self.seed, self.train_loss, self.test_loss, self.gap, self.sharpness, strict=True
            )
        ]


def batch_experiment(
    arch: Architecture,
    data: NetData,
    start: Array,
    batches: tuple[int, ...],
    seeds: int,
    steps: int,
    lr: float,
    iterations: int,
) -> BatchExperiment:
    """Train SGD(``lr``) from ``start`` for ``steps`` steps at each batch size x seed, then measure."""
    sgd = optimizers.make("sgd", lr=lr)
    runs = [NetRun(sgd, b, seed=s) for b in batches for s in range(seeds)]
    tr = train(arch, data, start, runs, steps, max_record=2)
    lam, _ = sharpness.top_eigenvalue(arch, tr.final, data.x_train, data.y_train, iterations)
    train_loss, test_loss = tr.train_loss[:, -1], tr.test_loss[:, -1]
    gap = test_loss - train_loss
    ok = np.isfinite(lam) & np.isfinite(gap)
    varied = ok.sum() > 2 and np.ptp(lam[ok]) > 0 and np.ptp(gap[ok]) > 0
    rho = float(stats.spearmanr(lam[ok], gap[ok]).statistic) if varied else math.nan
    return BatchExperiment(
        np.array([r.batch_size for r in runs]),
        np.array([r.seed for r in runs]),
        train_loss,
        test_loss,
        gap,
        lam,
        rho,
    )
