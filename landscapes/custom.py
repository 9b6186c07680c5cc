"""Custom landscapes from a typed formula: ``CustomLandscape`` (exact gradient and Hessian from
``landscapes.formula``, minima and saddles from ``landscapes.critical_points``), ``make_custom``
and ``resolve`` (a built-in landscape by name, or the typed formula).

The parsing is safe: see ``landscapes.formula`` (the text is parsed, never evaluated).
"""

from __future__ import annotations

from dataclasses import dataclass

from landscapes.base import Array, CriticalPoint, Landscape, Window
from landscapes.critical_points import Analysis, analyze, validate
from landscapes.formula import (  # re-exported: the public API of typed formulas
    ALLOWED_NAMES,
    DEFAULT_FORMULA,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    TIME_LIMIT,
    WINDOW_LIMIT,
    CompiledFormula,
    FormulaError,
    compile_formula,
    parse_formula,
)

__all__ = [
    "ALLOWED_NAMES",
    "CUSTOM_KEY",
    "DEFAULT_FORMULA",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "TIME_LIMIT",
    "WINDOW_LIMIT",
    "CompiledFormula",
    "CustomLandscape",
    "FormulaError",
    "compile_formula",
    "landscape_problems",
    "make_custom",
    "parse_formula",
    "resolve",
]


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
    param_help = {
        "xmin": "left edge of the view",
        "xmax": "right edge of the view",
        "ymin": "bottom edge of the view",
        "ymax": "top edge of the view",
    }

    def __post_init__(self) -> None:
        if not isinstance(self.expression, str):
            raise FormulaError(f"The formula must be text, not {type(self.expression).__name__}")
        super().__post_init__()
        Window(*self.bounds)  # ValueError unless finite and ordered
        validate(self.expression, self.bounds)  # FormulaError

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

    def _analysis(self) -> Analysis:
        return analyze(self.expression, self.bounds)

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


def make_custom(formula: str, window: tuple[float, float, float, float] = (-3.0, 3.0, -3.0, 3.0)) -> CustomLandscape:
    """A validated ``CustomLandscape``; ``FormulaError`` for a refused formula, ``ValueError`` for a
    bad window."""
    if len(window) != 4:
        raise ValueError(f"Invalid window: {window!r} (need xmin, xmax, ymin, ymax)")
    xmin, xmax, ymin, ymax = (float(v) for v in window)
    return CustomLandscape(formula, xmin, xmax, ymin, ymax)


CUSTOM_KEY = "custom"


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
