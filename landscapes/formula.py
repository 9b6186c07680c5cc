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

from landscapes.base import Array, hessian_from, stack
from landscapes.formula_functions import NUMPY_EXTRA, RealAbs, RealMax, RealMin, RealSign, RealStep
from landscapes.formula_numbers import constant_failure, size_problem

MAX_LENGTH = 500  # characters of formula text
MAX_NODES = 200  # expression nodes in the parsed tree
MAX_DEPTH = 30  # nesting depth of the parsed tree
MAX_EXPONENT = 10  # |n| for a constant exponent n
MAX_COMBINED_EXPONENT = 1000  # |n| for x**n after SymPy merges powers of powers
MAX_LITERAL = 1e12  # |number| typed in the formula
MAX_GRAD_SIZE = 1000  # SymPy tree nodes in the gradient (bounds the Hessian's cost)
MAX_HESS_SIZE = 6000  # SymPy tree nodes in the Hessian
TIME_LIMIT = 2.0  # seconds for parse + differentiate + compile
DEFAULT_FORMULA = "sin(x)*cos(y) + 0.1*(x**2 + y**2)"

X, Y = sp.symbols("x y", real=True)


class FormulaError(ValueError):
    """A formula that cannot be used, with the reason; ``column`` (1-based) when known."""

    def __init__(self, reason: str, column: int | None = None) -> None:
        super().__init__(reason if column is None else f"{reason} (at column {column})")
        self.reason = reason
        self.column = column


