"""Plain words and one colour per optimizer kind (issue 12): statuses, "—", swatches, titles."""

from __future__ import annotations

import re

import numpy as np

import figures
import landscapes
import optimizers
from figures.style import KIND_COLORS, OKABE_ITO, TOL_MUTED, TOL_VIBRANT, kind_colors
from figures.table import results_html, results_table
from optimizers import RunConfig, RunOptions


def race(landscape: str, runs, start=(-1.0, 1.0), steps=200, **options):
    L = landscapes.get(landscape)
    configs = [RunConfig(optimizers.make(k, **hp)) for k, hp in runs]
    return L, optimizers.run(L, configs, np.array([start]), RunOptions(steps=steps, **options))


def test_statuses_in_plain_words():
    # quadratic bowl, minimum (0, 0): GD with lr 0.1 contracts by a known factor each step
    L, res = race("quadratic", [("sgd", {"lr": 0.1}), ("sgd", {"lr": 1e-4}), ("sgd", {"lr": 50.0})], tol=1e-3)
    d = np.hypot(*res.positions[0].T)
    first = int(np.argmax(d <= 1e-3))
    table = results_table(res, None, L)
    assert list(table["status"]) == [
        f"reached the minimum at step {first}",
        "still moving",
        f"diverged at step {int(res.status_step[2])}",
    ]
    # started on the saddle's ridge line, plain GD slides into the saddle and rests there
    L, res = race("saddle", [("sgd", {"lr": 0.1})], start=(1.0, 0.0), steps=400)
    assert figures.status_text(res, 0, L) == "stuck (saddle or plateau)"


def test_missing_values_read_as_a_dash_and_each_row_has_its_colour_swatch():
    L, res = race("quadratic", [("sgd", {"lr": 1e-4}), ("adam", {"lr": 0.05})], steps=50)
    html = results_html(results_table(res, None, L))
    assert "—" in html and not re.search(r">\s*(None|nan|NaN|&lt;NA&gt;)\s*<", html)
    swatches = re.findall(r"<tr[^>]*><td style=\"color: (#[0-9A-Fa-f]{6})\">■■</td>", html)  # each row's first cell
    assert swatches == [KIND_COLORS["sgd"], KIND_COLORS["adam"]]


def test_optimizer_column_shows_titles_never_keys():
    avg = optimizers.make("polyak", inner={"kind": "momentum"}, start=10)
    L = landscapes.get("quadratic")
    configs = [RunConfig(avg), RunConfig(optimizers.make("cg"))]
    res = optimizers.run(L, configs, np.array([[-1.0, 1.0]]), RunOptions(steps=20))
    table = results_table(res, None, L)
    assert list(table["optimizer"]) == ["Momentum (averaged)", "Conjugate gradient"]
    assert list(table["run"]) == ["Momentum (averaged)", "Conjugate gradient"]


def test_one_colour_per_kind_in_every_scene_and_shades_for_repeats():
    assert set(KIND_COLORS) == set(optimizers.names())
    assert len(set(KIND_COLORS.values())) == len(KIND_COLORS)
    assert set(KIND_COLORS.values()) <= set(OKABE_ITO) | set(TOL_MUTED) | set(TOL_VIBRANT) | {"#DDAA33"}
    one = kind_colors(["adam"])
    other = kind_colors(["sgd", "momentum", "rmsprop", "adam"])
    assert one[0] == other[3] == KIND_COLORS["adam"]
    twice = kind_colors(["adam", "sgd", "adam", "newton", "newton", "newton"])
    assert twice[0] == KIND_COLORS["adam"] and twice[2] != twice[0]
    assert len(set(twice)) == 6
    # a shade keeps the hue: the darker Adam is Adam's colour scaled toward black
    base = np.array([int(KIND_COLORS["adam"][i : i + 2], 16) for i in (1, 3, 5)])
    dark = np.array([int(twice[2][i : i + 2], 16) for i in (1, 3, 5)])
    np.testing.assert_allclose(dark, base * 0.6, atol=1)


def test_race_figures_colour_runs_by_kind():
    L, res = race("quadratic", [("adam", {"lr": 0.05}), ("sgd", {"lr": 0.1})], steps=20)
    fig = figures.contour_figure(L, None, res)
    colours = {t.name: t.line.color for t in fig.data if t.meta and t.meta.get("role") == "path"}
    assert colours == {"Adam": KIND_COLORS["adam"], "SGD": KIND_COLORS["sgd"]}


def test_a_run_resting_in_a_local_minimum_says_so_with_its_star_and_distance():
    """Defect 1: on Rastrigin a run near (2, -1) comes to rest in that local minimum: its status says
    "reached a local minimum", its distance is to that minimum, and a star is drawn there."""
    L, res = race("rastrigin", [("sgd", {"lr": 1e-3})], start=(2.2, -1.1), steps=2000)
    end = res.final_positions[0]
    # the 1D minimum near 2 solves 2x + 20π sin 2πx = 0; near -1 likewise (A = 10)
    from scipy.optimize import brentq

    x2 = brentq(lambda x: 2 * x + 20 * np.pi * np.sin(2 * np.pi * x), 1.8, 2.0)
    y1 = brentq(lambda y: 2 * y + 20 * np.pi * np.sin(2 * np.pi * y), -1.0, -0.9)
    np.testing.assert_allclose(end, [x2, y1], atol=1e-3)
    text = figures.status_text(res, 0, L)
    assert text.startswith("reached a local minimum at step ")
    assert results_table(res, None, L).loc[0, "distance to minimum"] < 1e-3
    fig = figures.contour_figure(L, None, res)
    stars = next(t for t in fig.data if t.name == "minimum")
    assert np.hypot(np.asarray(stars.x) - x2, np.asarray(stars.y) - y1).min() < 1e-6
