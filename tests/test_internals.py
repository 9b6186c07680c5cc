"""'Inside the optimizer': the recorded gradients, states, bias-corrected moments and step sizes against
hand computations, the runner, and the figure's arrows."""

from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optimizers
from analysis.internals import (
    OPTIMIZERS,
    InternalsSettings,
    bias_correction,
    clamp_step,
    effective_step_size,
    step_rows,
    trace_lesson,
    trace_run,
)
from figures.grid import evaluate_grid
from figures.internals import ARROW_FRACTION, bias_figure, effective_lr_figure, internals_contour, state_figure
from optimizers.first_order import SGD, Adadelta, Adagrad, Adam, Momentum
from scenes import flat

QUAD = landscapes.get("quadratic")  # f = (x^2 + y^2) / 2: the gradient at p is p itself
RAVINE = landscapes.get("ravine")
START = np.array([-1.5, 1.0])


def fd_grad(landscape, p: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central finite differences of the landscape's value, shape (2,)."""
    e = np.eye(2) * h
    return np.array([(landscape.value(p + e[i]) - landscape.value(p - e[i])) / (2 * h) for i in range(2)])


# --- Adam --------------------------------------------------------------------------------------
def test_adam_first_step_moments_by_hand():
    tr = trace_run(QUAD, Adam(lr=0.05, beta1=0.9, beta2=0.999), START, 5)
    g = START  # gradient of the bowl at the start
    assert np.allclose(fd_grad(QUAD, START), g, atol=1e-8)
    assert np.allclose(tr.grads[0], g, rtol=0, atol=0)
    assert np.allclose(tr.state["mu"][0], 0.1 * g, rtol=1e-15, atol=0)
    assert np.allclose(tr.state["nu"][0], 0.001 * g * g, rtol=1e-12, atol=0)
    # bias correction: after one step m_hat = m / (1 - b1) = g exactly and v_hat = g^2
    assert np.allclose(tr.m_hat[0], g, rtol=1e-14, atol=0)
    assert np.allclose(tr.v_hat[0], g * g, rtol=1e-12, atol=0)
    # the first Adam step is about lr * sign(g) per coordinate
    assert np.allclose(tr.deltas[0], -0.05 * np.sign(g), rtol=1e-6)


def test_adam_moments_follow_the_recurrence_and_bias_correction():
    b1, b2 = 0.8, 0.99
    tr = trace_run(RAVINE, Adam(lr=0.05, beta1=b1, beta2=b2), START, 20)
    m = v = np.zeros(2)
    for t in range(1, tr.n_steps + 1):
        g = RAVINE.grad(tr.positions[t - 1])
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        assert np.allclose(tr.state["mu"][t - 1], m, rtol=1e-12)
        assert np.allclose(tr.state["nu"][t - 1], v, rtol=1e-12)
        assert np.allclose(tr.m_hat[t - 1], m / (1 - b1**t), rtol=1e-12)
        assert np.allclose(tr.v_hat[t - 1], v / (1 - b2**t), rtol=1e-12)
    assert "nu_max" not in tr.state  # unused without AMSGrad
    assert np.array_equal(tr.velocity, -tr.m_hat)


def test_amsgrad_keeps_the_running_max_of_v():
    tr = trace_run(RAVINE, optimizers.make("amsgrad", lr=0.05), START, 40)
    assert np.allclose(tr.state["nu_max"], np.maximum.accumulate(tr.state["nu"], axis=0))


@pytest.mark.parametrize(
    "kind",
    [
        "sgd",
        "momentum",
        "nesterov",
        "adagrad",
        "adadelta",
        "rmsprop",
        "adam",
        "amsgrad",
        "adamw",
        "adamax",
        "nadam",
        "radam",
        "rprop",
        "asgd",
        "adafactor",
        "signsgd",
        "lion",
    ],
)
def test_positions_equal_the_runner(kind):
    settings = InternalsSettings(optimizer=kind, landscape="ravine", steps=60)
    tr = trace_lesson(settings)
    res = optimizers.run(
        RAVINE, [optimizers.RunConfig(settings.config())], settings.start()[None], optimizers.RunOptions(steps=60)
    )
    assert tr.n_steps == 60 and tr.status == "ran all 60 steps"
    assert np.array_equal(tr.positions, res.positions[0])
    assert np.allclose(tr.losses, res.losses[0], rtol=1e-12)
    # the recorded gradient of step t is the loss gradient at p_{t-1}
    assert np.allclose(tr.grads, RAVINE.grad(tr.positions[:-1]), rtol=1e-14)
    assert np.allclose(tr.grads[:3], [fd_grad(RAVINE, p) for p in tr.positions[:3]], rtol=1e-6)


# --- momentum, Adagrad, Adadelta, SGD ----------------------------------------------------------
def test_momentum_buffer_by_hand_over_three_steps():
    lr, mu = 0.01, 0.9
    tr = trace_run(RAVINE, Momentum(lr=lr, momentum=mu), START, 3)
    p = START.copy()
    b = None
    for t in range(3):
        g = RAVINE.grad(p)
        b = g.copy() if b is None else mu * b + g  # PyTorch: b_1 = g_1
        p = p - lr * b
        assert np.allclose(tr.state["buf"][t], b, rtol=1e-13)
        assert np.allclose(tr.positions[t + 1], p, rtol=1e-13)
    assert np.array_equal(tr.velocity, -tr.state["buf"])
    assert tr.m_hat is None and tr.v_hat is None


def test_adagrad_accumulator_is_the_cumulative_sum_of_squared_gradients():
    tr = trace_run(RAVINE, Adagrad(lr=0.5), START, 30)
    assert list(tr.state) == ["sum"]
    assert np.allclose(tr.state["sum"], np.cumsum(tr.grads**2, axis=0), rtol=1e-13)
    # its effective step size is lr / (sqrt(G) + eps), shrinking forever
    expected = 0.5 / (np.sqrt(tr.state["sum"]) + 1e-10)
    assert np.allclose(tr.effective_lr, expected, rtol=1e-9)
    assert np.all(np.diff(expected, axis=0) <= 0)


def test_adadelta_running_means_by_hand():
    rho, lr = 0.9, 1.0
    tr = trace_run(RAVINE, Adadelta(lr=lr, rho=rho), START, 10)
    sq = acc = np.zeros(2)
    for t in range(tr.n_steps):
        g = tr.grads[t]
        d = -tr.deltas[t] / lr
        sq = rho * sq + (1 - rho) * g * g
        acc = rho * acc + (1 - rho) * d * d
        assert np.allclose(tr.state["square_avg"][t], sq, rtol=1e-12)
        assert np.allclose(tr.state["acc_delta"][t], acc, rtol=1e-9)


def test_plain_sgd_effective_step_size_is_lr_and_keeps_no_state():
    tr = trace_run(RAVINE, SGD(lr=0.02), START, 50)
    assert np.allclose(tr.effective_lr, 0.02, rtol=1e-9)
    assert tr.state == {} and tr.velocity is None and tr.m_hat is None


def test_effective_step_size_is_nan_where_the_gradient_is_zero():
    out = effective_step_size(np.array([[0.1, -0.2]]), np.array([[0.0, 4.0]]))
    assert np.isnan(out[0, 0]) and out[0, 1] == pytest.approx(0.05)


def test_bias_correction_divides_by_one_minus_beta_power_t():
    values = np.ones((3, 2))
    assert np.allclose(bias_correction(values, 0.5)[:, 0], [1 / 0.5, 1 / 0.75, 1 / 0.875])
    assert np.array_equal(bias_correction(values, 0.0), values)


# --- stopping, settings, clamping ---------------------------------------------------------------
def test_a_diverging_run_stops_and_records_only_finite_values():
    tr = trace_run(landscapes.get("rosenbrock"), SGD(lr=0.05), np.array([-1.5, 2.0]), 200)
    assert tr.status.startswith("diverged") and tr.n_steps < 200
    assert np.all(np.isfinite(tr.positions)) and tr.positions.shape == (tr.n_steps + 1, 2)


def test_a_run_at_the_minimum_stops_moving():
    tr = trace_run(QUAD, Adam(lr=0.1), np.zeros(2), 100)
    assert tr.status == "stopped moving after step 1" and tr.n_steps == 1
    assert np.array_equal(tr.positions, np.zeros((2, 2)))


def test_settings_refuse_bad_values_and_the_url_clamps_them():
    with pytest.raises(ValueError, match="optimizer"):
        InternalsSettings(optimizer="nope")
    with pytest.raises(ValueError, match="beta1"):
        InternalsSettings(beta1=1.5)
    settings, warnings = flat.from_query(InternalsSettings, {"beta1": "2", "step": "-4", "optimizer": "x"})
    assert settings.beta1 == 0.999 and settings.step == 1 and settings.optimizer == "adam"
    assert len(warnings) == 3
    assert InternalsSettings(step=7).run_settings() == InternalsSettings(step=1)


def test_settings_pass_only_the_optimizers_own_hyperparameters():
    assert InternalsSettings(optimizer="sgd").hyperparameters() == {"lr": 0.02}
    assert set(InternalsSettings(optimizer="adam").hyperparameters()) == {"lr", "beta1", "beta2"}
    assert set(InternalsSettings(optimizer="momentum").hyperparameters()) == {"lr", "momentum"}
    assert set(InternalsSettings(optimizer="rmsprop").hyperparameters()) == {"lr", "alpha"}
    assert InternalsSettings(suggested_lr=False, lr=0.3).config().lr == 0.3
    with pytest.raises(ValueError):  # Nesterov needs a momentum
        InternalsSettings(optimizer="nesterov", momentum=0.0).config()


def test_every_optimizer_and_landscape_default_runs_without_warnings():
    for kind in OPTIMIZERS:
        tr = trace_lesson(InternalsSettings(optimizer=kind, steps=30))
        assert tr.n_steps >= 1 and np.all(np.isfinite(tr.positions))


def test_clamp_step():
    assert clamp_step(5, 10) == (5, None)
    k, warning = clamp_step(50, 10)
    assert k == 10 and "beyond" in warning
    assert clamp_step(0, 10)[0] == 1


def test_step_rows_report_the_recorded_values():
    tr = trace_run(QUAD, Adam(lr=0.05), START, 5)
    rows = {r["quantity"]: (r["x"], r["y"]) for r in step_rows(tr, 1)}
    assert rows["gradient gₜ"] == tuple(START)
    assert np.allclose(rows["m̂ = m / (1 − β₁ᵗ)"], START)


# --- figures -------------------------------------------------------------------------------------
def _arrows(fig) -> dict[str, object]:
    return {t.meta["kind"]: t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") == "arrow"}


@pytest.mark.parametrize("step", [1, 7, 20])
def test_arrows_start_at_the_current_point_and_the_gradient_arrow_points_along_minus_g(step):
    tr = trace_run(RAVINE, Momentum(lr=0.005), START, 20)
    grid = evaluate_grid(RAVINE, n=30)
    fig = internals_contour(tr, grid, step)
    arrows = _arrows(fig)
    assert set(arrows) == {"gradient", "velocity", "step"}
    p = tr.positions[step - 1]
    length = ARROW_FRACTION * min(RAVINE.window.width, RAVINE.window.height)
    for kind, trace in arrows.items():
        tail = np.array([trace.x[0], trace.y[0]])
        tip = np.array([trace.x[1], trace.y[1]])
        assert np.allclose(tail, p, rtol=1e-12)
        assert np.linalg.norm(tip - tail) == pytest.approx(length)  # directions only: one drawn length
        ann = next(a for a in fig.layout.annotations if a.name == kind)
        assert np.allclose([ann.ax, ann.ay, ann.x, ann.y], [*tail, *tip])
    g = RAVINE.grad(p)
    d = np.array([arrows["gradient"].x[1] - p[0], arrows["gradient"].y[1] - p[1]])
    assert np.allclose(d / np.linalg.norm(d), -g / np.linalg.norm(g), atol=1e-12)
    s = np.array([arrows["step"].x[1] - p[0], arrows["step"].y[1] - p[1]])
    true_step = tr.positions[step] - p
    assert np.allclose(s / np.linalg.norm(s), true_step / np.linalg.norm(true_step), atol=1e-12)
    # the drawn path ends at the current point
    path = next(t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") == "path")
    assert len(path.x) == step and np.allclose([path.x[-1], path.y[-1]], p, rtol=1e-6)


def test_plain_sgd_has_no_velocity_arrow_and_curves_show_lr():
    tr = trace_run(RAVINE, SGD(lr=0.02), START, 15)
    fig = internals_contour(tr, evaluate_grid(RAVINE, n=20), 3)
    assert set(_arrows(fig)) == {"gradient", "step"}
    assert bias_figure(tr, 3) is None
    eff = effective_lr_figure(tr, 3)
    curves = [t for t in eff.data if t.meta.get("role") == "effective"]
    assert len(curves) == 2 and all(np.allclose(np.asarray(t.y, dtype=float), 0.02, rtol=1e-6) for t in curves)
    assert len(state_figure(tr, 3).data) == 2  # the gradient only, x and y


def test_state_and_bias_figures_carry_every_recorded_quantity():
    tr = trace_run(RAVINE, Adam(lr=0.05), START, 12)
    sfig = state_figure(tr, 4)
    assert len(sfig.data) == 2 * (1 + len(tr.state))
    bfig = bias_figure(tr, 4)
    corrected = [t for t in bfig.data if t.meta.get("role") == "corrected"]
    assert len(corrected) == 4  # m_hat and v_hat, x and y
    mhat_x = next(t for t in corrected if t.meta["quantity"] == "m̂" and t.meta["coord"] == "x")
    assert np.allclose(np.asarray(mhat_x.y, dtype=float), tr.m_hat[:, 0], rtol=1e-6)


def test_rprop_step_sizes_grow_while_the_sign_holds_and_halve_when_it_flips():
    tr = trace_lesson(InternalsSettings(optimizer="rprop", landscape="ravine", steps=40))
    g, s = tr.grads, tr.state["step_size"]
    lr = InternalsSettings(optimizer="rprop").learning_rate
    expected, prev = np.full(2, lr), np.zeros(2)  # prev: the last gradient used, 0 after a flip
    for t in range(tr.n_steps):  # by hand, from the recorded gradients alone
        prod = prev * g[t]
        expected = np.clip(expected * np.where(prod > 0, 1.2, np.where(prod < 0, 0.5, 1.0)), 1e-6, 50)
        prev = np.where(prod < 0, 0.0, g[t])
        np.testing.assert_allclose(s[t], expected, rtol=1e-12)
    assert s.max() > lr and s.min() < lr  # both happen on the ravine


def test_lions_arrow_is_its_momentum_without_bias_correction():
    settings = InternalsSettings(optimizer="lion", landscape="ravine", steps=20)
    tr = trace_lesson(settings)
    assert tr.m_hat is None and tr.v_hat is None
    m = np.zeros(2)
    for t in range(tr.n_steps):
        m = 0.999 * m + 0.001 * tr.grads[t]  # the page's beta2 (0.999) decays m
        np.testing.assert_allclose(tr.velocity[t], -m, rtol=1e-12)
    np.testing.assert_allclose(np.abs(tr.deltas), settings.learning_rate, rtol=1e-12)  # every coordinate moves by lr
