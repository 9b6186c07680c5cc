"""The vectorized runner: batching equals one-by-one, run ordering, stopping rules checked against
closed forms, divergence containment, recording, memory of huge grids, and the result tables."""

from __future__ import annotations

import importlib
import math
import tracemalloc
import warnings
from dataclasses import dataclass

import numpy as np
import pytest

import landscapes
import optimizers
from landscapes.base import CriticalPoint, Landscape, Window, hessian_from
from optimizers import RunConfig, RunOptions, Status, make_schedule
from optimizers.first_order import SGD, Adam, Momentum, RMSprop
from optimizers.second_order import BFGS, ConjugateGradient, CoordinateDescent, Newton, Polyak
from tests.reference_landscapes import Saddle

ROSEN = landscapes.get("rosenbrock")


@dataclass(frozen=True)
class Bowl(Landscape):
    """``f = lam/2 |p - m|^2``: gradient descent contracts the distance by ``|1 - lr lam|`` per step."""

    lam: float = 2.0
    mx: float = 0.5
    my: float = -0.25

    key = ""  # test-only, never registered
    default_window = Window(-3.0, 3.0, -3.0, 3.0)

    def value(self, p):
        d = p - np.array([self.mx, self.my])
        return 0.5 * self.lam * (d[..., 0] ** 2 + d[..., 1] ** 2)

    def grad(self, p):
        return self.lam * (p - np.array([self.mx, self.my]))

    def hessian(self, p):
        one = np.ones(p.shape[:-1])
        return hessian_from(self.lam * one, 0.0 * one, self.lam * one)

    def minima(self):
        return (CriticalPoint(self.mx, self.my, 0.0),)


STARTS = np.array([[-1.5, 2.0], [1.5, -0.5], [0.3, 0.8]])
MIXED = [
    RunConfig(SGD(lr=1e-3)),
    RunConfig(Momentum(lr=5e-4), schedule=make_schedule(kind="exponential", gamma=0.99)),
    RunConfig(Adam(lr=0.05)),
    RunConfig(SGD(lr=2e-3), schedule=make_schedule(kind="cosine", total=40)),
    RunConfig(RMSprop(lr=0.01, centered=True)),
    RunConfig(Newton(damping=0.5)),
    RunConfig(BFGS()),
    RunConfig(ConjugateGradient(variant="fletcher_reeves")),
    RunConfig(CoordinateDescent(lr=1e-3)),
    RunConfig(Polyak(inner=SGD(lr=1e-3), start=5)),
    RunConfig(SGD(lr=1.0)),  # diverges
]


