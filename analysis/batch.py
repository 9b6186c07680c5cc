"""Batch size and gradient noise: the same optimizer from the same start at several batch sizes.

Minibatch gradients are modelled as ``g + (sigma / sqrt(B)) z`` with ``z ~ N(0, I)``
(``optimizers.Noise``); full batch is ``sigma = 0``. Every seed of every batch size runs in ONE
vectorized ``optimizers.run`` call: the configs are the batch sizes, the starts are one start
point repeated ``seeds`` times, and run ``r`` draws its noise from its own stream ``r``.

The second experiment, on the ``sharp_flat`` landscape, counts which minimum noisy runs end in as
the batch grows (Keskar et al. 2016: large batches tend to sharp minima). A run's basin is where
plain, noise-free gradient descent from its final point settles (a "quench"), so a run that is
still bouncing around a well is counted in that well.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

import landscapes
import optimizers
from landscapes.base import Landscape
from landscapes.cost import eval_cost
from optimizers import Noise, RunConfig, RunOptions, RunResult, Status, cost
from optimizers.allocator import tune_allocator
from optimizers.minibatch import n_examples
from optimizers.suggested import NOISY
from settings import check_fields, hyper, same_as, spec_for

Array = np.ndarray

# the last two are data landscapes: real minibatches of B of their training examples (sigma unused)
LANDSCAPES = ("himmelblau", "quadratic", "ravine", "sharp_flat", "data_linear", "data_tanh")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
BASIN_STARTS = ("sharp well", "spread over the window")
MAX_BATCHES = 8  # batch sizes in one experiment (besides full batch)
MAX_BATCH_TEXT = 100  # characters of a typed list of batch sizes (8 of up to 7 digits, with separators)
MAX_BATCH = int(spec_for(Noise, "batch_size").hi)
MAX_CURVE_WORK = 1_000_000  # batch sizes x seeds x steps of the loss-curve experiment
MAX_BASIN_WORK = 2_000_000  # batch sizes x runs x steps of the sharp/flat experiment
MAX_SHOWN_POINTS = 400  # recorded steps kept per run in the returned results
QUENCH_LR = 0.02  # noise-free GD that decides a run's basin (stable for curvature up to 100)
QUENCH_STEPS = 400
BIG = 1e100  # non-finite losses are replaced by +-BIG before percentiles


def parse_batches(text: str) -> tuple[int, ...]:
    """Batch sizes from text such as ``"1, 8, 64"``: distinct, sorted, each in ``[1, 1e6]``.

    Raises ``ValueError`` naming the bad piece."""
    pieces = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    if not pieces:
        raise ValueError("Invalid batch sizes: give at least one, e.g. 1, 8, 64")
    out = set()
    for p in pieces:
        try:
            value = float(p)
        except ValueError:
            raise ValueError(f"Invalid batch size: {p!r} (not a number)") from None
        if not (math.isfinite(value) and value == int(value) and 1 <= value <= MAX_BATCH):
            raise ValueError(f"Invalid batch size: {p!r} (must be a whole number from 1 to {MAX_BATCH:,})")
        out.add(int(value))
    if len(out) > MAX_BATCHES:
        raise ValueError(f"Invalid batch sizes: at most {MAX_BATCHES} (got {len(out)})")
    return tuple(sorted(out))


@dataclass(frozen=True)
class BatchSettings:
    """Everything the batch-size lesson computes from (the page's widgets and URL)."""

    landscape: str = hyper("himmelblau", choices=LANDSCAPES)
    optimizer: str = hyper("sgd", choices=OPTIMIZERS)
    suggested: bool = True  # use NOISY[landscape] (optimizers.suggested) instead of lr and sigma
    lr: float = hyper(0.01, lo=0.0, hi=10.0, lo_open=True, log=True, label="learning rate")
    sigma: float = same_as(Noise, "sigma", default=20.0, label="per-sample noise σ")
    batches: str = hyper("1, 8, 64", max_chars=MAX_BATCH_TEXT, label="batch sizes")
    full_batch: bool = True
    custom_start: bool = False  # else the landscape's first default start
    start_x: float = hyper(0.0, lo=-1e3, hi=1e3, label="start x")
    start_y: float = hyper(0.0, lo=-1e3, hi=1e3, label="start y")
    steps: int = hyper(400, lo=1, hi=5000, label="steps")
    seeds: int = hyper(50, lo=2, hi=500, label="seeds")
    seed: int = same_as(RunOptions, "seed", label="base seed")
    basin_batches: str = hyper("1, 2, 4, 8, 16, 64", max_chars=MAX_BATCH_TEXT, label="batch sizes (sharp/flat)")
    basin_start: str = hyper("sharp well", choices=BASIN_STARTS)
    basin_lr: float = hyper(0.1, lo=0.0, hi=1.0, lo_open=True, log=True, label="learning rate (sharp/flat)")
    basin_sigma: float = hyper(2.0, lo=0.0, hi=100.0, label="noise σ (sharp/flat)")
    basin_steps: int = hyper(1000, lo=1, hi=5000, label="steps (sharp/flat)")
    basin_runs: int = hyper(100, lo=2, hi=1000, label="runs per batch size (sharp/flat)")

    def __post_init__(self) -> None:
        if self.landscape not in LANDSCAPES:
            raise ValueError(f"Invalid landscape: {self.landscape!r} (choose one of {', '.join(LANDSCAPES)})")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Invalid optimizer: {self.optimizer!r} (choose one of {', '.join(OPTIMIZERS)})")
        if self.basin_start not in BASIN_STARTS:
            raise ValueError(f"Invalid basin start: {self.basin_start!r}")
        check_fields(self)
        curve = self.n_configs * self.seeds * self.steps
        if curve > MAX_CURVE_WORK:
            raise ValueError(
                f"Too much work: batch sizes x seeds x steps = {curve:,} exceeds {MAX_CURVE_WORK:,}; "
                "use fewer seeds or steps"
            )
        basin = self.n_basin_configs * self.basin_runs * self.basin_steps
        if basin > MAX_BASIN_WORK:
            raise ValueError(
                f"Too much work in the sharp/flat experiment: batch sizes x runs x steps = {basin:,} "
                f"exceeds {MAX_BASIN_WORK:,}; use fewer runs or steps"
            )
        cost.check(self.work(), "Use fewer seeds, runs or steps.")

    def work(self) -> cost.Work:
        """The CPU seconds of both experiments, at most: every seed of every batch size (recorded, and
        for SGD each step's gradient again), then the sharp/flat runs and the quench of their ends."""
        land, sf = landscapes.get(self.landscape), landscapes.get("sharp_flat")
        lr, sigma = self.lr_sigma
        curves = batch_configs(self.optimizer, lr, sigma, self.batch_sizes, self.full_batch)
        basin = batch_configs("sgd", self.basin_lr, self.basin_sigma, self.basin_batch_sizes, self.full_batch)
        n_points = len(curves) * self.seeds * (self.steps + 1)
        regrad = cost.Work(fixed=eval_cost(land).grad.seconds(n_points)) if self.optimizer == "sgd" else cost.Work()
        quench = RunConfig(optimizers.make("sgd", lr=QUENCH_LR))
        return (
            cost.estimate(land, curves, self.seeds, RunOptions(steps=self.steps, record_every=1))
            + regrad
            + cost.estimate(sf, basin, self.basin_runs, RunOptions(steps=self.basin_steps, record_every=0))
            + cost.estimate(sf, [quench], len(basin) * self.basin_runs, RunOptions(QUENCH_STEPS, record_every=0))
        )

    @property
    def batch_sizes(self) -> tuple[int, ...]:
        return parse_batches(self.batches)

    @property
    def basin_batch_sizes(self) -> tuple[int, ...]:
        return parse_batches(self.basin_batches)

    @property
    def n_configs(self) -> int:
        return len(self.batch_sizes) + int(self.full_batch)

    @property
    def n_basin_configs(self) -> int:
        return len(self.basin_batch_sizes) + int(self.full_batch)

    @property
    def lr_sigma(self) -> tuple[float, float]:
        """The learning rate and per-sample sigma in use."""
        return NOISY[self.landscape] if self.suggested else (self.lr, self.sigma)


def batch_label(b: int | None) -> str:
    """``None`` is full batch; 1 is stochastic; others minibatch."""
    if b is None:
        return "full batch"
    return "B = 1 (stochastic)" if b == 1 else f"B = {b}"


def short_label(b: int | None) -> str:
    """``"1"``, ``"64"``, ``"full"``: batch sizes as axis ticks."""
    return "full" if b is None else f"{b}"


def batch_configs(
    optimizer: str, lr: float, sigma: float, batches: tuple[int, ...], full_batch: bool
) -> list[RunConfig]:
    """One run config per batch size (``Noise(sigma, B)``), plus full batch (``sigma = 0`` and the
    largest B: on a data landscape, every training example) last."""
    opt = optimizers.make(optimizer, lr=lr)
    out = [RunConfig(opt, noise=Noise(sigma, b), label=batch_label(b)) for b in batches]
    if full_batch:
        out.append(RunConfig(opt, noise=Noise(0.0, MAX_BATCH), label=batch_label(None)))
    return out


# --- generic helpers over run results ------------------------------------------------------------
def select_runs(result: RunResult, runs: Array) -> RunResult:
    """The runs ``runs (n,)`` of ``result`` (config labels kept, so colours stay per config)."""
    runs = np.asarray(runs, dtype=int)
    return dataclasses.replace(result, **{name: getattr(result, name)[runs] for name in RunResult.per_run_arrays()})


def thin_steps(result: RunResult, max_points: int = MAX_SHOWN_POINTS) -> RunResult:
    """``result`` keeping at most ``max_points`` evenly spread recorded steps (first and last kept)."""
    n_steps = result.steps.size
    if n_steps <= max_points:
        return result
    idx = np.unique(np.round(np.linspace(0, n_steps - 1, max(max_points, 2))).astype(int))
    return dataclasses.replace(
        result,
        positions=result.positions[:, idx],
        losses=result.losses[:, idx],
        grad_norms=result.grad_norms[:, idx],
        steps=result.steps[idx],
    )


def band(values: Array, n_configs: int, q: tuple[float, float, float] = (10.0, 50.0, 90.0)) -> Array:
    """Percentiles over seeds of per-run series ``values (C * N, K)`` (config-major, as the runner
    orders runs): shape ``(3, C, K)`` = low, median, high. Non-finite values count as +-``BIG``."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=BIG, posinf=BIG, neginf=-BIG)
    v = np.clip(v, -BIG, BIG)
    C = n_configs
    return np.percentile(v.reshape(C, v.shape[0] // C, v.shape[1]), q, axis=1)


def sgd_noise(positions: Array, grads_at: Array, lr: float) -> Array:
    """The gradient noise that plain SGD with constant ``lr`` added at each step, recovered from its
    path: ``p_t = p_{t-1} - lr (g(p_{t-1}) + n_t)`` gives ``n_t = (p_{t-1} - p_t) / lr - g(p_{t-1})``.

    ``positions (n, T + 1, 2)`` with every step recorded, ``grads_at (n, T, 2)`` the exact gradients at
    ``positions[:, :-1]``; returns ``(n, T, 2)``."""
    return (positions[:, :-1] - positions[:, 1:]) / lr - grads_at


# --- the lesson's computation --------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class BatchLesson:
    """What the batch-size page shows.

    - ``result``: every run of the curve experiment, ``R = C * seeds`` (config-major; config ``c`` is
      ``batches[c]``, ``None`` = full batch), thinned to at most ``MAX_SHOWN_POINTS`` recorded steps.
    - ``paths``: seed 0 of each batch size (``C`` runs), every step recorded, for the contour.
    - ``loss_band``: ``(3, C, K)`` 10th, 50th, 90th percentile of ``result.losses`` over seeds.
    - ``noise_expected`` ``(C,)``: ``sigma / sqrt(B)`` (0 for full batch); ``noise_measured`` ``(C,)``: the
      std of the noise recovered from the paths (plain SGD only, else NaN).
    - ``basin_batches`` ``(Cb,)`` and ``basin_fractions`` ``(Cb, 3)``: share of runs whose basin is the
      sharp minimum, the flat one, or neither (diverged / left); ``basin_final`` ``(Cb, Nb, 2)``
      final points of the noisy runs, ``basin_starts`` ``(Nb, 2)``.
    """

    landscape: Landscape
    start: Array
    batches: tuple[int | None, ...]
    labels: tuple[str, ...]
    lr: float
    sigma: float
    result: RunResult
    paths: RunResult
    loss_band: Array
    noise_expected: Array
    noise_measured: Array
    basin_landscape: Landscape
    basin_batches: tuple[int | None, ...]
    basin_labels: tuple[str, ...]
    basin_fractions: Array
    basin_final: Array
    basin_starts: Array

    def noise_table(self) -> dict[str, list]:
        """Columns of the noise table (one row per batch size)."""
        return {
            "batch": list(self.labels),
            "expected std σ/√B": [float(v) for v in self.noise_expected],
            "measured std": [float(v) for v in self.noise_measured],
        }

    def final_loss_table(self) -> dict[str, list]:
        """Median and 10-90% range of the final loss over seeds, per batch size."""
        lo, med, hi = self.loss_band[:, :, -1]
        return {
            "batch": list(self.labels),
            "median final loss": med.tolist(),
            "10th percentile": lo.tolist(),
            "90th percentile": hi.tolist(),
        }


def basin_starts(landscape: Landscape, mode: str, n: int, seed: int) -> Array:
    """Start points ``(n, 2)`` of the sharp/flat experiment: all at the sharp minimum, or uniformly
    spread over the window (``numpy.random.default_rng(seed)``)."""
    if mode == BASIN_STARTS[0]:
        sharp = landscape.minima_array()[sharp_index(landscape)]
        return np.tile(sharp, (n, 1))
    w = landscape.window
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(w.xmin, w.xmax, n), rng.uniform(w.ymin, w.ymax, n)])


def sharp_index(landscape: Landscape) -> int:
    """Index into ``minima()`` of the sharp minimum (the one with the larger Hessian trace)."""
    m = landscape.minima_array()
    return int(np.argmax(np.trace(landscape.hessian(m), axis1=-2, axis2=-1)))


def basin_fractions(landscape: Landscape, final: Array, ok: Array) -> Array:
    """Share of points in the sharp basin, the flat basin and neither, ``(C, 3)``, for final points
    ``final (C, N, 2)`` of runs that did not fly off (``ok (C, N)``). A point's basin is the minimum
    that noise-free GD (lr ``QUENCH_LR``, ``QUENCH_STEPS`` steps) reaches from it."""
    C, N = ok.shape
    pts = np.where(ok[..., None], final, 0.0).reshape(-1, 2)
    quench = optimizers.run(
        landscape,
        [RunConfig(optimizers.make("sgd", lr=QUENCH_LR))],
        pts,
        RunOptions(steps=QUENCH_STEPS, record_every=0),
    )
    sharp = sharp_index(landscape)
    nearest = quench.nearest_minimum.reshape(C, N)
    in_sharp = ok & (nearest == sharp)
    in_flat = ok & (nearest >= 0) & (nearest != sharp)
    out = np.stack([in_sharp.mean(axis=1), in_flat.mean(axis=1)], axis=1)
    return np.column_stack([out, 1.0 - out.sum(axis=1)])


def batch_lesson(settings: BatchSettings) -> BatchLesson:
    """Run both experiments of the lesson (two vectorized ``optimizers.run`` calls, plus the quench)."""
    tune_allocator()
    landscape = landscapes.get(settings.landscape)
    lr, sigma = settings.lr_sigma
    batches: tuple[int | None, ...] = settings.batch_sizes + ((None,) if settings.full_batch else ())
    configs = batch_configs(settings.optimizer, lr, sigma, settings.batch_sizes, settings.full_batch)
    C, N = len(configs), settings.seeds
    start = landscapes.start_point(settings, landscape)
    full = optimizers.run(
        landscape, configs, np.tile(start, (N, 1)), RunOptions(steps=settings.steps, record_every=1, seed=settings.seed)
    )
    paths = select_runs(full, np.arange(C) * N)
    expected = np.array([0.0 if b is None else sigma / math.sqrt(b) for b in batches])
    if n_examples(landscape):  # real minibatches: their spread depends on the data and the point
        expected = np.where([b is None or b >= n_examples(landscape) for b in batches], 0.0, np.nan)
    measured = np.full(C, np.nan)
    if settings.optimizer == "sgd":
        with np.errstate(all="ignore"):
            noise = sgd_noise(full.positions, landscape.grad(full.positions[:, :-1]), lr)
        # a run that flew off at step k kept its point at k: its last live update is k - 1
        flew = np.isin(full.status, (Status.DIVERGED, Status.LEFT))
        live = np.arange(1, full.steps.size)[None, :] <= (full.status_step - flew)[:, None]
        live &= np.isfinite(noise).all(axis=-1)
        for c in range(C):
            rows = slice(c * N, (c + 1) * N)
            sample = noise[rows][live[rows]]
            if sample.size > 1:
                measured[c] = float(np.sqrt(np.mean(sample**2)))
    kept = thin_steps(full)
    loss_band = band(kept.losses, C)

    sf = landscapes.get("sharp_flat")
    b_batches: tuple[int | None, ...] = settings.basin_batch_sizes + ((None,) if settings.full_batch else ())
    b_configs = batch_configs(
        "sgd", settings.basin_lr, settings.basin_sigma, settings.basin_batch_sizes, settings.full_batch
    )
    Nb = settings.basin_runs
    starts = basin_starts(sf, settings.basin_start, Nb, settings.seed)
    noisy = optimizers.run(
        sf, b_configs, starts, RunOptions(steps=settings.basin_steps, record_every=0, seed=settings.seed)
    )
    final = noisy.final_positions.reshape(len(b_configs), Nb, 2)
    ok = ~np.isin(noisy.status, (Status.DIVERGED, Status.LEFT)).reshape(len(b_configs), Nb)
    fractions = basin_fractions(sf, final, ok)
    return BatchLesson(
        landscape,
        start,
        batches,
        tuple(c.label for c in configs),
        lr,
        sigma,
        kept,
        paths,
        loss_band,
        expected,
        measured,
        sf,
        b_batches,
        tuple(c.label for c in b_configs),
        fractions,
        final,
        starts,
    )
