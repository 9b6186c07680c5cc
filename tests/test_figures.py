"""Figure builders: figures built from real runs on real landscapes, read back trace by trace.

Expected values are derived here from the run arrays and closed-form landscape values, never
from the figure code's own helpers (except ``thin_indices``, which is tested on its own first).
"""

from __future__ import annotations

import base64
import io
import itertools
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image
from scipy.interpolate import RegularGridInterpolator

import figures
import landscapes
import optimizers
from figures import animation
from figures.paths import thin_indices
from landscapes.base import CriticalPoint, Landscape, Window, hessian_from, stack
from landscapes.protocol import LandscapeLike
from optimizers import RunConfig, RunOptions, Status

ROOT = Path(__file__).resolve().parent.parent


# --- small landscapes with closed forms (in case the registry has no quadratic yet) ------------
@dataclass(frozen=True)
class Bowl(Landscape):
    """f = (x - 1)^2 + 2 (y + 0.5)^2 + c: one minimum at (1, -0.5), linear contour levels."""

    c: float = 0.0
    key = "test-bowl"
    title = "Bowl"
    default_window = Window(-2.0, 2.0, -2.0, 2.0)

    def value(self, p):
        x, y = p[..., 0], p[..., 1]
        return (x - 1.0) ** 2 + 2.0 * (y + 0.5) ** 2 + self.c

    def grad(self, p):
        x, y = p[..., 0], p[..., 1]
        return stack(2.0 * (x - 1.0), 4.0 * (y + 0.5))

    def hessian(self, p):
        x = p[..., 0]
        return hessian_from(np.full_like(x, 2.0), np.zeros_like(x), np.full_like(x, 4.0))

    def minima(self):
        return (CriticalPoint(1.0, -0.5, self.c),)


@dataclass(frozen=True)
class DoubleWell(Landscape):
    """f = (x^2 - 1)^2 + y^2: minima (+-1, 0), saddle (0, 0)."""

    key = "test-double-well"
    title = "Double well"
    default_window = Window(-2.0, 2.0, -1.5, 1.5)

    def value(self, p):
        x, y = p[..., 0], p[..., 1]
        return (x * x - 1.0) ** 2 + y * y

    def grad(self, p):
        x, y = p[..., 0], p[..., 1]
        return stack(4.0 * x * (x * x - 1.0), 2.0 * y)

    def hessian(self, p):
        x = p[..., 0]
        return hessian_from(12.0 * x * x - 4.0, np.zeros_like(x), np.full_like(x, 2.0))

    def minima(self):
        return (CriticalPoint(-1.0, 0.0, 0.0), CriticalPoint(1.0, 0.0, 0.0))

    def saddles(self):
        return (CriticalPoint(0.0, 0.0, 1.0),)


@dataclass(frozen=True)
class Plane(Landscape):
    """f = x + y: no minimum at all."""

    key = "test-plane"
    title = "Plane"

    def value(self, p):
        return p[..., 0] + p[..., 1]

    def grad(self, p):
        return np.ones_like(p)

    def hessian(self, p):
        return np.zeros((*p.shape, 2))


@dataclass(frozen=True)
class Wild(Bowl):
    """A bowl that is infinite or undefined on part of the plane."""

    def value(self, p):
        v = super().value(p)
        return np.where(p[..., 0] > 1.5, np.inf, np.where(p[..., 1] > 1.5, np.nan, v))


def rosen(x, y, a=1.0, b=100.0):
    return (a - x) ** 2 + b * (y - x * x) ** 2


def configs(*specs):
    return [RunConfig(optimizers.make(kind, **hp), label=label) for kind, label, hp in specs]


def data_of(fig, role):
    return [t for t in fig.data if isinstance(t.meta, dict) and t.meta.get("role") == role]


def live_count(result, r):
    """Recorded points up to and including the step where run r stopped (record_every = 1)."""
    return int(np.sum(result.steps <= result.status_step[r]))


