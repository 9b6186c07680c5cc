"""Landscapes from data: a model with two parameters ``p = (p0, p1)``, a dataset and a loss.

The value is the mean loss over the examples of one split (``split="train"`` or ``"test"``) plus
an optional penalty ``l2 / 2 |p|^2``; gradient and Hessian are analytic. Every function takes
points of shape ``(..., 2)`` and evaluates all points and all examples together (``kernels``).

- ``LinearRegression``: ``yhat = w x + b``, squared loss ``mean((w x + b - y)^2) / 2`` or Huber's.
- ``LogisticRegression``: ``P(y = 1) = sigmoid(w x + b)``, mean binary cross-entropy.
- ``TanhNet``: ``yhat = v tanh(w x)``, squared loss: two mirror-image minima, a saddle at 0.

Each is a frozen dataclass whose fields are the dataset's settings (declared once on
``datasets.DataSpec`` and reused with ``same_as``), the split, the penalty and the loss's own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

import numpy as np
from scipy.special import expit

from datasets import CLASSIFICATION_SOURCES, REGRESSION_SOURCES, Dataset, DataSpec, make_dataset
from datasets.spec import CLASSES, LINE, TEACHER, coerce_whole
from landscapes.base import Array, CriticalPoint, Landscape, Window, hessian_from, stack
from landscapes.data import kernels as kern
from landscapes.data.minima import (
    classes_separable,
    curvature,
    damped_newton,
    huber_irls,
    newton_root,
    profile_candidates,
    unique_points,
)
from landscapes.data.quadratic import Quadratic
from settings import hyper, same_as

DATA_FIELDS = tuple(f.name for f in dataclasses.fields(DataSpec))
SPLITS = ("train", "test")
LOSSES = ("squared", "huber")
CACHE_SIZE = 64
REFERENCE_L2 = 1e-2  # with no minimum, the view is centred on the minimum with this penalty
CONSTANT = "the feature is constant: a whole line of (w, b) fits equally well, no single minimum"
NO_TANH_MINIMUM = {
    "small": "no minimum: the loss keeps falling as w -> 0 with v w fixed (the network tends to the line v w x)",
    "large": "no minimum: the loss keeps falling as |w| grows (tanh(w x) tends to a step)",
}
HUBER_LATEX = (
    r"\rho_\delta(r) = \begin{cases} r^2/2 & |r| \le \delta \\ \delta(|r| - \delta/2) & |r| > \delta \end{cases}"
)
SEPARABLE = "the classes are separable: the loss keeps falling as the weights grow forever (no minimum without L2)"


@dataclass(frozen=True)
class Critical:
    """Known minima (best first) and saddles, or why there is no minimum (``reason``, else "");
    ``lower_at_infinity`` when the listed minima are only local: the loss's infimum is not attained."""

    minima: tuple[CriticalPoint, ...] = ()
    saddles: tuple[CriticalPoint, ...] = ()
    reason: str = ""
    lower_at_infinity: bool = False  # the loss falls below every listed minimum far away


def _flat(p: Array) -> tuple[Array, tuple[int, ...]]:
    p = np.asarray(p, dtype=float)
    return p.reshape(-1, 2), p.shape[:-1]


