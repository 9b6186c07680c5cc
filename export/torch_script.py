""" "Reproduce in PyTorch": a short runnable script that rebuilds a race scene with ``torch.optim``.

The script defines the landscape in torch (``export.torch_landscapes``), builds each run from its
optimizer config, table-driven: ``torch.optim.<config.torch_name>`` with the config's fields as
keyword arguments (``beta1, beta2`` joined into ``betas`` and similar pairs, ``max_grad_norm`` done
with ``clip_grad_norm_``; a config may define ``torch_kwargs()`` to say it itself), a schedule as
a ``torch.optim.lr_scheduler`` (the named class where it equals the app's, else ``LambdaLR``),
the app's gradient noise ported to plain Python (the noise model has no torch twin) and Polyak
averaging as a running mean. Runs with no torch twin (Newton, BFGS, CG, coordinate descent, Lion,
sign descent) say so in a comment and use the app's rule in plain torch (``export.torch_rules``,
each rule emitted only when the scene has such a run). Only ``torch`` is needed to run it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from export.torch_landscapes import NoTorchFormError, torch_function
from export.torch_rules import RULE_NAMES, rule_sources
from optimizers.base import OptimizerConfig
from optimizers.schedules import Schedule
from scenes import Scene

# torch takes these pairs of fields as one tuple argument
PAIRS: dict[tuple[str, str], str] = {
    ("beta1", "beta2"): "betas",
    ("eta_minus", "eta_plus"): "etas",
    ("step_size_min", "step_size_max"): "step_sizes",
    ("etaminus", "etaplus"): "etas",  # Rprop
    ("eps1", "eps2"): "eps",  # Adafactor
}
__all__ = ["NoTorchFormError", "torch_kwargs", "torch_script"]
NOT_TORCH_ARGS = frozenset({"max_grad_norm"})  # done in the script's closure


def _lit(v: Any) -> str:
    """A Python literal that reads back to the same value."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return repr(v)
    if isinstance(v, tuple):
        return "(" + ", ".join(_lit(x) for x in v) + ")"
    if isinstance(v, int):
        return repr(v)
    return repr(float(v))


def torch_kwargs(config: OptimizerConfig) -> dict[str, Any] | None:
    """Keyword arguments of ``torch.optim.<config.torch_name>`` for ``config`` (``lr`` first); ``None``
    when the config has no torch twin."""
    if not config.torch_name:
        return None
    own = getattr(config, "torch_kwargs", None)
    if callable(own):
        return dict(own())
    fields = {f.name: getattr(config, f.name) for f in dataclasses.fields(config) if f.name not in NOT_TORCH_ARGS}
    values: dict[str, Any] = {}
    for name, v in fields.items():
        pair = next(((ab, joined) for ab, joined in PAIRS.items() if name in ab and all(n in fields for n in ab)), None)
        if pair is None:
            values[name] = v
        elif name == pair[0][0]:  # the pair goes where its first field is
            values[pair[1]] = tuple(fields[n] for n in pair[0])
    return values


def _factor_source(schedule: Schedule, steps: int) -> list[str]:
    """``def lr_factor(k):`` lines: the multiplier of the base rate at update ``k`` (0-based)."""
    kind = schedule.kind
    curves = {
        "constant": lambda s: "1.0",
        "step": lambda s: f"{_lit(s.gamma)} ** (kd // {s.step_size})",
        "exponential": lambda s: f"{_lit(s.gamma)} ** kd",
        "inverse_time": lambda s: f"1.0 / (1.0 + {_lit(s.decay)} * kd)",
        "cosine": lambda s: (
            f"{_lit(s.min_factor)} + (1.0 - {_lit(s.min_factor)}) * 0.5 * "
            f"(1.0 + math.cos(math.pi * min(kd, {s.total}) / {s.total}))"
        ),
    }
    lines = ["def lr_factor(k):", f"    # {kind}: {schedule.rule}" if schedule.rule else f"    # {kind}"]
    w = schedule.warmup
    lines.append(f"    kd = max(k - {w}, 0)" if w else "    kd = k")
    if kind in curves:
        lines.append(f"    f = {curves[kind](schedule)}")
    else:  # a kind this generator does not know: its factors, listed
        table = ", ".join(_lit(float(schedule.factor(k))) for k in range(max(steps, 1)))
        lines.append(f"    f = [{table}][min(k, {max(steps, 1) - 1})]")
    if w:
        lines.append(
            f"    f *= {_lit(schedule.warmup_start)} + (1.0 - {_lit(schedule.warmup_start)}) * min(k, {w}) / {w}"
        )
    lines.append("    return f")
    return lines


