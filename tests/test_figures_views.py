"""Figure builders, the other views: surface, loss and distance curves, animation, results table.

Expected values come from the run arrays and closed-form landscape values (as in ``test_figures.py``).
"""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from scipy.interpolate import RegularGridInterpolator

import figures
import optimizers
from figures import animation
from figures.paths import thin_indices
from optimizers import RunOptions
from tests.figures_support import Bowl, Plane, configs, data_of, live_count, rosen


# --- surface -------------------------------------------------------------------------------
def test_surface_has_its_own_title_few_ticks_and_a_view_from_above(rosen_race):
    L, result, _ = rosen_race
    fig = figures.surface_figure(L, None, result, ["SGD", "Momentum", "Adam"])
    contour = figures.contour_figure(L, None, result, ["SGD", "Momentum", "Adam"])
    assert fig.layout.title.text != contour.layout.title.text and "3D" in fig.layout.title.text
    assert fig.layout.scene.xaxis.nticks <= 6 and fig.layout.scene.yaxis.nticks <= 6
    eye = fig.layout.scene.camera.eye
    assert eye.z >= 1.0 and eye.z >= 0.6 * np.hypot(eye.x, eye.y)  # looking down into the valleys
    (s,) = data_of(fig, "landscape")
    assert s.opacity < 0.9  # paths behind a ridge show through


def test_surface_paths_float_above_the_surface(rosen_race, well_race):
    for L, result in (rosen_race[:2], well_race):
        fig = figures.surface_figure(L, None, result)
        (s,) = data_of(fig, "landscape")
        assert s.z.shape == (40, 40)  # coarse: the browser draws every vertex in software WebGL
        X, Y = np.meshgrid(s.x.astype(float), s.y.astype(float))
        fx = L.value(np.stack([X, Y], -1))
        if L.log_levels:
            shift = np.median(10.0 ** s.z.astype(float) - fx)  # z = log10(f + shift)
            np.testing.assert_allclose(10.0 ** s.z.astype(float), fx + shift, rtol=1e-4, atol=1e-4)
            assert "log" in fig.layout.scene.zaxis.title.text
        else:
            np.testing.assert_allclose(s.z, fx, rtol=1e-5, atol=1e-5)
        contour_colours = [t.line.color for t in data_of(figures.contour_figure(L, None, result), "path")]
        paths = data_of(fig, "path")
        assert [t.line.color for t in paths] == contour_colours
        xs, ys, zs = s.x.astype(float), s.y.astype(float), s.z.astype(float)
        drawn = RegularGridInterpolator((ys, xs), zs)  # the surface between grid points (bilinear)
        for t in paths:
            x, y, z = (np.asarray(a, dtype=float) for a in (t.x, t.y, t.z))
            ok = np.isfinite(z)
            assert ok.sum() >= 2 and L.window.contains(np.stack([x[ok], y[ok]], -1)).all()
            fp = L.value(np.stack([x[ok], y[ok]], -1))
            at_loss = np.log10(fp + shift) if L.log_levels else fp
            assert np.all(z[ok] > at_loss)  # above the true loss
            assert np.all(z[ok] > drawn(np.stack([y[ok], x[ok]], -1)))  # and above the drawn surface
            i = np.clip(np.searchsorted(xs, x[ok]) - 1, 0, len(xs) - 2)
            j = np.clip(np.searchsorted(ys, y[ok]) - 1, 0, len(ys) - 2)
            corners = np.max([zs[j, i], zs[j, i + 1], zs[j + 1, i], zs[j + 1, i + 1]], axis=0)
            assert np.all(z[ok] <= np.maximum(at_loss, corners) + 0.02 * np.ptp(zs))  # just above, not floating


# --- curves --------------------------------------------------------------------------------
def test_loss_curves_equal_the_losses(rosen_race, diverging):
    result = rosen_race[1]
    fig = figures.loss_figure(result, ["SGD", "Momentum", "Adam"])
    curves = data_of(fig, "curve")
    assert len(curves) == 6 and fig.layout.yaxis.type == "log"
    for r, t in enumerate(curves):
        n = live_count(result, r)
        if n <= 3000 // len(curves):  # six runs share a figure's 3,000 points
            np.testing.assert_array_equal(t.x, result.steps[:n])
        else:  # thinned: first and last kept, and the curve's lowest and highest values
            assert len(t.x) <= 3000 // len(curves) and t.x[0] == result.steps[0] and t.x[-1] == result.steps[n - 1]
            assert t.y.min() == result.losses[r, :n].min() and t.y.max() == result.losses[r, :n].max()
        np.testing.assert_allclose(t.y, result.losses[r, np.searchsorted(result.steps, t.x)])
    result = diverging[1]
    curves = data_of(figures.loss_figure(result), "curve")
    n0 = live_count(result, 0)
    assert n0 == result.status_step[0] + 1 and len(curves[0].y) == n0  # stops where the run stopped
    assert curves[0].name.endswith(f"(diverged at step {result.status_step[0]})")


