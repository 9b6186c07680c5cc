"""Scene sharing: URL query and JSON round trips (bit for bit). Robustness to any input is in
``test_codec_fuzz.py``, the repair of specific damage in ``test_codec_repairs.py``."""

from __future__ import annotations

import dataclasses
import json
import math
import string
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import landscapes
import optimizers
from optimizers import SCHEDULES, Schedule, make_schedule
from scenes import RunSpec, Scene, View, codec, limits, spec
from scenes.presets import PRESETS
from settings import spec_of
from tests.codec_support import CUSTOM, FULL, FUZZ, assert_same_results, via_url


def test_default_scene_is_one_short_parameter() -> None:
    assert codec.to_query(Scene()) == {"v": "1"}
    assert codec.scene_url(Scene()) == "?v=1"
    assert codec.from_query({"v": "1"}) == (Scene(), [])
    assert codec.from_query({}) == (Scene(), [])
    assert via_url(Scene()) == (Scene(), [])
    assert codec.from_json(codec.to_json(Scene())) == (Scene(), [])


@pytest.mark.parametrize("scene", [FULL, CUSTOM], ids=["full", "custom"])
def test_round_trip_every_field(scene: Scene) -> None:
    assert scene.problems() == []
    assert codec.from_query(codec.to_query(scene)) == (scene, [])
    assert via_url(scene) == (scene, [])
    assert codec.from_url(codec.scene_url(scene)) == (scene, [])
    assert codec.from_json(codec.to_json(scene)) == (scene, [])
    assert_same_results(scene, codec.from_query(codec.to_query(scene))[0])


def test_the_two_scenes_cover_every_field() -> None:
    d = Scene()
    differ = {
        f.name for f in dataclasses.fields(Scene) for s in (FULL, CUSTOM) if getattr(s, f.name) != getattr(d, f.name)
    }
    assert differ == {f.name for f in dataclasses.fields(Scene)}
    assert {f.name for f in dataclasses.fields(View) if getattr(FULL.view, f.name) == getattr(d.view, f.name)} == set()


def test_full_scene_query_is_readable() -> None:
    q = codec.to_query(FULL)
    assert q["v"] == "1"
    assert q["lp"] == "b:20,a:0.5"
    assert q["run"][0] == "adam:beta1=0.8,eps=1e-07,lr=0.05;bs=8;label=Adam; fast;label=x & co #1"
    assert q["run"][1] == "nesterov:lr=0.001,momentum=0.95;sched=step:gamma=0.3,step_size=40"
    assert q["start"] == ["0.1,0.2", "-1,1", "-0.0,0.3333333333333333"]
    assert q["sched"] == "cosine:total=300,min_factor=0.1,warmup=5,warmup_start=0.25"
    assert q["noise"] == "0.3:4"
    assert (q["surface"], q["animate"], q["logloss"], q["present"]) == ("1", "1", "0", "1")
    custom = codec.to_query(CUSTOM)  # the typed formula's parameters travel under their own keys
    assert (custom["ls"], custom["f"], custom["win"]) == ("custom", "x**2 + 3*y**2 + sin(x*y)", "-3,3,-2,2")
    assert "lp" not in custom
    url = codec.scene_url(FULL)
    assert "run=nesterov:lr=0.001,momentum=0.95;sched=step:gamma=0.3,step_size=40&" in url


def test_json_file_has_header_and_is_pretty() -> None:
    text = codec.to_json(FULL)
    doc = json.loads(text)
    assert doc["format"] == "optimizer-landscape-scene" and doc["version"] == 1
    assert "\n  " in text
    assert doc["runs"][0]["hparams"] == {"beta1": 0.8, "eps": 1e-7, "lr": 0.05}


@pytest.mark.parametrize("preset", PRESETS, ids=[p.key for p in PRESETS])
def test_presets_round_trip_bit_for_bit(preset) -> None:
    scene = preset.scene
    back, warnings = via_url(scene)
    assert (back, warnings) == (scene, [])
    assert codec.from_json(codec.to_json(scene)) == (scene, [])
    assert_same_results(scene, back)


