"""The race page's clip and PyTorch script and the Gallery's lesson pack, through AppTest: nothing is
made on a plain rerun; a button makes it and a download appears; a too-big request gets a plain
message and no download."""

from __future__ import annotations

from tests.app_support import messages, run_page


def _labels(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_race_clip_is_made_on_request_and_too_big_requests_are_refused():
    at = run_page(query={"steps": "40"})
    assert not at.exception
    labels = _labels(at)
    assert "Reproduce in PyTorch (script)" in labels
    assert not any(lb.startswith("Download race") or ".gif" in lb for lb in labels)  # nothing made yet

    at.number_input(key="clip_fps").set_value(30).run()
    at.number_input(key="clip_seconds").set_value(20.0).run()
    at.button(key="clip_make").click().run()
    assert not at.exception
    assert any("Too many frames" in m for m in messages(at))
    assert not any(".gif" in lb for lb in _labels(at))

    at.number_input(key="clip_width").set_value(320).run()
    at.number_input(key="clip_fps").set_value(2).run()
    at.number_input(key="clip_seconds").set_value(1.0).run()
    at.button(key="clip_make").click().run()
    assert not at.exception
    made = [lb for lb in _labels(at) if ".gif" in lb]
    assert len(made) == 1 and "MB" in made[0]
    at.number_input(key="clip_fps").set_value(3).run()  # another request: the old clip is not offered
    assert not any(".gif" in lb for lb in _labels(at))


def test_gallery_pack_of_chosen_scenes_is_made_on_request():
    at = run_page("pages/0_Gallery.py")
    assert not at.exception
    assert not any("pack" in lb for lb in _labels(at))
    at.multiselect(key="pack_scenes").set_value(["nesterov_overshoot"]).run()
    at.button(key="pack_make").click().run()
    assert not at.exception
    made = [lb for lb in _labels(at) if lb.startswith("Download the pack")]
    assert made == [made[0]] and "1 scenes" in made[0] and "MB" in made[0]


def test_clip_boxes_clamp_a_value_the_browser_sends_without_a_note():
    # after a refused CSV upload the browser sent 0 for the three clip boxes: each was clamped with a
    # toast about a value the user never typed; now clamped where read, silently, and shown clamped
    at = run_page(query={"steps": "40"})
    for key in ("clip_width", "clip_fps", "clip_seconds"):
        at.number_input(key=key).set_value(0)
    at.run()
    assert not at.exception
    assert not [t.value for t in at.toast], [t.value for t in at.toast]
    assert [at.number_input(key=k).value for k in ("clip_width", "clip_fps", "clip_seconds")] == [320, 2, 1.0]
    assert any("2 frames at 2 fps" in c.value for c in at.caption)  # the clip is made from the clamped values
