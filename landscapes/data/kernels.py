"""Sums over examples of a two-parameter model's loss and its derivatives, vectorized over points
and examples, chunked over examples so the temporaries stay bounded.

Layout: examples on axis 0, points on axis 1. For ``M`` points and a chunk of ``C`` examples each
temporary is a ``(C, M)`` float64 array, ``C = max(1, CHUNK_ELEMENTS // M)``: about 2 MB, so a
200 x 200 grid over any number of examples needs a few tens of MB; the only Python loop is over
chunks. Repeated examples (bundled data with equal (x, y) rows) are merged into one weighted by
its count, which changes no sum.

A kernel is a function ``kernel(what, p0, p1, x, y, red)``: ``p0``, ``p1`` parameters of shape
``(M,)`` (or ``(R,)`` runs), ``x``, ``y`` examples broadcastable against them (``(C, 1)`` for a
chunk of the data, ``(B, R)`` for one minibatch per run), ``red`` the reductions over axis 0
(``Weighted`` or ``Batch``); ``what`` is ``"value"`` (returns one sum), ``"grad"`` (two) or
``"hessian"`` (three: the 00, 01 and 11 entries).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

Array = np.ndarray
Sums = tuple[Array, ...]
Kernel = Callable[[str, Array, Array, Array, Array, "Reductions"], Sums]

CHUNK_ELEMENTS = 2**18  # entries of one (C, M) temporary: 2 MB in float64
WHATS = ("value", "grad", "hessian")


class Reductions:
    """Sums over the examples axis (0): ``tot(a) = sum_i c_i a_i``, ``tx`` with ``c_i x_i``, ``txx`` with
    ``c_i x_i^2`` (``c_i`` the example's weight)."""

    def tot(self, a: Array) -> Array:
        raise NotImplementedError

    def tx(self, a: Array) -> Array:
        raise NotImplementedError

    def txx(self, a: Array) -> Array:
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class Weighted(Reductions):
    """A chunk of distinct examples with counts ``c (C,)``: every sum is a matrix-vector product."""

    c: Array
    cx: Array
    cxx: Array

    def tot(self, a: Array) -> Array:
        return self.c @ a

    def tx(self, a: Array) -> Array:
        return self.cx @ a

    def txx(self, a: Array) -> Array:
        return self.cxx @ a


@dataclass(frozen=True, eq=False)
class Batch(Reductions):
    """One minibatch per run: ``x (B, R)``, every example weight 1."""

    x: Array

    def tot(self, a: Array) -> Array:
        return a.sum(axis=0)

    def tx(self, a: Array) -> Array:
        return (self.x * a).sum(axis=0)

    def txx(self, a: Array) -> Array:
        return (self.x * self.x * a).sum(axis=0)


@dataclass(frozen=True, eq=False)
class Examples:
    """Distinct ``(x, y)`` examples with their counts: ``x, y, counts`` of shape ``(K,)``, ``n = sum(counts)``."""

    x: Array
    y: Array
    counts: Array

    @classmethod
    def of(cls, x: Array, y: Array) -> Examples:
        """``x (n,)`` and ``y (n,)`` with repeated rows merged (same sums, fewer terms)."""
        pairs = np.stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)], axis=1)
        rows, counts = np.unique(pairs, axis=0, return_counts=True)
        return cls(rows[:, 0].copy(), rows[:, 1].copy(), counts.astype(float))

    @property
    def n(self) -> float:
        return float(self.counts.sum())


