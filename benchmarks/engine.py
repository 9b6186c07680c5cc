"""Engine throughput: Adam on Rosenbrock, 10,000 runs x 1,000 steps, in point-steps per second.

Compares (1) our vectorized runner recording only final values, (2) the same Adam arithmetic by
``torch.optim.Adam`` on one ``(N, 2)`` float64 tensor with autograd, and (3) a per-run Python
loop (our update on one run at a time, measured on a subset and reported per point-step).
Also reports the runner's peak traced memory (tracemalloc) for the full run.

Run: ``python -m benchmarks.engine`` (add ``--quick`` for a smaller smoke run).
"""

from __future__ import annotations

import argparse
import platform
import time
import tracemalloc

import numpy as np

import landscapes
import optimizers
from optimizers import RunConfig, RunOptions
from optimizers.allocator import tune_allocator


def starts_for(n: int, seed: int = 0) -> np.ndarray:
    """``n`` start points spread over Rosenbrock's window, shape ``(n, 2)``."""
    return np.random.default_rng(seed).uniform([-2.0, -1.0], [2.0, 3.0], size=(n, 2))


def bench_runner(n: int, steps: int, lr: float) -> tuple[float, float]:
    """Seconds and peak traced MB for our runner (final values only)."""
    land = landscapes.get("rosenbrock")
    configs = [RunConfig(optimizers.make("adam", lr=lr))]
    starts = starts_for(n)
    options = RunOptions(steps=steps, record_every=0)
    optimizers.run(land, configs, starts[:10], RunOptions(steps=5))  # warm-up
    tracemalloc.start()
    t0 = time.perf_counter()
    optimizers.run(land, configs, starts, options)
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    best = seconds
    for _ in range(2):  # best of three, timed without tracemalloc's overhead
        t0 = time.perf_counter()
        optimizers.run(land, configs, starts, options)
        best = min(best, time.perf_counter() - t0)
    return best, peak


def bench_torch(n: int, steps: int, lr: float) -> float | None:
    """Seconds for torch.optim.Adam on one (n, 2) float64 tensor with autograd; None without torch."""
    try:
        import torch
    except ImportError:
        return None
    best = float("inf")
    for _ in range(3):
        p = torch.tensor(starts_for(n), dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([p], lr=lr)
        t0 = time.perf_counter()
        for _ in range(steps):
            opt.zero_grad()
            x, y = p[:, 0], p[:, 1]
            loss = ((1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2).sum()
            loss.backward()
            opt.step()
        best = min(best, time.perf_counter() - t0)
    return best


def bench_loop(n: int, steps: int, lr: float) -> float:
    """Seconds for a per-run Python loop over ``n`` runs (one (1, 2) array at a time)."""
    land = landscapes.get("rosenbrock")
    adam = optimizers.make("adam", lr=lr)
    t0 = time.perf_counter()
    for start in starts_for(n):
        p = start[None, :]
        state = adam.init(p)
        for _ in range(steps):
            p, state = adam.update(land.grad(p), state, p)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--loop-runs", type=int, default=50, help="runs timed in the per-run loop")
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--quick", action="store_true", help="1,000 runs x 200 steps")
    args = parser.parse_args()
    tune_allocator()  # as the app does: every timing below runs with the tuned allocator
    if args.quick:
        args.runs, args.steps, args.loop_runs = 1_000, 200, 10
    work = args.runs * args.steps
    print(f"Adam on Rosenbrock, {args.runs:,} runs x {args.steps:,} steps = {work:,} point-steps")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    seconds, peak = bench_runner(args.runs, args.steps, args.lr)
    print(
        f"{'numpy runner (final values)':34s} {seconds:8.3f} s  {work / seconds / 1e6:7.2f} M point-steps/s"
        f"  peak traced memory {peak:.1f} MB"
    )
    torch_seconds = bench_torch(args.runs, args.steps, args.lr)
    if torch_seconds is None:
        print("torch.optim.Adam (batched, autograd)  not installed")
    else:
        import torch

        print(
            f"{'torch.optim.Adam batched ' + torch.__version__:34s} {torch_seconds:8.3f} s  "
            f"{work / torch_seconds / 1e6:7.2f} M point-steps/s  ({torch.get_num_threads()} threads)"
        )
    loop_seconds = bench_loop(args.loop_runs, args.steps, args.lr)
    loop_work = args.loop_runs * args.steps
    print(
        f"{'per-run Python loop (' + str(args.loop_runs) + ' runs)':34s} {loop_seconds:8.3f} s  "
        f"{loop_work / loop_seconds / 1e6:7.3f} M point-steps/s"
    )
    if torch_seconds is not None:
        print(f"runner / torch speed ratio: {torch_seconds / seconds:.2f}x")


if __name__ == "__main__":
    main()
