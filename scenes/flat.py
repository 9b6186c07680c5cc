"""URL codec for the lesson pages' settings: a frozen dataclass of plain fields (str, int, float,
bool) to query parameters and back, forgiving like the race scene's codec.

Numeric fields may carry ``lo`` / ``hi`` bounds in their metadata (``optimizers.base.hyper``);
out-of-range values are clamped, unreadable ones fall back to the default, and every such
repair adds a short warning. A ``choices`` metadata entry restricts a str field.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")
MAX_TEXT = 500


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
    """The field's value parsed from ``text`` (clamped), and a warning or None."""
    default, meta = f.default, f.metadata
    name = f.name
    if isinstance(default, bool):
        if text.lower() in ("1", "true", "yes", "on"):
            return True, None
        if text.lower() in ("0", "false", "no", "off", ""):
            return False, None
        return default, f"ignored {name}={text!r} (not a yes/no value)"
    if isinstance(default, str):
        choices = meta.get("choices")
        if choices and text not in choices:
            return default, f"ignored {name}={text!r} (choose one of {', '.join(choices)})"
        return text, None
    try:
        value = float(text)
    except ValueError:
        return default, f"ignored {name}={text!r} (not a number)"
    if not math.isfinite(value):
        return default, f"ignored {name}={text!r} (not a finite number)"
    lo, hi = meta.get("lo", -math.inf), meta.get("hi", math.inf)
    warning = None
    if value < lo or value > hi:
        value = min(max(value, lo), hi)
        warning = f"{name}={text} clamped to {value:g}"
    if isinstance(default, int):
        value = round(value)
    return type(default)(value), warning


def from_query(cls: type[T], params: Mapping[str, Any], prefix: str = "") -> tuple[T, list[str]]:
    """An instance of ``cls`` from query parameters; never raises. Returns it and warnings."""
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for f in dataclasses.fields(cls):
        key = prefix + f.name
        if key in params:
            value, warning = _read(f, _first(params[key]))
            values[f.name] = value
            if warning:
                warnings.append(warning)
    try:
        return cls(**values), warnings
    except (ValueError, TypeError) as exc:  # a combination of values the class refuses
        return cls(), [*warnings, f"ignored the link's settings ({exc}); showing the defaults"]
