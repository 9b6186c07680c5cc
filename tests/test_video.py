"""GIF and MP4 of the race animation: decoded by ffmpeg (not by the encoder that wrote them) to the
expected frame count and size; Plotly's own drawing of the minimum lands where the clip's pixel
mapping puts it; requests past the limits get a plain message before any drawing."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

import optimizers
from export import static, video
from figures.animation import animation_figure
from figures.grid import CONTOUR_N, evaluate_grid
from figures.style import FigureStyle
from scenes import Scene

SCENE = Scene(steps=200)


@pytest.fixture(scope="module")
def race():
    land = SCENE.landscape_obj()
    result = optimizers.run(land, SCENE.run_configs(), SCENE.starts_array(), SCENE.options())
    return land, evaluate_grid(land, land.window, CONTOUR_N), result, SCENE.labels()


def _ffmpeg_frames(data: bytes, suffix: str) -> tuple[dict, list[np.ndarray]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"clip{suffix}"
        path.write_bytes(data)
        reader = imageio_ffmpeg.read_frames(str(path))
        meta = next(reader)
        frames = [np.frombuffer(f, np.uint8).reshape(meta["size"][1], meta["size"][0], 3) for f in reader]
    return meta, frames


@pytest.mark.parametrize("fmt", ["gif", "mp4"])
def test_clip_decodes_to_the_expected_frames_and_size(race, fmt):
    settings = video.VideoSettings(width=400, fps=5, seconds=2.0)
    data = video.race_video(*race, settings, fmt)
    meta, frames = _ffmpeg_frames(data, f".{fmt}")
    assert len(frames) == 10  # 5 fps x 2 s
    height = frames[0].shape[0]
    assert frames[0].shape[1] == 400 and height % 2 == 0
    assert abs(height - 400 * 696 / 640) <= 2  # the figure's shape: 640 x 696 CSS pixels (colour bar under the plot)
    assert meta["fps"] == pytest.approx(5.0)
    # the paths grow: the last frame differs from the first inside the plot
    assert np.abs(frames[-1].astype(int) - frames[0].astype(int)).sum() > 1000
    if fmt == "gif":
        gif = Image.open(io.BytesIO(data))
        assert gif.n_frames == 10 and gif.info["duration"] == 200 and gif.info.get("loop") == 0


def test_pixel_mapping_puts_points_where_plotly_draws_them(race):
    """The minimum's star (white, drawn by Plotly in the still picture) is at the pixel the clip
    computes for (1, 1); a point of the grey landscape beside it is not white."""
    land, grid, result, labels = race
    style = FigureStyle()
    still = video._still_figure(animation_figure(land, grid, result, labels, style, max_frames=2), style)
    png = static.figure_to_png(still, scale=1.0, width=video.CSS_WIDTH, height=int(still.layout.height))
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    area = video.plot_area(still, 1.0)
    (mx, my), (ox, oy) = area.pixels(np.array([[1.0, 1.0], [1.0, 2.0]]))
    assert img[round(my), round(mx)].min() > 235
    assert img[round(oy), round(ox)].min() < 235


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        (video.VideoSettings(fps=30, seconds=20.0), "Too many frames"),
        (video.VideoSettings(width=1280, fps=25, seconds=10.0), "million pixels"),
        (video.VideoSettings(fps=10, seconds=10.0, turn_3d=True), "3D view allows at most"),
    ],
)
def test_too_big_requests_get_a_plain_message(race, settings, words):
    land, grid, result, labels = race
    surface = animation_figure(land, grid, result, labels, max_frames=2)  # any figure with a height
    with pytest.raises(video.TooBigError, match=words):
        video.race_video(land, grid, result, labels, settings, "gif", surface=surface)


def test_settings_are_declared_and_checked():
    with pytest.raises(ValueError, match="fps"):
        video.VideoSettings(fps=0)
    assert video.VideoSettings(fps=12, seconds=2.5).frames == 30
