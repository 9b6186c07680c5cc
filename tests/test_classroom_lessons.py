"""Lesson pages in the classroom (AppTest, one store): the teacher pushes a lesson page with its
URL state from that page; a following student is sent there with that state (again at the next
push, though the page has loaded its settings before), can explore on their own (a push then
leaves them be) and come back with one click to the teacher's current push."""

from __future__ import annotations

import pytest
import streamlit as st

from tests.app_support import run_page

EWMA = "pages/4_Exponentially_weighted_averages.py"
SCHEDULES = "pages/6_Learning_rate_schedules.py"


@pytest.fixture
def room(tmp_path, monkeypatch):
    """A room on a fresh SQLite file, with one student (token ``tok-ann``) in it."""
    monkeypatch.setenv("CLASSROOM_DB", str(tmp_path / "room.sqlite3"))
    st.cache_resource.clear()
    from classroom.rooms import Classroom
    from classroom.store import Store

    cr = Classroom(Store())
    made = cr.open_room()
    cr.join(made.room.code, "tok-ann", "Ann")
    yield cr, made
    st.cache_resource.clear()


def _teacher_pushes(made, page: str, query: dict[str, str]):
    teacher = run_page("app.py", state={"_cls_teacher": (made.room.code, made.key)})
    for k, v in query.items():
        teacher.query_params[k] = v
    teacher.switch_page(page).run()
    teacher.button(key="cls_push_here").click().run()
    assert not teacher.exception and not teacher.error
    return teacher


def _beta(at) -> float:
    return at.session_state["ewma.beta"]


def test_a_pushed_lesson_page_with_its_state_is_followed_and_left_and_rejoined(room):
    cr, made = room
    _teacher_pushes(made, EWMA, {"beta": "0.7"})
    stored = cr.store.room(made.room.code)
    assert (stored.version, stored.page, stored.scene) == (1, EWMA, "beta=0.7")

    # a student in the room (here on the race page) is sent to the lesson with the pushed state
    student = run_page("app.py", state={"_cls_student": made.room.code, "_cls_token": "tok-ann"})
    assert not student.exception
    assert student.title[0].value == "Exponentially weighted averages" and _beta(student) == 0.7
    assert any("Following the teacher" in c.value for c in student.caption)

    # the next push of the same page with other state: the page loads it again
    _teacher_pushes(made, EWMA, {"beta": "0.5"})
    student.run()
    assert _beta(student) == 0.5

    # a push of another lesson page sends the student there
    _teacher_pushes(made, SCHEDULES, {"steps": "150"})
    student.run()
    assert not student.exception
    assert student.title[0].value == "Learning-rate schedules"
    assert student.query_params.get("steps") == ["150"] or student.query_params.get("steps") == "150"

    # exploring on one's own: the next push leaves the student where they are
    student.button(key="cls_explore_here").click().run()
    _teacher_pushes(made, EWMA, {"beta": "0.3"})
    student.run()
    assert student.title[0].value == "Learning-rate schedules"
    # one click back: to the teacher's current push, following again
    student.button(key="cls_back").click().run()
    assert student.title[0].value == "Exponentially weighted averages" and _beta(student) == 0.3


def test_a_lesson_push_on_the_classroom_page_of_a_student_who_explores_offers_the_lesson(room):
    cr, made = room
    cr.push(made.room.code, made.key, EWMA, "beta=0.8")
    student = run_page(
        "pages/9_Classroom.py", state={"_cls_student": made.room.code, "_cls_token": "tok-ann", "_cls_follow": False}
    )
    assert not student.exception
    assert any("Exponentially weighted averages" in i.value for i in student.info)
    assert not student.get("plotly_chart")  # no race scene drawn for a lesson push


def test_a_push_to_an_unknown_page_is_shown_as_the_race_scene(room):
    """Only the app's lesson pages are followed: any other page name (a forged push) is not a page
    to switch to, and the Classroom page shows the pushed link as a race scene."""
    cr, made = room
    cr.push(made.room.code, made.key, "../../etc/passwd", "v=1&ls=ravine")
    student = run_page("pages/9_Classroom.py", state={"_cls_student": made.room.code, "_cls_token": "tok-ann"})
    assert not student.exception
    assert "Ravine" in student.get("plotly_chart")[0].proto.spec


def test_the_projector_names_a_pushed_lesson_instead_of_drawing_a_race(room):
    cr, made = room
    cr.push(made.room.code, made.key, EWMA, "beta=0.8")
    teacher = run_page("pages/9_Classroom.py", query={"room": made.room.code, "key": made.key})
    assert not teacher.exception
    assert any("follow the lesson" in i.value and "Exponentially" in i.value for i in teacher.info)
    assert not teacher.get("plotly_chart")
