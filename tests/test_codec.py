"""Scene sharing: URL query and JSON round trips (bit for bit), and robustness to any input."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import string
from urllib.parse import parse_qs, urlencode, urlsplit

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import landscapes
import optimizers
from landscapes.custom import CustomLandscape
from optimizers import SCHEDULES, Constant, Schedule, make_schedule
from scenes import RunSpec, Scene, View, codec, limits, spec
from scenes.presets import PRESETS
from settings import spec_for, spec_of

FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def run_arrays(scene: Scene) -> optimizers.RunResult:
    return optimizers.run(scene.landscape_obj(), scene.run_configs(), scene.starts_array(), scene.options())


def assert_same_results(a: Scene, b: Scene) -> None:
    ra, rb = run_arrays(a), run_arrays(b)
    for name in ("positions", "losses", "grad_norms", "status", "status_step", "hit_step", "evals"):
        assert np.array_equal(getattr(ra, name), getattr(rb, name), equal_nan=True), name
    assert ra.labels == rb.labels


def via_url(scene: Scene) -> tuple[Scene, list[str]]:
    """Through a real link: urlencode, then the standard library's query parser."""
    url = codec.scene_url(scene, "http://localhost:8501/")
    return codec.from_query(parse_qs(urlsplit(url).query, keep_blank_values=True))


def assert_valid(scene: Scene, warnings: list[str]) -> None:
    assert isinstance(scene, Scene)
    assert scene.problems() == []
    assert all(isinstance(w, str) and w for w in warnings)
    assert not any("internal error" in w for w in warnings), warnings


# --- scenes with every field away from its default ---------------------------------------------
FULL = Scene(
    landscape="rosenbrock",
    landscape_params=(("b", 20.0), ("a", 0.5)),  # unsorted on purpose: order is kept
    runs=(
        spec("adam", label="Adam; fast;label=x & co #1", batch_size=8, lr=0.05, beta1=0.8, eps=1e-7),
        spec("nesterov", lr=1e-3, momentum=0.95, schedule=make_schedule("step", gamma=0.3, step_size=40)),
        spec("rmsprop", lr=0.01, centered=True, alpha=0.9),
        spec("cg", variant="fletcher_reeves", restart=3),
        spec("polyak", inner="adam", start=10),
        RunSpec("sgd", (("momentum", 0.5), ("lr", 0.1 + 0.2)), "unsorted hparams"),
    ),
    starts=((0.1, 0.2), (-1.0, 1.0), (-0.0, 1 / 3)),
    steps=321,
    schedule=make_schedule("cosine", total=300, min_factor=0.1, warmup=5, warmup_start=0.25),
    noise_sigma=0.3,
    batch_size=4,
    seed=4_000_000_000,
    tol=1e-3,
    view=View(surface=False, animate=True, log_loss=False, presentation=True),
)
CUSTOM = Scene(
    landscape="custom",
    landscape_params=(("formula", "x**2 + 3*y**2 + sin(x*y)"), ("window", (-3.0, 3.0, -2.0, 2.0))),
    runs=(spec("sgd", lr=0.05), spec("adam", lr=0.1)),
    starts=((2.0, 1.5),),
    steps=50,
)


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
    assert (q["surface"], q["animate"], q["logloss"], q["present"]) == ("0", "1", "0", "1")
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


# --- robustness: anything in, a valid scene out --------------------------------------------------
KEY_POOL = [*sorted(codec.KEYS), "", "x", "run ", "Steps", "V"]
VALUE_POOL = st.text(alphabet=string.printable + "é∞", max_size=30) | st.sampled_from(
    [
        "nan",
        "inf",
        "-inf",
        "1e999",
        "-1",
        "0",
        "1e-400",
        "adamz:lr=1",
        "adam:lr=nan",
        "sgd:lr",
        "1,2",
        "a:b",
        "cosine:total=-1",
        "custom",
        "ravine",
        "9" * 80,
        "adam:inner=sgd;bs=-3;label=" + "x" * 60,
    ]
)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(KEY_POOL) | st.text(max_size=8), VALUE_POOL | st.lists(VALUE_POOL, max_size=4), max_size=12
    )
)
def test_random_query_dicts_never_raise(params) -> None:
    if params.get("ls") == "custom" or "custom" in params.get("ls", []):
        params.pop("ls")  # formulas are fuzzed (fewer, slower examples) below
    assert_valid(*codec.from_query(params))


CORPUS = [codec.scene_url(p.scene)[1:] for p in PRESETS] + [codec.scene_url(FULL)[1:]]


