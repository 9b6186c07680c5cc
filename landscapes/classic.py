"""Classic optimization benchmark functions (Rosenbrock, Beale, Himmelblau, ...): the ones with a
single minimum in ``landscapes.classic_bowls``, the ones with several in ``landscapes.classic_minima``;
``ALL`` is their registration order."""

from __future__ import annotations

from landscapes.base import Landscape
from landscapes.classic_bowls import Beale, Booth, Matyas, Quadratic, Rosenbrock
from landscapes.classic_minima import (
    HIMMELBLAU_MINIMA,
    HIMMELBLAU_SADDLES,
    SIX_HUMP_CAMEL_MINIMA,
    SIX_HUMP_CAMEL_SADDLES,
    Ackley,
    GoldsteinPrice,
    Himmelblau,
    Rastrigin,
    SixHumpCamel,
    StyblinskiTang,
    real_cubic_roots,
)

__all__ = [
    "ALL",
    "HIMMELBLAU_MINIMA",
    "HIMMELBLAU_SADDLES",
    "SIX_HUMP_CAMEL_MINIMA",
    "SIX_HUMP_CAMEL_SADDLES",
    "Ackley",
    "Beale",
    "Booth",
    "GoldsteinPrice",
    "Himmelblau",
    "Matyas",
    "Quadratic",
    "Rastrigin",
    "Rosenbrock",
    "SixHumpCamel",
    "StyblinskiTang",
    "real_cubic_roots",
]

ALL: list[type[Landscape]] = [
    Rosenbrock,
    Quadratic,
    Booth,
    Matyas,
    Beale,
    Himmelblau,
    GoldsteinPrice,
    SixHumpCamel,
    StyblinskiTang,
    Rastrigin,
    Ackley,
]
