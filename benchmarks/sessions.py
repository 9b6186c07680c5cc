"""How a class of students shares one server: rerun times while many sessions change a control.

Starts ``streamlit run app.py`` (through ``benchmarks/counting_server.py``, which only counts the
simulations and grids the server computes; a fresh server for every measurement) and opens K
sessions over Streamlit's own websocket protocol: the messages a browser sends, without a
browser's rendering cost on this same machine. Each session opens the race (``--scene``, by
default the default race) and reads the widgets from its first run's deltas: each widget's id (a
keyed widget's id ends with its key, e.g. ``...-steps``) and its value. Then it changes a control
the way the browser does: a ``rerun_script`` BackMsg with the page's current query string and the
state of every widget (``widget_states``), the changed one with its new value, and the hashes of
the big messages it already holds (as the browser does; unchanged elements come back as
references).

Every change sets a value never used before on that server, around the scene's own value so that
the work stays the scene's on average (``--control steps``: Steps 501, 499, 502, 498, ...;
``--control lr``: the first run's learning rate 0.001001, 0.000999, ...), so every rerun is a real
cache miss: the server counts its simulations (``misses/expected``: one per run config the change
makes new). Each rerun is also checked: the script must write the new value, and nothing else
changed, into the page's URL (the ``page_info_changed`` message), or it counts as unverified.
``--calibrate`` first shows a miss against a hit on a quiet server (new values against values the
session computed before).

Modes, each for 8, 16 and 30 sessions unless ``--sessions`` says otherwise:

* all at once: every session changes the control at the same moment, ``--rounds`` times (and the
  first loads, all at once, are reported too);
* every 10 s: each session changes it after exponential waits of mean ``--think`` seconds (each
  wait starts when its previous rerun has finished), for ``--duration`` seconds;
* ``--clear-cache-every S`` (instead of the two above; 8 sessions by default): one more session
  sends Streamlit's ``clear_cache`` message every S seconds (Streamlit honours it from any client
  and drops every user's ``st.cache_data``) while the others work as in the second mode, once
  changing to new values (misses anyway) and once going back and forth between two values they
  computed before the clock started (hits, unless cleared); each against the same work without
  the clearing session.

Per measurement: reruns, median, 95th percentile and slowest time from the request sent to the
script finished, kilobytes received per rerun, the server process's CPU seconds per rerun, how
many reruns were verified, the simulations and grids the server computed, and the machine's load
average (other work on it shows there). Every session count is reported, whatever the times.

Run: ``python benchmarks/sessions.py [--sessions 8 16 30] [--rounds 3] [--think 10]
[--duration 60] [--control steps|lr] [--scene QUERY] [--calibrate] [--clear-cache-every 1]
[--json out.json]`` (``python -m benchmarks.sessions`` works too).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # ``python benchmarks/sessions.py`` puts benchmarks/ first, not the root
    sys.path.insert(0, str(ROOT))

from benchmarks.serve import app_process  # noqa: E402
from benchmarks.ws_session import CONTROLS, Rerun, Session  # noqa: E402

MAX_STEPS = 5000  # the Steps widget's maximum (scenes/limits.py)


@dataclass
class Result:
    mode: str
    sessions: int
    reruns: int
    median: float
    p95: float
    slowest: float
    kb_per_rerun: float
    verified: int
    failed: int
    misses: int  # simulations run (counted in the server: one per run config not in the cache)
    expected: int  # misses if every change missed the cache for what it changed
    grids: int  # landscape grids computed (a cache miss of the grid: after a clear_cache)
    server_cpu: float  # the server process's CPU seconds per rerun (user + system, all threads)
    extra: dict = field(default_factory=dict)
    times: list[float] = field(default_factory=list)  # every rerun's seconds (to pool several servers)


class Values:
    """New control values, never repeated on one server: around the scene's own value (``center``),
    alternately above and below it, so that the work stays the scene's on average. Steps 500 gives
    501, 499, 502, 498, ...; a learning rate 0.001 gives 0.001001, 0.000999, ..."""

    def __init__(self, control: str, center: float) -> None:
        self.control = control
        self.center = center
        self.n = 0

    def next(self) -> float | int:
        self.n += 1
        offset = (self.n + 1) // 2 * (1 if self.n % 2 else -1)
        if self.control == "steps":
            value = int(self.center) + offset
            if not 1 <= value <= MAX_STEPS:
                raise RuntimeError("more changes than distinct Steps values around the scene's")
            return value
        return round(self.center * (1 + 1e-3 * offset), 12)


def shown(query: str, base: str, control: str, value: float | int) -> bool:
    """Whether the query string the script wrote is the first run's scene (``base``) with
    ``control`` set to ``value`` and nothing else changed."""
    params, before = urllib.parse.parse_qs(query), urllib.parse.parse_qs(base)
    if control == "steps":
        return params.pop("steps", None) == [str(value)] and params == {k: v for k, v in before.items() if k != "steps"}
    runs, base_runs = params.pop("run", []), before.pop("run", [])
    if params != before or not runs or runs[1:] != base_runs[1:] or ":" not in runs[0]:
        return False
    hp = dict(p.split("=", 1) for p in runs[0].split(":", 1)[1].split(",") if "=" in p)
    return "lr" in hp and math.isclose(float(hp["lr"]), float(value), rel_tol=1e-9)


def p95(times: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    s = sorted(times)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


class Server:
    """``streamlit run app.py`` through ``benchmarks/counting_server.py``: the same server, with the
    simulations and grids it computes (its cache misses) counted in a file."""

    def __init__(self, url: str, count_file: Path, pid: int, scene: str) -> None:
        self.url = url
        self.scene = scene  # the query string every session opens the page with
        self.count_file = count_file
        self.pid = pid

    def counts(self) -> collections.Counter:
        """Simulations and grids computed so far, and the server's CPU time in ms (``cpu_ms``)."""
        text = self.count_file.read_text() if self.count_file.exists() else ""
        out = collections.Counter(text.split())
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        out["cpu_ms"] = round(1000 * (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
        return out


@contextlib.contextmanager
def server(
    scene: str = "v=1", timeout: float = 60.0, launcher: str = "counting_server.py", env: dict | None = None
) -> Iterator[Server]:
    """Start the counting server (or another ``launcher`` of ``benchmarks/`` taking the same
    arguments, with ``env`` added to the environment) on a free port (the options of
    ``benchmarks/serve.py``); stop it afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        count_file = Path(tmp) / "misses"
        launch = (sys.executable, str(ROOT / "benchmarks" / launcher))
        env = {"SESSIONS_COUNT_FILE": str(count_file), **(env or {})}
        with app_process("app.py", timeout, launch, env, capture=False) as (url, proc):
            yield Server(url, count_file, proc.pid, scene)


def runs_changed(control: str, base: str) -> int:
    """Run configs one change of ``control`` makes new: every run for Steps, one for a learning rate."""
    return len(urllib.parse.parse_qs(base).get("run", [])) if control == "steps" else 1


def summarize(
    mode: str,
    k: int,
    reruns: list[tuple[Rerun, bool]],
    counted: collections.Counter,
    expected: int,
    **extra: object,
) -> Result:
    times = [r.seconds for r, _ in reruns] or [math.nan]  # nan: no rerun in the time given
    return Result(
        mode=mode,
        sessions=k,
        reruns=len(reruns),
        median=statistics.median(times),
        p95=p95(times),
        slowest=max(times),
        kb_per_rerun=statistics.mean(r.nbytes for r, _ in reruns) / 1000 if reruns else math.nan,
        verified=sum(1 for r, v in reruns if v and r.ok),
        failed=sum(1 for r, _ in reruns if not r.ok),
        misses=counted["simulate"],
        expected=expected,
        grids=counted["grid"],
        server_cpu=counted["cpu_ms"] / 1000 / max(len(reruns), 1),
        extra=dict(extra),
        times=[r.seconds for r, _ in reruns],
    )


async def open_sessions(srv: Server, k: int) -> tuple[list[Session], list[Rerun]]:
    """K sessions opening the page at ``srv.scene`` (all at once); their first runs."""
    sessions = [Session(srv.url) for _ in range(k)]
    await asyncio.gather(*(s.connect() for s in sessions))
    firsts = await asyncio.gather(*(s.run(srv.scene) for s in sessions))
    return sessions, list(firsts)


async def at_once(srv: Server, k: int, rounds: int, control: str) -> list[Result]:
    """K sessions open at the same moment, then change ``control`` at the same moment, ``rounds`` times."""
    before = srv.counts()
    sessions, firsts = await open_sessions(srv, k)
    values = Values(control, sessions[0].value(control))
    loaded = srv.counts()
    first = summarize("first load, all at once", k, [(r, True) for r in firsts], loaded - before, 0)
    out: list[tuple[Rerun, bool]] = []
    for _ in range(rounds):
        wanted = [values.next() for _ in sessions]
        done = await asyncio.gather(*(s.change(control, v) for s, v in zip(sessions, wanted, strict=True)))
        out += [(r, shown(r.query, s.base, control, v)) for r, s, v in zip(done, sessions, wanted, strict=True)]
    counted = srv.counts() - loaded
    await asyncio.gather(*(s.close() for s in sessions))
    expected = len(out) * runs_changed(control, sessions[0].base)
    return [first, summarize("all at once", k, out, counted, expected, rounds=rounds)]


async def thinking(
    srv: Server,
    k: int,
    think: float,
    duration: float,
    control: str,
    seed: int,
    revisit: bool = False,
    clear_every: float = 0.0,
) -> Result:
    """K sessions, each changing ``control`` after exponential waits of mean ``think`` seconds, for
    ``duration`` seconds. ``revisit``: each session goes back and forth between two values it has
    computed before the clock starts (cache hits unless the cache is cleared). ``clear_every``: one
    more session sends ``clear_cache`` every so many seconds meanwhile."""
    sessions, _ = await open_sessions(srv, k)
    values = Values(control, sessions[0].value(control))
    pairs = [(values.next(), values.next()) for _ in sessions]
    if revisit:  # compute both values of each session once, before the clock starts
        await asyncio.gather(*(s.change(control, a) for s, (a, _) in zip(sessions, pairs, strict=True)))
        await asyncio.gather(*(s.change(control, b) for s, (_, b) in zip(sessions, pairs, strict=True)))
    clearing = Session(srv.url)
    if clear_every > 0:
        await clearing.connect()
        await clearing.run("v=1")
    out: list[tuple[Rerun, bool]] = []
    before = srv.counts()
    end = time.perf_counter() + duration
    clears = 0

    async def work(i: int, s: Session) -> None:
        rng = random.Random(seed + i)
        n = 0
        while True:
            await asyncio.sleep(rng.expovariate(1.0 / think))
            if time.perf_counter() > end:
                return
            n += 1
            v = pairs[i][(n - 1) % 2] if revisit else values.next()
            r = await s.change(control, v)
            out.append((r, shown(r.query, s.base, control, v)))

    async def clear() -> None:
        nonlocal clears
        while time.perf_counter() + clear_every <= end:
            await asyncio.sleep(clear_every)
            await clearing.clear_cache()
            clears += 1

    tasks = [work(i, s) for i, s in enumerate(sessions)]
    if clear_every > 0:
        tasks.append(clear())
    await asyncio.gather(*tasks)
    counted = srv.counts() - before
    await asyncio.gather(*(s.close() for s in [*sessions, *([clearing] if clear_every > 0 else [])]))
    mode = f"every {think:g} s" + (" (revisits)" if revisit else "")
    if clear_every > 0:
        mode += f" + clear_cache/{clear_every:g} s"
    expected = 0 if revisit else len(out) * runs_changed(control, sessions[0].base)
    return summarize(mode, k, out, counted, expected, duration=duration, clears=clears)


async def calibrate(srv: Server, control: str, repeats: int = 6) -> list[Result]:
    """One session on a quiet server: new values (misses) against values it computed before (hits)."""
    (s,), _ = await open_sessions(srv, 1)
    values = Values(control, s.value(control))
    seen: list[float | int] = []
    miss: list[tuple[Rerun, bool]] = []
    before = srv.counts()
    for _ in range(repeats):
        v = values.next()
        seen.append(v)
        r = await s.change(control, v)
        miss.append((r, shown(r.query, s.base, control, v)))
    middle = srv.counts()
    hit: list[tuple[Rerun, bool]] = []
    for v in seen:
        r = await s.change(control, v)
        hit.append((r, shown(r.query, s.base, control, v)))
    after = srv.counts()
    await s.close()
    per = runs_changed(control, s.base)
    return [
        summarize("1 session, new values", 1, miss, middle - before, repeats * per),
        summarize("1 session, values seen before", 1, hit, after - middle, 0),
    ]


def warm(srv: Server) -> None:
    """Imports, the landscape grids and the default scene, once per server."""

    async def once() -> None:
        sessions, _ = await open_sessions(srv, 1)
        await sessions[0].close()

    asyncio.run(once())


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


HEADER = (
    f"{'mode':40s} {'sess':>4s} {'reruns':>6s} {'median':>8s} {'95th pct':>8s} {'slowest':>8s}"
    f" {'per rerun':>9s} {'server CPU':>10s} {'verified':>8s} {'misses/expected':>15s} {'grids':>5s}"
)


def show(r: Result) -> None:
    extra = f"  load {r.extra['load_1min']:.1f}" if "load_1min" in r.extra else ""
    extra += f", {r.extra['clears']} clears" if r.extra.get("clears") else ""
    print(
        f"{r.mode:40s} {r.sessions:4d} {r.reruns:6d} {r.median:6.2f} s {r.p95:6.2f} s {r.slowest:6.2f} s"
        f" {r.kb_per_rerun:6.0f} KB {r.server_cpu:8.2f} s {f'{r.verified}/{r.reruns}':>8s}"
        f" {f'{r.misses}/{r.expected}':>15s} {r.grids:5d}{extra}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", help="session counts, all reported (default 8 16 30)")
    parser.add_argument("--rounds", type=int, default=3, help="changes per session, all at once")
    parser.add_argument("--think", type=float, default=10.0, help="mean seconds between one session's changes")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per session count (every --think s)")
    parser.add_argument("--control", choices=sorted(CONTROLS), default="steps", help="the control changed")
    parser.add_argument("--calibrate", action="store_true", help="also show misses against hits on a quiet server")
    parser.add_argument(
        "--clear-cache-every",
        type=float,
        default=0.0,
        metavar="S",
        help="instead: the damage of one session sending clear_cache every S s (--sessions, default 8)",
    )
    parser.add_argument(
        "--scene", default="v=1", help="the link's query string every session opens (default: the default race)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    print(
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"scene ?{args.scene}, control {args.control!r} (widget key {CONTROLS[args.control]!r}); {load()}"
    )
    print(HEADER)
    results: list[Result] = []

    def measure(coro_factory) -> None:  # a fresh server per measurement: empty caches, same start
        with server(args.scene) as srv:
            warm(srv)
            got = asyncio.run(coro_factory(srv))
            for r in got if isinstance(got, list) else [got]:
                r.extra["load_1min"] = round(os.getloadavg()[0], 2)  # others' work on the machine shows here
                show(r)
                results.append(r)

    if args.calibrate:
        measure(lambda srv: calibrate(srv, args.control))
    if args.clear_cache_every > 0:
        for k in args.sessions or [8]:
            for revisit in (False, True):
                for every in (0.0, args.clear_cache_every):
                    measure(
                        lambda srv, k=k, revisit=revisit, every=every: thinking(
                            srv, k, args.think, args.duration, args.control, 1000 * k, revisit, every
                        )
                    )
    else:
        for k in args.sessions or [8, 16, 30]:
            measure(lambda srv, k=k: at_once(srv, k, args.rounds, args.control))
        for k in args.sessions or [8, 16, 30]:
            measure(lambda srv, k=k: thinking(srv, k, args.think, args.duration, args.control, 1000 * k))
    print(load())
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))


if __name__ == "__main__":
    main()
