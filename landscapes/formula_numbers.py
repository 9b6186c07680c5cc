"""How large or small the constants of a typed formula may be, and what to say when they are not.

SymPy computes constants exactly (or with arbitrary precision) from the literals, so a formula can
hold numbers no float can: ``(1e-300)**2`` is ``1e-600``, which floating point makes 0, and
``(2*x)**10**4`` holds ``2**10000``. These are refused with the right cause (too large, too small,
too many digits) before any NumPy code runs.
"""

from __future__ import annotations

import math
import sys

import mpmath
import sympy as sp

MAX_LOG10_CONSTANT = 300.0  # |constant| SymPy may compute from the literals (< float max)
MIN_LOG10_CONSTANT = math.floor(math.log10(sys.float_info.min))  # smallest normal float: -308


def _log10_abs(n: sp.Number) -> float:
    """``log10 |n|`` of a SymPy number, signed (``-600`` for ``1e-600``), also beyond the range of
    floats; 0 for zero, inf for an infinity."""
    if n.is_zero:
        return 0.0
    if not n.is_finite:
        return math.inf
    if n.is_Rational:  # math.log10 takes Python ints of any size
        return math.log10(abs(int(n.p))) - math.log10(int(n.q))
    return float(mpmath.log10(abs(mpmath.mpf(n))))


def _digits(n: sp.Number) -> int:
    """Digits of an exact fraction's numerator or denominator, whichever has more (its cost); 0 for floats."""
    return max(len(str(abs(int(n.p)))), len(str(int(n.q)))) if n.is_Rational else 0


def size_problem(n: sp.Number, power: float = 1.0) -> str:
    """Why ``n ** power`` cannot be used (too large or too small for a float, or an exact fraction with
    too many digits), or ``""``."""
    mag = _log10_abs(n) * power
    if mag > MAX_LOG10_CONSTANT:
        return f"The formula makes numbers too large to handle (beyond 1e{MAX_LOG10_CONSTANT:.0f} in size)"
    if mag < MIN_LOG10_CONSTANT:
        return (
            f"The formula makes numbers too small to handle (below 1e{MIN_LOG10_CONSTANT} in size, where "
            "floating point loses their digits, then makes them 0)"
        )
    if _digits(n) * abs(power) > MAX_LOG10_CONSTANT:
        return f"The formula makes exact fractions with too many digits (more than {MAX_LOG10_CONSTANT:.0f})"
    return ""


def constant_failure(exc: BaseException) -> str:
    """What a failure of the generated code at a probe point says about the formula's constants."""
    if isinstance(exc, OverflowError):
        return "a constant is too large for floating point"
    if isinstance(exc, ZeroDivisionError):
        return "a constant divides by zero"
    return f"{type(exc).__name__} in a constant"
