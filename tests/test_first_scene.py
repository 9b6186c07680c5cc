"""Issue 12, defect 10: the first race a visitor sees tells a story, and links keep their meaning."""

from __future__ import annotations

import numpy as np

import landscapes
import optimizers
from optimizers import RunOptions, Status
from scenes import Scene
from scenes.codec import from_query
from scenes.presets import WELCOME, preset_of
from tests.app_support import run_page


def test_every_run_of_the_first_race_reaches_a_minimum_and_they_reach_three_different_ones():
    scene = WELCOME.scene
    L = landscapes.get(scene.landscape)
    configs = [optimizers.RunConfig(r.config()) for r in scene.runs]
    res = optimizers.run(L, configs, np.array(scene.starts), RunOptions(steps=scene.steps, tol=scene.tol))
    # Himmelblau's minima, written out: (3, 2) and three found numerically in the literature
    known = np.array([[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]])
    ends = res.final_positions
    d = np.linalg.norm(ends[:, None] - known[None], axis=-1)
    assert (d.min(axis=1) < 1e-2).all() and (res.status == Status.CONVERGED).all()
    reached = [tuple(known[i]) for i in d.argmin(axis=1)]
    assert reached == [tuple(known[3]), tuple(known[0]), tuple(known[2]), tuple(known[2])]
    assert (res.hit_step >= 0).all() and res.hit_step.max() < scene.steps


def test_the_page_opens_on_the_first_race_and_a_link_without_landscape_still_means_rosenbrock():
    at = run_page()
    assert not at.exception
    assert at.selectbox(key="landscape").value == "himmelblau"
    assert any(WELCOME.title in i.value for i in at.info)
    assert preset_of(WELCOME.scene) is WELCOME
    assert from_query({"v": "1", "run": "sgd"})[0].landscape == Scene().landscape == "rosenbrock"
    at = run_page(query={"v": "1", "run": "adam:lr=0.1"})
    assert at.selectbox(key="landscape").value == "rosenbrock"
    at = run_page(query={"present": "1"})  # a presentation link with no scene: the first race, presented
    assert at.selectbox(key="landscape").value == "himmelblau" and at.toggle(key="view_presentation").value


def test_the_preset_box_names_the_first_race_and_can_load_it_back():
    at = run_page()
    assert at.selectbox(key="preset_key").value == WELCOME.key
    at.selectbox(key="preset_key").select("nesterov_overshoot").run()
    assert at.selectbox(key="landscape").value == "quadratic"
    at.selectbox(key="preset_key").select(WELCOME.key).run()
    assert not at.exception and at.selectbox(key="landscape").value == "himmelblau"
