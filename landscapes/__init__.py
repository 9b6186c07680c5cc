"""2D test functions with analytic gradients and Hessians, evaluated on arrays of points."""

from landscapes import classic, teaching
from landscapes.base import CriticalPoint, Landscape, Window
from landscapes.protocol import LandscapeLike
from landscapes.registry import UnknownLandscapeError, get, landscape_class, names, register

for _cls in classic.ALL + teaching.ALL:
    register(_cls)

__all__ = [
    "CriticalPoint",
    "Landscape",
    "LandscapeLike",
    "UnknownLandscapeError",
    "Window",
    "get",
    "landscape_class",
    "names",
    "register",
]
