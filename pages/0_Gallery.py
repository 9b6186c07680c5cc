"""Gallery: curated scenes, each teaching one concept, each one click away (and each a link)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from scenes.presets import PRESETS
from ui import media_downloads, page
from ui.race_link import open_as_race

st.set_page_config(page_title="Gallery of scenes", layout="wide")
page.apply_presentation(page.presentation_requested())
page.keep_presentation_in_url()

THUMBS = Path(__file__).resolve().parent.parent / "docs" / "gallery"
COLUMNS = 3

st.title("Gallery of scenes")
st.markdown(
    "Each scene teaches one idea from the course. **Open** starts it on the race page; the link "
    "is the scene itself, so you can send it to students or put it on a slide."
)
if not page.presentation_requested():  # on a projector, no export clutter
    media_downloads.gallery_pack()

for row in range(0, len(PRESETS), COLUMNS):
    cols = st.columns(COLUMNS)
    for col, preset in zip(cols, PRESETS[row : row + COLUMNS], strict=False):
        with col.container(border=True):
            st.subheader(preset.title)
            thumb = THUMBS / f"{preset.key}-contour.png"
            if thumb.exists():
                st.image(str(thumb), width="stretch")
            st.markdown(f"**{preset.concept}**")
            st.caption(preset.caption.replace("\n", "  \n"))
            open_as_race(preset.scene, "Open in the race", primary=True, show_url=True)
