"""First-order optimizers: N runs in one call equal N single runs, inputs are never mutated or aliased,
the runner's path equals a plain update loop, and bad hyperparameters are refused naming the value."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import optimizers
from optimizers import first_order as fo
from optimizers.base import stack_configs
from tests.first_order_support import ROSEN, STARTS, rosen_traj, trajectory

# --- batched runs equal single runs, inputs untouched ------------------------------------------

BATCH = {
    "sgd": [{"lr": 1e-4}, {"lr": 2e-4, "momentum": 0.9, "dampening": 0.1}, {"lr": 5e-5, "weight_decay": 0.3}],
    "momentum": [{"lr": 1e-4}, {"lr": 2e-4, "momentum": 0.5}, {"lr": 1e-4, "momentum": 0.0}],
    "nesterov": [{"lr": 1e-4}, {"lr": 2e-4, "momentum": 0.5}, {"lr": 1e-4, "weight_decay": 0.2}],
    "adagrad": [{}, {"lr": 0.1, "lr_decay": 0.1}, {"initial_accumulator_value": 0.5, "eps": 1e-6}],
    "adadelta": [{}, {"rho": 0.5, "lr": 0.5}, {"eps": 1e-4, "weight_decay": 0.1}],
    "rmsprop": [{}, {"alpha": 0.9, "momentum": 0.5}, {"lr": 1e-3, "eps": 1e-3}],
    "adam": [{}, {"beta1": 0.5, "beta2": 0.9, "lr": 0.01}, {"weight_decay": 0.1, "max_grad_norm": 10.0}],
    "amsgrad": [{}, {"beta1": 0.5, "beta2": 0.9, "lr": 0.01}, {"eps": 1e-3}],
    "adamw": [{}, {"beta1": 0.5, "lr": 0.01}, {"weight_decay": 0.5}],
    "adamax": [{}, {"beta1": 0.5, "beta2": 0.9}, {"lr": 0.01, "weight_decay": 0.2}],
    "nadam": [{}, {"beta1": 0.5, "beta2": 0.9}, {"momentum_decay": 0.02, "lr": 0.01}],
    "radam": [{}, {"beta2": 0.9, "lr": 1e-4}, {"beta1": 0.5, "beta2": 0.5}],  # beta2 = 0.5 never rectifies
}


@pytest.mark.parametrize("cls", fo.ALL, ids=lambda c: c.kind)
def test_n_runs_in_one_call_equal_n_single_runs(cls):
    cfgs = [cls(**hp) for hp in BATCH[cls.kind]]
    stacked = stack_configs(cfgs)
    assert any(np.ndim(getattr(stacked, f)) == 2 for f in stacked.numeric_fields())
    together = rosen_traj(stacked, 40)
    for k, cfg in enumerate(cfgs):
        alone = trajectory(cfg, STARTS[k : k + 1], ROSEN.grad, 40)
        np.testing.assert_array_equal(together[:, k : k + 1], alone, err_msg=str(cfg))


@pytest.mark.parametrize("cls", fo.ALL, ids=lambda c: c.kind)
def test_batched_lr_override_equals_single_runs(cls):
    """The runner's schedule passes ``lr`` of shape (n, 1): each run follows its own rate."""
    lrs = np.array([[1e-4], [3e-4], [5e-5]])
    cfg = cls()
    together = rosen_traj(cfg, 30, lr=lambda t: lrs * 0.98**t)
    for k in range(3):
        alone = trajectory(cfg, STARTS[k : k + 1], ROSEN.grad, 30, lr=lambda t, k=k: float(lrs[k, 0]) * 0.98**t)
        np.testing.assert_array_equal(together[:, k : k + 1], alone)


def _arrays(state):
    return [np.array(x, copy=True) for x in state]