def matched_indices(points, path):
    """Index into ``path (K, 2)`` of each of ``points (n, 2)`` (float32 tolerance); -1 if none."""
    out = []
    for p in points:
        hit = np.flatnonzero(np.all(np.isclose(path, p, rtol=1e-6, atol=1e-6), axis=1))
        out.append(int(hit[0]) if hit.size else -1)
    return np.array(out)


# --- shared runs ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rosen_race():
    L = landscapes.get("rosenbrock")
    cfgs = configs(
        ("sgd", "SGD", dict(lr=1e-3)),
        ("momentum", "Momentum", dict(lr=1e-3, momentum=0.9)),
        ("adam", "Adam", dict(lr=5e-2)),
    )
    starts = np.array([[-1.5, 2.0], [0.5, 2.5]])
    result = optimizers.run(L, cfgs, starts, RunOptions(steps=600))
    return L, result, starts


@pytest.fixture(scope="module")
def diverging():
    L = landscapes.get("rosenbrock")
    cfgs = configs(("sgd", "SGD lr=1", dict(lr=1.0)), ("adam", "Adam", dict(lr=5e-2)))
    result = optimizers.run(L, cfgs, np.array([[-1.5, 2.0]]), RunOptions(steps=300))
    assert result.status[0] == Status.DIVERGED  # the premise of the tests below
    return L, result


@pytest.fixture(scope="module")
def well_race():
    L = DoubleWell()
    cfgs = configs(("sgd", "GD", dict(lr=0.05)), ("adam", "Adam", dict(lr=0.1)))
    result = optimizers.run(L, cfgs, np.array([[-0.3, 1.2], [1.8, -1.0]]), RunOptions(steps=200))
    return L, result


# --- paths and grids -----------------------------------------------------------------------
def test_thin_indices_keeps_ends_and_spreads_evenly():
    idx = thin_indices(1001, 101)
    assert idx[0] == 0 and idx[-1] == 1000 and len(idx) == 101
    assert np.all(np.diff(idx) == 10)
    assert np.array_equal(thin_indices(7, 400), np.arange(7))
    for k, m in [(2, 2), (500, 400), (401, 400), (12345, 77)]:
        idx = thin_indices(k, m)
        assert idx[0] == 0 and idx[-1] == k - 1 and len(idx) <= m and np.all(np.diff(idx) > 0)
        gaps = np.diff(idx)
        assert gaps.max() - gaps.min() <= 1  # even spacing
    path = np.arange(20.0).reshape(10, 2)
    assert np.array_equal(figures.thin_path(path, 4)[[0, -1]], path[[0, -1]])


def test_evaluate_grid_matches_the_formula_in_float32():
    L = landscapes.get("rosenbrock")
    g = figures.evaluate_grid(L, Window(-2, 2, -1, 3), 31)
    assert g.z.shape == (31, 31) and g.z.dtype == np.float32 and g.xs.shape == (31,)
    X, Y = np.meshgrid(np.linspace(-2, 2, 31), np.linspace(-1, 3, 31))
    np.testing.assert_allclose(g.z, rosen(X, Y), rtol=1e-6)


def test_evaluate_grid_clips_non_finite_values_without_warnings():
    g = figures.evaluate_grid(Wild(), None, 21)  # pytest turns RuntimeWarnings into errors
    assert np.all(np.isfinite(g.z))
    assert g.z[:, g.xs > 1.5].min() > 1e30  # +inf becomes a huge finite value


def test_log_levels_are_geometric_above_the_minimum_and_linear_levels_even():
    z = figures.evaluate_grid(landscapes.get("rosenbrock"), None, 60).z
    lv = figures.contour_levels(z, True, 20, zmin=0.0)
    above = lv.loss_levels() - 0.0 + lv.delta
    ratios = above[1:] / above[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)
    assert ratios[0] > 1.5 and len(above) == 21
    assert above[-1] == pytest.approx(float(z.max()) + lv.delta, rel=1e-6)
    lin = figures.contour_levels(z, False, 20).loss_levels()
    np.testing.assert_allclose(np.diff(lin), np.diff(lin)[0])
    assert lin[0] == pytest.approx(float(z.min())) and lin[-1] == pytest.approx(float(z.max()), rel=1e-6)


