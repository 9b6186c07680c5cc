"""What a user waits for in a real browser, every page, as a ratio to a bare Streamlit page.

Uses the shared measurement (``../shared/tools/browser_timing.py``: its server start, its settle
rule and its DOM observer): each page is served with ``streamlit run`` next to the bare "floor"
page (one tiny Plotly chart), both opened in headless Debian Chromium, A B A B in one run, and:

- first settled: navigation until the last DOM change (every chart drawn, nothing changing for
  2.5 s, no running indicator), and the websocket bytes received;
- rerun settled: one control changed (a number box by its label, ``+delta``; or a slider moved
  one notch with the arrow key), until the last DOM change, and that rerun's bytes.

Prints one row per page: medians, and the page's first and rerun times over the floor page's
measured in the same run. Times are wall clock on this machine; on a shared machine read the
ratios (the floor page pays the same load).

Run from the repository: ``python3 -m benchmarks.browser [--rounds 3] [--only race]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from analysis.internals import OPTIMIZERS as INTERNALS_OPTIMIZERS
from scenes import limits
from scenes.codec import scene_url
from scenes.data_presets import BATCH_SIZES

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT.parent / "shared" / "tools" / "browser_timing.py"
# a full race: the first twelve of the Inside-the-optimizer page's methods (all first-order)
TWELVE = "?v=1" + "".join(f"&run={k}" for k in INTERNALS_OPTIMIZERS[: limits.MAX_RUNS])


@dataclass(frozen=True)
class Target:
    """A page to time: its path and query, and the control changed for the rerun (a number box's
    label with the amount added, or a slider's label with ``slider=True``)."""

    name: str
    path: str
    label: str
    delta: float = 1.0
    slider: bool = False
    key: str = "ArrowRight"  # the key that moves the slider one notch (ArrowLeft when it starts at its end)


TARGETS = (
    Target("race (default scene)", "", "start x", 0.1),
    Target("race (12 runs)", TWELVE, "start x", 0.1),
    # a data landscape (logistic regression, 1,000 examples) with real minibatches of 1, 32 and 750
    Target("race (data: B = 1, 32, n)", scene_url(BATCH_SIZES), "start x", 0.1),
    Target("Hyperparameter sweep", "Hyperparameter_sweep", "Steps", 10),
    Target("Basins of attraction", "Basins_of_attraction", "Steps", 10),
    Target("Inside the optimizer (Steps)", "Inside_the_optimizer", "Steps", 10),
    Target("Inside the optimizer (step slider)", "Inside_the_optimizer", "Step", slider=True),
    Target("Exponentially weighted averages", "Exponentially_weighted_averages", "Days", 10),
    Target("Batch size and noise", "Batch_size_and_noise", "Steps", 10),
    Target("Learning-rate schedules", "Learning_rate_schedules", "Steps", 10),
    Target("Second-order methods", "Second_order_methods", "Steps", 1),
    Target("Network lab (Width)", "Network_lab", "Width", 1),
    Target("Network lab (step slider)", "Network_lab", "Step", slider=True, key="ArrowLeft"),
)
FLOOR = Target("floor (bare page)", "", "Seed", 1.0)


def load_tool(path: Path = TOOL) -> ModuleType:
    """The shared measurement module."""
    if not path.exists():
        raise SystemExit(f"the shared measurement is not at {path} (pass --tool)")
    spec = importlib.util.spec_from_file_location("browser_timing", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(tool: ModuleType, browser, port: int, target: Target, viewport: str) -> tuple[float, int, float, int]:
    """``(first s, first bytes, rerun s, rerun bytes)`` of one visit, as the shared tool measures
    (its ``measure``), with a slider moved by the keyboard where the target says so."""
    if not target.slider:
        return tool.measure(browser, port, target.path, target.label, target.delta, viewport)
    w, h = (int(v) for v in viewport.split("x"))
    ctx = browser.new_context(viewport={"width": w, "height": h})
    page = ctx.new_page()
    received = [0]
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: received.__setitem__(0, received[0] + len(p))))
    page.goto(f"http://localhost:{port}/{target.path}")
    page.evaluate(tool.OBSERVE)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=120_000)
    first = tool.settle(page) / 1000
    first_bytes, received[0] = received[0], 0
    thumb = page.locator('[data-testid="stSlider"] [role="slider"], [data-testid="stSlider"] input[type="range"]').first
    thumb.focus()
    t_change = page.evaluate("() => performance.now()")
    thumb.press(target.key)
    rerun = (tool.settle(page) - t_change) / 1000
    ctx.close()
    return first, first_bytes, rerun, received[0]


def run(targets: tuple[Target, ...], rounds: int, viewport: str, tool: ModuleType) -> list[tuple[Target, list, list]]:
    """Per target: its medians and the floor page's medians, measured A B A B in one browser."""
    from playwright.sync_api import sync_playwright

    servers = []
    out = []
    try:
        servers.append(tool.serve(str(ROOT), "app.py"))
        servers.append(tool.serve(str(Path(tool.__file__).parent / "floor"), "app.py"))
        (_, app_port), (_, floor_port) = servers
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            for target in targets:
                got: dict[str, list] = {"app": [], "floor": []}
                try:
                    measure(tool, browser, app_port, target, viewport)  # warm-up: caches, JIT
                    measure(tool, browser, floor_port, FLOOR, viewport)
                    for _ in range(rounds):
                        got["app"].append(measure(tool, browser, app_port, target, viewport))
                        got["floor"].append(measure(tool, browser, floor_port, FLOOR, viewport))
                except Exception as exc:  # a page that never draws: say so, go on with the others
                    print(f"| {target.name} | not measured: {type(exc).__name__} | | | | |", flush=True)
                    continue
                med = {k: [statistics.median(c) for c in zip(*v, strict=True)] for k, v in got.items()}
                out.append((target, med["app"], med["floor"]))
                print(row(target, med["app"], med["floor"]), flush=True)
            browser.close()
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(10)
    return out


HEADER = (
    "| page | first settled (s) | rerun settled (s) | KB first / rerun | first / bare page | rerun / bare page |\n"
    "|---|---|---|---|---|---|"
)


def row(target: Target, app: list, floor: list) -> str:
    """One Markdown table row: medians and ratios to the floor page of the same run."""
    first, first_b, rerun, rerun_b = app
    return (
        f"| {target.name} | {first:.2f} | {rerun:.2f} | {first_b / 1e3:.0f} / {rerun_b / 1e3:.0f} "
        f"| {first / floor[0]:.2f}x | {rerun / floor[2]:.1f}x |"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--viewport", default="1400x1000")
    ap.add_argument("--only", action="append", default=[], help="targets whose name contains this (repeatable)")
    ap.add_argument("--tool", type=Path, default=TOOL, help="path of the shared browser_timing.py")
    args = ap.parse_args(argv)
    tool = load_tool(args.tool)
    targets = tuple(t for t in TARGETS if not args.only or any(o in t.name for o in args.only))
    print(HEADER, flush=True)
    results = run(targets, args.rounds, args.viewport, tool)
    floors = [f for _, _, f in results]
    print(
        f"bare page, median over the targets: first {statistics.median(f[0] for f in floors):.2f} s, "
        f"rerun {statistics.median(f[2] for f in floors):.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
