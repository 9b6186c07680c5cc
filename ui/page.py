"""Page-level helpers shared by the app's pages: presentation mode, messages, clicks, sharing."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import streamlit as st

from figures.table import results_html
from scenes import Scene
from scenes.codec import scene_url, to_json

PRESENT_FLAG = "present"
_PRESENTATION_CSS = """
<style>
html, body, [class*="css"] { font-size: 20px; }
h1 { font-size: 1.8rem !important; padding: 0 0 0.25rem 0 !important; }
h2 { font-size: 1.4rem !important; padding: 0.25rem 0 0.25rem 0 !important; }
h3 { font-size: 1.2rem !important; }
[data-testid="stMainBlockContainer"] { padding-top: 3.5rem; padding-bottom: 1rem; max-width: 100%; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.5rem; }
.katex-display { margin: 0.2em 0 !important; }
[data-testid="stMarkdownContainer"]:has(> .katex-display) { margin-bottom: 0 !important; }
.katex-display > .katex { font-size: 1em; }
[data-testid="stCaptionContainer"] { font-size: 1.1rem; }
</style>
"""


_PRESENTING = "_presenting"  # session key: presentation mode, kept while the user moves between pages


# every page, on a phone: a formula a little smaller, and one still too wide scrolls inside its box
# instead of running off the screen's edge (the Ravine's at 390 px)
NARROW_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stMain"] .katex-display { overflow-x: auto; overflow-y: hidden; }
  [data-testid="stMain"] .katex-display > .katex { font-size: 0.85em; }
}
</style>"""


def presentation_requested() -> bool:
    """True when the URL asks for presentation mode, or, when the URL does not say (the navigation
    drops the query string on a page change), when this session was presenting on its last page.
    Read before ``set_page_config``."""
    ss = st.session_state
    if PRESENT_FLAG in st.query_params:
        ss[_PRESENTING] = st.query_params.get(PRESENT_FLAG, "") in ("1", "true", "yes")
    return bool(ss.get(_PRESENTING, False))


def set_presentation(on: bool) -> None:
    """Presentation mode for this session's pages from now on (the race page's View toggle)."""
    st.session_state[_PRESENTING] = on


def keep_presentation_in_url() -> None:
    """Put ``present=1`` back into the URL of a page reached through the navigation while presenting,
    so that its link (and a reload) presents too."""
    if presentation_requested() and PRESENT_FLAG not in st.query_params:
        st.query_params[PRESENT_FLAG] = "1"


def apply_presentation(on: bool) -> None:
    """Large fonts and wide blocks for a projector; a compact title, lesson and formula, and section
    headings little larger than the text, so that the race page's first screen (1280x720) holds them and
    the animation with its slider, and a lesson page's its title and main chart (issue 12)."""
    if on:
        st.html(_PRESENTATION_CSS)


def presentation_header(scene: Scene, landscape: Any) -> None:
    """The race page's header on a projector, in two rows: the lesson's title (the preset's, else
    "Optimizer race") beside the formula, then one paragraph (the preset's explanation, else the
    landscape's lesson). Short enough that the animation below ends inside a 720 px screen."""
    from scenes.presets import preset_of

    preset = preset_of(scene)
    title, formula = st.columns([5, 6], vertical_alignment="center")
    title.title(preset.title if preset else "Optimizer race")
    formula.latex(landscape.latex)
    text = preset.caption.replace("\n", " ") if preset else landscape.lesson
    st.markdown(f"**{landscape.title}** · {text}")


def stop_on_problems(problems: list[str]) -> None:
    """Show each reason the page cannot run as an error (plain text) and stop the script (no traceback)."""
    if problems:
        for problem in summarize(problems):
            st.error(plain(problem))
        st.stop()


def run_or_stop(compute: Any, *args: Any, what: str = "run") -> Any:
    """``compute(*args)`` under the work guard (``ui.compute.guarded``), or, when the core refuses the
    combination (``ValueError`` / ``KeyError``) or the work ran past the page's CPU budget, the
    reason as an error on the page and the script stopped."""
    from optimizers.guard import WorkLimitError
    from ui.compute import guarded

    try:
        with guarded():
            return compute(*args)
    except WorkLimitError as exc:
        st.error(plain(str(exc)))
        st.stop()
    except (ValueError, KeyError) as exc:
        st.error(plain(f"These settings cannot be {what}: {exc}"))
        st.stop()