# --- contour -------------------------------------------------------------------------------
def test_contour_paths_equal_the_runs_thinned(rosen_race):
    L, result, starts = rosen_race
    fig = figures.contour_figure(L, None, result, ["SGD", "Momentum", "Adam"])
    paths = data_of(fig, "path")
    assert len(paths) == len(result.status) == 6
    assert [t.name for t in paths] == ["SGD #1", "SGD #2", "Momentum #1", "Momentum #2", "Adam #1", "Adam #2"]
    for r, t in enumerate(paths):
        pts = np.column_stack([t.x, t.y])
        n = live_count(result, r)
        full = result.positions[r, :n]
        assert 2 <= len(pts) <= 400
        np.testing.assert_allclose(pts[0], starts[result.start_index[r]], rtol=1e-6)
        np.testing.assert_allclose(pts[-1], full[-1], rtol=1e-6)
        idx = matched_indices(pts, full)
        assert np.all(idx >= 0) and np.all(np.diff(idx) > 0)  # real points, in order
        if n > 400:
            assert np.diff(idx).max() - np.diff(idx).min() <= 1  # evenly thinned


def test_contour_colours_by_config_and_dashes_by_start(rosen_race):
    L, result, _ = rosen_race
    paths = data_of(figures.contour_figure(L, None, result), "path")
    colour = {}
    for r, t in enumerate(paths):
        colour.setdefault(int(result.config_index[r]), set()).add(t.line.color)
    assert all(len(c) == 1 for c in colour.values())  # one colour per config for all its starts
    assert len({next(iter(c)) for c in colour.values()}) == 3  # distinct across configs
    for c in range(3):
        dashes = {t.line.dash for r, t in enumerate(paths) if result.config_index[r] == c}
        assert len(dashes) == 2


def test_contour_marks_minima_starts_axes_and_title(rosen_race):
    L, result, starts = rosen_race
    fig = figures.contour_figure(L, None, result, ["SGD", "Momentum", "Adam"])
    (mins,) = data_of(fig, "minimum")
    assert list(mins.x) == [1.0] and list(mins.y) == [1.0] and mins.marker.symbol == "star"
    (st,) = data_of(fig, "start")
    np.testing.assert_allclose(np.column_stack([st.x, st.y]), starts)
    assert fig.layout.yaxis.scaleanchor == "x"
    assert tuple(fig.layout.xaxis.range) == (-2.0, 2.0) and tuple(fig.layout.yaxis.range) == (-1.0, 3.0)
    assert fig.layout.xaxis.title.text == "x" and fig.layout.yaxis.title.text == "y"
    title = fig.layout.title.text
    assert "Rosenbrock" in title and all(name in title for name in ("SGD", "Momentum", "Adam"))


def landscape_picture(fig: go.Figure) -> np.ndarray:
    """The figure's landscape image (a layout image under the plot) as greys ``(H, W)``."""
    (img,) = [i for i in fig.layout.images if i.name == "landscape"]
    assert img.layer == "below" and img.xref == "x" and img.yref == "y" and img.sizing == "stretch"
    prefix = "data:image/png;base64,"
    assert img.source.startswith(prefix)
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(img.source[len(prefix) :]))).convert("L"), dtype=float)


def bands(pic: np.ndarray, loss: np.ndarray) -> list[tuple[float, float, float]]:
    """``(lowest loss, highest loss, grey)`` of each colour band of ``pic`` (pixels away from level
    lines), in order of loss."""
    inner = np.zeros(pic.shape, dtype=bool)
    inner[1:-1, 1:-1] = (
        (pic[1:-1, 1:-1] == pic[:-2, 1:-1])
        & (pic[1:-1, 1:-1] == pic[2:, 1:-1])
        & (pic[1:-1, 1:-1] == pic[1:-1, :-2])
        & (pic[1:-1, 1:-1] == pic[1:-1, 2:])
    )
    out = [(loss[inner & (pic == g)].min(), loss[inner & (pic == g)].max(), g) for g in np.unique(pic[inner])]
    return sorted(out)


