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
    class refuses drops that one value, not the whole link)."""
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for f in dataclasses.fields(cls):
        key = prefix + f.name
        if key not in params:
            continue
        value, warning = _read(f, _first(params[key]))
        if warning:
            warnings.append(warning)
        refused = _refusal(cls, {**values, f.name: value})
        if refused:  # e.g. more work than a page may do, with the values so far
            warnings.append(f"ignored {f.name}={_first(params[key])[:40]!r}: {refused}")
            continue
        values[f.name] = value
    return cls(**values), warnings


def _refusal(cls: type, values: dict[str, Any]) -> str:
    """Why ``cls(**values)`` cannot be used: its constructor's error or its ``problems()``; ``""`` if it can."""
    try:
        obj = cls(**values)
    except (ValueError, TypeError) as exc:
        return str(exc)
    problems = obj.problems() if hasattr(obj, "problems") else []
    return "; ".join(problems)
