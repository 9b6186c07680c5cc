"""AppTest tests of the race page (app.py): renders, reacts to its controls, never shows a traceback."""

from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optimizers
from scenes import Scene, limits, spec
from scenes.codec import from_query, to_query
from scenes.presets import PRESETS
from settings import spec_for
from tests.app_support import chart_titles, charts, messages, open_run, path_traces, results, run_page, shown

FORMULA_KEY = "lp_custom_formula"  # the typed formula's box: landscape 'custom', parameter 'formula'


@pytest.fixture
def run_calls(monkeypatch) -> list[tuple[int, int, int]]:
    """Every ``optimizers.run`` call the page makes, as (configs, starts, steps); counted, not timed."""
    import optimizers

    calls = []
    real = optimizers.run

    def counting(landscape, configs, starts, options=None, *args, **kwargs):
        steps = options.steps if options is not None else optimizers.RunOptions().steps
        calls.append((len(configs), len(np.asarray(starts).reshape(-1, 2)), steps))
        return real(landscape, configs, starts, options, *args, **kwargs)

    monkeypatch.setattr(optimizers, "run", counting)
    return calls


def landscape_image(fig: dict) -> str:
    """The data URI of a figure's landscape image (the filled contour, drawn on the server)."""
    (img,) = [i for i in fig["layout"].get("images", []) if i.get("name") == "landscape"]
    return img["source"]


def contour(at) -> dict:
    """The contour figure: the first chart (not the animation) with a landscape image."""
    for fig in charts(at):
        if not fig.get("frames") and any(i.get("name") == "landscape" for i in fig["layout"].get("images", [])):
            return fig
    raise AssertionError("no contour chart on the page")


def test_run_panels_draw_their_widgets_only_while_open_and_keep_their_settings():
    at = run_page()
    assert not [w for w in at.number_input if w.key.startswith("run")]  # closed panels draw nothing
    assert len(at.expander) >= len(Scene().runs)
    open_run(at, 0)
    assert at.number_input(key="run0_lr") and not [w for w in at.number_input if w.key.startswith("run1_")]
    at.number_input(key="run0_lr").set_value(5e-4).run()
    at.text_input(key="run0_label").input("GD slow").run()
    assert at.session_state["run0_open"]  # editing the label leaves the panel open
    at.session_state["run0_open"] = False
    at.run()
    at.number_input(key="steps").set_value(123).run()  # reruns with the panel closed keep the run's settings
    assert not at.exception and not at.error
    run = at.query_params.get_all("run") if hasattr(at.query_params, "get_all") else at.query_params["run"]
    assert "sgd:lr=0.0005;label=GD slow" in run, run
    assert any(name.startswith("GD slow") for name in path_traces(contour(at)))


def test_default_page_renders_every_run():
    at = run_page()
    assert not at.exception
    assert not at.error
    labels = Scene().labels()
    fig = contour(at)
    paths = path_traces(fig)
    for label in labels:
        assert any(name.startswith(label) for name in paths), (label, list(paths))
    titles = chart_titles(at)
    assert any("Loss" in t for t in titles) and any("istance" in t for t in titles)
    # the surface is off by default (slow to draw in the browser); on, it carries the same runs
    assert not [f for f in charts(at) if any(t.get("type") == "surface" for t in f["data"])]
    at.toggle(key="view_surface").set_value(True).run()
    surfaces = [f for f in charts(at) if any(t.get("type") == "surface" for t in f["data"])]
    assert len(surfaces) == 1
    assert len(path_traces(surfaces[0])) >= len(labels)
    # the results table lists every run
    table = results(at)
    assert len(table) == len(labels)


def test_paths_start_at_the_start_point_and_follow_the_steps():
    at = run_page()
    at.number_input(key="start_x").set_value(0.5)
    at.number_input(key="start_y").set_value(-0.5)
    at.number_input(key="steps").set_value(40)
    at.run()
    assert not at.exception
    paths = path_traces(contour(at))
    assert len(paths) == len(Scene().runs)  # one start: one path per run
    for trace in paths.values():
        assert np.allclose([trace["x"][0], trace["y"][0]], [0.5, -0.5])
    loss = next(f for f in charts(at) if "Loss" in str(f["layout"].get("title")))
    curves = [t for t in loss["data"] if t.get("mode", "lines").startswith("lines") and len(t.get("x", [])) > 1]
    assert len(curves) == len(Scene().runs)
    for trace in curves:
        assert trace["x"][-1] == 40


