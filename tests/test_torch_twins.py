"""Every first-order optimizer against its ``torch.optim`` twin, trajectory by trajectory.

Both sides run in float64 from the same starts on the same analytic gradients
(``p.grad = torch.from_numpy(landscape.grad(p))``), so they do the same arithmetic and must agree
to ~1e-9 relative over hundreds of steps. Three comparisons per optimizer x landscape:

- free running: our ``update`` loop vs torch, whole trajectories;
- teacher forced: at every step our update is fed torch's current point (our state integrates the
  same gradients), so a single wrong step shows up even where a trajectory is chaotic;
- the runner: ``optimizers.run`` positions vs torch.

torch keeps NAdam's ``mu_product`` (and step counters) in ``torch.get_default_dtype()``; the module
fixture sets float64 so torch does what we do (in float32 its NAdam drifts ~1e-10 from float64).
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass

import numpy as np
import pytest
import torch

import landscapes
import optimizers
from landscapes.base import CriticalPoint, Landscape, Window, stack
from optimizers import RunConfig, RunOptions, first_order, make_schedule
from optimizers.base import OptimizerConfig

pytestmark = [pytest.mark.torch, pytest.mark.usefixtures("float64_torch")]

STEPS = 300
RTOL = 1e-9


@dataclass(frozen=True)
class TiltedQuadratic(Landscape):
    """``f = 1/2 (p - c)^T A (p - c)`` with ``A = [[1, 0.3], [0.3, 10]]``, ``c = (1, -0.5)``."""

    key = ""  # test-only, never registered
    default_window = Window(-2.0, 3.0, -2.0, 2.0)
    default_starts = ((-1.5, 1.5), (2.5, -1.8), (0.0, 1.0))

    def value(self, p):
        x, y = p[..., 0] - 1.0, p[..., 1] + 0.5
        return 0.5 * (x * x + 10.0 * y * y) + 0.3 * x * y

    def grad(self, p):
        x, y = p[..., 0] - 1.0, p[..., 1] + 0.5
        return stack(x + 0.3 * y, 0.3 * x + 10.0 * y)

    def hessian(self, p):
        return np.broadcast_to(np.array([[1.0, 0.3], [0.3, 10.0]]), (*p.shape, 2)).copy()

    def minima(self):
        return (CriticalPoint(1.0, -0.5, 0.0),)


def landscape_names() -> list[str]:
    """Rosenbrock, our tilted quadratic (the registered bowl is isotropic: a weaker test), and
    Himmelblau and Beale where registered."""
    wanted = ("himmelblau", "beale")
    return ["rosenbrock", "tilted-quadratic"] + [n for n in wanted if n in landscapes.names()]


@functools.cache
def get_landscape(name: str) -> Landscape:
    return TiltedQuadratic() if name == "tilted-quadratic" else landscapes.get(name)


@functools.cache
def starts_of(name: str) -> np.ndarray:
    land = get_landscape(name)
    w = land.window
    extra = [(w.xmin + 0.3 * (w.xmax - w.xmin), w.ymin + 0.7 * (w.ymax - w.ymin))]
    return np.array(list(land.starts) + extra, dtype=float)


@functools.cache
def lr_scales(name: str) -> tuple[float, float]:
    """(plain-gradient lr, adaptive lr): ``0.5 / L`` with ``L`` the largest Hessian eigenvalue
    modulus over the window, and 0.5 % of the window's width."""
    land = get_landscape(name)
    _, _, pts = land.window.grid(41)
    L = np.abs(np.linalg.eigvalsh(land.hessian(pts.reshape(-1, 2)))).max()
    return 0.5 / L, 0.005 * land.window.width


