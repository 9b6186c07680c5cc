"""Where a run starts: the user's own point, else the landscape's first suggested start."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from landscapes.base import Array
from landscapes.protocol import LandscapeLike


class StartChoice(Protocol):
    """Settings that may name their own start (every lesson's ``custom_start``, ``start_x``,
    ``start_y`` fields)."""

    @property
    def custom_start(self) -> bool: ...

    @property
    def start_x(self) -> float: ...

    @property
    def start_y(self) -> float: ...


def suggested_start(landscape: LandscapeLike) -> Array:
    """The landscape's first suggested start ``(2,)``."""
    return np.array(landscape.starts[0], dtype=float)


def start_point(settings: StartChoice, landscape: LandscapeLike) -> Array:
    """The start ``(2,)``: ``(start_x, start_y)`` when ``settings.custom_start``, else the
    landscape's first suggested start."""
    if settings.custom_start:
        return np.array([settings.start_x, settings.start_y], dtype=float)
    return suggested_start(landscape)