def test_rosenbrock_contour_colours_log_loss_and_bowl_colours_loss(rosen_race):
    L, result, _ = rosen_race
    fig = figures.contour_figure(L, None, result)
    assert not any(t.type == "contour" for t in fig.data)  # drawn on the server: no contouring in the browser
    pic = landscape_picture(fig)
    n = pic.shape[0]
    assert pic.shape == (n, n) and n >= 300
    # pixel (row i from the top, column j) shows (x_j, y_i) of the window [-2, 2] x [-1, 3]
    loss = rosen(*np.meshgrid(np.linspace(-2, 2, n), np.linspace(3, -1, n)))
    found = bands(pic, loss)
    assert len(found) >= 10
    for (_, hi0, g0), (lo1, _, g1) in itertools.pairwise(found):
        assert hi0 <= lo1 * (1 + 1e-6) + 1e-9 and g1 < g0  # bands do not overlap and darken with the loss
    # log levels: band widths grow geometrically (the widest spans thousands, the narrowest < 1)
    widths = [hi - lo for lo, hi, _ in found[1:-1]]
    assert max(widths) > 1e3 * min(widths)
    # colourbar ticks read in loss units: the tick labelled v sits where log10(v - min + delta) is
    (bar,) = data_of(fig, "landscape")
    cb = bar.marker.colorbar
    assert bar.marker.showscale and cb.title.text == "loss (log scale)"
    t = np.asarray(cb.tickvals, dtype=float)
    np.testing.assert_allclose(10.0**t - 10.0 ** t[0], [float(v) for v in cb.ticktext], rtol=1e-6)
    assert bar.marker.cmin == pytest.approx(t[0]) and 10**bar.marker.cmax - 10 ** t[0] == pytest.approx(loss.max())

    bowl = Bowl()
    fig = figures.contour_figure(bowl)
    pic = landscape_picture(fig)
    n = pic.shape[0]
    X, Y = np.meshgrid(np.linspace(-2, 2, n), np.linspace(2, -2, n))
    loss = (X - 1) ** 2 + 2 * (Y + 0.5) ** 2
    found = bands(pic, loss)
    step = (loss.max() - loss.min()) / 30  # linear levels: 30 equal bands of loss
    edges = [(hi0 + lo1) / 2 for (_, hi0, _), (lo1, _, _) in itertools.pairwise(found)]
    assert len(found) >= 20
    np.testing.assert_allclose(np.diff(edges), step, rtol=0.25)  # within a pixel's change of loss
    (bar,) = data_of(fig, "landscape")
    assert bar.marker.colorbar.title.text == "loss"
    assert (bar.marker.cmin, bar.marker.cmax) == pytest.approx((0.0, loss.max()), rel=1e-4)  # from the minimum, 0


def test_contour_marks_saddles_and_click_grid(well_race):
    L, result = well_race
    fig = figures.contour_figure(L, None, result)
    (mins,) = data_of(fig, "minimum")
    assert sorted(zip(mins.x, mins.y, strict=True)) == [(-1.0, 0.0), (1.0, 0.0)]
    (sad,) = data_of(fig, "saddle")
    assert (sad.x[0], sad.y[0]) == (0.0, 0.0) and "saddle" in sad.text[0]
    i = figures.click_trace_index(fig)
    assert i == len(fig.data) - 1  # on top, so clicks land on it
    click = fig.data[i]
    assert click.name == figures.CLICK_TRACE and click.marker.opacity == 0 and click.marker.size <= 6
    assert click.showlegend is False and 20 * 20 <= len(click.x) <= 40 * 40  # a marker at most 20 px apart
    # its hover reads the loss under the pointer (Plotly hovers the nearest invisible marker)
    xy = np.column_stack([click.x, click.y]).astype(float)
    np.testing.assert_allclose(click.customdata, (xy[:, 0] ** 2 - 1) ** 2 + xy[:, 1] ** 2, rtol=1e-5, atol=1e-6)
    assert "customdata" in click.hovertemplate and "click" in click.hovertemplate
    assert click.x.min() == -2.0 and click.x.max() == 2.0 and click.y.min() == -1.5 and click.y.max() == 1.5
    assert figures.click_trace_index(figures.contour_figure(L, None, result, clickable=False)) is None


