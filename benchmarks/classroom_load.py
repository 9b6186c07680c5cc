"""A class on one server: 60 students join a room and submit within 10 s while the projector
refreshes and the teacher pushes a scene; then 30 students explore the race at once.

Everything goes over Streamlit's own websocket protocol, as a browser sends it (the machinery of
``benchmarks/sessions.py``: ``Session``, the counting server), to ``streamlit run app.py`` with a
fresh SQLite room database (``CLASSROOM_DB``; ``--db URL`` for PostgreSQL):

1. The teacher opens the Classroom page, clicks "Create a room" (reads the code from the URL the
   script writes), pushes a scene link and sets a challenge, with the buttons' and form's widgets.
2. 60 students open the join link at random moments within ``--window`` (10 s): each types a
   nickname and clicks Join, then picks a learning rate no one else picked (a real recompute on
   the server) and clicks Submit. Between their clicks, like a browser, each student's follower
   fragment reruns every 2 s (``st.fragment(run_every=...)``: the client sends those reruns).
3. Meanwhile the teacher's projector fragment reruns every 2 s, and halfway through the window
   the teacher pushes another scene.

Reported: each student's rerun times (join, submit) with median and 95th percentile; the follower
and projector fragment reruns; how long after the push every student's follower showed it; how
long after the last submission the projector showed them all; and, read back from the database,
that every submission is stored exactly once. Then ``sessions.at_once``: 30 sessions change the
race's Steps at the same moment (every change a cache miss, counted in the server).

Run: ``python benchmarks/classroom_load.py [--students 60] [--window 10] [--explorers 30]
[--db URL] [--json out.json]``. Times on a shared machine include other jobs (the load average is
printed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from benchmarks import sessions  # noqa: E402

PAGE = "Classroom"
FOLLOW_EVERY = 2.0  # ui/classroom_student.POLL
PROJECTOR_EVERY = 2.0  # ui/classroom_teacher.REFRESH
SCENES = ("v=1&ls=quadratic&start=-1.5,2", "v=1&ls=himmelblau&start=-1,1")
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class Run:
    seconds: float
    ok: bool
    texts: list[str] = field(default_factory=list)  # the Markdown bodies the run sent
    query: str = ""


class PageSession(sessions.Session):
    """A ``sessions.Session`` on the Classroom page that also clicks buttons, reruns fragments and
    follows the script's own ``st.rerun()`` to the end."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.buttons: dict[str, str] = {}  # key -> widget id
        self.fragments: list[str] = []  # ids of the page's run_every fragments, in order

    def _back(self, query: str) -> BackMsg:
        msg = super()._back(query)
        msg.rerun_script.page_name = PAGE
        return msg

    async def page_run(self, query: str | None = None, click: str = "", fragment: str = "") -> Run:
        """One rerun (clicking the button with key ``click``, or only the fragment ``fragment``);
        read until the script has finished for good (an ``st.rerun()`` inside goes on)."""
        msg = self._back(self.query if query is None else query)
        if click:
            ws = msg.rerun_script.widget_states.widgets.add()
            ws.id, ws.trigger_value = self.buttons[click], True
        if fragment:
            msg.rerun_script.fragment_id, msg.rerun_script.is_auto_rerun = fragment, True
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        texts: list[str] = []
        ok = True
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                el = fwd.delta.new_element
                etype = el.WhichOneof("type")
                if etype == "exception":
                    ok = False
                elif etype == "markdown":
                    texts.append(el.markdown.body)
                elif etype == "alert":
                    texts.append(el.alert.body)
                elif etype == "button":
                    self.buttons[el.button.id.rsplit("-", 1)[-1]] = el.button.id
                elif etype in sessions.VALUE_WIDGETS:
                    self._saw_widget(etype, getattr(el, etype))
            elif kind == "auto_rerun" and fwd.auto_rerun.fragment_id not in self.fragments:
                self.fragments.append(fwd.auto_rerun.fragment_id)
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                ok = ok and fwd.script_finished in DONE
                return Run(time.perf_counter() - t0, ok, texts, self.query)

    def set(self, key: str, value: object) -> None:
        wid, value_field = self.widgets[key]
        self.states[wid] = (value_field, value)


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[max(0, round(q * len(s) + 0.5) - 1)] if s else float("nan")


