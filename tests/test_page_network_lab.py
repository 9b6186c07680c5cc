"""AppTest tests of the Network lab page (pages/8_Network_lab.py)."""

from __future__ import annotations

import numpy as np

from networks import mlp
from networks.data import make_data
from networks.init import initialize
from networks.lab import LabSettings
from tests.app_support import chart_titles, charts, messages, path_traces, run_page

PAGE = "pages/8_Network_lab.py"
SMALL = {"steps": "60", "surface_n": "9", "sharp_iters": "5"}


def chart(at, word: str) -> dict:
    for fig, title in zip(charts(at), chart_titles(at), strict=True):
        if word in title:
            return fig
    raise AssertionError(f"no chart titled with {word!r}: {chart_titles(at)}")


def test_page_trains_every_run_from_the_shared_start_and_draws_them():
    at = run_page(PAGE, query=SMALL)
    assert not at.exception and not messages(at)
    titles = chart_titles(at)
    assert any("Fitted curves at step 60" in t for t in titles)
    # train and test on the plane: two charts (side by side, or stacked on a phone)
    planes = [t.split(" (")[0] for t in titles if "on the plane" in t]
    assert planes == ["Train loss on the plane", "Test loss on the plane"]
    # the loss curves: every run starts at the loss of the shared initialization, and all go down
    s = LabSettings(steps=60)
    data = make_data(s.dataset, s.n, s.noise, s.test_fraction, s.data_seed)
    start = initialize(s.arch, s.init, s.seed, s.init_scale)
    initial = mlp.loss(s.arch, start[None], data.x_train, data.y_train)[0]
    assert not any("Train (solid)" in t for t in titles)  # the loss curves are a closed tab: not drawn
    at.session_state["netlab_view"] = "Loss curves"
    at.run()
    curves = chart(at, "Train (solid)")
    trains = [t for t in curves["data"] if t.get("name", "").endswith(" train")]
    assert [t["name"] for t in trains] == ["SGD train", "Momentum train", "Adam train"]
    for t in trains:
        y = np.asarray(t["y"])
        assert abs(y[0] - initial) < 1e-12 * initial
        assert y[-1] < 0.5 * y[0]
    # the PCA plane: every path starts at the shared start, the plane's origin (0, 0)
    at.session_state["netlab_view"] = "The loss landscape on a plane"
    at.run()
    paths = path_traces(chart(at, "loss on the plane"))
    assert set(paths) == {"SGD", "Momentum", "Adam"}
    for p in paths.values():
        assert abs(p["x"][0]) < 1e-9 and abs(p["y"][0]) < 1e-9
    assert len(at.dataframe) >= 1 and len(at.dataframe[0].value) == 3
    # the views below are tabs and only the open one is drawn: the plane now, the line when its tab opens
    assert not any("Loss on the line" in t for t in chart_titles(at))
    at.session_state["netlab_view"] = "Between two solutions"
    at.run()
    titles = chart_titles(at)
    assert any("Loss on the line" in t for t in titles) and not any("on the plane" in t for t in titles)


def test_ends_plane_puts_the_first_runs_end_on_its_first_axis():
    at = run_page(PAGE, query={**SMALL, "plane": "ends", "run_a": "3", "run_b": "1"})
    assert not at.exception and not messages(at)
    paths = path_traces(chart(at, "loss on the plane"))
    adam, sgd = paths["Adam"], paths["SGD"]
    assert abs(adam["y"][-1]) < 1e-9 and adam["x"][-1] > 0  # on the axis toward its own end
    assert abs(sgd["y"][-1]) > 0  # the other end is off that axis, on the plane


def test_bad_link_values_are_repaired_with_warnings_and_too_much_work_is_refused():
    at = run_page(PAGE, query={**SMALL, "dataset": "imagenet", "width": "1000", "steps": "abc"})
    assert not at.exception
    shown = " ".join(messages(at))
    assert "dataset" in shown and "width=1000 clamped to 64" in shown and "steps" in shown
    assert at.session_state["netlab.width"] == 64
    # widgets asking for far too much: a plain error, no traceback, nothing computed
    at.number_input(key="netlab.layers").set_value(3)
    at.number_input(key="netlab.n").set_value(2000)
    at.number_input(key="netlab.steps").set_value(20000).run()
    assert not at.exception
    assert any("Too much work" in m for m in messages(at))


def test_batch_size_preset_runs_the_experiment_and_links_it():
    # the experiment's own settings are drawn only while it is on: start with it on, then load the preset
    at = run_page(PAGE, query={**SMALL, "experiment": "1", "bx_steps": "200", "bx_batches": "8, full"})
    assert at.number_input(key="netlab.bx_steps").value == 200
    at.session_state["netlab_preset"] = "The batch-size experiment (moons)"
    at.button(key="netlab_load").click()
    at.number_input(key="netlab.bx_steps").set_value(200)
    at.number_input(key="netlab.steps").set_value(60)
    at.run()
    assert not at.exception and not messages(at)
    assert at.query_params["experiment"] in ("1", ["1"]) and at.query_params["dataset"] in ("moons", ["moons"])
    fig = chart(at, "Sharpness against generalization gap")
    names = [t["name"] for t in fig["data"]]
    assert names == ["B = 4", "B = 16", "B = 64", "full batch"]
    assert all(len(t["x"]) == 3 for t in fig["data"])  # three seeds each
    assert any("Decision regions" in t for t in chart_titles(at))


def test_settings_whose_widgets_are_not_drawn_keep_their_values():
    # the link's surface grid sits in the closed "More" panel, RMSprop's learning rate beside a switched-off
    # toggle, the experiment's steps under a switched-off experiment: none is drawn, none is lost
    at = run_page(PAGE, query={**SMALL, "lr_rmsprop": "0.003", "bx_steps": "77"})
    assert not at.exception and not messages(at)
    drawn = {w.key for w in at.number_input}
    assert not {"netlab.surface_n", "netlab.lr_rmsprop", "netlab.bx_steps"} & drawn
    at.number_input(key="netlab.width").set_value(8).run()  # an ordinary rerun
    assert not at.exception
    assert at.session_state["netlab.surface_n"] == 9 and at.session_state["netlab.bx_steps"] == 77
    assert at.query_params["surface_n"] in ("9", ["9"]) and at.query_params["bx_steps"] in ("77", ["77"])
    for word in ("Train loss on the plane", "Test loss on the plane"):  # each a server-drawn picture
        assert len(chart(at, word)["layout"]["images"]) == 1
    at.toggle(key="netlab.use_rmsprop").set_value(True).run()
    assert at.number_input(key="netlab.lr_rmsprop").value == 0.003
