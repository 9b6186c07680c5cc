"""The race: pick a landscape and several optimizers and watch their paths from the same start.

Run with ``streamlit run app.py``. This page reads widgets into a frozen ``Scene``, calls the
cached core, hands the arrays to the figure builders and renders them.
"""

from __future__ import annotations

import time

import streamlit as st

from ui import page

PRESENTING = page.presentation_requested()
st.set_page_config(page_title="Optimizer race", page_icon="🏁", layout="wide",
                   initial_sidebar_state="collapsed" if PRESENTING else "auto")

from figures import (  # noqa: E402  (set_page_config must come first)
    FigureStyle,
    animation_figure,
    contour_figure,
    distance_figure,
    highlight_status,
    loss_figure,
    results_table,
    surface_figure,
)
from ui import compute, url_state, widgets  # noqa: E402

CONTOUR_KEY = "contour_chart"
started = time.perf_counter()

url_state.load_scene_once()
page.handle_contour_click(CONTOUR_KEY)

with st.sidebar:
    st.header("Landscape")
    widgets.landscape_controls()
    st.header("Optimizers")
    widgets.run_controls()
    st.header("Start")
    widgets.start_controls()
    st.header("Run")
    widgets.run_settings_controls()
    st.header("View")
    widgets.view_controls()

scene, messages = widgets.state_to_scene()
page.apply_presentation(scene.view.presentation)
st.title("Optimizer race")
page.show_messages(st.session_state.get("_url_warnings", []), messages)

problems = scene.problems()
if problems:
    for problem in problems:
        st.error(problem)
    st.stop()

url_state.write_url(scene)
landscape = scene.landscape_obj()
result = compute.simulate(scene)
grid = compute.landscape_grid(landscape)
labels = scene.labels()
style = FigureStyle(presentation=scene.view.presentation)
starts = scene.starts_array()

st.caption(f"**{getattr(landscape, 'title', 'Custom')}** · {landscape.lesson} "
           f"Click the contour to move the start point.")
left, right = st.columns(2) if scene.view.surface else (st.container(), None)
with left:
    contour = contour_figure(landscape, grid, result, labels, style, starts=starts, clickable=True)
    st.plotly_chart(contour, key=CONTOUR_KEY, on_select="rerun", selection_mode="points", theme=None)
if right is not None:
    with right:
        surface_grid = compute.landscape_grid(landscape, compute.SURFACE_N)
        st.plotly_chart(surface_figure(landscape, surface_grid, result, labels, style), theme=None,
                        key="surface_chart")
c1, c2 = st.columns(2)
with c1:
    st.plotly_chart(loss_figure(result, labels, style, log_y=scene.view.log_loss), theme=None, key="loss_chart")
with c2:
    st.plotly_chart(distance_figure(result, landscape, labels, style), theme=None, key="distance_chart")
if scene.view.animate:
    st.subheader("Classroom animation")
    st.plotly_chart(animation_figure(landscape, grid, result, labels, style), theme=None, key="animation_chart")

st.subheader("Results")
table = results_table(result, labels, landscape)
st.dataframe(highlight_status(table), hide_index=True, width="stretch")
page.share_and_export(scene, result, labels, landscape, figures={"contour": contour})
st.caption(f"Server time for this rerun: {1000 * (time.perf_counter() - started):.0f} ms")