def settings(cls: type[OptimizerConfig], name: str) -> list[dict]:
    """Hyperparameter settings of ``cls`` to compare on landscape ``name`` (lrs scaled to it)."""
    s, a = lr_scales(name)
    table = {
        "sgd": [
            {"lr": s},
            {"lr": s, "weight_decay": 0.1},
            {"lr": s, "momentum": 0.5, "dampening": 0.3},
            {"lr": s, "momentum": 0.8, "nesterov": True},
        ],
        "momentum": [{"lr": s}, {"lr": s, "weight_decay": 0.05, "momentum": 0.7}],
        "nesterov": [{"lr": s}, {"lr": s, "momentum": 0.7, "weight_decay": 0.1}],
        "adagrad": [
            {},
            {"lr": 5 * a},
            {"lr": 5 * a, "lr_decay": 0.01, "initial_accumulator_value": 0.5, "weight_decay": 0.05},
        ],
        "adadelta": [{}, {"lr": 0.5, "rho": 0.5, "eps": 1e-4, "weight_decay": 0.1}],
        "rmsprop": [
            {"lr": a / 4},
            {"lr": a / 4, "centered": True},
            {"lr": a / 4, "alpha": 0.9, "momentum": 0.3},
            {"lr": a / 8, "centered": True, "momentum": 0.5, "weight_decay": 0.1},
        ],
        "adam": [{}, {"lr": a}, {"lr": a, "weight_decay": 0.1}, {"lr": a, "amsgrad": True, "beta1": 0.5, "beta2": 0.9}],
        "amsgrad": [{"lr": a}],
        "adamw": [{"lr": a}, {"lr": a, "weight_decay": 0.5, "amsgrad": True}],
        "adamax": [{}, {"lr": a}, {"lr": a, "beta1": 0.5, "beta2": 0.99, "weight_decay": 0.1}],
        "nadam": [{}, {"lr": a}, {"lr": a, "momentum_decay": 0.02, "weight_decay": 0.1}],
        # RAdam's first steps (rho_t <= 5) are plain momentum SGD: the plain-gradient lr
        "radam": [{"lr": 2 * s}, {"lr": 2 * s, "beta2": 0.99, "weight_decay": 0.1}, {"lr": 2 * s, "beta2": 0.8}],
    }
    return table[cls.kind]


def torch_kwargs(cfg: OptimizerConfig) -> dict:
    """Our config as ``torch.optim`` keyword arguments (betas joined, clipping dropped)."""
    kw = cfg.to_dict()
    kw.pop("max_grad_norm", None)
    if "beta1" in kw:
        kw["betas"] = (kw.pop("beta1"), kw.pop("beta2"))
    return kw


def torch_trajectory(
    cfg: OptimizerConfig, land: Landscape, starts: np.ndarray, steps: int, scheduler=None
) -> np.ndarray:
    """torch's points ``(S, steps + 1, 2)`` on one ``(S, 2)`` float64 parameter."""
    p = torch.tensor(starts, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, cfg.torch_name)([p], **torch_kwargs(cfg))
    sched = scheduler(opt) if scheduler else None
    out = [starts.copy()]
    for _ in range(steps):
        p.grad = torch.from_numpy(land.grad(p.detach().numpy().copy()))
        opt.step()
        if sched is not None:
            sched.step()
        out.append(p.detach().numpy().copy())
    return np.stack(out, axis=1)


def our_trajectory(
    cfg: OptimizerConfig, land: Landscape, starts: np.ndarray, steps: int, forced: np.ndarray | None = None
) -> np.ndarray:
    """Our points ``(S, steps + 1, 2)``; with ``forced`` (a trajectory), step t starts from
    ``forced[:, t]`` instead of our own previous point."""
    P = starts.copy()
    state = cfg.init(P)
    out = [P]
    for t in range(steps):
        if forced is not None:
            P = forced[:, t]
        P, state = cfg.update(land.grad(P), state, P)
        out.append(P)
    return np.stack(out, axis=1)


@functools.cache
def case(kind: str, name: str) -> tuple[list[OptimizerConfig], np.ndarray]:
    """Configs of ``kind`` on landscape ``name`` and torch's trajectories ``(C, S, T + 1, 2)``."""
    cls = optimizers.optimizer_class(kind)
    land = get_landscape(name)
    cfgs = [cls(**hp) for hp in settings(cls, name)]
    return cfgs, np.stack([torch_trajectory(c, land, starts_of(name), STEPS) for c in cfgs])


