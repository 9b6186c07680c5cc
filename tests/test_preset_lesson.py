"""Presets carry their lesson (issue 12) and a refused scene file keeps the user's scene (defect 3)."""

from __future__ import annotations

import dataclasses

import pytest
import streamlit

from scenes import View
from scenes.codec import read_scene_file, to_json, to_query
from scenes.presets import PRESETS, meaning, preset_by_key, preset_of
from tests.app_support import run_page


def test_a_scene_is_its_preset_until_anything_but_the_view_changes():
    for p in PRESETS:
        assert preset_of(p.scene) is p
        assert preset_of(dataclasses.replace(p.scene, view=View(surface=False, presentation=True))) is p
        assert preset_of(dataclasses.replace(p.scene, steps=p.scene.steps + 1)) is None
        assert preset_of(dataclasses.replace(p.scene, runs=p.scene.runs[:-1])) is None


def test_a_preset_link_shows_its_lesson_and_a_change_makes_the_scene_your_own():
    preset = preset_by_key("nesterov_overshoot")
    at = run_page(query=to_query(preset.scene))
    assert not at.exception
    assert at.selectbox(key="preset_key").value == preset.key
    lesson = " ".join(i.value for i in at.info)
    assert preset.title in lesson and preset.caption.split("\n")[0] in lesson
    at.number_input(key="steps").set_value(preset.scene.steps - 50).run()
    assert not at.exception
    box = at.selectbox(key="preset_key")
    assert box.value == "" and box.format_func(box.value) == "Your own scene"
    assert not any(preset.title in i.value for i in at.info)


def test_a_presented_preset_heads_the_page_with_its_title_formula_and_explanation():
    preset = preset_by_key("nesterov_overshoot")
    at = run_page(query={**to_query(preset.scene), "present": "1"})
    assert not at.exception
    assert [t.value for t in at.title] == [preset.title]  # the lesson's title, not "Optimizer race"
    assert not at.info  # no separate lesson box: one compact paragraph (the first screen is 720 px)
    text = " ".join(m.value for m in at.markdown)
    assert preset.caption.split("\n")[0] in text
    assert [x.value.strip("$\n") for x in at.latex] == [preset.scene.landscape_obj().latex]


class Upload:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def getvalue(self) -> bytes:
        return self.data


@pytest.mark.parametrize(
    "data, why",
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2, 3]", "not a scene object"),
        (b'{"hello": "world"}', "nothing in it is a scene setting"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_a_refused_scene_file_keeps_the_scene_and_says_why(monkeypatch, data, why):
    from ui import page
    from ui.scene_state import scene_to_state, state_to_scene

    state: dict = {}
    monkeypatch.setattr(streamlit, "session_state", state)
    mine = preset_by_key("adagrad_plateau").scene
    scene_to_state(mine)
    state["scene_upload"] = Upload(data)
    page._load_uploaded_scene()
    assert meaning(state_to_scene(state)[0]) == meaning(mine)
    (message,) = state[page.LINK_WARNINGS]
    assert why in message and "Your scene is unchanged" in message
    # a real scene file is opened, its repairs reported
    state["scene_upload"] = Upload(to_json(dataclasses.replace(PRESETS[0].scene, steps=321)).encode())
    page._load_uploaded_scene()
    assert state_to_scene(state)[0].steps == 321 and state_to_scene(state)[0].landscape == PRESETS[0].scene.landscape


def test_read_scene_file_opens_a_scene_file_with_repairs():
    scene, warnings = read_scene_file(to_json(PRESETS[1].scene))
    assert scene == PRESETS[1].scene and warnings == []
    scene, warnings = read_scene_file('{"landscape": "ravine", "steps": -5}')
    assert scene is not None and scene.landscape == "ravine" and warnings


def test_the_lesson_box_reads_as_sentences():
    """The preset's title and concept are phrases: in the lesson box each ends with a full stop, so
    the box reads "Title. Concept. Explanation." rather than running the concept into the caption."""
    preset = preset_by_key("ravine_momentum")
    assert not preset.concept.endswith(".")  # the case this guards: a concept without its full stop
    at = run_page(query=to_query(preset.scene))
    (box,) = [i.value for i in at.info if preset.title in i.value]
    head, caption = box.split("  \n")
    assert head == f"**{preset.title}.** {preset.concept}."
    assert caption.startswith(preset.caption.split("\n")[0])
