"""``hyper``: a dataclass field with its valid range and UI hints, in one ``Spec``.

A setting is declared once, on the frozen dataclass that owns it::

    lr: float = hyper(1e-3, lo=0.0, hi=10.0, lo_open=True, log=True, label="learning rate")

and everything else reads that declaration: ``check_fields`` in ``__post_init__``, ``clamp`` in the
link and file readers, the widgets' bounds. ``same_as`` reuses another class's declaration (the
scene's noise sigma is the core ``Noise.sigma``), so a range is never written twice.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

SPEC = "spec"  # the metadata key holding a field's Spec
LO_MARGIN = 1e-12  # how far above an open lower bound the closed range starts (lr > 0)
HI_MARGIN = 1e-6  # how far below an open upper bound the closed range ends (Adam's betas < 1)


@dataclass(frozen=True)
class Spec:
    """Valid range and UI hints of one setting.

    ``lo_open`` / ``hi_open`` make a bound strict; ``log`` asks for a log-scale control; ``ui=False``
    hides the setting from the sidebar (still settable in code, links and files); ``choices``
    restricts a text setting; ``max_chars`` bounds a text setting's length; ``url`` names a URL key
    of its own (the typed formula's ``f``) instead of the owner's shared one.
    """

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    log: bool = False
    label: str = ""
    help: str = ""
    ui: bool = True
    choices: tuple[Any, ...] = ()
    max_chars: int = 0
    url: str = ""

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.lo) or math.isfinite(self.hi)

    def closed(self) -> tuple[float, float]:
        """The closed range a widget offers and a reader clamps into (open bounds moved inside)."""
        lo = self.lo + max(LO_MARGIN, abs(self.lo) * 1e-12) if self.lo_open else self.lo
        hi = self.hi - HI_MARGIN if self.hi_open else self.hi
        return lo, hi

    def contains(self, value: float) -> bool:
        """``value`` is finite and within the range (strict where the bound is open)."""
        if not math.isfinite(value):
            return False
        above = value > self.lo if self.lo_open else value >= self.lo
        below = value < self.hi if self.hi_open else value <= self.hi
        return above and below

    def range_text(self) -> str:
        """``'(0, 10]'``: the range as a reader would write it."""
        return f"{'(' if self.lo_open else '['}{_short(self.lo)}, {_short(self.hi)}{')' if self.hi_open else ']'}"


def _short(x: float) -> str:
    return str(int(x)) if math.isfinite(x) and float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def hyper(default: Any, **spec: Any) -> Any:
    """A dataclass field with ``default`` and a ``Spec(**spec)`` in its metadata."""
    return _field(default, Spec(**spec))


def same_as(owner: type, name: str, default: Any = dataclasses.MISSING, **changes: Any) -> Any:
    """A field declared like ``owner.name`` (its Spec, with ``changes``), default ``owner``'s unless given."""
    f = next(f for f in dataclasses.fields(owner) if f.name == name)
    spec = spec_of(f) or Spec()
    return _field(f.default if default is dataclasses.MISSING else default, dataclasses.replace(spec, **changes))


def _field(default: Any, spec: Spec) -> Any:
    if isinstance(default, (list, dict, set)):
        raise TypeError("hyper defaults must be immutable")
    return field(default=default, metadata={SPEC: spec})


def spec_of(f: dataclasses.Field) -> Spec | None:
    """The Spec a field was declared with, or None."""
    return f.metadata.get(SPEC)


def spec_for(owner: Any, name: str) -> Spec:
    """The Spec of field ``name`` of a dataclass (``KeyError`` if it has none)."""
    for f in dataclasses.fields(owner):
        if f.name == name and spec_of(f) is not None:
            return spec_of(f)
    raise KeyError(f"{getattr(owner, '__name__', owner)!s} declares no setting {name!r}")


def declared(cls_or_obj: Any) -> dict[str, tuple[dataclasses.Field, Spec]]:
    """Every field declared with a Spec, by name, in declaration order."""
    out = {}
    for f in dataclasses.fields(cls_or_obj):
        spec = spec_of(f)
        if spec is not None:
            out[f.name] = (f, spec)
    return out
