"""One Streamlit session over its websocket, sending what a browser sends: a ``rerun_script``
BackMsg with the page's query string, the state of every widget it has seen and the hashes of the
big messages it already holds; it reads the deltas until the script has finished. Used by
``benchmarks/sessions.py`` and the classroom benchmarks, so that many sessions cost no browser's
rendering on the machine measured."""

from __future__ import annotations

import time
from dataclasses import dataclass

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from websockets.asyncio.client import connect

CONTROLS = {"steps": "steps", "lr": "run0_lr"}  # --control -> the widget's key on the race page
VALUE_WIDGETS = ("number_input", "checkbox", "selectbox", "text_input", "text_area")  # all the browser reports
KEEP_HASHES_RUNS = 2  # the browser keeps a message for the next runs; references replace resends


@dataclass
class Rerun:
    seconds: float
    nbytes: int
    query: str  # the query string the script wrote (empty if it did not write one)
    ok: bool  # finished successfully with no exception element


class Session:
    """One Streamlit session over its websocket, sending what a browser sends."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = None
        self.widgets: dict[str, tuple[str, str]] = {}  # user key -> (widget id, value field)
        self.states: dict[str, tuple[str, object]] = {}  # widget id -> (value field, value), as a browser holds
        self.hashes: list[set[str]] = []  # cacheable message hashes of the last runs
        self.query = ""  # the page's query string as the script last wrote it (the browser's URL)
        self.base = ""  # the query string after the first run: the default scene

    async def connect(self) -> None:
        self.ws = await connect(self.url, max_size=None, ping_interval=None)

    async def close(self) -> None:
        await self.ws.close()

    def _back(self, query: str) -> BackMsg:
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = query
        rerun.page_script_hash = ""
        for wid, (kind, value) in self.states.items():
            ws = rerun.widget_states.widgets.add()
            ws.id = wid
            setattr(ws, kind, value)
        rerun.cached_message_hashes.extend(sorted(set().union(*self.hashes)) if self.hashes else [])
        return msg

    async def run(self, query: str | None = None) -> Rerun:
        """Send a rerun request (with the browser's current query string unless ``query`` is
        given); read messages until the script has finished."""
        msg = self._back(self.query if query is None else query)
        hashes: set[str] = set()
        nbytes, written, ok = 0, "", True
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        while True:
            raw = await self.ws.recv()
            nbytes += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if fwd.metadata.cacheable and fwd.hash:
                hashes.add(fwd.hash)
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                etype = el.WhichOneof("type")
                if etype == "exception":
                    ok = False
                elif etype in VALUE_WIDGETS:
                    self._saw_widget(etype, getattr(el, etype))
            elif kind == "page_info_changed":
                written = self.query = fwd.page_info_changed.query_string
            elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                seconds = time.perf_counter() - t0
                ok = ok and fwd.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                self.hashes = [*self.hashes[-(KEEP_HASHES_RUNS - 1) :], hashes]
                self.base = self.base or self.query
                return Rerun(seconds, nbytes, written, ok)

    def _saw_widget(self, etype: str, w: object) -> None:
        """Record a widget's id (by its key, the id's last part) and, as the browser does, its value:
        the one the script set (``set_value``), else the value already held, else its default."""
        if etype == "number_input":
            value_field = "double_value" if w.data_type == NumberInput.FLOAT else "int_value"
            value = w.value if w.set_value else w.default
            value = float(value) if value_field == "double_value" else int(value)
        elif etype == "checkbox":
            value_field, value = "bool_value", bool(w.value if w.set_value else w.default)
        elif etype == "selectbox":
            value_field = "string_value"
            value = w.raw_value if w.set_value else (w.options[w.default] if w.options else "")
        else:  # text_input, text_area
            value_field, value = "string_value", w.value if w.set_value else w.default
        self.widgets[w.id.rsplit("-", 1)[-1]] = (w.id, value_field)
        if w.set_value or w.id not in self.states:
            self.states[w.id] = (value_field, value)

    def value(self, control: str) -> float:
        """The control's current value in this session."""
        return float(self.states[self.widgets[CONTROLS[control]][0]][1])

    async def change(self, control: str, value: float | int) -> Rerun:
        """Change a widget (by its key) to ``value``, as a browser does; the rerun it causes."""
        wid, value_field = self.widgets[CONTROLS[control]]
        self.states[wid] = (value_field, value)
        return await self.run()

    async def clear_cache(self) -> None:
        msg = BackMsg()
        msg.clear_cache = True
        await self.ws.send(msg.SerializeToString())
