"""Sign descent and Lion against hand-computed steps and a plain scalar transcription of the
paper's algorithm; every optimizer added with them (Rprop, ASGD, Adafactor, sign descent, Lion):
runs batched together equal runs alone, inputs are never mutated, ``(n, D)`` parameters work,
bad hyperparameters are refused naming the value."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import landscapes
from optimizers import adafactor, rprop_asgd, sign_methods
from optimizers.base import stack_configs
from tests.first_order_support import ROSEN, STARTS, trajectory
from tests.test_torch_twins_more import torch_kwargs

NEW = rprop_asgd.ALL + adafactor.ALL + sign_methods.ALL
Lion, SignSGD = sign_methods.Lion, sign_methods.SignSGD


def test_sign_descent_first_steps_by_hand():
    cfg = SignSGD(lr=0.1)
    p = np.array([[1.0, -2.0], [0.0, 3.0]])
    g = np.array([[5.0, -1e-9], [0.0, 2.0]])
    new, state = cfg.update(g, cfg.init(p), p)
    np.testing.assert_array_equal(new, [[0.9, -1.9], [0.0, 2.9]])  # sign(0) = 0: no move
    assert state.count == 1


def test_lion_first_two_steps_by_hand():
    cfg = Lion(lr=0.5, beta1=0.9, beta2=0.99, weight_decay=0.1)
    p = np.array([[2.0, -1.0]])
    s = cfg.init(p)
    # step 1: m = 0, so c = 0.1 g: sign(c) = sign(g); p -= 0.5 * (sign(g) + 0.1 p)
    p1, s = cfg.update(np.array([[3.0, -4.0]]), s, p)
    np.testing.assert_allclose(p1, [[2.0 - 0.5 * (1 + 0.2), -1.0 - 0.5 * (-1 - 0.1)]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(s.mu, [[0.03, -0.04]], rtol=1e-14)
    # step 2: g = (-1, 1): c = 0.9 m + 0.1 g = (0.027 - 0.1, -0.036 + 0.1) = (-0.073, 0.064)
    p2, s = cfg.update(np.array([[-1.0, 1.0]]), s, p1)
    np.testing.assert_allclose(p2, [[p1[0, 0] - 0.5 * (-1 + 0.1 * p1[0, 0]), p1[0, 1] - 0.5 * (1 + 0.1 * p1[0, 1])]])
    np.testing.assert_allclose(s.mu, [[0.99 * 0.03 - 0.01, 0.99 * -0.04 + 0.01]], rtol=1e-14)


def lion_reference(p0, grad, lr, b1, b2, wd, steps):
    """Chen et al. 2023, Algorithm 2, one run and one coordinate at a time in plain Python floats."""
    p, m = [float(v) for v in p0], [0.0] * len(p0)
    out = [list(p)]
    for _ in range(steps):
        g = [float(v) for v in grad(np.array([p]))[0]]
        for i in range(len(p)):
            c = b1 * m[i] + (1 - b1) * g[i]
            p[i] = p[i] - lr * ((c > 0) - (c < 0) + wd * p[i])
            m[i] = b2 * m[i] + (1 - b2) * g[i]
        out.append(list(p))
    return np.array(out)


@pytest.mark.parametrize("name", ["rosenbrock", "himmelblau", "beale"])
@pytest.mark.parametrize(
    "hp", [{"lr": 1e-3}, {"lr": 0.01, "beta1": 0.5, "beta2": 0.9}, {"lr": 3e-3, "weight_decay": 0.5}]
)
def test_lion_and_sign_descent_follow_the_published_rules_for_300_steps(name, hp):
    land = landscapes.get(name)
    starts = np.array(land.starts, dtype=float)
    ours = trajectory(Lion(**hp), starts, land.grad, 300)
    for k, s in enumerate(starts):
        b1, b2, wd = hp.get("beta1", 0.9), hp.get("beta2", 0.99), hp.get("weight_decay", 0.0)
        ref = lion_reference(s, land.grad, hp["lr"], b1, b2, wd, 300)
        np.testing.assert_allclose(ours[:, k], ref, rtol=1e-12, atol=1e-12)
    wd = hp.get("weight_decay", 0.0)
    sign = trajectory(SignSGD(lr=hp["lr"], weight_decay=wd), starts, land.grad, 300)
    ref = lion_reference(starts[0], land.grad, hp["lr"], 0.0, 0.0, wd, 300)  # b1 = 0: sign(g) (+ wd p)
    np.testing.assert_allclose(sign[:, 0], ref, rtol=1e-12, atol=1e-12)
    assert np.abs(ours[-1] - ours[0]).max() > 0.1  # they move


def test_lion_defaults_are_the_papers():
    assert Lion().to_dict() == {"lr": 1e-4, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0}


BATCH = {
    "rprop": [{}, {"lr": 1e-3, "etaminus": 0.3, "etaplus": 1.5}, {"step_size_max": 0.05, "step_size_min": 1e-3}],
    "asgd": [{"lr": 1e-4}, {"lr": 2e-4, "lambd": 0.5, "alpha": 0.5, "t0": 10.0}, {"lr": 5e-5, "weight_decay": 0.3}],
    "adafactor": [{}, {"lr": 0.003, "beta2_decay": -0.5, "d": 1.5}, {"eps2": 0.05, "weight_decay": 0.1}],
    "signsgd": [{}, {"lr": 1e-2, "weight_decay": 0.3}, {"lr": 3e-4}],
    "lion": [{}, {"lr": 1e-3, "beta1": 0.5, "beta2": 0.9}, {"weight_decay": 0.5, "lr": 0.01}],
}


@pytest.mark.parametrize("cls", NEW, ids=lambda c: c.kind)
def test_n_runs_in_one_call_equal_n_single_runs(cls):
    cfgs = [cls(**hp) for hp in BATCH[cls.kind]]
    stacked = stack_configs(cfgs)
    together = trajectory(stacked, STARTS, ROSEN.grad, 60)
    for k, cfg in enumerate(cfgs):
        alone = trajectory(cfg, STARTS[k : k + 1], ROSEN.grad, 60)
        np.testing.assert_array_equal(together[:, k : k + 1], alone, err_msg=str(cfg))
    lrs = np.array([[1e-4], [3e-4], [5e-5]])  # a schedule's (n, 1) rates
    together = trajectory(cfgs[0], STARTS, ROSEN.grad, 30, lr=lambda t: lrs * 0.98**t)
    for k in range(3):
        alone = trajectory(cfgs[0], STARTS[k : k + 1], ROSEN.grad, 30, lr=lambda t, k=k: float(lrs[k, 0]) * 0.98**t)
        np.testing.assert_array_equal(together[:, k : k + 1], alone)


@pytest.mark.parametrize("cls", NEW, ids=lambda c: c.kind)
def test_update_does_not_mutate_its_inputs(cls):
    cfg = stack_configs([cls(**hp) for hp in BATCH[cls.kind]])
    P = STARTS.copy()
    state = cfg.init(P)
    for _ in range(3):
        P, state = cfg.update(ROSEN.grad(P), state, P)
    G = ROSEN.grad(P)
    copies = G.copy(), P.copy(), [np.array(x, copy=True) for x in state]
    cfg.update(G, state, P)
    np.testing.assert_array_equal(G, copies[0])
    np.testing.assert_array_equal(P, copies[1])
    for a, b in zip(state, copies[2], strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls", rprop_asgd.ALL + adafactor.ALL, ids=lambda c: c.kind)
def test_n_by_d_parameters_match_torch_vectors(cls):
    """A run's parameters may be any length D (a network's): 3 runs of D = 7 on a quadratic
    with condition number 50 follow torch, each run one (7,) tensor."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        rng = np.random.default_rng(3)
        scales = np.geomspace(1.0, 50.0, 7)

        def grad(p):
            return scales * (p - 0.5)

        P0 = rng.normal(size=(3, 7))
        cfg = cls(**BATCH[cls.kind][-1])
        ps = [torch.tensor(s, requires_grad=True) for s in P0]
        opt = getattr(torch.optim, cfg.torch_name)(ps, **torch_kwargs(cfg))
        P, state = P0.copy(), cfg.init(P0)
        for _ in range(200):
            for p in ps:
                p.grad = torch.from_numpy(grad(p.detach().numpy().copy()))
            opt.step()
            P, state = cfg.update(grad(P), state, P)
        theirs = np.stack([p.detach().numpy() for p in ps])
        np.testing.assert_allclose(P, theirs, rtol=1e-9, atol=1e-12)
        assert np.abs(P - P0).max() > 1e-2
    finally:
        torch.set_default_dtype(old)


@pytest.mark.parametrize(
    ("cls", "hp", "message"),
    [
        (rprop_asgd.Rprop, {"etaminus": 1.0}, "Invalid eta minus (shrink): 1.0"),
        (rprop_asgd.Rprop, {"etaplus": 0.9}, "Invalid eta plus (grow): 0.9"),
        (rprop_asgd.ASGD, {"lr": -1.0}, "Invalid learning rate: -1.0"),
        (adafactor.Adafactor, {"beta2_decay": 0.5}, "Invalid beta2 decay: 0.5"),
        (adafactor.Adafactor, {"d": 0.5}, "Invalid clipping threshold d: 0.5"),
        (Lion, {"beta1": 1.5}, "Invalid beta1: 1.5"),
        (SignSGD, {"lr": math.nan}, "Invalid learning rate: nan"),
    ],
)
def test_bad_hyperparameters_are_refused_naming_the_value(cls, hp, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cls(**hp)
