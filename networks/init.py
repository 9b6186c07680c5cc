"""Seeded initializations of an MLP's parameters (the weights; biases start at 0, as is common).

- ``xavier``: Glorot & Bengio (2010), ``torch.nn.init.xavier_uniform_``:
  ``W ~ U(-a, a)``, ``a = sqrt(6 / (fan_in + fan_out))``; keeps the variance of tanh layers.
- ``he``: He et al. (2015), ``torch.nn.init.kaiming_normal_`` (fan_in, ReLU gain):
  ``W ~ N(0, 2 / fan_in)``; keeps the variance of ReLU layers.

``scale`` multiplies every weight: 1 is the scheme itself; far from 1 is a bad initialization
(tiny: signals and gradients vanish; large: tanh saturates, ReLU outputs explode).
"""

from __future__ import annotations

import numpy as np

from networks.mlp import Architecture

Array = np.ndarray
SCHEMES = ("xavier", "he")


def initialize(arch: Architecture, scheme: str, seed: int, scale: float = 1.0) -> Array:
    """One parameter vector ``(P,)`` drawn by ``scheme`` from ``numpy.random.default_rng(seed)``."""
    if scheme not in SCHEMES:
        raise ValueError(f"Invalid initialization: {scheme!r} (choose one of {', '.join(SCHEMES)})")
    rng = np.random.default_rng(seed)
    params = np.zeros(arch.n_params)
    for (w, _b), (_, fan_in, fan_out) in zip(arch.unpack(params), arch.layers, strict=True):
        if scheme == "xavier":
            a = np.sqrt(6.0 / (fan_in + fan_out))
            w[...] = rng.uniform(-a, a, (fan_in, fan_out))
        else:
            w[...] = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
    return params * scale