@dataclass(frozen=True)
class DataLandscape(Landscape):
    """The mean loss of a two-parameter model over a dataset's examples, plus ``l2 / 2 |p|^2``.

    Subclasses give the kernel (``kernels``), the model's output (``predict``) and the critical
    points (``_find_critical``). ``p0, p1`` are named by ``axis_names``; values are in the loss's
    units (squared target units for regression, nats for cross-entropy).
    """

    source: str = same_as(DataSpec, "source")
    n: int = same_as(DataSpec, "n")
    noise: float = same_as(DataSpec, "noise")
    outliers: float = same_as(DataSpec, "outliers")
    separable: bool = same_as(DataSpec, "separable")
    seed: int = same_as(DataSpec, "seed")
    feature: int = same_as(DataSpec, "feature")
    positive_class: int = same_as(DataSpec, "positive_class")
    standardize: bool = same_as(DataSpec, "standardize")
    test_fraction: float = same_as(DataSpec, "test_fraction")
    csv: str = same_as(DataSpec, "csv")
    x_column: int = same_as(DataSpec, "x_column")
    y_column: int = same_as(DataSpec, "y_column")
    split: str = hyper("train", choices=SPLITS, label="loss over", help="the training examples or the held-out ones")
    l2: float = hyper(
        0.0, lo=0.0, hi=100.0, label="L2 penalty λ", help="adds λ/2 |p|^2 (weight decay): pulls the minimum toward 0"
    )

    axis_names: ClassVar[tuple[str, str]] = ("w", "b")
    kind: ClassVar[str] = "regression"  # the data it fits: "regression" or "classification"
    log_levels = True

    def __post_init__(self) -> None:
        coerce_whole(self)
        super().__post_init__()
        spec = self.spec  # the dataset's own checks (a feature the dataset has)
        if spec.source == "csv" and spec.kind != self.kind:
            need = (
                "only 0 and 1 (class labels)" if self.kind == "classification" else "numbers to fit, not only 0 and 1"
            )
            raise ValueError(f"Invalid target column for {self.title}: it must hold {need}")
        if self.split == "test" and make_dataset(spec).n_test == 0:
            raise ValueError("Invalid loss over: 'test' (test_fraction is 0: there are no test examples)")

    # --- the data ------------------------------------------------------------------------
    @property
    def spec(self) -> DataSpec:
        """The dataset's settings (raises ``ValueError`` for a feature the dataset does not have)."""
        return DataSpec(**{name: getattr(self, name) for name in DATA_FIELDS})

    @property
    def dataset(self) -> Dataset:
        return make_dataset(self.spec)

    @property
    def data(self) -> tuple[Array, Array]:
        """``(x, y)`` of the split, each ``(n,)``."""
        return _data(self)

    @property
    def n_examples(self) -> int:
        """How many examples the split has (minibatches are drawn from them)."""
        return int(self.data[0].shape[0])

    @property
    def examples(self) -> kern.Examples:
        """The split's distinct examples with their counts."""
        return _examples(self)

    def on(self, split: str) -> DataLandscape:
        """The same landscape over the other split's examples (``"train"`` or ``"test"``)."""
        return dataclasses.replace(self, split=split)

    # --- the function --------------------------------------------------------------------
    def kernel(
        self, what: str, p0: Array, p1: Array, x: Array, y: Array, red: kern.Reductions, work: kern.Work
    ) -> kern.Sums:
        """Sums over the examples on axis 0 (see ``kernels``)."""
        raise NotImplementedError

    def _means(self, what: str, P: Array) -> kern.Sums:
        """Means over the examples (no penalty) at ``P (M, 2)``: see ``kernels``."""
        return kern.mean_sums(self.kernel, what, P, self.examples)

    def value(self, p: Array) -> Array:
        P, shape = _flat(p)
        (f,) = self._means("value", P)
        return (f + 0.5 * self.l2 * np.einsum("mi,mi->m", P, P)).reshape(shape)

    def grad(self, p: Array) -> Array:
        P, shape = _flat(p)
        g0, g1 = self._means("grad", P)
        return (stack(g0, g1) + self.l2 * P).reshape((*shape, 2))

    def hessian(self, p: Array) -> Array:
        P, shape = _flat(p)
        h00, h01, h11 = self._means("hessian", P)
        return hessian_from(h00 + self.l2, h01, h11 + self.l2).reshape((*shape, 2, 2))

    def minibatch_grad(self, points: Array, indices: Array) -> Array:
        """The gradient at ``points (R, 2)`` as the mean over each run's examples ``indices (R, B)``
        (rows of the split's ``x``, ``y``), plus the penalty's ``l2 p``: shape ``(R, 2)``."""
        P = np.asarray(points, dtype=float)
        idx = np.asarray(indices)
        if P.ndim != 2 or P.shape[1] != 2 or idx.ndim != 2 or idx.shape[0] != P.shape[0] or idx.shape[1] == 0:
            raise ValueError(f"Invalid minibatch: points {P.shape} and indices {idx.shape} (need (R, 2) and (R, B))")
        x, y = self.data
        g0, g1 = kern.batch_means(self.kernel, "grad", P, x[idx], y[idx])
        return stack(g0, g1) + self.l2 * P

    def predict(self, p: Array, x: Array) -> Array:
        """The model's output for parameters ``p (..., 2)`` at inputs ``x (k,)``: shape ``(..., k)``."""
        raise NotImplementedError

    # --- critical points and view ----------------------------------------------------------
    def _find_critical(self) -> Critical:
        raise NotImplementedError

    @property
    def critical(self) -> Critical:
        return _critical(self)

    def minima(self) -> tuple[CriticalPoint, ...]:
        return self.critical.minima

    def saddles(self) -> tuple[CriticalPoint, ...]:
        return self.critical.saddles

    @property
    def no_minimum_reason(self) -> str:
        """Why the loss has no (single) minimum, or "" when it has one."""
        return self.critical.reason

    def condition_number(self) -> float:
        """The Hessian's condition number (largest over smallest eigenvalue) at the best minimum; inf
        when there is none."""
        if not self.minima():
            return float("inf")
        lo, hi = np.linalg.eigvalsh(self.hessian(self.minima()[0].point))
        return float(hi / lo) if lo > 0 else float("inf")

    def _point(self, p: Array) -> CriticalPoint:
        return CriticalPoint(float(p[0]), float(p[1]), float(self.value(p)))

    def _anchor(self) -> Array | None:
        """The point the view centres on: the best minimum."""
        return self.minima()[0].point if self.minima() else None

    @property
    def window(self) -> Window:
        """Centred on the minimum, half-width ``max(1.25 |p*|, 1)``: the origin (where training
        often starts) stays in view."""
        a = self._anchor()
        if a is None:
            return self.default_window
        r = max(1.25 * float(np.hypot(*a)), 1.0)
        x, y = float(a[0]), float(a[1])
        return Window(x - r, x + r, y - r, y + r)

    @property
    def starts(self) -> tuple[tuple[float, float], ...]:
        """The origin and two points across the view from each other."""
        w = self.window
        cx, cy, hx, hy = (w.xmin + w.xmax) / 2, (w.ymin + w.ymax) / 2, w.width / 2, w.height / 2
        return ((0.0, 0.0), (cx - 0.7 * hx, cy + 0.7 * hy), (cx + 0.6 * hx, cy - 0.8 * hy))


