"""Downloads that take real work, each made only when its button is pressed (never on a plain
rerun), under the page's CPU guard, with a progress bar and a plain message when a request is
too big: the race's GIF / MP4 clip and its "Reproduce in PyTorch" script (race page), the
offline lesson pack (Gallery page)."""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from export import video
from export.pack import MAX_SCENES, PackTooBigError, check_lessons, document, lessons_from_presets, section_html
from export.torch_landscapes import has_torch_form
from export.torch_script import torch_script
from optimizers import guard
from scenes import Scene
from scenes.codec import scene_url
from scenes.presets import PRESETS
from settings import spec_for
from ui import compute, inputs, page

CLIP = "_media_clip"  # session key: (request, bytes, file name) of the last clip made
PACK = "_media_pack"  # session key: (keys, size in bytes) of the last pack made (its sections stay cached)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "race"


def _setting(name: str, container: Any) -> Any:
    spec = spec_for(video.VideoSettings, name)
    # quiet: after a refused CSV upload the browser sent 0 for these boxes (noted three times); clamped silently
    return inputs.number(spec, f"clip_{name}", getattr(video.VideoSettings(), name), container=container, quiet=True)


def _progress_bar(what: str) -> Any:
    bar = st.progress(0.0, text=what)

    def update(fraction: float, text: str) -> None:
        guard.checkpoint()  # the page's CPU budget and Streamlit's stop requests apply per frame
        bar.progress(min(max(fraction, 0.0), 1.0), text=text)

    return update


def race_media(scene: Scene, result: Any, container: Any = st) -> None:
    """The race page's clip (GIF / MP4; the turning 3D view only from the command line) and PyTorch
    script, in a popover of ``container``: its widgets are drawn in the browser only when opened."""
    with container.popover("Animation clip and PyTorch script", icon=":material/movie:", width="stretch"):
        cols = st.columns(4)
        width = _setting("width", cols[0])
        fps = _setting("fps", cols[1])
        seconds = _setting("seconds", cols[2])
        fmt = cols[3].radio("Format", ["GIF", "MP4"], horizontal=True, key="clip_format").lower()
        # the turning 3D view is not offered here: each of its frames is a 3D render in the server's
        # browser (about 3 s of its CPU a frame, measured), far over one session's share of a shared server
        st.caption(
            "The slowly turning 3D view is made from the command line: "
            '`python -m export --url "<this page link>" --format mp4 --turn-3d`.'
        )
        try:
            settings = video.VideoSettings(width=int(width), fps=int(fps), seconds=float(seconds))
        except ValueError as exc:
            st.warning(page.plain(str(exc)))
            return
        request = (scene, settings, fmt)
        st.caption(
            f"{settings.frames} frames at {settings.fps} fps. Made on the server when you press the button; "
            "an MP4 is much smaller than a GIF."
        )
        if st.button(f"Make the {fmt.upper()}", key="clip_make"):
            _make_clip(scene, result, settings, fmt)
        made = st.session_state.get(CLIP)
        if made and made[0] == request:
            st.download_button(
                f"Download {made[2]} ({len(made[1]) / 1e6:.2f} MB)",
                made[1],
                file_name=made[2],
                mime="image/gif" if fmt == "gif" else "video/mp4",
                key="clip_download",
                on_click="ignore",
            )
        if not has_torch_form(scene.landscape_obj()):
            st.caption("No PyTorch script for this landscape yet: only the formula landscapes are written in torch.")
            return
        st.download_button(
            "Reproduce in PyTorch (script)",
            lambda: torch_script(scene, link=scene_url(scene, base=page.base_url())),
            file_name=f"{_slug(scene.landscape)}-race-torch.py",
            mime="text/x-python",
            key="dl_torch_script",
            on_click="ignore",
            help="A short runnable script: the landscape in torch, each run with torch.optim and its schedule, "
            "reproducing the paths. Runs torch has no twin of (Newton, BFGS, CG, coordinate descent, Lion, sign "
            "descent) say so and use the app's update rule written in plain torch.",
        )


