"""The scenes of the golden test: every preset, the default scene, and links that exercise each
schedule kind, warm-up, per-run schedules and batch sizes, gradient noise, Polyak averaging and a
typed formula. Links are used (not constructors) because the link format is the stable contract.

``python -m tests.golden_scenes`` rewrites ``tests/data/golden_runs.npz``: do that only when a
change of numbers is intended, and say so in the commit. ``python -m tests.golden_scenes --add``
records only the scenes not yet recorded (new ones), leaving the others' arrays as they were.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import optimizers
from optimizers import RunResult
from scenes.codec import from_url
from scenes.presets import PRESETS

GOLDEN = Path(__file__).resolve().parent / "data" / "golden_runs.npz"
FIELDS = ("steps", *RunResult.per_run_arrays())

LINKS = {
    "default": "?v=1",
    "step_schedule": "?v=1&sched=step:gamma=0.7,step_size=40&steps=300",
    "exponential_warmup": "?v=1&sched=exponential:gamma=0.995,warmup=30,warmup_start=0.2&steps=300",
    "inverse_time": "?v=1&ls=himmelblau&sched=inverse_time:decay=0.05&steps=300",
    "cosine_per_run": (
        "?v=1&ls=ravine&run=sgd:lr=0.02;sched=cosine:total=200,min_factor=0.1"
        "&run=adam:lr=0.1;bs=4&noise=0.5:16&seed=7&steps=250"
    ),
    "polyak_noise": "?v=1&ls=quadratic&run=sgd:lr=0.05;avg=50&noise=1:2&seed=3&steps=200",
    "formula": "?v=1&ls=custom&f=x**2%2B3*y**2&win=-2,2,-2,2&run=momentum:lr=0.05,momentum=0.9&start=1.5,1.5",
    "second_order": "?v=1&ls=rosenbrock&run=bfgs&run=cg&run=newton&steps=80",
    "rest_of_torch": (
        "?v=1&ls=himmelblau&run=rprop&run=asgd:lr=0.02&run=adafactor:lr=0.1&run=lion:lr=0.03&run=signsgd:lr=0.03"
        "&run=lbfgs:line_search_fn=strong_wolfe,history_size=10&steps=150"
    ),
    "torch_flags": (
        "?v=1&ls=ravine&run=adam:lr=0.05,weight_decay=0.1,decoupled_weight_decay=true"
        "&run=nadam:lr=0.05,weight_decay=0.2,decoupled_weight_decay=true&run=radam:lr=0.05,maximize=true"
        "&run=lbfgs:lr=0.05,history_size=5,max_iter=4&steps=150"
    ),
}


def golden_scenes() -> dict:
    """Name -> scene, for every preset and every link above."""
    scenes = {f"preset_{p.key}": p.scene for p in PRESETS}
    for name, link in LINKS.items():
        scene, warnings = from_url(link)
        assert not warnings, (name, warnings)
        scenes[name] = scene
    return scenes


def run_arrays(scene) -> dict[str, np.ndarray]:
    """Every array of the scene's run, by field name."""
    result = optimizers.run(scene.landscape_obj(), scene.run_configs(), scene.starts_array(), scene.options())
    return {f: np.asarray(getattr(result, f)) for f in FIELDS}


def main() -> None:
    import sys

    out: dict[str, np.ndarray] = {}
    if "--add" in sys.argv[1:]:
        with np.load(GOLDEN) as data:
            out = {k: data[k] for k in data.files}
    recorded = {k.split("/")[0] for k in out}
    for name, scene in golden_scenes().items():
        if name in recorded:
            continue
        for field, arr in run_arrays(scene).items():
            out[f"{name}/{field}"] = arr
    GOLDEN.parent.mkdir(exist_ok=True)
    np.savez_compressed(GOLDEN, **out)
    print(f"wrote {len(out)} arrays to {GOLDEN} ({GOLDEN.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
