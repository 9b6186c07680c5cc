"""The second-order lesson's core: Newton's one-step convergence and saddle pull, evaluation counts."""

from __future__ import annotations

import numpy as np
import pytest

import landscapes
import optimizers
from analysis.second_order_lesson import (
    METHODS,
    SADDLE_METHODS,
    SADDLE_START,
    TABLE_COLUMNS,
    SecondOrderSettings,
    auto_lr,
    method_config,
    second_order_lesson,
)
from optimizers import Status


def row(lesson, name: str) -> int:
    return lesson.names.index(name)


@pytest.fixture(scope="module")
def quadratic():
    return second_order_lesson(SecondOrderSettings(landscape="quadratic", steps=100))


@pytest.fixture(scope="module")
def saddle():
    return second_order_lesson(
        SecondOrderSettings(landscape="saddle", custom_start=True, start_x=-1.5, start_y=0.3, steps=60)
    )


def test_newton_lands_on_a_quadratic_minimum_in_one_step(quadratic):
    L = quadratic
    n = row(L, "newton")
    assert L.result.hit_step[n] == 1
    np.testing.assert_allclose(L.result.positions[n, 1], [0.0, 0.0], atol=1e-12)
    assert L.result.status[n] == Status.CONVERGED
    # also on the ill-conditioned ravine (kappa 20): the Hessian undoes the scaling
    ravine = second_order_lesson(SecondOrderSettings(landscape="ravine", steps=400))
    assert ravine.result.hit_step[row(ravine, "newton")] == 1
    assert ravine.result.hit_step[row(ravine, "gd")] > 50  # lr 1/kappa: the flat direction shrinks by 0.95 a step
    assert ravine.result.hit_step[row(ravine, "cg")] <= 2  # exact line search: n = 2 steps on a 2D quadratic


def test_damped_newton_shrinks_by_lambda_over_c_plus_lambda(quadratic):
    """(H + lambda I)^-1 g = c p / (c + lambda) on c|p|^2/2: p_t = (lambda / (c + lambda))^t p_0."""
    L = quadratic
    d = row(L, "damped_newton")
    p0 = np.array(landscapes.get("quadratic").starts[0])
    for t in (1, 2, 5):
        np.testing.assert_allclose(L.result.positions[d, t], 0.5**t * p0, rtol=1e-12)
    # |p_t| = 0.5^t |p_0| <= 1e-3 first at t = ceil(log2(|p_0| / 1e-3))
    assert L.result.hit_step[d] == int(np.ceil(np.log2(np.linalg.norm(p0) / 1e-3)))


def test_undamped_newton_stalls_on_the_saddle_saddle_free_escapes(saddle):
    L = saddle
    n, sf, gd = row(L, "newton"), row(L, "saddle_free"), row(L, "gd")
    # Newton: p - H^-1 g = (x, y) - (x, y) = (0, 0) in one step, then it stops there
    np.testing.assert_allclose(L.result.positions[n, 1], [0.0, 0.0], atol=1e-15)
    assert L.result.status[n] == Status.STALLED
    assert np.hypot(*L.result.final_positions[n]) < 1e-12
    # saddle-free: |H| = 2 I, p - g / 2 = (0, 2y): y doubles until it leaves the window (unbounded below)
    np.testing.assert_allclose(L.result.positions[sf, 1], [0.0, 0.6], atol=1e-15)
    np.testing.assert_allclose(L.result.positions[sf, 2], [0.0, 1.2], atol=1e-15)
    assert L.result.status[sf] == Status.LEFT
    assert L.result.status[gd] == Status.LEFT
    assert L.landscape.value(L.result.final_positions[sf]) < -1.0
    table = L.table()
    assert table["status"][n] == "stuck (saddle or plateau)" and table["status"][sf] == "left the window"


