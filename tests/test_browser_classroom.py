"""End-to-end: a teacher and two students, three browser contexts on one server. The teacher
creates a room; the students join by its code; the teacher pushes a scene and the students'
pages follow it without reloading; the teacher sets a challenge; both students submit; both
appear on the teacher's projector leaderboard; the teacher pushes a lesson page with its state
and both students' pages go there. Screenshots: artifacts/screenshots/classroom-*.png."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, screenshot, streamlit_server

pytestmark = pytest.mark.browser
PLOT = '[data-testid="stPlotlyChart"]'


def _open(browser, url: str):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    return page


def test_teacher_pushes_students_follow_and_submit(tmp_path, monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("CLASSROOM_DB", str(tmp_path / "room.sqlite3"))
    expect.set_options(timeout=30_000)  # a shared, loaded machine
    with streamlit_server("app.py") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            teacher = _open(browser, f"{url}/Classroom")
            teacher.get_by_role("button", name="Create a room").click()
            heading = teacher.get_by_text(re.compile(r"Join code: [A-Z0-9]{4}-[A-Z0-9]{4}"))
            expect(heading).to_be_visible()
            code = re.search(r"([A-Z0-9]{4}-[A-Z0-9]{4})", heading.inner_text()).group(1)
            assert "key=" in teacher.url  # the private teacher link is the teacher's address

            students = []
            for nick in ("Ann", "Bob"):
                s = _open(browser, f"{url}/Classroom")
                s.get_by_role("textbox", name="Join code").fill(code.lower())  # typed as a student would
                s.get_by_role("textbox", name="Nickname").fill(nick)
                s.get_by_role("button", name="Join").click()
                expect(s.get_by_text(f"you are {nick}")).to_be_visible()
                students.append(s)

            teacher.get_by_role("textbox", name="…or a scene link").fill("v=1&ls=quadratic&start=-1.5,2")
            teacher.get_by_role("button", name="Push this link").click()
            pushed = time.monotonic()
            for s in students:  # no reload: the follower fragment sees the push
                expect(s.locator(PLOT, has_text="Quadratic bowl")).to_have_count(1)
            follow_seconds = time.monotonic() - pushed

            teacher.get_by_role("button", name="Set the challenge on the current scene").click()
            for s, lr in zip(students, ("0.3", "0.5"), strict=True):
                expect(s.get_by_role("button", name="Submit")).to_be_visible()
                box = s.get_by_role("spinbutton", name="Learning rate")
                box.fill(lr)
                box.press("Enter")
                s.wait_for_timeout(500)
                s.get_by_role("button", name="Submit").click()
                expect(s.get_by_text("Submitted #")).to_be_visible()

            board = teacher.locator('[data-testid="stTable"]')
            expect(board).to_contain_text("Ann")
            expect(board).to_contain_text("Bob")
            expect(teacher.get_by_text("2 submissions", exact=False)).to_be_visible()
            screenshot(teacher, "classroom-projector")
            screenshot(students[0], "classroom-student")

            # a lesson page pushed with its state: both students' pages go there, with that state
            teacher.get_by_role("link", name="Exponentially weighted averages").click()
            beta = teacher.get_by_role("spinbutton", name="Your β")
            beta.fill("0.7")
            beta.press("Enter")
            expect(teacher).to_have_url(re.compile(r"beta=0\.7"))
            teacher.get_by_role("button", name=re.compile(r"Push to my room")).click()
            for s in students:
                expect(s.get_by_role("heading", name="Exponentially weighted averages")).to_be_visible()
                expect(s).to_have_url(re.compile(r"beta=0\.7"))
                expect(s.get_by_role("spinbutton", name="Your β")).to_have_value("0.7")
            # how fast students follow is measured in benchmarks/classroom_load.py, not asserted here
            print(f"both students showed the push {follow_seconds:.1f} s after it (shared machine)")
        finally:
            expect.set_options(timeout=5_000)  # Playwright's default, for other tests in this process
            browser.close()
