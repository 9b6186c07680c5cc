"""How many concurrent sessions one server holds while reruns stay under a second.

Starts ``streamlit run app.py`` and opens K sessions over Streamlit's own websocket protocol (the
messages a browser sends, without a browser's rendering cost on this same machine). Each session
loads the default scene; then, in rounds, every session asks for a rerun with a different number
of steps at the same moment (a class changing a control together: every rerun is a cache miss and
really computes), and the time from request to the script's end is measured per session.

A second measure, closer to a class at work (``--think S``): every session changes a control at
random moments, on average every S seconds (exponential waits), for ``--duration`` seconds, and
the rerun times are collected; the session count doubles until the 95th percentile passes 1 s.

Run: ``python -m benchmarks.sessions [--max 64] [--rounds 3] [--think 10 --duration 30]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

from tests.browser_support import streamlit_server


class Session:
    """One Streamlit session over its websocket."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = None
        self.bytes = 0

    async def connect(self) -> None:
        self.ws = await connect(self.url, max_size=None)

    async def rerun(self, query: str) -> float:
        """Request a run with ``query`` as the page's query string; seconds until it finished."""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_script_hash = ""
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        while True:
            raw = await self.ws.recv()
            self.bytes += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            if fwd.WhichOneof("type") == "script_finished":
                return time.perf_counter() - t0


async def measure(url: str, k: int, rounds: int, offset: int) -> list[float]:
    sessions = [Session(url) for _ in range(k)]
    await asyncio.gather(*(s.connect() for s in sessions))
    await asyncio.gather(*(s.rerun("v=1") for s in sessions))  # first load
    times: list[float] = []
    for r in range(rounds):
        queries = [f"v=1&steps={300 + offset + 7 * r * k + i}" for i in range(k)]
        times += await asyncio.gather(*(s.rerun(q) for s, q in zip(sessions, queries, strict=True)))
    await asyncio.gather(*(s.ws.close() for s in sessions))
    return times


async def measure_thinking(url: str, k: int, think: float, duration: float, offset: int) -> list[float]:
    """K sessions, each rerunning after exponential waits with mean ``think`` s, for ``duration`` s."""
    import random

    sessions = [Session(url) for _ in range(k)]
    await asyncio.gather(*(s.connect() for s in sessions))
    await asyncio.gather(*(s.rerun("v=1") for s in sessions))
    times: list[float] = []
    end = time.perf_counter() + duration

    async def work(i: int, s: Session) -> None:
        rng = random.Random(offset + i)
        n = 0
        while True:
            await asyncio.sleep(rng.expovariate(1.0 / think))
            if time.perf_counter() > end:
                return
            n += 1
            times.append(await s.rerun(f"v=1&steps={300 + (offset + 97 * i + n) % 4000}"))

    await asyncio.gather(*(work(i, s) for i, s in enumerate(sessions)))
    await asyncio.gather(*(s.ws.close() for s in sessions))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=64, help="largest number of sessions tried")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between one session's changes")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per session count (with --think)")
    args = parser.parse_args()
    if args.think > 0:
        with streamlit_server("app.py") as url:
            asyncio.run(measure(url, 1, 1, 0))
            k, best = 4, 0
            print(f" sessions (a change every {args.think:g} s each)  reruns  median  95th pct  slowest")
            while k <= args.max:
                times = sorted(asyncio.run(measure_thinking(url, k, args.think, args.duration, 1000 * k)))
                p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
                print(
                    f" {k:8d}  {'':31s}{len(times):6d}  {statistics.median(times):5.2f} s  {p95:6.2f} s"
                    f"  {times[-1]:6.2f} s"
                )
                if p95 < 1.0:
                    best = k
                else:
                    break
                k *= 2
            print(
                f"largest tried with 95% of reruns under 1 s: {best} sessions, each changing a control "
                f"every {args.think:g} s on average"
            )
        return
    with streamlit_server("app.py") as url:
        asyncio.run(measure(url, 1, 1, 0))  # warm imports and the grid caches
        k, offset, best = 1, 1000, 0
        print(" sessions  median rerun  95th pct  slowest")
        while k <= args.max:
            times = sorted(asyncio.run(measure(url, k, args.rounds, offset)))
            offset += 1000
            p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
            print(f" {k:8d}  {statistics.median(times):10.2f} s  {p95:7.2f} s  {times[-1]:6.2f} s")
            if p95 < 1.0:
                best = k
            else:
                break
            k *= 2
        print(f"largest tried with 95% of simultaneous reruns under 1 s: {best} sessions")


if __name__ == "__main__":
    main()
