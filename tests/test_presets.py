"""Presets: well formed, valid, and each one's lesson visible in the numbers of its run."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pytest

import landscapes
import optimizers
from optimizers import RunResult, Status
from scenes import Scene
from scenes.presets import PRESETS, Preset, preset_by_key
from tests.data_preset_lessons import DATA_LESSONS


def test_presets_are_well_formed() -> None:
    assert len(PRESETS) >= 10
    keys = [p.key for p in PRESETS]
    assert len(set(keys)) == len(keys)
    assert len({p.title for p in PRESETS}) == len(PRESETS)
    for p in PRESETS:
        assert isinstance(p, Preset) and p.key.isidentifier()
        assert p.title and p.concept
        lines = p.caption.split("\n")
        assert len(lines) == 2 and all(line.strip() for line in lines), p.key
        assert all(len(line) <= 110 for line in lines), p.key


@pytest.mark.parametrize("preset", PRESETS, ids=[p.key for p in PRESETS])
def test_preset_scene_is_valid_and_modest(preset: Preset) -> None:
    s = preset.scene
    assert s.problems() == []
    assert s.steps <= 1500
    assert len(s.runs) * len(s.starts) * s.steps <= 30_000
    # every start inside the landscape's view, so the picture shows where the runs begin (a data
    # landscape's view is set by its data: the batch-size preset's start once lay left of it)
    w = s.landscape_obj().window
    for x, y in s.starts_array():
        assert w.xmin <= x <= w.xmax and w.ymin <= y <= w.ymax, (x, y, w)


def test_concepts_come_from_the_concept_notes() -> None:
    words = {
        "momentum",
        "nesterov",
        "adagrad",
        "rmsprop",
        "adam",
        "saddle",
        "batch",
        "learning-rate",
        "newton",
        "weight decay",
        "adadelta",
        "polyak",
        "basins",
        "ravine",
        "sharp",
        "scaling",
        "symmetry",
        "generalization",
    }
    for p in PRESETS:
        assert any(w in p.concept.lower() for w in words), p.concept


def test_preset_by_key() -> None:
    assert preset_by_key("ravine_momentum") is PRESETS[0]
    with pytest.raises(KeyError, match="known: ravine_momentum"):
        preset_by_key("nope")


# --- the lessons -------------------------------------------------------------------------------
def run_scene(scene: Scene) -> RunResult:
    return optimizers.run(scene.landscape_obj(), scene.run_configs(), scene.starts_array(), scene.options())


@functools.cache
def result(key: str) -> RunResult:
    return run_scene(preset_by_key(key).scene)


def by_label(r: RunResult, label: str) -> np.ndarray:
    """Run indices of the config with this label."""
    return np.flatnonzero(np.array(r.labels)[r.config_index] == label)


def first_step(mask: np.ndarray) -> int:
    """First index where ``mask`` (one run's recorded steps) holds, -1 if never."""
    return int(np.argmax(mask)) if mask.any() else -1


def lesson_ravine_momentum(r: RunResult) -> None:
    gd, mom = r.hit_step
    assert 0 < mom < gd / 2
    # GD's coordinate across the valley (u along the steep axis, 30 degrees) flips sign every step:
    # u_t = (1 - lr * kappa)^t u_0 = (-0.9)^t u_0
    e_u = np.array([np.cos(np.pi / 6), np.sin(np.pi / 6)])
    u = r.positions[0, :20] @ e_u
    assert np.all(np.sign(u[1:]) == -np.sign(u[:-1]))
    assert np.allclose(u, u[0] * (-0.9) ** np.arange(20))


def lesson_nesterov_overshoot(r: RunResult) -> None:
    p = r.positions  # minimum at the origin; overshoot = how far each run goes past it
    d0 = p[:, 0] / np.linalg.norm(p[:, 0], axis=1, keepdims=True)
    overshoot = (-(p * d0[:, None, :]).sum(-1)).max(axis=1)
    momentum, nesterov = overshoot
    assert nesterov < 0.75 * momentum
    assert 0 < r.hit_step[1] < r.hit_step[0]


def lesson_adagrad_plateau(r: RunResult) -> None:
    sgd, adagrad, rmsprop = r.final_losses
    assert rmsprop < 1e-8 and r.status[2] == Status.CONVERGED
    assert adagrad > 0.9 and sgd > 0.9  # the plateau's height is about 1
    # Adagrad's steps shrink: its last 100 steps cover less ground than its first 100
    steps = np.linalg.norm(np.diff(r.positions[1], axis=0), axis=1)
    assert steps[-100:].sum() < 0.5 * steps[:100].sum()


def lesson_saddle_escape(r: RunResult) -> None:
    escape = [first_step(np.abs(r.positions[i, :, 1]) > 0.5) for i in range(3)]
    gd, sgd_b1, momentum = escape
    assert 0 < momentum < sgd_b1 < gd and gd > 2 * momentum
    # lingering: at step 200 the nearly exact GD still sits at the saddle
    assert np.linalg.norm(r.positions[0, 200]) < 0.05


def lesson_adam_rosenbrock(r: RunResult) -> None:
    sgd, sgd_big, adam = (by_label(r, lab)[0] for lab in ("SGD lr 0.002", "SGD lr 0.0025", "Adam"))
    assert r.hit_step[adam] > 0 and r.hit_step[sgd] == -1
    assert r.status[sgd_big] == Status.DIVERGED
    assert r.final_losses[adam] < r.final_losses[sgd] / 100


def lesson_batch_noise(r: RunResult) -> None:
    tail = r.losses[:, 300:].mean(axis=1)  # batch 1, 8, 64
    assert tail[0] > 3 * tail[1] > 9 * tail[2]


def lesson_lr_decay(r: RunResult) -> None:
    final = r.final_losses.reshape(3, -1)  # small lr, big lr, big lr decayed x 4 starts
    assert final[2].max() < 0.05 < 0.5 < final[:2].min()
    assert np.all(r.nearest_minimum[8:] == 0) and np.all(r.distance[8:] < 0.05)


def lesson_newton_saddle(r: RunResult) -> None:
    newton = by_label(r, "Newton")
    others = np.setdiff1d(np.arange(len(r.status)), newton)
    assert np.all(r.status[newton] == Status.STALLED)
    assert np.allclose(r.final_positions[newton], 0.0, atol=1e-9)  # the saddle of x^2 + (y^2 - 1)^2 / 2
    assert np.all(r.status[others] == Status.CONVERGED)
    assert np.allclose(np.abs(r.final_positions[others]), [0.0, 1.0], atol=1e-6)  # the minima (0, +-1)


def lesson_quasi_newton_ravine(r: RunResult) -> None:
    gd, cg, bfgs, newton = r.hit_step
    assert newton == 1 and 0 < cg <= 3 and 0 < bfgs <= 5 and gd > 100


def lesson_sharp_flat(r: RunResult) -> None:
    ls = landscapes.get("sharp_flat")
    divide = ls.saddles()[0].x  # the ridge between the two wells
    in_flat = (r.final_positions[:, 0] > divide).reshape(3, -1).mean(axis=1)  # batch 1, 4, 64
    assert in_flat[0] >= 0.5 and in_flat[0] > in_flat[1] > in_flat[2] == 0.0
    sharp = np.array([-1.5, 0.0])
    assert np.all(np.linalg.norm(r.final_positions[-8:] - sharp, axis=1) < 0.3)


def lesson_weight_decay(r: RunResult) -> None:
    # Booth: grad f = (10x + 8y - 34, 8x + 10y - 38); with the L2 term the run stops where
    # grad f + wd p = 0, i.e. (H + wd I) p = (34, 38) with H = [[10, 8], [8, 10]]
    for i, wd in enumerate((0.0, 2.0, 10.0)):
        target = np.linalg.solve(np.array([[10.0 + wd, 8.0], [8.0, 10.0 + wd]]), [34.0, 38.0])
        assert np.allclose(r.final_positions[i], target, atol=1e-6)
    norms = np.linalg.norm(r.final_positions, axis=1)
    assert norms[0] > norms[1] > norms[2]


def lesson_adadelta_no_lr(r: RunResult) -> None:
    adadelta, sgd_small, _ = r.hit_step
    assert adadelta > 0 and sgd_small == -1
    # the same untuned Adadelta on a bowl 1000x steeper keeps the same pace (SGD at lr 0.01 would not)
    steep = preset_by_key("adadelta_no_lr").scene.replace(landscape_params=(("c", 100.0),))
    r2 = run_scene(steep)
    assert abs(r2.hit_step[0] - adadelta) < 0.1 * adadelta


def lesson_polyak_averaging(r: RunResult) -> None:
    tail = r.losses[:, -200:].mean(axis=1)  # SGD, its Polyak average
    assert tail[1] < 0.3 * tail[0]


def lesson_basins(r: RunResult) -> None:
    sgd = by_label(r, "SGD")
    assert np.all(r.status[sgd] == Status.CONVERGED)
    assert set(r.nearest_minimum[sgd]) == {0, 1, 2, 3}  # Himmelblau's four minima all reached
    adam = by_label(r, "Adam")
    assert r.nearest_minimum[sgd[2]] != r.nearest_minimum[adam[2]]  # the start (0.5, -1.5)


LESSONS: dict[str, Callable[[RunResult], None]] = {
    name.removeprefix("lesson_"): fn for name, fn in globals().items() if name.startswith("lesson_")
} | DATA_LESSONS


def test_every_preset_has_a_lesson_check() -> None:
    assert set(LESSONS) == {p.key for p in PRESETS}


@pytest.mark.parametrize("key", [p.key for p in PRESETS])
def test_lesson_is_visible(key: str) -> None:
    LESSONS[key](result(key))
