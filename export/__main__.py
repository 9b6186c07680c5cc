"""Render a preset, a scene file or a scene link to PNG / SVG / HTML without starting the app.

Examples::

    python -m export --list
    python -m export --preset ravine_momentum --format png --scale 2 --out slides/
    python -m export --scene my-scene.json --figure contour --figure loss --format svg
    python -m export --url "?v=1&ls=himmelblau&run=adam:lr=0.1" --format html
    python -m export --all-presets --figure contour --width 520 --height 440 --scale 1 --out docs/gallery
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from figures.race import FIGURE_NAMES
from optimizers.allocator import tune_allocator
from scenes import Scene
from scenes.codec import from_json, from_url
from scenes.presets import PRESETS, preset_by_key


def _scenes(args: argparse.Namespace) -> list[tuple[str, Scene]]:
    if args.all_presets:
        return [(p.key, p.scene) for p in PRESETS]
    if args.preset:
        return [(args.preset, preset_by_key(args.preset).scene)]
    if args.scene:
        scene, warnings = from_json(Path(args.scene).read_text(encoding="utf-8", errors="replace"))
        for w in warnings:
            print(f"warning: {w}", file=sys.stderr)
        return [(Path(args.scene).stem, scene)]
    scene, warnings = from_url(args.url)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    return [("scene", scene)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m export", description=__doc__.splitlines()[0])
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", help="a preset key (see --list)")
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
    parser.add_argument("--format", action="append", choices=("png", "svg", "html"), help="default: png")
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

    for stem, scene in scenes:
        if args.presentation:
            scene = scene.replace(view=scene.view.__class__(**{**scene.view.__dict__, "presentation": True}))
        figures = render_scene(scene, names)
        for name, fig in figures.items():
            for fmt in formats:
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
