"""Sums over examples of a two-parameter model's loss and its derivatives, vectorized over points
and examples, chunked over examples so the temporaries stay bounded.

Layout: examples on axis 0, points on axis 1. For ``M`` points and a chunk of ``C`` examples each
temporary is a ``(C, M)`` float64 array, ``C = max(1, CHUNK_ELEMENTS // M)``: about 2 MB, and a
kernel needs at most five, allocated once per call and reused for every chunk (``Work``): a fresh
multi-MB array per operation costs the operating system's page faults, about ten times the
arithmetic. So a 200 x 200 grid over any number of examples needs about 10 MB; the only Python
loop is over chunks. Repeated examples (bundled data with equal (x, y) rows) are merged into one
weighted by its count, which changes no sum.

A kernel is a function ``kernel(what, p0, p1, x, y, red, work)``: ``p0``, ``p1`` parameters of
shape ``(M,)`` (or ``(R,)`` runs), ``x``, ``y`` examples broadcastable against them (``(C, 1)`` for
a chunk of the data, ``(B, R)`` for one minibatch per run), ``red`` the reductions over axis 0
(``Weighted`` or ``Batch``), ``work`` the scratch arrays; ``what`` is ``"value"`` (returns one
sum), ``"grad"`` (two) or ``"hessian"`` (three: the 00, 01 and 11 entries).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
Sums = tuple[Array, ...]
Kernel = Callable[[str, Array, Array, Array, Array, "Reductions", "Work"], Sums]

CHUNK_ELEMENTS = 2**18  # entries of one (C, M) temporary: 2 MB in float64
WHATS = ("value", "grad", "hessian")
KEPT_SHAPES = 4  # scratch shapes kept per thread (at most 4 x 5 x 2 MB)


class Work:
    """Scratch float arrays of one shape ``(C, M)``, made on first use and reused by every chunk;
    ``rows`` trims them to a shorter last chunk. ``work(i)`` is the i-th (contiguous)."""

    def __init__(self, shape: tuple[int, int]) -> None:
        self.shape = shape
        self.rows = shape[0]
        self._arrays: list[Array] = []

    def __call__(self, i: int) -> Array:
        while len(self._arrays) <= i:
            self._arrays.append(np.empty(self.shape))
        return self._arrays[i][: self.rows]

    @classmethod
    def reused(cls, shape: tuple[int, int]) -> Work:
        """This thread's scratch of ``shape``, kept from an earlier call of the same shape (a race asks
        for the same two shapes, its minibatches' and its exact gradient's, every step); the last
        ``KEPT_SHAPES`` shapes are kept, and each thread has its own, so threads never share scratch."""
        kept: dict[tuple[int, int], Work] = _THREAD.__dict__.setdefault("kept", {})
        work = kept.pop(shape, None) or cls(shape)
        kept[shape] = work  # now the most recent
        while len(kept) > KEPT_SHAPES:
            kept.pop(next(iter(kept)))
        work.rows = shape[0]
        return work


_THREAD = threading.local()


def release_scratch() -> None:
    """Drop the scratch arrays this thread keeps (``Work.reused``)."""
    _THREAD.__dict__.pop("kept", None)


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
    M, K = points.shape[0], ex.x.shape[0]
    budget = CHUNK_ELEMENTS if chunk_elements is None else chunk_elements
    C = max(1, min(K, budget // max(M, 1)))
    p0, p1 = np.ascontiguousarray(points[:, 0]), np.ascontiguousarray(points[:, 1])
    work = Work.reused((C, M))
    total: list[Array] | None = None
    for s in range(0, K, C):
        x, y, c = ex.x[s : s + C], ex.y[s : s + C], ex.counts[s : s + C]
        work.rows = x.shape[0]
        part = kernel(what, p0, p1, x[:, None], y[:, None], Weighted(c, c * x, c * x * x), work)
        if total is None:
            total = list(part)
        else:
            for t, q in zip(total, part, strict=True):
                t += q
    assert total is not None  # at least one example
    return tuple(t / ex.n for t in total)


def batch_means(kernel: Kernel, what: str, points: Array, x: Array, y: Array) -> Sums:
    """Means over each run's own examples: ``points (R, 2)``, ``x, y (R, B)``; each result ``(R,)``."""
    xb, yb = x.T, y.T  # (B, R): examples on axis 0
    parts = kernel(what, points[:, 0], points[:, 1], xb, yb, Batch(xb), Work.reused(xb.shape))
    return tuple(q / x.shape[1] for q in parts)


# --- linear models: u = p0 x + p1, loss phi(order, u, y, work) -----------------------------------
Loss = Callable[[int, Array, Array, Work], Array]


