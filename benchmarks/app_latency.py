"""Race-page latency: server side (widget change -> figures built) and in a real browser.

1. Pipeline, no cache: simulate + grids + figures + JSON serialisation (what Streamlit sends),
   for the default scene and for 8 optimizers x 2,000 steps.
2. AppTest rerun after a widget change (Streamlit's own script run, caches warm except for the
   changed run).
3. Browser (``--browser``): ``streamlit run`` + headless Debian Chromium via Playwright: time to
   the first drawn chart, time from a changed control to redrawn charts, bytes received per rerun.

Run: ``python -m benchmarks.app_latency [--browser]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import optimizers
from benchmarks.serve import ROOT
from figures.grid import CONTOUR_N, SURFACE_N, evaluate_grid
from figures.race import race_figures
from optimizers.allocator import tune_allocator
from scenes import Scene, spec

EIGHT = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "nadam")


def eight_by_2000() -> Scene:
    return Scene(runs=tuple(spec(k, lr=1e-3) for k in EIGHT), steps=2000)


def pipeline_seconds(scene: Scene, repeats: int = 5) -> tuple[float, int]:
    """Median seconds (no caches) from a scene to serialised figures, and the JSON bytes."""
    times, size = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        land = scene.landscape_obj()
        result = optimizers.run(land, scene.run_configs(), scene.starts_array(), scene.options())
        grid = evaluate_grid(land, land.window, CONTOUR_N)
        sgrid = evaluate_grid(land, land.window, SURFACE_N)
        figs = race_figures(
            scene, land, result, grid, sgrid, names=("contour", "surface", "loss", "distance"), clickable=True
        )
        size = sum(len(f.to_json()) for f in figs.values())
        times.append(time.perf_counter() - t0)
    return statistics.median(times), size


def apptest_rerun_seconds(repeats: int = 5) -> float:
    """Median seconds of AppTest reruns after changing one run's learning rate."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    times = []
    for i in range(repeats):
        at.number_input(key="run0_lr").set_value(1e-3 * (1.1 + 0.1 * i))
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception
    return statistics.median(times)


def browser_figures(repeats: int = 3) -> dict[str, float]:
    """First chart, control-change-to-redraw (median) and bytes per rerun, in headless Chromium."""
    from benchmarks.serve import chromium_page, streamlit_server, wait_for_charts, wait_idle

    out: dict[str, float] = {}
    with streamlit_server("app.py") as url, chromium_page() as page:
        received = {"bytes": 0}

        def on_ws(ws: object) -> None:
            ws.on("framereceived", lambda payload: received.__setitem__("bytes", received["bytes"] + len(payload)))

        page.on("websocket", on_ws)
        page.goto(url + "/")  # warm the server's caches and imports once
        wait_for_charts(page, 4)
        wait_idle(page)
        t0 = time.perf_counter()
        page.goto(url + "/")
        wait_for_charts(page, 4)
        out["first_chart_s"] = time.perf_counter() - t0
        wait_idle(page)
        redraws, sizes = [], []
        for i in range(repeats):
            steps = 400 + 10 * i
            received["bytes"] = 0
            box = page.get_by_label("Steps")
            box.fill(str(steps))
            t0 = time.perf_counter()
            box.press("Enter")
            page.wait_for_function(f"() => location.search.includes('steps={steps}')", timeout=60_000)
            wait_idle(page)
            redraws.append(time.perf_counter() - t0)
            sizes.append(received["bytes"])
        out["rerun_redraw_s"] = statistics.median(redraws)
        out["rerun_kb"] = statistics.median(sizes) / 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true", help="also measure in headless Chromium")
    args = parser.parse_args()
    tune_allocator()  # as the app does before its first run
    cases = (("default scene (4 runs x 500 steps)", Scene()), ("8 optimizers x 2,000 steps", eight_by_2000()))
    for name, scene in cases:
        seconds, size = pipeline_seconds(scene)
        print(f"pipeline, no cache, {name:36s} {1000 * seconds:7.0f} ms   figures JSON {size / 1000:6.0f} KB")
    print(f"AppTest rerun after one widget change (default scene)       {1000 * apptest_rerun_seconds():7.0f} ms")
    if args.browser:
        b = browser_figures()
        print(
            f"browser: first chart {b['first_chart_s']:.2f} s after navigation, control change to redrawn "
            f"charts {b['rerun_redraw_s']:.2f} s, {b['rerun_kb']:.0f} KB received per rerun"
        )


if __name__ == "__main__":
    main()