def test_batched_equals_one_by_one():
    opts = RunOptions(steps=60, record_every=1)
    together = optimizers.run(ROSEN, MIXED, STARTS, opts)
    S = STARTS.shape[0]
    for c, rc in enumerate(MIXED):
        for s in range(S):
            alone = optimizers.run(ROSEN, [rc], STARTS[s : s + 1], opts)
            r = c * S + s
            np.testing.assert_allclose(together.positions[r], alone.positions[0], rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(together.losses[r], alone.losses[0], rtol=1e-12, atol=1e-14)
            np.testing.assert_allclose(together.grad_norms[r], alone.grad_norms[0], rtol=1e-12, atol=1e-14)
            for name in ("status", "status_step", "hit_step", "nearest_minimum"):
                assert getattr(together, name)[r] == getattr(alone, name)[0], (rc.name, s, name)
            # gradient and Hessian counts are per run; value counts of line searches are per batched
            # call (the slowest run of the group sets them), so they are only an upper bound
            np.testing.assert_array_equal(together.evals[r, 1:], alone.evals[0, 1:])
            assert together.evals[r, 0] >= alone.evals[0, 0]
    assert Status.DIVERGED in together.status and Status.RUNNING in together.status


def test_runs_are_configs_times_starts_config_major():
    res = optimizers.run(ROSEN, MIXED[:4], STARTS, RunOptions(steps=5))
    C, S = 4, STARTS.shape[0]
    assert res.positions.shape == (C * S, 6, 2)
    np.testing.assert_array_equal(res.config_index, np.repeat(np.arange(C), S))
    np.testing.assert_array_equal(res.start_index, np.tile(np.arange(S), C))
    for c in range(C):
        for s in range(S):
            np.testing.assert_array_equal(res.positions[c * S + s, 0], STARTS[s])
    assert res.kinds == ("sgd", "momentum", "adam", "sgd")
    assert res.labels == ("SGD", "Momentum", "Adam", "SGD")
    assert res.run_labels()[:4] == ["SGD #1", "SGD #2", "SGD #3", "Momentum #1"]


def test_divergence_is_contained():
    cfgs = [RunConfig(SGD(lr=1.0)), RunConfig(SGD(lr=1e-4))]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy overflow/invalid warning may escape
        res = optimizers.run(ROSEN, cfgs, STARTS, RunOptions(steps=100))
    S = STARTS.shape[0]
    assert np.all(res.status[:S] == Status.DIVERGED)
    assert np.all(res.status_step[:S] <= 5)
    assert np.all(res.status[S:] == Status.RUNNING)
    for arr in (res.positions, res.losses, res.grad_norms):
        assert np.isfinite(arr).all()
    # a stopped run repeats its last point; it diverged on the update it was not allowed to make
    for r in range(S):
        k = res.status_step[r]
        assert (res.positions[r, k - 1 :] == res.positions[r, k - 1]).all()
        assert (res.losses[r, k - 1 :] == res.losses[r, k - 1]).all()


def test_saddle_runs_leave_the_window_instead_of_diverging():
    # GD with lr 0.1 on x^2 - y^2: y grows by 1.2 per step; the window [-2, 2] plus 25% margin is
    # left once 0.01 * 1.2^t > 3, i.e. at t = 32; x shrinks by 0.8 per step
    res = optimizers.run(Saddle(), [RunConfig(SGD(lr=0.1))], np.array([[1.0, 0.01], [1.0, 0.0]]), RunOptions(steps=200))
    t = math.ceil(math.log(3.0 / 0.01) / math.log(1.2))
    assert t == 32
    assert res.status[0] == Status.LEFT and res.status_step[0] == t
    np.testing.assert_allclose(res.positions[0, t - 1], [0.8 ** (t - 1), 0.01 * 1.2 ** (t - 1)], rtol=1e-12)
    # started on the stable manifold y = 0 it slides into the saddle and stalls there
    assert res.status[1] == Status.STALLED
    np.testing.assert_allclose(res.final_positions[1], 0.0, atol=1e-6)


def closed_form_gd(lr, lam, r0, tol, grad_tol, step_tol, T):
    """hit step and stop step of GD on ``lam/2 |p - m|^2`` from distance ``r0``."""
    q = abs(1.0 - lr * lam)
    hit = math.ceil(math.log(tol / r0) / math.log(q))
    # stopped at k: gradient lam*r_k below grad_tol and last step lr*lam*r_{k-1} below step_tol
    stop = next(k for k in range(1, T) if lam * r0 * q**k < grad_tol and lr * lam * r0 * q ** (k - 1) < step_tol)
    return hit, stop


@pytest.mark.parametrize(("lr", "lam"), [(0.25, 2.0), (0.8, 2.0), (0.05, 2.0), (0.3, 4.0)])
def test_converged_status_and_hit_step_in_closed_form(lr, lam):
    land = Bowl(lam=lam)
    start = np.array([[2.0, 1.0]])
    r0 = float(np.linalg.norm(start[0] - [land.mx, land.my]))
    opts = RunOptions(steps=2000, tol=1e-2)
    hit, stop = closed_form_gd(lr, lam, r0, opts.tol, opts.grad_tol, opts.step_tol, opts.steps)
    res = optimizers.run(land, [RunConfig(SGD(lr=lr))], start, opts)
    assert res.status[0] == Status.CONVERGED
    assert res.hit_step[0] == hit
    assert res.status_step[0] == stop
    # the distance itself follows |1 - lr lam|^t r0 up to the stop, then stays
    t = np.arange(stop + 1)
    dist = np.linalg.norm(res.positions[0, : stop + 1] - [land.mx, land.my], axis=-1)
    np.testing.assert_allclose(dist, r0 * abs(1 - lr * lam) ** t, rtol=1e-9, atol=1e-14)
    assert (res.positions[0, stop:] == res.positions[0, stop]).all()
    assert res.nearest_minimum[0] == 0 and res.distance[0] <= opts.tol
    np.testing.assert_array_equal(res.evals[0], [0, stop + 1, 0])


@pytest.mark.parametrize(("T", "k"), [(10, 3), (10, 5), (10, 1), (7, 2), (10, 10), (10, 25), (0, 1), (50, 7)])
def test_record_every_keeps_ceil_t_over_k_plus_one_steps(T, k):
    full = optimizers.run(ROSEN, MIXED[:3], STARTS, RunOptions(steps=T, record_every=1))
    res = optimizers.run(ROSEN, MIXED[:3], STARTS, RunOptions(steps=T, record_every=k))
    K = math.ceil(T / k) + 1
    assert res.steps.tolist() == sorted({*range(0, T + 1, k), T})
    assert res.positions.shape == (9, K, 2) and res.losses.shape == (9, K) and len(res.steps) == K
    np.testing.assert_array_equal(res.positions, full.positions[:, res.steps])
    np.testing.assert_array_equal(res.losses, full.losses[:, res.steps])


def test_record_every_zero_keeps_start_and_end():
    full = optimizers.run(ROSEN, MIXED, STARTS, RunOptions(steps=40))
    res = optimizers.run(ROSEN, MIXED, STARTS, RunOptions(steps=40, record_every=0))
    assert res.steps.tolist() == [0, 40] and res.positions.shape[1] == 2
    np.testing.assert_array_equal(res.positions[:, 0], full.positions[:, 0])
    np.testing.assert_array_equal(res.positions[:, 1], full.positions[:, -1])
    np.testing.assert_array_equal(res.status, full.status)


def test_a_huge_grid_of_starts_stays_small():
    _, _, pts = ROSEN.window.grid(256)
    starts = pts.reshape(-1, 2)
    R = starts.shape[0]
    tracemalloc.start()
    try:
        res = optimizers.run(ROSEN, [RunConfig(SGD(lr=1e-4))], starts, RunOptions(steps=50, record_every=0))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert res.positions.shape == (R, 2, 2)
    assert res.positions.nbytes == R * 2 * 2 * 8
    total = sum(a.nbytes for a in vars(res).values() if isinstance(a, np.ndarray))
    assert total < 200 * R  # ~13 MB for 65,536 runs; recording every step would be ~60 MB
    assert peak < 48 * 2**20  # measured ~22 MB; recording all 51 steps peaks near 130 MB


def test_frame_and_summary_tables():
    res = optimizers.run(ROSEN, MIXED[:2], STARTS, RunOptions(steps=10, record_every=5))
    R, K = 6, 3
    df = res.frame()
    assert list(df.columns) == ["run", "label", "optimizer", "step", "x", "y", "loss", "grad_norm"]
    assert len(df) == R * K
    row = df[(df.run == 4) & (df.step == 5)].iloc[0]
    assert row.label == "Momentum #2" and row.optimizer == "momentum"
    assert (row.x, row.y, row.loss) == (res.positions[4, 1, 0], res.positions[4, 1, 1], res.losses[4, 1])
    summ = res.summary()
    assert list(summ.columns) == [
        "run",
        "label",
        "optimizer",
        "final_x",
        "final_y",
        "final_loss",
        "status",
        "status_step",
        "steps_to_tol",
        "nearest_minimum",
        "distance",
        "grad_evals",
        "hessian_evals",
    ]
    assert len(summ) == R
    np.testing.assert_array_equal(summ.final_x, res.final_positions[:, 0])
    assert set(summ.status) <= {s.label for s in Status}
    assert summ.grad_evals.tolist() == [11] * R


def test_single_start_labels_and_options_validation():
    res = optimizers.run(ROSEN, [RunConfig(SGD(lr=1e-3), label="slow")], STARTS[:1], steps=3)
    assert res.run_labels() == ["slow"] and res.steps.tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="steps"):
        RunOptions(steps=-1)
    with pytest.raises(ValueError, match="record_every"):
        RunOptions(record_every=-2)
    with pytest.raises(ValueError):
        optimizers.run(ROSEN, [], STARTS)