@functools.cache
def ours_and_rtol(kind: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Our free-running trajectories ``(C, S, T + 1, 2)`` for ``case(kind, name)`` and the
    tolerance of each run ``(C, S)``: RTOL, or where a 5-ulp nudge of the start already moves
    our run by more than that (chaotic bouncing in a valley), 100x that spread, since the
    rounding-level differences from torch are amplified alike. The teacher-forced test checks
    those steps one at a time to 1e-12."""
    cfgs, _ = case(kind, name)
    land, starts = get_landscape(name), starts_of(name)
    ours = [our_trajectory(c, land, starts, STEPS) for c in cfgs]
    rtol = [np.maximum(RTOL, 100.0 * sensitivity(c, land, starts, o)) for c, o in zip(cfgs, ours, strict=True)]
    return np.stack(ours), np.stack(rtol)


def relative_error(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """Per-coordinate error relative to the point's size (floored at 1e-3), shape of the inputs."""
    scale = np.abs(theirs).max(axis=-1, keepdims=True)
    return np.abs(ours - theirs) / np.maximum(scale, 1e-3)


def assert_close(ours: np.ndarray, theirs: np.ndarray, what: str, rtol: float | np.ndarray = RTOL) -> None:
    """``ours`` and ``theirs`` ``(S, T, 2)`` agree to ``rtol`` (scalar or per run ``(S,)``)."""
    assert np.all(np.isfinite(theirs)), f"{what}: torch's trajectory is not finite (pick another setting)"
    err = relative_error(ours, theirs).max(axis=(1, 2))
    allowed = np.broadcast_to(rtol, err.shape)
    bad = np.flatnonzero(err > allowed)
    assert bad.size == 0, f"{what}: run {bad[0]} off by {err[bad[0]]:.2e} relative (allowed {allowed[bad[0]]:.1e})"


def sensitivity(cfg: OptimizerConfig, land: Landscape, starts: np.ndarray, ours: np.ndarray) -> np.ndarray:
    """How far each of our runs ``(S,)`` moves when its start moves by ~5 ulp: the error that
    rounding alone produces on a trajectory that amplifies it (chaotic bouncing in a valley)."""
    nudged = our_trajectory(cfg, land, starts * (1.0 + 1e-15 * np.array([1.0, -1.0])), ours.shape[1] - 1)
    return relative_error(nudged, ours).max(axis=(1, 2))


TWINS = [c for c in first_order.ALL if c.torch_name]
CASES = [(c.kind, n) for c in TWINS for n in landscape_names()]


def test_every_first_order_optimizer_has_a_twin():
    assert {c.kind for c in TWINS} == {c.kind for c in first_order.ALL}
    for cls in TWINS:
        assert issubclass(getattr(torch.optim, cls.torch_name), torch.optim.Optimizer)


@pytest.mark.parametrize(
    "cls",
    [
        first_order.SGD,
        first_order.Adagrad,
        first_order.Adadelta,
        first_order.RMSprop,
        first_order.Adam,
        first_order.AdamW,
        first_order.Adamax,
        first_order.NAdam,
        first_order.RAdam,
    ],
)
def test_defaults_equal_torch_defaults(cls):
    sig = inspect.signature(getattr(torch.optim, cls.torch_name).__init__).parameters
    ours = cls().to_dict()
    theirs = {k: v.default for k, v in sig.items() if k in ours}
    if "betas" in sig:
        theirs["beta1"], theirs["beta2"] = sig["betas"].default
    assert theirs, cls
    for k, v in theirs.items():
        assert ours[k] == v, f"{cls.__name__}.{k}: ours {ours[k]} vs torch {v}"


def test_convenience_classes_are_torch_settings():
    assert first_order.Momentum().to_dict() == first_order.SGD(momentum=0.9).to_dict()
    assert first_order.Nesterov().to_dict() == first_order.SGD(momentum=0.9, nesterov=True).to_dict()
    assert first_order.AMSGrad().to_dict() == first_order.Adam(amsgrad=True).to_dict()


@pytest.mark.parametrize(("kind", "name"), CASES)
def test_free_running_trajectories_match_torch(kind, name):
    cfgs, theirs = case(kind, name)
    ours, rtol = ours_and_rtol(kind, name)
    for cfg, o, th, tol in zip(cfgs, ours, theirs, rtol, strict=True):
        assert np.abs(o[:, -1] - o[:, 0]).max() > 1e-3, f"{cfg}: runs barely move, a weak test"
        assert_close(o, th, f"{cfg} on {name}", rtol=tol)
    assert (rtol == RTOL).mean() > 0.5, "most runs must be well conditioned, else pick other settings"


@pytest.mark.parametrize("kind", [c.kind for c in TWINS])
def test_free_running_on_a_convex_quadratic_is_exact_to_1e9(kind):
    """On a convex quadratic every trajectory is well conditioned: no allowance at all."""
    cfgs, theirs = case(kind, "tilted-quadratic")
    for cfg, th in zip(cfgs, theirs, strict=True):
        ours = our_trajectory(cfg, get_landscape("tilted-quadratic"), starts_of("tilted-quadratic"), STEPS)
        assert_close(ours, th, f"{cfg} on the tilted quadratic")


@pytest.mark.parametrize(("kind", "name"), CASES)
def test_teacher_forced_steps_match_torch(kind, name):
    cfgs, theirs = case(kind, name)
    land = get_landscape(name)
    for cfg, th in zip(cfgs, theirs, strict=True):
        ours = our_trajectory(cfg, land, starts_of(name), STEPS, forced=th)
        assert_close(ours, th, f"{cfg} on {name} (teacher forced)", rtol=1e-12)


@pytest.mark.parametrize(("kind", "name"), [(c.kind, n) for c in TWINS for n in ("rosenbrock", "tilted-quadratic")])
def test_runner_positions_match_torch(kind, name):
    """``optimizers.run`` (configs stacked into (n, 1) hyperparameters, grouped by flags)
    reproduces torch's points at every recorded step."""
    cfgs, theirs = case(kind, name)
    _, rtol = ours_and_rtol(kind, name)
    starts = starts_of(name)
    opts = RunOptions(steps=STEPS, record_every=1, grad_tol=0.0, step_tol=0.0)
    res = optimizers.run(get_landscape(name), [RunConfig(c) for c in cfgs], starts, opts)
    assert np.all(res.status == optimizers.Status.RUNNING)
    np.testing.assert_array_equal(res.steps, np.arange(STEPS + 1))
    positions = res.positions.reshape(len(cfgs), len(starts), STEPS + 1, 2)
    for cfg, pos, th, tol in zip(cfgs, positions, theirs, rtol, strict=True):
        assert_close(pos, th, f"runner: {cfg} on {name}", rtol=tol)


def torch_clipped_trajectory(cfg: OptimizerConfig, land: Landscape, starts: np.ndarray, steps: int) -> np.ndarray:
    """torch with one parameter per run, each clipped by ``clip_grad_norm_`` on its own."""
    ps = [torch.tensor(s, dtype=torch.float64, requires_grad=True) for s in starts]
    opt = getattr(torch.optim, cfg.torch_name)(ps, **torch_kwargs(cfg))
    out = [starts.copy()]
    for _ in range(steps):
        for p in ps:
            p.grad = torch.from_numpy(land.grad(p.detach().numpy().copy()))
            torch.nn.utils.clip_grad_norm_([p], cfg.max_grad_norm)
        opt.step()
        out.append(np.stack([p.detach().numpy().copy() for p in ps]))
    return np.stack(out, axis=1)


@pytest.mark.parametrize("cls", TWINS, ids=lambda c: c.kind)
def test_gradient_clipping_matches_clip_grad_norm(cls):
    """Rosenbrock's walls are steep (|g| up to ~1e4), so a norm cap of 2 is active on most steps."""
    name, land = "rosenbrock", get_landscape("rosenbrock")
    starts = starts_of(name)
    hp = dict(settings(cls, name)[-1], max_grad_norm=2.0)
    if cls.kind in ("sgd", "momentum", "nesterov", "radam"):
        hp["lr"] = 2e-3  # clipped: each step is at most lr * 2 (times the momentum gain)
    cfg = cls(**hp)
    theirs = torch_clipped_trajectory(cfg, land, starts, STEPS)
    ours = our_trajectory(cfg, land, starts, STEPS)
    clipped = np.linalg.norm(land.grad(theirs[:, :-1]), axis=-1) > 2.0
    assert clipped.mean() > 0.2, "clipping must be active on many steps"
    rtol = np.maximum(RTOL, 100.0 * sensitivity(cfg, land, starts, ours))
    assert_close(ours, theirs, f"clipped {cfg}", rtol=rtol)
    assert_close(our_trajectory(cfg, land, starts, STEPS, forced=theirs), theirs, f"clipped {cfg} forced", 1e-12)


@pytest.mark.parametrize("cls", TWINS, ids=lambda c: c.kind)
@pytest.mark.parametrize(
    ("schedule", "make_scheduler"),
    [
        (make_schedule("exponential", gamma=0.99), lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.99)),
        (
            make_schedule("step", gamma=0.5, step_size=50),
            lambda opt: torch.optim.lr_scheduler.StepLR(opt, 50, gamma=0.5),
        ),
    ],
    ids=["exponential", "step"],
)
def test_scheduled_runs_match_torch_lr_scheduler(cls, schedule, make_scheduler):
    """The runner's per-step ``lr`` override reaches every update rule as torch's scheduler
    does (AdamW's decoupled decay and Adagrad's lr_decay use the scheduled rate too)."""
    name = "tilted-quadratic"
    land, starts = get_landscape(name), starts_of(name)
    cfg = cls(**settings(cls, name)[-1])
    theirs = torch_trajectory(cfg, land, starts, STEPS, scheduler=make_scheduler)
    opts = RunOptions(steps=STEPS, grad_tol=0.0, step_tol=0.0)
    res = optimizers.run(land, [RunConfig(cfg, schedule=schedule)], starts, opts)
    assert_close(res.positions, theirs, f"{cfg} with {schedule.kind} schedule")
