"""Share a scene as a short URL query or a JSON file, and read one back without ever raising.

URL format, version 1 (only values that differ from ``Scene()`` are written, except ``v``)::

    v=1                                   format version
    ls=ravine                             landscape key ("custom": the formula in f=)
    lp=kappa:50,angle:0.3                 landscape parameters, name:value pairs
    f=x**2 + 3*y**2                       formula of a custom landscape
    win=-3,3,-2,2                         view window xmin,xmax,ymin,ymax
    run=momentum:lr=0.001,momentum=0.9;bs=8;label=Heavy ball
                                          one per run, in order: kind, then hyperparameters
                                          name=value (bool true/false, text percent-quoted),
                                          ;bs= the run's batch size, ;sched= its own schedule
                                          (as sched= below), ;label= last and verbatim
    start=-1.5,2                          one per start point
    steps=800  seed=3  tol=0.001
    sched=cosine:total=500,min_factor=0.1 schedule kind, then its non-default fields
    noise=0.5:8                           gradient noise sigma[:batch size]
    surface=0  animate=1  logloss=0  present=1      view flags (1/0)

Floats are written with ``repr`` so they read back bit for bit. Repeated keys (``run``,
``start``) come as lists (``st.query_params.get_all``); a single string is accepted too.

Both the URL and the JSON form are decoded to one plain dict (the JSON document's shape) and
checked by one validator: what can be read is used, the rest falls back to the defaults, values
out of range are clamped or dropped, and every ignored piece adds a short warning. The scene
returned always satisfies ``scene.problems() == []``.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import landscapes
import optimizers
from landscapes.base import Window
from optimizers import Schedule
from scenes import limits
from scenes.model import RunSpec, Scene, View

FORMAT = "optimizer-landscape-scene"
VERSION = 1
MAX_JSON_CHARS = 100_000  # bigger scene files are refused
MAX_FORMULA = 1000  # characters of a custom formula
MAX_NUMBER_TEXT = 64  # characters of one number
MAX_ABS_COORD = 1e6  # |window bound|
CUSTOM_WINDOW = (-3.0, 3.0, -3.0, 3.0)  # Scene.landscape_obj's window for a custom formula
START_MARGIN = 1.0  # starts are clamped to the view window grown by this many widths per side

# URL keys of the view flags, in order
VIEW_KEYS = {"surface": "surface", "animate": "animate", "log_loss": "logloss", "presentation": "present"}
# every URL key this codec reads (an app may drop other keys before calling ``from_query``)
KEYS = frozenset(
    {"v", "ls", "lp", "f", "win", "run", "start", "steps", "sched", "noise", "seed", "tol", *VIEW_KEYS.values()}
)
_REPEATED = ("run", "start")
URL_SAFE = ":,;=*()/"  # left unescaped in links (all legal in a query): keeps them readable

_INT = re.compile(r"[+-]?[0-9]+")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


# ==== writing ===================================================================================
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


def _fmt_value(v: Any) -> str:
    return quote(v, safe="") if isinstance(v, str) else fmt(v)


def _schedule_text(schedule: Schedule) -> str:
    """``'cosine:total=500,min_factor=0.1'``: the kind, then the fields differing from ``Schedule()``."""
    d = Schedule()
    changed = [
        f"{f.name}={fmt(getattr(schedule, f.name))}"
        for f in dataclasses.fields(Schedule)
        if f.name != "kind" and getattr(schedule, f.name) != getattr(d, f.name)
    ]
    return schedule.kind + (":" + ",".join(changed) if changed else "")


def _run_text(r: RunSpec) -> str:
    text = r.kind
    if r.hparams:
        text += ":" + ",".join(f"{k}={_fmt_value(v)}" for k, v in r.hparams)
    if r.batch_size:
        text += f";bs={r.batch_size}"
    if r.schedule is not None:
        text += ";sched=" + _schedule_text(r.schedule)
    if r.average_from >= 0:
        text += f";avg={r.average_from}"
    if r.label:
        text += ";label=" + r.label
    return text


def to_query(scene: Scene) -> dict[str, str | list[str]]:
    """The scene as URL query parameters (values differing from ``Scene()``, plus ``v``)."""
    d = Scene()
    q: dict[str, str | list[str]] = {"v": str(VERSION)}
    if scene.landscape != d.landscape:
        q["ls"] = scene.landscape
    if scene.landscape_params:
        q["lp"] = ",".join(f"{k}:{fmt(v)}" for k, v in scene.landscape_params)
    if scene.formula:
        q["f"] = scene.formula
    if scene.window is not None:
        q["win"] = ",".join(fmt(v) for v in scene.window)
    if scene.runs != d.runs:
        q["run"] = [_run_text(r) for r in scene.runs]
    if scene.starts != d.starts:
        q["start"] = [f"{fmt(x)},{fmt(y)}" for x, y in scene.starts]
    if scene.steps != d.steps:
        q["steps"] = fmt(scene.steps)
    if scene.schedule != d.schedule:
        q["sched"] = _schedule_text(scene.schedule)
    if (scene.noise_sigma, scene.batch_size) != (d.noise_sigma, d.batch_size):
        q["noise"] = fmt(scene.noise_sigma) + (f":{fmt(scene.batch_size)}" if scene.batch_size != d.batch_size else "")
    if scene.seed != d.seed:
        q["seed"] = fmt(scene.seed)
    if scene.tol != d.tol:
        q["tol"] = fmt(scene.tol)
    for name, key in VIEW_KEYS.items():
        if getattr(scene.view, name) != getattr(d.view, name):
            q[key] = "1" if getattr(scene.view, name) else "0"
    return q


def scene_url(scene: Scene, base: str = "") -> str:
    """``base?query`` for the scene (``base`` may be empty for a relative link)."""
    return base + "?" + urlencode(to_query(scene), doseq=True, safe=URL_SAFE)


def to_dict(scene: Scene) -> dict[str, Any]:
    """The scene as a plain JSON-ready document (every field, with the format header)."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "landscape": scene.landscape,
        "landscape_params": dict(scene.landscape_params),
        "formula": scene.formula,
        "window": list(scene.window) if scene.window is not None else None,
        "runs": [
            {
                "kind": r.kind,
                "hparams": dict(r.hparams),
                "label": r.label,
                "batch_size": r.batch_size,
                "schedule": None if r.schedule is None else dataclasses.asdict(r.schedule),
                "average_from": r.average_from,
            }
            for r in scene.runs
        ],
        "starts": [list(s) for s in scene.starts],
        "steps": scene.steps,
        "schedule": dataclasses.asdict(scene.schedule),
        "noise_sigma": scene.noise_sigma,
        "batch_size": scene.batch_size,
        "seed": scene.seed,
        "tol": scene.tol,
        "view": dataclasses.asdict(scene.view),
    }