def test_changing_landscape_changes_the_contour():
    at = run_page()
    before = contour(at)
    at.selectbox(key="landscape").select("six_hump_camel").run()
    assert not at.exception
    after = contour(at)
    assert landscape_image(before) != landscape_image(after)
    assert "camel" in str(after["layout"]["title"])
    # the six-hump camel's six minima are marked
    minima = landscapes.get("six_hump_camel").minima_array()
    marks = [t for t in after["data"] if t.get("name") == "minimum"]
    assert marks and len(marks[0]["x"]) == len(minima)


def test_adding_an_optimizer_adds_a_path():
    at = run_page()
    n = len(path_traces(contour(at)))
    at.selectbox(key="add_kind").select("adagrad")
    at.button(key="add_run").click().run()
    assert not at.exception
    paths = path_traces(contour(at))
    assert len(paths) == n + 1
    assert any(name.startswith("Adagrad") for name in paths)


def test_same_optimizer_twice_with_two_learning_rates():
    scene = Scene(runs=(spec("sgd", lr=1e-3, label="SGD slow"), spec("sgd", lr=2e-3, label="SGD fast")), steps=50)
    at = run_page(query=to_query(scene))
    assert not at.exception
    paths = path_traces(contour(at))
    assert {"SGD slow", "SGD fast"} <= {n.split(" (")[0] for n in paths}
    slow, fast = (next(t for n, t in paths.items() if n.startswith(k)) for k in ("SGD slow", "SGD fast"))
    assert not np.allclose(slow["x"][-1], fast["x"][-1])


def test_clicking_the_contour_moves_the_start():
    at = run_page()
    at.session_state["contour_chart_0"] = click(0.25, 1.75)
    at.run()
    assert not at.exception
    assert at.number_input(key="start_x").value == 0.25
    assert at.number_input(key="start_y").value == 1.75
    paths = path_traces(contour(at))
    assert len(paths) == len(Scene().runs)
    for trace in paths.values():
        assert np.allclose([trace["x"][0], trace["y"][0]], [0.25, 1.75])


def click(x: float, y: float) -> dict:
    """A Plotly selection event of one clicked point, as Streamlit keeps it in session state."""
    return {"selection": {"points": [{"x": x, "y": y}], "point_indices": [], "box": [], "lasso": []}}


def test_clicking_the_same_point_again_after_typing_a_start_moves_it_back():
    """Defect 2 (issue 12): click P, type another start, click P again: the start is P again; the
    old selection alone (a rerun without a new click) never undoes the typed start."""
    at = run_page()
    at.session_state["contour_chart_0"] = click(0.5, 1.5)
    at.run()
    at.number_input(key="start_x").set_value(-1.0).run()
    assert not at.exception and at.number_input(key="start_x").value == -1.0
    at.number_input(key="steps").set_value(60).run()  # any other rerun: the typed start stays
    assert at.number_input(key="start_x").value == -1.0
    at.session_state["contour_chart_1"] = click(0.5, 1.5)
    at.run()
    assert (at.number_input(key="start_x").value, at.number_input(key="start_y").value) == (0.5, 1.5)


def test_diverging_run_is_reported_not_raised():
    scene = Scene(runs=(spec("sgd", lr=1.0, label="too fast"), spec("adam", lr=0.05)), steps=100)
    at = run_page(query=to_query(scene))
    assert not at.exception
    table = results(at)
    status = " ".join(str(v) for v in table.astype(str).to_numpy().ravel())
    assert "diverged at step" in status


def test_bad_start_text_gives_a_message():
    at = run_page()
    at.text_input(key="more_starts").input("1, 2; banana").run()
    assert not at.exception
    assert any("banana" in m for m in messages(at))
    # the valid extra start is used: two starts now
    assert len(path_traces(contour(at))) == 2 * len(Scene().runs)


def test_too_much_work_is_refused_with_a_message(run_calls):
    at = run_page()
    at.text_input(key="more_starts").input("; ".join(f"{i * 0.1}, 0" for i in range(7))).run()
    at.button(key="add_run").click().run()
    at.button(key="add_run").click().run()
    assert not at.exception and not messages(at)
    run_calls.clear()
    at.number_input(key="steps").set_value(5000).run()  # 6 runs x 8 starts x 5000 steps > the cap
    assert not at.exception
    assert messages(at)  # the user is told
    # and the work is not done: whatever the page runs stays within the cap
    assert sum(c * n * t for c, n, t in run_calls) <= limits.MAX_RACE_WORK, run_calls