def test_saddle_demo(quadratic):
    L = quadratic  # the demo does not depend on the chosen landscape
    assert L.saddle_names == SADDLE_METHODS and L.saddle_landscape.key == "saddle"
    s = L.saddle
    np.testing.assert_allclose(s.positions[:, 0], np.tile(SADDLE_START, (len(SADDLE_METHODS), 1)))
    k = SADDLE_METHODS.index
    assert s.status[k("newton")] == Status.STALLED
    assert s.status[k("saddle_free")] == Status.LEFT and s.status[k("gd")] == Status.LEFT
    table = L.saddle_table()
    assert table["distance to saddle"][k("newton")] < 1e-12
    assert table["distance to saddle"][k("saddle_free")] > 2.0
    # damping 1 < |negative curvature| 2: H + I = diag(3, -1) is indefinite, y flips sign each step
    damped = s.positions[k("damped_newton")]
    np.testing.assert_allclose(damped[1:6, 1], 0.3 * (-1.0) ** np.arange(1, 6), atol=1e-12)


def test_evaluation_counts_per_step(quadratic, saddle):
    for L in (quadratic, saddle):
        r = L.result
        per = L.per_step()
        for name, expected in (
            ("gd", (0, 1, 0)),
            ("newton", (0, 1, 1)),
            ("saddle_free", (0, 1, 1)),
            ("damped_newton", (0, 1, 1)),
        ):
            i = row(L, name)
            t = r.status_step[i]
            # one gradient at the start, then per step one gradient (+ one Hessian for Newton)
            assert tuple(r.evals[i]) == (0, t + 1, t * expected[2])
            np.testing.assert_allclose(per[i], expected)
        for name in ("bfgs", "cg"):  # line searches: function values, never a Hessian
            i = row(L, name)
            assert r.evals[i, 2] == 0 and per[i, 0] >= 1 and per[i, 1] == 1
    assert quadratic.per_step()[row(quadratic, "coordinate"), 2] == 1  # exact 1D Newton step reads H_ii


def test_evaluations_to_tolerance(quadratic):
    L = quadratic
    newton = row(L, "newton")
    np.testing.assert_array_equal(L.to_tol[newton], [0, 2, 1])  # start's gradient, one step
    d = row(L, "damped_newton")
    h = L.result.hit_step[d]
    np.testing.assert_array_equal(L.to_tol[d], [0, h + 1, h])
    for i in range(len(METHODS)):
        assert np.all(L.to_tol[i] <= L.result.evals[i])  # the run went on (or stopped) after reaching tol
    ros = second_order_lesson(SecondOrderSettings(landscape="rosenbrock", steps=300))
    g = row(ros, "gd")
    assert ros.result.hit_step[g] == -1 and np.all(ros.to_tol[g] == -1)  # GD does not get there in 300 steps
    n = row(ros, "newton")
    assert 0 < ros.result.hit_step[n] < 10
    np.testing.assert_array_equal(ros.to_tol[n], [0, ros.result.hit_step[n] + 1, ros.result.hit_step[n]])
    b = row(ros, "bfgs")
    ref = optimizers.run(
        ros.landscape,
        [optimizers.RunConfig(optimizers.make("bfgs"))],
        ros.start[None],
        optimizers.RunOptions(steps=int(ros.result.hit_step[b]), record_every=0),
    )
    np.testing.assert_array_equal(ros.to_tol[b], ref.evals[0])
    table = ros.table()
    assert np.isnan(table["evals to tol"][g]) and table["evals to tol"][n] == ros.to_tol[n].sum()


def test_table_columns_and_contents(quadratic):
    table = quadratic.table()
    assert tuple(table) == TABLE_COLUMNS
    assert all(len(v) == len(METHODS) for v in table.values())
    assert table["method"][0].startswith("Gradient descent") and table["method"][1] == "Newton"
    assert table["steps to tol"][1] == 1
    assert table["Hessian evals"][0] == 0


