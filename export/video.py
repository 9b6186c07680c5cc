"""The race animation as an animated GIF or an MP4 video, rendered on the server.

2D: kaleido (the warm export browser of ``export.static``) draws the still part once: the
landscape image, minima, starts, axes, colourbar, legend and title, exactly as the page's
animation figure draws them. Pillow then draws each frame's paths, heads and step counter on a
copy, in pixels computed from the figure's fixed margins and equal-scale axes (milliseconds per
frame instead of a browser render per frame). The optional turning 3D view renders each frame
with kaleido (the surface figure with its camera turned), so it allows fewer frames.
GIF frames are encoded by Pillow (one palette for the whole clip), MP4 by ffmpeg through
imageio-ffmpeg (H.264, yuv420p). Work and size are bounded before anything is drawn.
"""

from __future__ import annotations

import copy
import io
import math
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageColor, ImageDraw, ImageFont

from figures import paths
from figures.animation import _frame_paths, animation_figure, frame_indices
from figures.contour import colors_for, run_look
from figures.grid import LandscapeGrid
from figures.style import MARK_COLOR, FigureStyle
from landscapes.base import Landscape
from optimizers.runner import RunResult
from settings import check_fields, hyper

CSS_WIDTH = 640  # the figure is laid out at this width; ``width / CSS_WIDTH`` scales it up or down
MARGIN_RIGHT = 110  # room for the colourbar (margins do not auto-expand in a video: pixels must be known)
MAX_FRAMES = 300
MAX_FRAMES_3D = 24  # each 3D frame is a browser render: ~2 s on a quiet 2-core machine, ~8 s loaded
MAX_PIXELS = 150_000_000  # width x height x frames of one clip
MAX_BYTES = 40_000_000  # a finished file larger than this is refused
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class VideoSettings:
    """What a GIF or MP4 looks like: pixel width, frame rate, length, and whether the view is the
    turning 3D surface instead of the 2D contour."""

    width: int = hyper(640, lo=320, hi=1280, label="Width (pixels)", help="height follows the figure's shape")
    fps: int = hyper(10, lo=2, hi=30, label="Frames per second")
    seconds: float = hyper(6.0, lo=1.0, hi=20.0, label="Length (seconds)")
    turn_3d: bool = hyper(False, label="Turning 3D view", help="the 3D surface, slowly turning (fewer frames)")

    def __post_init__(self) -> None:
        check_fields(self)

    @property
    def frames(self) -> int:
        return max(2, round(self.fps * self.seconds))


class TooBigError(ValueError):
    """A request past the limits, with a plain message saying what to reduce."""