def test_broken_url_warns_and_falls_back():
    at = run_page(query={"ls": "no-such-landscape", "run": ["adamz:lr=1", "sgd:lr=abc"], "steps": "-5"})
    assert not at.exception
    assert not at.error, [e.value for e in at.error]  # a tampered link never stops the page
    text = " ".join(shown(w) for w in at.warning)
    for bad in ("no-such-landscape", "adamz", "steps"):  # each repair is reported, naming what was repaired
        assert bad in text, (bad, text)
    # the page still draws the race: the default landscape over its window, the one usable run (SGD at its
    # default learning rate) from the default start, one step long (steps clamped up to the minimum, 1)
    fallback = Scene().landscape_obj()
    fig = contour(at)
    assert landscape_image(fig).startswith("data:image/png;base64,")
    assert fallback.title in fig["layout"]["title"]["text"]
    w = fallback.window
    assert fig["layout"]["xaxis"]["range"] == [w.xmin, w.xmax]
    assert fig["layout"]["yaxis"]["range"] == [w.ymin, w.ymax]
    paths = path_traces(fig)
    assert len(paths) == 1 * len(Scene().starts), list(paths)
    (path,) = paths.values()
    assert path["name"].startswith("SGD")
    assert np.allclose([path["x"][0], path["y"][0]], Scene().starts[0])
    assert len(path["x"]) == 1 + 1  # the start and one step
    assert at.number_input(key="steps").value == 1


def test_custom_formula_with_a_syntax_error_shows_an_error():
    at = run_page()
    at.selectbox(key="landscape").select("custom").run()
    assert not at.exception
    at.text_area(key=FORMULA_KEY).input("(1-x)**2 + 100*(y-x**2")
    at.run()
    assert not at.exception
    assert at.error and any("olumn" in shown(e) or "yntax" in shown(e) for e in at.error)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.key)
def test_every_preset_runs_through_the_app(preset):
    at = run_page(query=to_query(preset.scene))
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert not at.warning, [w.value for w in at.warning]  # a preset's link is read without repairs
    paths = path_traces(contour(at))
    for label in preset.scene.labels():
        assert any(name.startswith(label) for name in paths), (label, list(paths))
    assert preset.scene.landscape_obj().title in str(contour(at)["layout"]["title"])


def test_picking_a_preset_applies_it():
    at = run_page()
    preset = PRESETS[3]
    at.selectbox(key="preset_key").select(preset.key).run()
    assert not at.exception
    assert at.selectbox(key="landscape").value == preset.scene.landscape
    assert at.number_input(key="steps").value == preset.scene.steps
    # the URL now carries the preset's scene
    ls = at.query_params.get("ls")
    assert (ls[0] if isinstance(ls, list) else ls) == preset.scene.landscape


def test_presentation_mode_from_the_url():
    at = run_page(query={"present": "1"})
    assert not at.exception
    assert at.toggle(key="view_presentation").value is True
    figs = charts(at)
    # the animation comes first, with larger fonts than the normal page's
    assert figs[0].get("frames"), "the first chart should be the animation"
    normal = charts(run_page())
    font = figs[1]["layout"].get("font", {}).get("size", 12)
    assert font > normal[0]["layout"].get("font", {}).get("size", 12)
    # no share/export clutter
    assert not any("Share and export" in h.value for h in at.subheader)


def test_typed_formula_gives_a_race_on_it():
    at = run_page()
    at.selectbox(key="landscape").select("custom").run()
    at.text_area(key=FORMULA_KEY).input("(1-x)**2 + 100*(y-x**2)**2").run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    fig = contour(at)
    assert "Custom" in str(fig["layout"]["title"])
    assert landscape_image(fig).startswith("data:image/png;base64,")
    # the custom Rosenbrock's minimum (1, 1) is found and marked
    marks = next(t for t in fig["data"] if t.get("name") == "minimum")
    assert np.allclose([marks["x"][0], marks["y"][0]], [1.0, 1.0], atol=1e-6)
    # the formula travels in the URL
    f = at.query_params.get("f")
    assert "100*(y-x**2)**2" in (f[0] if isinstance(f, list) else f)
    assert len(path_traces(fig)) == len(Scene().runs)


HOSTILE_OR_BROKEN = [
    "__import__('os').system('touch {target}')",  # would create the file if it were executed
    "open('{target}', 'w')",
    "__import__('pathlib').Path('{target}').touch() + x",
    "x.__class__",
    "9**9**9",
    "sin(x",
    "1 + 2",
]


