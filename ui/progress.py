"""A progress bar for long computations that run inside a cached function.

The core reports progress through ``networks.progress`` (a context variable). Streamlit records
every element call made while a ``st.cache_data`` function runs, to replay it on a cache hit; the
bar lives outside the cached function, so its updates are made outside that recording (Streamlit's
own ``in_cached_function`` flag, cleared for the update). On a cache hit nothing reports and the
bar never shows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import streamlit as st

from networks import progress


def _outside_cache_recording(update: Any) -> None:
    try:
        from streamlit.runtime.caching.cached_message_replay import in_cached_function
    except ImportError:  # another Streamlit version: no progress bar rather than a replayed one
        return
    token = in_cached_function.set(False)
    try:
        update()
    finally:
        in_cached_function.reset(token)


@contextlib.contextmanager
def progress_bar() -> Iterator[None]:
    """Within the block, reported progress shows in a bar at this point of the page; the bar is
    removed at the end."""
    slot = st.empty()
    shown: list[float] = []

    def listener(fraction: float, text: str) -> None:
        if shown and fraction - shown[-1] < 0.02 and fraction < 1.0:  # a few dozen updates at most
            return
        shown.append(fraction)
        _outside_cache_recording(lambda: slot.progress(fraction, text=f"{text}… {fraction:.0%}"))

    try:
        with progress.listening(listener):
            yield
    finally:
        if shown:
            slot.empty()
