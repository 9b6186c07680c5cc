"""The Network lab's plane surface drawn on the server (figures.network.plane_layer)."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from figures.network import PLANE_LEVELS, plane_figure
from figures.style import FigureStyle


def _pixels(source: str) -> np.ndarray:
    png = base64.b64decode(source.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)


def test_plane_is_a_banded_picture_of_log_loss_over_the_axes_with_the_paths_on_top():
    a, b = np.linspace(-1.0, 2.0, 13), np.linspace(-3.0, 1.0, 9)
    z = 10.0 ** (a[None, :] + 0.0 * b[:, None])  # log10 loss = a: rising to the right, the same on every row
    z[0, 0] = np.inf  # a diverged point must not break the picture
    coords = np.zeros((2, 4, 2))
    coords[1, :, 0] = [0.0, 0.5, 1.0, 1.5]
    fig = plane_figure(a, b, [("train", z)], coords, ("A", "B"), "t", FigureStyle(), ("d1", "d2")).to_plotly_json()
    assert not any(t.get("type") in ("contour", "heatmap") for t in fig["data"])
    (image,) = fig["layout"]["images"]
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (-1.0, 1.0, 3.0, 4.0)
    assert image["layer"] == "below"
    bar = next(t for t in fig["data"] if t.get("marker", {}).get("showscale"))
    assert (bar["marker"]["cmin"], bar["marker"]["cmax"]) == (-1.0, 2.0)  # log10 of the smallest and largest loss
    img = _pixels(image["source"])
    middle = img[img.shape[0] // 2]
    # higher loss is darker, in PLANE_LEVELS bands (plus the lines between them)
    assert middle[0] > middle[-1] + 100
    assert np.all(np.diff(middle[middle > 0]) <= 40)
    assert PLANE_LEVELS - 2 <= len(np.unique(middle)) <= 2 * PLANE_LEVELS + 2
    rows = img[: -img.shape[0] // 8]  # every row the same away from the infinite corner (the grid's last cell)
    assert np.array_equal(rows, np.broadcast_to(rows[0], rows.shape))
    assert img[-1, 0] < img[0, 0] - 100  # infinite loss drawn as the darkest, not as a gap or the lowest
    paths = {t["name"]: t for t in fig["data"] if t.get("mode") == "lines"}
    assert list(paths) == ["A", "B"]


def test_train_and_test_surfaces_share_one_chart_and_one_colour_scale():
    a, b = np.linspace(0.0, 1.0, 5), np.linspace(0.0, 1.0, 5)
    train, test = np.full((5, 5), 0.01), np.full((5, 5), 100.0)  # log10: -2 and 2
    coords = np.zeros((1, 3, 2))
    fig = plane_figure(a, b, [("train", train), ("test", test)], coords, ("A",), "t", FigureStyle()).to_plotly_json()
    bar = next(t for t in fig["data"] if t.get("marker", {}).get("showscale"))
    assert (bar["marker"]["cmin"], bar["marker"]["cmax"]) == (-2.0, 2.0)
    left, right = fig["layout"]["images"]
    assert (left["xref"], right["xref"]) == ("x", "x2")
    assert _pixels(left["source"]).mean() > _pixels(right["source"]).mean() + 100  # the lower loss lighter
    paths = [t for t in fig["data"] if t.get("mode") == "lines"]
    assert [t.get("xaxis", "x") for t in paths] == ["x", "x2"] and [t["showlegend"] for t in paths] == [True, False]