def test_loss_curves_with_negative_losses_are_shifted_and_say_so():
    L = Bowl(c=-3.0)
    result = optimizers.run(L, configs(("sgd", "GD", dict(lr=0.1))), np.array([[-1.0, 1.0]]), RunOptions(steps=60))
    fig = figures.loss_figure(result)
    (t,) = data_of(fig, "curve")
    assert fig.layout.yaxis.type == "log" and "min" in fig.layout.yaxis.title.text
    shifted = result.losses[0, : live_count(result, 0)] - result.losses.min()
    gap = np.asarray(t.y) - shifted
    assert np.all(np.asarray(t.y) > 0) and np.ptp(gap) < 1e-12 and 0 < gap[0] < 1e-6
    lin = figures.loss_figure(result, log_y=False)
    assert lin.layout.yaxis.type == "linear"
    np.testing.assert_allclose(data_of(lin, "curve")[0].y, result.losses[0, : live_count(result, 0)])


def test_distance_curves_equal_the_distance_to_the_nearest_minimum(well_race):
    L, result = well_race
    fig = figures.distance_figure(result, L)
    curves = data_of(fig, "curve")
    assert len(curves) == 4 and fig.layout.yaxis.type == "log"
    for r, t in enumerate(curves):
        n = live_count(result, r)
        p = result.positions[r, :n]
        d = np.minimum(np.hypot(p[:, 0] - 1, p[:, 1]), np.hypot(p[:, 0] + 1, p[:, 1]))
        np.testing.assert_allclose(t.y, np.maximum(d, 1e-16), rtol=1e-12)


def test_distance_figure_without_known_minima_says_so():
    L = Plane()
    result = optimizers.run(L, configs(("sgd", "GD", dict(lr=0.01))), np.array([[0.0, 0.0]]), RunOptions(steps=5))
    fig = figures.distance_figure(result, L)
    assert len(fig.data) == 0
    assert "no known minimum" in fig.layout.annotations[0].text


# --- animation -----------------------------------------------------------------------------
def test_animation_frames_grow_the_paths(rosen_race):
    L, result, _ = rosen_race
    fig = figures.animation_figure(L, None, result, max_frames=25, max_points=120)
    frames = fig.frames
    assert 2 <= len(frames) <= 25
    assert len(fig.layout.sliders[0].steps) == len(frames)
    assert [s.label for s in fig.layout.sliders[0].steps] == [f.name for f in frames]
    roles = [t.meta["role"] if isinstance(t.meta, dict) else None for t in fig.data]
    path_ids = [i for i, r in enumerate(roles) if r == "path"]
    head_ids = [i for i, r in enumerate(roles) if r == "head"]
    assert len(path_ids) == len(head_ids) == 6
    for fr in frames:
        assert list(fr.traces) == path_ids + head_ids  # the contour is never resent
        assert len(fr.data) == 12 and all(d.type == "scatter" for d in fr.data)
    last = frames[-1]
    for r in range(6):
        n = live_count(result, r)
        expected = result.positions[r, :n][thin_indices(n, 120)]
        got = np.column_stack([last.data[r].x, last.data[r].y])
        np.testing.assert_allclose(got, expected, rtol=1e-6)
        np.testing.assert_allclose([last.data[6 + r].x[0], last.data[6 + r].y[0]], expected[-1], rtol=1e-6)
        for fr in frames[:-1]:  # every frame shows a prefix of the path, ending at its head
            pts = np.column_stack([fr.data[r].x, fr.data[r].y])
            head = np.array([fr.data[6 + r].x[0], fr.data[6 + r].y[0]])
            np.testing.assert_allclose(pts[:-1], got[: len(pts) - 1], rtol=1e-6)
            np.testing.assert_allclose(pts[-1], head, rtol=1e-6)
    first = frames[0]
    for r in range(6):
        assert len(first.data[r].x) == 1  # the start
    buttons = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert any("Play" in b for b in buttons) and any("Pause" in b for b in buttons)
    # frames move only the scatter traces (redraw=False); plotly.js would drop a contour trace
    # then (seen in Chromium), so the landscape is a layout image and there is no contour trace
    assert fig.layout.updatemenus[0].buttons[0].args[1]["frame"]["redraw"] is False
    assert all(s.args[1]["frame"]["redraw"] is False for s in fig.layout.sliders[0].steps)
    assert not any(t.type == "contour" for t in fig.data)


def test_animation_landscape_image_shows_the_loss_bands(rosen_race):
    L, result, _ = rosen_race
    fig = figures.animation_figure(L, None, result, max_frames=5, image_px=201)
    (img,) = fig.layout.images
    assert (img.xref, img.yref, img.x, img.y, img.sizex, img.sizey) == ("x", "y", -2.0, 3.0, 4.0, 4.0)
    assert img.layer == "below" and img.sizing == "stretch"
    prefix = "data:image/png;base64,"
    assert img.source.startswith(prefix)
    pic = np.asarray(Image.open(io.BytesIO(base64.b64decode(img.source[len(prefix) :]))).convert("L"), dtype=float)
    assert pic.shape == (201, 201)
    # pixel (row i from the top, column j) shows (x_j, y_i): y runs from 3 down to -1
    loss = rosen(*np.meshgrid(np.linspace(-2, 2, 201), np.linspace(3, -1, 201)))
    grey = [pic[(loss >= lo) & (loss < hi)].mean() for lo, hi in ((0, 1), (1, 10), (10, 100), (100, 1e3), (1e3, 1e4))]
    assert grey[0] > grey[-1] + 30  # light near the minimum, dark on the walls
    assert grey[1] > grey[2] > grey[3] > grey[4]  # darker with every decade of loss
    assert pic[200, 0] < grey[0] - 30  # (-2, -1): loss 2509
    (bar,) = data_of(fig, "landscape")
    assert bar.marker.showscale and bar.marker.colorbar.title.text == "loss (log scale)"