def _make_clip(scene: Scene, result: Any, settings: video.VideoSettings, fmt: str) -> None:
    from figures.race import race_figures

    landscape = scene.landscape_obj()
    grid = compute.landscape_grid(landscape)
    update = _progress_bar("Starting…")
    try:
        with compute.guarded("Making the clip"):
            surface = None
            if settings.turn_3d:
                surface_grid = compute.landscape_grid(landscape, compute.SURFACE_N)
                surface = race_figures(scene.for_plotly(), landscape, result, grid, surface_grid, names=("surface",))[
                    "surface"
                ]
            labels = scene.for_plotly().labels()
            data = video.race_video(landscape, grid, result, labels, settings, fmt, surface=surface, progress=update)
    except (video.TooBigError, guard.WorkLimitError) as exc:
        st.error(page.plain(str(exc)))
        return
    name = f"{_slug(landscape.title)}-race{'-3d' if settings.turn_3d else ''}.{fmt}"
    st.session_state[CLIP] = ((scene, settings, fmt), data, name)


@st.cache_resource(max_entries=64, show_spinner=False)
def _section(key: str, i: int) -> str:
    """Scene ``i`` of a pack, a gallery preset: one object shared by every session (a section is
    about half a megabyte), so each is computed once per server."""
    return section_html(i, lessons_from_presets((key,))[0])


def _make_pack(chosen: tuple[str, ...]) -> None:
    """Compute the chosen scenes' sections within the page's CPU budget. What is done stays cached,
    so a pack too big for one press finishes over several presses (each at most the budget)."""
    lessons = lessons_from_presets(chosen)
    try:
        check_lessons(lessons)
    except PackTooBigError as exc:
        st.error(page.plain(str(exc)))
        return
    update = _progress_bar(f"Computing {len(chosen)} scenes…")
    done = 0
    try:
        with compute.guarded("Making the lesson pack"):
            for i, (key, lesson) in enumerate(zip(chosen, lessons, strict=True), start=1):
                update((i - 1) / len(chosen), f"Scene {i} of {len(chosen)}: {lesson.title}")
                _section(key, i)
                done = i
            doc = document(lessons, [_section(k, i) for i, k in enumerate(chosen, start=1)])
    except guard.WorkLimitError:
        st.info(
            f"{done} of {len(chosen)} scenes are ready. A pack is made in parts so the server stays responsive "
            "for everyone: press the button again to go on."
        )
        return
    except PackTooBigError as exc:
        st.error(page.plain(str(exc)))
        return
    update(1.0, "Done")
    st.session_state[PACK] = (chosen, len(doc.encode("utf-8")))


def _pack_text(chosen: tuple[str, ...]) -> str:
    lessons = lessons_from_presets(chosen)
    return document(lessons, [_section(k, i) for i, k in enumerate(chosen, start=1)])


def gallery_pack() -> None:
    """The Gallery page's offline lesson pack: all scenes, or the ones chosen."""
    with st.expander("Offline lesson pack (one HTML file, works with no network)"):
        titles = {p.key: p.title for p in PRESETS}
        keys = st.multiselect(
            "Scenes in the pack",
            list(titles),
            default=list(titles)[:MAX_SCENES],
            format_func=titles.get,
            key="pack_scenes",
            max_selections=MAX_SCENES,
        )
        st.caption(
            "Each scene with its explanation, formula and animation (play/pause, step slider); Plotly's "
            "JavaScript is inside once, so the file opens from a USB stick in any browser."
        )
        chosen = tuple(k for k in titles if k in keys)
        if st.button("Make the lesson pack", key="pack_make", disabled=not chosen):
            _make_pack(chosen)
        made = st.session_state.get(PACK)
        if made and made[0] == chosen:
            st.download_button(
                f"Download the pack ({len(chosen)} scenes, {made[1] / 1e6:.1f} MB)",
                lambda: _pack_text(chosen),  # assembled on demand from the shared sections
                file_name="optimizer-lessons.html",
                mime="text/html",
                key="pack_download",
                on_click="ignore",
            )