def test_many_runs_get_a_compact_legend_a_fixed_plot_area_and_a_short_title(rosen_race):
    L, result, _ = rosen_race  # 3 settings x 2 starts
    fig = figures.contour_figure(L, None, result, ["SGD", "Momentum", "Adam"])
    shown = [t.name for t in fig.data if t.showlegend is not False]
    # one entry per setting (its colour) and one per start (its dash), not one per run
    assert [n for n in shown if n in ("SGD", "Momentum", "Adam")] == ["SGD", "Momentum", "Adam"]
    assert [n for n in shown if n.startswith("start ")] == ["start 1", "start 2"]
    assert not [n for n in shown if "#" in n] and len(shown) <= 3 + 2 + 2  # + the minimum and start marks
    entries = {t.name: t for t in data_of(fig, "legend")}
    for r, path in enumerate(data_of(fig, "path")):  # a setting's entry shows and hides its paths from every start
        c, s = int(result.config_index[r]), int(result.start_index[r])
        assert path.legendgroup == entries[["SGD", "Momentum", "Adam"][c]].legendgroup
        assert path.line.color == entries[["SGD", "Momentum", "Adam"][c]].line.color
        assert path.line.dash == entries[f"start {s + 1}"].line.dash
    # the plot area keeps its height however many entries the legend has; the figure grows instead
    twelve = optimizers.run(
        L,
        configs(*[("sgd", f"SGD {i}", dict(lr=1e-4 * (i + 1))) for i in range(12)]),
        result.positions[:1, 0],
        RunOptions(steps=5),
    )
    one = optimizers.run(L, configs(("sgd", "SGD", dict(lr=1e-3))), result.positions[:1, 0], RunOptions(steps=5))
    plot_h = []
    for res in (one, twelve):
        f = figures.contour_figure(L, None, res)
        plot_h.append(f.layout.height - f.layout.margin.t - f.layout.margin.b)
        assert f.layout.margin.b >= 40 + 18 * -(-sum(t.showlegend is not False for t in f.data) // 3)
        assert len(f.layout.title.text) <= 60, f.layout.title.text  # never cut on a 390 px phone at 14 px
    assert (
        plot_h[0] == plot_h[1]
        and figures.contour_figure(L, None, twelve).layout.height > figures.contour_figure(L, None, one).layout.height
    )
    assert figures.contour_figure(L, None, twelve).layout.title.text == "Rosenbrock: SGD 0, SGD 1, SGD 2 and 9 more"


def test_diverged_run_ends_with_an_x_and_says_when(diverging):
    L, result = diverging
    k = int(result.status_step[0])
    fig = figures.contour_figure(L, None, result)
    path = data_of(fig, "path")[0]
    assert path.name == f"SGD lr=1 (diverged at step {k})"
    assert data_of(fig, "path")[1].name == "Adam"
    end = next(t for t in data_of(fig, "end") if t.meta["run"] == 0)
    assert end.marker.symbol == "x"
    p = np.array([end.x[0], end.y[0]], dtype=float)
    assert L.window.contains(p[None])[0]  # visible, even when the last finite point is far off
    # it lies on the path's last segment that leaves the window
    pts = result.positions[0, : live_count(result, 0)]
    inside = L.window.contains(pts)
    if not inside[-1]:
        j = int(np.flatnonzero(inside)[-1])
        a, b = pts[j], pts[j + 1]
        t = np.dot(p - a, b - a) / np.dot(b - a, b - a)
        np.testing.assert_allclose(a + t * (b - a), p, atol=1e-5)
        assert 0 <= t <= 1 and np.isclose([p[0] - 2, p[0] + 2, p[1] + 1, p[1] - 3], 0, atol=1e-5).any()


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
        np.testing.assert_array_equal(t.x, result.steps[:n])
        np.testing.assert_allclose(t.y, result.losses[r, :n])
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


# --- size, palette, isolation --------------------------------------------------------------
def test_default_scene_payload_is_small():
    """Rosenbrock, 4 runs x 500 steps (the default scene): all four figures well under 500 KB."""
    L = landscapes.get("rosenbrock")
    cfgs = configs(
        ("sgd", "", dict(lr=1e-3)),
        ("momentum", "", dict(lr=1e-3, momentum=0.9)),
        ("rmsprop", "", dict(lr=1e-2)),
        ("adam", "", dict(lr=5e-2)),
    )
    result = optimizers.run(L, cfgs, np.array([[-1.5, 2.0]]), RunOptions(steps=500))
    figs = [
        figures.contour_figure(L, None, result),
        figures.surface_figure(L, None, result),
        figures.loss_figure(result),
        figures.distance_figure(result, L),
    ]
    sizes = [len(f.to_json()) for f in figs]
    assert sum(sizes) < 450_000, sizes
    assert all(isinstance(f, go.Figure) for f in figs)


def test_animation_payload_is_bounded():
    L = landscapes.get("rosenbrock")
    kinds = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "amsgrad", "nadam"]
    cfgs = configs(*[(k, "", dict(lr=1e-3 if k in ("sgd", "momentum", "nesterov") else 1e-2)) for k in kinds])
    result = optimizers.run(L, cfgs, np.array([[-1.5, 2.0]]), RunOptions(steps=2000))
    fig = figures.animation_figure(L, None, result, max_frames=60)
    assert len(fig.frames) <= 60
    assert len(fig.to_json()) < 1_500_000