@dataclass(frozen=True)
class LinearRegression(DataLandscape):
    """``yhat = w x + b`` with the squared loss ``mean((w x + b - y)^2) / 2`` (exact, from the data's
    moments: ``quadratic``) or Huber's loss with threshold ``delta`` (in the target's units)."""

    source: str = same_as(DataSpec, "source", LINE, choices=REGRESSION_SOURCES)
    loss: str = hyper("squared", choices=LOSSES, label="loss", help="squared, or Huber: linear beyond delta")
    delta: float = hyper(
        1.0, lo=0.0, hi=1e3, lo_open=True, log=True, label="Huber delta", help="residuals beyond it count linearly"
    )

    key = "data_linear"
    title = "Linear regression (data)"
    lesson = "The loss is a bowl: a raw, off-centre feature stretches it into a ravine; standardized, it is round."

    @property
    def latex(self) -> str:
        if self.loss == "huber":
            body = r"\frac{1}{n}\sum_i \rho_\delta(w x_i + b - y_i),\quad " + HUBER_LATEX
        else:
            body = r"\frac{1}{2n}\sum_i (w x_i + b - y_i)^2"
        return "L(w, b) = " + body + (r" + \frac{\lambda}{2}(w^2 + b^2)" if self.l2 else "")

    def kernel(self, what, p0, p1, x, y, red, work):
        phi = kern.huber(self.delta) if self.loss == "huber" else kern.squared
        return kern.linear_kernel(phi)(what, p0, p1, x, y, red, work)

    @property
    def quadratic(self) -> Quadratic:
        """The squared loss from the data's moments (see ``quadratic``)."""
        return _quadratic(self)

    def _means(self, what: str, P: Array) -> kern.Sums:
        if self.loss == "huber":
            return super()._means(what, P)
        q = self.quadratic
        if what == "value":
            return (q.value(P),)
        if what == "grad":
            g = q.grad(P)
            return g[:, 0], g[:, 1]
        H = q.hessian(P)
        return H[:, 0, 0], H[:, 0, 1], H[:, 1, 1]

    def predict(self, p: Array, x: Array) -> Array:
        p = np.asarray(p, dtype=float)
        return p[..., :1] * np.asarray(x, dtype=float) + p[..., 1:]

    def _find_critical(self) -> Critical:
        p = self.quadratic.minimum(self.l2)
        if p is None:
            return Critical(reason=CONSTANT)
        if self.loss == "huber":
            p = huber_irls(*self.data, self.delta, self.l2, p)
            if curvature(self.hessian(p)) == "min":  # polish: a few Newton steps end exactly on it
                p = damped_newton(self.value, self.grad, self.hessian, p)
        return Critical(minima=(self._point(p),))


