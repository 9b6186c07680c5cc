"""The scene in the page URL: read once per session, written back whenever it changes."""

from __future__ import annotations

import dataclasses

import streamlit as st

from scenes import Scene
from scenes.codec import from_query, to_query
from ui import page
from ui.scene_state import scene_to_state


def query_dict() -> dict[str, str | list[str]]:
    """The current query parameters, repeated keys as lists."""
    out: dict[str, str | list[str]] = {}
    for key in st.query_params:
        values = st.query_params.get_all(key)
        out[key] = values if len(values) > 1 else (values[0] if values else "")
    return out


def load_scene_once() -> None:
    """On a session's first run, put the URL's scene into the widgets' state; a URL with no scene in
    it (``/``, ``/?present=1``) opens ``scenes.presets.WELCOME``, while a key left out of a link
    still means its ``Scene()`` default. A session presenting on another page presents here too."""
    ss = st.session_state
    if ss.get("_scene_loaded"):
        if "steps" not in ss and "_race_scene" in ss:  # back from another page: widget state was dropped
            scene_to_state(ss["_race_scene"])
        return
    query = query_dict()
    if set(query) <= {"v", page.PRESENT_FLAG}:  # no scene in the link: the race that tells a story
        from scenes.presets import WELCOME

        scene, warnings = dataclasses.replace(WELCOME.scene, view=from_query(query)[0].view), []
    else:
        scene, warnings = from_query(query)
    if page.presentation_requested() and not scene.view.presentation:  # presenting on the page before
        scene = dataclasses.replace(scene, view=dataclasses.replace(scene.view, presentation=True))
    scene_to_state(scene)
    page.set_link_warnings(warnings)
    ss["_scene_loaded"] = True


def write_url(scene: Scene) -> None:
    """Keep the URL in sync with the scene (only writes when something changed); remember the
    scene for the next visit to the race page."""
    st.session_state["_race_scene"] = scene
    wanted = to_query(scene)
    if wanted != query_dict():
        st.query_params.from_dict(wanted)
