"""The "open this as a race" link: a lesson's runs (or any scene) one click away on the race page."""

from __future__ import annotations

from typing import Any

import streamlit as st

from scenes import Scene
from scenes.codec import scene_url


def lesson_scene(landscape: str, runs: Any, start: Any, steps: int, *, seed: int | None = None, **fields: Any) -> Scene:
    """The race scene of a lesson's runs: every run of ``runs`` (``RunSpec``s) from the one point
    ``start``; ``seed`` a lesson's base seed (declared like the race's); other scene fields
    (``noise_sigma``, ``tol``, ...) pass through."""
    if seed is not None:
        fields["seed"] = seed
    starts = (tuple(float(v) for v in start),)
    return Scene(landscape=landscape, runs=tuple(runs), starts=starts, steps=steps, **fields)


def open_as_race(
    scene: Scene,
    label: str = "Open these runs as a race",
    *,
    help: str | None = None,
    primary: bool = False,
    show_url: bool = False,
) -> str | None:
    """A button that opens ``scene`` on the race page (and its complete link, host included, as text
    with ``show_url``); nothing when the race would refuse the scene. Returns the link, or ``None``."""
    from ui.page import app_url

    if scene.problems():
        return None
    url = scene_url(scene, base=app_url())
    st.link_button(label, url, help=help, type="primary" if primary else "secondary")
    if show_url:
        st.code(url, language=None, wrap_lines=True)
    return url