@st.composite
def corrupted_queries(draw) -> str:
    q = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "drop", "dup", "mutate", "swap"]))
        i = draw(st.integers(0, max(len(q) - 1, 0)))
        if op == "truncate":
            q = q[:i]
        elif op == "drop":
            q = q[:i] + q[i + 1 :]
        elif op == "dup":
            q = q[:i] + q[i : i + 1] * 2 + q[i + 1 :]
        elif op == "mutate":
            q = q[:i] + draw(st.sampled_from([*"&=,;:%+-.e0159xé", "%00", "%ZZ", "nan"])) + q[i + 1 :]
        else:
            pairs = [p.partition("=") for p in q.split("&")]
            if len(pairs) > 1:
                a, b = draw(st.permutations(range(len(pairs))))[:2]
                pa, pb = pairs[a], pairs[b]
                pairs[a], pairs[b] = (pa[0], "=", pb[2]), (pb[0], "=", pa[2])
                q = "&".join("".join(p) for p in pairs)
    return q


@FUZZ
@given(corrupted_queries())
def test_corrupted_links_never_raise(query: str) -> None:
    assert_valid(*codec.from_url("?" + query))
    assert_valid(*codec.from_query(parse_qs(query, keep_blank_values=True)))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
DOC_KEYS = list(json.loads(codec.to_json(FULL)))


@st.composite
def corrupted_docs(draw) -> object:
    doc = json.loads(codec.to_json(draw(st.sampled_from([FULL] + [p.scene for p in PRESETS]))))
    for _ in range(draw(st.integers(1, 3))):
        node, key = doc, draw(st.sampled_from(DOC_KEYS))
        if isinstance(node.get(key), list) and node[key] and draw(st.booleans()):
            node, key = node[key], draw(st.integers(0, len(node[key]) - 1))
            if isinstance(node[key], dict) and node[key] and draw(st.booleans()):
                node, key = node[key], draw(st.sampled_from(sorted(node[key])))
        node[key] = draw(json_values)
    return doc


@FUZZ
@given(json_values | st.dictionaries(st.sampled_from(DOC_KEYS), json_values) | corrupted_docs())
def test_random_json_documents_never_raise(doc) -> None:
    if isinstance(doc, dict) and doc.get("landscape") == "custom":
        doc["landscape"] = "ravine"
    assert_valid(*codec.from_dict(doc))
    assert_valid(*codec.from_json(json.dumps(doc)))
    assert_valid(*codec.from_dict(doc, strict=False))


@settings(max_examples=25, deadline=None, database=None)
@given(st.text(alphabet="xy+-*/^()0123456789.sincoexpabs ", max_size=25))
def test_random_custom_formulas_never_raise(formula: str) -> None:
    scene, warnings = codec.from_query({"ls": "custom", "f": formula})
    assert_valid(scene, warnings)
    assert scene.landscape in ("custom", "rosenbrock")
    if scene.landscape == "rosenbrock":
        assert any("formula" in w for w in warnings)


# --- specific damage, specific warnings --------------------------------------------------------
# What is asserted is the repaired scene, and that one warning names what was repaired: the setting's name
# and, where the input was a name (an unknown optimizer, parameter, key), that name. Never the sentence:
# the wording of the warnings is free to change.
def one_warning_mentions(warnings: list[str], *words: str) -> bool:
    return any(all(w.lower() in x.lower() for w in words) for x in warnings)


def test_unknown_landscape_falls_back_with_warning() -> None:
    scene, w = codec.from_query({"ls": "everest", "steps": "300"})
    assert scene == Scene(steps=300)
    assert one_warning_mentions(w, "landscape", "everest")


def test_unknown_optimizer_drops_only_that_run() -> None:
    scene, w = codec.from_query({"run": ["adamz:lr=0.1", "adam:lr=0.1"]})
    assert scene.runs == (spec("adam", lr=0.1),)
    assert len(w) == 1 and one_warning_mentions(w, "adamz")


def test_all_runs_bad_gives_default_runs() -> None:
    scene, w = codec.from_query({"run": "nope"})
    assert scene.runs == Scene().runs
    assert one_warning_mentions(w, "nope")


def test_out_of_range_hyperparameter_is_clamped_unreadable_one_ignored() -> None:
    scene, w = codec.from_query({"run": "adam:lr=-1,beta1=0.5,foo=3,beta2=nan"})
    assert [r.kind for r in scene.runs] == ["adam"] and dict(scene.runs[0].hparams) == {"lr": 0.0, "beta1": 0.5}
    assert one_warning_mentions(w, "lr")
    assert one_warning_mentions(w, "foo")
    assert one_warning_mentions(w, "beta2")


def test_cross_field_checks_drop_the_offending_value() -> None:
    scene, w = codec.from_query({"run": "sgd:nesterov=true,lr=0.1"})  # Nesterov needs a momentum
    assert scene.runs == (spec("sgd", lr=0.1),)
    assert one_warning_mentions(w, "nesterov")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("99999", limits.MAX_STEPS),  # clamped to the nearest end of the range
        ("-7", 1),
        ("1e999", limits.MAX_STEPS),
        ("nan", Scene().steps),  # no nearest end: the default
        ("12.5", Scene().steps),
        ("9" * 100, Scene().steps),
    ],
)
def test_steps_are_clamped_or_dropped(value: str, expected: int) -> None:
    scene, w = codec.from_query({"steps": value})
    assert scene.steps == expected
    assert len(w) == 1 and one_warning_mentions(w, "steps")


