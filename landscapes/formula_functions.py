"""The non-smooth functions a typed formula may use (``abs``, ``min``, ``max``) as SymPy functions
with simple real derivatives, and their NumPy twins for ``lambdify``."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import sympy as sp

from landscapes.base import Array


# --- SymPy helpers: non-smooth functions with simple derivatives ----------------------------
def _power(tex: str, exp: str | None) -> str:
    """LaTeX of ``tex`` raised to ``exp`` (SymPy passes ``exp`` when printing a function's power)."""
    return tex if exp is None else rf"{{{tex}}}^{{{exp}}}"


class RealAbs(sp.Function):
    """``|u|`` for real ``u`` with derivative ``sign(u) u'`` (SymPy's ``Abs`` assumes complex args)."""

    @classmethod
    def eval(cls, arg):
        if arg.is_Number:
            return abs(arg)
        if isinstance(arg, RealAbs):
            return arg
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return RealSign(self.args[0])

    def _latex(self, printer, exp: str | None = None) -> str:
        return _power(r"\left|" + printer._print(self.args[0]) + r"\right|", exp)


class RealSign(sp.Function):
    """``sign(u)`` with derivative 0 (the Dirac part at the kink is dropped)."""

    @classmethod
    def eval(cls, arg):
        if arg.is_Number:
            return sp.sign(arg)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.S.Zero

    def _latex(self, printer, exp: str | None = None) -> str:
        return _power(r"\operatorname{sign}\left(" + printer._print(self.args[0]) + r"\right)", exp)


class RealStep(sp.Function):
    """Heaviside step ``H(u)`` with ``H(0) = 1/2`` and derivative 0 (the Dirac part is dropped)."""

    @classmethod
    def eval(cls, arg):
        if arg.is_Number:
            return sp.S.Half if arg.is_zero else (sp.S.One if arg.is_positive else sp.S.Zero)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.S.Zero


class _RealExtremum(sp.Function):
    """``max``/``min`` of real arguments, kept as typed (SymPy's ``Max``/``Min`` compare their
    arguments symbolically, which can be slow); derivative by steps: ``d max(a, b) = H(a - b) da +
    H(b - a) db``."""

    nargs = None
    _pick: Callable[..., sp.Expr] = max
    _sign = 1
    _name = ""

    @classmethod
    def eval(cls, *args):
        if all(a.is_Number for a in args):
            return cls._pick(args)
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        a = self.args[argindex - 1]
        steps = [RealStep(self._sign * (a - b)) for j, b in enumerate(self.args) if j != argindex - 1]
        return sp.Mul(*steps)

    def _latex(self, printer, exp: str | None = None) -> str:
        return _power(rf"\{self._name}\left(" + ", ".join(printer._print(a) for a in self.args) + r"\right)", exp)


class RealMax(_RealExtremum):
    _pick = max
    _sign = 1
    _name = "max"


class RealMin(_RealExtremum):
    _pick = min
    _sign = -1
    _name = "min"


def _reduce(op: Callable[[Array, Array], Array]) -> Callable[..., Array]:
    def fn(*args: Array) -> Array:
        return functools.reduce(op, args)

    return fn


NUMPY_EXTRA = {  # how lambdify writes them in NumPy
    "RealAbs": np.abs,
    "RealSign": np.sign,
    "RealStep": lambda u: np.heaviside(u, 0.5),
    "RealMax": _reduce(np.maximum),
    "RealMin": _reduce(np.minimum),
}
