"""The batch-size lesson's core: noise spread sigma/sqrt(B), loss bands, sharp vs flat shares."""

from __future__ import annotations

import math

import numpy as np
import pytest

import landscapes
import optimizers
from analysis import batch
from analysis.batch import BatchSettings, batch_configs, batch_lesson, parse_batches
from optimizers.suggested import NOISY

SMALL = dict(steps=120, seeds=20, basin_batches="1, 64", basin_runs=40, basin_steps=300)


@pytest.fixture(scope="module")
def quadratic_lesson():
    """SGD on the quadratic bowl with every B and full batch, own start away from the minimum."""
    return batch_lesson(
        BatchSettings(
            landscape="quadratic",
            suggested=False,
            lr=0.05,
            sigma=4.0,
            batches="1, 4, 64",
            custom_start=True,
            start_x=1.5,
            start_y=-1.0,
            steps=150,
            seeds=40,
            basin_batches="1, 64",
            basin_runs=20,
            basin_steps=50,
        )
    )


def test_noise_spread_measured_from_runs_is_sigma_over_sqrt_b():
    """Tiny lr on a very flat bowl: the step is -lr (g + n), so n comes back from the path."""
    ls = landscapes.get("quadratic", c=0.01)
    sigma, lr, N, T = 3.0, 1e-4, 40, 200
    batches = (1, 4, 25, 100)
    configs = batch_configs("sgd", lr, sigma, batches, full_batch=True)
    start = np.array([1.0, -0.5])
    res = optimizers.run(ls, configs, np.tile(start, (N, 1)), optimizers.RunOptions(steps=T, seed=7))
    P = res.positions  # (C*N, T+1, 2)
    noise = (P[:, :-1] - P[:, 1:]) / lr - 0.01 * P[:, :-1]  # the bowl's gradient is c p
    for c, b in enumerate(batches):
        sample = noise[c * N : (c + 1) * N]
        expected = sigma / math.sqrt(b)
        assert np.std(sample) == pytest.approx(expected, rel=0.03)
        assert abs(np.mean(sample)) < 4 * expected / math.sqrt(sample.size)
        # x and y noise are uncorrelated
        assert abs(np.corrcoef(sample[..., 0].ravel(), sample[..., 1].ravel())[0, 1]) < 0.03
    full = noise[len(batches) * N :]
    assert np.abs(full).max() < 1e-6


def test_lesson_measures_the_noise_it_adds(quadratic_lesson):
    L = quadratic_lesson
    assert L.batches == (1, 4, 64, None)
    np.testing.assert_allclose(L.noise_expected, [4.0, 2.0, 0.5, 0.0])
    np.testing.assert_allclose(L.noise_measured[:3], [4.0, 2.0, 0.5], rtol=0.03)
    assert L.noise_measured[3] < 1e-9
    table = L.noise_table()
    assert list(table) == ["batch", "expected std σ/√B", "measured std"]
    assert table["batch"][0] == "B = 1 (stochastic)" and table["batch"][-1] == "full batch"


def test_measured_noise_is_nan_for_adaptive_methods():
    L = batch_lesson(BatchSettings(optimizer="adam", **SMALL))
    assert np.isnan(L.noise_measured).all()
    assert np.isfinite(L.noise_expected).all()


def test_every_seed_of_every_batch_size_runs_in_one_call(monkeypatch):
    """Vectorized: the number of ``optimizers.run`` calls does not grow with the seeds or batch sizes."""
    calls = []
    real = optimizers.run

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(optimizers, "run", counting)
    counts = []
    for batches, seeds, basin_batches in (("1", 2, "1"), ("1, 8, 64", 9, "1, 8, 64")):
        calls.clear()
        s = BatchSettings(**{**SMALL, "batches": batches, "seeds": seeds, "basin_batches": basin_batches})
        L = batch_lesson(s)
        C = len(s.batch_sizes) + 1  # with full batch
        assert len(L.result.status) == C * seeds
        np.testing.assert_array_equal(L.result.config_index, np.repeat(np.arange(C), seeds))
        counts.append(len(calls))
    assert counts[0] == counts[1], counts