def to_json(scene: Scene) -> str:
    """A pretty JSON scene file (floats written with ``repr``: they read back bit for bit)."""
    return json.dumps(to_dict(scene), indent=2, ensure_ascii=False) + "\n"


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
    if "lp" in one:
        doc["landscape_params"] = _pairs(one["lp"], ":", "landscape parameters", warn)
    if "f" in one:
        doc["formula"] = one["f"]
    if "win" in one:
        doc["window"] = one["win"].split(",")
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
    for key in ("steps", "seed", "tol"):
        if key in one:
            doc[key] = one[key]
    if "sched" in one:
        doc["schedule"] = _schedule_doc(one["sched"], "schedule", warn)
    if "noise" in one:
        sigma, found, batch = one["noise"].partition(":")
        doc["noise_sigma"] = sigma
        if found:
            doc["batch_size"] = batch
    view = {name: one[key] for name, key in VIEW_KEYS.items() if key in one}
    if view:
        doc["view"] = view
    return doc


# ==== the one validator: plain dict -> Scene ====================================================
class _Reader:
    """Typed reads of plain values with warnings. ``strict``: text where a number or flag is
    expected is accepted but reported (JSON files); URL values are all text anyway."""

    def __init__(self, warn: list[str], strict: bool) -> None:
        self.warn = warn
        self.strict = strict

    def _text_value(self, value: str, what: str, kind: str = "number") -> str:
        if self.strict:
            self.warn.append(f"{what}: read the text {_short(value)} as a {kind}")
        return value.strip()

    def number(self, value: Any, what: str) -> float | None:
        if isinstance(value, bool):
            self.warn.append(f"ignored {what}={value} (expected a number)")
            return None
        if isinstance(value, (int, float)):
            try:
                x = float(value)
            except OverflowError:  # an int too big for a float
                x = math.inf if value > 0 else -math.inf
        elif isinstance(value, str):
            text = self._text_value(value, what)
            try:
                if len(text) > MAX_NUMBER_TEXT:
                    raise ValueError
                x = float(text)
            except ValueError:
                self.warn.append(f"ignored {what}={_short(value)} (not a number)")
                return None
        else:
            self.warn.append(f"ignored {what}: expected a number, got {type(value).__name__}")
            return None
        if math.isnan(x):
            self.warn.append(f"ignored {what}=nan")
            return None
        return x

    def integer(self, value: Any, what: str) -> int | float | None:
        """An int, or ±inf for an infinite value (callers clamp), or ``None``."""
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and len(value) <= MAX_NUMBER_TEXT and _INT.fullmatch(value.strip()):
            self._text_value(value, what)
            return int(value.strip())
        x = self.number(value, what)
        if x is None:
            return None
        if math.isinf(x):
            return x
        if not x.is_integer():
            self.warn.append(f"ignored {what}={_short(value)} (not a whole number)")
            return None
        return int(x)

    def flag(self, value: Any, what: str) -> bool | None:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return self._text_value(value, what, "flag").lower() in _TRUE
        if isinstance(value, (int, float)) and value in (0, 1):
            if self.strict:
                self.warn.append(f"{what}: read {value} as a flag (expected true/false)")
            return bool(value)
        self.warn.append(f"ignored {what}={_short(value)} (expected true/false)")
        return None

    def text(self, value: Any, what: str) -> str | None:
        if isinstance(value, str):
            return value
        self.warn.append(f"ignored {what}: expected text, got {type(value).__name__}")
        return None

    def mapping(self, value: Any, what: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.warn.append(f"ignored {what}: expected an object of name/value pairs, got {type(value).__name__}")
        return None

    def listing(self, value: Any, what: str) -> list[Any] | None:
        if isinstance(value, (list, tuple)):
            return list(value)
        self.warn.append(f"ignored {what}: expected a list, got {type(value).__name__}")
        return None

    def clamped(self, x: float, lo: float, hi: float, what: str, shown: Any = None) -> float:
        if lo <= x <= hi:
            return x
        y = min(max(x, lo), hi)
        self.warn.append(f"{what}={fmt(x) if shown is None else shown} clamped to {fmt(y)}")
        return y

    def int_in(self, value: Any, lo: int, hi: int, what: str) -> int | None:
        x = self.integer(value, what)
        if x is None:
            return None
        return int(self.clamped(x, lo, hi, what, shown=fmt(x) if isinstance(x, float) else x))

    def float_in(self, value: Any, lo: float, hi: float, what: str) -> float | None:
        x = self.number(value, what)
        return None if x is None else self.clamped(x, lo, hi, what)


def _field_default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None


def _read_fields(
    cls: type,
    values: Mapping[str, Any],
    rd: _Reader,
    where: str,
    build: Callable[[dict[str, Any]], Any],
    skip: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Read ``values`` as keyword arguments of dataclass ``cls``: each typed by its field's default
    (bool, int, text, else float), range-checked by its ``hyper`` metadata, then kept only if
    ``build(kept | {name: value})`` still succeeds. Returns the kept values in input order."""
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and f.name not in skip}
    kept: dict[str, Any] = {}
    for name, raw in values.items():
        f = fields.get(name) if isinstance(name, str) else None
        if f is None:
            rd.warn.append(f"{where}: ignored unknown parameter {_short(name, 20)}")
            continue
        default = _field_default(f)
        what = f"{where}: {name}"
        if isinstance(default, bool):
            value = rd.flag(raw, what)
        elif isinstance(default, int):
            value = rd.integer(raw, what)
            if isinstance(value, float):  # infinite
                rd.warn.append(f"ignored {what}={fmt(value)} (not finite)")
                value = None
        elif isinstance(default, (float, type(None))):
            value = rd.number(raw, what)
        else:  # text, or a nested config named by its kind (Polyak's ``inner``)
            value = rd.text(raw, what)
        if value is None:
            continue
        m = f.metadata
        if "lo" in m and not isinstance(value, (bool, str)):
            lo, hi = m["lo"], m["hi"]
            ok = math.isfinite(value) and value <= hi and (value > lo if m.get("lo_open") else value >= lo)
            if not ok:
                rd.warn.append(
                    f"ignored {what}={fmt(value)} (must be in {'(' if m.get('lo_open') else '['}"
                    f"{fmt(lo)}, {fmt(hi)}]); used the default"
                )
                continue
        try:
            build({**kept, name: value})
        except Exception as exc:  # the class's own checks (e.g. Nesterov needs momentum)
            rd.warn.append(f"ignored {what}={_short(value)}: {exc}")
            continue
        kept[name] = value
    return kept


def _read_landscape(doc: Mapping[str, Any], rd: _Reader) -> tuple[str, tuple, str, tuple | None, Any]:
    """Landscape key, params, formula, window and the landscape object."""
    default = Scene()
    window = _read_window(doc.get("window"), rd) if doc.get("window") is not None else None
    name = default.landscape
    if "landscape" in doc:
        got = rd.text(doc["landscape"], "landscape")
        if got is not None and got != "custom" and got not in landscapes.names():
            rd.warn.append(f"ignored unknown landscape {_short(got)}; using {default.landscape}")
        elif got is not None:
            name = got
    formula_raw = doc.get("formula", "")
    formula = rd.text(formula_raw, "formula") or ""
    if name != "custom":
        if formula:
            rd.warn.append(f"ignored the formula: landscape {name!r} is not custom")
        params = _read_landscape_params(name, doc.get("landscape_params"), rd)
        return name, params, "", window, landscapes.get(name, **dict(params))
    if doc.get("landscape_params"):
        rd.warn.append("ignored landscape parameters: a custom formula has none")
    obj, problem = _custom(formula, window)
    if obj is not None:
        return "custom", (), formula, window, obj
    rd.warn.append(f"ignored formula {_short(formula)}: {problem}; fell back to {default.landscape}")
    return default.landscape, (), "", window, landscapes.get(default.landscape)


def _custom(formula: str, window: tuple | None) -> tuple[Any, str]:
    """``(landscape, '')`` for a valid formula, else ``(None, reason)``."""
    if not formula.strip():
        return None, "empty"
    if len(formula) > MAX_FORMULA:
        return None, f"longer than {MAX_FORMULA} characters"
    try:
        from landscapes.custom import make_custom
    except ImportError:
        return None, "custom formulas are not available"
    try:
        obj = make_custom(formula, window=window or CUSTOM_WINDOW)
    except Exception as exc:  # FormulaError, ValueError, or whatever a hostile formula provokes
        return None, str(exc) or type(exc).__name__
    return obj, ""


def _read_landscape_params(name: str, raw: Any, rd: _Reader) -> tuple[tuple[str, float], ...]:
    if raw is None:
        return ()
    values = rd.mapping(raw, "landscape parameters")
    if not values:
        return ()
    cls = landscapes.landscape_class(name)
    clamped: dict[str, Any] = {}
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    for k, v in values.items():
        if k not in names:
            rd.warn.append(f"{name}: ignored unknown parameter {_short(k, 20)}")
            continue
        x = rd.number(v, f"{name} {k}")
        if x is None:
            continue
        if k in cls.param_bounds:
            lo, hi = cls.param_bounds[k]
            x = rd.clamped(x, lo, hi, f"{name} {k}")
        clamped[k] = x
    kept = _read_fields(cls, clamped, rd, name, lambda kw: cls(**kw))
    return tuple((k, float(v)) for k, v in kept.items())


def _read_window(raw: Any, rd: _Reader) -> tuple[float, float, float, float] | None:
    items = rd.listing(raw, "window")
    if items is None:
        return None
    if len(items) != 4:
        rd.warn.append(f"ignored window: expected 4 numbers (xmin, xmax, ymin, ymax), got {len(items)}")
        return None
    nums = [rd.number(v, "window") for v in items]
    if any(v is None for v in nums):
        return None
    win = tuple(float(v) for v in nums)  # type: ignore[arg-type]
    if not all(math.isfinite(v) and abs(v) <= MAX_ABS_COORD for v in win):
        rd.warn.append(f"ignored window: bounds must be finite and within ±{MAX_ABS_COORD:g}")
        return None
    if not (win[1] - win[0] > 1e-9 and win[3] - win[2] > 1e-9):
        rd.warn.append("ignored window: need xmin < xmax and ymin < ymax")
        return None
    return win  # type: ignore[return-value]


def _read_runs(raw: Any, rd: _Reader) -> tuple[RunSpec, ...]:
    default = Scene().runs
    items = rd.listing(raw, "runs")
    if items is None:
        return default
    if len(items) > limits.MAX_RUNS:
        rd.warn.append(f"kept the first {limits.MAX_RUNS} of {len(items)} runs")
        items = items[: limits.MAX_RUNS]
    runs = [r for i, item in enumerate(items) if (r := _read_run(item, i + 1, rd)) is not None]
    if not runs:
        rd.warn.append("no usable run; using the default runs")
        return default
    return tuple(runs)


def _read_run(raw: Any, i: int, rd: _Reader) -> RunSpec | None:
    if not isinstance(raw, Mapping):
        rd.warn.append(f"ignored run {i}: expected an object, got {type(raw).__name__}")
        return None
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in optimizers.names():
        rd.warn.append(f"ignored run {i}: unknown optimizer {_short(kind)}")
        return None
    cls = optimizers.optimizer_class(kind)
    where = f"run {i} ({kind})"
    hparams: dict[str, Any] = {}
    if raw.get("hparams") is not None:
        values = rd.mapping(raw["hparams"], f"{where} hyperparameters")
        if values:
            hparams = _read_fields(cls, values, rd, where, lambda kw: optimizers.make(kind, **kw), skip=())
    label = ""
    if raw.get("label") is not None:
        label = rd.text(raw["label"], f"{where} label") or ""
        clean = "".join(c for c in label if c.isprintable())
        if clean != label:
            rd.warn.append(f"{where}: removed control characters from the label")
        if len(clean) > limits.MAX_LABEL:
            rd.warn.append(f"{where}: label cut to {limits.MAX_LABEL} characters")
            clean = clean[: limits.MAX_LABEL]
        label = clean
    bs = 0
    if raw.get("batch_size") is not None:
        got = rd.int_in(raw["batch_size"], 0, 1_000_000, f"{where} batch size")
        bs = got if got is not None else 0
    schedule = None
    if raw.get("schedule") is not None:
        schedule = _read_schedule(raw["schedule"], rd, f"{where} schedule")
    average_from = -1
    if raw.get("average_from") is not None:
        got = rd.int_in(raw["average_from"], -1, limits.MAX_STEPS, f"{where} averaging start")
        average_from = got if got is not None else -1
        if average_from >= 0 and kind == "polyak":
            rd.warn.append(f"{where}: Polyak averaging is already the optimizer; ignored the averaging start")
            average_from = -1
    unknown = [k for k in raw if k not in ("kind", "hparams", "label", "batch_size", "schedule", "average_from")]
    if unknown:
        rd.warn.append(f"{where}: ignored unknown fields " + ", ".join(_short(str(k), 20) for k in unknown[:5]))
    return RunSpec(kind, tuple(hparams.items()), label, bs, schedule, average_from)


def _start_box(obj: Any, window: tuple | None) -> Window:
    w = obj.window
    if window is not None:
        w = Window(min(w.xmin, window[0]), max(w.xmax, window[1]), min(w.ymin, window[2]), max(w.ymax, window[3]))
    return w.expanded(START_MARGIN)


def _read_starts(raw: Any, box: Window, rd: _Reader) -> tuple[tuple[float, float], ...]:
    default = Scene().starts
    items = rd.listing(raw, "start points")
    if items is None:
        return default
    if len(items) > limits.MAX_STARTS:
        rd.warn.append(f"kept the first {limits.MAX_STARTS} of {len(items)} start points")
        items = items[: limits.MAX_STARTS]
    out = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            rd.warn.append(f"ignored start {i}: expected two numbers x,y")
            continue
        x, y = rd.number(item[0], f"start {i} x"), rd.number(item[1], f"start {i} y")
        if x is None or y is None:
            rd.warn.append(f"ignored start {i}")
            continue
        x = rd.clamped(x, box.xmin, box.xmax, f"start {i} x")
        y = rd.clamped(y, box.ymin, box.ymax, f"start {i} y")
        out.append((x, y))
    if not out:
        rd.warn.append("no usable start point; using the default")
        return default
    return tuple(out)


def _read_schedule(raw: Any, rd: _Reader, where: str = "schedule") -> Schedule:
    values = rd.mapping(raw, where)
    if values is None:
        return Schedule()
    kind = values.get("kind", "constant")
    if not isinstance(kind, str) or kind not in _schedule_kinds():
        rd.warn.append(f"ignored {where}: unknown kind {_short(kind)}")
        return Schedule()
    rest = {k: v for k, v in values.items() if k != "kind"}
    kept = _read_fields(Schedule, rest, rd, f"{where} {kind}", lambda kw: Schedule(kind, **kw), skip=("kind",))
    return Schedule(kind, **kept)


def _schedule_kinds() -> tuple[str, ...]:
    from optimizers.schedules import KINDS

    return KINDS


def _read_view(raw: Any, rd: _Reader) -> View:
    values = rd.mapping(raw, "view")
    if values is None:
        return View()
    kept = {}
    for f in dataclasses.fields(View):
        if f.name in values:
            v = rd.flag(values[f.name], f"view {f.name}")
            if v is not None:
                kept[f.name] = v
    unknown = [k for k in values if k not in {f.name for f in dataclasses.fields(View)}]
    if unknown:
        rd.warn.append("ignored unknown view options " + ", ".join(_short(str(k), 20) for k in unknown[:5]))
    return View(**kept)


_DOC_KEYS = {
    "format",
    "version",
    "landscape",
    "landscape_params",
    "formula",
    "window",
    "runs",
    "starts",
    "steps",
    "schedule",
    "noise_sigma",
    "batch_size",
    "seed",
    "tol",
    "view",
}


def from_dict(doc: Any, strict: bool = True) -> tuple[Scene, list[str]]:
    """Validate a plain scene dict (the JSON document's shape). ``strict=False`` takes text
    leaves as URL values (no warning for numbers given as text). Never raises."""
    warn: list[str] = []
    try:
        scene = _from_dict(doc, _Reader(warn, strict))
        problems = scene.problems()
    except Exception as exc:  # a bug, not bad input: still never break the page
        warn.append(f"could not read the scene (internal error: {type(exc).__name__}: {exc}); using the default")
        return Scene(), warn
    if problems:  # should not happen: every field above was checked
        warn.append("could not read the scene (internal error: " + "; ".join(problems) + "); using the default")
        return Scene(), warn
    return scene, warn


def _from_dict(doc: Any, rd: _Reader) -> Scene:
    if not isinstance(doc, Mapping):
        rd.warn.append(f"ignored the scene: expected an object, got {type(doc).__name__}; using the default")
        return Scene()
    d = Scene()
    _check_version(doc, rd)
    unknown = [k for k in doc if k not in _DOC_KEYS]
    if unknown and rd.strict:
        rd.warn.append("ignored unknown fields " + ", ".join(_short(str(k), 20) for k in unknown[:5]))
    name, params, formula, window, obj = _read_landscape(doc, rd)
    runs = _read_runs(doc["runs"], rd) if "runs" in doc else d.runs
    starts = _read_starts(doc["starts"], _start_box(obj, window), rd) if "starts" in doc else d.starts
    steps = d.steps
    if "steps" in doc:
        got = rd.int_in(doc["steps"], 1, limits.MAX_STEPS, "steps")
        steps = got if got is not None else d.steps
    budget = limits.MAX_RACE_WORK // (len(runs) * len(starts))
    if steps > budget:
        rd.warn.append(
            f"steps={steps} reduced to {budget} to keep runs x starts x steps within {limits.MAX_RACE_WORK:,}"
        )
        steps = budget
    schedule = _read_schedule(doc["schedule"], rd) if "schedule" in doc else d.schedule

    def read(key: str, reader: Callable[..., Any], lo: Any, hi: Any) -> Any:
        if key not in doc:
            return getattr(d, key)
        got = reader(doc[key], lo, hi, key.replace("_", " "))
        return getattr(d, key) if got is None else got

    return Scene(
        landscape=name,
        landscape_params=params,
        formula=formula,
        window=window,
        runs=runs,
        starts=starts,
        steps=steps,
        schedule=schedule,
        noise_sigma=read("noise_sigma", rd.float_in, 0.0, 1e3),
        batch_size=read("batch_size", rd.int_in, 1, 1_000_000),
        seed=read("seed", rd.int_in, 0, 2**32 - 1),
        tol=read("tol", rd.float_in, 1e-12, 10.0),
        view=_read_view(doc["view"], rd) if "view" in doc else d.view,
    )


def _check_version(doc: Mapping[str, Any], rd: _Reader) -> None:
    if "format" in doc and doc["format"] != FORMAT:
        rd.warn.append(
            f"not a scene file (format {_short(doc['format'])}, expected {FORMAT!r}); read what could be read"
        )
    if "version" not in doc:
        if rd.strict:
            rd.warn.append(f"no format version; read as version {VERSION}")
        return
    v = doc["version"]
    if str(v).strip() in (str(VERSION), f"{VERSION}.0"):
        return
    n = rd.number(v, "version")
    if n is not None and n < VERSION:
        rd.warn.append(f"version {fmt(n)} is outdated (current: {VERSION}); read what could be read")
    elif n is not None:
        rd.warn.append(f"version {fmt(n)} is newer than this app's ({VERSION}); read what could be read")
    else:
        rd.warn.append(f"unreadable version {_short(v)}; read as version {VERSION}")


# ==== public readers ===========================================================================
def from_query(params: Mapping[str, str | list[str]]) -> tuple[Scene, list[str]]:
    """A scene from URL query parameters (``str`` or ``list[str]`` values) and the warnings
    about what was ignored, clamped or reduced. Never raises."""
    warn: list[str] = []
    try:
        doc = doc_from_query(params, warn)
    except Exception as exc:
        warn.append(f"could not read the link (internal error: {type(exc).__name__}: {exc}); using the default")
        return Scene(), warn
    scene, more = from_dict(doc, strict=False)
    return scene, warn + more


def from_url(url: str) -> tuple[Scene, list[str]]:
    """A scene from a full URL or a bare query string (``'?v=1&ls=ravine'``)."""
    query = urlsplit(url).query if ("?" in url or "://" in url) else url
    return from_query(parse_qs(query, keep_blank_values=True))


def from_json(text: str | bytes) -> tuple[Scene, list[str]]:
    """A scene from a JSON scene file and the warnings. Files over ``MAX_JSON_CHARS``, malformed
    JSON or a document of the wrong shape give the default scene with a warning. Never raises."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > 4 * MAX_JSON_CHARS:
            return Scene(), [f"scene file too large ({len(text):,} bytes > {MAX_JSON_CHARS:,}); using the default"]
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            return Scene(), ["scene file is not UTF-8 text; using the default"]
    if not isinstance(text, str):
        return Scene(), [f"scene file must be text, got {type(text).__name__}; using the default"]
    if len(text) > MAX_JSON_CHARS:
        return Scene(), [f"scene file too large ({len(text):,} characters > {MAX_JSON_CHARS:,}); using the default"]
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return Scene(), [f"scene file is not valid JSON ({_short(str(exc), 80)}); using the default"]
    return from_dict(doc, strict=True)
