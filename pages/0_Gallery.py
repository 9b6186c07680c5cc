"""Gallery: curated scenes, each teaching one concept, each one click away (and each a link)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from scenes.presets import PRESETS
from ui import media_downloads, page
from ui.charts import side_by_side
from ui.race_link import open_as_race

st.set_page_config(page_title="Gallery of scenes", layout="wide")
page.apply_presentation(page.presentation_requested())
page.keep_presentation_in_url()

THUMBS = Path(__file__).resolve().parent.parent / "docs" / "gallery"
COLUMNS = 3
CARD_MIN = 300

st.title("Gallery of scenes")
st.markdown(
    "Each scene teaches one idea from the course. **Open** starts it on the race page; the link "
    "is the scene itself, so you can send it to students or put it on a slide."
)
if not page.presentation_requested():  # on a projector, no export clutter
    media_downloads.gallery_pack()

# three cards a row where each gets CARD_MIN px, fewer on a tablet with its sidebar open, one on a phone
for cell, preset in zip(side_by_side(len(PRESETS), CARD_MIN, COLUMNS), PRESETS, strict=True):
    with cell, st.container(border=True):
        st.subheader(preset.title)
        thumb = THUMBS / f"{preset.key}-contour.png"
        if thumb.exists():
            st.image(str(thumb), width="stretch")
        st.markdown(f"**{preset.concept}**")
        st.caption(preset.caption.replace("\n", "  \n"))
        open_as_race(preset.scene, "Open in the race", primary=True, show_url=True)
