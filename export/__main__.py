"""Render a preset, a scene file or a scene link to PNG / SVG / HTML without starting the app.

Examples::

    python -m export --list
    python -m export --preset ravine_momentum --format png --scale 2 --out slides/
    python -m export --scene my-scene.json --figure contour --figure loss --format svg
    python -m export --url "?v=1&ls=himmelblau&run=adam:lr=0.1" --format html
    python -m export --all-presets --figure contour --width 520 --scale 1 --out docs/gallery
    python -m export --preset adam_rosenbrock --format gif --format mp4 --fps 10 --seconds 10 --out clips/
    python -m export --preset saddle_escape --format torch          # the "Reproduce in PyTorch" script
    python -m export --all-presets --pack lessons.html              # the offline lesson pack
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from export.video import VideoSettings
from figures.race import FIGURE_NAMES
from optimizers.allocator import tune_allocator
from scenes import Scene
from scenes.codec import from_json, from_url
from scenes.presets import PRESETS, preset_by_key


def _scenes(args: argparse.Namespace) -> list[tuple[str, Scene]]:
    if args.all_presets:
        return [(p.key, p.scene) for p in PRESETS]
    if args.preset:
        return [(key, preset_by_key(key).scene) for key in args.preset]
    if args.scene:
        scene, warnings = from_json(Path(args.scene).read_text(encoding="utf-8", errors="replace"))
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
        return [(Path(args.scene).stem, scene)]
    scene, warnings = from_url(args.url)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    return [("scene", scene)]


def _clip_or_script(scene: Scene, stem: str, fmt: str, args: argparse.Namespace, out: Path) -> Path:
    """Write the scene's GIF / MP4 clip or its PyTorch script; ``ValueError`` when too big."""
    if fmt == "torch":
        from export.torch_script import torch_script

        path = out / f"{stem}-torch.py"
        path.write_text(torch_script(scene), encoding="utf-8")
        return path
    import optimizers
    from export.video import race_video
    from figures.grid import CONTOUR_N, SURFACE_N, evaluate_grid
    from figures.race import race_figures

    settings = VideoSettings(
        width=args.width or VideoSettings.width, fps=args.fps, seconds=args.seconds, turn_3d=args.turn_3d
    )
    land = scene.landscape_obj()
    result = optimizers.run(land, scene.run_configs(), scene.starts_array(), scene.options())
    grid = evaluate_grid(land, land.window, CONTOUR_N)
    surface = None
    if settings.turn_3d:
        surface_grid = evaluate_grid(land, land.window, SURFACE_N)
        surface = race_figures(scene.for_plotly(), land, result, grid, surface_grid, names=("surface",))["surface"]
    data = race_video(land, grid, result, scene.for_plotly().labels(), settings, fmt, surface=surface)
    path = out / f"{stem}-animation{'-3d' if settings.turn_3d else ''}.{fmt}"
    path.write_bytes(data)
    return path


def _pack(args: argparse.Namespace, scenes: list[tuple[str, Scene]]) -> int:
    """Write the offline lesson pack of ``scenes`` (presets keep their titles and captions)."""
    from export.pack import Lesson, PackTooBigError, lessons_from_presets, pack_html

    if args.all_presets or args.preset:
        lessons = lessons_from_presets(args.preset)
    else:
        lessons = [Lesson(stem, "", "", scene) for stem, scene in scenes]
    t0 = time.perf_counter()
    try:
        doc = pack_html(lessons, progress=lambda f, what: print(f"  {what}", file=sys.stderr))
    except PackTooBigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    path = Path(args.pack)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc, encoding="utf-8")
    print(f"{path}  ({len(lessons)} scenes, {path.stat().st_size / 1e6:.1f} MB, {time.perf_counter() - t0:.1f} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m export", description=__doc__.splitlines()[0])
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", action="append", help="a preset key (see --list); repeat for a pack")
    src.add_argument("--all-presets", action="store_true", help="every preset")
    src.add_argument("--scene", help="a scene JSON file saved from the app")
    src.add_argument("--url", help="a scene link (or just its ?query part)")
    src.add_argument("--list", action="store_true", help="list the presets and exit")
    parser.add_argument(
        "--figure",
        action="append",
        choices=(*FIGURE_NAMES, "model"),
        help="figure(s) to render (default: contour, surface, loss, distance)",
    )
    parser.add_argument(
        "--format",
        action="append",
        choices=("png", "svg", "html", "gif", "mp4", "torch"),
        help="default: png; gif/mp4: the animation as a clip; torch: a PyTorch script reproducing the runs",
    )
    parser.add_argument("--fps", type=int, default=VideoSettings.fps, help="clip frames per second")
    parser.add_argument("--seconds", type=float, default=VideoSettings.seconds, help="clip length in seconds")
    parser.add_argument("--turn-3d", action="store_true", help="clip of the slowly turning 3D surface")
    parser.add_argument("--pack", metavar="FILE", help="write the chosen scenes as one offline lesson pack (HTML)")
    parser.add_argument("--scale", type=float, default=2.0, help="PNG scale factor (2 = slide quality)")
    parser.add_argument("--width", type=int, help="image width in CSS pixels")
    parser.add_argument("--height", type=int, help="image height in CSS pixels")
    parser.add_argument("--presentation", action="store_true", help="large fonts and thick lines")
    parser.add_argument("--out", default=".", help="output folder")
    args = parser.parse_args(argv)
    if args.list:
        for p in PRESETS:
            print(f"{p.key:24s} {p.title}")
        return 0
    try:
        scenes = _scenes(args)
    except (KeyError, OSError) as exc:
        parser.error(str(exc))
    names = tuple(args.figure or ("contour", "surface", "loss", "distance"))
    formats = args.format or ["png"]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from export import static
    from export.render import render_scene

    tune_allocator()
    if args.pack:
        return _pack(args, scenes)

    for stem, scene in scenes:
        if args.presentation:
            scene = scene.replace(view=scene.view.__class__(**{**scene.view.__dict__, "presentation": True}))
        for fmt in [f for f in formats if f in ("gif", "mp4", "torch")]:
            t0 = time.perf_counter()
            try:
                path = _clip_or_script(scene, stem, fmt, args, out)
            except ValueError as exc:  # too big: a plain message, the other files still come
                print(f"{stem} {fmt}: {exc}", file=sys.stderr)
                continue
            print(f"{path}  ({time.perf_counter() - t0:.2f} s, {path.stat().st_size / 1e6:.2f} MB)")
        formats_here = [f for f in formats if f in ("png", "svg", "html")]
        if not formats_here:
            continue
        figures = render_scene(scene, names)
        for name, fig in figures.items():
            for fmt in formats_here:
                t0 = time.perf_counter()
                path = out / f"{stem}-{name}.{fmt}"
                if fmt == "png":
                    path.write_bytes(static.figure_to_png(fig, scale=args.scale, width=args.width, height=args.height))
                elif fmt == "svg":
                    path.write_bytes(static.figure_to_svg(fig, width=args.width, height=args.height))
                else:
                    path.write_text(static.figure_to_html(fig), encoding="utf-8")
                print(f"{path}  ({time.perf_counter() - t0:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
