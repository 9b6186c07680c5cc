"""What the core asks of a landscape, declared once as a ``typing.Protocol``.

The runner, the ``Oracle`` and the figure builders take any object with these members (they use
no others); ``landscapes.base.Landscape`` provides them for every registered landscape and the
typed formula. Points have coordinates on the last axis, shape ``(..., 2)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from landscapes.base import Array, CriticalPoint, Window


@runtime_checkable
class LandscapeLike(Protocol):
    """A 2D function with analytic derivatives and the metadata the runner and figures read.

    Read-only members may be class attributes or properties.
    """

    @property
    def key(self) -> str:
        """Registry key (the figures' ``uirevision``); ``""`` for a landscape never registered."""
        ...

    @property
    def title(self) -> str:
        """Display name."""
        ...

    @property
    def latex(self) -> str:
        """The function in LaTeX, without surrounding ``$``."""
        ...

    @property
    def window(self) -> Window:
        """The view rectangle; runs far outside it have diverged."""
        ...

    @property
    def starts(self) -> tuple[tuple[float, float], ...]:
        """Suggested start points."""
        ...

    @property
    def axis_names(self) -> tuple[str, str]:
        """The two parameters' names, the plane's axis titles: ``("x", "y")``, or a model's (``w``, ``b``)."""
        ...

    @property
    def unbounded_below(self) -> bool:
        """Runs that leave the window are stopped as "left window" rather than run on."""
        ...

    @property
    def log_levels(self) -> bool:
        """Contour levels spaced logarithmically."""
        ...

    def value(self, p: Array) -> Array:
        """f(p): shape ``p.shape[:-1]``."""
        ...

    def grad(self, p: Array) -> Array:
        """∇f(p): shape ``p.shape``."""
        ...

    def hessian(self, p: Array) -> Array:
        """∇²f(p): shape ``p.shape + (2,)``."""
        ...

    def minima(self) -> Sequence[CriticalPoint]:
        """Known minima, best first (the runner's convergence and nearest-minimum targets)."""
        ...

    def saddles(self) -> Sequence[CriticalPoint]:
        """Known saddle points (a run stopped on one has stalled)."""
        ...
