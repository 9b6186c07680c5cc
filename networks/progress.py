"""Progress of long computations, reported to whoever listens (a page's progress bar).

The listener is held in a ``contextvars.ContextVar`` (like ``optimizers.guard``'s check), so the
core reports with ``report(fraction, text)`` and needs no callback argument; without a listener
reporting does nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

Listener = Callable[[float, str], None]
_LISTENER: contextvars.ContextVar[Listener | None] = contextvars.ContextVar("progress", default=None)


def report(fraction: float, text: str = "") -> None:
    """Tell the listener, if any, that ``fraction`` (0 to 1) of the work is done."""
    listener = _LISTENER.get()
    if listener is not None:
        listener(min(max(float(fraction), 0.0), 1.0), text)


@contextlib.contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    """Within the block ``report`` calls ``listener``."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)