def mean_sums(kernel: Kernel, what: str, points: Array, ex: Examples, chunk_elements: int | None = None) -> Sums:
    """Means over the examples of ``kernel``'s sums at ``points (M, 2)``, each of shape ``(M,)``."""
    if what not in WHATS:
        raise ValueError(f"Invalid quantity: {what!r} (must be one of {', '.join(WHATS)})")
    M = points.shape[0]
    budget = CHUNK_ELEMENTS if chunk_elements is None else chunk_elements
    C = max(1, min(ex.x.shape[0], budget // max(M, 1)))
    p0, p1 = points[:, 0], points[:, 1]
    total: list[Array] | None = None
    for s in range(0, ex.x.shape[0], C):
        x, y, c = ex.x[s : s + C], ex.y[s : s + C], ex.counts[s : s + C]
        red = Weighted(c, c * x, c * x * x)
        part = kernel(what, p0, p1, x[:, None], y[:, None], red)
        total = list(part) if total is None else [t + q for t, q in zip(total, part, strict=True)]
    assert total is not None  # at least one example
    return tuple(t / ex.n for t in total)


def batch_means(kernel: Kernel, what: str, points: Array, x: Array, y: Array) -> Sums:
    """Means over each run's own examples: ``points (R, 2)``, ``x, y (R, B)``; each result ``(R,)``."""
    xb, yb = x.T, y.T  # (B, R): examples on axis 0
    parts = kernel(what, points[:, 0], points[:, 1], xb, yb, Batch(xb))
    return tuple(q / x.shape[1] for q in parts)


# --- linear models: u = p0 x + p1, loss phi(u, y) ------------------------------------------------


def linear_kernel(phi: Callable[[int, Array, Array], Array]) -> Kernel:
    """The kernel of ``u = p0 x + p1`` with per-example loss ``phi(order, u, y)`` (order 0, 1, 2: the
    loss and its first and second derivatives in ``u``): value ``sum phi``, gradient
    ``(sum phi' x, sum phi')``, Hessian ``(sum phi'' x^2, sum phi'' x, sum phi'')``."""

    def kernel(what: str, p0: Array, p1: Array, x: Array, y: Array, red: Reductions) -> Sums:
        u = x * p0
        u += p1
        if what == "value":
            return (red.tot(phi(0, u, y)),)
        if what == "grad":
            d = phi(1, u, y)
            return red.tx(d), red.tot(d)
        h = phi(2, u, y)
        return red.txx(h), red.tx(h), red.tot(h)

    return kernel


def squared(order: int, u: Array, y: Array) -> Array:
    """``(u - y)^2 / 2`` and its derivatives ``u - y``, ``1``."""
    r = u - y
    if order == 0:
        r *= r
        r *= 0.5
        return r
    return r if order == 1 else np.ones_like(r)


def huber(delta: float) -> Callable[[int, Array, Array], Array]:
    """Huber's loss of the residual ``r = u - y``: ``r^2 / 2`` for ``|r| <= delta``, else
    ``delta (|r| - delta / 2)``; derivatives ``clip(r, -delta, delta)`` and ``1{|r| <= delta}``."""

    def phi(order: int, u: Array, y: Array) -> Array:
        r = u - y
        if order == 1:
            return np.clip(r, -delta, delta, out=r)
        a = np.abs(r)
        if order == 2:
            return (a <= delta).astype(float)
        return np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))

    return phi


def logistic(order: int, u: Array, y: Array) -> Array:
    """Binary cross-entropy of the logit ``u`` for a label ``y`` in {0, 1}: ``log(1 + e^u) - y u``,
    written ``max(u, 0) + log1p(e^-|u|) - y u`` (never overflows); derivatives ``sigmoid(u) - y``
    and ``sigmoid(u) sigmoid(-u)``."""
    if order == 1:
        s = expit(u)
        s -= y
        return s
    if order == 2:
        return expit(u) * expit(-u)
    a = np.abs(u)
    np.negative(a, out=a)
    np.exp(a, out=a)
    np.log1p(a, out=a)
    a += np.maximum(u, 0.0)
    a -= y * u
    return a


# --- the two-weight network: yhat = p1 tanh(p0 x), squared loss -----------------------------------


def tanh_kernel(what: str, w: Array, v: Array, x: Array, y: Array, red: Reductions) -> Sums:
    """``(v tanh(w x) - y)^2 / 2`` with ``t = tanh(w x)``, ``s = 1 - t^2``, ``r = v t - y``: gradient
    ``(v sum r s x, sum r t)``; Hessian ``(sum v s (v s - 2 r t) x^2, sum s (v t + r) x, sum t^2)``."""
    t = np.tanh(x * w)
    r = t * v
    r -= y
    if what == "value":
        r *= r
        return (0.5 * red.tot(r),)
    s = 1.0 - t * t
    if what == "grad":
        return v * red.tx(r * s), red.tot(r * t)
    vs = v * s
    hww = vs * (vs - 2.0 * r * t)
    hwv = s * (t * v + r)
    return red.txx(hww), red.tx(hwv), red.tot(t * t)


def tanh_profile_sums(what: str, w: Array, v: Array, x: Array, y: Array, red: Reductions) -> Sums:
    """``(sum t^2, sum y t)`` with ``t = tanh(w x)`` (``v`` unused): the best ``v`` for each ``w``."""
    t = np.tanh(x * w)
    return red.tot(t * t), red.tot(y * t)
