"""Data landscapes at full size: a 200 x 200 grid of loss values over a 10,000-example dataset for
each model, and a minibatch SGD race of 8 runs x 1,000 steps with B = 32 on the same data.

Per model it prints: the time to build the landscape (generate and split the data, find its
minima), the time of the 200 x 200 grid of values (median of the repeats), the peak memory traced
by ``tracemalloc`` during one grid evaluation (NumPy reports its arrays to it), and the race's time:
every step the batches' indices, the minibatch gradients and an SGD update ("race s"), and the
same plus the exact gradient at every run ("+exact s"), as the runner computes it for its stopping
test, and the runner itself (``optimizers.run``: 8 SGD configs, B = 32, every step recorded, the
losses of every recorded point evaluated: "runner s", its traced peak "runner MB"). BLAS is limited
to one thread. Times are CPU seconds of this thread (``time.thread_time``): on a shared machine wall
time is inflated by the other jobs, CPU time much less.

Run: ``python -m benchmarks.data_landscape`` (``--n``, ``--grid``, ``--repeats``, ``--steps``).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import tracemalloc


def _cases(n: int) -> dict:
    from landscapes.data import LinearRegression, LogisticRegression, TanhNet

    common = {"n": n, "test_fraction": 0.0}  # every example in the training split
    return {
        "linear, squared (moments)": LinearRegression(**common),
        "linear, Huber (outliers 5%)": LinearRegression(**common, loss="huber", outliers=0.05),
        "logistic (overlapping classes)": LogisticRegression(**common, separable=False),
        "tanh net (teacher)": TanhNet(**common),
    }


def _race(ls, runs: int, steps: int, batch: int, lr: float, exact: bool) -> float:
    """Seconds for ``runs`` SGD runs x ``steps`` minibatch steps from the landscape's starts (with
    the exact gradient at every run and step when ``exact``)."""
    import numpy as np

    from optimizers.minibatch import minibatch_indices

    n = ls.data[0].size
    starts = np.array(ls.starts)
    P = starts[np.arange(runs) % len(starts)] + 0.01 * np.arange(runs)[:, None]
    seeds, streams = np.zeros(runs, dtype=np.uint64), np.arange(runs, dtype=np.uint64)
    t0 = time.thread_time()
    for s in range(steps):
        g = ls.minibatch_grad(P, minibatch_indices(n, batch, seeds, streams, s))
        P = P - lr * g
        if exact:
            ls.grad(P)  # for the runner's stopping test and recorded gradient norms
    return time.thread_time() - t0


def _runner(ls, steps: int) -> tuple[float, float]:
    """Seconds and traced peak MB of ``optimizers.run``: 8 SGD runs (lr 0.01 ... 0.08), B = 32."""
    import numpy as np

    import optimizers
    from optimizers import Noise, RunConfig

    configs = [RunConfig(optimizers.make("sgd", lr=0.01 * (i + 1)), noise=Noise(0.0, 32)) for i in range(8)]
    start = np.array([ls.starts[0]])
    tracemalloc.start()
    t0 = time.thread_time()
    optimizers.run(ls, configs, start, steps=steps)
    seconds = time.thread_time() - t0
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="examples")
    parser.add_argument("--grid", type=int, default=200, help="grid points per side")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=1_000)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")

    import numpy as np

    from landscapes.data import kernels

    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    print(f"{args.grid} x {args.grid} grid over {args.n:,} examples; chunk {kernels.CHUNK_ELEMENTS:,} entries")
    print(f"race: 8 runs x {args.steps:,} steps, B = 32 (SGD, lr 0.01)")
    header = (
        f"{'model':32} {'build s':>8} {'grid s':>8} {'peak MB':>8} {'race s':>8} {'+exact s':>8} "
        f"{'runner s':>8} {'runner MB':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, ls in _cases(args.n).items():
        t0 = time.thread_time()
        ls.minima()
        build = time.thread_time() - t0
        _, _, grid = ls.window.grid(args.grid)
        times = []
        for _ in range(args.repeats):
            t0 = time.thread_time()
            z = ls.value(grid)
            times.append(time.thread_time() - t0)
        assert z.shape == (args.grid, args.grid) and np.all(np.isfinite(z))
        kernels.release_scratch()  # measure the scratch arrays too
        tracemalloc.start()
        ls.value(grid)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        race = _race(ls, runs=8, steps=args.steps, batch=32, lr=0.01, exact=False)
        full = _race(ls, runs=8, steps=args.steps, batch=32, lr=0.01, exact=True)
        run_s, run_mb = _runner(ls, args.steps)
        print(
            f"{name:32} {build:8.3f} {statistics.median(times):8.3f} {peak:8.1f} {race:8.3f} {full:8.3f} "
            f"{run_s:8.3f} {run_mb:9.1f}"
        )


if __name__ == "__main__":
    main()
