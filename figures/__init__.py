"""Figure builders: arrays in, ``plotly.graph_objects.Figure`` out (no Streamlit here)."""

from figures.animation import animation_figure, frame_indices
from figures.contour import CLICK_TRACE, click_trace_index, contour_figure, is_click_trace
from figures.curves import distance_figure, loss_figure
from figures.grid import CONTOUR_N, SURFACE_N, ContourLevels, LandscapeGrid, contour_levels, evaluate_grid
from figures.paths import MAX_PATH_POINTS, status_text, thin_indices, thin_path
from figures.style import PALETTE, FigureStyle, run_colors
from figures.surface import surface_figure
from figures.table import results_html, results_table

__all__ = [
    "CLICK_TRACE",
    "CONTOUR_N",
    "MAX_PATH_POINTS",
    "PALETTE",
    "SURFACE_N",
    "ContourLevels",
    "FigureStyle",
    "LandscapeGrid",
    "animation_figure",
    "click_trace_index",
    "contour_figure",
    "contour_levels",
    "distance_figure",
    "evaluate_grid",
    "frame_indices",
    "is_click_trace",
    "loss_figure",
    "results_html",
    "results_table",
    "run_colors",
    "status_text",
    "surface_figure",
    "thin_indices",
    "thin_path",
]
