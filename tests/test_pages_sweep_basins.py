"""AppTest tests of the sweep and basins pages: they render small grids, react to their main
controls, turn bad input into messages (never tracebacks), and a clicked sweep cell links to
exactly that configuration as a race."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np

import landscapes
from analysis.basins import BasinSettings
from analysis.sweep import SweepSettings
from scenes import limits
from scenes.codec import from_query
from settings import spec_for
from tests.app_support import charts, messages, run_page, shown

SWEEP = "pages/1_Hyperparameter_sweep.py"
BASINS = "pages/2_Basins_of_attraction.py"
SMALL_SWEEP = {"nx": "8", "ny": "6", "steps": "40"}
SMALL_BASINS = {"resolution": "16", "steps": "40"}


def role(fig: dict, name: str) -> dict:
    return next(t for t in fig["data"] if (t.get("meta") or {}).get("role") == name)


def sweep_chart(at) -> dict:
    return next(f for f in charts(at) if any(t.get("type") == "heatmap" for t in f["data"]))


def z_of(trace: dict) -> np.ndarray:
    return np.asarray(trace["z"], dtype=float)


# --- sweep ---------------------------------------------------------------------------------------
def test_sweep_renders_small_grid_from_the_url():
    at = run_page(SWEEP, query=SMALL_SWEEP)
    assert not at.exception and not messages(at)
    fig = sweep_chart(at)
    assert z_of(role(fig, "values")).shape == (6, 8)
    assert fig["layout"]["xaxis"]["type"] == "log"
    assert len(role(fig, "click")["x"]) == 48
    assert not at.get("link_button")  # nothing clicked yet


def test_sweep_reacts_to_optimizer_and_landscape():
    at = run_page(SWEEP, query=SMALL_SWEEP)
    before = z_of(role(sweep_chart(at), "values"))
    at.selectbox(key="sweep.optimizer").select("adam").run()
    assert not at.exception and not messages(at)
    fig = sweep_chart(at)
    assert at.session_state["sweep.y_param"] == "beta1"  # momentum is not an Adam hyperparameter
    assert "beta1" in fig["layout"]["yaxis"]["title"]["text"]
    adam = z_of(role(fig, "values"))
    assert not np.array_equal(np.nan_to_num(before, nan=-1), np.nan_to_num(adam, nan=-1))
    at.selectbox(key="sweep.landscape").select("himmelblau").run()
    assert not at.exception
    fig = sweep_chart(at)
    assert "Himmelblau" in fig["layout"]["title"]["text"]
    assert not np.array_equal(np.nan_to_num(adam, nan=-1), np.nan_to_num(z_of(role(fig, "values")), nan=-1))


def test_sweep_axes_never_collide_and_an_own_start_begins_at_the_default_start():
    at = run_page(SWEEP, query=SMALL_SWEEP)
    assert at.session_state["sweep.y_param"] == "momentum"
    at.selectbox(key="sweep.x_param").select("momentum").run()  # onto the y axis's hyperparameter
    assert not at.exception and not messages(at)
    assert at.session_state["sweep.y_param"] == "lr"  # the other axis moved
    fig = sweep_chart(at)
    assert "momentum" in fig["layout"]["xaxis"]["title"]["text"] and fig["layout"]["xaxis"]["type"] != "log"
    assert "lr" in fig["layout"]["yaxis"]["title"]["text"] and fig["layout"]["yaxis"]["type"] == "log"
    assert at.number_input(key="sweep.start_x").disabled
    at.toggle(key="sweep.custom_start").set_value(True).run()
    assert not at.exception and not at.number_input(key="sweep.start_x").disabled
    start = landscapes.get("ravine").starts[0]
    assert (at.number_input(key="sweep.start_x").value, at.number_input(key="sweep.start_y").value) == tuple(start)


def test_sweep_bad_values_give_messages_not_exceptions():
    at = run_page(SWEEP, query={"nx": "500", "ny": "100", "steps": "5000"})
    assert not at.exception
    nx = at.number_input(key="sweep.nx")
    top = spec_for(SweepSettings, "nx").closed()[1]
    assert nx.value == top < 500  # the link's nx clamped to the declared top, and said so
    assert float(at.query_params["nx"]) == top  # the link now says what is shown
    assert any("nx" in shown(w) for w in at.warning)
    # steps=5000 on top of that would be too much work: cut to what fits, and said so
    steps = at.number_input(key="sweep.steps").value
    assert any("steps=5000 reduced to" in shown(w) for w in at.warning)
    assert 1 <= steps < 5000 and top * at.number_input(key="sweep.ny").value * steps <= limits.MAX_GRID_WORK
    assert at.query_params["steps"] in (str(steps), [str(steps)])  # the link says what is computed
    assert not at.error and len(charts(at)) == 1
    # an inconsistent link (x min above x max): told, and the page still draws from consistent settings
    at = run_page(SWEEP, query={"x_min": "5", **SMALL_SWEEP})
    assert not at.exception and not at.error
    assert any("min" in shown(w) for w in at.warning)
    assert at.number_input(key="sweep.x_min").value < at.number_input(key="sweep.x_max").value
    assert len(charts(at)) == 1
    # the same typed into the widget: refused with a message, nothing computed, not written to the link
    at = run_page(SWEEP, query=SMALL_SWEEP)
    at.number_input(key="sweep.x_min").set_value(5.0).run()
    assert not at.exception
    assert at.error and not charts(at)
    assert "x_min" not in at.query_params
    # a swept momentum range reaching 1.5: the user is told about the momentum, and no momentum >= 1 is run
    at = run_page(SWEEP, query={"y_max": "1.5", **SMALL_SWEEP})
    assert not at.exception
    assert any("momentum" in m for m in messages(at))
    for fig in charts(at):
        assert np.max(np.asarray(role(fig, "click")["y"], dtype=float)) < 1.0


def test_clicking_a_cell_links_to_that_configuration_as_a_race():
    at = run_page(SWEEP, query=SMALL_SWEEP)
    click = role(sweep_chart(at), "click")
    k = 8 * 4 + 5  # row 4, column 5 (the click grid is row-major)
    x, y = float(click["x"][k]), float(click["y"][k])
    at.session_state["sweep_chart"] = {
        "selection": {
            "points": [{"x": x, "y": y, "curve_number": 0, "point_index": k}],
            "point_indices": [k],
            "box": [],
            "lasso": [],
        }
    }
    at.run()
    assert not at.exception
    buttons = at.get("link_button")
    assert len(buttons) == 1 and buttons[0].proto.label == "Open as a race"
    url = buttons[0].proto.url
    assert url.startswith("/?")
    scene, warnings = from_query(parse_qs(urlsplit(url).query))
    assert not warnings
    assert scene.landscape == "ravine" and scene.steps == 40
    assert len(scene.runs) == 1 and scene.runs[0].kind == "momentum"
    hp = dict(scene.runs[0].hparams)
    assert set(hp) == {"lr", "momentum"}
    # the clicked point (the chart sends float32) ...
    assert np.allclose([hp["lr"], hp["momentum"]], [x, y], rtol=1e-6)
    # ... is the cell in column 5, row 4 of the grid the widgets ask for, on the chart's axis scales
    fig = sweep_chart(at)
    assert fig["layout"]["xaxis"]["type"] == "log" and fig["layout"]["yaxis"].get("type", "linear") == "linear"
    value = {k: at.number_input(key=f"sweep.{k}").value for k in ("x_min", "x_max", "y_min", "y_max")}
    lrs = np.geomspace(value["x_min"], value["x_max"], 8)
    mus = np.linspace(value["y_min"], value["y_max"], 6)
    assert np.isclose(hp["lr"], lrs[5], rtol=1e-12, atol=0) and np.isclose(hp["momentum"], mus[4], rtol=1e-12, atol=0)
    # the race starts where the sweep's runs started
    assert scene.starts == (tuple(float(c) for c in landscapes.get("ravine").starts[0]),)
    # the clicked cell's result is in a small table and outlined on the chart
    table = at.dataframe[0].value
    assert float(table["lr"].iloc[0]) == hp["lr"]
    sel = role(sweep_chart(at), "selected")
    assert np.isclose(sel["x"][0], x) and np.isclose(sel["y"][0], y)


# --- basins --------------------------------------------------------------------------------------
def basin_panels(at) -> list[dict]:
    """The basin maps, one chart per optimizer (side by side, or stacked on a phone)."""
    return [t for f in charts(at) for t in f["data"] if (t.get("meta") or {}).get("role") == "basins"]


def test_basins_render_small_grid_and_react_to_controls():
    at = run_page(BASINS, query=SMALL_BASINS)
    assert not at.exception and not messages(at)
    panels = basin_panels(at)
    assert len(panels) == 3 and z_of(panels[0]).shape == (16, 16)
    bars = next(f for f in charts(at) if any(t.get("type") == "bar" for t in f["data"]))
    np.testing.assert_allclose(np.sum([t["x"] for t in bars["data"]], axis=0), 1.0)  # horizontal bars
    before = z_of(panels[0])
    at.selectbox(key="basins.landscape").select("six_hump_camel").run()
    assert not at.exception
    after = basin_panels(at)
    assert z_of(after[0]).shape == (10, 16)  # the camel's window is 5 x 3: square cells
    assert not np.array_equal(before[:10], z_of(after[0]))
    at.selectbox(key="basins.opt4").select("rmsprop").run()
    assert not at.exception
    assert len(basin_panels(at)) == 4


def test_basins_bad_values_give_messages_not_exceptions():
    at = run_page(BASINS, query={"resolution": "1000", "steps": "5000"})
    assert not at.exception
    res = at.number_input(key="basins.resolution")
    top = spec_for(BasinSettings, "resolution").closed()[1]
    # clamped to the declared top, which is still too much work with 5000 steps: one of the two is
    # dropped, and said so
    steps = at.number_input(key="basins.steps").value
    dropped = "resolution" if res.value < top else "steps"
    assert (res.value < top) != (steps < 5000)
    assert float(at.query_params.get("resolution", res.value)) == res.value
    assert any(dropped in shown(w) for w in at.warning)
    assert not at.error and charts(at)
    at = run_page(BASINS, query={**SMALL_BASINS, "opt1": "bfgs", "lr1": "0"})
    assert not at.exception
    assert any("bfgs" in m for m in messages(at))  # the panel whose setting is refused is named
    at = run_page(BASINS, query={**SMALL_BASINS, "opt1": "none", "opt2": "none", "opt3": "none"})
    assert not at.exception and not at.error
    assert any("opt" in m for m in messages(at)) and charts(at)  # the value that would leave no panel is dropped
