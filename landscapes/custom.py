"""Custom landscapes from a typed formula, parsed safely.

The text is never evaluated: ``ast.parse(..., mode="eval")`` only *parses* it, the tree is walked
with an explicit whitelist of node types, and the SymPy expression is built node by node. SymPy
then differentiates it and ``lambdify`` generates NumPy code from that SymPy tree (never from the
user's text). Every step is bounded (length, node count, depth, exponents, number sizes,
derivative sizes, wall-clock time), and anything outside the whitelist raises ``FormulaError``.

Grammar: variables ``x, y``; constants ``pi, e``; numbers; ``+ - * / **`` (``^`` also means
power); functions ``sin cos tan asin acos atan atan2 sinh cosh tanh exp log ln sqrt abs min max``.
"""

from __future__ import annotations

import ast
import functools
import itertools
import math
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from landscapes.base import Array, CriticalPoint, Landscape, Window, hessian_from, stack

MAX_LENGTH = 500  # characters of formula text
MAX_NODES = 200  # expression nodes in the parsed tree
MAX_DEPTH = 30  # nesting depth of the parsed tree
MAX_EXPONENT = 10  # |n| for a constant exponent n
MAX_COMBINED_EXPONENT = 1000  # |n| for x**n after SymPy merges powers of powers
MAX_LITERAL = 1e12  # |number| typed in the formula
MAX_LOG10_CONSTANT = 300.0  # |constant| SymPy may compute from the literals (< float max)
MAX_GRAD_SIZE = 1000  # SymPy tree nodes in the gradient (bounds the Hessian's cost)
MAX_HESS_SIZE = 6000  # SymPy tree nodes in the Hessian
TIME_LIMIT = 2.0  # seconds for parse + differentiate + compile
DEFAULT_FORMULA = "sin(x)*cos(y) + 0.1*(x**2 + y**2)"
WINDOW_LIMIT = 1e6  # |bound| of the view window

X, Y = sp.symbols("x y", real=True)


class FormulaError(ValueError):
    """A formula that cannot be used, with the reason; ``column`` (1-based) when known."""

    def __init__(self, reason: str, column: int | None = None) -> None:
        super().__init__(reason if column is None else f"{reason} (at column {column})")
        self.reason = reason
        self.column = column


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


_NUMPY_EXTRA = {"RealAbs": np.abs, "RealSign": np.sign, "RealStep": lambda u: np.heaviside(u, 0.5),
                "RealMax": _reduce(np.maximum), "RealMin": _reduce(np.minimum)}

# name -> (SymPy constructor, min args, max args)
FUNCTIONS: dict[str, tuple[Callable[..., sp.Expr], int, int]] = {
    "sin": (sp.sin, 1, 1), "cos": (sp.cos, 1, 1), "tan": (sp.tan, 1, 1),
    "asin": (sp.asin, 1, 1), "acos": (sp.acos, 1, 1), "atan": (sp.atan, 1, 1),
    "atan2": (sp.atan2, 2, 2),
    "sinh": (sp.sinh, 1, 1), "cosh": (sp.cosh, 1, 1), "tanh": (sp.tanh, 1, 1),
    "exp": (sp.exp, 1, 1), "log": (sp.log, 1, 1), "ln": (sp.log, 1, 1), "sqrt": (sp.sqrt, 1, 1),
    "abs": (RealAbs, 1, 1), "min": (RealMin, 2, 8), "max": (RealMax, 2, 8),
}
VARIABLES = {"x": X, "y": Y}
CONSTANTS = {"pi": sp.pi, "e": sp.E}
ALLOWED_NAMES = (
    "variables x, y; constants pi, e; functions " + ", ".join(sorted(FUNCTIONS))
)
# SymPy function classes allowed in the final expressions and their derivatives.
_ALLOWED_FUNCS = (sp.sin, sp.cos, sp.tan, sp.cot, sp.sec, sp.csc, sp.asin, sp.acos, sp.atan, sp.atan2,
                  sp.sinh, sp.cosh, sp.tanh, sp.exp, sp.log, sp.Min, sp.Max, sp.Heaviside, sp.sign,
                  sp.Abs, RealAbs, RealSign, RealStep, RealMax, RealMin)
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_REFUSED_OPERATORS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|",
                      ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~", ast.Not: "not", ast.BitXor: "^"}
