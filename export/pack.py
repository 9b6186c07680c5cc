"""The offline lesson pack: one self-contained HTML file with several scenes, each with its title,
concept, explanation, formula (plain HTML, no math library) and animation (play/pause, step
slider), plus a small results table; Plotly's JavaScript is included once. It needs no server
and no network: copy it to a USB stick and open it in any browser.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import plotly.io as pio
from plotly.offline import get_plotlyjs

import optimizers
from export.formula_html import latex_to_html
from figures.grid import CONTOUR_N, evaluate_grid
from figures.race import race_figures
from scenes import Scene
from scenes.presets import PRESETS, Preset

MAX_SCENES = 24
MAX_BYTES = 40_000_000  # a pack past this is refused (the gallery's 14 scenes make about 10 MB)
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Lesson:
    """One scene of a pack with the words around it."""

    title: str
    concept: str
    caption: str
    scene: Scene


class PackTooBigError(ValueError):
    """A pack past the limits, with a plain message."""


def lessons_from_presets(keys: Sequence[str] | None = None) -> list[Lesson]:
    """The gallery's presets (all, or those named by ``keys``, in gallery order) as lessons."""
    chosen: list[Preset] = [p for p in PRESETS if keys is None or p.key in keys]
    return [Lesson(p.title, p.concept, p.caption, p.scene) for p in chosen]


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 980px; margin: 0 auto; padding: 1em; color: #222; }
nav ol { columns: 2; } section { border-top: 1px solid #ccc; padding-top: 0.5em; margin-top: 1.5em; }
.formula { font-family: "DejaVu Serif", Georgia, serif; font-size: 1.15em; background: #f6f6f6;
  padding: 0.4em 0.7em; border-radius: 4px; overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.9em; } td, th { padding: 2px 10px; border-bottom: 1px solid #ddd; }
.concept { font-weight: 600; } footer { color: #666; font-size: 0.85em; margin-top: 2em; }
"""


def _formula(scene: Scene) -> str:
    land = scene.landscape_obj()
    if land.user_defined:
        return "f(x, y) = " + html.escape(land.formula)
    return latex_to_html(land.latex)


def section_html(i: int, lesson: Lesson) -> str:
    """Scene ``i`` of a pack: heading, words, formula, animation and results (computes the scene)."""
    scene = lesson.scene
    land = scene.landscape_obj()
    result = optimizers.run(land, scene.run_configs(), scene.starts_array(), scene.options())
    grid = evaluate_grid(land, land.window, CONTOUR_N)
    fig = race_figures(scene.for_plotly(), land, result, grid, None, names=("animation",))["animation"]
    div = pio.to_html(
        fig,
        include_plotlyjs=False,
        full_html=False,
        auto_play=False,
        div_id=f"scene-{i}-plot",
        default_width="100%",
        config={"displaylogo": False, "responsive": True},
    )
    summary = result.summary()
    rows = "".join(
        f"<tr><td>{html.escape(str(r.label))}</td><td>{r.final_loss:.4g}</td><td>{html.escape(r.status)}</td></tr>"
        for r in summary.itertuples()
    )
    caption = "".join(f"<p>{html.escape(line)}</p>" for line in lesson.caption.split("\n") if line.strip())
    return (
        f'<section id="scene-{i}" class="lesson">\n<h2>{i}. {html.escape(lesson.title)}</h2>\n'
        f'<p class="concept">{html.escape(lesson.concept)}</p>\n{caption}\n'
        f"<p><b>{html.escape(land.title)}</b>: {html.escape(land.lesson)}</p>\n"
        f'<div class="formula">{_formula(scene)}</div>\n{div}\n'
        f"<table><tr><th>run</th><th>final loss</th><th>status</th></tr>{rows}</table>\n</section>"
    )


def check_lessons(lessons: Sequence[Lesson]) -> None:
    """``PackTooBigError`` for no scenes, too many, or a scene that cannot run."""
    if not lessons:
        raise PackTooBigError("Choose at least one scene for the pack.")
    if len(lessons) > MAX_SCENES:
        raise PackTooBigError(f"At most {MAX_SCENES} scenes per pack (got {len(lessons)}).")
    for lesson in lessons:
        found = lesson.scene.problems()
        if found:
            raise PackTooBigError(f"{lesson.title}: {' '.join(found)}")


def pack_html(lessons: Sequence[Lesson], title: str = "Optimizer lessons", progress: Progress | None = None) -> str:
    """The pack as one HTML document; ``PackTooBigError`` past ``MAX_SCENES`` scenes or
    ``MAX_BYTES`` bytes, or when a scene cannot run."""
    check_lessons(lessons)
    sections = []
    for i, lesson in enumerate(lessons, start=1):
        if progress:
            progress((i - 1) / len(lessons), f"Scene {i} of {len(lessons)}: {lesson.title}")
        sections.append(section_html(i, lesson))
    if progress:
        progress(1.0, "Done")
    return document(lessons, sections, title)


def document(lessons: Sequence[Lesson], sections: Sequence[str], title: str = "Optimizer lessons") -> str:
    """The pack from its sections (``section_html`` of each lesson, in order); ``PackTooBigError``
    past ``MAX_BYTES``."""
    toc = "".join(f'<li><a href="#scene-{i}">{html.escape(le.title)}</a></li>' for i, le in enumerate(lessons, 1))
    doc = (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<style>{_STYLE}</style>\n'
        f'<script type="text/javascript">{get_plotlyjs()}</script>\n</head>\n<body>\n'
        f"<h1>{html.escape(title)}</h1>\n<p>{len(lessons)} scenes. Press ▶ Play under a picture to watch the "
        f"optimizers race; drag the slider to step through. This file works offline.</p>\n"
        f"<nav><ol>{toc}</ol></nav>\n" + "\n".join(sections) + "\n<footer>Made with the optimizer landscape "
        "visualizer: every optimizer uses torch.optim's defaults and arithmetic.</footer>\n</body>\n</html>\n"
    )
    size = len(doc.encode("utf-8"))
    if size > MAX_BYTES:
        raise PackTooBigError(
            f"The pack came out at {size / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.0f} MB limit. Choose fewer scenes."
        )
    return doc
