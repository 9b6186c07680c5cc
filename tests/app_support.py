"""Helpers for Streamlit ``AppTest`` tests: run a page, read its Plotly charts back as figures."""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.browser_support import ROOT

TIMEOUT = 60


def run_page(
    script: str = "app.py", query: dict[str, str | list[str]] | None = None, state: dict[str, Any] | None = None
) -> AppTest:
    """A fresh AppTest of ``script`` with optional query parameters and session state, run once."""
    at = AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for k, v in (state or {}).items():
        at.session_state[k] = v
    return at.run()


def decode(value: Any) -> Any:
    """Plotly 7 typed arrays (``{"dtype", "bdata", "shape"}``) to NumPy; other values unchanged."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            shape = tuple(int(s) for s in str(value["shape"]).split(","))
            arr = arr.reshape(shape)
        return arr
    return value


def charts(at: AppTest) -> list[dict[str, Any]]:
    """Every Plotly chart of the page as a figure dict (``{"data": [...], "layout": {...}}``)."""
    out = []
    for el in at.get("plotly_chart"):
        fig = json.loads(el.proto.spec)
        for trace in fig.get("data", []):
            for key in ("x", "y", "z"):
                if key in trace:
                    trace[key] = decode(trace[key])
        out.append(fig)
    return out


def chart_titles(at: AppTest) -> list[str]:
    titles = []
    for fig in charts(at):
        t = fig.get("layout", {}).get("title", {})
        text = t.get("text", "") if isinstance(t, dict) else str(t)
        titles.append(text.replace(" <br>", " ").replace("<br>", " "))  # a title wrapped to fit a phone
    return titles


def path_traces(fig: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The run path traces of a contour/surface figure by legend name (lines with a name)."""
    out = {}
    for trace in fig["data"]:
        mode = trace.get("mode", "")
        if (trace.get("meta") or {}).get("role") == "legend":  # a legend-only entry, no data
            continue
        if trace.get("type", "scatter") in ("scatter", "scatter3d") and "lines" in mode and trace.get("name"):
            out[trace["name"]] = trace
    return out


def shown(element: Any) -> str:
    """The text an error or warning shows: its Markdown body with the backslash escapes that make
    link, file and typed text plain (``ui.page.plain``) resolved, as a Markdown renderer does, and
    without the invisible word joiners that keep web addresses from becoming links."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", element.value).replace("\u2060", "")


def results(at: AppTest) -> pd.DataFrame:
    """The race's results table (``st.html`` of a ``<table>``) as it reads on screen: one row per
    ``<tr>`` of the body, columns named by the header, every cell the text a browser shows."""
    body = next(h.value for h in at.get("html") if '<div class="results-table">' in h.value)
    parser = _TableText()
    parser.feed(body)
    header, *rows = parser.rows
    return pd.DataFrame(rows, columns=header)


class _TableText(HTMLParser):
    """The text of every cell of an HTML table, row by row (entities resolved)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def messages(at: AppTest) -> list[str]:
    """Text of every error and warning on the page, as shown."""
    return [shown(e) for e in at.error] + [shown(w) for w in at.warning]


def open_run(at, rid: int) -> None:
    """Open run ``rid``'s settings panel (as a click on it does) and rerun."""
    at.session_state[f"run{rid}_open"] = True
    at.run()
