"""``streamlit run`` with every script run profiled, for ``benchmarks/classroom_profile.py``.

Wraps Streamlit's ``ScriptRunner._run_script`` (one call serves one rerun request, and the
``st.rerun()`` the script asks for inside it) before the server starts: each call runs under its
own ``cProfile.Profile`` (script threads are separate, so one profiler per call sees exactly that
run) and writes ``NNNNN.prof`` (the profile) and ``NNNNN.json`` (the run's thread CPU seconds,
wall seconds, whether it was a fragment rerun) to the folder named by ``PROFILE_DIR``. Nothing
else changes. ``PROFILE_OFF=1``: only the JSON files (no profiler, no overhead).

Run: ``PROFILE_DIR=/tmp/prof python benchmarks/profiling_server.py app.py [streamlit options]``.
"""

from __future__ import annotations

import cProfile
import functools
import itertools
import json
import os
import sys
import threading
import time
from pathlib import Path

_LOCK = threading.Lock()
_COUNTER = itertools.count()


def profiled(fn):
    """``ScriptRunner._run_script`` that records each call's cost (and profile) in ``PROFILE_DIR``."""
    out = Path(os.environ["PROFILE_DIR"])
    keep_profile = os.environ.get("PROFILE_OFF", "") != "1"

    @functools.wraps(fn)
    def wrapper(self, rerun_data):
        prof = cProfile.Profile() if keep_profile else None
        c0, t0 = time.thread_time(), time.perf_counter()
        if prof is not None:
            prof.enable()
        try:
            return fn(self, rerun_data)
        finally:
            if prof is not None:
                prof.disable()
            cpu, wall = time.thread_time() - c0, time.perf_counter() - t0
            with _LOCK:
                n = next(_COUNTER)
            fragment = bool(rerun_data.fragment_id_queue or rerun_data.fragment_id)
            if prof is not None:
                prof.dump_stats(out / f"{n:05d}.prof")
            (out / f"{n:05d}.json").write_text(json.dumps({"cpu": cpu, "wall": wall, "fragment": fragment}))

    return wrapper


def main() -> None:
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
    from streamlit.web import cli

    ScriptRunner._run_script = profiled(ScriptRunner._run_script)
    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
