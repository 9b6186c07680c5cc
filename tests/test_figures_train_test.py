"""The test loss drawn over a data race's contour on the server (figures.train_test.add_test_contours):
dashed level lines painted into the training picture, not a contour computed by the browser."""

from __future__ import annotations

import base64
import io
import itertools

import numpy as np
from PIL import Image

from figures.grid import levels_for
from figures.raster import dashes, png_bytes


def _rgb(source: str) -> np.ndarray:
    png = base64.b64decode(source.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_png_of_an_rgba_image_decodes_to_the_same_pixels():
    rng = np.random.default_rng(3)
    rgba = rng.integers(0, 256, size=(7, 11, 4), dtype=np.uint8)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png_bytes(rgba)))), rgba)


def _longest_run(values: np.ndarray) -> int:
    best = run = 0
    for prev, cur in itertools.pairwise(values):
        run = run + 1 if cur == prev else 0
        best = max(best, run + 1)
    return best


def test_dashes_break_a_line_in_every_direction():
    on = dashes((120, 120))
    k = np.arange(100)
    lines = {
        "horizontal": on[40, k],
        "vertical": on[k, 40],
        "diagonal": on[k, k],
        "antidiagonal": on[k, 110 - k],
        "steep": on[k, k // 3],
    }
    for name, line in lines.items():
        assert 0.25 < line.mean() < 0.75, name
        assert _longest_run(line) <= 12, name  # dashes and gaps of a few pixels, never a solid stretch


def test_data_race_draws_the_test_loss_as_dashed_lines_where_it_crosses_its_levels():
    from export.render import render_scene
    from figures.contour import IMAGE_PX
    from scenes.presets import preset_by_key

    scene = preset_by_key("train_test_minima").scene
    fig = render_scene(scene, ("contour",))["contour"]
    assert not any(t.type in ("contour", "heatmap") for t in fig.data)  # nothing contoured by the browser
    (image,) = fig.layout.images  # one picture: the test lines painted over the training surface
    assert image.name == "landscape"
    img = _rgb(image.source)
    assert img.shape == (IMAGE_PX, IMAGE_PX, 3)
    window = scene.landscape_obj().window
    assert (image.x, image.y, image.sizex, image.sizey) == (window.xmin, window.ymax, window.width, window.height)

    # the test loss at the picture's pixel centres (top row = largest y), computed here from the data
    test = scene.landscape_obj().on("test")
    xs = np.linspace(window.xmin, window.xmax, IMAGE_PX)
    ys = np.linspace(window.ymax, window.ymin, IMAGE_PX)
    loss = test.value(np.stack(np.meshgrid(xs, ys), axis=-1))
    from figures.grid import evaluate_grid

    levels = levels_for(test, evaluate_grid(test, window, IMAGE_PX))
    t = levels.transform(loss)
    lines = np.arange(levels.start, levels.end + levels.size, 2 * levels.size)  # every other level
    # a pixel is on a line when a line level lies between its value and its left or lower neighbour's
    crossing = np.zeros(t.shape, dtype=bool)
    for a, b in ((t[:, 1:], t[:, :-1]), (t[:-1, :], t[1:, :])):
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        between = ((lines[:, None, None] > lo) & (lines[:, None, None] <= hi)).any(axis=0)
        if a.shape[1] < t.shape[1]:
            crossing[:, 1:] |= between
        else:
            crossing[:-1, :] |= between
    drawn = np.all(img == (120, 0, 90), axis=-1)  # the test lines' colour, opaque
    assert drawn.sum() > 300  # several lines cross the window
    near = np.zeros_like(crossing)  # within a pixel of a crossing (rounding at the level itself)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            near |= np.roll(np.roll(crossing, dy, axis=0), dx, axis=1)
    assert near[drawn].mean() > 0.99
    assert 0.3 < drawn[crossing].mean() < 0.7  # dashed: about half of each line drawn
    # and elsewhere the training picture: a grey band colour, never the test lines' purple
    assert np.all(np.abs(img[~drawn].astype(int) - img[~drawn].mean(axis=-1, keepdims=True)).max(axis=-1) < 60)
