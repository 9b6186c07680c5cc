"""The squared loss of a line, ``D(w, b) = mean((w x + b - y)^2) / 2``, from five numbers of the data.

``D`` is a quadratic, so it equals its expansion around any point ``a``; around the least-squares
fit ``a`` (the minimum-norm one if the feature is constant), with ``d = p - a``, ``m = mean(x)``
and ``s2 = var(x)``:

    D(p) = D(a) + g(a) . d + (s2 d_w^2 + (m d_w + d_b)^2) / 2

``D(a)`` is the mean of squared residuals and ``g(a)`` is 0 up to rounding, so the value is a sum of
nonnegative terms (no cancellation below zero on a perfect fit) and costs O(1) per point for any
number of examples. The Hessian is ``[[s2 + m^2, m], [m, 1]]`` everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscapes.base import Array, hessian_from, stack

SINGULAR = 1e-13  # relative variance below which the feature counts as constant


@dataclass(frozen=True, eq=False)
class Quadratic:
    """The squared loss of ``x (n,)``, ``y (n,)`` (no penalty), evaluated over points ``(..., 2)``."""

    mean: float  # m, in the feature's units
    var: float  # s2, in squared feature units
    anchor: tuple[float, float]  # a: the least-squares fit (w, b)
    at_anchor: float  # D(a), in squared target units
    grad_anchor: tuple[float, float]  # g(a)
    xy: float  # mean(x y)
    y_mean: float

    @classmethod
    def of(cls, x: Array, y: Array) -> Quadratic:
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        design = np.stack([x, np.ones_like(x)], axis=1)
        a = np.linalg.lstsq(design, y, rcond=None)[0]
        res = design @ a - y
        return cls(
            mean=float(x.mean()),
            var=float(np.mean((x - x.mean()) ** 2)),
            anchor=(float(a[0]), float(a[1])),
            at_anchor=float(0.5 * np.mean(res * res)),
            grad_anchor=(float(np.mean(res * x)), float(np.mean(res))),
            xy=float(np.mean(x * y)),
            y_mean=float(y.mean()),
        )

    @property
    def constant_feature(self) -> bool:
        return self.var <= SINGULAR * (self.mean**2 + 1.0)

    def _d(self, p: Array) -> tuple[Array, Array, Array]:
        p = np.asarray(p, dtype=float)
        dw, db = p[..., 0] - self.anchor[0], p[..., 1] - self.anchor[1]
        return dw, db, self.mean * dw + db

    def value(self, p: Array) -> Array:
        """``D(p)``: shape ``p.shape[:-1]``."""
        dw, db, e = self._d(p)
        gw, gb = self.grad_anchor
        return self.at_anchor + gw * dw + gb * db + 0.5 * (self.var * dw * dw + e * e)

    def grad(self, p: Array) -> Array:
        """``grad D(p)``: shape ``p.shape``."""
        dw, _, e = self._d(p)
        return stack(self.grad_anchor[0] + self.var * dw + self.mean * e, self.grad_anchor[1] + e)

    def hessian(self, p: Array) -> Array:
        """``[[s2 + m^2, m], [m, 1]]`` at every point: shape ``p.shape + (2,)``."""
        shape = np.shape(p)[:-1]
        return hessian_from(np.full(shape, self.var + self.mean**2), np.full(shape, self.mean), np.full(shape, 1.0))

    def minimum(self, l2: float) -> Array | None:
        """The minimizer of ``D(p) + l2 |p|^2 / 2`` (the normal equations), or None when it is not
        unique (a constant feature and no penalty)."""
        if l2 == 0.0 and self.constant_feature:
            return None
        A = np.array([[self.var + self.mean**2 + l2, self.mean], [self.mean, 1.0 + l2]])
        return np.linalg.solve(A, np.array([self.xy, self.y_mean]))
