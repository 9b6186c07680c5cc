"""The race: pick a landscape and several optimizers and watch their paths from the same start.

Run with ``streamlit run app.py``. This page reads widgets into a frozen ``Scene``, calls the
cached core, hands the arrays to the figure builders and renders them.
"""

from __future__ import annotations

import time

import streamlit as st

from ui import page

PRESENTING = page.presentation_requested()
st.set_page_config(
    page_title="Optimizer race",
    layout="wide",
    initial_sidebar_state="collapsed" if PRESENTING else "auto",
)

from figures import results_table  # noqa: E402  (set_page_config must come first)
from ui import compute, data_race, inputs, url_state, widgets  # noqa: E402
from ui.classroom_hook import room_bar  # noqa: E402
from ui.downloads import figure_downloads  # noqa: E402
from ui.media_downloads import race_media  # noqa: E402
from ui.race_figures import race_figure_set  # noqa: E402

CONTOUR_KEY = "contour_chart"
started = time.perf_counter()

url_state.load_scene_once()
page.handle_contour_click(CONTOUR_KEY)

with st.sidebar:
    widgets.preset_controls()
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
presenting = scene.view.presentation
page.set_presentation(presenting)  # the other pages present (or not) as the race does
page.apply_presentation(presenting)
if not presenting:  # presenting: one compact header further down (page.presentation_header)
    st.title("Optimizer race")
    widgets.preset_lesson(scene)
page.show_messages(page.link_warnings(scene), messages)
inputs.show_notes()

page.stop_on_problems(scene.problems())

url_state.write_url(scene)
room_bar(scene)  # a teacher's "push to my room", a student's "back to the class"
landscape = scene.landscape_obj()
with st.spinner("Running the optimizers…"):
    result = compute.simulate(scene)
names = ["contour", "loss", "distance"]
if scene.view.surface:
    names.append("surface")
if scene.view.animate or presenting:
    names.append("animation")
data = data_race.is_data(landscape)
if data:
    names.append("model")
figs = race_figure_set(scene, tuple(names))  # built once per scene, shared by sessions

if presenting:
    page.presentation_header(scene, landscape)
else:
    st.markdown(f"**{landscape.title}** · {landscape.lesson} Click the contour to move the start point.")
    # under the text, the main column's whole width (beside it, at 800 px with the sidebar open, a
    # 300 px column cut Himmelblau's), one equation a line (the Ravine's ran off a phone)
    st.latex(widgets.stacked(landscape.latex))
if presenting:  # the classroom view: the animation first and large, then the static picture
    st.plotly_chart(figs["animation"], theme=None, key="animation_chart")
if data:  # presenting, under the animation: above it, the note pushed its slider off a 1280x720 projector
    data_race.status_note(landscape)
# responsive rows: two charts side by side where each gets at least CHART_MIN px, else stacked (at
# 800 px with the sidebar open, two columns left each curve chart 226 px and cut its title)
CHART_MIN = 420
with st.grid(2 if scene.view.surface else 1, min_column_width=CHART_MIN):
    contour_key = page.contour_key(CONTOUR_KEY)
    st.plotly_chart(figs["contour"], key=contour_key, on_select="rerun", selection_mode="points", theme=None)
    if scene.view.surface:
        st.plotly_chart(figs["surface"], theme=None, key="surface_chart")
with st.grid(2, min_column_width=CHART_MIN):
    st.plotly_chart(figs["loss"], theme=None, key="loss_chart")
    st.plotly_chart(figs["distance"], theme=None, key="distance_chart")
if data:
    data_race.model_panel(figs["model"])
if scene.view.animate and not presenting:
    st.subheader("Classroom animation")
    st.plotly_chart(figs["animation"], theme=None, key="animation_chart")

st.subheader("Results")
table = results_table(result, scene.labels(), landscape)
if data:
    table = data_race.table_columns(table, scene, landscape, result)
page.show_results(table)

if not presenting:
    free = page.share_and_export(scene, result)
    race_media(scene, result, free[0])  # GIF / MP4 clip and the PyTorch script, made on request
    # the buttons only when asked for: fifteen of them on every rerun cost the browser time
    if st.toggle("Download figures (PNG for slides, SVG, interactive HTML)", key="show_downloads"):
        for name, fig in figs.items():
            st.markdown(f"**{name.capitalize()}**")
            figure_downloads(page.without_click_grid(fig), f"{landscape.title} {name}", key=f"dl_{name}")
    st.caption(f"Server time for this rerun: {1000 * (time.perf_counter() - started):.0f} ms")