def scheduler_source(schedule: Schedule, lr: float, steps: int) -> tuple[list[str], str | None]:
    """(helper lines, ``lambda opt: ...`` building the scheduler) for ``schedule``; ``None`` for a
    constant rate. The named torch class is used where it equals the app's schedule."""
    sched = "torch.optim.lr_scheduler"
    if schedule.warmup == 0:
        if schedule.kind == "constant":
            return [], None
        if schedule.kind == "step":
            return [], f"lambda opt: {sched}.StepLR(opt, step_size={schedule.step_size}, gamma={_lit(schedule.gamma)})"
        if schedule.kind == "exponential":
            return [], f"lambda opt: {sched}.ExponentialLR(opt, gamma={_lit(schedule.gamma)})"
        if schedule.kind == "cosine" and steps <= schedule.total:  # torch's restarts after T_max; the app's stays
            eta_min = _lit(schedule.min_factor * lr)
            return [], f"lambda opt: {sched}.CosineAnnealingLR(opt, T_max={schedule.total}, eta_min={eta_min})"
    return _factor_source(schedule, steps), f"lambda opt: {sched}.LambdaLR(opt, lr_factor)"


_NOISE = '''
def gradient_noise(seed, stream, step):
    """The app's gradient noise: two standard normals from a SplitMix64 hash of (seed, stream,
    step) and Box-Muller. torch has no such model; this is the app's generator in plain Python."""
    mask = 2**64 - 1

    def mix(z):
        z = (z + 0x9E3779B97F4A7C15) & mask
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    base = mix(mix(seed) ^ ((stream * 0xD1B54A32D192ED03) & mask) ^ ((step * 0xABC98388FB8FAC03) & mask))
    u1 = ((mix(base ^ 1) >> 11) + 1.0) * 2.0**-53
    u2 = (mix(base ^ 2) >> 11) * 2.0**-53
    radius = math.sqrt(-2.0 * math.log(u1))
    return torch.tensor([radius * math.cos(2.0 * math.pi * u2), radius * math.sin(2.0 * math.pi * u2)])
'''

_RACE = '''
def race(make_optimizer, make_scheduler=None, max_grad_norm=0.0, noise_std=0.0, stream=0, average_from=-1):
    """One run from every start: a list (per start) of paths, each a list of [x, y] per step.
    noise_std > 0 adds the app's gradient noise (stream + start index); average_from >= 0 shows
    the running mean of the iterates from that step on (Polyak averaging), as the app does."""
    paths = []
    for s, start in enumerate(STARTS):
        p = torch.tensor(start, requires_grad=True)
        opt = make_optimizer([p])
        scheduler = make_scheduler(opt) if make_scheduler else None
        mean, count = (p.detach().clone(), 1) if average_from == 0 else (None, 0)
        path = [list(start)]
        for t in range(1, STEPS + 1):

            def closure():
                opt.zero_grad()
                loss = f(p[0], p[1])
                loss.backward()
                if noise_std > 0:
                    p.grad += noise_std * gradient_noise(SEED, stream + s, t)
                if max_grad_norm > 0:
                    torch.nn.utils.clip_grad_norm_([p], max_grad_norm)
                return loss

            opt.step(closure)
            if scheduler is not None:
                scheduler.step()
            if not torch.isfinite(p).all():
                break  # diverged (the app stops the run and keeps its last point)
            if average_from >= 0 and t >= average_from:
                count += 1
                mean = p.detach().clone() if count == 1 else mean + (p.detach() - mean) / count
            path.append((mean if count > 0 else p).tolist())
        paths.append(path)
    return paths
'''

_MAIN = """
if __name__ == "__main__":
    for label, runs in paths.items():
        for s, path in enumerate(runs):
            x, y = path[-1]
            loss = f(torch.tensor(x), torch.tensor(y)).item()
            print(f"{label} (start {s + 1}): {len(path) - 1} steps, final point ({x:.6g}, {y:.6g}), loss {loss:.6g}")
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as out:
            json.dump(paths, out)
        print("paths saved to", sys.argv[1])
"""


def _inner(optimizer: OptimizerConfig) -> OptimizerConfig:
    """The optimizer that moves the iterates: the inner one of Polyak averaging."""
    return optimizer.inner if optimizer.kind == "polyak" else optimizer


