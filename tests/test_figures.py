"""Figure builders: figures built from real runs on real landscapes, read back trace by trace.

Expected values are derived here from the run arrays and closed-form landscape values, never
from the figure code's own helpers (except ``thin_indices``, which is tested on its own first).
This file: grids, paths and the contour; ``test_figures_views.py``: surface, curves, animation and
table; ``test_figures_contract.py``: payload sizes, palette, isolation, the landscape protocol.
"""

from __future__ import annotations

import base64
import io
import itertools

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

import figures
import landscapes
import optimizers
from figures.paths import envelope_indices, share, thin_indices
from landscapes.base import Window
from optimizers import RunOptions
from tests.figures_support import Bowl, Wild, configs, data_of, live_count, matched_indices, rosen


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


def test_envelope_indices_keep_every_bucket_extreme_and_the_ends():
    assert np.array_equal(envelope_indices(np.ones(9), 10), np.arange(9))
    zigzag = np.where(np.arange(1000) % 2 == 0, 1.0, -1.0) * np.linspace(1.0, 0.1, 1000)  # a step-by-step zig-zag
    idx = envelope_indices(zigzag, 100)
    assert idx[0] == 0 and idx[-1] == 999 and len(idx) <= 102 and np.all(np.diff(idx) > 0)
    kept = zigzag[idx]
    assert (kept > 0).sum() >= 49 and (kept < 0).sum() >= 49  # both sides of the zig-zag drawn, not one alias
    spike = np.zeros(5000)
    spike[2345] = 7.0
    spike[10] = np.nan
    assert 2345 in envelope_indices(spike, 50)  # a one-step spike survives thinning 100:1
    buckets = np.array_split(np.arange(5000), 25)
    assert all(np.intersect1d(envelope_indices(spike, 50), b).size for b in buckets)  # every stretch drawn


def test_runs_share_a_figures_points():
    assert share(3000, 4, 1000) == 750 and share(3000, 12, 1000) == 250
    assert share(3000, 1, 1000) == 1000  # capped per run
    assert share(3000, 100, 1000) == 150  # never fewer than the floor
    assert share(240, 12, 60, 20) == 20 and share(240, 4, 60, 20) == 60


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
    assert click.showlegend is False and 16 * 16 <= len(click.x) <= 40 * 40
    # a click anywhere on a 1000 x 420 px plot area (the race's at 1400 px) is within the figure's hover
    # distance of a marker: half the diagonal of one grid cell, in pixels
    xs, ys = np.unique(np.asarray(click.x, dtype=float)), np.unique(np.asarray(click.y, dtype=float))
    cell_px = (1000 * np.diff(xs).max() / np.ptp(xs), 420 * np.diff(ys).max() / np.ptp(ys))
    assert np.hypot(*cell_px) / 2 <= (fig.layout.hoverdistance or 20)
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
