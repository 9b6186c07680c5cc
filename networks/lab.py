"""The Network lab: its settings (one frozen dataclass of plain fields, declared once, kept in the
URL) and everything the page shows, computed in one call from them.

``lab(settings)`` builds the dataset and the network, draws the shared initialization, trains the
chosen optimizers together, fits the chosen plane, evaluates the train and test loss over it and
along the line between two runs' ends, measures each run's sharpness, predicts on a grid at a few
steps (the fitted curves or decision boundaries), and, when asked, runs the batch-size experiment.
Work is priced (``networks.cost``) and refused past the page budget before any of it starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

import optimizers
from networks import batch_size, cost, interpolation, planes, progress, sharpness
from networks.batch_size import BatchExperiment, parse_batches
from networks.data import DATASETS, DIGITS_N, NetData, make_data
from networks.init import SCHEMES, initialize
from networks.mlp import ACTIVATIONS, Architecture, forward
from networks.planes import Plane
from networks.train import MAX_RECORD, NetRun, Training, record_steps, train
from optimizers.cost import Work
from optimizers.cost import check as check_work
from settings import check_fields, hyper

Array = np.ndarray
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw")
PLANES = ("pca", "random", "ends")
PLANE_TITLES = {
    "pca": "PCA of all paths",
    "random": "random directions (Li et al.)",
    "ends": "start and two ends",
}
FRAMES = 21  # steps at which the fitted curves / boundaries are drawn (the step slider's stops)
FIT_N = 200  # points of a fitted curve
BOUNDARY_N = 50  # grid of a decision boundary, per side
LINE_N = 41  # points along the line between two solutions
RANDOM_SPAN = 1.0  # the random plane spans [-1, 1] in units of its filter-normalized directions
_LR = dict(lo=0.0, hi=10.0, lo_open=True, log=True)


@dataclass(frozen=True)
class LabSettings:
    """Everything the Network lab computes from (widgets and URL)."""

    dataset: str = hyper("sine", choices=DATASETS, label="dataset")
    n: int = hyper(200, lo=20, hi=2000, label="examples")
    noise: float = hyper(0.2, lo=0.0, hi=2.0, label="noise")
    test_fraction: float = hyper(0.3, lo=0.05, hi=0.9, label="test fraction")
    data_seed: int = hyper(0, lo=0, hi=2**31 - 1, label="data seed")
    layers: int = hyper(1, lo=1, hi=3, label="hidden layers")
    width: int = hyper(16, lo=1, hi=64, label="width")
    activation: str = hyper("tanh", choices=ACTIVATIONS, label="activation")
    init: str = hyper("xavier", choices=SCHEMES, label="initialization")
    init_scale: float = hyper(1.0, lo=0.01, hi=10.0, log=True, label="init scale")
    seed: int = hyper(0, lo=0, hi=2**31 - 1, label="init seed")
    use_sgd: bool = True
    lr_sgd: float = hyper(0.1, **_LR, label="SGD learning rate")
    use_momentum: bool = True
    lr_momentum: float = hyper(0.05, **_LR, label="momentum learning rate")
    use_nesterov: bool = False
    lr_nesterov: float = hyper(0.05, **_LR, label="Nesterov learning rate")
    use_rmsprop: bool = False
    lr_rmsprop: float = hyper(0.005, **_LR, label="RMSprop learning rate")
    use_adam: bool = True
    lr_adam: float = hyper(0.01, **_LR, label="Adam learning rate")
    use_adamw: bool = False
    lr_adamw: float = hyper(0.01, **_LR, label="AdamW learning rate")
    batch_size: int = hyper(0, lo=0, hi=2000, label="batch size (0 = full batch)")
    plane: str = hyper("pca", choices=PLANES, label="plane")
    run_a: int = hyper(1, lo=1, hi=len(OPTIMIZERS), label="first run")
    run_b: int = hyper(2, lo=1, hi=len(OPTIMIZERS), label="second run")
    surface_n: int = hyper(31, lo=5, hi=61, label="surface grid")
    sharp_iters: int = hyper(20, lo=1, hi=200, label="power iterations")
    experiment: bool = False
    bx_batches: str = hyper("8, 32, full", max_chars=60, label="batch sizes")
    bx_lr: float = hyper(0.1, **_LR, label="experiment learning rate (SGD)")
    steps: int = hyper(500, lo=1, hi=20000, label="steps")
    bx_seeds: int = hyper(3, lo=1, hi=10, label="seeds per batch size")
    bx_steps: int = hyper(1000, lo=1, hi=20000, label="experiment steps")

    def __post_init__(self) -> None:
        check_fields(self)
        if not any(getattr(self, f"use_{k}") for k in OPTIMIZERS):
            raise ValueError("Choose at least one optimizer")
        if self.experiment:
            parse_batches(self.bx_batches)
        check_work(self.work(), "Use fewer steps, examples, a smaller network, a coarser surface or fewer seeds.")

    # --- derived ------------------------------------------------------------------------------
    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k in OPTIMIZERS if getattr(self, f"use_{k}"))

    @property
    def split(self) -> tuple[int, int]:
        """``(n_train, n_test)`` as ``networks.data.make_data`` splits."""
        m = min(self.n, DIGITS_N) if self.dataset == "digits" else self.n
        n_test = min(max(round(self.test_fraction * m), 1), m - 2)
        return m - n_test, n_test

    @property
    def io(self) -> tuple[int, int, str]:
        """``(d_in, d_out, task)`` of the dataset."""
        return {
            "sine": (1, 1, "regression"),
            "digits": (64, 10, "classification"),
            "blobs": (2, 3, "classification"),
        }.get(self.dataset, (2, 2, "classification"))

    @cached_property
    def arch(self) -> Architecture:
        d_in, d_out, task = self.io
        return Architecture((d_in, *([self.width] * self.layers), d_out), self.activation, task)

    @property
    def pair(self) -> tuple[int, int]:
        """The two runs (0-based, among the chosen optimizers) of the ends plane and the line."""
        k = len(self.kinds)
        a = min(self.run_a, k) - 1
        b = min(self.run_b, k) - 1
        return a, (b if b != a or k == 1 else (a + 1) % k)

    def runs(self) -> list[NetRun]:
        return [NetRun(optimizers.make(k, lr=getattr(self, f"lr_{k}")), self.batch_size, self.seed) for k in self.kinds]

    def work(self) -> Work:
        """CPU seconds of ``lab(self)``, at most (``networks.cost``)."""
        n_train, n_test = self.split
        shape = cost.NetShape(self.arch, n_train, n_test)
        R = len(self.kinds)
        b = self.batch_size if 0 < self.batch_size < n_train else n_train
        T = len(record_steps(self.steps))
        w = cost.training(shape, [b] * R, R, self.steps, T)
        w = w + cost.pca(shape, R * min(T, planes.PCA_POINTS))
        w = w + cost.surfaces(shape, self.surface_n**2 + LINE_N)
        w = w + cost.sharpness(shape, R, self.sharp_iters)
        grid = FIT_N if self.io[0] == 1 else BOUNDARY_N**2 if self.io[0] == 2 else 0
        w = w + Work(fixed=shape.forward(R * FRAMES, grid) * 0.5)
        if self.experiment:
            sizes = parse_batches(self.bx_batches, n_train)
            per_run = [s or n_train for s in sizes for _ in range(self.bx_seeds)]
            ex = cost.training(shape, per_run, 1, self.bx_steps, 2) + cost.sharpness(
                shape, len(per_run), self.sharp_iters
            )
            w = Work(fixed=w.seconds + ex.seconds)
        return w


@dataclass(frozen=True, eq=False)
class LabResult:
    """What the page shows (see ``lab``)."""

    settings: LabSettings
    data: NetData
    training: Training
    plane: Plane
    coords: Array  # (R, T, 2) every run's recorded points on the plane
    axis_a: Array  # (G,)
    axis_b: Array  # (G,)
    surface_train: Array  # (G, G), rows b, columns a
    surface_test: Array
    line_alphas: Array  # (LINE_N,)
    line_train: Array
    line_test: Array
    sharpness: Array  # (R,) top Hessian eigenvalue at each run's end
    sharp_change: Array  # (R,) last relative change of the power iteration
    frames: Array  # (F,) indices into training.record_steps
    grid: tuple[Array, ...]  # the fit curve's x (FIT_N,) or the boundary's axes; () for digits
    predictions: Array  # (R, F, FIT_N) curves, (R, F, N, N) classes, or empty
    accuracy: Array  # (R, 2) final train and test accuracy (classification), else empty
    experiment: BatchExperiment | None

    @property
    def labels(self) -> tuple[str, ...]:
        return self.training.labels


def lab(s: LabSettings) -> LabResult:
    """Compute everything the Network lab shows for ``s`` (reports progress; see ``networks.progress``)."""
    data = make_data(s.dataset, s.n, s.noise, s.test_fraction, s.data_seed)
    arch = s.arch
    start = initialize(arch, s.init, s.seed, s.init_scale)
    progress.report(0.0, "Training")
    tr = train(arch, data, start, s.runs(), s.steps, MAX_RECORD)
    a_run, b_run = s.pair
    progress.report(0.8 if s.experiment else 0.6, "Fitting the plane")
    if s.plane == "pca":
        plane = planes.pca_plane(tr.params, tr.start, runs=fitted_runs(tr))
    elif s.plane == "random":
        plane = planes.random_plane(arch, np.nan_to_num(tr.final[a_run]), s.seed)
    else:
        plane = planes.ends_plane(tr.start, np.nan_to_num(tr.final[a_run]), np.nan_to_num(tr.final[b_run]))
    coords = plane.coords(np.where(np.isfinite(tr.params), tr.params, np.nan))
    if s.plane == "random":
        axis = np.linspace(-RANDOM_SPAN, RANDOM_SPAN, s.surface_n)
        axis_a = axis_b = axis
    else:
        axis_a, axis_b = planes.grid_axes(coords, s.surface_n)
    surf_train = planes.surface(arch, plane, axis_a, axis_b, data.x_train, data.y_train)
    surf_test = planes.surface(arch, plane, axis_a, axis_b, data.x_test, data.y_test)
    alphas = np.linspace(-0.5, 1.5, LINE_N)
    ta, tb = tr.final[a_run], tr.final[b_run]
    line_train = interpolation.line_loss(arch, ta, tb, alphas, data.x_train, data.y_train)
    line_test = interpolation.line_loss(arch, ta, tb, alphas, data.x_test, data.y_test)
    progress.report(0.85 if s.experiment else 0.7, "Measuring sharpness")
    lam, change = sharpness.top_eigenvalue(arch, tr.final, data.x_train, data.y_train, s.sharp_iters, s.seed)
    frames = np.unique(np.round(np.linspace(0, len(tr.record_steps) - 1, FRAMES)).astype(int))
    grid, preds = _predictions(arch, data, tr.params[:, frames])
    accuracy = _accuracy(arch, data, tr.final)
    experiment = None
    if s.experiment:
        progress.report(0.9, "Batch-size experiment")
        sizes = parse_batches(s.bx_batches, len(data.x_train))
        experiment = batch_size.batch_experiment(
            arch, data, start, sizes, s.bx_seeds, s.bx_steps, s.bx_lr, s.sharp_iters
        )
    progress.report(1.0, "Done")
    return LabResult(
        s, data, tr, plane, coords, axis_a, axis_b, surf_train, surf_test, alphas, line_train, line_test,
        lam, change, frames, grid, preds, accuracy, experiment,
    )  # fmt: skip


DIVERGED_RATIO = 100.0  # a run whose training loss ends above 100 x its start is called diverged


def fitted_runs(tr: Training) -> Array:
    """``(R,)`` True for the runs the PCA plane fits: every recorded loss finite and the final
    training loss at most ``DIVERGED_RATIO`` times the start's (all runs if none qualifies)."""
    ok = np.all(np.isfinite(tr.train_loss), axis=1) & (
        tr.train_loss[:, -1] <= DIVERGED_RATIO * tr.train_loss[:, :1].T[0]
    )
    return ok if ok.any() else np.ones(len(ok), bool)


