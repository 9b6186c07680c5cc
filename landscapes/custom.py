"""The user's typed formula as an ordinary registered landscape (key ``"custom"``) with two
parameters, ``formula`` and ``window``: exact gradient and Hessian from ``landscapes.formula``,
minima and saddles from ``landscapes.critical_points``. Build one with
``landscapes.get("custom", formula="x**2 + y**2", window=(-3, 3, -3, 3))``.

The parsing is safe: see ``landscapes.formula`` (the text is parsed, never evaluated).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscapes.base import Array, CriticalPoint, Landscape, Window
from landscapes.critical_points import Analysis, analyze, validate
from landscapes.formula import DEFAULT_FORMULA, MAX_LENGTH, CompiledFormula, FormulaError, compile_formula
from settings import check, hyper, spec_for

WINDOW_LIMIT = 1e4  # |bound| of the view window
DEFAULT_WINDOW = Window(-3.0, 3.0, -3.0, 3.0)
FORMULA_HELP = (
    "Python-like syntax: + - * / ** (or ^), sin cos tan exp log sqrt abs tanh sinh cosh atan atan2 asin acos "
    "min max, pi, e."
)


@dataclass(frozen=True)
class CustomLandscape(Landscape):
    """A function typed by the user (see ``landscapes.formula`` for the grammar), viewed over
    ``window``. Gradient and Hessian are exact (symbolic); minima and saddles are found numerically
    over the window (approximate, at most 10 each). ``window`` may be given as 4 numbers
    ``(xmin, xmax, ymin, ymax)``."""

    formula: str = hyper(DEFAULT_FORMULA, label="f(x, y) =", max_chars=MAX_LENGTH, url="f", help=FORMULA_HELP)
    window: Window = hyper(
        DEFAULT_WINDOW,
        lo=-WINDOW_LIMIT,
        hi=WINDOW_LIMIT,
        label="view window",
        url="win",
        help="xmin, xmax, ymin, ymax of the view",
    )

    key = "custom"
    title = "Custom formula"
    lesson = "Your own function."
    default_window = DEFAULT_WINDOW
    user_defined = True

    def __post_init__(self) -> None:
        if not isinstance(self.formula, str):
            raise FormulaError(f"The formula must be text, not {type(self.formula).__name__}")
        if not isinstance(self.window, Window):
            bounds = tuple(np.asarray(self.window, dtype=float).ravel())
            if len(bounds) != 4:
                raise ValueError(f"Invalid window: {self.window!r} (need xmin, xmax, ymin, ymax)")
            object.__setattr__(self, "window", Window(*(float(v) for v in bounds)))
        check("window", np.array(self.bounds), spec_for(CustomLandscape, "window"))
        validate(self.formula, self.bounds)  # FormulaError

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        w = self.window
        return (float(w.xmin), float(w.xmax), float(w.ymin), float(w.ymax))

    @property
    def compiled(self) -> CompiledFormula:
        return compile_formula(self.formula)

    @property
    def latex(self) -> str:
        """LaTeX of the parsed expression (not the typed text)."""
        return "f(x, y) = " + self.compiled.latex

    def value(self, p: Array) -> Array:
        return self.compiled.value(p)

    def grad(self, p: Array) -> Array:
        return self.compiled.grad(p)

    def hessian(self, p: Array) -> Array:
        return self.compiled.hessian(p)

    def _analysis(self) -> Analysis:
        return analyze(self.formula, self.bounds)

    @property
    def starts(self) -> tuple[tuple[float, float], ...]:
        return self._analysis().starts

    def minima(self) -> tuple[CriticalPoint, ...]:
        return self._analysis().minima

    def saddles(self) -> tuple[CriticalPoint, ...]:
        return self._analysis().saddles

    @property
    def unbounded_below(self) -> bool:
        """Heuristic: the lowest grid value is on the window's edge and no minimum was found."""
        return self._analysis().unbounded_below

    @property
    def log_levels(self) -> bool:
        """Heuristic: nonnegative values spanning over three decades above the lowest 1% (Rosenbrock)."""
        return self._analysis().log_levels