def _even(n: float) -> int:
    return max(2, int(n) // 2 * 2)


def frame_size(settings: VideoSettings, css_height: int) -> tuple[int, int]:
    """Pixel ``(width, height)`` of every frame (even numbers: H.264 in yuv420p needs them)."""
    scale = settings.width / CSS_WIDTH
    return _even(settings.width), _even(css_height * scale)


def problems(settings: VideoSettings, css_height: int) -> list[str]:
    """Plain reasons the request is too big (empty when it is fine)."""
    out = []
    cap = MAX_FRAMES_3D if settings.turn_3d else MAX_FRAMES
    if settings.frames > cap:
        view = "the turning 3D view" if settings.turn_3d else "a clip"
        out.append(
            f"Too many frames: {settings.fps} fps x {settings.seconds:g} s = {settings.frames} frames; "
            f"{view} allows at most {cap}. Lower the frame rate or the length."
        )
    w, h = frame_size(settings, css_height)
    if w * h * settings.frames > MAX_PIXELS:
        out.append(
            f"Too big: {settings.frames} frames of {w} x {h} pixels is {w * h * settings.frames / 1e6:.0f} million "
            f"pixels (at most {MAX_PIXELS / 1e6:.0f} million). Lower the width, frame rate or length."
        )
    return out


# --- the 2D clip ------------------------------------------------------------------------------
def _still_figure(fig: go.Figure, style: FigureStyle) -> go.Figure:
    """The animation figure without frames, controls or moving points (their legend entries stay),
    with fixed margins so the plot area's pixels are known; the legend moves up where the play
    button and slider were (``figures.animation`` lays them out in pixels of the font size)."""
    still = go.Figure(fig)
    still.frames = ()
    for tr in still.data:
        if (tr.meta or {}).get("role") in ("path", "head"):
            tr.x, tr.y = [None], [None]
    m, fs = still.layout.margin, style.font_size
    controls = int(5.5 * fs + 30)
    plot_h = still.layout.height - m.t - m.b
    still.layout.updatemenus = ()
    still.layout.sliders = ()
    still.update_layout(
        width=CSS_WIDTH,
        height=still.layout.height - controls,
        margin=dict(l=m.l, r=MARGIN_RIGHT, t=m.t, b=m.b - controls, autoexpand=False),
        legend_y=still.layout.legend.y + controls / plot_h,
    )
    return still


@dataclass(frozen=True)
class PlotArea:
    """Where data coordinates land in the picture (pixels, origin top left)."""

    x0: float  # pixel of xmin
    y0: float  # pixel of ymax
    k: float  # pixels per data unit (equal on both axes)
    xmin: float
    ymax: float

    def pixels(self, p: np.ndarray) -> np.ndarray:
        """Points ``(n, 2)`` in data units to pixels ``(n, 2)``."""
        return np.stack([self.x0 + (p[:, 0] - self.xmin) * self.k, self.y0 + (self.ymax - p[:, 1]) * self.k], axis=1)


def plot_area(fig: go.Figure, scale: float) -> PlotArea:
    """The plot area of ``_still_figure(fig)``: Plotly shrinks the longer axis's domain around its
    centre so both axes have the same scale (``scaleanchor`` with ``constrain="domain"``)."""
    lay, m = fig.layout, fig.layout.margin
    (xmin, xmax), (ymin, ymax) = lay.xaxis.range, lay.yaxis.range
    pw, ph = CSS_WIDTH - m.l - MARGIN_RIGHT, lay.height - m.t - m.b
    k = min(pw / (xmax - xmin), ph / (ymax - ymin))
    x0 = m.l + (pw - (xmax - xmin) * k) / 2
    y0 = m.t + (ph - (ymax - ymin) * k) / 2
    return PlotArea(x0 * scale, y0 * scale, k * scale, xmin, ymax)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size)


def frames_2d(
    fig: go.Figure,
    result: RunResult,
    settings: VideoSettings,
    style: FigureStyle,
    progress: Progress | None = None,
) -> Iterator[Image.Image]:
    """The clip's frames (RGB images of ``frame_size``): the paths of ``result`` growing over the
    still part of ``fig`` (its animation figure)."""
    from export import static

    still = _still_figure(fig, style)
    scale = settings.width / CSS_WIDTH
    size = frame_size(settings, int(still.layout.height))
    if progress:
        progress(0.0, "Drawing the landscape…")
    png = static.figure_to_png(still, scale=scale, width=CSS_WIDTH, height=int(still.layout.height))
    base = Image.open(io.BytesIO(png)).convert("RGB").crop((0, 0, *size))
    area = plot_area(still, scale)
    colors = colors_for(result)
    looks = [run_look(result, r, style, colors) for r in range(len(result.status))]
    rgb = [ImageColor.getrgb(look["color"]) for look in looks]
    mark = ImageColor.getrgb(MARK_COLOR)
    line_w = max(1, round(style.line_width * scale))
    head_r = max(2, round(style.mark_size * scale / 2))
    font = _font(max(10, round(style.font_size * 1.2 * scale)))
    run_idx = [paths.run_indices(result, r, 4 * settings.frames) for r in range(len(result.status))]
    at = frame_indices(result, settings.frames)
    last_step = int(result.steps[-1])
    for i, e in enumerate(at):
        frame = base.copy()
        draw = ImageDraw.Draw(frame)
        prefixes, heads = _frame_paths(result, run_idx, int(e))
        for r, (path, head) in enumerate(zip(prefixes, heads, strict=True)):
            ok = np.isfinite(path).all(axis=1)
            px = area.pixels(path[ok])
            if len(px) > 1:
                draw.line([tuple(q) for q in px], fill=rgb[r], width=line_w, joint="curve")
            if np.isfinite(head).all():
                hx, hy = area.pixels(head[None, :])[0]
                draw.ellipse((hx - head_r, hy - head_r, hx + head_r, hy + head_r), fill=rgb[r], outline=mark)
        draw.text(
            (size[0] - 12 * scale, 14 * scale),
            f"step {int(result.steps[e])} / {last_step}",
            fill=(30, 30, 30),
            font=font,
            anchor="ra",
        )
        if progress:
            progress((i + 1) / len(at), f"Frame {i + 1} of {len(at)}")
        yield frame