def test_loss_band_is_numpy_percentiles_over_the_returned_runs(quadratic_lesson):
    L = quadratic_lesson
    C = len(L.labels)
    losses = L.result.losses
    N = losses.shape[0] // C
    per_config = losses.reshape(C, N, -1)
    for c in range(C):
        np.testing.assert_allclose(L.loss_band[0, c], np.percentile(per_config[c], 10, axis=0))
        np.testing.assert_allclose(L.loss_band[1, c], np.median(per_config[c], axis=0))
        np.testing.assert_allclose(L.loss_band[2, c], np.percentile(per_config[c], 90, axis=0))
    final = L.final_loss_table()
    np.testing.assert_allclose(final["median final loss"], np.median(per_config[:, :, -1], axis=1))


def test_runs_share_the_start_and_differ_only_by_noise(quadratic_lesson):
    L = quadratic_lesson
    C, N = len(L.labels), L.result.losses.shape[0] // len(L.labels)
    np.testing.assert_allclose(L.result.positions[:, 0], np.tile([1.5, -1.0], (C * N, 1)))
    noisy = L.result.positions[:N, -1]
    assert len(np.unique(noisy.round(12), axis=0)) == N  # B = 1: every seed its own path
    full = L.result.positions[(C - 1) * N :]
    np.testing.assert_array_equal(full, np.broadcast_to(full[0], full.shape))  # full batch: one path
    assert np.all(L.loss_band[0, -1] == L.loss_band[2, -1])
    # the paths are seed 0 of each config, every step recorded
    np.testing.assert_array_equal(L.paths.start_index, 0)
    np.testing.assert_array_equal(L.paths.config_index, np.arange(C))
    assert L.paths.positions.shape == (C, 151, 2)
    np.testing.assert_allclose(L.paths.positions[:, -1], L.result.positions[np.arange(C) * N, -1])


def test_noise_floor_of_the_loss_falls_with_batch_size(quadratic_lesson):
    """SGD on c|p|^2/2 with noise std s per coordinate settles at E f = lr s^2 / (2 - lr c)
    (stationary variance lr^2 s^2 / (1 - (1 - lr c)^2) per coordinate, times c/2 times 2)."""
    L = quadratic_lesson
    lr, c = 0.05, 1.0
    C = len(L.labels)
    losses = L.result.losses.reshape(C, -1, L.result.losses.shape[1])
    late = losses[:, :, -60:].mean(axis=(1, 2))  # after ~100 steps the start is forgotten (0.95^100)
    for k, b in enumerate((1, 4, 64)):
        s2 = 16.0 / b
        expected = lr * s2 / (2 - lr * c)
        assert late[k] == pytest.approx(expected, rel=0.25)
    assert late[3] < 1e-4


def test_large_batches_stay_in_the_sharp_minimum_small_ones_leave_it():
    s = BatchSettings(basin_batches="1, 64", full_batch=True, basin_runs=60, basin_steps=600, steps=20, seeds=2)
    L = batch_lesson(s)
    sharp_b1, sharp_b64, sharp_full = L.basin_fractions[:, 0]
    assert L.basin_labels == ("B = 1 (stochastic)", "B = 64", "full batch")
    assert sharp_b1 < 0.2 and sharp_b64 > 0.9 and sharp_full == 1.0
    np.testing.assert_allclose(L.basin_fractions.sum(axis=1), 1.0)
    # independent check: the sharp minimum (narrow well at (-1.5, 0)) and where the runs ended
    sf = landscapes.get("sharp_flat")
    sharp = min(sf.minima(), key=lambda m: abs(m.x + 1.5))
    d_sharp = np.hypot(L.basin_final[..., 0] - sharp.x, L.basin_final[..., 1] - sharp.y)
    assert np.mean(d_sharp[1] < 0.3) > 0.9  # B = 64 sits in the narrow well (width 0.2)
    assert np.mean(L.basin_final[0, :, 0] > sf.saddles()[0].x) > 0.7  # B = 1 is over the ridge
    np.testing.assert_allclose(L.basin_starts, np.tile([sharp.x, sharp.y], (60, 1)))


