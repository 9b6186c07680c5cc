"""Seeded generated datasets of one feature: each a pure function of its settings and a NumPy
``Generator``, returning ``x (n,)`` and ``y (n,)`` as float arrays.

- ``line``: ``y = 0.8 x - 2 + noise * e`` with ``x ~ U(0, 10)``, ``e ~ N(0, 1)``; a fraction of
  the examples (outliers) moved up by ``U(10, 20)``. The raw feature is off-centre (mean 5), so
  its loss landscape is a ravine until the feature is standardized.
- ``classes``: two Gaussian classes of about ``n / 2`` examples (labels 0 and 1) around 1.0.
  Separable: centres -1 and 3, spread 0.5, and the rare example on the wrong side of 1.0 mirrored
  across it, so the threshold 1.0 separates the classes exactly. Overlapping: centres 0 and 2,
  spread 1.
- ``tanh_teacher``: ``y = 2 tanh(1.5 x) + noise * e`` with ``x ~ N(0, 1)``: the student
  ``v tanh(w x)`` fits it at ``(w, v)`` near ``(1.5, 2)`` and at its mirror image ``(-1.5, -2)``.
"""

from __future__ import annotations

import numpy as np

Array = np.ndarray

LINE_SLOPE, LINE_INTERCEPT = 0.8, -2.0
LINE_X_RANGE = (0.0, 10.0)
OUTLIER_SHIFT = (10.0, 20.0)

CLASS_CENTRE = 1.0
SEPARABLE = (2.0, 0.5)  # (half the distance between the centres, spread)
OVERLAPPING = (1.0, 1.0)

TEACHER_W, TEACHER_V = 1.5, 2.0


def line(n: int, noise: float, outliers: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """A noisy line with ``floor(outliers * n)`` examples moved far above it."""
    x = rng.uniform(*LINE_X_RANGE, n)
    y = LINE_SLOPE * x + LINE_INTERCEPT + noise * rng.standard_normal(n)
    k = int(np.floor(outliers * n))
    if k:
        which = rng.choice(n, size=k, replace=False)
        y[which] += rng.uniform(*OUTLIER_SHIFT, k)
    return x, y


def classes(n: int, separable: bool, rng: np.random.Generator) -> tuple[Array, Array]:
    """Two Gaussian classes: labels 0 (the first ``n // 2``) and 1 (the rest) in a shuffled order."""
    half, spread = SEPARABLE if separable else OVERLAPPING
    y = (np.arange(n) >= n // 2).astype(float)
    sign = 2.0 * y - 1.0  # -1 for class 0, +1 for class 1
    offset = sign * half + spread * rng.standard_normal(n)
    if separable:  # a wrong-side example (a 4-sigma draw: about 1 in 30,000) is mirrored
        offset = sign * np.abs(offset)
        offset[offset == 0.0] = sign[offset == 0.0] * half
    order = rng.permutation(n)
    return CLASS_CENTRE + offset[order], y[order]


def tanh_teacher(n: int, noise: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """Inputs ``x ~ N(0, 1)`` and the teacher's outputs ``2 tanh(1.5 x)`` plus noise."""
    x = rng.standard_normal(n)
    y = TEACHER_V * np.tanh(TEACHER_W * x) + noise * rng.standard_normal(n)
    return x, y
