"""The rest of ``torch.optim`` (Rprop, ASGD, Adafactor) against torch, trajectory by trajectory, as
``tests/test_torch_twins.py`` tests the first-order twins: free running (to 1e-9 relative, with the
same allowance for chaotic runs), teacher forced (every step to 1e-12), and through the runner.

torch gets one ``(2,)`` parameter per run (a list of tensors): Adafactor would factor an ``(S, 2)``
matrix across runs, and each run here is one parameter vector.
"""

from __future__ import annotations

import functools
import inspect

import numpy as np
import pytest
import torch

import optimizers
from optimizers import RunConfig, RunOptions, adafactor, rprop_asgd
from optimizers.base import OptimizerConfig
from tests.test_torch_twins import (
    RTOL,
    STEPS,
    assert_close,
    get_landscape,
    landscape_names,
    lr_scales,
    our_trajectory,
    sensitivity,
    starts_of,
)

NEW = rprop_asgd.ALL + adafactor.ALL


pytestmark = pytest.mark.usefixtures(
    "float64_torch"
)  # conftest.py: torch keeps ASGD's eta and steps in the default dtype


def settings(kind: str, name: str) -> list[dict]:
    s, a = lr_scales(name)
    return {
        "rprop": [
            {},
            {"lr": a, "etaminus": 0.3, "etaplus": 1.5},
            {"lr": a, "step_size_min": 1e-3, "step_size_max": 0.05},
        ],
        "asgd": [{"lr": s}, {"lr": s, "lambd": 0.5, "alpha": 0.5, "t0": 50.0, "weight_decay": 0.1}],
        "adafactor": [{}, {"lr": 0.003, "beta2_decay": -0.5, "d": 1.5, "eps2": 0.05, "weight_decay": 0.1}],
    }[kind]


def torch_kwargs(cfg: OptimizerConfig) -> dict:
    """Our config as ``torch.optim`` keyword arguments (pairs joined, clipping dropped)."""
    kw = cfg.to_dict()
    kw.pop("max_grad_norm", None)
    pairs = [("beta1", "beta2", "betas"), ("etaminus", "etaplus", "etas")]
    pairs.append(("step_size_min", "step_size_max", "step_sizes"))
    for a, b, joined in pairs:
        if a in kw:
            kw[joined] = (kw.pop(a), kw.pop(b))
    if "eps1" in kw:
        kw["eps"] = (kw.pop("eps1"), kw.pop("eps2"))
    return kw


def torch_trajectory(cfg: OptimizerConfig, land, starts: np.ndarray, steps: int, sign: float = 1.0) -> np.ndarray:
    """torch's points ``(S, steps + 1, 2)``, one ``(2,)`` parameter per run; gradients ``sign * grad``."""
    ps = [torch.tensor(s, dtype=torch.float64, requires_grad=True) for s in starts]
    opt = getattr(torch.optim, cfg.torch_name)(ps, **torch_kwargs(cfg))
    out = [starts.copy()]
    for _ in range(steps):
        for p in ps:
            p.grad = torch.from_numpy(sign * land.grad(p.detach().numpy().copy()))
        opt.step()
        out.append(np.stack([p.detach().numpy().copy() for p in ps]))
    return np.stack(out, axis=1)


@functools.cache
def case(kind: str, name: str):
    cls = optimizers.optimizer_class(kind)
    land = get_landscape(name)
    cfgs = [cls(**hp) for hp in settings(kind, name)]
    return cfgs, np.stack([torch_trajectory(c, land, starts_of(name), STEPS) for c in cfgs])


CASES = [(c.kind, n) for c in NEW for n in landscape_names()]


@pytest.mark.parametrize("cls", NEW, ids=lambda c: c.kind)
def test_defaults_equal_torch_defaults(cls):
    sig = inspect.signature(getattr(torch.optim, cls.torch_name).__init__).parameters
    defaults = {k: v.default for k, v in sig.items() if v.default is not inspect.Parameter.empty}
    defaults.pop("params", None)
    ours = torch_kwargs(cls())
    if "eps" in defaults and defaults["eps"][0] is None:  # torch: None = the dtype's machine epsilon
        defaults["eps"] = (float(np.finfo(np.float64).eps), defaults["eps"][1])
    for k, v in ours.items():
        assert k in defaults, f"{cls.__name__}: torch has no {k}"
        assert v == (tuple(defaults[k]) if isinstance(defaults[k], tuple) else defaults[k]), (cls, k, v, defaults[k])