def test_single_strings_and_lists_are_both_accepted() -> None:
    scene = Scene(runs=(spec("adam", lr=0.1),), starts=((1.0, 2.0),))
    q = codec.to_query(scene)
    assert q["run"] == ["adam:lr=0.1"]
    flat = {k: v[0] if isinstance(v, list) else v for k, v in q.items()}  # st.query_params.to_dict()
    assert codec.from_query(flat) == (scene, [])
    listed = {k: v if isinstance(v, list) else [v] for k, v in q.items()}  # parse_qs
    assert codec.from_query(listed) == (scene, [])


def test_input_is_not_mutated() -> None:
    q = codec.to_query(FULL)
    before = json.dumps(q, sort_keys=True)
    codec.from_query(q)
    assert json.dumps(q, sort_keys=True) == before


# --- property: any valid scene round-trips exactly ---------------------------------------------
def _hyper_value(draw, f: dataclasses.Field):
    default = f.default
    if isinstance(default, bool):
        return draw(st.booleans())
    m = spec_of(f)
    lo, hi = max(m.lo, -1e6), min(m.hi, 1e6)
    if isinstance(default, int):
        return draw(st.integers(math.ceil(lo), int(min(hi, 1000))))
    return draw(st.floats(lo, hi, exclude_min=m.lo_open, exclude_max=m.hi_open, allow_nan=False))


@st.composite
def run_specs(draw) -> RunSpec:
    kind = draw(st.sampled_from([k for k in optimizers.names() if k != "polyak"]))
    cls = optimizers.optimizer_class(kind)
    fields = [f for f in dataclasses.fields(cls) if (spec_of(f) and spec_of(f).bounded) or isinstance(f.default, bool)]
    chosen = draw(st.lists(st.sampled_from(fields), unique_by=lambda f: f.name, max_size=len(fields)))
    hp: dict = {}
    for f in chosen:  # keep a value only if the config accepts it (e.g. Nesterov needs momentum)
        value = _hyper_value(draw, f)
        try:
            optimizers.make(kind, **hp, **{f.name: value})
        except ValueError:
            continue
        hp[f.name] = value
    label = draw(st.text(alphabet=string.printable.strip() + "é ;=:&#%", max_size=limits.MAX_LABEL))
    sched = draw(st.none() | schedules())
    return RunSpec(kind, tuple(hp.items()), label, draw(st.integers(0, 1000)), sched)


@st.composite
def schedules(draw) -> Schedule:
    kind = draw(st.sampled_from(SCHEDULES.names()))
    values = {
        "gamma": draw(st.floats(1e-3, 1.0)),
        "step_size": draw(st.integers(1, 500)),
        "decay": draw(st.floats(0.0, 10.0)),
        "total": draw(st.integers(1, 5000)),
        "min_factor": draw(st.floats(0.0, 1.0)),
        "warmup": draw(st.integers(0, 100)),
        "warmup_start": draw(st.floats(0.0, 1.0)),
    }
    fields = {f.name for f in dataclasses.fields(SCHEDULES.get_class(kind))}
    return make_schedule(kind, **{k: v for k, v in values.items() if k in fields})


