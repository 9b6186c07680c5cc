"""Grid lessons, from "settings changed" to "figure built": the hyperparameter sweep at 100 x 100
runs x 500 steps and the basins map at 256 x 256 starts x 500 steps, without Streamlit or its cache
(the page's core function, then its figure builder).

Each case runs in a fresh subprocess pinned to one CPU core (single-threaded BLAS), so its peak
resident memory (``resource.getrusage(...).ru_maxrss``) is its own. Per case it prints the time of
the first (cold) computation, the median of the repeats, the figure build and JSON serialisation
times, the figure's JSON size, the peak traced allocation (``tracemalloc``, a separate run) and the
process's peak RSS. Targets: under 2 s and under 1 GB per case.

Run: ``python -m benchmarks.grids`` (``--repeats N``, ``--case NAME`` for one case in this process).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

CASES = ("sweep", "sweep_adam_rosenbrock", "basins_gd", "basins_momentum", "basins_gd_slow", "basins_gd_bouncing")


def _pin_one_core() -> str:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"cpu {cpu}"
    except (AttributeError, OSError):
        return "unpinned"


def case(name: str) -> tuple[str, Callable[[], Any], Callable[[Any], Any]]:
    """Description, core call and figure builder of a case."""
    from analysis.basins import BasinSettings, compute_basins
    from analysis.sweep import SweepSettings, compute_sweep
    from figures.basins import basin_figure
    from figures.sweep import sweep_figure

    if name.startswith("sweep"):
        if name == "sweep":  # the page's defaults at full size: momentum on the ravine, lr x momentum
            s = SweepSettings(nx=100, ny=100, steps=500)
        else:  # Adam on Rosenbrock, lr x beta1: few runs stop early
            s = SweepSettings(
                landscape="rosenbrock",
                optimizer="adam",
                x_param="lr",
                x_min=1e-4,
                x_max=1.0,
                y_param="beta1",
                y_min=0.0,
                y_max=0.99,
                nx=100,
                ny=100,
                steps=500,
            )
        desc = f"sweep {s.landscape}/{s.optimizer} {s.x_param} x {s.y_param}: {s.nx}x{s.ny} runs x {s.steps} steps"
        return desc, lambda: compute_sweep(s), sweep_figure
    kind, lr = {
        "basins_gd": ("sgd", 0.01),
        "basins_momentum": ("momentum", 0.002),
        "basins_gd_slow": ("sgd", 0.001),
        "basins_gd_bouncing": ("sgd", 0.02),
    }[name]
    b = BasinSettings(
        landscape="himmelblau", resolution=256, steps=500, opt1=kind, lr1=lr, opt2="none", opt3="none", opt4="none"
    )
    ny, nx = b.shape()
    desc = f"basins himmelblau {kind} lr={lr:g}: {nx}x{ny} starts x {b.steps} steps"
    return desc, lambda: compute_basins(b), basin_figure


def measure(name: str, repeats: int) -> dict[str, Any]:
    """Time and memory of one case in this process."""
    import resource

    import numpy as np

    desc, core, build = case(name)
    times, fig_times = [], []
    fig = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = core()
        t1 = time.perf_counter()
        fig = build(result)
        t2 = time.perf_counter()
        times.append(t1 - t0)
        fig_times.append(t2 - t1)
    t0 = time.perf_counter()
    payload = len(fig.to_json())
    to_json = time.perf_counter() - t0
    tracemalloc.start()
    build(core())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    total = [a + b for a, b in zip(times, fig_times, strict=True)]
    return {
        "case": name,
        "what": desc,
        "first_s": total[0],
        "median_s": float(np.median(total)),
        "core_median_s": float(np.median(times)),
        "figure_median_s": float(np.median(fig_times)),
        "to_json_s": to_json,
        "payload_kb": payload / 1024,
        "tracemalloc_peak_mb": peak / 2**20,
        "maxrss_mb": maxrss_kb / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, help="run one case in this process (prints JSON)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.case:
        pinned = _pin_one_core()
        out = measure(args.case, args.repeats)
        out["pinned"] = pinned
        print(json.dumps(out))
        return
    import numpy as np

    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; each case in its own process on one core"
    )
    print(
        f"{'case':<62} {'first s':>8} {'median s':>9} {'core s':>7} {'fig s':>6} {'json s':>7} "
        f"{'JSON KB':>8} {'traced MB':>10} {'maxRSS MB':>10}"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for name in CASES:
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.grids", "--case", name, "--repeats", str(args.repeats)],
            capture_output=True,
            text=True,
            cwd=root,
            check=True,
        )
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(
            f"{r['what']:<62} {r['first_s']:>8.2f} {r['median_s']:>9.2f} {r['core_median_s']:>7.2f} "
            f"{r['figure_median_s']:>6.2f} {r['to_json_s']:>7.2f} {r['payload_kb']:>8.0f} "
            f"{r['tracemalloc_peak_mb']:>10.0f} {r['maxrss_mb']:>10.0f}"
        )
    print(
        "first = cold call (core + figure); median over the repeats; traced = tracemalloc peak of one "
        "core + figure call; maxRSS = the whole process's peak (Python, NumPy, Plotly included)."
    )


if __name__ == "__main__":
    main()
