"""EWMA lesson: the averages against a plain loop, bias correction, weights, the series and the figures."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.ewma import (
    EwmaSettings,
    bias_corrected,
    e_folding,
    effective_window,
    ewma,
    ewma_corrected,
    ewma_lesson,
    temperature_series,
    weights,
)
from figures.ewma import series_figure, weights_figure
from scenes import flat

BETAS = (0.0, 0.5, 0.9, 0.98, 0.999)


def loop_ewma(theta, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """Reference: the recursion written out, v_0 = 0; returns (raw, bias-corrected)."""
    v, raw, corrected = 0.0, [], []
    for t, x in enumerate(theta, start=1):
        v = beta * v + (1 - beta) * x
        raw.append(v)
        corrected.append(v / (1 - beta**t))
    return np.array(raw), np.array(corrected)


def series(n: int = 300, seed: int = 3) -> np.ndarray:
    return temperature_series(n, seed)[2]


def test_matches_a_plain_loop_for_every_beta():
    theta = series()
    raw = ewma(theta, BETAS)
    corr = ewma_corrected(theta, BETAS)
    assert raw.shape == corr.shape == (len(BETAS), theta.size)
    for i, beta in enumerate(BETAS):
        ref_raw, ref_corr = loop_ewma(theta, beta)
        assert np.allclose(raw[i], ref_raw, rtol=1e-12, atol=1e-12)
        assert np.allclose(corr[i], ref_corr, rtol=1e-10, atol=1e-12)
        assert np.allclose(bias_corrected(raw, BETAS)[i], ref_corr, rtol=1e-10, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(theta1=st.floats(-1e6, 1e6, allow_nan=False), beta=st.floats(0.0, 0.999))
def test_first_values(theta1, beta):
    theta = np.array([theta1, 1.0, 2.0])
    raw = ewma(theta, [beta])
    assert raw[0, 0] == (1 - beta) * theta1
    assert ewma_corrected(theta, [beta])[0, 0] == theta1  # bit for bit
    # the plain formula v_1 / (1 - beta) is within rounding of it
    assert bias_corrected(raw, [beta])[0, 0] == pytest.approx(theta1, rel=1e-15, abs=1e-300)


def test_bias_corrected_first_value_equals_the_first_sample_for_every_beta():
    theta = series(50)
    assert np.all(ewma_corrected(theta, BETAS)[:, 0] == theta[0])
    assert np.all(ewma_lesson(EwmaSettings(beta=0.37)).corrected[:, 0] == temperature_series(365, 0)[2][0])


def test_constant_series():
    c = 7.25
    theta = np.full(1000, c)
    raw = ewma(theta, BETAS)
    assert np.all(ewma_corrected(theta, BETAS) == c)  # exact at every step
    assert np.allclose(bias_corrected(raw, BETAS), c, rtol=1e-12)
    t = np.arange(1, 1001)
    for i, beta in enumerate(BETAS):  # raw approaches c like 1 - beta^t
        assert np.allclose(raw[i], c * (1 - beta**t), rtol=1e-10)
    assert np.allclose(raw[:-1, -1], c, rtol=1e-9)  # every beta but 0.999 has converged by day 1000
    assert abs(raw[-1, -1] - c) / c == pytest.approx(0.999**1000, rel=1e-9)


@pytest.mark.parametrize("beta", BETAS)
@pytest.mark.parametrize("t", [1, 2, 10, 300])
def test_weights_sum_to_one_minus_beta_power_t(beta, t):
    w = weights([beta], np.arange(t))[0]
    assert w.sum() == pytest.approx(1 - beta**t, rel=1e-12, abs=1e-15)


def test_the_unrolled_weights_reproduce_the_average():
    theta = series(40)
    beta, t = 0.9, 40
    w = weights([beta], np.arange(t))[0]
    assert float(w @ theta[::-1]) == pytest.approx(ewma(theta, [beta])[0, -1], rel=1e-12)


def test_effective_window_and_e_folding():
    assert np.allclose(effective_window([0.5, 0.9, 0.98]), [2.0, 10.0, 50.0])
    k = e_folding([0.5, 0.9, 0.98, 0.0])
    assert np.allclose(np.array([0.5, 0.9, 0.98]) ** k[:3], np.exp(-1.0))
    assert k[3] == 0.0
    assert k[2] == pytest.approx(50.0, rel=0.02)  # close to 1/(1 - beta) for beta near 1


def test_temperature_series_is_seeded_seasonal_and_noisy():
    days, season, theta = temperature_series(730, 5, mean=10.0, amplitude=8.0, noise=3.0)
    assert days[0] == 1 and days.size == 730
    assert np.allclose(season[:365], season[365:])  # one-year period
    assert season.max() == pytest.approx(18.0, abs=1e-3) and season.min() == pytest.approx(2.0, abs=1e-3)
    noise = theta - season
    assert np.std(noise) == pytest.approx(3.0, rel=0.1)
    assert np.array_equal(theta, temperature_series(730, 5, mean=10.0, amplitude=8.0, noise=3.0)[2])
    assert not np.array_equal(theta, temperature_series(730, 6, mean=10.0, amplitude=8.0, noise=3.0)[2])
    # the same noise as numpy's generator gives directly
    assert np.allclose(noise, 3.0 * np.random.default_rng(5).standard_normal(730))


def test_invalid_input_is_refused():
    with pytest.raises(ValueError):
        ewma(np.ones(3), [1.0])
    with pytest.raises(ValueError):
        temperature_series(0, 1)
    with pytest.raises(ValueError, match="beta"):
        EwmaSettings(beta=1.0)
    s, warnings = flat.from_query(EwmaSettings, {"beta": "2", "days": "5000"})
    assert s.beta == 0.999 and s.days == 1000 and len(warnings) == 2


def test_lesson_betas_and_table():
    lesson = ewma_lesson(EwmaSettings(beta=0.7, days=200))
    assert tuple(lesson.betas) == (0.5, 0.7, 0.9, 0.98)
    assert ewma_lesson(EwmaSettings(beta=0.9)).betas.size == 3  # no duplicate
    rows = lesson.table()
    assert [r["window 1/(1−β)"] for r in rows] == pytest.approx([2, 1 / 0.3, 10, 50])
    for r, beta in zip(rows, lesson.betas, strict=True):
        assert r["day 1, corrected"] == lesson.theta[0]
        assert r["day 1, raw"] == pytest.approx((1 - beta) * lesson.theta[0])


@pytest.mark.parametrize("beta", [0.9, 0.95, 0.0])
def test_series_figure_traces(beta):
    lesson = ewma_lesson(EwmaSettings(beta=beta, days=120))
    fig = series_figure(lesson)
    n_betas = lesson.betas.size
    assert len(fig.data) == 2 * n_betas + 1
    roles = [t.meta["role"] for t in fig.data]
    assert roles.count("data") == 1 and roles.count("corrected") == roles.count("raw") == n_betas
    assert all(f"{1 / (1 - b):.3g} days" in fig.data[1 + 2 * i].name for i, b in enumerate(lesson.betas))
    raw_09 = next(t for t in fig.data if t.meta["role"] == "raw" and t.meta["beta"] == 0.9)
    ref_raw, _ = loop_ewma(lesson.theta, 0.9)
    assert np.allclose(np.asarray(raw_09.y, dtype=float), ref_raw, rtol=1e-6)
    zoom = series_figure(lesson, last_day=30)
    assert len(zoom.data) == 2 * n_betas + 1 and all(len(t.x) == 30 for t in zoom.data)


def test_weights_figure_marks_the_e_point_of_each_beta():
    lesson = ewma_lesson(EwmaSettings(beta=0.95))
    fig = weights_figure(lesson)
    curves = [t for t in fig.data if t.meta["role"] == "weights"]
    points = [t for t in fig.data if t.meta["role"] == "e_point"]
    assert len(curves) == len(points) == lesson.betas.size
    for c, p in zip(curves, points, strict=True):
        beta = c.meta["beta"]
        assert np.allclose(np.asarray(c.y, dtype=float), (1 - beta) * beta ** np.asarray(c.x, dtype=float), rtol=1e-6)
        assert p.x[0] == pytest.approx(-1 / np.log(beta))
        assert p.y[0] == pytest.approx((1 - beta) * beta ** p.x[0])  # the curve's value there: first weight / e
    assert weights_figure(lesson, log_y=True).layout.yaxis.type == "log"
