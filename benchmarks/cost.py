"""The work estimate against the clock: for the heaviest scenes and lesson settings a link can ask
for, the CPU seconds ``optimizers.cost`` estimates, the cut the page applies, and the CPU seconds the
page's core computation then really takes (this thread's CPU time, ``time.thread_time``).

"Before" is what the link asked for: its CPU time is measured over ``--sample`` steps and scaled to
the full number (the runner's work is linear in steps), so the benchmark itself stays short.
"After" is what the page computes now: measured in full. The estimate must be at least the
measurement (it is an upper bound: a line search is priced at its every trial), and the "after"
time must stay within the page budget.

``--calibrate`` prints the table of built-in landscape costs for ``landscapes/cost.py``.

Run: ``python -m benchmarks.cost`` (``--calibrate``; ``--sample N``).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import platform
import time
from collections.abc import Callable
from typing import Any

HEAVY = "sin(x*y)*exp(cos(x + y)) + tanh(x - y)*cos(x*y) + atan(x*y - 1)*sinh(y/3)"
KINKED = "abs(x) + abs(y) + 0.1*max(x, y)"  # a line search tries every step length on it


def _race(query: dict[str, Any]) -> tuple[Any, list[str]]:
    from scenes.codec import from_query

    return from_query({"v": "1", **query})


def _race_cpu(scene: Any, steps: int | None = None) -> float:
    """CPU seconds of the dearest rerun of ``scene`` on the race page: every run config in one call (a
    new scene), or one config alone (a rerun after only its settings changed), whichever is more."""
    import optimizers

    land, starts = scene.landscape_obj(), scene.starts_array()
    options = scene.options()
    if steps is not None:
        options = dataclasses.replace(options, steps=steps)
    t0 = time.thread_time()
    optimizers.run(land, scene.run_configs(), starts, options)
    together = time.thread_time() - t0
    alone = 0.0
    for c, config in enumerate(scene.run_configs()):
        t0 = time.thread_time()
        optimizers.run(land, [config], starts, dataclasses.replace(options, stream_offset=c * len(starts)))
        alone = max(alone, time.thread_time() - t0)
    return max(together, alone)


def race_cases() -> list[tuple[str, dict[str, Any]]]:
    starts = [f"{0.2 * i - 0.7},1" for i in range(8)]
    noisy = {"steps": "5000", "noise": "1000:1"}
    return [
        ("race: default scene", {}),
        ("race: 12 x BFGS, noise 1000:1, 5000 steps (issue 11)", {"run": ["bfgs"] * 12, **noisy}),
        ("race: 12 x CG, noise 1000:1, 5000 steps", {"run": ["cg"] * 12, **noisy}),
        ("race: 12 x BFGS, no noise, 5000 steps", {"run": ["bfgs"] * 12, "steps": "5000"}),
        ("race: 12 x Adam x 8 starts, 5000 steps", {"run": ["adam:lr=0.05"] * 12, "start": starts, "steps": "5000"}),
        (
            "race: typed formula, 12 x Adam x 8 starts",
            {"ls": "custom", "f": HEAVY, "run": ["adam:lr=0.05"] * 12, "start": starts, "steps": "5000"},
        ),
        ("race: kinked formula, 12 x BFGS", {"ls": "custom", "f": KINKED, "run": ["bfgs"] * 12, "steps": "5000"}),
        # L-BFGS with torch's history of 100 pairs: tiny fixed steps never converge, so every step runs
        # max_iter iterations over a full history (the worst case the estimate prices)
        ("race: 12 x L-BFGS (lr 1e-4), 5000 steps", {"run": ["lbfgs:lr=0.0001"] * 12, "steps": "5000"}),
        ("race: 12 x L-BFGS strong Wolfe, noise 1000:1", {"run": ["lbfgs:line_search_fn=strong_wolfe"] * 12, **noisy}),
        (
            "race: L-BFGS strong Wolfe, no noise, 5000 steps",
            {"run": ["lbfgs:line_search_fn=strong_wolfe"], "steps": "5000"},
        ),
    ]


def lesson_cases() -> list[tuple[str, type, dict[str, str], Callable[[Any], Any]]]:
    from analysis.basins import BasinSettings, compute_basins
    from analysis.batch import BatchSettings, batch_lesson
    from analysis.schedule_lesson import ScheduleSettings, schedule_lesson
    from analysis.second_order_lesson import SecondOrderSettings, second_order_lesson
    from analysis.sweep import SweepSettings, compute_sweep

    big = {"nx": "100", "ny": "100", "steps": "5000"}
    newton = {"optimizer": "newton", "x_param": "lr", "x_min": "0.01", "y_param": "damping", "y_max": "10", **big}
    grid = {"resolution": "256", "steps": "5000"}
    line_searches = {"opt1": "bfgs", "lr1": "1", "opt2": "cg", "lr2": "1", "opt3": "none", **grid}
    batch = {"batches": "1,2,4,8,16,32,64,128", "seeds": "500", "steps": "5000", "basin_runs": "1000"}
    return [
        ("sweep: 100 x 100 x 5000 steps", SweepSettings, big, compute_sweep),
        ("sweep: Newton, 100 x 100 x 5000", SweepSettings, newton, compute_sweep),
        ("basins: 256 x 256, 3 panels, 5000 steps", BasinSettings, grid, compute_basins),
        (
            "basins: typed formula, 256 x 256",
            BasinSettings,
            {"landscape": "custom", "formula": HEAVY, **grid},
            compute_basins,
        ),
        ("basins: BFGS + CG, 256 x 256, 5000 steps", BasinSettings, line_searches, compute_basins),
        ("batch size: 8 sizes x 500 seeds x 5000 steps", BatchSettings, batch, batch_lesson),
        ("schedules: 200 seeds x 5000 steps", ScheduleSettings, {"seeds": "200", "steps": "5000"}, schedule_lesson),
        ("second order: 5000 steps", SecondOrderSettings, {"steps": "5000"}, second_order_lesson),
    ]


def _row(name: str, est_before: float, cpu_before: str, change: str, est_after: float, cpu_after: float) -> str:
    return (
        f"| {name} | {est_before:,.1f} s | {cpu_before} | {change} | {est_after:,.2f} s | {cpu_after:,.2f} s "
        f"| {cpu_after / est_after:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calibrate", action="store_true", help="print the built-in landscape cost table")
    parser.add_argument("--sample", type=int, default=300, help="steps measured of a scene that is cut")
    args = parser.parse_args()

    from optimizers.allocator import tune_allocator

    tune_allocator()
    if args.calibrate:
        calibrate()
        return

    from optimizers import cost
    from scenes import Scene
    from scenes.flat import from_query

    print(f"# work estimate vs CPU time ({platform.processor() or platform.machine()}, {platform.python_version()})")
    print(f"budget: {cost.WORK_BUDGET:g} s estimated for a page's runs, {cost.PAGE_BUDGET:g} s per page in all")
    print()
    print("| case | estimated as asked | CPU as asked | cut | estimated after | CPU after | CPU / estimate |")
    print("|---|---|---|---|---|---|---|")
    for name, query in race_cases():
        scene, _ = _race(query)
        asked = scene.replace(steps=int(query.get("steps", Scene().steps)))
        est_before = asked.work().seconds
        if asked.steps != scene.steps:
            sample = min(args.sample, asked.steps)
            before = f"~{_race_cpu(asked, sample) * asked.steps / sample:,.1f} s (from {sample} steps)"
            change = f"steps {asked.steps} -> {scene.steps}"
        else:
            before, change = "(as after)", "none"
        print(_row(name, est_before, before, change, scene.work().seconds, _race_cpu(scene)))
    for name, cls, query, compute in lesson_cases():
        settings, warnings = from_query(cls, query)
        cut = ", ".join(w.split(":")[0] for w in warnings if "reduced to" in w) or "none"
        t0 = time.thread_time()
        compute(settings)
        cpu = time.thread_time() - t0
        print(_row(name, _unchecked(cls, query).work().seconds, "(not run)", cut, settings.work().seconds, cpu))


def _unchecked(cls: type, query: dict[str, str]) -> Any:
    """``cls`` with the link's values as asked, built without the checks that would refuse them."""
    from scenes.flat import _read

    obj = cls.__new__(cls)
    for f in dataclasses.fields(cls):
        value = _read(f, query[f.name])[0] if f.name in query else f.default
        object.__setattr__(obj, f.name, value)
    return obj


def calibrate() -> None:
    """Measure every built-in landscape (three times, the largest kept) and print the table."""
    import landscapes
    from landscapes.cost import measure

    def up(x: float) -> float:  # round up to two significant digits
        if x <= 0:
            return 0.1
        e = 10 ** (math.floor(math.log10(x)) - 1)
        return round(math.ceil(x / e) * e, 6)

    print("BUILTIN: dict[str, EvalCost] = {")
    for name in landscapes.builtin_names():
        runs = [measure(landscapes.get(name)) for _ in range(3)]
        parts = ", ".join(
            f"({up(max(r[i].call for r in runs) * 1e6):g}, {up(max(r[i].point for r in runs) * 1e9):g})"
            for i in range(3)
        )
        print(f'    "{name}": _cost({parts}),')
    print("}")


if __name__ == "__main__":
    main()
