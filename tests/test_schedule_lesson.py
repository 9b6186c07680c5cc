"""The learning-rate schedules lesson's core: lr curves in closed form, decay settles a noisy run."""

from __future__ import annotations

import math

import numpy as np
import pytest

import optimizers
from analysis.schedule_lesson import (
    FORMULAS,
    NAMES,
    TITLES,
    ScheduleSettings,
    lr_curves,
    schedule_lesson,
)
from optimizers import make_schedule


@pytest.fixture(scope="module")
def default_lesson():
    return schedule_lesson(ScheduleSettings(seeds=30))


def test_lr_curves_are_lr0_times_the_schedule_factor(default_lesson):
    L = default_lesson
    T = L.updates.size
    np.testing.assert_array_equal(L.updates, np.arange(1, T + 1))
    for c, sched in enumerate(L.schedules):
        np.testing.assert_allclose(L.lr[c], L.lr0 * np.array([sched.factor(k) for k in range(T)]))


def test_lr_curves_match_closed_forms():
    s = ScheduleSettings(
        steps=400,
        step_gamma=0.3,
        step_size=70,
        exp_gamma=0.98,
        decay=0.05,
        min_factor=0.1,
        warmup=40,
        warmup_start=0.2,
        suggested=False,
        lr=0.2,
    )
    names = s.names
    assert names == NAMES
    _, lr = lr_curves(0.2, [s.schedule(n) for n in names], s.steps)
    row = dict(zip(names, lr, strict=True))
    lr0 = 0.2
    np.testing.assert_allclose(row["constant"], lr0)
    for t in (1, 70, 71, 141, 400):  # update t uses k = t - 1 updates done
        k = t - 1
        assert row["step"][t - 1] == pytest.approx(lr0 * 0.3 ** (k // 70))
        assert row["exponential"][t - 1] == pytest.approx(lr0 * 0.98**k)
        assert row["inverse_time"][t - 1] == pytest.approx(lr0 / (1 + 0.05 * k))
    # step decay is a staircase: flat for 70 updates, then times 0.3
    assert row["step"][69] == pytest.approx(lr0) and row["step"][70] == pytest.approx(0.3 * lr0)
    # cosine: starts at lr0, halfway at (1 + m) / 2 of it, tends to m lr0 at k = T
    cos = row["cosine"]
    assert cos[0] == pytest.approx(lr0)
    assert cos[200] == pytest.approx(lr0 * (0.1 + 0.9 * 0.5))
    assert cos[-1] == pytest.approx(lr0 * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 399 / 400))))
    assert cos[-1] > 0.1 * lr0 and cos[-1] - 0.1 * lr0 < 1e-4 * lr0
    assert np.all(np.diff(cos) <= 0)
    # warm-up: w0 lr0 at the first update, a linear ramp to lr0 at k = W, then cosine over T - W
    wc = row["warmup_cosine"]
    assert wc[0] == pytest.approx(0.2 * lr0)
    assert wc[20] == pytest.approx(lr0 * (0.2 + 0.8 * 20 / 40))
    assert wc[40] == pytest.approx(lr0)
    assert np.all(np.diff(wc[:41]) > 0) and np.all(np.diff(wc[40:]) <= 0)
    j = 399 - 40
    assert wc[-1] == pytest.approx(lr0 * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * j / 360))))


def test_every_schedule_and_seed_in_one_run_call(monkeypatch):
    """Vectorized: the number of ``optimizers.run`` calls does not grow with the seeds or schedules."""
    calls = []
    real = optimizers.run

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(optimizers, "run", counting)
    counts = []
    for seeds, use_exponential in ((2, False), (7, True)):
        calls.clear()
        s = ScheduleSettings(seeds=seeds, steps=80, use_exponential=use_exponential)
        L = schedule_lesson(s)
        C = len(s.names)
        assert ("exponential" in L.names) == use_exponential
        assert len(L.result.status) == C * seeds
        np.testing.assert_array_equal(L.result.config_index, np.repeat(np.arange(C), seeds))
        assert L.labels == tuple(TITLES[n] for n in s.names)
        counts.append(len(calls))
    assert counts[0] == counts[1], counts


def test_distance_and_bands_come_from_the_runs(default_lesson):
    L = default_lesson
    minima = L.landscape.minima_array()
    P = L.result.positions
    d = np.min(np.hypot(P[..., None, 0] - minima[:, 0], P[..., None, 1] - minima[:, 1]), axis=-1)
    np.testing.assert_allclose(L.distance, d)
    C = len(L.names)
    per = d.reshape(C, -1, d.shape[1])
    np.testing.assert_allclose(L.distance_band[1], np.median(per, axis=1))
    np.testing.assert_allclose(L.distance_band[0], np.percentile(per, 10, axis=1))
    np.testing.assert_allclose(L.loss_band[2], np.percentile(L.result.losses.reshape(C, -1, d.shape[1]), 90, axis=1))
    table = L.final_table()
    assert list(table) == ["schedule", "final lr", "mean final distance", "median final distance", "median final loss"]
    np.testing.assert_allclose(table["mean final distance"], per[:, :, -1].mean(axis=1))


