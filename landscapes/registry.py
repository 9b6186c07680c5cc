"""Registry of landscapes by key: list the names, look one up, build one with its parameters."""

from __future__ import annotations

import dataclasses
from typing import Any

from landscapes.base import Landscape
from settings import Registry, UnknownNameError


class UnknownLandscapeError(UnknownNameError):
    """Raised for a landscape name that is not registered; the message lists the known ones."""


LANDSCAPES: Registry[Landscape] = Registry("landscape", error=UnknownLandscapeError)
register = LANDSCAPES.register
names = LANDSCAPES.names
landscape_class = LANDSCAPES.get_class


def builtin_names() -> list[str]:
    """Keys of the landscapes defined in code (not typed by the user)."""
    return [n for n in names() if not landscape_class(n).user_defined]


def get(name: str, **params: Any) -> Landscape:
    """A landscape instance by key with the given parameters (others at their defaults).

    Raises ``UnknownLandscapeError`` for an unknown key and ``ValueError`` (``FormulaError`` for a
    typed formula) for parameters the landscape refuses."""
    return LANDSCAPES.make(name, **params)


def takes(name: str, param: str) -> bool:
    """Whether landscape ``name`` has a parameter called ``param``."""
    return name in LANDSCAPES and any(f.name == param for f in dataclasses.fields(landscape_class(name)))


def problems(name: str, **params: Any) -> list[str]:
    """Why ``get(name, **params)`` would fail, as messages (empty when it succeeds)."""
    try:
        get(name, **params)
    except (ValueError, KeyError) as exc:
        return [str(exc)]
    return []
