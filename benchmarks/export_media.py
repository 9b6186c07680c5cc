"""Time the heavy exports: a 10 s GIF and MP4 of the default scene, a turning 3D clip, the offline
pack of the whole gallery and a "Reproduce in PyTorch" script run.

Wall time, this process's CPU time (Chromium, which kaleido drives, and ffmpeg run as other
processes and are not in it) and the file size, after one warm-up export (the export browser
starts once per server). Run: ``python -m benchmarks.export_media [--repeat 3]``; prints the load
average so readers can judge a shared machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import optimizers
from export import static, video
from export.pack import lessons_from_presets, pack_html
from export.torch_script import torch_script
from figures.grid import CONTOUR_N, SURFACE_N, evaluate_grid
from figures.race import race_figures
from optimizers.allocator import tune_allocator
from scenes import Scene


def timed(fn: Callable[[], bytes | str], repeat: int) -> tuple[float, float, int]:
    """Best wall and CPU seconds over ``repeat`` runs, and the output's size in bytes."""
    walls, cpus, size = [], [], 0
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        size = len(out.encode("utf-8") if isinstance(out, str) else out)
    return min(walls), min(cpus), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    tune_allocator()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    scene = Scene()
    land = scene.landscape_obj()
    result = optimizers.run(land, scene.run_configs(), scene.starts_array(), scene.options())
    grid = evaluate_grid(land, land.window, CONTOUR_N)
    labels = scene.for_plotly().labels()
    static.ensure_browser()
    ten = video.VideoSettings(width=640, fps=10, seconds=10.0)
    video.race_video(land, grid, result, labels, video.VideoSettings(fps=2, seconds=1.0), "gif")  # warm-up
    rows = []
    for fmt in ("gif", "mp4"):
        clip = timed(lambda fmt=fmt: video.race_video(land, grid, result, labels, ten, fmt), args.repeat)
        rows.append((f"default scene, 10 s {fmt.upper()} (640 px, 10 fps, 100 frames)", *clip))
    surface_grid = evaluate_grid(land, land.window, SURFACE_N)
    surface = race_figures(scene.for_plotly(), land, result, grid, surface_grid, names=("surface",))["surface"]
    turn = video.VideoSettings(width=640, fps=4, seconds=5.0, turn_3d=True)
    clip = timed(lambda: video.race_video(land, grid, result, labels, turn, "mp4", surface=surface), 1)
    rows.append(("default scene, turning 3D MP4 (640 px, 20 frames)", *clip))
    lessons = lessons_from_presets()
    packed = timed(lambda: pack_html(lessons), args.repeat)
    rows.append((f"offline pack of the gallery ({len(lessons)} scenes)", *packed))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "race.py"
        path.write_text(torch_script(scene), encoding="utf-8")
        cmd = [sys.executable, str(path)]
        ran = timed(lambda: subprocess.run(cmd, check=True, capture_output=True).stdout, 1)
        rows.append(("default scene's PyTorch script, run in a subprocess (wall only)", *ran))
    for what, wall, cpu, size in rows:
        print(f"{what:62s} wall {wall:6.2f} s  cpu {cpu:5.2f} s  {size / 1e6:6.2f} MB")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
