"""Stores for the classroom tests: a fresh SQLite file, and a fresh schema on the real PostgreSQL
server (``CLASSROOM_TEST_PG``, default the one ``.ci/run`` starts), dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from classroom.store import Store

PG_URL = os.environ.get("CLASSROOM_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


class Clock:
    """A settable clock (Unix seconds)."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@contextmanager
def store_factory(backend: str, tmp_path: Path, clock: Callable[[], float]) -> Iterator[Callable[[], Store]]:
    """A function making stores on one fresh database (each call: a new engine, as after a restart
    of the app); everything is dropped afterwards."""
    made: list[Store] = []
    if backend == "sqlite":
        url, schema = f"sqlite:///{tmp_path / 'classroom.sqlite3'}", None
    else:
        url, schema = PG_URL, f"test_classroom_{os.getpid()}_{uuid.uuid4().hex[:10]}"

    def make() -> Store:
        s = Store(url, schema=schema, clock=clock)
        made.append(s)
        return s

    try:
        yield make
    finally:
        if made:
            made[-1].drop()
        for s in made:
            s.dispose()
