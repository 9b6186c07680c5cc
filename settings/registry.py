"""One generic registry of classes by key (optimizers, landscapes, schedules): list the names, look
one up (an unknown name raises an error listing the known ones), build one from keyword values."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

T = TypeVar("T")


class UnknownNameError(KeyError):
    """An unknown key; the message lists the known ones (shown plainly, not quoted as KeyError does)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown name"


class Registry(Generic[T]):
    """Classes of one family by their key (the class attribute named ``key_attr``).

    Registering a second class under a taken key raises ``ValueError``; registering the same class
    again is harmless (module reloads).
    """

    def __init__(self, what: str, key_attr: str = "key", error: type[UnknownNameError] = UnknownNameError) -> None:
        self.what = what
        self.key_attr = key_attr
        self.error = error
        self._classes: dict[str, type[T]] = {}

    def register(self, cls: type[T]) -> type[T]:
        """Add ``cls`` under its key (usable as a decorator)."""
        key = getattr(cls, self.key_attr, "")
        if not key:
            raise ValueError(f"{cls.__name__} has no {self.key_attr}")
        if key in self._classes and self._classes[key] is not cls:
            raise ValueError(f"{self.what.capitalize()} {key!r} registered twice")
        self._classes[key] = cls
        return cls

    def names(self) -> list[str]:
        """Registered keys in registration order."""
        return list(self._classes)

    def __contains__(self, key: object) -> bool:
        return key in self._classes

    def get_class(self, key: str) -> type[T]:
        try:
            return self._classes[key]
        except (KeyError, TypeError):
            known = ", ".join(self._classes)
            raise self.error(f"Unknown {self.what} {key!r}; known: {known}") from None

    def make(self, key: str, **values: Any) -> T:
        """An instance by key; unknown keyword names raise ``ValueError`` naming the family."""
        cls = self.get_class(key)
        try:
            return cls(**values)
        except TypeError as exc:
            raise ValueError(f"Invalid parameters for {self.what} {key!r}: {exc}") from None
