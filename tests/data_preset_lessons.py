"""The lessons of the data presets (``scenes.data_presets``), each checked on the preset's own run
against references computed here (scipy's minimizer, closed forms, the data itself). Collected into
``tests/test_presets.py``'s table of lessons."""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.optimize import minimize

from optimizers import RunResult
from scenes.presets import preset_by_key


def _landscape(key: str):
    return preset_by_key(key).scene.landscape_obj()


def _scipy_min(fun, x0) -> np.ndarray:
    return minimize(fun, x0, method="Nelder-Mead", options=dict(xatol=1e-10, fatol=1e-14, maxiter=20000)).x


def lesson_feature_scaling(r: RunResult) -> None:
    raw = _landscape("feature_scaling")
    scaled = dataclasses.replace(raw, standardize=True)
    assert raw.condition_number() > 100 and scaled.condition_number() < 1.5
    gd, momentum = r.hit_step
    assert gd == -1 and 0 < momentum < 200  # raw: GD never arrives in 500 steps, momentum does
    scene = preset_by_key("feature_scaling").scene
    import optimizers

    again = optimizers.run(scaled, scene.run_configs()[:1], scene.starts_array(), scene.options())
    assert 0 < again.hit_step[0] < 500  # the same GD on the standardized feature arrives


def lesson_data_batch_sizes(r: RunResult) -> None:
    ls = _landscape("data_batch_sizes")
    best = _scipy_min(lambda p: float(ls.value(p)), np.zeros(2))
    d = np.linalg.norm(r.final_positions - best, axis=1)
    assert d[0] > 0.2 and d[1] < 0.1 and d[2] < 0.05  # B = 1 wanders; B = 32 and B = n close in
    # the wandering: B = 1's path over its last 100 steps is much longer than the full batch's
    length = np.linalg.norm(np.diff(r.positions[:, -100:], axis=1), axis=2).sum(axis=1)
    assert length[0] > 10 * length[2]


def lesson_separable_weight_decay(r: RunResult) -> None:
    ls = _landscape("separable_weight_decay")
    assert ls.minima() == () and "separable" in ls.no_minimum_reason
    w = np.linalg.norm(r.positions, axis=2)
    assert w[0, -1] > w[0, 500] > w[0, 100]  # no decay: the weights keep growing
    # with decay 0.05, SGD settles on the minimum of the loss plus 0.05 / 2 |p|^2
    decayed = dataclasses.replace(ls, l2=0.05)
    best = _scipy_min(lambda p: float(decayed.value(p)), np.zeros(2))
    np.testing.assert_allclose(r.final_positions[1], best, atol=1e-3)


def lesson_tanh_symmetry(r: RunResult) -> None:
    ls = _landscape("tanh_symmetry")
    # the loss is even: L(w, v) = L(-w, -v), and the two minima are mirror images
    p = np.random.default_rng(0).uniform(-3, 3, (20, 2))
    np.testing.assert_allclose(ls.value(p), ls.value(-p), rtol=1e-13)
    m = ls.minima_array()
    assert len(m) == 2 and np.allclose(m[0], -m[1])
    # the mirror-image starts end at mirror-image points, one at each minimum
    np.testing.assert_allclose(r.final_positions[0], -r.final_positions[1], atol=1e-9)
    ends = {int(np.argmin(np.linalg.norm(m - q, axis=1))) for q in r.final_positions}
    assert ends == {0, 1}
    assert np.allclose(ls.grad(np.zeros(2)), 0.0)  # the origin is critical: tanh(0) = 0 kills both terms


def lesson_train_test_minima(r: RunResult) -> None:
    ls = _landscape("train_test_minima")
    train = _scipy_min(lambda p: float(ls.value(p)), np.zeros(2))
    test = _scipy_min(lambda p: float(ls.on("test").value(p)), np.zeros(2))
    assert np.linalg.norm(train - test) > 0.5  # visibly apart on the contour
    np.testing.assert_allclose(ls.on("test").minima_array()[0], test, atol=1e-6)
    np.testing.assert_allclose(r.final_positions, [train, train], atol=1e-2)  # both runs reach the train one


DATA_LESSONS = {name.removeprefix("lesson_"): fn for name, fn in globals().items() if name.startswith("lesson_")}