def test_from_spread_starts_large_batches_still_end_sharp_more_often():
    """Starts uniform over the window: large batches end in the sharp well about as often as its
    basin's share of the window (~0.15-0.2); batch 1 almost never."""
    s = BatchSettings(
        basin_batches="1, 64",
        full_batch=False,
        basin_start="spread over the window",
        basin_runs=200,
        basin_steps=600,
        steps=20,
        seeds=2,
        seed=3,
    )
    L = batch_lesson(s)
    small, large = L.basin_fractions[:, 0]
    assert large - small > 0.05
    assert small < 0.08
    w = L.basin_landscape.window
    assert w.contains(L.basin_starts).all() and len(np.unique(L.basin_starts, axis=0)) == 200


def test_parse_batches():
    assert parse_batches("64, 1,8") == (1, 8, 64)
    assert parse_batches("8 8 1e1") == (8, 10)
    for bad in ("", "0", "1.5", "x", "2e6", "nan", "-4", ",".join(str(i) for i in range(1, 11))):
        with pytest.raises(ValueError, match=r"[Ii]nvalid batch"):
            parse_batches(bad)


def test_settings_refuse_bad_values_with_a_message():
    with pytest.raises(ValueError, match="batch size"):
        BatchSettings(batches="1, zero")
    with pytest.raises(ValueError, match="Too much work"):
        BatchSettings(steps=5000, seeds=500)
    with pytest.raises(ValueError, match="Invalid landscape"):
        BatchSettings(landscape="nowhere")
    with pytest.raises(ValueError, match="learning rate"):
        BatchSettings(lr=0.0)
    assert BatchSettings(suggested=True, lr=123.0 / 1000).lr_sigma == NOISY["himmelblau"]
    assert BatchSettings(suggested=False, lr=0.2, sigma=3.0).lr_sigma == (0.2, 3.0)


def test_thin_steps_keeps_first_and_last():
    L = batch_lesson(BatchSettings(steps=999, seeds=2, basin_batches="64", basin_runs=2, basin_steps=5))
    steps = L.result.steps
    assert steps[0] == 0 and steps[-1] == 999 and len(steps) <= batch.MAX_SHOWN_POINTS
    assert L.result.positions.shape[1] == len(steps) == L.loss_band.shape[2]
    np.testing.assert_allclose(L.result.positions[np.arange(len(L.labels)) * 2, -1], L.paths.positions[:, -1])


def test_band_figure_draws_the_band_it_is_given():
    from figures.batch import LOG_FLOOR, band_figure, basin_figure

    steps = np.arange(5) * 10
    band = np.stack([np.full((2, 5), 1.0), np.full((2, 5), 2.0), np.full((2, 5), 4.0)])
    band[:, 1] *= 10
    fig = band_figure(steps, band, ["a", "b"], offset=1.0)
    medians = [t for t in fig.data if t.meta["role"] == "median"]
    assert [t.name for t in medians] == ["a", "b"]
    np.testing.assert_allclose(medians[0].y, 1.0)  # 2 - offset
    np.testing.assert_allclose(medians[1].y, 19.0)
    lows = [t for t in fig.data if t.meta["role"] == "band_lo"]
    assert lows[0].fill == "tonexty"
    np.testing.assert_allclose(lows[0].y, LOG_FLOOR)  # 1 - 1 = 0 floored on the log axis
    assert fig.layout.yaxis.type == "log" and fig.layout.annotations
    no_band = band_figure(steps, band, ["a", "b"], log_y=False, show_band=False)
    assert [t.meta["role"] for t in no_band.data] == ["median", "median"]
    bars = basin_figure(["1", "64"], np.array([[0.1, 0.9, 0.0], [1.0, 0.0, 0.0]]))
    assert [t.name for t in bars.data] == ["sharp minimum", "flat minimum"]  # nobody flew off
    np.testing.assert_allclose(bars.data[0].y, [0.1, 1.0])
