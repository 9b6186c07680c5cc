"""Race reruns in a real browser when every change misses the server's cache, for one checkout or two.

``benchmarks/browser.py`` (the shared measurement) makes the same change in its warm-up visit as in
its measured ones, so its reruns find the runs and figures cached: they time the browser's and
Streamlit's work alone. A user trying things moves a start to a value nobody computed before. This
benchmark does that: each visit opens a race, waits until it settles, then moves "start x" by a step
never used before on that server, several times, and times each rerun until the page settles (the
shared tool's server start, DOM observer and settle rule). With two checkouts (before and after a
change) their servers run side by side and the visits alternate, so both pay the same load.

Run from the repository: ``python3 -m benchmarks.browser_misses [--rounds 2] [--reruns 3]
[--before DIR]`` (``DIR``: another checkout, e.g. from ``git archive OLD | tar -x -C DIR``).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
from pathlib import Path

from benchmarks.browser import ROOT, TOOL, TWELVE, load_tool
from scenes.codec import scene_url
from scenes.data_presets import BATCH_SIZES

SCENES = {"race (default scene)": "", "race (12 runs)": TWELVE, "race (data: B = 1, 32, n)": scene_url(BATCH_SIZES)}
STEP = 0.0137  # start x moves by this much at each rerun (and a little more each round): always a new value


def visit(tool, browser, port: int, query: str, first_x_offset: float, reruns: int) -> list[float]:
    """Open ``query``, then move start x ``reruns`` times to new values; each rerun's settle time (s)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"http://localhost:{port}/{query}")
    page.evaluate(tool.OBSERVE)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=120_000)
    tool.settle(page)
    times = []
    for i in range(reruns):
        box = page.get_by_label("start x", exact=True)
        box.fill(f"{float(box.input_value() or 0) + STEP + (first_x_offset if i == 0 else 0.0):.4f}")
        t_change = page.evaluate("() => performance.now()")
        box.press("Enter")
        times.append((tool.settle(page) - t_change) / 1000)
    page.close()
    return times


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--reruns", type=int, default=3, help="reruns a visit")
    ap.add_argument("--before", type=Path, help="another checkout, measured alternately with this one")
    ap.add_argument("--tool", type=Path, default=TOOL, help="path of the shared browser_timing.py")
    args = ap.parse_args(argv)
    tool = load_tool(args.tool)
    checkouts = {"this checkout": ROOT} | ({"before": args.before} if args.before else {})
    from playwright.sync_api import sync_playwright

    servers = {name: tool.serve(str(path), "app.py") for name, path in checkouts.items()}
    got: dict[tuple[str, str], list[float]] = {(c, s): [] for c in checkouts for s in SCENES}
    offsets = itertools.count()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for _ in range(args.rounds):
                for scene, query in SCENES.items():
                    offset = 0.001 * next(offsets)  # a new first value for each visit
                    for name, (_, port) in servers.items():
                        got[(name, scene)] += visit(tool, browser, port, query, offset, args.reruns)
            browser.close()
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(10)
    print("| page | " + " | ".join(f"rerun settled, {c}: median s (each rerun)" for c in checkouts) + " |")
    print("|---|" + "---|" * len(checkouts))
    for scene in SCENES:
        cells = [
            f"{statistics.median(got[(c, scene)]):.2f} ({', '.join(f'{t:.2f}' for t in got[(c, scene)])})"
            for c in checkouts
        ]
        print(f"| {scene} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