# name -> (SymPy constructor, min args, max args)
FUNCTIONS: dict[str, tuple[Callable[..., sp.Expr], int, int]] = {
    "sin": (sp.sin, 1, 1),
    "cos": (sp.cos, 1, 1),
    "tan": (sp.tan, 1, 1),
    "asin": (sp.asin, 1, 1),
    "acos": (sp.acos, 1, 1),
    "atan": (sp.atan, 1, 1),
    "atan2": (sp.atan2, 2, 2),
    "sinh": (sp.sinh, 1, 1),
    "cosh": (sp.cosh, 1, 1),
    "tanh": (sp.tanh, 1, 1),
    "exp": (sp.exp, 1, 1),
    "log": (sp.log, 1, 1),
    "ln": (sp.log, 1, 1),
    "sqrt": (sp.sqrt, 1, 1),
    "abs": (RealAbs, 1, 1),
    "min": (RealMin, 2, 8),
    "max": (RealMax, 2, 8),
}
VARIABLES = {"x": X, "y": Y}
CONSTANTS = {"pi": sp.pi, "e": sp.E}
ALLOWED_NAMES = "variables x, y; constants pi, e; functions " + ", ".join(sorted(FUNCTIONS))
# SymPy function classes allowed in the final expressions and their derivatives.
_ALLOWED_FUNCS = (
    sp.sin,
    sp.cos,
    sp.tan,
    sp.cot,
    sp.sec,
    sp.csc,
    sp.asin,
    sp.acos,
    sp.atan,
    sp.atan2,
    sp.sinh,
    sp.cosh,
    sp.tanh,
    sp.exp,
    sp.log,
    sp.Min,
    sp.Max,
    sp.Heaviside,
    sp.sign,
    sp.Abs,
    RealAbs,
    RealSign,
    RealStep,
    RealMax,
    RealMin,
)
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_REFUSED_OPERATORS = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.Not: "not",
    ast.BitXor: "^",
}
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
                f"digits and + - * / ^ ( ) , .",
                i + 1,
            )
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
                raise FormulaError(
                    f"The formula is nested too deeply (more than {MAX_DEPTH} levels)",
                    _column(cols, getattr(node, "col_offset", None)),
                )
        stack_.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


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
        if abs(v) > MAX_LITERAL or not math.isfinite(v):  # in this order: a 400-digit int is no float
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
            raise FormulaError(
                f"The exponent {exponent} is too large (constant exponents at most {MAX_EXPONENT} in size)",
                self.col(node.right),
            )
        if base.is_zero and exponent.is_negative:
            raise FormulaError("Division by zero (0 to a negative power)", self.col(node.right))
        for n in base.atoms(sp.Number):
            problem = size_problem(n, float(exponent))
            if problem:
                raise FormulaError(problem, self.col(node))
        for p in base.atoms(sp.Pow):
            if p.exp.is_Number and abs(float(p.exp)) * e > MAX_COMBINED_EXPONENT:
                raise FormulaError(f"The combined power is too large (at most {MAX_COMBINED_EXPONENT})", self.col(node))

    def call(self, node: ast.Call) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise FormulaError(
                "Only the listed functions can be called, by name: " + ", ".join(sorted(FUNCTIONS)), self.col(node)
            )
        fname = node.func.id
        if fname not in FUNCTIONS:
            if fname in VARIABLES or fname in CONSTANTS:
                raise FormulaError(f"'{fname}' is not a function: write {fname}*(...) to multiply", self.col(node))
            shown = fname if len(fname) <= 30 else fname[:30] + "..."
            raise FormulaError(f"Unknown function '{shown}'. Allowed: {ALLOWED_NAMES}", self.col(node))
        if node.keywords:
            raise FormulaError(f"Keyword arguments are not allowed in {fname}(...)", self.col(node))
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError("'*' unpacking is not allowed", self.col(node))
        fn, lo, hi = FUNCTIONS[fname]
        if not lo <= len(node.args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise FormulaError(
                f"{fname}() takes {want} argument{'s' if hi > 1 else ''}, got {len(node.args)}", self.col(node)
            )
        args = [self.checked(self.build(a), a) for a in node.args]  # before SymPy works on them
        return self.checked(fn(*args), node)

    def checked(self, expr: sp.Expr, node: ast.AST) -> sp.Expr:
        """Refuse, as soon as a node makes them, complex or undefined values (SymPy can spend minutes
        on a function of complex constants, e.g. ``atan2(acos(12), acos(12))``), constants too large or too
        small for floats and huge merged powers."""
        # a constant is judged by what SymPy knows of it (acos(12) stays unevaluated, but is not real);
        # never by evaluating it, which can take minutes (pi**pi**pi**pi**pi)
        not_real = not expr.free_symbols and expr.is_extended_real is False
        if expr.has(sp.I) or not_real:
            raise FormulaError("The formula has complex values (e.g. sqrt or log of a negative number)", self.col(node))
        if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
            raise FormulaError("The formula is infinite or undefined (e.g. a division by zero)", self.col(node))
        for n in expr.atoms(sp.Number):
            problem = size_problem(n)
            if problem:
                raise FormulaError(problem, self.col(node))
        for p in expr.atoms(sp.Pow):
            if p.exp.is_Number and abs(float(p.exp)) > MAX_COMBINED_EXPONENT:
                raise FormulaError(f"The combined power is too large (at most {MAX_COMBINED_EXPONENT})", self.col(node))
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
    return sp.lambdify((X, Y), exprs, modules=[NUMPY_EXTRA, "numpy"], cse=True)


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
    for e, what in ((expr, "The formula"), *((g, "The gradient") for g in grad), *((h, "The Hessian") for h in hess)):
        _check_expression(e, what)
    f, g, h = _lambdify(expr), _lambdify(list(grad)), _lambdify(hess)
    probe = np.array([0.5, 0.25])  # constant subexpressions run as Python floats: catch overflow once
    with np.errstate(all="ignore"):
        for fn in (f, g, h):
            try:
                out = fn(probe, probe[::-1])
            except Exception as exc:  # any failure of generated code means "refuse"
                raise FormulaError(f"The formula cannot be computed: {constant_failure(exc)}") from None
            if any(np.iscomplexobj(v) for v in (out if isinstance(out, list) else [out])):
                raise FormulaError("The formula has complex values (e.g. a negative number to a fractional power)")
    check_time("compiling")
    return CompiledFormula(text, expr, grad, (hess[0], hess[1], hess[2]), f, g, h)