@pytest.mark.parametrize(
    ("key", "value", "field", "expected", "name"),
    [
        ("seed", "-5", "seed", 0, "seed"),
        ("seed", str(2**40), "seed", 2**32 - 1, "seed"),
        ("tol", "100", "tol", 10.0, "tol"),
        ("tol", "0", "tol", 1e-12, "tol"),
        ("noise", "1e300:0", "noise_sigma", 1e3, "noise"),
        ("noise", "-1", "noise_sigma", 0.0, "noise"),
        ("noise", "0.5:1e12", "batch_size", 1_000_000, "batch"),
    ],
)
def test_numbers_out_of_range_are_clamped(key: str, value: str, field: str, expected: float, name: str) -> None:
    scene, w = codec.from_query({key: value})
    assert getattr(scene, field) == expected
    assert scene.problems() == []
    assert one_warning_mentions(w, name)


def test_infinite_and_nan_values_warn() -> None:
    scene, w = codec.from_query({"tol": "nan", "noise": "inf", "start": ["nan,1", "1,inf"], "win": "0,inf,0,1"})
    assert scene.tol == Scene().tol and scene.noise_sigma == 1e3 and scene.landscape_params == ()
    # start 1 (x is nan) is dropped; start 2 keeps x and has y clamped to the top of the expanded window
    win = landscapes.get("rosenbrock").window
    assert scene.starts == ((1.0, win.ymax + (win.ymax - win.ymin)),)
    for name in ("tol", "noise", "start", "window"):
        assert one_warning_mentions(w, name), name
    assert sum("start" in x for x in w) >= 2  # both starts were repaired


def test_starts_are_clamped_to_the_expanded_window() -> None:
    scene, w = codec.from_query({"start": "1e9,-2"})
    win = landscapes.get("rosenbrock").window  # (-2, 2, -1, 3): grown by one width/height per side
    assert scene.starts == ((win.xmax + (win.xmax - win.xmin), -2.0),)
    assert len(w) == 1 and one_warning_mentions(w, "start")


def test_ten_thousand_runs_are_capped() -> None:
    scene, w = codec.from_query({"run": ["sgd:lr=0.01"] * 10_000, "start": ["0,0"] * 100})
    assert len(scene.runs) == limits.MAX_RUNS and len(scene.starts) == limits.MAX_STARTS
    assert one_warning_mentions(w, "runs") and one_warning_mentions(w, "start")
    scene, w = codec.from_dict({"runs": [{"kind": "sgd"}] * 10_000})
    assert len(scene.runs) == limits.MAX_RUNS and one_warning_mentions(w, "runs")


def test_too_much_work_reduces_steps() -> None:
    runs = ["sgd"] * limits.MAX_RUNS
    starts = [f"{i / 10},0" for i in range(limits.MAX_STARTS)]
    scene, w = codec.from_query({"run": runs, "start": starts, "steps": "5000"})
    assert scene.steps == 200_000 // (12 * 8) == 2083
    assert scene.problems() == []  # the page will run it
    assert len(w) == 1 and one_warning_mentions(w, "steps")


def test_custom_formula_is_validated() -> None:
    scene, w = codec.from_query({"ls": "custom", "f": "x**2 +* y"})  # refused: the default formula instead
    assert scene.landscape == "custom" and scene.landscape_obj().formula == CustomLandscape().formula
    assert "x**2 +* y" not in str(scene.landscape_params)
    assert one_warning_mentions(w, "formula")
    scene, w = codec.from_query({"ls": "custom", "f": ""})
    assert scene.landscape == "custom" and scene.landscape_obj().formula == CustomLandscape().formula
    assert one_warning_mentions(w, "formula")
    scene, w = codec.from_query({"ls": "ravine", "f": "x**2"})
    assert scene.landscape == "ravine" and scene.landscape_params == () and one_warning_mentions(w, "formula")


def test_landscape_parameters_are_checked() -> None:
    scene, w = codec.from_query({"ls": "ravine", "lp": "kappa:1e9,angle:x,zeta:1,junk"})
    assert scene.landscape_params == (("kappa", 1000.0),)
    assert one_warning_mentions(w, "kappa")
    assert one_warning_mentions(w, "angle")
    assert one_warning_mentions(w, "zeta")
    assert one_warning_mentions(w, "junk")