_REFUSED_NODES = {
    ast.Attribute: "attribute access ('.name') is not allowed",
    ast.Subscript: "subscripts ('[...]') are not allowed",
    ast.Lambda: "lambda functions are not allowed",
    ast.IfExp: "conditional expressions ('if ... else') are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and' / 'or' are not allowed",
    ast.NamedExpr: "assignments (':=') are not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.Tuple: "tuples are not allowed (use min(a, b) etc. for several arguments)",
    ast.List: "lists are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "sets are not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
    ast.Slice: "slices are not allowed",
}


# --- text -> SymPy ----------------------------------------------------------------------------
def _prepare(text: str) -> tuple[str, list[int]]:
    """Check the raw text and rewrite it for Python's parser: ``^`` -> ``**``, tabs and line
    breaks -> spaces, leading blanks dropped. Returns the source and, for each of its characters,
    the 1-based column of the character it came from (one extra entry for the end)."""
    if not isinstance(text, str):
        raise FormulaError(f"The formula must be text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"The formula is too long: {len(text)} characters (at most {MAX_LENGTH})")
    if not text.strip():
        raise FormulaError("The formula is empty: type a function of x and y, e.g. x**2 + 3*y**2")
    out: list[str] = []
    cols: list[int] = []
    for i, ch in enumerate(text):
        if ch in "\t\r\n":
            ch = " "
        elif not (" " <= ch <= "~"):
            name = unicodedata.name(ch, "control character")
            raise FormulaError(
                f"Character {ch!r} (U+{ord(ch):04X} {name}) is not allowed: use plain ASCII letters, "
                f"digits and + - * / ^ ( ) , .", i + 1)
        if ch == "^":
            out.append("**")
            cols += [i + 1, i + 1]
        else:
            out.append(ch)
            cols.append(i + 1)
    source = "".join(out)
    lead = len(source) - len(source.lstrip(" "))
    return source[lead:], [*cols[lead:], len(text) + 1]


def _column(cols: list[int], offset: int | None) -> int | None:
    """1-based column in the user's text of a 0-based offset into the prepared source."""
    if offset is None:
        return None
    return cols[min(max(offset, 0), len(cols) - 1)]


def _check_shape(tree: ast.AST, cols: list[int]) -> None:
    """Bound the number of expression nodes and the nesting depth (iteratively, no recursion)."""
    count = 0
    stack_: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack_:
        node, depth = stack_.pop()
        if isinstance(node, ast.expr):
            count += 1
            if count > MAX_NODES:
                raise FormulaError(f"The formula is too complex: more than {MAX_NODES} terms")
            if depth > MAX_DEPTH:
                raise FormulaError(f"The formula is nested too deeply (more than {MAX_DEPTH} levels)",
                                   _column(cols, getattr(node, "col_offset", None)))
        stack_.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _log10_abs(n: sp.Number) -> float:
    """``log10 |n|`` of a SymPy number (numerator or denominator, whichever is larger), or inf."""
    if n.is_zero:
        return 0.0
    if not n.is_finite:
        return math.inf
    if n.is_Rational:
        p, q = abs(int(n.p)), int(n.q)
        return max(len(str(p)), len(str(q))) - 1.0 if max(p, q) > 10**15 else math.log10(max(p, q))
    try:
        return math.log10(abs(float(n)))
    except (OverflowError, ValueError):
        return math.inf


class _Builder:
    """Walks a parsed tree and builds the SymPy expression, refusing anything not whitelisted."""

    def __init__(self, cols: list[int]) -> None:
        self.cols = cols

    def col(self, node: ast.AST) -> int | None:
        return _column(self.cols, getattr(node, "col_offset", None))

    def build(self, node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Expression):
            return self.build(node.body)
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        reason = _REFUSED_NODES.get(type(node), f"'{type(node).__name__}' expressions are not allowed")
        raise FormulaError(reason[0].upper() + reason[1:], self.col(node))

    def constant(self, node: ast.Constant) -> sp.Expr:
        v = node.value
        if isinstance(v, str | bytes):
            raise FormulaError("Strings are not allowed", self.col(node))
        if type(v) not in (int, float):
            raise FormulaError(f"The constant {v!r} is not allowed: use real numbers", self.col(node))
        if not math.isfinite(v) or abs(v) > MAX_LITERAL:
            raise FormulaError(f"The number is too large (at most {MAX_LITERAL:g} in size)", self.col(node))
        return sp.Integer(v) if type(v) is int else sp.Float(v)

    def name(self, node: ast.Name) -> sp.Expr:
        if node.id in VARIABLES:
            return VARIABLES[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise FormulaError(f"'{node.id}' is a function: write {node.id}(...)", self.col(node))
        shown = node.id if len(node.id) <= 30 else node.id[:30] + "..."
        raise FormulaError(f"Unknown name '{shown}'. Allowed: {ALLOWED_NAMES}", self.col(node))

    def unary(self, node: ast.UnaryOp) -> sp.Expr:
        if isinstance(node.op, ast.USub):
            return self.checked(-self.build(node.operand), node)
        if isinstance(node.op, ast.UAdd):
            return self.build(node.operand)
        op = _REFUSED_OPERATORS.get(type(node.op), type(node.op).__name__)
        raise FormulaError(f"The operator '{op}' is not allowed", self.col(node))

    def binop(self, node: ast.BinOp) -> sp.Expr:
        if type(node.op) not in _OPERATORS:
            op = _REFUSED_OPERATORS.get(type(node.op), type(node.op).__name__)
            raise FormulaError(f"The operator '{op}' is not allowed (use + - * / ^)", self.col(node))
        a, b = self.build(node.left), self.build(node.right)
        if isinstance(node.op, ast.Add):
            out = a + b
        elif isinstance(node.op, ast.Sub):
            out = a - b
        elif isinstance(node.op, ast.Mult):
            out = a * b
        elif isinstance(node.op, ast.Div):
            if b.is_zero:
                raise FormulaError("Division by zero", self.col(node.right))
            out = a / b
        else:
            self.check_power(a, b, node)
            out = a**b
        return self.checked(out, node)

    def check_power(self, base: sp.Expr, exponent: sp.Expr, node: ast.BinOp) -> None:
        """Refuse powers whose exact evaluation by SymPy could be huge, before SymPy tries."""
        if not exponent.is_Number:
            return
        e = abs(float(exponent)) if exponent.is_finite else math.inf
        if e > MAX_EXPONENT:
            raise FormulaError(f"The exponent {exponent} is too large (constant exponents at most "
                               f"{MAX_EXPONENT} in size)", self.col(node.right))
        if base.is_zero and exponent.is_negative:
            raise FormulaError("Division by zero (0 to a negative power)", self.col(node.right))
        digits = max((_log10_abs(n) for n in base.atoms(sp.Number)), default=0.0)
        if digits * e > MAX_LOG10_CONSTANT:
            raise FormulaError("The formula makes numbers too large to handle", self.col(node))
        for p in base.atoms(sp.Pow):
            if p.exp.is_Number and abs(float(p.exp)) * e > MAX_COMBINED_EXPONENT:
                raise FormulaError(f"The combined power is too large (at most {MAX_COMBINED_EXPONENT})",
                                   self.col(node))

    def call(self, node: ast.Call) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise FormulaError("Only the listed functions can be called, by name: "
                               + ", ".join(sorted(FUNCTIONS)), self.col(node))
        fname = node.func.id
        if fname not in FUNCTIONS:
            if fname in VARIABLES or fname in CONSTANTS:
                raise FormulaError(f"'{fname}' is not a function: write {fname}*(...) to multiply",
                                   self.col(node))
            shown = fname if len(fname) <= 30 else fname[:30] + "..."
            raise FormulaError(f"Unknown function '{shown}'. Allowed: {ALLOWED_NAMES}", self.col(node))
        if node.keywords:
            raise FormulaError(f"Keyword arguments are not allowed in {fname}(...)", self.col(node))
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError("'*' unpacking is not allowed", self.col(node))
        fn, lo, hi = FUNCTIONS[fname]
        if not lo <= len(node.args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise FormulaError(f"{fname}() takes {want} argument{'s' if hi > 1 else ''}, "
                               f"got {len(node.args)}", self.col(node))
        args = [self.build(a) for a in node.args]
        return self.checked(fn(*args), node)

    def checked(self, expr: sp.Expr, node: ast.AST) -> sp.Expr:
        """Refuse results holding constants too large for floats or huge merged powers."""
        for n in expr.atoms(sp.Number):
            if _log10_abs(n) > MAX_LOG10_CONSTANT:
                raise FormulaError("The formula makes numbers too large to handle", self.col(node))
        for p in expr.atoms(sp.Pow):
            if p.exp.is_Number and abs(float(p.exp)) > MAX_COMBINED_EXPONENT:
                raise FormulaError(f"The combined power is too large (at most {MAX_COMBINED_EXPONENT})",
                                   self.col(node))
        return expr


def parse_formula(text: str) -> sp.Expr:
    """The SymPy expression of a formula in ``x`` and ``y``; ``FormulaError`` when it is not allowed.

    Parses with ``ast.parse`` (no compiling, no evaluating), then builds SymPy from a whitelist
    of node types. The result depends on ``x`` or ``y`` and holds only real, finite constants.
    """
    source, cols = _prepare(text)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        offset = None if exc.offset is None else exc.offset - 1
        raise FormulaError(f"Syntax error: {exc.msg}", _column(cols, offset)) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("The formula is nested too deeply") from None
    _check_shape(tree, cols)
    try:
        expr = _Builder(cols).build(tree)
    except FormulaError:
        raise
    except (RecursionError, MemoryError, OverflowError, ArithmeticError) as exc:
        raise FormulaError(f"The formula cannot be built: {type(exc).__name__}") from None
    _check_expression(expr, "The formula")
    if not expr.free_symbols & {X, Y}:
        raise FormulaError("The formula does not depend on x or y")
    return expr


def _check_expression(expr: sp.Expr, what: str) -> None:
    """Refuse complex constants, infinities, undefined values and anything NumPy can't compute."""
    if expr.has(sp.I):
        raise FormulaError(f"{what} has complex values (e.g. sqrt or log of a negative number)")
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise FormulaError(f"{what} is infinite or undefined (e.g. a division by zero)")
    if expr.free_symbols - {X, Y}:
        raise FormulaError(f"{what} has unknown symbols")
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Function | sp.Derivative | sp.Subs) and not isinstance(node, _ALLOWED_FUNCS):
            raise FormulaError(f"{what} contains {type(node).__name__}, which cannot be computed here")


# --- differentiate and compile ------------------------------------------------------------------
def _size(expr: sp.Expr, cap: int) -> int:
    """Number of nodes of ``expr``'s tree, counting at most ``cap + 1``."""
    return sum(1 for _ in itertools.islice(sp.preorder_traversal(expr), cap + 1))


def _drop_dirac(expr: sp.Expr) -> sp.Expr:
    """Derivatives of kinks (Heaviside, sign) are Dirac deltas: zero almost everywhere."""
    if expr.has(sp.DiracDelta):
        expr = expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)
    return expr


def _real(v: object) -> Array:
    """Float array of ``v``; complex entries (Python's ``(-2.0) ** 0.5``) become NaN unless real."""
    a = np.asarray(v)
    if np.iscomplexobj(a):
        return np.where(a.imag == 0, a.real, np.nan)
    return a.astype(float, copy=False)


@dataclass(frozen=True, eq=False)
class CompiledFormula:
    """A parsed formula with its gradient and Hessian compiled to vectorized NumPy functions.

    ``value(p) (...)``, ``grad(p) (..., 2)``, ``hessian(p) (..., 2, 2)`` for points ``p (..., 2)``.
    Points outside the function's domain give NaN or inf (never a NumPy warning).
    """

    text: str
    expr: sp.Expr
    grad_exprs: tuple[sp.Expr, sp.Expr]
    hess_exprs: tuple[sp.Expr, sp.Expr, sp.Expr]  # xx, xy, yy
    _f: Callable
    _g: Callable
    _h: Callable

    @classmethod
    def _call(cls, fn: Callable, p: Array, n: int) -> list[Array]:
        """``n`` outputs of ``fn`` at points ``p (..., 2)``, each of shape ``p.shape[:-1]``. Float
        overflow in Python-scalar constants gives NaN everywhere (the compile-time probe refuses
        such formulas, so this is only a safety net)."""
        p = np.asarray(p, dtype=float)
        shape = p.shape[:-1]
        with np.errstate(all="ignore"):
            try:
                out = fn(p[..., 0], p[..., 1])
            except ArithmeticError:
                return [np.full(shape, np.nan) for _ in range(n)]
            outs = [out] if n == 1 else list(out)
            return [np.array(np.broadcast_to(_real(v), shape), dtype=float) for v in outs]

    def value(self, p: Array) -> Array:
        return self._call(self._f, p, 1)[0]

    def grad(self, p: Array) -> Array:
        return stack(*self._call(self._g, p, 2))

    def hessian(self, p: Array) -> Array:
        return hessian_from(*self._call(self._h, p, 3))

    @property
    def latex(self) -> str:
        return sp.latex(self.expr)


def _floats_for_big_numbers(expr: sp.Expr) -> sp.Expr:
    """Integers and fractions beyond float precision become SymPy Floats, so the generated code
    never hands NumPy a Python int it cannot convert (``numpy.sqrt(10**30)`` fails)."""
    big = {n: sp.Float(n) for n in expr.atoms(sp.Rational) if max(abs(int(n.p)), int(n.q)) > 2**53}
    return expr.xreplace(big) if big else expr


def _lambdify(exprs: sp.Expr | list[sp.Expr]) -> Callable:
    exprs = [_floats_for_big_numbers(e) for e in exprs] if isinstance(exprs, list) else _floats_for_big_numbers(exprs)
    return sp.lambdify((X, Y), exprs, modules=[_NUMPY_EXTRA, "numpy"], cse=True)


@functools.lru_cache(maxsize=128)
def compile_formula(text: str) -> CompiledFormula:
    """Parse, differentiate and compile a formula (cached by its text); ``FormulaError`` if refused.

    The whole work is bounded by ``TIME_LIMIT`` seconds, checked between stages; the size limits
    keep each stage small.
    """
    t0 = time.perf_counter()

    def check_time(stage: str) -> None:
        if time.perf_counter() - t0 > TIME_LIMIT:
            raise FormulaError(f"The formula is too complex: {stage} took longer than {TIME_LIMIT:g} s")

    expr = parse_formula(text)
    check_time("parsing")
    expr = expr.replace(sp.Abs, RealAbs).replace(sp.sign, RealSign)
    grad = tuple(_drop_dirac(sp.diff(expr, v)) for v in (X, Y))
    if sum(_size(g, MAX_GRAD_SIZE) for g in grad) > MAX_GRAD_SIZE:
        raise FormulaError("The formula is too complex to differentiate (its gradient is too large)")
    check_time("differentiating")
    hess = []
    budget = MAX_HESS_SIZE
    for g, v in ((grad[0], X), (grad[0], Y), (grad[1], Y)):
        h = _drop_dirac(sp.diff(g, v))
        budget -= _size(h, budget)
        if budget < 0:
            raise FormulaError("The formula is too complex to differentiate (its Hessian is too large)")
        check_time("differentiating")
        hess.append(h)
    for e, what in ((expr, "The formula"), *((g, "The gradient") for g in grad),
                    *((h, "The Hessian") for h in hess)):
        _check_expression(e, what)
    f, g, h = _lambdify(expr), _lambdify(list(grad)), _lambdify(hess)
    probe = np.array([0.5, 0.25])  # constant subexpressions run as Python floats: catch overflow once
    with np.errstate(all="ignore"):
        for fn in (f, g, h):
            try:
                out = fn(probe, probe[::-1])
            except Exception as exc:  # any failure of generated code means "refuse"
                raise FormulaError(f"The formula cannot be computed: {type(exc).__name__} in a constant "
                                   "(numbers too large?)") from None
            if any(np.iscomplexobj(v) for v in (out if isinstance(out, list) else [out])):
                raise FormulaError("The formula has complex values (e.g. a negative number to a "
                                   "fractional power)")
    check_time("compiling")
    return CompiledFormula(text, expr, grad, (hess[0], hess[1], hess[2]), f, g, h)


# --- the landscape ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Analysis:
    minima: tuple[CriticalPoint, ...]
    saddles: tuple[CriticalPoint, ...]
    starts: tuple[tuple[float, float], ...]
    unbounded_below: bool
    log_levels: bool


def _check_window_values(c: CompiledFormula, win: Window, n: int = 64) -> None:
    """Refuse a formula that has no finite real value (with a finite gradient) in the window."""
    _, _, P = win.grid(n)
    ok = np.isfinite(c.value(P)) & np.isfinite(c.grad(P)).all(axis=-1)
    if not ok.any():
        raise FormulaError("The formula has no finite real value anywhere in the window "
                           f"[{win.xmin:g}, {win.xmax:g}] x [{win.ymin:g}, {win.ymax:g}] "
                           "(e.g. sqrt or log of a negative number, or an overflow)")


def _eig2(H: Array) -> tuple[Array, Array]:
    """Smallest and largest eigenvalues of symmetric 2x2 matrices ``(..., 2, 2)``."""
    a, b, d = H[..., 0, 0], H[..., 0, 1], H[..., 1, 1]
    mid, rad = 0.5 * (a + d), np.hypot(0.5 * (a - d), b)
    return mid - rad, mid + rad


def _solve2(H: Array, g: Array, shift: Array) -> Array:
    """``(H + shift I)^-1 g`` for ``H (n, 2, 2)``, ``g (n, 2)``, ``shift (n,)``."""
    a, b, d = H[:, 0, 0] + shift, H[:, 0, 1], H[:, 1, 1] + shift
    det = a * d - b * b
    return stack((d * g[:, 0] - b * g[:, 1]) / det, (a * g[:, 1] - b * g[:, 0]) / det)


def _clip(step: Array, radius: Array) -> Array:
    """Steps ``(n, 2)`` with each coordinate clipped to ``[-radius, radius]`` (``radius (n,)``): a box
    trust region, so a huge step along a kink does not freeze the other coordinate."""
    return np.clip(step, -radius[:, None], radius[:, None])


def _grid_local_minima(F: Array) -> Array:
    """Mask of interior cells of ``F (ny, nx)`` strictly below all 8 neighbours (NaN never wins)."""
    Fc = np.where(np.isfinite(F), F, np.inf)
    c = Fc[1:-1, 1:-1]
    mask = np.isfinite(c)
    ny, nx = F.shape
    for dy, dx in itertools.product((-1, 0, 1), repeat=2):
        if dy or dx:
            mask &= c < Fc[1 + dy:ny - 1 + dy, 1 + dx:nx - 1 + dx]
    out = np.zeros(F.shape, dtype=bool)
    out[1:-1, 1:-1] = mask
    return out


def _dedupe(P: Array, f: Array, tol: float, cap: int) -> list[int]:
    """Indices of points ``P (n, 2)`` by increasing ``f``, skipping any within ``tol`` of a kept one."""
    kept: list[int] = []
    for i in np.argsort(f, kind="stable"):
        if all(np.hypot(*(P[i] - P[j])) > tol for j in kept):
            kept.append(int(i))
            if len(kept) == cap:
                break
    return kept


def _refine_minima(c: CompiledFormula, P: Array, radius: float, iters: int = 60) -> Array:
    """Damped Newton descent from ``P (n, 2)``: Levenberg-shifted Newton steps inside a trust radius
    that doubles on success and shrinks on failure; only steps that do not raise f are taken."""
    n = P.shape[0]
    f = c.value(P)
    r = np.full(n, radius)
    with np.errstate(all="ignore"):
        for _ in range(iters):
            g, H = c.grad(P), c.hessian(P)
            lo, hi = _eig2(H)
            shift = np.maximum(0.0, -lo) + 1e-9 * (np.abs(hi) + 1e-12)
            step = -_solve2(H, g, shift)
            bad = ~np.isfinite(step).all(axis=1)
            step[bad] = -g[bad]
            step = _clip(np.where(np.isfinite(step), step, 0.0), r)
            Pn = P + step
            fn = c.value(Pn)
            ok = np.isfinite(fn) & (fn <= f + 1e-13 * (1.0 + np.abs(f)))
            P = np.where(ok[:, None], Pn, P)
            f = np.where(ok, fn, f)
            r = np.where(ok, np.minimum(2.0 * r, 64.0 * radius), 0.25 * r)
    return P


def _refine_saddles(c: CompiledFormula, P: Array, radius: float, iters: int = 40) -> Array:
    """Plain Newton steps on ``grad f = 0`` (step length at most ``radius``) from ``P (n, 2)``."""
    with np.errstate(all="ignore"):
        for _ in range(iters):
            step = -_solve2(c.hessian(P), c.grad(P), np.zeros(P.shape[0]))
            P = P + _clip(np.where(np.isfinite(step), step, 0.0), np.full(P.shape[0], radius))
    return P


def _critical(c: CompiledFormula, P: Array, win: Window, gtol: float, want_min: bool) -> Array:
    """Mask of points ``P (n, 2)`` that are stationary minima (or saddles) inside ``win``."""
    g, H = c.grad(P), c.hessian(P)
    lo, hi = _eig2(H)
    scale = np.abs(lo) + np.abs(hi) + 1e-12
    ok = win.contains(P) & np.isfinite(c.value(P)) & (np.hypot(g[:, 0], g[:, 1]) <= gtol)
    if want_min:
        return ok & (lo >= -1e-6 * scale)
    return ok & (lo < -1e-6 * scale) & (hi > 1e-6 * scale)


def _kink_minimum(c: CompiledFormula, P: Array, win: Window, delta: float) -> Array:
    """Mask of points ``P (n, 2)`` inside ``win`` not above f at 8 points ``delta`` around them and
    below their mean: minima at kinks (``abs``, ``min``, ``max``) where the gradient is not zero."""
    angles = np.arange(8) * (np.pi / 4)
    ring = P[:, None, :] + delta * np.stack([np.cos(angles), np.sin(angles)], axis=-1)  # (n, 8, 2)
    f, fr = c.value(P), c.value(ring)
    return win.contains(P) & np.isfinite(f) & np.all(fr >= f[:, None], axis=1) & (fr.mean(axis=1) > f)


def _points(c: CompiledFormula, P: Array, keep: list[int]) -> tuple[CriticalPoint, ...]:
    v = c.value(P)
    return tuple(CriticalPoint(float(P[i, 0]), float(P[i, 1]), float(v[i])) for i in keep)


@functools.lru_cache(maxsize=64)
def _analyze(text: str, bounds: tuple[float, float, float, float]) -> _Analysis:
    """Approximate minima and saddles (grid search + Newton refinement), starts and display hints."""
    with np.errstate(all="ignore"):
        return _analyze_now(compile_formula(text), Window(*bounds))


def _analyze_now(c: CompiledFormula, win: Window, n: int = 200, cap: int = 10) -> _Analysis:
    _, _, grid = win.grid(n)
    F = c.value(grid)
    G = c.grad(grid)
    spacing = max(win.width, win.height) / (n - 1)
    gnorm = np.hypot(G[..., 0], G[..., 1])
    finite_g = gnorm[np.isfinite(gnorm)]
    gtol = 1e-6 * max(1.0, float(np.median(finite_g)) if finite_g.size else 1.0)
    dtol = 1e-4 * math.hypot(win.width, win.height)

    def best(mask: Array, by: Array, limit: int = 100) -> Array:
        idx = np.flatnonzero(mask.ravel())
        idx = idx[np.argsort(by.ravel()[idx], kind="stable")[:limit]]
        return grid.reshape(-1, 2)[idx]

    P = _refine_minima(c, best(_grid_local_minima(F), F), spacing)
    P = P[_critical(c, P, win, gtol, want_min=True) | _kink_minimum(c, P, win, 1e-6 * spacing)]
    minima = _points(c, P, _dedupe(P, c.value(P), dtol, cap))

    H = c.hessian(grid)
    lo, hi = _eig2(H)
    S = _refine_saddles(c, best(_grid_local_minima(gnorm) & (lo < 0) & (hi > 0), gnorm), spacing)
    S = S[_critical(c, S, win, gtol, want_min=False)]
    saddles = _points(c, S, _dedupe(S, c.value(S), dtol, cap))

    fr = ((0.15, 0.85), (0.85, 0.15), (0.85, 0.85), (0.15, 0.15), (0.5, 0.9), (0.5, 0.1))
    cand = np.array([[win.xmin + a * win.width, win.ymin + b * win.height] for a, b in fr])
    good = np.isfinite(c.value(cand)) & np.isfinite(c.grad(cand)).all(axis=1)
    if not good.any():  # fall back to the highest finite grid point
        flat = np.where(np.isfinite(F) & np.isfinite(G).all(axis=-1), F, -np.inf).ravel()
        cand, good = grid.reshape(-1, 2)[[int(np.argmax(flat))]], np.ones(1, dtype=bool)
    starts = tuple((float(f"{px:.6g}"), float(f"{py:.6g}")) for px, py in cand[good][:2])

    finite = np.isfinite(F)
    Ff = F[finite]
    border = np.zeros(F.shape, dtype=bool)
    border[[0, -1], :] = border[:, [0, -1]] = True
    unbounded = bool(Ff.size and border[finite][np.argmin(Ff)] and not minima)
    lo_f, q01, hi_f = (float(q) for q in np.quantile(Ff, [0.0, 0.01, 1.0])) if Ff.size else (0.0, 0.0, 0.0)
    log_levels = bool(lo_f >= 0.0 and q01 > lo_f and (hi_f - lo_f) > 1000.0 * (q01 - lo_f))
    return _Analysis(minima, saddles, starts, unbounded, log_levels)


@functools.lru_cache(maxsize=128)
def _validate(text: str, bounds: tuple[float, float, float, float]) -> None:
    _check_window_values(compile_formula(text), Window(*bounds))


@dataclass(frozen=True)
class CustomLandscape(Landscape):
    """A function typed by the user (``expression``, see the module docstring for the grammar),
    viewed over ``[xmin, xmax] x [ymin, ymax]``. Gradient and Hessian are exact (symbolic);
    minima and saddles are found numerically over the window (approximate, at most 10 each)."""

    expression: str = DEFAULT_FORMULA
    xmin: float = -3.0
    xmax: float = 3.0
    ymin: float = -3.0
    ymax: float = 3.0

    key = "custom"
    title = "Custom"
    lesson = "Your own function."
    default_window = Window(-3.0, 3.0, -3.0, 3.0)
    param_bounds = {name: (-WINDOW_LIMIT, WINDOW_LIMIT) for name in ("xmin", "xmax", "ymin", "ymax")}
    param_help = {"xmin": "left edge of the view", "xmax": "right edge of the view",
                  "ymin": "bottom edge of the view", "ymax": "top edge of the view"}

    def __post_init__(self) -> None:
        if not isinstance(self.expression, str):
            raise FormulaError(f"The formula must be text, not {type(self.expression).__name__}")
        super().__post_init__()
        Window(*self.bounds)  # ValueError unless finite and ordered
        _validate(self.expression, self.bounds)  # FormulaError

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (float(self.xmin), float(self.xmax), float(self.ymin), float(self.ymax))

    @property
    def compiled(self) -> CompiledFormula:
        return compile_formula(self.expression)

    @property
    def formula(self) -> str:  # type: ignore[override]
        """LaTeX of the parsed expression (not the typed text)."""
        return "f(x, y) = " + self.compiled.latex

    def value(self, p: Array) -> Array:
        return self.compiled.value(p)

    def grad(self, p: Array) -> Array:
        return self.compiled.grad(p)

    def hessian(self, p: Array) -> Array:
        return self.compiled.hessian(p)

    @property
    def window(self) -> Window:
        return Window(*self.bounds)

    def _analysis(self) -> _Analysis:
        return _analyze(self.expression, self.bounds)

    @property
    def starts(self) -> tuple[tuple[float, float], ...]:
        return self._analysis().starts

    def minima(self) -> tuple[CriticalPoint, ...]:
        return self._analysis().minima

    def saddles(self) -> tuple[CriticalPoint, ...]:
        return self._analysis().saddles

    @property
    def unbounded_below(self) -> bool:  # type: ignore[override]
        """Heuristic: the lowest grid value is on the window's edge and no minimum was found."""
        return self._analysis().unbounded_below

    @property
    def log_levels(self) -> bool:  # type: ignore[override]
        """Heuristic: nonnegative values spanning over three decades above the lowest 1% (Rosenbrock)."""
        return self._analysis().log_levels


def make_custom(formula: str, window: tuple[float, float, float, float] = (-3.0, 3.0, -3.0, 3.0)
                ) -> CustomLandscape:
    """A validated ``CustomLandscape``; ``FormulaError`` for a refused formula, ``ValueError`` for a
    bad window."""
    if len(window) != 4:
        raise ValueError(f"Invalid window: {window!r} (need xmin, xmax, ymin, ymax)")
    xmin, xmax, ymin, ymax = (float(v) for v in window)
    return CustomLandscape(formula, xmin, xmax, ymin, ymax)


CUSTOM_KEY = "custom"
DEFAULT_FORMULA = "sin(x)*cos(y) + 0.1*(x**2 + y**2)"


def resolve(name: str, formula: str = "", window: tuple[float, float, float, float] | None = None) -> Landscape:
    """A built-in landscape by name, or (``name == "custom"``) the typed ``formula`` over
    ``window`` (default -3..3). Raises ``FormulaError`` / ``ValueError`` / ``UnknownLandscapeError``."""
    if name == CUSTOM_KEY:
        return make_custom(formula or DEFAULT_FORMULA, window=window or (-3.0, 3.0, -3.0, 3.0))
    from landscapes.registry import get

    return get(name)


def landscape_problems(name: str, formula: str, known: tuple[str, ...]) -> list[str]:
    """Why ``name`` (and, for "custom", ``formula``) cannot be used: empty when it can."""
    if name not in known:
        return [f"Unknown landscape {name!r}."]
    try:
        resolve(name, formula)
    except ValueError as exc:  # FormulaError says why and where
        return [f"Formula: {exc}"]
    return []