# --- messages: plain text, a handful at most ----------------------------------------------
MAX_SHOWN = 5  # warnings shown at once; the rest are counted
_MARKDOWN = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
# GFM's literal autolinks (http://, https://, www., name@host) are found in the text after escapes
# are resolved: an invisible word joiner inside each such pattern keeps them text
_AUTOLINK = re.compile(r"(?i)(?<=https:)|(?<=http:)|(?<=www)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


def plain(text: Any) -> str:
    """``text`` as Markdown that renders as exactly that text: every ASCII punctuation character
    backslash-escaped (no link, image, emphasis, HTML, math or directive can form), an invisible word
    joiner (U+2060) inside anything a GFM renderer would turn into a link by itself, and line breaks
    made spaces. For anything that comes from a link, a file or a typed value, shown by an element
    that renders Markdown (``st.warning``, ``st.error``, ``st.toast``)."""
    one_line = " ".join(str(text).splitlines())
    return _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, one_line))


def show_results(table: pd.DataFrame) -> None:
    """The results table as plain HTML (``figures.results_html``: escaped text, inline colours) in
    ``st.html``: no data-grid or Arrow formatting scripts for the browser to load, nothing drawn on a
    canvas."""
    st.html(results_html(table))


Messages = list[str] | dict[str, int]  # messages, or messages with their repeat counts (``tally``)
MAX_KEPT = 50  # distinct messages a session keeps; the rest are only counted
_OTHERS = "\0others"  # a tally's count of the messages not kept


def tally(*groups: Messages) -> dict[str, int]:
    """The messages of ``groups`` with their repeat counts, first seen first, at most ``MAX_KEPT``
    distinct ones (the rest only counted)."""
    counts: dict[str, int] = {}
    for group in groups:
        for m, n in group.items() if isinstance(group, dict) else ((m, 1) for m in group):
            key = m if m in counts or len(counts) < MAX_KEPT or m == _OTHERS else _OTHERS
            counts[key] = counts.get(key, 0) + n
    return counts


def summarize(*groups: Messages, limit: int = MAX_SHOWN) -> list[str]:
    """At most ``limit`` lines for the messages of ``groups``: repeats counted (``"... (30,000
    times)"``), then one line saying how many more there are."""
    counts = tally(*groups)
    others = counts.pop(_OTHERS, 0)
    lines = [m if n == 1 else f"{m} ({n:,} times)" for m, n in counts.items()]
    hidden = others + sum(list(counts.values())[limit:])
    if not hidden:
        return lines
    return [*lines[:limit], f"... and {hidden:,} more warning{'s' if hidden > 1 else ''} not shown."]


def show_messages(*groups: Messages) -> None:
    """Warnings about ignored input (URL, files, text fields): plain text, at most ``MAX_SHOWN``."""
    for message in summarize(*groups):
        st.warning(plain(message))


LINK_WARNINGS = "_url_warnings"  # session key: what the last link, file or preset load repaired
_WARNED_SCENE = "_url_warnings_scene"  # the scene those warnings are about


def set_link_warnings(warnings: list[str]) -> None:
    """Keep what a link or a file got wrong (counted: ``tally``) until the user changes the scene."""
    st.session_state[LINK_WARNINGS] = tally(warnings)
    st.session_state[_WARNED_SCENE] = None


def link_warnings(scene: Scene) -> Messages:
    """The warnings of the last link or file while ``scene`` is still the one they produced; once the
    user has changed the scene they are dropped."""
    ss = st.session_state
    if ss.get(_WARNED_SCENE) is None:
        ss[_WARNED_SCENE] = scene
    elif ss[_WARNED_SCENE] != scene:
        ss[LINK_WARNINGS] = {}
    return ss.get(LINK_WARNINGS, {})


def clicked_point(chart_key: str) -> tuple[float, float] | None:
    """The ``(x, y)`` of the first point selected on the chart keyed ``chart_key`` (Streamlit's
    Plotly selection event, kept in session state), or ``None`` when there is none."""
    event: Any = st.session_state.get(chart_key)
    try:
        point = event["selection"]["points"][0]
        return float(point["x"]), float(point["y"])
    except (TypeError, KeyError, IndexError, ValueError):
        return None


CLICK_ROUND = "_click_round"  # session key: clicks handled so far on the race contour