def test_polyak_runs_stop_only_when_the_average_stops():
    # GD on lam/2 |p - m|^2 with lr*lam = 1/2: iterates m + 2^-k d0, whose mean after t steps is
    # m + d0 (1 - 2^-(t+1)) / ((1 - 1/2) (t + 1)): the iterate stops within ~50 steps, the mean creeps on
    land = Bowl(lam=2.0)
    start = np.array([[2.0, 1.0]])
    r0 = float(np.linalg.norm(start[0] - [land.mx, land.my]))
    opts = RunOptions(steps=300, tol=0.05)
    res = optimizers.run(land, [RunConfig(SGD(lr=0.25)), RunConfig(Polyak(inner=SGD(lr=0.25)))], start, opts)
    assert res.status.tolist() == [Status.CONVERGED, Status.RUNNING]
    dist = [r0 * (1 - 0.5 ** (t + 1)) / (0.5 * (t + 1)) for t in range(301)]
    assert res.hit_step[1] == next(t for t, d in enumerate(dist) if d <= opts.tol)
    np.testing.assert_allclose(res.distance[1], dist[-1], rtol=1e-9)


def _export_html(tmp_path):
    from export.__main__ import main

    assert main(["--preset", "ravine_momentum", "--figure", "contour", "--format", "html", "--out", str(tmp_path)]) == 0


def _run_configs(tmp_path):
    from ui import compute

    compute.run_configs(Bowl(), [RunConfig(SGD(lr=0.1))], [0], STARTS, RunOptions(steps=5))


def _lesson(module: str, settings: str, entry: str):
    """Call ``module.entry(module.settings())``: a lesson page's core function at its defaults."""

    def call(tmp_path):
        mod = importlib.import_module(module)
        getattr(mod, entry)(getattr(mod, settings)())

    call.__name__ = entry
    return call


ENTRY_POINTS = [
    _export_html,
    _run_configs,
    _lesson("analysis.sweep", "SweepSettings", "compute_sweep"),
    _lesson("analysis.basins", "BasinSettings", "compute_basins"),
    _lesson("analysis.batch", "BatchSettings", "batch_lesson"),
    _lesson("analysis.schedule_lesson", "ScheduleSettings", "schedule_lesson"),
    _lesson("analysis.second_order_lesson", "SecondOrderSettings", "second_order_lesson"),
]


def test_run_leaves_the_process_allocator_alone(monkeypatch):
    from optimizers import allocator

    monkeypatch.setattr(allocator, "_done", False)
    optimizers.run(ROSEN, MIXED, STARTS, RunOptions(steps=3))
    assert allocator._done is False


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda f: f.__name__)
def test_entry_points_tune_the_allocator_before_running(entry, monkeypatch, tmp_path):
    from optimizers import allocator

    monkeypatch.setattr(allocator, "_done", False)
    entry(tmp_path)
    assert allocator._done is True
