"""The offline lesson pack: opened from a file in headless Chromium with every non-file request
blocked, it shows each scene (words, formula, drawn animation) and an animation plays; limits
give plain messages; formulas need no math library."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import landscapes
from export.formula_html import latex_to_html
from export.pack import MAX_SCENES, PackTooBigError, lessons_from_presets, pack_html
from scenes import Scene
from tests.browser_support import ROOT, chromium_page, screenshot

KEYS = ("ravine_momentum", "adagrad_plateau", "newton_saddle")


def test_pack_works_offline_shows_every_scene_and_plays(tmp_path):
    lessons = lessons_from_presets(KEYS)
    doc = pack_html(lessons)
    assert doc.count("<script") == 1 + len(lessons)  # Plotly's JS once, one small script per figure
    path = tmp_path / "pack.html"
    path.write_text(doc, encoding="utf-8")
    blocked: list[str] = []
    with chromium_page(1100, 900) as page:

        def only_files(route):
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        page.route("**/*", only_files)
        page.goto(path.as_uri())
        page.wait_for_function(
            "n => document.querySelectorAll('section.lesson .main-svg').length >= n", arg=len(lessons)
        )
        sections = page.locator("section.lesson")
        assert sections.count() == len(lessons)
        for i, lesson in enumerate(lessons):
            sec = sections.nth(i)
            assert lesson.title in sec.locator("h2").inner_text()
            assert sec.locator(".formula").inner_text().strip().startswith("f")
            assert sec.locator(".scatterlayer .trace").count() >= 2  # the paths and marks are drawn
        second = sections.nth(1)
        second.scroll_into_view_if_needed()
        label = second.locator(".slider-container .slider-label").first  # the current value
        assert label.text_content().strip() == "step 0"
        second.locator(".updatemenu-button").first.click()  # ▶ Play
        page.wait_for_function("el => el.textContent.trim() !== 'step 0'", arg=label.element_handle(), timeout=30_000)
        screenshot(page, "offline_pack")
    assert blocked == []  # nothing asked for the network


def test_pack_limits_give_plain_messages():
    with pytest.raises(PackTooBigError, match="at least one"):
        pack_html([])
    many = lessons_from_presets()[:1] * (MAX_SCENES + 1)
    with pytest.raises(PackTooBigError, match=f"At most {MAX_SCENES} scenes"):
        pack_html(many)
    bad = lessons_from_presets(KEYS[:1])[0]
    bad = type(bad)(bad.title, bad.concept, bad.caption, Scene(runs=()))
    with pytest.raises(PackTooBigError, match="at least one optimizer"):
        pack_html([bad])


@pytest.mark.parametrize("name", landscapes.builtin_names())
def test_every_formula_becomes_plain_html(name):
    out = latex_to_html(landscapes.get(name).latex)
    text = re.sub(r"</?su[bp]>", "", out)
    assert "\\" not in text and "{" not in text.replace("{x, y}", "")  # no LaTeX left
    assert out.count("<sup>") == out.count("</sup>") and out.count("<sub>") == out.count("</sub>")


def test_formula_html_examples():
    assert latex_to_html(r"\tfrac{1}{2}\,(y^2 - 1)^2") == "1/2\u2009(y<sup>2</sup> - 1)<sup>2</sup>"
    assert latex_to_html(r"\sqrt{x^2} + \kappa") == "√(x<sup>2</sup>) + κ"
    assert latex_to_html("a < b") == "a &lt; b"


def test_cli_writes_a_pack_and_reports_its_size(tmp_path):
    out = tmp_path / "lessons.html"
    done = subprocess.run(
        [sys.executable, "-m", "export", "--preset", "nesterov_overshoot", "--pack", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "1 scenes" in done.stdout and " MB" in done.stdout
    assert out.read_text(encoding="utf-8").count('<section id="scene-') == 1