def contour_key(base: str) -> str:
    """The race contour's widget key in this rerun: a new one after each handled click, so the
    browser's selection starts empty again and a click on the same point later (after the start was
    typed elsewhere, say) is a new event rather than the old selection seen again."""
    return f"{base}_{st.session_state.get(CLICK_ROUND, 0)}"


def handle_contour_click(chart_key: str) -> None:
    """Move start 1 to a clicked point of the contour (Streamlit's Plotly selection event of the
    chart keyed ``contour_key(chart_key)``); each click is used once.

    Must run before the start widgets are created in this rerun.
    """
    ss = st.session_state
    clicked = clicked_point(contour_key(chart_key))
    if clicked is None:
        return
    ss[CLICK_ROUND] = ss.get(CLICK_ROUND, 0) + 1
    x, y = clicked
    ss["start_x"], ss["start_y"] = round(x, 4), round(y, 4)


def base_url() -> str:
    """The page's address without its query string, when Streamlit knows it."""
    try:
        url = st.context.url or ""
    except Exception:
        url = ""
    return url.split("?", 1)[0]


def app_url() -> str:
    """The app's root address (``"http://host:8501/"``, the race page), from the address the
    browser opened, so a link built on it can be sent as is; ``"/"`` when Streamlit does not know it."""
    from urllib.parse import urlsplit

    parts = urlsplit(base_url())
    if not parts.scheme or not parts.netloc:
        return "/"
    prefix = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}/" + (f"{prefix}/" if prefix else "")


def without_click_grid(fig: Any) -> Any:
    """A copy of ``fig`` without the contour's invisible click grid (for exported files)."""
    import plotly.graph_objects as go

    from figures.contour import is_click_trace

    if not any(is_click_trace(t) for t in fig.data):
        return fig
    out = go.Figure(fig)
    out.data = [t for t in out.data if not is_click_trace(t)]
    return out


def _load_uploaded_scene() -> None:
    """``on_change`` of the scene-file uploader: read, validate and apply the file."""
    from scenes.codec import read_scene_file
    from ui.scene_state import scene_to_state

    ss = st.session_state
    upload = ss.get("scene_upload")
    if upload is None:
        return
    data = upload.getvalue()
    if len(data) > MAX_SCENE_FILE:
        size = f"{len(data):,} bytes; at most {MAX_SCENE_FILE:,}"
        set_link_warnings([f"The scene file was not opened: it is too large ({size}). Your scene is unchanged."])
        return
    scene, warnings = read_scene_file(data)
    if scene is None:  # refused as a whole: the user's scene stays
        set_link_warnings([f"The scene file was not opened: {w}. Your scene is unchanged." for w in warnings])
        return
    scene_to_state(scene)
    set_link_warnings([f"Scene file: {w}" for w in warnings])


MAX_SCENE_FILE = 100_000


def share_and_export(scene: Scene, result: Any) -> list[Any]:
    """The link to this exact scene, scene files (download and upload), and data downloads; returns
    the row's free cells for more popovers.

    Each is a popover: its contents are drawn in the browser only when opened, so the page loads no
    code highlighter or uploader up front and renders a row of four buttons instead of their widgets."""
    st.subheader("Share and export")
    share, upload, files, *free = st.columns(4)
    with share.popover("Link to this exact scene", icon=":material/link:", width="stretch"):
        st.caption("The same runs, seed and numbers; the copy button is on the right:")
        st.code(scene_url(scene, base=base_url()), language=None, wrap_lines=True)
    with upload.popover("Open a scene file", icon=":material/upload_file:", width="stretch"):
        st.file_uploader(
            "Open a scene file",
            type=["json"],
            key="scene_upload",
            on_change=_load_uploaded_scene,
            help="A scene saved with 'Scene file (JSON)'; checked like a link.",
        )
    downloads = (  # label, contents (a callable is called only when clicked), file name, type, key
        ("Scene file (JSON)", to_json(scene), "scene.json", "application/json", "dl_scene"),
        ("Trajectories (CSV)", lambda: result.frame().to_csv(index=False), "trajectories.csv", "text/csv", "dl_traj"),
        ("Results table (CSV)", lambda: result.summary().to_csv(index=False), "results.csv", "text/csv", "dl_results"),
    )
    with files.popover("Scene file and data (JSON, CSV)", icon=":material/download:", width="stretch"):
        for label, data, file_name, mime, key in downloads:
            st.download_button(label, data, file_name=file_name, mime=mime, key=key, on_click="ignore")
    return free
