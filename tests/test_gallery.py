"""The gallery page lists every preset with a link that decodes to the preset's scene."""

from __future__ import annotations

from urllib.parse import urlsplit

from scenes.codec import from_url
from scenes.presets import PRESETS
from tests.app_support import run_page


def test_gallery_lists_every_preset_with_a_working_link():
    at = run_page("pages/0_Gallery.py")
    assert not at.exception
    subheaders = [s.value for s in at.subheader]
    codes = [c.value for c in at.code]
    assert len(codes) == len(PRESETS)
    assert [b.proto.url for b in at.get("link_button")] == codes  # the button opens the link shown
    for preset, url in zip(PRESETS, codes, strict=True):
        assert preset.title in subheaders
        assert urlsplit(url).path == "/"
        scene, warnings = from_url(url)
        assert warnings == []
        assert scene == preset.scene