def linear_kernel(phi: Loss) -> Kernel:
    """The kernel of ``u = p0 x + p1`` with per-example loss ``phi(order, u, y, work)`` (order 0, 1, 2:
    the loss and its first and second derivatives in ``u``; it may overwrite ``u``, which is
    ``work(0)``, and use ``work(1)``, ``work(2)``): value ``sum phi``, gradient
    ``(sum phi' x, sum phi')``, Hessian ``(sum phi'' x^2, sum phi'' x, sum phi'')``."""

    def kernel(what: str, p0: Array, p1: Array, x: Array, y: Array, red: Reductions, work: Work) -> Sums:
        u = np.multiply(x, p0, out=work(0))
        u += p1
        if what == "value":
            return (red.tot(phi(0, u, y, work)),)
        if what == "grad":
            d = phi(1, u, y, work)
            return red.tx(d), red.tot(d)
        h = phi(2, u, y, work)
        return red.txx(h), red.tx(h), red.tot(h)

    return kernel


def squared(order: int, u: Array, y: Array, work: Work) -> Array:
    """``(u - y)^2 / 2`` and its derivatives ``u - y``, ``1``."""
    if order == 2:
        u.fill(1.0)
        return u
    u -= y
    if order == 0:
        u *= u
        u *= 0.5
    return u


def huber(delta: float) -> Loss:
    """Huber's loss of the residual ``r = u - y``: ``r^2 / 2`` for ``|r| <= delta``, else
    ``delta (|r| - delta / 2)``, computed as ``c (r - c / 2)`` with ``c = clip(r, -delta, delta)``;
    derivatives ``c`` and ``1{|r| <= delta}``."""

    def phi(order: int, u: Array, y: Array, work: Work) -> Array:
        r = u
        r -= y
        if order == 1:
            return np.clip(r, -delta, delta, out=r)
        if order == 2:
            np.abs(r, out=r)
            return np.less_equal(r, delta, out=r)
        c = np.clip(r, -delta, delta, out=work(1))
        half = np.multiply(c, 0.5, out=work(2))
        r -= half
        r *= c
        return r

    return phi


def logistic(order: int, u: Array, y: Array, work: Work) -> Array:
    """Binary cross-entropy of the logit ``u`` for a label ``y`` in {0, 1}: ``log(1 + e^u) - y u``,
    written ``max(u, 0) + log1p(e^-|u|) - y u`` (never overflows); derivatives ``sigmoid(u) - y``
    and ``sigmoid(u) sigmoid(-u)``, with ``sigmoid(u) = (1 + tanh(u / 2)) / 2`` (no overflow, and
    several times faster than ``scipy.special.expit`` here; tiny probabilities lose their relative
    precision, not their absolute one, about 1e-16)."""
    if order:
        t = u
        t *= 0.5
        np.tanh(t, out=t)
        if order == 1:
            t *= 0.5
            t += 0.5
            t -= y
            return t
        t *= t
        np.subtract(1.0, t, out=t)
        t *= 0.25
        return t
    a = np.abs(u, out=work(1))
    np.negative(a, out=a)
    np.exp(a, out=a)
    np.log1p(a, out=a)
    a += np.clip(u, 0.0, np.inf, out=work(2))
    u *= y
    a -= u
    return a


# --- the two-weight network: yhat = p1 tanh(p0 x), squared loss -----------------------------------


def tanh_kernel(what: str, w: Array, v: Array, x: Array, y: Array, red: Reductions, work: Work) -> Sums:
    """``(v tanh(w x) - y)^2 / 2`` with ``t = tanh(w x)``, ``s = 1 - t^2``, ``r = v t - y``: gradient
    ``(v sum r s x, sum r t)``; Hessian ``(sum v s (v s - 2 r t) x^2, sum s (v t + r) x, sum t^2)``."""
    t = np.multiply(x, w, out=work(0))
    np.tanh(t, out=t)
    r = np.multiply(t, v, out=work(1))
    r -= y
    if what == "value":
        r *= r
        return (0.5 * red.tot(r),)
    s = np.multiply(t, t, out=work(2))
    np.subtract(1.0, s, out=s)
    q = work(3)
    if what == "grad":
        np.multiply(r, s, out=q)
        g0 = v * red.tx(q)
        np.multiply(r, t, out=q)
        return g0, red.tot(q)
    vs = np.multiply(s, v, out=work(4))
    np.multiply(r, t, out=q)  # hww = vs (vs - 2 r t)
    q *= -2.0
    q += vs
    q *= vs
    h00 = red.txx(q)
    np.multiply(t, v, out=q)  # hwv = s (v t + r)
    q += r
    q *= s
    h01 = red.tx(q)
    np.multiply(t, t, out=q)
    return h00, h01, red.tot(q)


def tanh_profile_sums(what: str, w: Array, v: Array, x: Array, y: Array, red: Reductions, work: Work) -> Sums:
    """``(sum t^2, sum y t)`` with ``t = tanh(w x)`` (``what`` and ``v`` unused): the best ``v`` for each ``w``."""
    t = np.multiply(x, w, out=work(0))
    np.tanh(t, out=t)
    q = np.multiply(t, t, out=work(1))
    tt = red.tot(q)
    np.multiply(t, y, out=q)
    return tt, red.tot(q)
