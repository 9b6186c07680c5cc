"""Stop work nobody waits for: the runner calls ``checkpoint()`` between steps, and whoever started
the work may install a check that raises to abandon it (the page's session has gone, its user asked
for another rerun, or the work has used more CPU than a page may).

The check is held in a ``contextvars.ContextVar``, so it belongs to the thread (a Streamlit
session's script thread) that installed it, and code in between (the lesson pages' numerics) needs
no extra argument. Without a check, ``checkpoint()`` does nothing: the core, the command line and
the tests run as before.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Callable, Iterator

CHECK_EVERY = 8  # runner steps between checkpoints

_CHECK: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar("work_check", default=None)


class WorkLimitError(RuntimeError):
    """Work abandoned because it used more CPU time than it may."""


def checkpoint() -> None:
    """Run the installed check, if any (it raises to abandon the work)."""
    check = _CHECK.get()
    if check is not None:
        check()


@contextlib.contextmanager
def watching(*checks: Callable[[], None]) -> Iterator[None]:
    """Within the block, ``checkpoint()`` runs every one of ``checks`` in order (``None`` entries
    are skipped); nested blocks replace the outer checks until they end."""
    active = [c for c in checks if c is not None]

    def run_all() -> None:
        for c in active:
            c()

    token = _CHECK.set(run_all if active else None)
    try:
        yield
    finally:
        _CHECK.reset(token)


def cpu_limit(seconds: float, what: str = "This computation") -> Callable[[], None]:
    """A check that raises ``WorkLimitError`` once this thread has used ``seconds`` of CPU time
    since the check was made (``time.thread_time``: other threads' work does not count)."""
    start = time.thread_time()

    def check() -> None:
        used = time.thread_time() - start
        if used > seconds:
            raise WorkLimitError(
                f"{what} was stopped after {used:.1f} s of computing (at most {seconds:g} s per page on a shared "
                "server). Use fewer steps, runs or start points."
            )

    return check