def test_bad_schedule_and_view_values() -> None:
    scene, w = codec.from_query({"sched": "warp:total=3", "present": "maybe", "animate": "yes"})
    assert scene.schedule == Constant() and scene.view == View(animate=True)
    assert one_warning_mentions(w, "schedule", "warp")
    assert one_warning_mentions(w, "present")
    scene, w = codec.from_query({"sched": "cosine:total=0,min_factor=0.5,gamma=2"})
    assert scene.schedule == make_schedule("cosine", total=1, min_factor=0.5)  # total clamped, gamma not cosine's
    assert one_warning_mentions(w, "total") and one_warning_mentions(w, "gamma")


def test_unknown_keys_and_repeated_single_keys() -> None:
    scene, w = codec.from_query({"utm_source": "mail", "steps": ["100", "200"]})
    assert scene.steps == 200
    assert one_warning_mentions(w, "unknown", "utm_source")
    assert one_warning_mentions(w, "steps")


@pytest.mark.parametrize("version", ["0", "2", "abc"])
def test_other_versions_are_read_with_a_warning(version: str) -> None:
    scene, w = codec.from_query({"v": version, "steps": "123"})
    assert scene.steps == 123
    assert one_warning_mentions(w, "version")
    doc = json.loads(codec.to_json(Scene(steps=123)))
    doc["version"] = int(version) if version.isdigit() else version
    scene, w = codec.from_json(json.dumps(doc))
    assert scene.steps == 123 and one_warning_mentions(w, "version")


def test_huge_json_file_is_refused() -> None:
    text = codec.to_json(FULL)[:-2] + ', "pad": "' + "x" * 1_000_000 + '"}'
    scene, w = codec.from_json(text)
    assert scene == Scene() and w
    scene, w = codec.from_json(text.encode())
    assert scene == Scene() and w


@pytest.mark.parametrize("text", ["", "{", "[1, 2", "nul", "\x00", "{'single': 'quotes'}", "[" * 20_000 + "]" * 20_000])
def test_malformed_json_gives_default_scene(text: str) -> None:
    scene, w = codec.from_json(text)
    assert scene == Scene() and w


def test_json_of_the_wrong_shape() -> None:
    scene, w = codec.from_json("[1, 2, 3]")
    assert scene == Scene() and w
    scene, w = codec.from_json(json.dumps({"format": "something-else", "version": 1}))
    assert scene == Scene() and w
    scene, w = codec.from_json(b"\xff\xfe")
    assert scene == Scene() and w


def test_json_wrong_types_are_reported() -> None:
    doc = {
        "version": 1,
        "steps": "300",
        "seed": True,
        "runs": {"kind": "adam"},
        "starts": [[1, 2, 3], ["1", 0.5]],
        "landscape_params": [1, 2],
        "view": {"surface": "no", "animate": 1},
        "tol": [0.1],
        "schedule": "cosine",
        "window": "0,1,0,1",
    }
    scene, w = codec.from_json(json.dumps(doc))
    assert scene.problems() == []
    assert scene.steps == 300 and one_warning_mentions(w, "steps")
    assert scene.seed == 0 and one_warning_mentions(w, "seed")
    assert scene.runs == Scene().runs and one_warning_mentions(w, "runs")
    assert scene.starts == ((1.0, 0.5),) and sum("start" in x for x in w) >= 2  # both starts were repaired
    assert scene.landscape_params == () and one_warning_mentions(w, "landscape")
    assert scene.view == View(surface=False, animate=True)
    assert one_warning_mentions(w, "surface") and one_warning_mentions(w, "animate")
    assert scene.tol == Scene().tol and one_warning_mentions(w, "tol")
    assert scene.schedule == Constant() and one_warning_mentions(w, "schedule")
    assert scene.landscape_params == () and one_warning_mentions(w, "window")


def test_json_run_details() -> None:
    doc = {
        "runs": [
            {
                "kind": "adam",
                "hparams": {"lr": "0.5"},
                "label": "a\nb" + "x" * 50,
                "batch_size": -3,
                "colour": "red",
                "schedule": {"kind": "step", "gamma": 0.0},
            },
            "adam",
            {"kind": 3},
        ]
    }
    scene, w = codec.from_dict(doc)
    gamma_lo = spec_for(type(make_schedule("step")), "gamma").closed()[0]  # 0 is outside (0, 1]: clamped
    assert scene.runs == (RunSpec("adam", (("lr", 0.5),), "ab" + "x" * 38, 0, make_schedule("step", gamma=gamma_lo)),)
    for words in (("lr",), ("batch",), ("colour",), ("gamma",)):
        assert one_warning_mentions(w, *words), words
    for n in (2, 3):  # the dropped runs, by their number in the file
        assert any(re.search(rf"\brun\W{{0,3}}{n}\b", x) for x in w), (n, w)
    assert sum("label" in x for x in w) >= 2  # control characters removed, and cut to the maximum length


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