def summary(name: str, xs: list[float]) -> dict:
    out = {"what": name, "n": len(xs)}
    if xs:
        out.update(median=statistics.median(xs), p95=sessions.p95(xs), slowest=max(xs))
    return out


async def classroom(url: str, n: int, window: float, seed: int) -> dict:
    """The class: returns the timings and what was checked."""
    rng = random.Random(seed)
    teacher = PageSession(url)
    await teacher.connect()
    await teacher.page_run("")
    made = await teacher.page_run(click="cls_create")
    params = urllib.parse.parse_qs(made.query)
    code, key = params["room"][0], params["key"][0]
    teacher.set("cls_push_link", SCENES[0])
    await teacher.page_run(click="cls_push_link_btn")
    teacher.set("cls_ch_kind", "lowest_loss")
    await teacher.page_run(click="cls_ch_set")
    projector_id = teacher.fragments[-1]

    t0 = time.perf_counter()
    joins, submits, follows, projector_runs = [], [], [], []
    follow_seen: dict[int, float] = {}
    push_at: list[float] = []
    last_submit = [0.0]
    all_shown: list[float] = []
    lrs = [round(0.01 + 0.4 * i / n, 6) for i in range(n)]
    rng.shuffle(lrs)
    stop = asyncio.Event()
    failures: list[str] = []
    shown_counts: list[tuple[float, int]] = []  # (time, submissions the projector showed)
    joined_before_push: set[int] = set()  # students whose page showed push 1 before push 2

    async def student(i: int) -> None:
        s = PageSession(url)
        await s.connect()
        await asyncio.sleep(rng.uniform(0, window * 0.6))
        await s.page_run(f"room={code}")
        s.set("cls_nick", f"S{i:02d}")
        r = await s.page_run(click="cls_join_btn")
        joins.append(r.seconds)
        if "cls_opt" not in s.widgets:  # the join did not show the room: say what it showed
            failures.append(f"student {i}: after Join: ok={r.ok} {r.texts[-2:]}")
            await s.close()
            return
        await asyncio.sleep(rng.uniform(0.5, 2.0))  # choosing settings
        s.set("cls_opt", "sgd")
        s.set("cls_lr", lrs[i])
        r = await s.page_run(click="cls_submit")
        submits.append(r.seconds)
        last_submit[0] = max(last_submit[0], time.perf_counter())
        if not any("Submitted" in t for t in r.texts):
            failures.append(f"student {i}: after Submit: ok={r.ok} {r.texts[-2:]}")
        follower = s.fragments[0] if s.fragments else ""
        if not push_at and any("push 1" in t for t in r.texts):  # showing push 1: can follow push 2
            joined_before_push.add(i)
        while not stop.is_set() and follower:  # the browser's follower reruns, until the end
            await asyncio.sleep(FOLLOW_EVERY)
            r = await s.page_run(fragment=follower)
            follows.append(r.seconds)
            if i in joined_before_push and i not in follow_seen and any("push 2" in t for t in r.texts):
                follow_seen[i] = time.perf_counter() - push_at[0]
        await s.close()

    async def projector() -> None:
        pusher = PageSession(url)  # the teacher's second tab (the race page's push button acts alike)
        await pusher.connect()
        await pusher.page_run(f"room={code}&key={key}")
        pushed = False
        while not stop.is_set():
            await asyncio.sleep(PROJECTOR_EVERY)
            r = await teacher.page_run(fragment=projector_id)
            projector_runs.append(r.seconds)
            counts = [int(m.group(1)) for t in r.texts if (m := re.search(r"\*\*(\d+)\*\* submissions", t))]
            if counts:
                shown_counts.append((time.perf_counter(), counts[-1]))
            if counts and counts[-1] >= n - len(failures) and not all_shown:
                all_shown.append(time.perf_counter())
            if not pushed and time.perf_counter() - t0 > window / 2:
                pusher.set("cls_push_link", SCENES[1])
                await pusher.page_run(click="cls_push_link_btn")
                push_at.append(time.perf_counter())
                pushed = True
            now = time.perf_counter()
            everyone = len(submits) + sum(1 for f in failures if "after Join" in f) >= n
            if everyone and all_shown and (len(follow_seen) >= len(joined_before_push) or now - last_submit[0] > 30):
                stop.set()
            if now - t0 > window + 900:  # a safety stop
                stop.set()
        await pusher.close()

    await asyncio.gather(projector(), *(student(i) for i in range(n)))
    await teacher.close()
    return {
        "code": code,
        "joins": summary("student join (rerun)", joins),
        "submits": summary("student submit (rerun, recomputed)", submits),
        "students": summary("every student rerun (join + submit)", joins + submits),
        "follower": summary("follower fragment (every 2 s)", follows),
        "projector": summary("projector fragment (every 2 s)", projector_runs),
        "followed_push": summary("push -> follower shows it", list(follow_seen.values())),
        "students_following": len(follow_seen),
        "students_before_push": len(joined_before_push),
        "projector_all_after_last": (all_shown[0] - last_submit[0]) if all_shown else None,
        "last_submit_after_start": last_submit[0] - t0,
        "failures": failures,
    }


