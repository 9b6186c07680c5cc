"""A scene as a plain document (the JSON scene file's shape) and numbers as short exact text.

The document holds every field; links write only what differs from the default document.
Reading a document back (with checks and warnings) is ``scenes.reader``'s job.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

from landscapes.base import Window
from optimizers import Schedule
from scenes.model import RunSpec, Scene

FORMAT = "optimizer-landscape-scene"
VERSION = 1


def fmt(x: Any) -> str:
    """A number as short text that reads back bit for bit: ``100.0 -> '100'``, ``0.1 -> '0.1'``."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    x = float(x)
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0"
    if x.is_integer() and abs(x) < 2.0**53:
        return str(int(x))
    return repr(x)


def plain(value: Any) -> Any:
    """A parameter value as JSON-ready data: a window as its 4 bounds, tuples as lists."""
    if isinstance(value, Window):
        return [value.xmin, value.xmax, value.ymin, value.ymax]
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    return value


def schedule_dict(schedule: Any) -> dict[str, Any]:
    """``{"kind": ..., <field>: value, ...}`` with every field of the schedule: the kind's own
    fields first, then the warm-up every kind shares (so links read ``cosine:total=300,warmup=5``)."""
    fields = [f.name for f in dataclasses.fields(schedule)]
    shared = {f.name for f in dataclasses.fields(Schedule)}
    ordered = [n for n in fields if n not in shared] + [n for n in fields if n in shared]
    return {"kind": schedule.kind, **{n: getattr(schedule, n) for n in ordered}}


def run_dict(r: RunSpec) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "hparams": dict(r.hparams),
        "label": r.label,
        "batch_size": r.batch_size,
        "schedule": None if r.schedule is None else schedule_dict(r.schedule),
        "average_from": r.average_from,
    }


def to_dict(scene: Scene) -> dict[str, Any]:
    """The scene as a plain JSON-ready document (every field, with the format header)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "landscape": scene.landscape,
        "landscape_params": {k: plain(v) for k, v in scene.landscape_params},
        "runs": [run_dict(r) for r in scene.runs],
        "starts": [list(s) for s in scene.starts],
        "schedule": schedule_dict(scene.schedule),
        **{name: getattr(scene, name) for name in Scene.scalar_settings()},
        "view": dataclasses.asdict(scene.view),
    }


def to_json(scene: Scene) -> str:
    """A pretty JSON scene file (floats written with ``repr``: they read back bit for bit)."""
    return json.dumps(to_dict(scene), indent=2, ensure_ascii=False) + "\n"
