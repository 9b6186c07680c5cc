"""URL codec for the lesson pages' settings: a frozen dataclass of plain fields (str, int, float,
bool) to query parameters and back, forgiving like the race scene's codec.

Each field is read by its declaration (``settings.hyper``): out-of-range numbers are clamped into
the declared range, text outside its ``choices`` or past its ``max_chars`` and unreadable values
fall back to the default, and every such repair adds a short warning.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, TypeVar

from optimizers.cost import TooMuchWorkError, WorkProblem
from settings import Spec, clamp_warn, spec_of

T = TypeVar("T")
MAX_TEXT = 2000  # characters of one value read from a link (a declared max_chars may be lower)


def _first(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value)[:MAX_TEXT]


def to_query(obj: Any, prefix: str = "") -> dict[str, str]:
    """Fields that differ from their defaults, as ``{prefix + name: text}``."""
    out: dict[str, str] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value == f.default:
            continue
        if isinstance(value, bool):
            out[prefix + f.name] = "1" if value else "0"
        elif isinstance(value, float):
            out[prefix + f.name] = repr(value)
        else:
            out[prefix + f.name] = str(value)
    return out


def _read(f: dataclasses.Field, text: str) -> tuple[Any, str | None]:
    """The field's value parsed from ``text`` by its declaration (clamped into range, choices and
    length enforced), and a warning or None."""
    default, spec = f.default, spec_of(f) or Spec()
    name = f.name
    if isinstance(default, bool):
        if text.lower() in ("1", "true", "yes", "on"):
            return True, None
        if text.lower() in ("0", "false", "no", "off", ""):
            return False, None
        return default, f"ignored {name}={text[:40]!r} (not a yes/no value)"
    if isinstance(default, str):
        if spec.choices and text not in spec.choices:
            return default, f"ignored {name}={text[:40]!r} (choose one of {', '.join(map(str, spec.choices))})"
        if spec.max_chars and len(text) > spec.max_chars:
            return default, f"ignored {name}: longer than {spec.max_chars} characters"
        return text, None
    try:
        value = float(text) if len(text) <= 64 else math.nan
    except ValueError:
        return default, f"ignored {name}={text[:40]!r} (not a number)"
    if not math.isfinite(value):
        return default, f"ignored {name}={text[:40]!r} (not a finite number)"
    warnings: list[str] = []
    got = clamp_warn(value, spec, name, warnings, integer=isinstance(default, int))
    return type(default)(got), (warnings[0] if warnings else None)


def from_query(cls: type[T], params: Mapping[str, Any], prefix: str = "") -> tuple[T, list[str]]:
    """An instance of ``cls`` from query parameters; never raises. Returns it and warnings.

    Each value is read by its declaration, then kept only if ``cls`` still accepts the values kept
    so far with it, in its constructor and its ``problems()`` if it has one (a combination the
    class refuses drops that one value, not the whole link; a whole number it refuses, such as more
    steps than a page can afford, is cut to the largest it accepts)."""
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for f in dataclasses.fields(cls):
        key = prefix + f.name
        if key not in params:
            continue
        value, warning = _read(f, _first(params[key]))
        if warning:
            warnings.append(warning)
        refused = _refusal(cls, {**values, f.name: value}, work=False)
        cut = _largest_accepted(cls, values, f, value, work=False) if refused else None
        if cut is not None:  # e.g. more cells than a page allows: as many as it allows
            warnings.append(f"{f.name}={value} reduced to {cut}: {refused}")
            value = cut
        elif refused:  # e.g. a combination the class refuses, with the values so far
            warnings.append(f"ignored {f.name}={_first(params[key])[:40]!r}: {refused}")
            continue
        values[f.name] = value
    _fit_work(cls, values, warnings)
    try:
        return cls(**values), warnings
    except (ValueError, TypeError) as exc:  # not even the cheapest counts fit: the defaults do
        warnings.append(f"ignored the link: {exc}")
        return cls(), warnings


def _fit_work(cls: type, values: dict[str, Any], warnings: list[str]) -> None:
    """When only the amount of work is refused (``optimizers.cost``), cut whole numbers (steps,
    cells, seeds), the last declared first, each to the largest that fits or else to its least."""
    refused = _refusal(cls, values)
    counts = [f for f in dataclasses.fields(cls) if isinstance(f.default, int) and not isinstance(f.default, bool)]
    for f in reversed(counts):
        if not refused:
            return
        was = values.get(f.name, f.default)
        cut = _largest_accepted(cls, values, f, was)
        least = _least(f)
        new = cut if cut is not None else least
        if new < was and (cut is not None or not _refusal(cls, {**values, f.name: least}, work=False)):
            warnings.append(f"{f.name}={was} reduced to {new}: {refused}")
            values[f.name] = new
            refused = _refusal(cls, values)


def _least(f: dataclasses.Field) -> int:
    lo = (spec_of(f) or Spec()).closed()[0]
    return math.ceil(lo) if math.isfinite(lo) else 1


def _largest_accepted(
    cls: type, values: dict[str, Any], f: dataclasses.Field, value: Any, work: bool = True
) -> int | None:
    """For a refused whole number (steps, cells, seeds), the largest smaller one ``cls`` accepts with
    ``values`` (found by bisection from the declared lower bound), or ``None``."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    lo = _least(f)
    if lo >= value or _refusal(cls, {**values, f.name: lo}, work):
        return None
    hi = value  # invariant: lo accepted, hi refused
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _refusal(cls, {**values, f.name: mid}, work):
            hi = mid
        else:
            lo = mid
    return lo


def _refusal(cls: type, values: dict[str, Any], work: bool = True) -> str:
    """Why ``cls(**values)`` cannot be used: its constructor's error or its ``problems()``; ``""`` if
    it can. ``work=False`` overlooks the amount of work (``optimizers.cost``), which is fitted last."""
    try:
        obj = cls(**values)
    except TooMuchWorkError as exc:
        return str(exc) if work else ""
    except (ValueError, TypeError) as exc:
        return str(exc)
    problems = obj.problems() if hasattr(obj, "problems") else []
    return "; ".join(p for p in problems if work or not isinstance(p, WorkProblem))
