"""Checks and clamping derived from declared Specs, with one policy for the whole app:

- the core refuses a value out of range with ``ValueError('Invalid <name>: <value> (must be in
  <range>)')``, as ``torch.optim`` constructors do (``check``, ``check_fields``);
- a value from a link or a file is clamped into range with a warning (``clamp_warn``);
- a value typed into a widget is clamped and the widget shows the clamped value (``ui.inputs``).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from settings.declare import Spec, declared


def _name(name: str, spec: Spec) -> str:
    return spec.label or name


def check(name: str, value: Any, spec: Spec) -> None:
    """Raise ``ValueError`` unless ``value`` is one of the spec's choices (text) or every entry of it
    (a number or an array) is in range."""
    if spec.choices:
        if value not in spec.choices:
            choices = ", ".join(str(c) for c in spec.choices)
            raise ValueError(f"Invalid {_name(name, spec)}: {value!r} ({name} must be one of {choices})")
        return
    if isinstance(value, (bool, str)) or not spec.bounded:
        return
    arr = np.asarray(value, dtype=float)
    lo_ok = (arr > spec.lo) if spec.lo_open else (arr >= spec.lo)
    hi_ok = (arr < spec.hi) if spec.hi_open else (arr <= spec.hi)
    ok = np.isfinite(arr) & lo_ok & hi_ok
    if not np.all(ok):
        bad = arr[~ok].ravel()[0] if arr.ndim else float(arr)
        # as torch.optim writes it: the float as Python prints it ('-1.0'), a whole-number setting as an int
        shown = str(int(value)) if isinstance(value, (int, np.integer)) else repr(float(bad))
        raise ValueError(f"Invalid {_name(name, spec)}: {shown} ({name} must be in {spec.range_text()})")


def check_fields(obj: Any) -> None:
    """``check`` every declared field of a dataclass instance (for ``__post_init__``): numbers and
    arrays against their range, text against its choices."""
    for name, (_, spec) in declared(obj).items():
        value = getattr(obj, name)
        if spec.choices or (isinstance(value, (int, float, np.ndarray, np.number)) and not isinstance(value, bool)):
            check(name, value, spec)


def problems(obj: Any) -> list[str]:
    """The ``check`` failures of every declared numeric field, as messages (empty when all pass)."""
    out = []
    for name, (_, spec) in declared(obj).items():
        try:
            check(name, getattr(obj, name), spec)
        except (ValueError, TypeError) as exc:
            out.append(str(exc))
    return out


def clamp(value: float, spec: Spec, integer: bool = False) -> float | int:
    """``value`` if it is valid, else moved into the spec's closed range (NaN to the lower bound if
    finite, else the upper, else 0); rounded when ``integer``."""
    lo, hi = spec.closed()
    x = float(value)
    if math.isnan(x):
        x = lo if math.isfinite(lo) else (hi if math.isfinite(hi) else 0.0)
    if not spec.contains(x):  # a valid value stays as it is, even closer to an open bound than ``closed``
        x = min(max(x, lo), hi)
    if integer:
        r = round(x) if math.isfinite(x) else 0
        # rounding must not leave the range (lo = 0.5 would round to 0)
        r = max(r, math.ceil(lo)) if math.isfinite(lo) else r
        return int(min(r, math.floor(hi)) if math.isfinite(hi) else r)
    return x


def clamp_warn(value: float, spec: Spec, what: str, warn: list[str], integer: bool = False) -> float | int:
    """``clamp`` and, if that changed the value, append ``'<what>=<value> clamped to <new>'`` to ``warn``."""
    got = clamp(value, spec, integer)
    if got != value or (integer and not float(value).is_integer()):
        warn.append(f"{what}={_num(value)} clamped to {_num(got)}")
    return got


def _num(x: Any) -> str:
    """A number as short text: ``5000``, ``0.001``, ``1e+300``, ``nan``."""
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 2.0**53 else f"{x:.10g}"


def field_default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None
