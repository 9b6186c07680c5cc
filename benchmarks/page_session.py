"""A Streamlit session on the Classroom page over the websocket protocol, for the classroom
benchmarks: clicks buttons, reruns fragments (as a browser does for ``st.fragment(run_every=...)``),
double-clicks, and follows the script's own ``st.rerun()`` to the end of a run."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks import sessions
from benchmarks.ws_session import VALUE_WIDGETS, Session

PAGE = "Classroom"
RUN_TIMEOUT = 300.0  # seconds without a message before a run counts as lost
DOUBLE_CLICK_GAP = 0.15  # seconds between a double-click's two clicks (a quick hand)
SECOND_CLICK_WAIT = 3.0  # seconds to wait for a double-click's second run once the first has finished
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class Run:
    seconds: float
    ok: bool
    texts: list[str] = field(default_factory=list)  # the Markdown bodies the run sent
    query: str = ""


class PageSession(Session):
    """A ``ws_session.Session`` on the Classroom page that also clicks buttons and reruns fragments."""

    def __init__(self, url: str, page: str = PAGE) -> None:
        super().__init__(url)
        self.page = page
        self.buttons: dict[str, str] = {}  # key -> widget id
        self.fragments: list[str] = []  # ids of the page's run_every fragments, in order
        self.page_hash = ""  # the page the server last ran (its ``navigation`` message), as a browser keeps it

    def _back(self, query: str) -> BackMsg:
        """The browser's rerun request: the page by name and, once known, by its hash. A fragment
        rerun needs the hash: without it the script's ``st.rerun()`` reruns the default page."""
        msg = super()._back(query)
        msg.rerun_script.page_name = self.page
        msg.rerun_script.page_script_hash = self.page_hash
        return msg

    async def page_run(self, query: str | None = None, click: str = "", fragment: str = "", clicks: int = 1) -> Run:
        """One rerun (clicking the button with key ``click``, ``clicks`` times at once: 2 is a
        double-click; or only the fragment ``fragment``); read until the script has finished for
        good (an ``st.rerun()`` inside goes on; a double-click's two requests may be served by one
        run or two)."""
        msg = self._back(self.query if query is None else query)
        if click:
            ws = msg.rerun_script.widget_states.widgets.add()
            ws.id, ws.trigger_value = self.buttons[click], True
        if fragment:
            msg.rerun_script.fragment_id, msg.rerun_script.is_auto_rerun = fragment, True
        t0 = time.perf_counter()
        for k in range(clicks):
            if k:
                await asyncio.sleep(DOUBLE_CLICK_GAP)
            await self.ws.send(msg.SerializeToString())
        texts: list[str] = []
        ok, finished, seconds = True, 0, 0.0
        while True:
            wait = RUN_TIMEOUT if finished == 0 else SECOND_CLICK_WAIT
            try:
                raw = await asyncio.wait_for(self.ws.recv(), wait)
            except TimeoutError:  # a run that never finished (or no second run: one run served both clicks)
                return Run(seconds or time.perf_counter() - t0, ok and finished > 0, texts, self.query)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._element(fwd.delta.new_element, texts)
                ok = ok and fwd.delta.new_element.WhichOneof("type") != "exception"
            elif kind == "auto_rerun" and fwd.auto_rerun.fragment_id not in self.fragments:
                self.fragments.append(fwd.auto_rerun.fragment_id)
            elif kind == "navigation":
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "script_finished":
                if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    if clicks > 1:  # the second click stopped the first run: one run serves both
                        clicks -= 1
                    continue
                ok = ok and fwd.script_finished in DONE
                finished += 1
                seconds = seconds or time.perf_counter() - t0  # what the user waited for: the first answer
                if finished >= clicks:
                    return Run(seconds, ok, texts, self.query)

    def _element(self, el: object, texts: list[str]) -> None:
        etype = el.WhichOneof("type")
        if etype == "markdown":
            texts.append(el.markdown.body)
        elif etype == "alert":
            texts.append(el.alert.body)
        elif etype == "button":
            self.buttons[el.button.id.rsplit("-", 1)[-1]] = el.button.id
        elif etype in VALUE_WIDGETS:
            self._saw_widget(etype, getattr(el, etype))

    def set(self, key: str, value: object) -> None:
        wid, value_field = self.widgets[key]
        self.states[wid] = (value_field, value)


def summary(name: str, xs: list[float]) -> dict:
    """``n``, median, 95th percentile (nearest rank) and slowest of ``xs``."""
    out: dict = {"what": name, "n": len(xs)}
    if xs:
        out.update(median=statistics.median(xs), p95=sessions.p95(xs), slowest=max(xs))
    return out