@dataclass(frozen=True)
class LogisticRegression(DataLandscape):
    """``P(y = 1 | x) = sigmoid(w x + b)`` with the mean binary cross-entropy (in nats)."""

    source: str = same_as(DataSpec, "source", CLASSES, choices=CLASSIFICATION_SOURCES)

    key = "data_logistic"
    kind = "classification"
    title = "Logistic regression (data)"
    lesson = "Overlapping classes give a bowl with one minimum; separable ones, none until weight decay adds one."
    log_levels = False

    @property
    def latex(self) -> str:
        body = r"\frac{1}{n}\sum_i \left[\log(1 + e^{w x_i + b}) - y_i (w x_i + b)\right]"
        return "L(w, b) = " + body + (r" + \frac{\lambda}{2}(w^2 + b^2)" if self.l2 else "")

    def kernel(self, what, p0, p1, x, y, red, work):
        return _LOGISTIC(what, p0, p1, x, y, red, work)

    def predict(self, p: Array, x: Array) -> Array:
        """The probability of class 1."""
        p = np.asarray(p, dtype=float)
        return expit(p[..., :1] * np.asarray(x, dtype=float) + p[..., 1:])

    @property
    def diverges_on_separable(self) -> bool:
        """Separable classes and no penalty: gradient descent runs off to infinity."""
        return self.l2 == 0.0 and classes_separable(*self.data)

    @property
    def unbounded_below(self) -> bool:
        """No minimum to reach (separable classes, or a single class, without L2): runs that leave
        the view are stopped there rather than run on forever."""
        return bool(self.no_minimum_reason) and self.no_minimum_reason != CONSTANT

    def _find_critical(self) -> Critical:
        x, y = self.data
        if self.l2 == 0.0:
            if np.all(y == y[0]):
                return Critical(reason=f"only one class among the {self.split} examples: the bias grows forever")
            if np.ptp(x) == 0.0:
                return Critical(reason=CONSTANT)
            if classes_separable(x, y):
                return Critical(reason=SEPARABLE)
        p = damped_newton(self.value, self.grad, self.hessian, np.zeros(2))
        return Critical(minima=(self._point(p),))

    def _anchor(self) -> Array | None:
        if self.minima():
            return self.minima()[0].point
        if self.l2 == 0.0 and self.no_minimum_reason != CONSTANT:
            return dataclasses.replace(self, l2=REFERENCE_L2).minima()[0].point
        return None


_LOGISTIC = kern.linear_kernel(kern.logistic)