def stored(db_url: str, code: str, n: int) -> dict:
    """What the database holds for the room: every student's submission exactly once."""
    from classroom.store import Store

    s = Store(db_url)
    room = s.room(code)
    subs = s.submissions(room.id)
    per_member = {m: sum(1 for x in subs if x.member_id == m) for m in {x.member_id for x in subs}}
    s.dispose()
    return {
        "submissions": len(subs),
        "students_with_one": sum(1 for v in per_member.values() if v == 1),
        "duplicates": sum(v - 1 for v in per_member.values() if v > 1),
        "expected": n,
        "exactly_once": len(subs) == n and len(per_member) == n and all(v == 1 for v in per_member.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--window", type=float, default=10.0, help="seconds in which they join and submit")
    parser.add_argument("--explorers", type=int, default=30, help="sessions exploring the race at once (0: skip)")
    parser.add_argument("--db", default="", help="an SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; {sessions.load()}")
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{tmp}/classroom.sqlite3"
        os.environ["CLASSROOM_DB"] = db
        out: dict = {"db": db.split("@")[-1], "load_before": os.getloadavg()[0]}
        with sessions.server() as srv:
            sessions.warm(srv)
            cpu0 = srv.counts()["cpu_ms"]
            res = asyncio.run(classroom(srv.url, args.students, args.window, args.seed))
            reruns = sum(res[k]["n"] for k in ("joins", "submits", "follower", "projector"))
            res["server_cpu_s"] = (srv.counts()["cpu_ms"] - cpu0) / 1000
            res["server_cpu_per_rerun_ms"] = 1000 * res["server_cpu_s"] / max(reruns, 1)
            out["classroom"] = res
            out["stored"] = stored(db, res["code"], args.students)
            out["load_after_class"] = os.getloadavg()[0]
        for k in ("joins", "submits", "students", "follower", "projector", "followed_push"):
            r = res[k]
            nan = float("nan")
            print(f"{r['what']:42s} n={r['n']:4d}  median {r.get('median', nan):6.2f} s  "
                  f"p95 {r.get('p95', nan):6.2f} s  slowest {r.get('slowest', nan):6.2f} s")  # fmt: skip
        print(f"students on push 1 when the teacher pushed, then shown push 2 by their follower: "
              f"{res['students_following']}/{res['students_before_push']}")  # fmt: skip
        shown = res["projector_all_after_last"]
        print(f"last submission {res['last_submit_after_start']:.1f} s after the start; projector showed all "
              + (f"{shown:.1f} s after it" if shown is not None else "never"))  # fmt: skip
        print(
            f"server CPU: {res['server_cpu_s']:.1f} s for the class, {res['server_cpu_per_rerun_ms']:.0f} ms per rerun"
        )
        print(f"stored: {out['stored']}")
        for f in res["failures"]:
            print("  " + f)
        if args.explorers:
            with sessions.server() as srv:
                sessions.warm(srv)
                first, change = asyncio.run(sessions.at_once(srv, args.explorers, 1, "steps"))
                out["explore"] = [first.__dict__, change.__dict__]
                print(sessions.HEADER)
                sessions.show(first)
                sessions.show(change)
        out["load_after"] = os.getloadavg()[0]
        print(sessions.load())
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