@pytest.mark.parametrize(("kind", "name"), CASES)
def test_free_running_and_teacher_forced_trajectories_match_torch(kind, name):
    cfgs, theirs = case(kind, name)
    land, starts = get_landscape(name), starts_of(name)
    tols = []
    for cfg, th in zip(cfgs, theirs, strict=True):
        ours = our_trajectory(cfg, land, starts, STEPS)
        assert np.abs(ours[:, -1] - ours[:, 0]).max() > 1e-3, f"{cfg}: runs barely move, a weak test"
        tol = np.maximum(RTOL, 100.0 * sensitivity(cfg, land, starts, ours))
        tols.append(tol)
        assert_close(ours, th, f"{cfg} on {name}", rtol=tol)
        forced = our_trajectory(cfg, land, starts, STEPS, forced=th)
        assert_close(forced, th, f"{cfg} on {name} (teacher forced)", rtol=1e-12)
    assert (np.stack(tols) == RTOL).mean() > 0.5, "most runs must be well conditioned, else pick other settings"


@pytest.mark.parametrize("kind", [c.kind for c in NEW])
def test_runner_positions_match_torch(kind):
    """The runner stacks the settings into ``(n, 1)`` columns: each run still follows torch's path."""
    name = "tilted-quadratic"
    cfgs, theirs = case(kind, name)
    opts = RunOptions(steps=STEPS, grad_tol=0.0, step_tol=0.0)
    res = optimizers.run(get_landscape(name), [RunConfig(c) for c in cfgs], starts_of(name), opts)
    positions = res.positions.reshape(len(cfgs), -1, STEPS + 1, 2)
    for cfg, pos, th in zip(cfgs, positions, theirs, strict=True):
        assert_close(pos, th, f"runner: {cfg}")


# --- torch's flags on the first-order twins ------------------------------------------------------
class Negated:
    """A landscape's gradient negated: maximizing ``-f`` follows the path that minimizes ``f``."""

    def __init__(self, land) -> None:
        self.land = land

    def grad(self, p: np.ndarray) -> np.ndarray:
        return -self.land.grad(p)


def flagged(name: str) -> list[OptimizerConfig]:
    """Every first-order twin and the new ones with ``maximize``; Adam, NAdam and RAdam also with
    ``decoupled_weight_decay`` (lrs as in the first-order twin tests)."""
    from tests.test_torch_twins import TWINS
    from tests.test_torch_twins import settings as first_order_settings

    out = [cls(**dict(first_order_settings(cls, name)[-1], maximize=True)) for cls in TWINS]
    out += [cls(**dict(settings(cls.kind, name)[-1], maximize=True)) for cls in NEW]
    for kind in ("adam", "nadam", "radam"):
        cls = optimizers.optimizer_class(kind)
        hp = dict(first_order_settings(cls, name)[-1], weight_decay=0.3, decoupled_weight_decay=True)
        out += [cls(**hp), cls(**dict(hp, maximize=True))]
    return out


@pytest.mark.parametrize("name", ["rosenbrock", "tilted-quadratic"])
def test_maximize_and_decoupled_weight_decay_match_torch(name):
    land, starts = get_landscape(name), starts_of(name)
    for cfg in flagged(name):
        sign = -1.0 if cfg.to_dict().get("maximize") else 1.0
        grads = Negated(land) if sign < 0 else land
        theirs = torch_trajectory(cfg, land, starts, STEPS, sign=sign)
        ours = our_trajectory(cfg, grads, starts, STEPS)
        assert np.abs(ours[:, -1] - ours[:, 0]).max() > 1e-3, f"{cfg}: runs barely move, a weak test"
        tol = np.maximum(RTOL, 100.0 * sensitivity(cfg, grads, starts, ours))
        assert_close(ours, theirs, f"{cfg} on {name}", rtol=tol)
        assert_close(our_trajectory(cfg, grads, starts, STEPS, forced=theirs), theirs, f"{cfg} forced", rtol=1e-12)


def test_decoupled_adam_is_adamw():
    hp = {"lr": 0.01, "weight_decay": 0.3}
    adamw = optimizers.make("adamw", **hp)
    adam = optimizers.make("adam", decoupled_weight_decay=True, **hp)
    land, starts = get_landscape("rosenbrock"), starts_of("rosenbrock")
    np.testing.assert_array_equal(our_trajectory(adam, land, starts, 50), our_trajectory(adamw, land, starts, 50))
    assert not np.array_equal(
        our_trajectory(optimizers.make("adam", **hp), land, starts, 50), our_trajectory(adamw, land, starts, 50)
    )
