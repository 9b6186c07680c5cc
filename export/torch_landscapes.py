"""A landscape as PyTorch source: ``def f(x, y): ...`` over float64 tensors, for the generated
"Reproduce in PyTorch" script.

Built-in landscapes are written out here, one template per key, with the instance's parameters
printed exactly (``repr`` of the float); a typed formula is printed from its SymPy expression
(the one the app differentiates), with constants printed as the app's own generated NumPy code
prints them. ``tests/test_torch_script.py`` checks every template against ``landscape.value``
and its autograd gradient against ``landscape.grad``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from landscapes.base import Landscape

_pycode = importlib.import_module("sympy.printing.pycode")  # the name is shadowed by a function
Body = Callable[[Landscape], list[str]]


def _num(v: float) -> str:
    """A float literal that reads back to the same double."""
    return repr(float(v))


def _ravine(ls: Landscape) -> list[str]:
    m = ls._matrix()  # the app's own constant Hessian, printed to the last bit
    return [
        f"hxx, hxy, hyy = {_num(m[0, 0])}, {_num(m[0, 1])}, {_num(m[1, 1])}  # R diag(kappa, 1) R^T",
        "return 0.5 * (hxx * x * x + 2.0 * hxy * x * y + hyy * y * y)",
    ]


def _well(cx: float, cy: float, width: float) -> str:
    return f"torch.exp(-0.5 * ((x - {_num(cx)}) ** 2 + (y - {_num(cy)}) ** 2) / {_num(width * width)})"


BUILTIN: dict[str, Body] = {
    "rosenbrock": lambda ls: [f"return ({_num(ls.a)} - x) ** 2 + {_num(ls.b)} * (y - x * x) ** 2"],
    "quadratic": lambda ls: [f"return 0.5 * {_num(ls.c)} * (x**2 + y**2)"],
    "booth": lambda ls: ["return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2"],
    "matyas": lambda ls: ["return 0.26 * (x * x + y * y) - 0.48 * x * y"],
    "beale": lambda ls: ["return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2"],
    "himmelblau": lambda ls: ["return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2"],
    "goldstein_price": lambda ls: [
        "a = 1.0 + (x + y + 1.0) ** 2 * (19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y)",
        "b = 30.0 + (2.0 * x - 3.0 * y) ** 2 * (18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y"
        " + 27.0 * y * y)",
        "return a * b",
    ],
    "six_hump_camel": lambda ls: [
        "return (4.0 - 2.1 * x * x + x**4 / 3.0) * x * x + x * y + (4.0 * y * y - 4.0) * y * y"
    ],
    "styblinski_tang": lambda ls: [
        "return 0.5 * (x**4 - 16.0 * x**2 + 5.0 * x) + 0.5 * (y**4 - 16.0 * y**2 + 5.0 * y)"
    ],
    "rastrigin": lambda ls: [
        "tau = 2.0 * math.pi",
        f"A = {_num(ls.A)}",
        "return 2.0 * A + x * x - A * torch.cos(tau * x) + y * y - A * torch.cos(tau * y)",
    ],
    "ackley": lambda ls: [
        f"a, b, eps = {_num(ls.a)}, {_num(ls.b)}, {_num(ls.EPS)}  # eps smooths the funnel's tip",
        "tau = 2.0 * math.pi",
        "r = torch.sqrt(0.5 * (x**2 + y**2) + eps**2)",
        "ripple = torch.exp(0.5 * (torch.cos(tau * x) + torch.cos(tau * y)))",
        "return a * (math.exp(-b * eps) - torch.exp(-b * r)) + math.e - ripple",
    ],
    "saddle": lambda ls: ["return x**2 - y**2"],
    "bounded_saddle": lambda ls: ["return x * x + 0.5 * (y * y - 1.0) ** 2"],
    "plateau": lambda ls: [
        f"well = {_well(*ls.CENTER, ls.width)}",
        f"bowl = 0.5 * {_num(ls.BOWL)} * ((x - {_num(ls.CENTER[0])}) ** 2 + (y - {_num(ls.CENTER[1])}) ** 2)",
        "return 1.0 - well + bowl",
    ],
    "ravine": _ravine,
    "sharp_flat": lambda ls: [
        f"sharp = {_well(*ls.SHARP, ls.sharp_width)}",
        f"flat = {_well(*ls.FLAT, ls.flat_width)}",
        f"return 0.5 * {_num(ls.BOWL)} * (x**2 + y**2) - sharp - flat",
    ],
    "local_minima": lambda ls: [f"return (x * x - 1.0) ** 2 + {_num(ls.tilt)} * x + (y - 0.5 * x * x) ** 2"],
}


class TorchPrinter(PythonCodePrinter):
    """SymPy to PyTorch: functions of ``x, y`` become ``torch.*`` calls, constant subexpressions
    stay ``math.*`` (torch functions refuse plain numbers); numbers print as the app's lambdified
    NumPy code prints them, so the script computes what the app computes."""

    def _torch(self, name: str, args: tuple[sp.Expr, ...]) -> str:
        return f"torch.{name}(" + ", ".join(self._arg(a) for a in args) + ")"

    def _arg(self, a: sp.Expr) -> str:
        """A torch function argument: a tensor expression, or a constant wrapped as a tensor."""
        text = self._print(a)
        return text if a.free_symbols else f"torch.tensor({text}, dtype=torch.float64)"

    def _print_known_func(self, expr: sp.Expr) -> str:
        if not expr.free_symbols:
            return _pycode._print_known_func(self, expr)
        name = self.known_functions[expr.__class__.__name__].split(".")[-1]
        return self._torch(name, expr.args)

    def _print_atan2(self, expr: sp.Expr) -> str:
        return self._torch("atan2", expr.args) if expr.free_symbols else _pycode._print_known_func(self, expr)

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:  # noqa: N802 (SymPy names printer methods so)
        sqrt = "torch.sqrt" if expr.free_symbols else "math.sqrt"
        return self._hprint_Pow(expr, rational=rational, sqrt=sqrt)

    def _reduce(self, name: str, args: tuple[sp.Expr, ...]) -> str:
        out = self._arg(args[0])
        for a in args[1:]:
            out = f"torch.{name}({out}, {self._arg(a)})"
        return out

    def _print_RealAbs(self, expr: sp.Expr) -> str:  # noqa: N802 (SymPy names printer methods so)
        return self._torch("abs", expr.args)

    def _print_RealSign(self, expr: sp.Expr) -> str:  # noqa: N802 (SymPy names printer methods so)
        return self._torch("sign", expr.args)

    def _print_RealStep(self, expr: sp.Expr) -> str:  # noqa: N802 (SymPy names printer methods so)
        return f"torch.heaviside({self._arg(expr.args[0])}, torch.tensor(0.5))"

    def _print_RealMax(self, expr: sp.Expr) -> str:  # noqa: N802 (SymPy names printer methods so)
        return self._reduce("maximum", expr.args)

    def _print_RealMin(self, expr: sp.Expr) -> str:  # noqa: N802 (SymPy names printer methods so)
        return self._reduce("minimum", expr.args)


# PythonCodePrinter binds ``_print_<name>`` of each known function to its own method at class
# creation: rebind them to the torch-aware one.
for _name in {**_pycode._known_functions, **_pycode._known_functions_math}:
    if f"_print_{_name}" not in TorchPrinter.__dict__:
        setattr(TorchPrinter, f"_print_{_name}", TorchPrinter._print_known_func)


def formula_body(expr: sp.Expr) -> list[str]:
    """``return <expr>`` in torch for a SymPy expression in ``x, y``."""
    return [f"return {TorchPrinter({'fully_qualified_modules': True}).doprint(expr)}"]


class NoTorchFormError(ValueError):
    """A landscape this module cannot write in torch, with a plain message."""


def torch_function(landscape: Landscape) -> str:
    """Source of ``def f(x, y):`` computing ``landscape.value`` on float64 tensors;
    ``NoTorchFormError`` for a landscape with no torch form (the data landscapes)."""
    if not has_torch_form(landscape):
        raise NoTorchFormError(
            f"{landscape.title} has no PyTorch form here yet (only the formula landscapes and typed formulas do)."
        )
    if landscape.user_defined:
        body = formula_body(landscape.compiled.expr)
        doc = f"# the formula typed in the app: {landscape.formula!r}"  # repr: one line, quoted
    else:
        body = BUILTIN[landscape.key](landscape)
        params = ", ".join(f"{k}={v:g}" for k, v in landscape.params().items() if isinstance(v, float))
        doc = f"# {landscape.title}" + (f" ({params})" if params else "")
    lines = ["def f(x, y):", f"    {doc}", *(f"    {b}" for b in body)]
    return "\n".join(lines) + "\n"


def has_torch_form(landscape: Landscape) -> bool:
    """Whether ``torch_function`` can write this landscape."""
    return landscape.user_defined or landscape.key in BUILTIN
