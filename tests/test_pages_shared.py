"""AppTest tests of what the lesson pages share: every chart comes with its download buttons."""

from __future__ import annotations

import pytest

from tests.app_support import run_page

SMALL = {
    "pages/1_Hyperparameter_sweep.py": {"nx": "8", "ny": "6", "steps": "40"},
    "pages/2_Basins_of_attraction.py": {"resolution": "16", "steps": "40"},
    "pages/3_Inside_the_optimizer.py": {},
    "pages/4_Exponentially_weighted_averages.py": {},
    "pages/5_Batch_size_and_noise.py": {
        "steps": "60",
        "seeds": "6",
        "basin_runs": "10",
        "basin_steps": "80",
        "basin_batches": "1, 64",
    },
    "pages/6_Learning_rate_schedules.py": {"steps": "120", "seeds": "4"},
    "pages/7_Second_order_methods.py": {"steps": "80"},
}


def user_key(element) -> str:
    """The ``key=`` a widget or chart was given (Streamlit's element id is ``$$ID-<hash>-<key>``)."""
    return element.proto.id.split("-", 2)[2]


@pytest.mark.parametrize("script", list(SMALL))
def test_every_chart_has_png_svg_and_html_downloads(script):
    at = run_page(script, query=SMALL[script])
    assert not at.exception and not at.error
    charts = [user_key(c) for c in at.get("plotly_chart")]
    assert charts
    downloads = [user_key(b) for b in at.get("download_button")]
    assert downloads == [f"dl_{c}_{fmt}" for c in charts for fmt in ("png", "svg", "html")]
    assert [b.proto.label for b in at.get("download_button")][:3] == ["PNG (2x)", "SVG", "HTML (interactive)"]
