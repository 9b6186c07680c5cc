"""Export: PNG of the requested size, SVG that parses, self-contained HTML, CSV round trips, CLI."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import optimizers
from export import static
from export.render import render_scene
from scenes import Scene
from scenes.presets import PRESETS, preset_by_key
from tests.browser_support import ROOT

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (read by hand, independent of the exporter)."""
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module")
def figures():
    scene = Scene(steps=60)
    return render_scene(scene, ("contour", "loss", "animation"))


@pytest.mark.parametrize(("width", "height", "scale"), [(640, 480, 1.0), (500, 400, 2.0)])
def test_png_has_the_requested_size(figures, width, height, scale):
    data = static.figure_to_png(figures["contour"], scale=scale, width=width, height=height)
    assert png_size(data) == (round(width * scale), round(height * scale))


def test_svg_parses_as_xml_and_has_the_title(figures):
    data = static.figure_to_svg(figures["loss"], width=600, height=400)
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")
    assert b"Loss" in data


def ytick_labels(svg: bytes) -> list[str]:
    """The y tick labels of an exported SVG, bottom to top as Plotly writes them."""
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    return [
        "".join(t.itertext()).replace("\u200b", "")
        for g in root.iter(f"{ns}g")
        if "ytick" in g.get("class", "").split()
        for t in g.iter(f"{ns}text")
    ]


def test_log_axes_below_one_read_as_numbers():
    """Issue 12, defect 7: a log axis over a few decades below 1 reads "0.5 0.2 0.1 ...", not "5 2 ...";
    the distance chart's axis title fits the plot's height."""
    scene = Scene(runs=(Scene().runs[0],), starts=((0.5, 0.5),), steps=25)
    figs = render_scene(scene, ("loss", "distance"))
    for name in ("loss", "distance"):
        y = np.concatenate([np.asarray(t.y, dtype=float) for t in figs[name].data])
        assert y.min() < 1 and 0 < np.log10(y.max() / y.min()) < 3, (name, y.min(), y.max())  # the case at hand
        labels = ytick_labels(static.figure_to_svg(figs[name], width=600, height=400))
        values = [float(t.replace("\u2212", "-")) for t in labels]  # each label is the number it stands for
        below = [t for v, t in zip(values, labels, strict=True) if v < 1]
        assert len(below) >= 2 and all(t.startswith("0.") for t in below), labels
        title = figs[name].layout.yaxis.title.text
        assert len(title) <= 30, title  # 400 px tall: a longer title at 14 px is cut
    # over several decades: a label at each power of ten only ("10⁻¹", "1", "10"), no bare digits
    wide = render_scene(Scene(steps=1000), ("loss",))["loss"]
    y = np.concatenate([np.asarray(t.y, dtype=float) for t in wide.data])
    assert 3 < np.log10(y.max() / y.min()) <= 8
    labels = ytick_labels(static.figure_to_svg(wide, width=600, height=400))
    assert len(labels) >= 3 and all(re.fullmatch("1|10([\u2212-]?\\d+)?", t) for t in labels), labels


def test_html_is_self_contained_with_data_and_animation(figures):
    html = static.figure_to_html(figures["animation"])
    assert "<html" in html and "plotly.js" in html.lower()
    assert "Plotly.newPlot" in html
    assert '"frames"' in html or "addFrames" in html
    # the library is embedded (no script tag loads it from the network), so it works offline
    assert '<script src="http' not in html and "<script src='http" not in html
    assert len(html) > 3_000_000  # plotly.min.js itself is several MB
    # the run labels travel with the figure data
    for label in Scene().labels():
        assert label in html


def test_trajectories_and_results_csv_round_trip():
    scene = Scene(steps=30, starts=((-1.5, 2.0), (0.5, 0.5)))
    result = optimizers.run(scene.landscape_obj(), scene.run_configs(), scene.starts_array(), scene.options())
    frame = result.frame()
    back = pd.read_csv(io.StringIO(frame.to_csv(index=False)))
    assert list(back.columns) == ["run", "label", "optimizer", "step", "x", "y", "loss", "grad_norm"]
    assert len(back) == len(scene.runs) * 2 * 31
    np.testing.assert_allclose(back[["x", "y"]].to_numpy(), result.positions.reshape(-1, 2), rtol=1e-15)
    np.testing.assert_allclose(back["loss"].to_numpy(), result.losses.ravel(), rtol=1e-15)
    summary = result.summary()
    back2 = pd.read_csv(io.StringIO(summary.to_csv(index=False)))
    assert back2["label"].tolist() == summary["label"].tolist()
    np.testing.assert_allclose(back2["final_loss"], summary["final_loss"], rtol=1e-15)


def test_exported_figure_is_the_page_figure():
    """The CLI renders the preset with the same builders and arrays as the page: same traces."""
    preset = PRESETS[0]
    figs = render_scene(preset.scene, ("contour",))
    names = [t.name for t in figs["contour"].data if t.name]
    for label in preset.scene.labels():
        assert any(n.startswith(label) for n in names)
    assert preset.scene.landscape_obj().title in figs["contour"].layout.title.text


def test_cli_renders_a_preset_to_png_svg_html(tmp_path):
    key = PRESETS[0].key
    cmd = [
        sys.executable,
        "-m",
        "export",
        "--preset",
        key,
        "--figure",
        "contour",
        "--format",
        "png",
        "--format",
        "svg",
        "--format",
        "html",
        "--scale",
        "1",
        "--width",
        "400",
        "--height",
        "300",
        "--out",
        str(tmp_path),
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert png_size((tmp_path / f"{key}-contour.png").read_bytes()) == (400, 300)
    ET.fromstring((tmp_path / f"{key}-contour.svg").read_bytes())
    assert "Plotly.newPlot" in (tmp_path / f"{key}-contour.html").read_text()


def test_cli_refuses_an_unknown_preset_with_a_message():
    done = subprocess.run(
        [sys.executable, "-m", "export", "--preset", "nope"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "nope" in done.stderr


def test_preset_lookup_error_lists_keys():
    with pytest.raises(KeyError, match=PRESETS[1].key):
        preset_by_key("nope")
