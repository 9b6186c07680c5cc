"""The Network lab's core at the issue's size: 6 optimizers x 1,000 steps on a 2-32-32-1 network
(tanh, MSE) with 500 training examples and minibatches of 32, then the PCA plane of all paths, a
41 x 41 training-loss surface on it and each run's sharpness (20 power iterations of exact
Hessian-vector products on the 500 examples).

The data: scikit-learn's moons (noise 0.2), 500 training and 100 test examples, the class (0 or 1)
as a regression target. Runs in this process with single-threaded BLAS (set before NumPy is
imported) and, on Linux, pinned to one core. Prints CPU seconds (``time.process_time``) and wall
seconds per part, the peak traced allocation (``tracemalloc``, a second run: tracing slows it), the
process's peak RSS, and the cost model's estimate (``networks.cost``) beside the measured time.
Target: under 3 s on one core.

Run: ``python -m benchmarks.network_lab`` (``--repeats N``).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

KINDS = (("sgd", 0.1), ("momentum", 0.05), ("nesterov", 0.05), ("rmsprop", 0.003), ("adam", 0.005), ("adamw", 0.005))
STEPS, BATCH, GRID, ITERATIONS = 1000, 32, 41, 20


def problem():
    from sklearn.datasets import make_moons

    from networks.data import NetData
    from networks.mlp import Architecture

    x, y = make_moons(600, noise=0.2, random_state=0)
    x = (x - x[:500].mean(0)) / x[:500].std(0)
    y = y[:, None].astype(float)
    data = NetData("moons-regression", "regression", x[:500], y[:500], x[500:], y[500:], 1)
    return Architecture((2, 32, 32, 1), "tanh", "regression"), data


def once() -> dict[str, float]:
    """One full pass; CPU seconds of each part."""
    import optimizers
    from networks import planes, sharpness
    from networks.init import initialize
    from networks.train import NetRun, train

    arch, data = problem()
    start = initialize(arch, "xavier", 0)
    runs = [NetRun(optimizers.make(k, lr=lr), BATCH, seed=0) for k, lr in KINDS]
    out: dict[str, float] = {}
    t = time.process_time()
    tr = train(arch, data, start, runs, STEPS)
    out["train"] = time.process_time() - t
    t = time.process_time()
    plane = planes.pca_plane(tr.params, tr.start)
    a, b = planes.grid_axes(plane.coords(tr.params), GRID)
    z = planes.surface(arch, plane, a, b, data.x_train, data.y_train)
    out["plane + surface"] = time.process_time() - t
    t = time.process_time()
    lam, _ = sharpness.top_eigenvalue(arch, tr.final, data.x_train, data.y_train, ITERATIONS)
    out["sharpness"] = time.process_time() - t
    out["total"] = sum(out.values())
    assert z.shape == (GRID, GRID) and np.all(np.isfinite(lam))
    out["_final_train"] = float(np.median(tr.train_loss[:, -1]))
    return out


def estimate() -> float:
    from networks import cost
    from networks.planes import PCA_POINTS
    from networks.train import record_steps

    arch, data = problem()
    shape = cost.NetShape(arch, len(data.x_train), 0)
    T = len(record_steps(STEPS))
    w = cost.training(shape, [BATCH] * len(KINDS), len(KINDS), STEPS, T)
    w = w + cost.pca(shape, len(KINDS) * min(T, PCA_POINTS)) + cost.surfaces(shape, GRID * GRID)
    return (w + cost.sharpness(shape, len(KINDS), ITERATIONS)).seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        pinned = "pinned to one core"
    except (AttributeError, OSError):
        pinned = "not pinned"
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, {os.cpu_count()} CPUs, {pinned}")
    print(f"6 optimizers x {STEPS:,} steps, 2-32-32-1 tanh, 500 examples, B = {BATCH}; {GRID}x{GRID} surface")
    t0 = time.perf_counter()
    first = once()
    wall = time.perf_counter() - t0
    times = [first] + [once() for _ in range(args.repeats - 1)]
    for part in ("train", "plane + surface", "sharpness", "total"):
        values = [t[part] for t in times]
        print(f"  {part:16s} CPU median {statistics.median(values):6.2f} s  (first {values[0]:.2f} s)")
    print(f"  first pass wall time {wall:.2f} s; median final train loss {first['_final_train']:.4f}")
    print(f"  cost model estimate {estimate():.2f} s (an upper bound)")
    tracemalloc.start()
    once()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak traced allocation {peak / 2**20:.0f} MB; process peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