@pytest.mark.parametrize("formula", HOSTILE_OR_BROKEN)
def test_hostile_or_broken_formula_is_refused_with_a_message(formula, tmp_path):
    target = tmp_path / "pwned"
    formula = formula.format(target=target)
    at = run_page()
    at.selectbox(key="landscape").select("custom").run()
    good = at.query_params.get("f")
    assert good  # the default formula is in the link before the bad one is typed
    at.text_area(key=FORMULA_KEY).input(formula).run()
    assert not at.exception
    assert not target.exists(), "the formula was executed"
    assert at.error  # the refusal is shown
    assert at.query_params.get("f") == good  # the refused formula does not travel in the link


def test_typed_out_of_range_values_are_clamped_and_shown_clamped():
    scene = Scene(runs=(spec("adam", lr=0.05),), steps=20)
    at = run_page(query=to_query(scene))
    open_run(at, 0)
    at.number_input(key="run0_beta1").set_value(1.0).run()  # torch refuses beta = 1: the box stops below it
    assert not at.exception and not at.error
    assert 0.999 < at.number_input(key="run0_beta1").value < 1.0
    assert any("beta1" in t.value for t in at.toast)
    at.number_input(key="run0_lr").set_value(1e6).run()
    at.number_input(key="steps").set_value(99999).run()
    assert at.number_input(key="run0_lr").value == spec_for(optimizers.optimizer_class("adam"), "lr").hi
    assert at.number_input(key="steps").value == limits.MAX_STEPS
    assert not at.exception and not at.error
    assert at.query_params["steps"] == str(limits.MAX_STEPS)  # the race and its link use the clamped value
    # the value shown is the value used: the link carries it, and it reads back without a repair
    shown = at.number_input(key="run0_beta1").value
    scene, warnings = from_query(dict(at.query_params))
    assert warnings == [] and dict(scene.runs[0].hparams)["beta1"] == shown


def test_polyak_averaging_toggle_wraps_a_run_and_travels_in_the_link():
    scene = Scene(
        landscape="himmelblau", runs=(spec("sgd", lr=0.01),), starts=((0.0, 0.0),), steps=300, noise_sigma=20.0
    )
    at = run_page(query=to_query(scene))
    plain = path_traces(contour(at))
    open_run(at, 0)
    at.checkbox(key="run0_avg_on").check()
    at.number_input(key="run0_avg").set_value(100)
    at.run()
    assert not at.exception and not at.error
    averaged = path_traces(contour(at))
    assert list(averaged) != list(plain) and any("averaged" in n for n in averaged)
    run = at.query_params.get("run")
    assert ";avg=100" in (run[0] if isinstance(run, list) else run)
    # the averaged path ends closer to the minimum it circles than the noisy last iterate
    want = Scene(
        landscape="himmelblau",
        runs=(spec("sgd", lr=0.01, average_from=100),),
        starts=((0.0, 0.0),),
        steps=300,
        noise_sigma=20.0,
    )
    import optimizers

    r_avg = optimizers.run(want.landscape_obj(), want.run_configs(), want.starts_array(), want.options())
    r_raw = optimizers.run(scene.landscape_obj(), scene.run_configs(), scene.starts_array(), scene.options())
    assert r_avg.distance[0] < r_raw.distance[0]


def test_display_options_never_rerun_the_simulation(run_calls):
    # steps no other test uses, so the cached runs of other tests (same process) do not answer for this one
    scene = Scene(runs=(spec("sgd", lr=1e-3), spec("momentum", lr=1e-3), spec("adam", lr=0.05)), steps=173)
    at = run_page(query=to_query(scene))
    assert not at.exception and not at.error
    before = len(path_traces(contour(at)))
    for key in ("view_log_loss", "view_surface", "view_animate"):
        run_calls.clear()
        at.toggle(key=key).set_value(not at.toggle(key=key).value).run()
        assert not at.exception and not at.error
        assert run_calls == [], f"{key} re-ran the simulation"
    assert len(path_traces(contour(at))) == before
    # the counter does see work: a new step count re-runs every run (in one call), a new learning
    # rate only that run
    run_calls.clear()
    at.number_input(key="steps").set_value(174).run()
    assert run_calls == [(len(scene.runs), 1, 174)]
    open_run(at, 1)
    run_calls.clear()
    at.number_input(key="run1_lr").set_value(2e-3).run()
    assert not at.exception and not at.error
    assert run_calls == [(1, 1, 174)]
