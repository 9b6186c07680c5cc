"""Share a scene as a short URL query or a JSON file, and read one back without ever raising.

Three jobs, three modules: ``scenes.link`` turns URL text into the plain scene document and back;
``scenes.document`` writes a scene as that document (and JSON); ``scenes.reader`` is the one
validator that turns a document from a link or a file into a valid scene with warnings. This
module is their public face.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import parse_qs, urlencode, urlsplit

from scenes.document import FORMAT, VERSION, fmt, to_dict, to_json
from scenes.link import KEYS, URL_SAFE, VIEW_KEYS, doc_from_query, query_from_doc
from scenes.model import Scene
from scenes.reader import DOC_KEYS, from_dict, short

MAX_JSON_CHARS = 100_000  # bigger scene files are refused

__all__ = [
    "FORMAT",
    "KEYS",
    "MAX_JSON_CHARS",
    "URL_SAFE",
    "VERSION",
    "VIEW_KEYS",
    "fmt",
    "from_dict",
    "from_json",
    "from_query",
    "from_url",
    "read_scene_file",
    "scene_url",
    "to_dict",
    "to_json",
    "to_query",
]


def to_query(scene: Scene) -> dict[str, str | list[str]]:
    """The scene as URL query parameters (values differing from ``Scene()``, plus ``v``; the batch
    size compared with its landscape's default, ``Scene.default_batch_size``)."""
    return query_from_doc(to_dict(scene), scene.default_batch_size())


def scene_url(scene: Scene, base: str = "") -> str:
    """``base?query`` for the scene (``base`` may be empty for a relative link)."""
    return base + "?" + urlencode(to_query(scene), doseq=True, safe=URL_SAFE)


def from_query(params: Mapping[str, str | list[str]]) -> tuple[Scene, list[str]]:
    """A scene from URL query parameters (``str`` or ``list[str]`` values) and the warnings
    about what was ignored, clamped or reduced. Never raises."""
    warn: list[str] = []
    try:
        doc = doc_from_query(params, warn)
    except Exception as exc:
        warn.append(f"could not read the link (internal error: {type(exc).__name__}: {exc}); using the default")
        return Scene(), warn
    scene, more = from_dict(doc, strict=False)
    return scene, warn + more


def from_url(url: str) -> tuple[Scene, list[str]]:
    """A scene from a full URL or a bare query string (``'?v=1&ls=ravine'``)."""
    query = urlsplit(url).query if ("?" in url or "://" in url) else url
    return from_query(parse_qs(query, keep_blank_values=True))


def from_json(text: str | bytes) -> tuple[Scene, list[str]]:
    """A scene from a JSON scene file and the warnings. Files over ``MAX_JSON_CHARS``, malformed
    JSON or a document of the wrong shape give the default scene with a warning. Never raises."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > 4 * MAX_JSON_CHARS:
            return Scene(), [f"scene file too large ({len(text):,} bytes > {MAX_JSON_CHARS:,}); using the default"]
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            return Scene(), ["scene file is not UTF-8 text; using the default"]
    if not isinstance(text, str):
        return Scene(), [f"scene file must be text, got {type(text).__name__}; using the default"]
    if len(text) > MAX_JSON_CHARS:
        return Scene(), [f"scene file too large ({len(text):,} characters > {MAX_JSON_CHARS:,}); using the default"]
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return Scene(), [f"scene file is not valid JSON ({short(str(exc), 80)}); using the default"]
    return from_dict(doc, strict=True)


def read_scene_file(data: str | bytes) -> tuple[Scene | None, list[str]]:
    """A scene file as the page's upload reads it: ``(scene, warnings)`` when the file is a scene
    (what it gets wrong repaired, as for a link), or ``(None, [why])`` when it is refused as a
    whole (too large, not text, not JSON, not an object, or nothing in it a scene setting), so the
    caller keeps the scene it has. Never raises."""
    if isinstance(data, (bytes, bytearray)) and len(data) > 4 * MAX_JSON_CHARS:
        return None, [f"it is too large ({len(data):,} bytes; at most {MAX_JSON_CHARS:,} characters)"]
    try:
        text = bytes(data).decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
    except UnicodeDecodeError:
        return None, ["it is not UTF-8 text"]
    if not isinstance(text, str):
        return None, [f"it is not text ({type(text).__name__})"]
    if len(text) > MAX_JSON_CHARS:
        return None, [f"it is too large ({len(text):,} characters; at most {MAX_JSON_CHARS:,})"]
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return None, [f"it is not valid JSON ({short(str(exc), 80)})"]
    if not isinstance(doc, Mapping):
        return None, [f"it holds a JSON {type(doc).__name__}, not a scene object"]
    if not any(k in DOC_KEYS for k in doc if k not in ("format", "version")):
        return None, ["nothing in it is a scene setting (no landscape, runs, starts, steps, ...)"]
    return from_dict(doc, strict=True)
