"""AppTest tests of what the lesson pages share: every chart comes with its download buttons, and the
"open as a race" link carries the lesson's runs, start, steps, noise and seed to the race page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from scenes import Scene
from scenes.codec import from_query
from tests.app_support import run_page

INSIDE = "pages/3_Inside_the_optimizer.py"
BATCH = "pages/5_Batch_size_and_noise.py"
SCHED = "pages/6_Learning_rate_schedules.py"
SECOND = "pages/7_Second_order_methods.py"

SMALL = {
    "pages/1_Hyperparameter_sweep.py": {"nx": "8", "ny": "6", "steps": "40"},
    "pages/2_Basins_of_attraction.py": {"resolution": "16", "steps": "40"},
    INSIDE: {},
    "pages/4_Exponentially_weighted_averages.py": {},
    BATCH: {
        "steps": "60",
        "seeds": "6",
        "basin_runs": "10",
        "basin_steps": "80",
        "basin_batches": "1, 64",
    },
    SCHED: {"steps": "120", "seeds": "4"},
    SECOND: {"steps": "80"},
}


def user_key(element) -> str:
    """The ``key=`` a widget or chart was given (Streamlit's element id is ``$$ID-<hash>-<key>``)."""
    return element.proto.id.split("-", 2)[2]


@pytest.mark.parametrize("script", list(SMALL))
def test_every_chart_has_png_svg_and_html_downloads(script):
    at = run_page(script, query=SMALL[script])
    assert not at.exception and not at.error
    charts = [user_key(c) for c in at.get("plotly_chart")]
    assert charts
    downloads = [user_key(b) for b in at.get("download_button")]
    assert downloads == [f"dl_{c}_{fmt}" for c in charts for fmt in ("png", "svg", "html")]
    assert [b.proto.label for b in at.get("download_button")][:3] == ["PNG (2x)", "SVG", "HTML (interactive)"]


# --- open as a race ------------------------------------------------------------------------------
def race_link(at) -> tuple[str, Scene]:
    """The page's one "open as a race" button: its label and the scene its link decodes to."""
    (button,) = at.get("link_button")
    assert urlsplit(button.proto.url).path == "/"
    scene, warnings = from_query(parse_qs(urlsplit(button.proto.url).query))
    assert warnings == []
    return button.proto.label, scene


OWN_START = {"custom_start": "1", "start_x": "0.5", "start_y": "-1.25"}


def test_inside_links_to_its_run_as_a_race():
    at = run_page(
        INSIDE, query={"optimizer": "momentum", "suggested_lr": "0", "lr": "0.02", "steps": "30", **OWN_START}
    )
    assert not at.exception and not at.error
    label, scene = race_link(at)
    assert label == "Open this run as a race"
    assert scene.landscape == "ravine" and scene.steps == 30 and scene.starts == ((0.5, -1.25),)
    assert [(r.kind, dict(r.hparams)) for r in scene.runs] == [("momentum", {"lr": 0.02, "momentum": 0.9})]


def test_batch_page_links_to_one_run_per_batch_size():
    query = {**SMALL[BATCH], "suggested": "0", "lr": "0.02", "sigma": "5", "seed": "7", **OWN_START}
    label, scene = race_link(run_page(BATCH, query=query))
    assert label == "Open these runs as a race"
    assert scene.landscape == "himmelblau" and scene.steps == 60 and scene.starts == ((0.5, -1.25),)
    assert scene.noise_sigma == 5.0 and scene.seed == 7
    assert [r.batch_size for r in scene.runs] == [1, 8, 64, 1_000_000]  # full batch as B = 1,000,000
    assert [r.label for r in scene.runs] == ["B = 1 (stochastic)", "B = 8", "B = 64", "full batch"]
    assert all(r.kind == "sgd" and dict(r.hparams) == {"lr": 0.02} for r in scene.runs)


def test_schedule_page_links_to_one_run_per_schedule():
    query = {**SMALL[SCHED], "seed": "3", "use_step": "0", **OWN_START}
    label, scene = race_link(run_page(SCHED, query=query))
    assert label == "Open these runs as a race"
    assert scene.landscape == "himmelblau" and scene.steps == 120 and scene.starts == ((0.5, -1.25),)
    assert scene.noise_sigma == 20.0 and scene.seed == 3  # Himmelblau's suggested σ
    assert [r.schedule.kind for r in scene.runs] == ["constant", "exponential", "inverse_time", "cosine", "cosine"]
    assert scene.runs[-1].schedule.warmup == 50 and scene.runs[-1].schedule.total == 70
    assert all(dict(r.hparams) == {"lr": 0.01} for r in scene.runs)


def test_second_order_page_links_to_every_method_as_a_race():
    label, scene = race_link(run_page(SECOND, query={**SMALL[SECOND], "tol": "0.01", **OWN_START}))
    assert label == "Open these runs as a race"
    assert scene.landscape == "rosenbrock" and scene.steps == 80 and scene.starts == ((0.5, -1.25),)
    assert scene.tol == 0.01 and scene.noise_sigma == 0.0
    assert [r.kind for r in scene.runs] == ["sgd", "newton", "newton", "newton", "bfgs", "cg", "coordinate"]
    assert scene.runs[1].label == "Newton"


# --- the shared "Runs" block of pages 5, 6, 7 ----------------------------------------------------
@pytest.mark.parametrize("script", [BATCH, SCHED, SECOND])
def test_run_controls_follow_their_toggles(script):
    at = run_page(script, query=SMALL[script])
    key = {BATCH: "batch", SCHED: "sched", SECOND: "second"}[script]
    assert at.selectbox(key=f"{key}.landscape").value
    assert at.number_input(key=f"{key}.start_x").disabled and at.number_input(key=f"{key}.start_y").disabled
    at.toggle(key=f"{key}.custom_start").set_value(True).run()
    assert not at.exception
    assert not at.number_input(key=f"{key}.start_x").disabled and not at.number_input(key=f"{key}.start_y").disabled
    noisy = ("optimizer", "suggested", "lr", "sigma", "seeds", "seed")
    present = {w.key for w in [*at.selectbox, *at.toggle, *at.number_input]}
    if script == SECOND:  # no noise: none of the noisy lessons' widgets
        assert not present & {f"{key}.{n}" for n in noisy}
        return
    assert present >= {f"{key}.{n}" for n in noisy}
    assert at.number_input(key=f"{key}.lr").disabled and at.number_input(key=f"{key}.sigma").disabled
    at.toggle(key=f"{key}.suggested").set_value(False).run()
    assert not at.exception
    assert not at.number_input(key=f"{key}.lr").disabled and not at.number_input(key=f"{key}.sigma").disabled
