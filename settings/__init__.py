"""Settings declared once: each field of a frozen config carries its type (its default's), default,
valid range and UI hints (``hyper``); checks, clamping, widgets and the link readers derive from it.

Pure Python and NumPy: no Streamlit, no Plotly. Used by the core and the UI alike.
"""

from settings.declare import Spec, declared, hyper, same_as, spec_for, spec_of
from settings.registry import Registry, UnknownNameError
from settings.validate import check, check_fields, clamp, clamp_warn, problems

__all__ = [
    "Registry",
    "Spec",
    "UnknownNameError",
    "check",
    "check_fields",
    "clamp",
    "clamp_warn",
    "declared",
    "hyper",
    "problems",
    "same_as",
    "spec_for",
    "spec_of",
]
