"""Registry of landscapes by key: list the names, look one up with its parameters."""

from __future__ import annotations

from landscapes.base import Landscape

_REGISTRY: dict[str, type[Landscape]] = {}


class UnknownLandscapeError(KeyError):
    """Raised for a landscape name that is not registered; the message lists the known ones."""

    def __str__(self) -> str:  # KeyError quotes its message; show it plainly
        return str(self.args[0]) if self.args else "unknown landscape"


def register(cls: type[Landscape]) -> type[Landscape]:
    """Add a landscape class under its ``key`` (usable as a decorator)."""
    if not cls.key:
        raise ValueError(f"{cls.__name__} has no key")
    if cls.key in _REGISTRY and _REGISTRY[cls.key] is not cls:
        raise ValueError(f"Landscape key {cls.key!r} registered twice")
    _REGISTRY[cls.key] = cls
    return cls


def names() -> list[str]:
    """Registered landscape keys in registration order."""
    return list(_REGISTRY)


def landscape_class(name: str) -> type[Landscape]:
    """The class registered under ``name``; ``UnknownLandscapeError`` if there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise UnknownLandscapeError(f"Unknown landscape {name!r}; known: {known}") from None


def get(name: str, **params: float) -> Landscape:
    """A landscape instance by key with the given parameters (others at their defaults)."""
    cls = landscape_class(name)
    try:
        return cls(**params)
    except TypeError as exc:  # unknown parameter name
        raise ValueError(f"Invalid parameters for {name!r}: {exc}") from None
