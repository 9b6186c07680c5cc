"""Scene sharing, specific damage: the repaired scene and a warning naming what was repaired."""

from __future__ import annotations

import json
import re

import pytest

import landscapes
from landscapes.custom import CustomLandscape
from optimizers import Constant, make_schedule
from scenes import RunSpec, Scene, View, codec, limits, spec
from settings import spec_for
from tests.codec_support import FULL


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
