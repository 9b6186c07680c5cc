"""The Classroom page in AppTest: a teacher and a student, each their own session, on one store:
create, push, set a challenge, join (with a hostile nickname, shown as plain text), submit, and
the teacher's leaderboard holds the server's own score."""

from __future__ import annotations

import pytest
import streamlit as st

from tests.app_support import run_page
from ui.page import plain

PAGE = "pages/9_Classroom.py"
HOSTILE = "<b>**Ann**</b>\u202e[x](javascript:1)"


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("CLASSROOM_DB", str(tmp_path / "room.sqlite3"))
    st.cache_resource.clear()  # the page's store is made once per process: make it on this file
    yield
    st.cache_resource.clear()


def test_teacher_and_student_on_the_classroom_page(db):
    teacher = run_page(PAGE)
    assert not teacher.exception
    teacher.button(key="cls_create").click().run()
    code, key = teacher.query_params["room"], teacher.query_params["key"]
    assert len(code) == 8 and len(key) >= 32
    teacher.text_input(key="cls_push_link").input("http://x/?v=1&ls=quadratic&start=-1.5,2").run()
    teacher.button(key="cls_push_link_btn").click().run()
    teacher.selectbox(key="cls_ch_kind").select("lowest_loss")
    teacher.number_input(key="cls_ch_steps").set_value(50)
    teacher.button(key="cls_ch_set").click().run()
    assert not teacher.exception and not teacher.error

    student = run_page(PAGE, query={"room": code})
    student.text_input(key="cls_nick").input(HOSTILE)
    student.button(key="cls_join_btn").click().run()
    assert not student.exception and not student.error, [e.value for e in student.error]
    intro = next(m.value for m in student.markdown if "you are" in m.value)
    assert "\\<b\\>\\*\\*Ann\\*\\*\\<" in intro and "\u202e" not in intro  # escaped Markdown, no RTL mark
    assert "Quadratic" in student.get("plotly_chart")[0].proto.spec  # the pushed scene
    student.selectbox(key="cls_opt").select("sgd")
    student.number_input(key="cls_lr").set_value(0.1)
    student.number_input(key="cls_mom").set_value(0.0)
    student.button(key="cls_submit").click().run()
    assert not student.exception and not student.error
    assert any("Submitted" in s.value for s in student.success)

    teacher.run()
    table = teacher.table[0].value
    assert list(table["nickname"]) == [plain("<b>**Ann**</b>[x](javasc")]  # cleaned, cut to 24, escaped
    # SGD on (x^2 + y^2)/2 from (-1.5, 2): loss after 50 steps = 0.5 * 6.25 * 0.9^100
    assert table["score (loss)"].iloc[0] == pytest.approx(0.5 * 6.25 * 0.9**100, rel=1e-9)

    other = run_page(PAGE, query={"room": code, "key": key[:-2] + "xx"})  # a forged teacher link
    assert any("not valid" in e.value for e in other.error) and not other.table


def test_the_race_page_pushes_to_the_teachers_room_and_sends_students_back(db):
    from classroom.rooms import Classroom
    from classroom.store import Store

    cr = Classroom(Store())
    made = cr.open_room()
    race = run_page("app.py", query={"v": "1", "ls": "ravine"}, state={"_cls_teacher": (made.room.code, made.key)})
    race.button(key="cls_push_here").click().run()
    assert not race.exception
    room = cr.store.room(made.room.code)
    assert room.version == 1 and "ls=ravine" in room.scene
    plain_race = run_page("app.py")  # not in a room: no classroom button
    assert not [b for b in plain_race.button if b.key in ("cls_push_here", "cls_back")]


def test_an_unreachable_database_gives_a_message_not_a_traceback(monkeypatch):
    monkeypatch.setenv("CLASSROOM_DB", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    st.cache_resource.clear()
    at = run_page(PAGE, query={"room": "ABCD2345"})
    st.cache_resource.clear()
    assert not at.exception
    assert any("database is not available" in e.value for e in at.error)


def _joined_student(code: str):
    student = run_page(PAGE, query={"room": code})
    student.text_input(key="cls_nick").input("Ann")
    student.button(key="cls_join_btn").click().run()
    student.selectbox(key="cls_opt").select("adam")
    student.number_input(key="cls_lr").set_value(0.1)
    return student


@pytest.mark.parametrize("window, shown", [(1e9, (1, 1)), (0.0, (1, 2))])
def test_a_double_clicked_submit_counts_once_and_a_later_one_again(db, monkeypatch, window, shown):
    """Two Submit clicks with the same entry within the double-click window are one submission
    (the second shows the first's result); outside it (window 0) a deliberate resubmission counts;
    a changed entry is always a new one."""
    from classroom.challenges import Challenge
    from classroom.rooms import Classroom
    from classroom.store import Store
    from scenes import Scene
    from ui import classroom_student

    monkeypatch.setattr(classroom_student, "DOUBLE_CLICK", window)
    cr = Classroom(Store())
    made = cr.open_room()
    cr.set_challenge(made.room.code, made.key, Challenge.on(Scene(), kind="lowest_loss", steps=20))
    student = _joined_student(made.room.code)
    for sub_id in shown:
        student.button(key="cls_submit").click().run()
        assert not student.exception and not student.error
        score = cr.store.submissions(made.room.id)[0].score
        assert [s.value for s in student.success] == [plain(f"Submitted #{sub_id}: score {score:g} (still moving).")]
    assert len(cr.store.submissions(made.room.id)) == shown[-1]
    student.number_input(key="cls_lr").set_value(0.2)
    student.button(key="cls_submit").click().run()
    assert len(cr.store.submissions(made.room.id)) == shown[-1] + 1