# --- the turning 3D clip ------------------------------------------------------------------------
def frames_3d(surface: go.Figure, settings: VideoSettings, progress: Progress | None = None) -> Iterator[Image.Image]:
    """The surface figure seen from a camera turning once around the vertical axis over the clip."""
    from export import static

    fig = go.Figure(surface)
    height = int(fig.layout.height or 500)
    size = frame_size(settings, height)
    eye = fig.layout.scene.camera.eye
    r = math.hypot(eye.x or 1.25, eye.y or 1.25)
    z = eye.z if eye.z is not None else 1.25
    theta0 = math.atan2(eye.y or 1.25, eye.x or 1.25)
    n = settings.frames
    for i in range(n):
        t = theta0 + 2 * math.pi * i / n
        fig.update_layout(scene_camera=dict(eye=dict(x=r * math.cos(t), y=r * math.sin(t), z=z)), width=CSS_WIDTH)
        png = static.figure_to_png(fig, scale=settings.width / CSS_WIDTH, width=CSS_WIDTH, height=height)
        if progress:
            progress((i + 1) / n, f"Frame {i + 1} of {n} (3D)")
        yield Image.open(io.BytesIO(png)).convert("RGB").crop((0, 0, *size))


# --- encoders -----------------------------------------------------------------------------------
def encode_gif(frames: Iterator[Image.Image], fps: int) -> bytes:
    """An animated GIF that loops; one palette (from the last frame, where every path is drawn)."""
    images = list(frames)
    palette = images[-1].quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    coded = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    out = io.BytesIO()
    coded[0].save(out, format="GIF", save_all=True, append_images=coded[1:], duration=round(1000 / fps), loop=0)
    return out.getvalue()


def encode_mp4(frames: Iterator[Image.Image], fps: int) -> bytes:
    """An H.264 MP4 (yuv420p, plays in browsers and slide software) written by ffmpeg."""
    import imageio_ffmpeg

    first = next(frames)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.mp4"
        writer = imageio_ffmpeg.write_frames(
            str(path),
            first.size,
            fps=fps,
            codec="libx264",
            pix_fmt_out="yuv420p",
            quality=7,
            macro_block_size=2,
            ffmpeg_log_level="error",
        )
        writer.send(None)
        writer.send(np.asarray(first).tobytes())
        for frame in frames:
            writer.send(np.asarray(frame).tobytes())
        writer.close()
        return path.read_bytes()


def encode(frames: Iterator[Image.Image], fmt: str, fps: int) -> bytes:
    """GIF or MP4 bytes; ``TooBigError`` when the file passes ``MAX_BYTES``."""
    data = encode_gif(frames, fps) if fmt == "gif" else encode_mp4(frames, fps)
    if len(data) > MAX_BYTES:
        raise TooBigError(
            f"The {fmt.upper()} came out at {len(data) / 1e6:.1f} MB, over the {MAX_BYTES / 1e6:.0f} MB limit. "
            "Lower the width, frame rate or length (an MP4 is much smaller than a GIF)."
        )
    return data


def race_video(
    landscape: Landscape,
    grid: LandscapeGrid,
    result: RunResult,
    labels: list[str],
    settings: VideoSettings,
    fmt: str = "gif",
    surface: go.Figure | None = None,
    style: FigureStyle | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The race as a GIF (``fmt="gif"``) or MP4 (``"mp4"``); ``TooBigError`` with a plain message
    when the request passes the limits (checked before drawing)."""
    if fmt not in ("gif", "mp4"):
        raise ValueError(f"Unknown video format: {fmt!r} (gif or mp4)")
    style = style or FigureStyle()
    if settings.turn_3d:
        if surface is None:
            raise ValueError("The turning 3D view needs the surface figure")
        height = int(surface.layout.height or 500)
    else:  # the page's animation figure, its frames aside (the clip draws its own)
        fig = animation_figure(landscape, grid, result, labels, style, max_frames=2, max_points=2)
        height = int(_still_figure(fig, style).layout.height)
    found = problems(settings, height)
    if found:
        raise TooBigError(" ".join(found))
    if settings.turn_3d:
        frames = frames_3d(copy.deepcopy(surface), settings, progress)
    else:
        frames = frames_2d(fig, result, settings, style, progress)
    return encode(frames, fmt, settings.fps)