def _predictions(arch: Architecture, data: NetData, params: Array) -> tuple[tuple[Array, ...], Array]:
    """Predictions of ``params (R, F, P)`` on a grid: the regression curve over the data's x range
    (padded), or each 2D classifier's class over a square covering the data; nothing for digits."""
    R, F, P = params.shape
    flat = np.nan_to_num(params.reshape(-1, P), nan=0.0, posinf=0.0, neginf=0.0)
    x_all = np.vstack([data.x_train, data.x_test])
    lo, hi = x_all.min(axis=0), x_all.max(axis=0)
    pad = 0.15 * (hi - lo)
    with np.errstate(over="ignore", invalid="ignore"):
        if data.d_in == 1:
            xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], FIT_N)
            return (xs,), forward(arch, flat, xs[:, None])[..., 0].reshape(R, F, FIT_N)
        if data.d_in == 2:
            ga = np.linspace(lo[0] - pad[0], hi[0] + pad[0], BOUNDARY_N)
            gb = np.linspace(lo[1] - pad[1], hi[1] + pad[1], BOUNDARY_N)
            A, B = np.meshgrid(ga, gb)
            pts = np.column_stack([A.ravel(), B.ravel()])
            classes = np.argmax(forward(arch, flat, pts), axis=-1).astype(np.int8)
            return (ga, gb), classes.reshape(R, F, BOUNDARY_N, BOUNDARY_N)
    return (), np.empty((R, F, 0))


def _accuracy(arch: Architecture, data: NetData, final: Array) -> Array:
    if data.task != "classification":
        return np.empty((len(final), 0))
    p = np.nan_to_num(final)
    train = np.mean(np.argmax(forward(arch, p, data.x_train), -1) == data.y_train, axis=-1)
    test = np.mean(np.argmax(forward(arch, p, data.x_test), -1) == data.y_test, axis=-1)
    return np.stack([train, test], axis=1)


PRESETS: dict[str, dict] = {
    "SGD vs momentum vs Adam on the sine": dict(dataset="sine", use_sgd=True, use_momentum=True, use_adam=True),
    "The batch-size experiment (moons)": dict(
        dataset="moons", n=300, layers=2, width=16, use_sgd=True, use_momentum=False, use_adam=False,
        steps=300, experiment=True, bx_batches="4, 16, 64, full", bx_seeds=3, bx_steps=1500, bx_lr=0.2,
        surface_n=21, sharp_iters=20,
    ),
    "A ReLU net with a bad initialization": dict(
        dataset="sine", layers=3, width=16, activation="relu", init="he", init_scale=0.1, steps=600,
    ),
}  # fmt: skip