def test_all_methods_run_in_one_call(monkeypatch):
    """Batched: fewer ``optimizers.run`` calls than method runs (one call per method would be more), and
    each method's batched run is the run it has alone."""
    calls = []
    real = optimizers.run

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(optimizers, "run", counting)
    L = second_order_lesson(SecondOrderSettings(landscape="ravine", steps=50))
    assert len(L.result.status) == len(METHODS) and len(L.saddle.status) == len(SADDLE_METHODS)
    assert len(calls) < len(METHODS) + len(SADDLE_METHODS), len(calls)
    settings = SecondOrderSettings(landscape="ravine", steps=50)
    for i, name in enumerate(METHODS):
        alone = real(
            L.landscape,
            [method_config(name, settings, L.gd_lr)],
            L.start[None],
            optimizers.RunOptions(steps=50, record_every=1, tol=settings.tol),
        )
        # equal up to rounding (batched linear algebra may round differently in the last bits)
        np.testing.assert_allclose(alone.positions[0], L.result.positions[i], rtol=1e-9, atol=1e-12, err_msg=name)


def test_auto_lr_is_one_over_the_largest_curvature():
    assert auto_lr(landscapes.get("quadratic", c=4.0), np.array([1.0, 1.0])) == pytest.approx(0.25)
    assert auto_lr(landscapes.get("ravine", kappa=20.0), np.array([0.5, 0.5])) == pytest.approx(1 / 20)
    # Rosenbrock: H = [[1200x^2 - 400y + 2, -400x], [-400x, 200]] at the start and at (1, 1)
    x, y = -1.5, 2.0
    tops = [
        np.abs(np.linalg.eigvalsh(np.array([[1200 * a * a - 400 * b + 2, -400 * a], [-400 * a, 200.0]]))).max()
        for a, b in ((x, y), (1.0, 1.0))
    ]
    assert auto_lr(landscapes.get("rosenbrock"), np.array([x, y])) == pytest.approx(1 / max(tops))
    L = second_order_lesson(SecondOrderSettings(landscape="quadratic", gd_lr=0.3, steps=5))
    assert L.gd_lr == 0.3 and "0.3" in L.labels[0]


def test_settings_validation():
    with pytest.raises(ValueError, match="Invalid landscape"):
        SecondOrderSettings(landscape="himmelblau")
    with pytest.raises(ValueError, match="tolerance"):
        SecondOrderSettings(tol=0.0)
    with pytest.raises(ValueError, match="steps"):
        SecondOrderSettings(steps=10_000)
    with pytest.raises(ValueError, match="damping"):
        SecondOrderSettings(damping=-1.0)


def test_evaluation_figures():
    from figures.second_order import cost_per_step_figure, evals_to_tol_figure

    L = second_order_lesson(SecondOrderSettings(landscape="rosenbrock", steps=100))
    fig = evals_to_tol_figure(L.labels, L.to_tol, L.result.evals, L.result.status_step, 1e-3)
    assert [t.name for t in fig.data] == ["function values", "gradients", "Hessians"]
    n, g = row(L, "newton"), row(L, "gd")
    np.testing.assert_allclose([t.x[n] for t in fig.data], L.to_tol[n])  # horizontal bars
    np.testing.assert_allclose([t.x[g] for t in fig.data], L.result.evals[g])  # not reached: the whole run, faded
    assert fig.data[0].marker.opacity[g] < 1 and fig.data[0].marker.opacity[n] == 1
    assert "not" in fig.layout.annotations[g].text and fig.layout.annotations[n].text.strip() == str(L.to_tol[n].sum())
    cost = cost_per_step_figure(L.labels, L.per_step())
    assert all(t.orientation == "h" for t in (*fig.data, *cost.data))  # long names along the bars' axis
    assert [label.replace("<br>", " ") for label in cost.data[0].y] == list(L.labels)
    np.testing.assert_allclose(cost.data[2].x[n], 1.0)  # one Hessian per Newton step