@pytest.mark.parametrize("landscape", ["himmelblau", "quadratic"])
def test_decayed_schedules_end_closer_than_constant(landscape):
    """The lesson: with noise, a decayed rate settles nearer the minimum than a constant one."""
    L = schedule_lesson(ScheduleSettings(landscape=landscape, seeds=40, steps=500))
    mean_final = dict(zip(L.names, L.final_table()["mean final distance"], strict=True))
    constant = mean_final.pop("constant")
    assert len(mean_final) >= 4  # the decayed schedules compared (the loop below must not be empty)
    for name, value in mean_final.items():
        assert value < 0.6 * constant, (name, value, constant)


def _expected_sq_distance(lrs, start, c, s):
    """E|p_T|^2 for SGD on c|p|^2/2 with gradient noise std s, rates ``lrs``: the mean contracts as
    m <- (1 - lr c) m, the variance per coordinate as v <- (1 - lr c)^2 v + lr^2 s^2."""
    m, v = np.asarray(start, dtype=float), 0.0
    for lr in lrs:
        m = (1 - lr * c) * m
        v = (1 - lr * c) ** 2 * v + lr**2 * s**2
    return float(m @ m + 2 * v)


def test_final_spread_matches_the_sgd_variance_recursion():
    """Constant rate: about the stationary 2 lr s^2 / (c (2 - lr c)); cosine: far smaller."""
    L = schedule_lesson(
        ScheduleSettings(
            landscape="quadratic",
            seeds=200,
            steps=300,
            use_step=False,
            use_exponential=False,
            use_inverse_time=False,
            use_warmup_cosine=False,
        )
    )
    lr0, s, c, T = 0.1, 4.0, 1.0, 300
    start = L.landscape.starts[0]
    assert L.names == ("constant", "cosine")
    const = _expected_sq_distance([lr0] * T, start, c, s)
    assert const == pytest.approx(2 * lr0 * s**2 / (c * (2 - lr0 * c)), rel=1e-6)
    cos_lrs = [lr0 * 0.5 * (1 + math.cos(math.pi * k / T)) for k in range(T)]
    cosine = _expected_sq_distance(cos_lrs, start, c, s)
    final = L.result.positions[:, -1]
    measured = np.sum(final**2, axis=1).reshape(2, 200).mean(axis=1)
    assert measured[0] == pytest.approx(const, rel=0.2)
    assert measured[1] == pytest.approx(cosine, rel=0.2)
    assert cosine < 0.25 * const


def test_settings_validation():
    with pytest.raises(ValueError, match="warm-up"):
        ScheduleSettings(steps=100, warmup=100)
    ScheduleSettings(steps=100, warmup=100, use_warmup_cosine=False)  # no warm-up schedule: fine
    with pytest.raises(ValueError, match="Too much work"):
        ScheduleSettings(steps=5000, seeds=200)
    with pytest.raises(ValueError, match="Invalid landscape"):
        ScheduleSettings(landscape="moon")
    with pytest.raises(ValueError, match="exponential factor"):
        ScheduleSettings(exp_gamma=0.0)
    assert set(FORMULAS) == set(NAMES) == set(TITLES)
    assert ScheduleSettings().schedule("cosine") == make_schedule("cosine", total=500)


def test_lr_figure_keeps_the_staircase():
    from figures.schedules import lr_figure

    s = ScheduleSettings(steps=3000, step_size=500, seeds=1)
    updates, lr = lr_curves(0.1, [s.schedule(n) for n in ("constant", "step")], 3000)
    fig = lr_figure(updates, lr, ["constant", "step decay"], max_points=100)
    step = fig.data[1]
    x, y = np.asarray(step.x), np.asarray(step.y, dtype=float)
    assert len(x) < 130 and x[0] == 1 and x[-1] == 3000
    # both sides of every jump are kept: the rate halves exactly between updates 500 and 501
    i = int(np.flatnonzero(x == 500)[0])
    assert x[i + 1] == 501 and y[i] == pytest.approx(0.1) and y[i + 1] == pytest.approx(0.05)
    # one plot, one named line per schedule (the legend under it): no panels 80 px wide on a phone
    assert [t.name for t in fig.data] == ["constant", "step decay"] and not fig.layout.annotations
    assert fig.layout.legend.orientation == "h"