def test_run_colors_are_distinct_and_colour_blind_safe_first():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert set(figures.run_colors(8)) == okabe_ito
    assert len(set(figures.run_colors(17))) == 17 and len(figures.run_colors(20)) == 20


def test_figures_never_import_streamlit():
    for path in (ROOT / "figures").glob("*.py"):
        assert "streamlit" not in path.read_text(), path
    code = "import sys, figures; assert 'streamlit' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# --- the landscape contract --------------------------------------------------------------------
PROTOCOL_MEMBERS = frozenset(n for n in vars(LandscapeLike) if not n.startswith("_"))


class OnlyTheProtocol:
    """A landscape seen through ``LandscapeLike`` alone: any other attribute is missing."""

    def __init__(self, inner: Landscape) -> None:
        self._inner = inner

    def __getattr__(self, name: str):
        if name in PROTOCOL_MEMBERS:
            return getattr(self._inner, name)
        raise AttributeError(name)


@pytest.mark.parametrize("name", ["himmelblau", "saddle"])  # with minima; with a saddle and none
def test_the_runner_and_figures_need_only_the_landscape_protocol(name):
    full = landscapes.get(name)
    bare = OnlyTheProtocol(full)
    assert isinstance(bare, LandscapeLike) and not hasattr(bare, "minima_array")
    cfgs = configs(("sgd", "GD", dict(lr=0.02)), ("newton", "Newton", dict()))
    starts = np.array([[0.3, 0.4], [-1.0, 1.5]])
    got, want = (optimizers.run(L, cfgs, starts, RunOptions(steps=60)) for L in (bare, full))
    for field in ("positions", "losses", "status", "status_step", "hit_step", "nearest_minimum", "distance", "evals"):
        np.testing.assert_array_equal(getattr(got, field), getattr(want, field), err_msg=field)
    grid = figures.evaluate_grid(full, None, 40)
    built = {
        "contour": lambda L: figures.contour_figure(L, grid, want),
        "surface": lambda L: figures.surface_figure(L, grid, want),
        "animation": lambda L: figures.animation_figure(L, grid, want),
        "distance": lambda L: figures.distance_figure(want, L),
    }
    for what, build in built.items():
        assert build(bare).to_json() == build(full).to_json(), what
    table_bare, table_full = (figures.results_table(want, landscape=L) for L in (bare, full))
    pd.testing.assert_frame_equal(table_bare, table_full)