def _run_block(i: int, label: str, scene: Scene, c: int) -> tuple[list[str], list[str]]:
    """(helper lines, code lines) building run ``c`` of ``scene``, or a comment when it has no torch twin."""
    config = scene.run_configs()[c]
    optimizer, average_from = config.optimizer, -1
    if optimizer.kind == "polyak":
        optimizer, average_from = optimizer.inner, int(optimizer.start)
    kwargs = torch_kwargs(optimizer)
    head = f"# {i}. {label!r}"  # repr: a label from a link stays one quoted line
    rule = RULE_NAMES.get(optimizer.kind)
    if kwargs is None and rule is None:
        return [], [
            f"{head}: {optimizer.title} has no torch twin (torch.optim has no such optimizer); not reproduced here."
        ]
    if kwargs is None:  # the app's rule in plain torch
        fields = {f.name: getattr(optimizer, f.name) for f in dataclasses.fields(optimizer)}
        args = ", ".join(f"{k}={_lit(v)}" for k, v in fields.items())
        head += f": torch.optim has no {optimizer.title}; the app's rule in plain torch ({rule} above)"
        make = f"lambda params: PlainTorch(params, {rule}, {args})"
    else:
        args = ", ".join(f"{k}={_lit(v)}" for k, v in kwargs.items())
        make = f"lambda params: torch.optim.{optimizer.torch_name}(params, {args})"
    helpers, make_sched = scheduler_source(config.schedule, float(optimizer.lr), scene.steps)
    if helpers:
        helpers = [line.replace("def lr_factor", f"def lr_factor_{i}") for line in helpers]
        make_sched = make_sched.replace("lr_factor", f"lr_factor_{i}")
    extra = []
    if make_sched:
        extra.append(f"make_scheduler={make_sched}")
    clip = float(getattr(optimizer, "max_grad_norm", 0.0))
    if clip > 0:
        extra.append(f"max_grad_norm={_lit(clip)}")
    if config.noise.std > 0:
        extra.append(f"noise_std={_lit(config.noise.std)}, stream={c * len(scene.starts)}")
    if average_from >= 0:
        extra.append(f"average_from={average_from}")
    call = ",\n    ".join([make, *extra])
    return helpers, [head, f"paths[{label!r}] = race(\n    {call},\n)"]


def torch_script(scene: Scene, link: str = "") -> str:
    """The script's source for ``scene`` (``link``: the scene's link, quoted in the docstring);
    ``NoTorchFormError`` for a landscape not written in torch here (the data landscapes)."""
    landscape = scene.landscape_obj()
    labels = scene.labels()
    helpers: list[str] = []
    blocks: list[str] = []
    for c, label in enumerate(labels):
        h, b = _run_block(c + 1, label, scene, c)
        if h:
            helpers.append("\n".join(h))
        blocks.append("\n".join(b))
    noisy = any(rc.noise.std > 0 for rc in scene.run_configs())
    starts = ", ".join(f"({_lit(x)}, {_lit(y)})" for x, y in scene.starts)
    doc = [
        f'"""Reproduce an optimizer race in PyTorch: {landscape.title}, {len(labels)} run(s) from '
        f"{len(scene.starts)} start(s), {scene.steps} steps.",
        "",
        "Generated by the optimizer landscape visualizer" + (f" from the link {link!r}" if link else "") + ".",
        "Run:  python this_file.py             prints each run's final point and loss",
        "      python this_file.py paths.json  also saves every path (per run, per start: [x, y] per step)",
        "Needs only torch. The app stops a run once it has converged (tiny gradient and step) or",
        "diverged and repeats its last point; this script runs every step unless a value is not finite.",
        '"""',
    ]
    parts = [
        "\n".join(doc),
        "import json\nimport math\nimport sys\n\nimport torch\n\ntorch.set_default_dtype(torch.float64)\n\n",
        torch_function(landscape),
        f"STARTS = [{starts}]\nSTEPS = {scene.steps}\nSEED = {scene.seed}\n",
        _NOISE if noisy else "",
        _RACE,
        rule_sources({_inner(rc.optimizer).kind for rc in scene.run_configs()}),
        "\n\n\n".join(helpers),
        "paths = {}\n\n" + "\n\n".join(blocks),
        _MAIN,
    ]
    return "\n\n".join(p.strip("\n") for p in parts if p.strip()) + "\n"
