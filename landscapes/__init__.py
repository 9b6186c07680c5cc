"""2D landscapes with analytic gradients and Hessians, evaluated on arrays of points: the classic
test functions, the teaching landscapes, the data landscapes (a two-parameter model's mean loss over a dataset:
``landscapes.data``) and the user's typed formula (key ``"custom"``)."""

from landscapes import classic, custom, data, teaching
from landscapes.base import CriticalPoint, Landscape, Window
from landscapes.protocol import LandscapeLike
from landscapes.registry import (
    UnknownLandscapeError,
    builtin_names,
    get,
    landscape_class,
    names,
    problems,
    register,
    takes,
)
from landscapes.start import start_point, suggested_start

for _cls in (*classic.ALL, *teaching.ALL, *data.ALL, custom.CustomLandscape):
    register(_cls)

__all__ = [
    "CriticalPoint",
    "Landscape",
    "LandscapeLike",
    "UnknownLandscapeError",
    "Window",
    "builtin_names",
    "get",
    "landscape_class",
    "names",
    "problems",
    "register",
    "start_point",
    "suggested_start",
    "takes",
]
