"""Links: a scene's URL query <-> the plain scene document (``scenes.document``'s shape).

URL format, version 1 (only values that differ from the default scene are written, except ``v``)::

    v=1                                   format version
    ls=ravine                             landscape key
    lp=kappa:50,angle:0.3                 landscape parameters, name:value pairs (text percent-quoted,
                                          flags true/false: lp=source:diabetes,feature:2,standardize:true)
    f=x**2 + 3*y**2                       a landscape parameter with a URL key of its own
    win=-3,3,-2,2                         (the typed formula, its view window xmin,xmax,ymin,ymax)
    run=momentum:lr=0.001,momentum=0.9;bs=8;label=Heavy ball
                                          one per run, in order: kind, then hyperparameters
                                          name=value (bool true/false, text percent-quoted),
                                          ;bs= the run's batch size, ;sched= its own schedule
                                          (as sched= below), ;avg= Polyak averaging from that step,
                                          ;label= last and verbatim
    start=-1.5,2                          one per start point
    steps=800  seed=3  tol=0.001
    sched=cosine:total=500,min_factor=0.1 schedule kind, then its non-default fields
    noise=0.5:8                           gradient noise sigma[:batch size]
    surface=1  animate=1  logloss=0  present=1      view flags (1/0)

Floats are written with ``repr`` so they read back bit for bit. Repeated keys (``run``,
``start``) come as lists (``st.query_params.get_all``); a single string is accepted too. Reading
never checks values: leaves stay text for ``scenes.reader``, which checks links and files alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

import landscapes
from scenes import limits
from scenes.document import fmt, to_dict
from scenes.model import Scene, View
from settings import spec_of


def _url_key(f: dataclasses.Field) -> str:
    spec = spec_of(f)
    return (spec.url if spec is not None else "") or f.name


# URL keys of the view flags, by View field
VIEW_KEYS = {f.name: _url_key(f) for f in dataclasses.fields(View)}


def scalar_keys() -> dict[str, list[str]]:
    """URL key -> the scene's number settings written under it, joined by ``:`` (``noise=sigma:B``)."""
    out: dict[str, list[str]] = {}
    for f in dataclasses.fields(Scene):
        if f.name in Scene.scalar_settings():
            out.setdefault(_url_key(f), []).append(f.name)
    return out


_REPEATED = ("run", "start")
NOT_IN_LINKS = ("csv",)  # an uploaded file's text: scene files carry it, links never do
URL_SAFE = ":,;=*()/"  # left unescaped in links (all legal in a query): keeps them readable


def landscape_url_fields() -> dict[str, dataclasses.Field]:
    """URL key -> parameter field, for landscape parameters declared with a URL key of their own."""
    out = {}
    for name in landscapes.names():
        for f in dataclasses.fields(landscapes.landscape_class(name)):
            spec = spec_of(f)
            if spec is not None and spec.url:
                out[spec.url] = f
    return out


# every URL key this codec reads (an app may drop other keys before calling ``doc_from_query``)
KEYS = frozenset(
    {"v", "ls", "lp", "run", "start", "sched", *scalar_keys(), *landscape_url_fields(), *VIEW_KEYS.values()}
)


# ==== writing: plain dict -> URL ================================================================
def _fmt_value(v: Any) -> str:
    return quote(v, safe="") if isinstance(v, str) else fmt(v)


def _joined(value: Any) -> str:
    return ",".join(fmt(v) for v in value) if isinstance(value, (list, tuple)) else str(value)


def _schedule_text(schedule: Mapping[str, Any], default: Mapping[str, Any]) -> str:
    """``'cosine:total=500,min_factor=0.1'``: the kind, then the fields differing from its defaults."""
    changed = [f"{k}={fmt(v)}" for k, v in schedule.items() if k != "kind" and v != default.get(k)]
    return schedule["kind"] + (":" + ",".join(changed) if changed else "")


def _schedule_defaults(kind: str) -> dict[str, Any]:
    from optimizers import make_schedule
    from scenes.document import schedule_dict

    return schedule_dict(make_schedule(kind))


def _run_text(r: Mapping[str, Any]) -> str:
    text = r["kind"]
    if r["hparams"]:
        text += ":" + ",".join(f"{k}={_fmt_value(v)}" for k, v in r["hparams"].items())
    if r["batch_size"]:
        text += f";bs={r['batch_size']}"
    if r["schedule"] is not None:
        text += ";sched=" + _schedule_text(r["schedule"], _schedule_defaults(r["schedule"]["kind"]))
    if r["average_from"] >= 0:
        text += f";avg={r['average_from']}"
    if r["label"]:
        text += ";label=" + r["label"]
    return text


def query_from_doc(doc: Mapping[str, Any], batch_size: int | None = None) -> dict[str, str | list[str]]:
    """A scene document as URL query parameters: ``v`` and the values differing from the default
    scene's, the batch size from ``batch_size`` when given (its landscape's default: a data
    landscape's full batch, which a link without one reads as)."""
    d = to_dict(Scene())
    if batch_size is not None:
        d["batch_size"] = batch_size
    q: dict[str, str | list[str]] = {"v": str(doc["version"])}
    if doc["landscape"] != d["landscape"]:
        q["ls"] = doc["landscape"]
    own = {f.name: key for key, f in landscape_url_fields().items()}
    shared = {k: v for k, v in doc["landscape_params"].items() if k not in own and k not in NOT_IN_LINKS}
    if shared:
        q["lp"] = ",".join(f"{k}:{_fmt_value(v)}" for k, v in shared.items())
    for k, v in doc["landscape_params"].items():
        if k in own:
            q[own[k]] = _joined(v)
    if doc["runs"] != d["runs"]:
        q["run"] = [_run_text(r) for r in doc["runs"]]
    if doc["starts"] != d["starts"]:
        q["start"] = [_joined(s) for s in doc["starts"]]
    if doc["schedule"] != d["schedule"]:
        q["sched"] = _schedule_text(doc["schedule"], _schedule_defaults(doc["schedule"]["kind"]))
    for key, names in scalar_keys().items():
        values, defaults = [doc[n] for n in names], [d[n] for n in names]
        if values != defaults:
            n = len(values)
            while n > 1 and values[n - 1] == defaults[n - 1]:  # trailing defaults are left out
                n -= 1
            q[key] = ":".join(fmt(v) for v in values[:n])
    for name, key in VIEW_KEYS.items():
        if doc["view"][name] != d["view"][name]:
            q[key] = "1" if doc["view"][name] else "0"
    return q


