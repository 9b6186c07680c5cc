"""First-order optimizers against values derived independently of the code (after optax's
``alias_test.py``): hand-computed first and second updates from the published formulas, closed
forms on quadratics and constant gradients, exact equivalences between methods, batched runs
against one-by-one runs, immutability of inputs, and hyperparameter validation.

Conventions checked are PyTorch's (``torch.optim``); ``tests/test_torch_twins.py`` compares
with torch itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from optimizers import first_order as fo
from optimizers.base import stack_configs
from tests.first_order_support import ROSEN, STARTS, rosen_traj, trajectory

LAM = np.array([1.0, 10.0])  # f(p) = 1/2 (x^2 + 10 y^2): gradient LAM * p
P0 = np.array([[1.0, -2.0]])  # gradient (1, -20)
EPS = 1e-8


def quad_grad(p: np.ndarray) -> np.ndarray:
    return LAM * p


def two_steps(cfg, p0=P0, grad=quad_grad):
    """Our first two points after ``p0`` on ``grad``."""
    state = cfg.init(p0)
    p1, state = cfg.update(grad(p0), state, p0)
    p2, _ = cfg.update(grad(p1), state, p1)
    return p1, p2


# --- hand-computed first and second updates --------------------------------------------------
# Each expectation is written from the published update rule with the numbers of this test:
# p0 = (1, -2), g0 = (1, -20), g1 = LAM * p1.


def _sgd():
    lr = 0.05
    p1 = P0 - lr * LAM * P0  # (0.95, -1.0)
    return fo.SGD(lr=lr), p1, p1 - lr * LAM * p1


def _sgd_weight_decay():
    lr, wd = 0.05, 0.1
    p1 = P0 - lr * (LAM * P0 + wd * P0)
    return fo.SGD(lr=lr, weight_decay=wd), p1, p1 - lr * (LAM * p1 + wd * p1)


def _momentum_dampening():
    lr, mu, d = 0.05, 0.9, 0.2
    g0 = LAM * P0
    p1 = P0 - lr * g0  # the first buffer is g itself, undampened
    b2 = mu * g0 + (1 - d) * LAM * p1
    return fo.SGD(lr=lr, momentum=mu, dampening=d), p1, p1 - lr * b2


def _nesterov():
    lr, mu = 0.05, 0.9
    g0 = LAM * P0
    p1 = P0 - lr * (g0 + mu * g0)
    g1 = LAM * p1
    b2 = mu * g0 + g1
    return fo.Nesterov(lr=lr), p1, p1 - lr * (g1 + mu * b2)


def _adagrad():
    lr, decay, acc0, eps = 0.1, 0.5, 0.25, 1e-10
    g0 = LAM * P0
    p1 = P0 - lr * g0 / (np.sqrt(acc0 + g0**2) + eps)
    g1 = LAM * p1
    p2 = p1 - lr / (1 + decay) * g1 / (np.sqrt(acc0 + g0**2 + g1**2) + eps)
    return fo.Adagrad(lr=lr, lr_decay=decay, initial_accumulator_value=acc0), p1, p2


def _adadelta():
    lr, rho, eps = 0.5, 0.9, 1e-6
    g0 = LAM * P0
    eg1 = (1 - rho) * g0**2
    d1 = np.sqrt(0 + eps) / np.sqrt(eg1 + eps) * g0
    p1 = P0 - lr * d1
    ed1 = (1 - rho) * d1**2
    g1 = LAM * p1
    eg2 = rho * eg1 + (1 - rho) * g1**2
    d2 = np.sqrt(ed1 + eps) / np.sqrt(eg2 + eps) * g1
    return fo.Adadelta(lr=lr, rho=rho, eps=eps), p1, p1 - lr * d2


def _rmsprop():
    lr, a = 0.01, 0.9
    g0 = LAM * P0
    p1 = P0 - lr * g0 / (np.sqrt(0.1) * np.abs(g0) + EPS)
    g1 = LAM * p1
    return fo.RMSprop(lr=lr, alpha=a), p1, p1 - lr * g1 / (np.sqrt(a * 0.1 * g0**2 + 0.1 * g1**2) + EPS)


def _rmsprop_centered():
    lr, a = 0.01, 0.9
    g0 = LAM * P0
    # S1 = 0.1 g0^2, mean1 = 0.1 g0: variance 0.1 g0^2 - 0.01 g0^2 = 0.09 g0^2
    p1 = P0 - lr * g0 / (0.3 * np.abs(g0) + EPS)
    g1 = LAM * p1
    s2 = a * 0.1 * g0**2 + 0.1 * g1**2
    m2 = a * 0.1 * g0 + 0.1 * g1
    return fo.RMSprop(lr=lr, alpha=a, centered=True), p1, p1 - lr * g1 / (np.sqrt(s2 - m2**2) + EPS)


def _rmsprop_momentum():
    lr, a, mu = 0.01, 0.9, 0.5
    g0 = LAM * P0
    b1 = g0 / (np.sqrt(0.1) * np.abs(g0) + EPS)
    p1 = P0 - lr * b1
    g1 = LAM * p1
    b2 = mu * b1 + g1 / (np.sqrt(a * 0.1 * g0**2 + 0.1 * g1**2) + EPS)
    return fo.RMSprop(lr=lr, alpha=a, momentum=mu), p1, p1 - lr * b2


def _adam_second(p1, g0, g1, lr, b1=0.9, b2=0.999, v=None):
    m2 = b1 * (1 - b1) * g0 + (1 - b1) * g1
    v2 = b2 * (1 - b2) * g0**2 + (1 - b2) * g1**2 if v is None else v
    return p1 - lr * (m2 / (1 - b1**2)) / (np.sqrt(v2 / (1 - b2**2)) + EPS)


def _adam():
    lr = 0.1
    g0 = LAM * P0
    p1 = P0 - lr * g0 / (np.abs(g0) + EPS)  # the first step is lr * sign(g), up to eps
    return fo.Adam(lr=lr), p1, _adam_second(p1, g0, LAM * p1, lr)


def _adam_l2():
    lr, wd = 0.1, 0.5
    g0 = LAM * P0 + wd * P0
    p1 = P0 - lr * g0 / (np.abs(g0) + EPS)
    return fo.Adam(lr=lr, weight_decay=wd), p1, _adam_second(p1, g0, LAM * p1 + wd * p1, lr)


def _amsgrad():
    # lr 0.9 lands near the bottom, so the second v is smaller than the first in both
    # coordinates: v1 = (0.5, 200), v2 = (0.255, 160.5); AMSGrad keeps v1
    lr, b2 = 0.9, 0.5
    g0 = LAM * P0
    p1 = P0 - lr * g0 / (np.abs(g0) + EPS)
    np.testing.assert_allclose(p1, [[0.1, -1.1]], rtol=1e-7)
    v1 = (1 - b2) * g0**2
    return fo.AMSGrad(lr=lr, beta2=b2), p1, _adam_second(p1, g0, LAM * p1, lr, b2=b2, v=v1)


def _adamw():
    lr, wd = 0.1, 0.5
    g0 = LAM * P0
    p1 = P0 * (1 - lr * wd) - lr * g0 / (np.abs(g0) + EPS)
    g1 = LAM * p1
    return fo.AdamW(lr=lr, weight_decay=wd), p1, _adam_second(p1 * (1 - lr * wd), g0, g1, lr)


def _adamax():
    lr, b1, b2 = 0.1, 0.9, 0.5
    g0 = LAM * P0
    u1 = np.abs(g0) + EPS
    p1 = P0 - lr / (1 - b1) * (1 - b1) * g0 / u1
    g1 = LAM * p1  # (0.9, -19): 0.5 u1 = (0.5, 10) < |g1| + eps in both coordinates
    u2 = np.maximum(b2 * u1, np.abs(g1) + EPS)
    m2 = b1 * (1 - b1) * g0 + (1 - b1) * g1
    return fo.Adamax(lr=lr, beta1=b1, beta2=b2), p1, p1 - lr / (1 - b1**2) * m2 / u2


def _adamax_decayed_max():
    lr, b1, b2 = 0.9, 0.9, 0.5
    g0 = LAM * P0
    u1 = np.abs(g0) + EPS
    p1 = P0 - lr * g0 / u1  # (0.1, -1.1), g1 = (0.1, -11): u2 = (0.5 u1_x, |g1_y|)
    g1 = LAM * p1
    u2 = np.array([[b2 * u1[0, 0], np.abs(g1[0, 1]) + EPS]])
    m2 = b1 * (1 - b1) * g0 + (1 - b1) * g1
    return fo.Adamax(lr=lr, beta1=b1, beta2=b2), p1, p1 - lr / (1 - b1**2) * m2 / u2


def _nadam_mu(t, b1=0.9, psi=4e-3):
    return b1 * (1 - 0.5 * 0.96 ** (t * psi))


def _nadam():
    lr, b1, b2 = 0.1, 0.9, 0.999
    mu1, mu2, mu3 = _nadam_mu(1), _nadam_mu(2), _nadam_mu(3)
    g0 = LAM * P0
    m1 = (1 - b1) * g0
    p1 = P0 - lr * ((1 - mu1) / (1 - mu1) * g0 + mu2 / (1 - mu1 * mu2) * m1) / (np.abs(g0) + EPS)
    g1 = LAM * p1
    m2 = b1 * m1 + (1 - b1) * g1
    v2 = b2 * (1 - b2) * g0**2 + (1 - b2) * g1**2
    num = (1 - mu2) / (1 - mu1 * mu2) * g1 + mu3 / (1 - mu1 * mu2 * mu3) * m2
    return fo.NAdam(lr=lr), p1, p1 - lr * num / (np.sqrt(v2 / (1 - b2**2)) + EPS)


def _radam():
    # rho_1 = 1 and rho_2 ~ 2 are <= 5: the first steps are bias-corrected momentum SGD
    lr, b1 = 0.01, 0.9
    g0 = LAM * P0
    p1 = P0 - lr * g0
    m2 = b1 * (1 - b1) * g0 + (1 - b1) * LAM * p1
    return fo.RAdam(lr=lr), p1, p1 - lr * m2 / (1 - b1**2)


HAND = [
    _sgd,
    _sgd_weight_decay,
    _momentum_dampening,
    _nesterov,
    _adagrad,
    _adadelta,
    _rmsprop,
    _rmsprop_centered,
    _rmsprop_momentum,
    _adam,
    _adam_l2,
    _amsgrad,
    _adamw,
    _adamax,
    _adamax_decayed_max,
    _nadam,
    _radam,
]


@pytest.mark.parametrize("make", HAND, ids=lambda f: f.__name__.strip("_"))
def test_first_and_second_updates_by_hand(make):
    cfg, e1, e2 = make()
    p1, p2 = two_steps(cfg)
    np.testing.assert_allclose(p1, e1, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(p2, e2, rtol=1e-12, atol=1e-15)
    assert not np.allclose(p2, p1), "the second step moves"


def test_hand_cases_cover_every_optimizer():
    covered = {type(make()[0]) for make in HAND}
    assert covered | {fo.Momentum} == set(fo.ALL)  # Momentum is SGD(momentum=0.9): see equivalences


def test_amsgrad_second_step_differs_from_adam():
    _, _, ams = _amsgrad()
    _, adam = two_steps(fo.Adam(lr=0.9, beta2=0.5))
    assert np.all(np.abs(ams - adam) > 1e-3)


# --- closed forms -------------------------------------------------------------------------


def test_gradient_descent_on_a_quadratic_follows_the_power_law():
    """GD on f = lam/2 x^2 multiplies x by (1 - lr lam) each step: converges for lr < 2/lam,
    oscillates with growing amplitude beyond. lam = 1 and 10 per coordinate; 6 rates in one call."""
    lrs = np.array([0.01, 0.1, 0.15, 0.19, 0.21, 0.3])[:, None]
    cfg = stack_configs([fo.SGD(lr=float(lr)) for lr in lrs[:, 0]])
    p0 = np.tile([[1.5, -0.7]], (lrs.shape[0], 1))
    T = 200
    traj = trajectory(cfg, p0, quad_grad, T)
    t = np.arange(T + 1)[:, None, None]
    expected = p0 * (1.0 - lrs * LAM) ** t
    # lr = 0.1, lam = 10: 1 - lr lam is 0 but p - lr (lam p) leaves a rounding residue ~1e-16
    np.testing.assert_allclose(traj, expected, rtol=1e-11, atol=1e-15)
    amp = np.abs(traj[:, :, 1])
    assert np.all(amp[-1, lrs[:, 0] < 0.2] < 1e-8)  # 2 / lam = 0.2 for the stiff coordinate
    assert np.all(np.diff(amp[:, lrs[:, 0] > 0.2], axis=0) > 0)  # diverges monotonically in |y|
    assert np.all(np.sign(traj[1:, -1, 1]) != np.sign(traj[:-1, -1, 1]))  # and flips sign each step


@pytest.mark.parametrize(("lr", "mu"), [(0.05, 0.9), (0.01, 0.5), (0.15, 0.3), (0.3, 0.95), (0.39, 0.9)])
@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_on_a_quadratic_is_a_linear_recurrence(lr, mu, nesterov):
    """With g = lam p and b_0 = 0, torch's buffer b_t = mu b + g and p_t = p - lr (b_t, or
    g + mu b_t for Nesterov) is (p, b)_t = M (p, b)_{t-1}: compare with M^t."""
    cfg = fo.SGD(lr=lr, momentum=mu, nesterov=nesterov)
    p0 = np.array([[1.5, -0.7]])
    T = 150
    traj = trajectory(cfg, p0, quad_grad, T)
    for k, lam in enumerate(LAM):
        if nesterov:
            M = np.array([[1 - lr * lam * (1 + mu), -lr * mu * mu], [lam, mu]])
        else:
            M = np.array([[1 - lr * lam, -lr * mu], [lam, mu]])
        expected = np.array([(np.linalg.matrix_power(M, t) @ [p0[0, k], 0.0])[0] for t in range(T + 1)])
        scale = np.abs(expected).max()
        np.testing.assert_allclose(traj[:, 0, k], expected, rtol=1e-9, atol=1e-12 * scale)


def test_sgd_weight_decay_alone_shrinks_geometrically():
    """On f = 0 the L2 penalty is the only force: p_t = (1 - lr wd)^t p_0, for several (lr, wd)."""
    lr = np.array([0.1, 0.01, 0.5])[:, None]
    wd = np.array([0.1, 2.0, 1.0])[:, None]
    cfg = stack_configs([fo.SGD(lr=float(a), weight_decay=float(b)) for a, b in zip(lr[:, 0], wd[:, 0], strict=True)])
    p0 = np.array([[1.0, -2.0], [0.3, 4.0], [-1.0, 1.0]])
    traj = trajectory(cfg, p0, np.zeros_like, 100)
    t = np.arange(101)[:, None, None]
    np.testing.assert_allclose(traj, p0 * (1 - lr * wd) ** t, rtol=1e-12, atol=1e-300)


def test_adamw_decoupled_decay_alone_shrinks_geometrically():
    """AdamW on f = 0: m = v = 0 so the Adam part is 0 / eps = 0 and p_t = (1 - lr wd)^t p_0."""
    cfg = fo.AdamW(lr=0.05, weight_decay=0.4)
    p0 = np.array([[1.0, -2.0], [3.0, 0.5]])
    traj = trajectory(cfg, p0, np.zeros_like, 100)
    t = np.arange(101)[:, None, None]
    np.testing.assert_allclose(traj, p0 * (1 - 0.05 * 0.4) ** t, rtol=1e-12)


def test_adam_l2_penalty_is_not_decoupled():
    """Adam's L2 term goes through the moments: on f = 0 the first step is lr * sign(p), not a
    shrink by lr * wd — the difference AdamW was made for."""
    p0 = np.array([[1.0, -2.0]])
    p1, _ = two_steps(fo.Adam(lr=0.1, weight_decay=0.4), p0, np.zeros_like)
    np.testing.assert_allclose(p1, p0 - 0.1 * np.sign(p0), rtol=1e-7)
    q1, _ = two_steps(fo.AdamW(lr=0.1, weight_decay=0.4), p0, np.zeros_like)
    np.testing.assert_allclose(q1, p0 * (1 - 0.04), rtol=1e-15)


G_CONST = np.array([[0.5, -3.0], [2e-3, 40.0]])  # two runs, one constant gradient each


def const_grad(p):
    return G_CONST


def test_adam_amsgrad_adamax_step_lr_sign_g_under_a_constant_gradient():
    """Constant g: bias-corrected m = g and v = g^2 exactly (in exact arithmetic), so every Adam,
    AMSGrad and Adamax step is lr * g / (|g| + eps)."""
    p0 = np.zeros((2, 2))
    steps = np.arange(61)[:, None, None]
    for cfg in (fo.Adam(lr=0.01), fo.AMSGrad(lr=0.01), fo.Adamax(lr=0.01), fo.Adam(lr=0.01, beta1=0.5, beta2=0.9)):
        traj = trajectory(cfg, p0, const_grad, 60)
        expected = -steps * 0.01 * G_CONST / (np.abs(G_CONST) + EPS)
        np.testing.assert_allclose(traj, expected, rtol=1e-12, err_msg=str(cfg))


def test_rmsprop_under_a_constant_gradient():
    """S_t = (1 - alpha^t) g^2, so step t is lr g / (sqrt(1 - alpha^t) |g| + eps)."""
    a, lr = 0.9, 0.01
    traj = trajectory(fo.RMSprop(lr=lr, alpha=a), np.zeros((2, 2)), const_grad, 40)
    t = np.arange(1, 41)[:, None, None]
    np.testing.assert_allclose(
        np.diff(traj, axis=0), -lr * G_CONST / (np.sqrt(1 - a**t) * np.abs(G_CONST) + EPS), rtol=1e-12
    )


def test_adagrad_under_a_constant_gradient():
    """G_t = G_0 + t g^2 and lr_t = lr / (1 + (t - 1) lr_decay)."""
    lr, decay, acc0 = 0.1, 0.05, 0.3
    cfg = fo.Adagrad(lr=lr, lr_decay=decay, initial_accumulator_value=acc0)
    traj = trajectory(cfg, np.zeros((2, 2)), const_grad, 40)
    t = np.arange(1, 41)[:, None, None]
    expected = -lr / (1 + (t - 1) * decay) * G_CONST / (np.sqrt(acc0 + t * G_CONST**2) + 1e-10)
    np.testing.assert_allclose(np.diff(traj, axis=0), expected, rtol=1e-12)


def test_nadam_under_a_constant_gradient():
    """m_t = (1 - b1^t) g and v_t/(1 - b2^t) = g^2, so step t is
    lr [(1 - mu_t)/(1 - prod_t mu) + mu_{t+1} (1 - b1^t)/(1 - prod_{t+1} mu)] g / (|g| + eps)."""
    lr, b1, psi = 0.01, 0.9, 4e-3
    traj = trajectory(fo.NAdam(lr=lr), np.zeros((2, 2)), const_grad, 30)
    mus = np.array([_nadam_mu(t, b1, psi) for t in range(1, 32)])
    prods = np.cumprod(mus)
    t = np.arange(1, 31)
    coef = (1 - mus[t - 1]) / (1 - prods[t - 1]) + mus[t] * (1 - b1**t) / (1 - prods[t])
    expected = -lr * coef[:, None, None] * G_CONST / (np.abs(G_CONST) + EPS)
    np.testing.assert_allclose(np.diff(traj, axis=0), expected, rtol=1e-12)


@pytest.mark.parametrize("b2", [0.999, 0.9, 0.99])
def test_radam_rectifies_once_rho_exceeds_5(b2):
    """Constant g: while rho_t <= 5 the step is lr * g (m_hat = g); after, lr r_t g sqrt(1-b2^t) /
    (sqrt(1-b2^t) |g| + eps) with Liu et al.'s r_t. For these b2 the switch is at t = 6.
    rho_t = rho_inf - 2 t b2^t / (1 - b2^t) cancels (~2000 - 1994 for b2 = 0.999), so an ulp of
    b2^t moves r_t by ~1e-12 relative: hence rtol 1e-10."""
    lr, T = 1e-3, 40
    traj = trajectory(fo.RAdam(lr=lr, beta2=b2), np.zeros((2, 2)), const_grad, T)
    steps = np.diff(traj, axis=0)
    rho_inf = 2 / (1 - b2) - 1
    for t in range(1, T + 1):
        rho = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if t <= 5:
            assert rho <= 5
            expected = -lr * G_CONST
        else:
            assert rho > 5
            r = np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            bc = np.sqrt(1 - b2**t)
            expected = -lr * r * G_CONST * bc / (bc * np.abs(G_CONST) + EPS)
        np.testing.assert_allclose(steps[t - 1], expected, rtol=1e-10, err_msg=f"t={t}")


# --- equivalences -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (fo.SGD(lr=1e-4, momentum=0.0), fo.SGD(lr=1e-4)),
        (fo.SGD(lr=1e-4, momentum=0.0, dampening=0.7), fo.SGD(lr=1e-4)),
        (fo.Momentum(lr=1e-4), fo.SGD(lr=1e-4, momentum=0.9)),
        (fo.Momentum(lr=1e-4, momentum=0.0), fo.SGD(lr=1e-4)),
        (fo.Nesterov(lr=1e-4), fo.SGD(lr=1e-4, momentum=0.9, nesterov=True)),
        (fo.AMSGrad(lr=1e-2), fo.Adam(lr=1e-2, amsgrad=True)),
        (fo.AdamW(lr=1e-2, weight_decay=0.0), fo.Adam(lr=1e-2)),
        (fo.RMSprop(lr=1e-3, momentum=0.0), fo.RMSprop(lr=1e-3)),
    ],
    ids=["sgd-mu0", "sgd-mu0-dampening", "momentum", "momentum-mu0", "nesterov", "amsgrad", "adamw-wd0", "rmsprop-mu0"],
)
def test_equivalent_settings_give_identical_trajectories(a, b):
    np.testing.assert_array_equal(rosen_traj(a), rosen_traj(b))


@pytest.mark.parametrize("eps", [0.0, 1e-8, 1e-3])
def test_adam_with_beta1_zero_is_rmsprop_with_bias_corrected_lr_and_eps(eps):
    """Adam(b1=0): m = g, step lr g / (sqrt(v)/sqrt(c_t) + eps) with c_t = 1 - b2^t, which is
    RMSprop(alpha=b2) with lr_t = lr sqrt(c_t) and eps_t = eps sqrt(c_t) — the exact relation."""
    lr, b2, T = 1e-2, 0.95, 80
    adam = rosen_traj(fo.Adam(lr=lr, beta1=0.0, beta2=b2, eps=eps), T)
    P, state, out = STARTS, fo.RMSprop(alpha=b2).init(STARTS), [STARTS]
    for t in range(1, T + 1):
        c = np.sqrt(1 - b2**t)
        P, state = fo.RMSprop(alpha=b2, eps=eps * c).update(ROSEN.grad(P), state, P, lr=lr * c)
        out.append(P)
    np.testing.assert_allclose(adam, np.stack(out), rtol=1e-12)
    if eps == 0.0:  # without bias correction the two differ: the relation is not trivial
        plain = rosen_traj(fo.RMSprop(lr=lr, alpha=b2, eps=0.0), T)
        assert np.abs(plain - adam).max() > 1e-3


def test_dampening_scales_the_buffer_after_the_first_step():
    """b_1 = g_1; b_t = mu b + (1 - d) g: with d = 1 the buffer only decays, p moves by
    lr g_1 (1 + mu + mu^2 + ...)."""
    lr, mu = 0.1, 0.5
    traj = trajectory(fo.SGD(lr=lr, momentum=mu, dampening=1.0), np.zeros((2, 2)), const_grad, 30)
    t = np.arange(31)[:, None, None]
    np.testing.assert_allclose(traj, -lr * G_CONST * (1 - mu**t) / (1 - mu), rtol=1e-12, atol=1e-15)


def test_gradient_clipping_caps_the_step():
    """SGD with max_grad_norm c steps lr * g * min(1, c / (|g| + 1e-6)): at most lr * c, along g;
    small gradients pass unchanged; c = 0 disables clipping (per run, when stacked)."""
    lr, c = 0.1, 2.0
    g = np.array([[300.0, -400.0], [0.3, 0.4], [1e4, 0.0], [3.0, 4.0]])
    cfg = stack_configs([fo.SGD(lr=lr, max_grad_norm=m) for m in (c, c, c, 0.0)])
    p1, _ = cfg.update(g, cfg.init(np.zeros((4, 2))), np.zeros((4, 2)))
    norms = np.linalg.norm(g, axis=1)
    np.testing.assert_allclose(p1[0], -lr * g[0] * c / (500.0 + 1e-6), rtol=1e-15)
    np.testing.assert_array_equal(p1[1], -lr * g[1])  # |g| = 0.5 < c: untouched
    np.testing.assert_allclose(np.linalg.norm(p1[2]), lr * c * norms[2] / (norms[2] + 1e-6), rtol=1e-15)
    np.testing.assert_array_equal(p1[3], -lr * g[3])  # disabled
    assert np.all(np.linalg.norm(p1[:3], axis=1) <= lr * c)


@pytest.mark.parametrize(
    "cls",
    [fo.SGD, fo.Adagrad, fo.Adadelta, fo.RMSprop, fo.Adam, fo.AdamW, fo.Adamax, fo.NAdam, fo.RAdam],
    ids=lambda c: c.kind,
)
def test_clipping_is_applied_before_the_update_rule(cls):
    """With max_grad_norm every optimizer sees the clipped gradient: same as feeding it clipped."""
    c = 5.0
    clipped = cls(max_grad_norm=c)
    plain = cls()
    P, Q = STARTS, STARTS
    s, r = clipped.init(P), plain.init(Q)
    for _ in range(20):
        g = ROSEN.grad(P)
        P, s = clipped.update(g, s, P)
        n = np.linalg.norm(g, axis=1, keepdims=True)
        Q, r = plain.update(g * np.minimum(1.0, c / (n + 1e-6)), r, Q)
        np.testing.assert_allclose(P, Q, rtol=1e-14, atol=1e-300)