@dataclass(frozen=True)
class TanhNet(DataLandscape):
    """The network ``yhat = v tanh(w x)`` with the squared loss ``mean((v tanh(w x) - y)^2) / 2``.

    ``(w, v)`` and ``(-w, -v)`` are the same function, so minima come in mirror pairs, and the
    origin is a critical point (a saddle when ``|mean(x y)| > l2``)."""

    source: str = same_as(DataSpec, "source", TEACHER, choices=REGRESSION_SOURCES)

    axis_names = ("w", "v")
    key = "data_tanh"
    title = "Two-weight tanh network (data)"
    lesson = "Flipping both weights' signs gives the same network: two mirror-image minima, a saddle between them."

    @property
    def latex(self) -> str:
        body = r"\frac{1}{2n}\sum_i (v \tanh(w x_i) - y_i)^2"
        return "L(w, v) = " + body + (r" + \frac{\lambda}{2}(w^2 + v^2)" if self.l2 else "")

    def kernel(self, what, p0, p1, x, y, red, work):
        return kern.tanh_kernel(what, p0, p1, x, y, red, work)

    def predict(self, p: Array, x: Array) -> Array:
        p = np.asarray(p, dtype=float)
        return p[..., 1:] * np.tanh(p[..., :1] * np.asarray(x, dtype=float))

    def _find_critical(self) -> Critical:
        def sums(P: Array) -> tuple[Array, Array]:
            tt, yt = kern.mean_sums(kern.tanh_profile_sums, "value", P, self.examples)
            return tt, yt

        profile = profile_candidates(sums, self.value, self.data[0], self.l2)
        found = []
        for p0 in profile.lows:
            p = damped_newton(self.value, self.grad, self.hessian, p0)
            if curvature(self.hessian(p)) == "min":
                found.append(p if p[0] >= 0 else -p)  # the mirror image is the same minimum
        tol = 1e-6 * (1.0 + max((float(np.abs(p).max()) for p in found), default=0.0))
        mins = [q for p in unique_points(found, tol) for q in (p, -p)]
        others = []
        for p0 in profile.highs:
            p = newton_root(self.grad, self.hessian, p0)
            if p is not None and np.abs(p).max() > tol and curvature(self.hessian(p)) == "saddle":
                others.append(p if p[0] >= 0 else -p)
        saddles = [q for p in unique_points(others, tol) for q in (p, -p)]
        origin = np.zeros(2)
        at_origin = curvature(self.hessian(origin))
        if at_origin == "min":
            mins.append(origin)
        elif at_origin == "saddle":
            saddles.insert(0, origin)
        points = sorted((self._point(p) for p in mins), key=lambda c: (c.value, -c.x))
        reason = "" if points else NO_TANH_MINIMUM.get(profile.edge, "no minimum found")
        beyond = bool(profile.edge) and (not points or profile.lowest < points[0].value)
        return Critical(tuple(points), tuple(self._point(p) for p in saddles), reason, beyond)

    @property
    def unbounded_below(self) -> bool:
        """No minimum, or the loss falls below the listed (local) minima far away (noisy data: as
        ``|w|`` grows, ``tanh(w x)`` tends to a step that fits the noise better): runs that leave the
        view are stopped there."""
        return not self.minima() or self.critical.lower_at_infinity

    @property
    def window(self) -> Window:
        """Centred on the origin, wide enough for both mirror minima (half-widths ``1.5 |w*|``,
        ``1.5 |v*|``, at least 1)."""
        pts = [c.point for c in self.minima()] or [np.array([2.0, 2.0])]
        hw = max(1.5 * max(abs(float(p[0])) for p in pts), 1.0)
        hv = max(1.5 * max(abs(float(p[1])) for p in pts), 1.0)
        return Window(-hw, hw, -hv, hv)

    @property
    def starts(self) -> tuple[tuple[float, float], ...]:
        """Near the saddle, and in the two quadrants between the minima."""
        w = self.window
        return ((0.05 * w.xmax, -0.04 * w.ymax), (-0.8 * w.xmax, 0.6 * w.ymax), (0.7 * w.xmax, -0.7 * w.ymax))


ALL = (LinearRegression, LogisticRegression, TanhNet)


# Caches keyed by the landscape itself (frozen, hashed by its fields), so equal landscapes share them
# and an instance carries no hidden state (it pickles and hashes as its fields).
@lru_cache(maxsize=CACHE_SIZE)
def _data(ls: DataLandscape) -> tuple[Array, Array]:
    return ls.dataset.split(ls.split)


@lru_cache(maxsize=CACHE_SIZE)
def _examples(ls: DataLandscape) -> kern.Examples:
    return kern.Examples.of(*_data(ls))


@lru_cache(maxsize=CACHE_SIZE)
def _quadratic(ls: DataLandscape) -> Quadratic:
    return Quadratic.of(*_data(ls))


@lru_cache(maxsize=CACHE_SIZE)
def _critical(ls: DataLandscape) -> Critical:
    return ls._find_critical()
