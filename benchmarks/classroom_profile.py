"""What one classroom page run costs the server: a student's first open, Join, Submit, a follower
tick, a projector tick, a teacher's push, one at a time on a quiet server, with where the time goes.

Starts ``streamlit run app.py`` through ``benchmarks/profiling_server.py`` (every script run
profiled in its own thread, its thread CPU recorded) with a fresh SQLite room database, and drives
it over Streamlit's websocket protocol (``classroom_load.PageSession``): the teacher creates a room,
pushes a scene and sets a challenge; then ``--students`` students, one after the other, open the
join link, join, submit, and tick their follower; the projector ticks in between. Runs are
sequential, so each run's cost is its own: the script thread's CPU (``cpu``) and the whole server
process's CPU over the same request (``process``: adds the event loop's work, sending the
messages). The first student pays for first imports and caches; the medians are over the others.

Printed per kind of run: median thread CPU, median process CPU, and (``--top N``) the functions
with the most cumulative time over all runs of that kind. The arithmetic for a class follows: 60
students joining and submitting within 10 s while followers and the projector tick every 2 s.
``--no-profile`` measures without the profiler (its overhead is large for small functions).

Run: ``python benchmarks/classroom_profile.py [--students 6] [--ticks 5] [--top 25] [--no-profile]
[--json out.json]``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import urllib.parse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import sessions  # noqa: E402
from benchmarks.classroom_load import SCENES  # noqa: E402
from benchmarks.page_session import PageSession  # noqa: E402


class Recorder:
    """Reads the profiling server's per-run files and the process's CPU, one request at a time."""

    def __init__(self, srv: sessions.Server, folder: Path) -> None:
        self.srv, self.folder = srv, folder
        self.seen = 0
        self.runs: dict[str, list[dict]] = {}
        self.profiles: dict[str, list[Path]] = {}

    async def measure(self, kind: str, request: Callable[[], Awaitable[Any]], repeat: int = 1) -> Any:
        """Await ``request()`` ``repeat`` times, one after the other, then file what the server
        recorded under ``kind`` (per request; the process's CPU is read in 10 ms ticks, so cheap
        requests are measured in batches)."""
        cpu0 = self.srv.counts()["cpu_ms"]
        for _ in range(repeat):
            result = await request()
        await asyncio.sleep(0.3)  # the event loop finishes sending; the run's files are written
        process = (self.srv.counts()["cpu_ms"] - cpu0) / 1000 / repeat
        files = sorted(self.folder.glob("*.json"))[self.seen :]
        self.seen += len(files)
        cpu = sum(json.loads(f.read_text())["cpu"] for f in files) / repeat
        self.runs.setdefault(kind, []).append({"cpu": cpu, "process": process, "runs": len(files)})
        self.profiles.setdefault(kind, []).extend(f.with_suffix(".prof") for f in files)
        return result

    def table(self, skip_first: bool = True) -> dict[str, dict]:
        out = {}
        for kind, rows in self.runs.items():
            kept = rows[1:] if skip_first and len(rows) > 1 else rows
            out[kind] = {
                "n": len(kept),
                "cpu_ms": 1000 * statistics.median(r["cpu"] for r in kept),
                "process_ms": 1000 * statistics.median(r["process"] for r in kept),
                "first_process_ms": 1000 * rows[0]["process"],
            }
        return out

    def top(self, kind: str, n: int) -> str:
        paths = [str(p) for p in self.profiles.get(kind, [])[1:] if p.exists()]
        if not paths:
            return ""
        buf = io.StringIO()
        pstats.Stats(*paths, stream=buf).strip_dirs().sort_stats("cumulative").print_stats(n)
        return buf.getvalue()


async def drive(srv: sessions.Server, rec: Recorder, n: int, ticks: int) -> None:
    teacher = PageSession(srv.url)
    await teacher.connect()
    await rec.measure("teacher first open", lambda: teacher.page_run(""))
    made = await rec.measure("teacher create", lambda: teacher.page_run(click="cls_create"))
    params = urllib.parse.parse_qs(made.query)
    code = params["room"][0]
    teacher.set("cls_push_link", SCENES[0])
    await rec.measure("teacher push", lambda: teacher.page_run(click="cls_push_link_btn"))
    teacher.set("cls_ch_kind", "lowest_loss")
    await rec.measure("teacher challenge", lambda: teacher.page_run(click="cls_ch_set"))
    projector = teacher.fragments[-1]
    for i in range(n):
        await student(srv, rec, code, i, ticks)
        await rec.measure("projector tick", lambda: teacher.page_run(fragment=projector), ticks)
    teacher.set("cls_push_link", SCENES[1])
    await rec.measure("teacher push", lambda: teacher.page_run(click="cls_push_link_btn"))
    await teacher.close()


async def student(srv: sessions.Server, rec: Recorder, code: str, i: int, ticks: int) -> None:
    """One student: first open, Join, Submit, ``ticks`` follower ticks."""
    s = PageSession(srv.url)
    await s.connect()
    await rec.measure("student first open", lambda: s.page_run(f"room={code}"))
    s.set("cls_nick", f"S{i:02d}")
    await rec.measure("student join", lambda: s.page_run(click="cls_join_btn"))
    s.set("cls_opt", "sgd")
    s.set("cls_lr", 0.01 + 0.001 * i)
    r = await rec.measure("student submit", lambda: s.page_run(click="cls_submit"))
    if not any("Submitted" in t for t in r.texts):
        print(f"student {i}: the submit was not confirmed: {r.texts[-2:]}")
    await rec.measure("follower tick", lambda: s.page_run(fragment=s.fragments[0]), ticks)
    await s.close()


def arithmetic(t: dict[str, dict], students: int = 60, window: float = 10.0, every: float = 2.0) -> str:
    """CPU seconds a class needs per second of the window, from the measured medians."""
    runs = sum(t[k]["process_ms"] for k in ("student first open", "student join", "student submit")) / 1000
    ticks = (students * t["follower tick"]["process_ms"] + t["projector tick"]["process_ms"]) / 1000 / every
    per_second = students * runs / window + ticks
    return (
        f"{students} students in {window:g} s: {students * runs:.1f} CPU s of page runs "
        f"({students * runs / window:.2f} per second) + ticks {ticks:.2f} CPU s per second "
        f"= {per_second:.2f} CPU s per second (one process has at most 1.0)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=6)
    parser.add_argument("--ticks", type=int, default=5, help="follower and projector ticks per student")
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions per kind of run")
    parser.add_argument("--no-profile", action="store_true", help="only the CPU times, without cProfile")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; {sessions.load()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "runs"
        folder.mkdir()
        env = {"PROFILE_DIR": str(folder), "CLASSROOM_DB": f"sqlite:///{tmp}/classroom.sqlite3"}
        if args.no_profile:
            env["PROFILE_OFF"] = "1"
        with sessions.server(launcher="profiling_server.py", env=env) as srv:
            rec = Recorder(srv, folder)
            asyncio.run(drive(srv, rec, args.students, args.ticks))
            table = rec.table()
            print(f"{'run':22s} {'n':>3s} {'thread CPU':>11s} {'process CPU':>12s} {'first':>8s}")
            for kind, r in table.items():
                print(f"{kind:22s} {r['n']:3d} {r['cpu_ms']:8.0f} ms {r['process_ms']:9.0f} ms "
                      f"{r['first_process_ms']:5.0f} ms")  # fmt: skip
            print(arithmetic(table))
            if args.top:
                for kind in table:
                    print(f"=== {kind}\n{rec.top(kind, args.top)}")
        print(sessions.load())
    if args.json:
        args.json.write_text(json.dumps({"runs": table, "load": os.getloadavg()}, indent=1))


if __name__ == "__main__":
    main()