@pytest.mark.parametrize("cls", fo.ALL, ids=lambda c: c.kind)
def test_update_does_not_mutate_or_alias_its_inputs(cls):
    cfg = stack_configs([cls(**hp) for hp in BATCH[cls.kind]])
    P = STARTS.copy()
    state = cfg.init(P)
    for _ in range(3):  # past the first step's special cases
        P, state = cfg.update(ROSEN.grad(P), state, P)
    G = ROSEN.grad(P)
    G0, P0_, S0 = G.copy(), P.copy(), _arrays(state)
    newP, new_state = cfg.update(G, state, P)
    np.testing.assert_array_equal(G, G0)
    np.testing.assert_array_equal(P, P0_)
    for a, b in zip(state, S0, strict=True):
        np.testing.assert_array_equal(a, b)
    # the new state and point are fresh arrays: scribbling on the inputs leaves them alone
    snapshot = _arrays(new_state), newP.copy()
    G[:] = np.nan
    P[:] = np.nan
    for a, b in zip(new_state, snapshot[0], strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(newP, snapshot[1])


@pytest.mark.parametrize("cls", fo.ALL, ids=lambda c: c.kind)
def test_first_step_state_does_not_alias_the_gradient(cls):
    """The first update is special in several rules (torch's SGD buffer starts as a clone of g)."""
    cfg = cls()
    P = STARTS.copy()
    G = ROSEN.grad(P)
    _, state = cfg.update(G, cfg.init(P), P)
    before = _arrays(state)
    G[:] = 123.0
    for a, b in zip(state, before, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("cls", fo.ALL, ids=lambda c: c.kind)
def test_runner_path_equals_update_loop(cls):
    """``optimizers.run`` with several configs of one kind equals our own update loop."""
    cfgs = [cls(**hp) for hp in BATCH[cls.kind]]
    opts = optimizers.RunOptions(steps=40, grad_tol=0.0, step_tol=0.0)
    res = optimizers.run(ROSEN, [optimizers.RunConfig(c) for c in cfgs], STARTS, opts)
    for k, cfg in enumerate(cfgs):
        ours = np.swapaxes(rosen_traj(cfg, 40), 0, 1)
        np.testing.assert_array_equal(res.positions[k * 3 : (k + 1) * 3], ours, err_msg=str(cfg))


# --- hyperparameter validation ------------------------------------------------------------

BAD = [
    (fo.SGD, {"lr": -0.1}, "-0.1"),
    (fo.SGD, {"lr": float("nan")}, "nan"),
    (fo.SGD, {"momentum": -0.5}, "-0.5"),
    (fo.SGD, {"weight_decay": -1.0}, "-1.0"),
    (fo.SGD, {"dampening": 1.5}, "1.5"),
    (fo.SGD, {"max_grad_norm": -2.0}, "-2.0"),
    (fo.SGD, {"nesterov": True}, "Nesterov"),
    (fo.SGD, {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "Nesterov"),
    (fo.Nesterov, {"momentum": 0.0}, "0.0"),
    (fo.Adagrad, {"lr_decay": -0.01}, "-0.01"),
    (fo.Adagrad, {"initial_accumulator_value": -1.0}, "-1.0"),
    (fo.Adagrad, {"eps": -1e-10}, "-1e-10"),
    (fo.Adadelta, {"rho": 1.5}, "1.5"),
    (fo.Adadelta, {"rho": -0.1}, "-0.1"),
    (fo.RMSprop, {"alpha": -0.1}, "-0.1"),
    (fo.RMSprop, {"momentum": -0.2}, "-0.2"),
    (fo.Adam, {"lr": -1e-3}, "-0.001"),
    (fo.Adam, {"beta1": 1.0}, "1.0"),
    (fo.Adam, {"beta2": 1.0}, "1.0"),
    (fo.Adam, {"beta1": -0.1}, "-0.1"),
    (fo.Adam, {"beta2": 1.5}, "1.5"),
    (fo.Adam, {"eps": -1e-8}, "-1e-08"),
    (fo.AMSGrad, {"beta2": 1.0}, "1.0"),
    (fo.AdamW, {"beta1": 1.0}, "1.0"),
    (fo.AdamW, {"weight_decay": -0.01}, "-0.01"),
    (fo.Adamax, {"beta1": 1.0}, "1.0"),
    (fo.Adamax, {"beta2": 1.0}, "1.0"),
    (fo.NAdam, {"beta1": 1.0}, "1.0"),
    (fo.NAdam, {"beta2": 1.0}, "1.0"),
    (fo.NAdam, {"momentum_decay": -0.004}, "-0.004"),
    (fo.RAdam, {"beta1": 1.0}, "1.0"),
    (fo.RAdam, {"beta2": 1.0}, "1.0"),
    (fo.Adam, {"lr": np.array([[0.1], [-0.25], [0.3]])}, "-0.25"),
    (fo.Adam, {"beta1": np.array([[0.9], [1.0]])}, "1.0"),
]


@pytest.mark.parametrize(("cls", "hp", "named"), BAD, ids=[f"{c.kind}-{'-'.join(h)}" for c, h, _ in BAD])
def test_invalid_hyperparameters_raise_naming_the_value(cls, hp, named):
    with pytest.raises(ValueError, match=r"Invalid|Nesterov") as err:
        cls(**hp)
    assert named in str(err.value)


@pytest.mark.parametrize("cls", fo.ALL, ids=lambda c: c.kind)
def test_edge_values_are_valid(cls):
    """The closed ends torch accepts: lr 0, beta 0, weight decay 0 (and defaults)."""
    cls()
    cls(lr=0.0)
    fields = {f.name for f in dataclasses.fields(cls)}
    if "beta1" in fields:
        cls(beta1=0.0, beta2=0.0)
    p1, _ = cls(lr=0.0, **({"weight_decay": 0.0} if "weight_decay" in fields else {})).update(
        ROSEN.grad(STARTS), cls().init(STARTS), STARTS
    )
    np.testing.assert_array_equal(p1, STARTS)  # lr = 0 does not move


def test_make_validates_too():
    with pytest.raises(ValueError, match=r"beta parameter at index 1: 1\.0"):
        optimizers.make("nadam", beta2=1.0)
    with pytest.raises(ValueError, match="learning rate: -1"):
        optimizers.make("sgd", lr=-1.0)