@st.composite
def valid_scenes(draw) -> Scene:
    name = draw(st.sampled_from(landscapes.builtin_names()))
    cls = landscapes.landscape_class(name)
    params = tuple((k, draw(st.floats(lo, hi))) for k, (lo, hi) in cls.param_bounds().items() if draw(st.booleans()))
    ls = landscapes.get(name, **dict(params))
    w = ls.window
    starts = draw(
        st.lists(
            st.tuples(st.floats(w.xmin, w.xmax), st.floats(w.ymin, w.ymax)), min_size=1, max_size=limits.MAX_STARTS
        )
    )
    runs = tuple(draw(st.lists(run_specs(), min_size=1, max_size=limits.MAX_RUNS)))
    scene = Scene(
        landscape=name,
        landscape_params=params,
        runs=runs,
        starts=tuple(starts),
        steps=1,
        schedule=draw(schedules()),
        noise_sigma=draw(st.floats(0.0, 1e3)),
        batch_size=draw(st.integers(1, 1_000_000)),
        seed=draw(st.integers(0, 2**32 - 1)),
        tol=draw(st.floats(1e-12, 10.0)),
        view=View(*(draw(st.booleans()) for _ in range(4))),
    )
    # within every cap: runs x starts x steps, and the CPU a page may use (line searches cost the most)
    most = min(limits.MAX_STEPS, limits.MAX_RACE_WORK // (len(runs) * len(starts)), scene.work().max_steps())
    assume(most >= 1)  # many costly runs (L-BFGS at its largest history) can be too much at one step
    return scene.replace(steps=draw(st.integers(1, most)))


@FUZZ
@given(valid_scenes())
def test_property_valid_scenes_round_trip_exactly(scene: Scene) -> None:
    assert scene.problems() == []
    assert codec.from_query(codec.to_query(scene)) == (scene, [])
    assert via_url(scene) == (scene, [])
    assert codec.from_json(codec.to_json(scene)) == (scene, [])


@settings(max_examples=200, deadline=None, database=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_property_floats_are_written_bit_for_bit(x: float) -> None:
    text = codec.fmt(x)
    assert float(text) == x and math.copysign(1.0, float(text)) == math.copysign(1.0, x)


def test_scene_url_is_parseable_by_the_standard_library() -> None:
    url = codec.scene_url(FULL, "https://example.org/app")
    assert url.startswith("https://example.org/app?v=1&")
    parsed = parse_qs(urlsplit(url).query)
    assert parsed["run"][0] == "adam:beta1=0.8,eps=1e-07,lr=0.05;bs=8;label=Adam; fast;label=x & co #1"
    assert urlencode(codec.to_query(FULL), doseq=True) != url  # our link leaves :,;= unescaped


def test_polyak_averaging_of_a_run_round_trips() -> None:
    scene = Scene(runs=(spec("momentum", lr=0.002, average_from=50), spec("sgd", lr=0.001)), steps=200)
    back, warnings = codec.from_query(codec.to_query(scene))
    assert warnings == [] and back == scene
    assert_same_results(scene, back)
    back, warnings = codec.from_json(codec.to_json(scene))
    assert warnings == [] and back == scene
    assert back.runs[0].config().kind == "polyak" and back.runs[0].config().inner.kind == "momentum"


@pytest.mark.parametrize("name", ["data_linear", "data_logistic", "data_tanh"])
def test_a_data_link_without_a_batch_size_is_the_full_batch(name: str) -> None:
    n = landscapes.get(name).n_examples
    scene, warnings = codec.from_query({"v": "1", "ls": name})
    assert warnings == [] and scene.batch_size == n > 1
    assert codec.to_query(scene) == {"v": "1", "ls": name}  # the full batch needs no noise= in the link
    assert codec.from_query({"v": "1", "ls": name, "noise": "0.5"})[0].batch_size == n  # sigma alone: still n
    for b in (1, n - 1):  # any other batch size is written and read back
        own = scene.replace(batch_size=b)
        assert codec.to_query(own)["noise"] == f"0:{b}"
        assert via_url(own) == (own, [])
    doc = json.loads(codec.to_json(scene))
    del doc["batch_size"]  # a file without one reads the same way
    assert codec.from_json(json.dumps(doc))[0].batch_size == n


def test_a_formula_link_without_a_batch_size_keeps_the_noise_default() -> None:
    scene, _ = codec.from_query({"v": "1", "ls": "ravine"})
    assert scene.batch_size == Scene().batch_size == 1