def test_animation_still_for_pictures_shows_the_final_frame(rosen_race, monkeypatch):
    L, result, _ = rosen_race
    fig = figures.animation_figure(L, None, result, max_frames=5)
    still = animation.final_still(fig)
    assert not still.frames and not still.layout.updatemenus  # no buttons over the slider in a picture
    (slider,) = still.layout.sliders
    assert slider.active == len(fig.frames) - 1 and slider.steps[slider.active].label == fig.frames[-1].name
    paths = data_of(still, "path")
    for r, t in enumerate(paths):  # each path drawn in full: from its start to the run's last live point
        end = result.positions[r, live_count(result, r) - 1]
        np.testing.assert_allclose([t.x[0], t.y[0]], result.positions[r, 0], rtol=1e-6)
        np.testing.assert_allclose([t.x[-1], t.y[-1]], end, rtol=1e-6)
    assert all(len(t.x) == 1 for t in data_of(fig, "path"))  # the page's figure still opens on step 0
    # PNG and SVG exports picture the still; a figure without frames is exported as it is
    from export import static

    seen = []
    monkeypatch.setattr(static, "ensure_browser", lambda: None)
    monkeypatch.setattr(static.pio, "to_image", lambda f, **kw: seen.append(f) or b"")
    static.figure_to_png(fig)
    static.figure_to_svg(fig)
    assert all(not f.frames and len(data_of(f, "path")[0].x) > 1 for f in seen) and len(seen) == 2
    plain = figures.contour_figure(L, None, result)
    static.figure_to_svg(plain)
    assert seen[-1] is plain


def test_presentation_style_is_larger():
    small, big = figures.FigureStyle(), figures.FigureStyle(presentation=True)
    assert big.font_size >= 20 > small.font_size and big.line_width >= 2 * small.line_width
    assert big.marker_size > small.marker_size and small.template == "plotly_white"
    bowl = Bowl()
    result = optimizers.run(bowl, configs(("sgd", "GD", dict(lr=0.1))), np.array([[-1.0, 1.0]]), RunOptions(steps=20))
    a = figures.animation_figure(bowl, None, result, style=small)
    b = figures.animation_figure(bowl, None, result, style=big)
    assert b.layout.sliders[0].font.size > a.layout.sliders[0].font.size
    assert b.layout.updatemenus[0].font.size > a.layout.updatemenus[0].font.size
    c = figures.contour_figure(bowl, None, result, style=big)
    assert c.layout.font.size == big.font_size and data_of(c, "path")[0].line.width == big.line_width


# --- table ---------------------------------------------------------------------------------
def test_table_reports_divergence_and_styler_highlights_it(diverging):
    L, result = diverging
    df = figures.results_table(result, None, L)
    assert list(df.columns[:4]) == ["colour", "run", "optimizer", "start"]
    k = int(result.status_step[0])
    assert df.loc[0, "status"] == f"diverged at step {k}" and df.loc[0, "run"] == "SGD lr=1"
    assert df.loc[1, "status"] == "still moving" and df.loc[1, "optimizer"] == "Adam"
    assert df.loc[0, "start"] == "(-1.5, 2)"
    assert pd.isna(df.loc[0, "steps to tolerance"])
    assert df.loc[0, "grad evaluations"] == result.evals[0, 1]
    np.testing.assert_allclose(df["final loss"], rosen(df["final x"], df["final y"]))
    rows = re.findall(r"<tr([^>]*)>", figures.results_html(df).split("<tbody>")[1])
    assert [i for i, attrs in enumerate(rows) if "background-color" in attrs] == [0]


def test_table_reports_convergence_and_steps_to_tolerance():
    L = Bowl()
    result = optimizers.run(
        L, configs(("sgd", "GD", dict(lr=0.2))), np.array([[-1.0, 1.0]]), RunOptions(steps=400, tol=1e-3)
    )
    df = figures.results_table(result, ["plain GD"], L)
    d = np.hypot(result.positions[0, :, 0] - 1, result.positions[0, :, 1] + 0.5)
    first = int(result.steps[np.argmax(d <= 1e-3)])
    assert df.loc[0, "status"] == f"reached the minimum at step {first}" and df.loc[0, "run"] == "plain GD"
    assert df.loc[0, "steps to tolerance"] == first
    assert df.loc[0, "distance to minimum"] == pytest.approx(d[-1])
    assert "background-color" not in figures.results_html(df)
