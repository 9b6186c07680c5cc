"""``streamlit run`` with the race page's cache misses counted, for ``benchmarks/sessions.py``.

The race page computes in cached functions (``ui/compute.py``): ``simulate`` calls
``optimizers.run`` once for the run configs it does not find in the cache, and ``landscape_grid``
calls ``figures.grid.evaluate_grid`` once per grid it does not find. This launcher wraps those two
functions, before the app first imports them, so that each call appends lines (``simulate``, one
per run config computed, or ``grid``) to the file named by ``SESSIONS_COUNT_FILE``; then it runs
Streamlit's own command line in the same process. Nothing else changes: the wrappers only count.

Run: ``SESSIONS_COUNT_FILE=/tmp/misses python benchmarks/counting_server.py app.py [streamlit
options]`` (the same options as ``streamlit run app.py``).
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import figures.grid  # noqa: E402
import optimizers  # noqa: E402

_LOCK = threading.Lock()


def counted(name: str, fn, items=lambda args: 1):
    """``fn``, appending ``name`` to the count file ``items(args)`` times at each call."""
    path = os.environ["SESSIONS_COUNT_FILE"]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _LOCK, open(path, "a") as f:
            f.write((name + "\n") * items(args))
        return fn(*args, **kwargs)

    return wrapper


def main() -> None:
    optimizers.run = counted("simulate", optimizers.run, lambda args: len(args[1]))  # (landscape, configs, ...)
    figures.grid.evaluate_grid = counted("grid", figures.grid.evaluate_grid)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *sys.argv[1:]]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