# ==== reading: URL -> plain dict ================================================================
def _short(value: Any, n: int = 40) -> str:
    """A value for a warning: numbers as written, anything else quoted and cut to ``n`` characters."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt(value)
    text = value if isinstance(value, str) else repr(value)
    return repr(text if len(text) <= n else text[: n - 1] + "…")


def _values(params: Mapping[str, Any], key: str, warn: list[str]) -> list[str]:
    raw = params[key]
    items = list(raw) if isinstance(raw, (list, tuple)) else [raw]
    out = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            out.append(str(item))
        else:
            warn.append(f"ignored {key}: not text")
    return out


def _pairs(text: str, sep: str, where: str, warn: list[str]) -> dict[str, str]:
    """``'a:1,b:2'`` -> ``{'a': '1', 'b': '2'}`` (with ``sep`` ``':'``), warning on junk."""
    out: dict[str, str] = {}
    for piece in text.split(","):
        if not piece.strip():
            continue
        name, found, value = piece.partition(sep)
        name = name.strip()
        if not found or not name:
            warn.append(f"{where}: ignored {_short(piece)} (expected name{sep}value)")
            continue
        if name in out:
            warn.append(f"{where}: {name} given twice; used the last")
            out.pop(name)
        out[name] = value.strip()
    return out


def _run_doc(text: str, i: int, warn: list[str]) -> dict[str, Any]:
    head, found, label = text.partition(";label=")
    parts = head.split(";")
    kind, _, hp_text = parts[0].partition(":")
    hparams = {k: unquote(v) for k, v in _pairs(hp_text, "=", f"run {i}", warn).items()}
    doc: dict[str, Any] = {"kind": kind.strip(), "hparams": hparams}
    if found:
        doc["label"] = label
    for part in parts[1:]:
        name, eq, value = part.partition("=")
        if eq and name.strip() == "bs":
            doc["batch_size"] = value.strip()
        elif eq and name.strip() == "sched":
            doc["schedule"] = _schedule_doc(value, f"run {i} schedule", warn)
        elif eq and name.strip() == "avg":
            doc["average_from"] = value.strip()
        elif part.strip():
            warn.append(f"run {i}: ignored {_short(part)}")
    return doc


def _schedule_doc(text: str, where: str, warn: list[str]) -> dict[str, str]:
    kind, _, rest = text.partition(":")
    return {"kind": kind.strip(), **_pairs(rest, "=", where, warn)}


def doc_from_query(params: Mapping[str, Any], warn: list[str]) -> dict[str, Any]:
    """URL query parameters -> the plain scene dict (leaves still text), warning on junk."""
    doc: dict[str, Any] = {}
    unknown = sorted(str(k) for k in params if k not in KEYS)
    if unknown:
        warn.append(
            "ignored unknown link parameters: "
            + ", ".join(_short(k, 20) for k in unknown[:5])
            + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        )
    values = {k: _values(params, k, warn) for k in params if k in KEYS}
    one: dict[str, str] = {}
    for k, vs in values.items():
        if not vs or k in _REPEATED:
            continue
        if len(set(vs)) > 1:
            warn.append(f"several values for {k}; used the last")
        one[k] = vs[-1]
    if "v" in one:
        doc["version"] = one["v"]
    if "ls" in one:
        doc["landscape"] = one["ls"].strip()
    params: dict[str, Any] = {}
    if "lp" in one:
        params.update({k: unquote(v) for k, v in _pairs(one["lp"], ":", "landscape parameters", warn).items()})
    for key, f in landscape_url_fields().items():
        if key in one:  # text as it is; anything else is a list of numbers
            params[f.name] = one[key] if isinstance(f.default, str) else one[key].split(",")
    if params:
        doc["landscape_params"] = params
    runs = values.get("run", [])
    if runs:
        if len(runs) > limits.MAX_RUNS:
            warn.append(f"kept the first {limits.MAX_RUNS} of {len(runs)} runs")
        doc["runs"] = [_run_doc(t, i + 1, warn) for i, t in enumerate(runs[: limits.MAX_RUNS])]
    starts = values.get("start", [])
    if starts:
        if len(starts) > limits.MAX_STARTS:
            warn.append(f"kept the first {limits.MAX_STARTS} of {len(starts)} start points")
        doc["starts"] = [t.split(",") for t in starts[: limits.MAX_STARTS]]
    for key, names in scalar_keys().items():
        if key in one:
            parts = one[key].split(":")
            if len(parts) > len(names):
                warn.append(f"{key}: ignored {_short(':'.join(parts[len(names) :]))} (expected {':'.join(names)})")
            doc.update(zip(names, parts, strict=False))
    if "sched" in one:
        doc["schedule"] = _schedule_doc(one["sched"], "schedule", warn)
    view = {name: one[key] for name, key in VIEW_KEYS.items() if key in one}
    if view:
        doc["view"] = view
    return doc
