"""The one validator: a plain scene document (from a link or a file) -> a valid ``Scene``.

What can be read is used, the rest falls back to the defaults, and every repair adds a short
warning. Each value is read by its field's declaration (``settings.hyper``): its type from the
default, out-of-range numbers clamped into the declared range (``settings.clamp_warn``), text past
its length refused, choices enforced, and the owner's own checks (a class that refuses a
combination) tried before a value is kept. The scene returned always satisfies
``scene.problems() == []``.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import landscapes
import optimizers
from landscapes.base import Landscape, Window
from optimizers import SCHEDULES, Schedule, make_schedule
from optimizers.cost import WORK_BUDGET
from scenes import limits
from scenes.document import FORMAT, VERSION, fmt
from scenes.model import RunSpec, Scene, View, default_batch_size
from settings import Spec, clamp_warn, spec_for, spec_of
from settings.validate import field_default

MAX_NUMBER_TEXT = 64  # characters of one number
START_MARGIN = 1.0  # starts are clamped to the view window grown by this many widths per side

_INT = re.compile(r"[+-]?[0-9]+")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def short(value: Any, n: int = 40) -> str:
    """A value for a warning: numbers as written, anything else quoted and cut to ``n`` characters."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt(value)
    text = value if isinstance(value, str) else repr(value)
    return repr(text if len(text) <= n else text[: n - 1] + "…")


class _Reader:
    """Typed reads of plain values with warnings. ``strict``: text where a number or flag is
    expected is accepted but reported (JSON files); URL values are all text anyway."""

    def __init__(self, warn: list[str], strict: bool) -> None:
        self.warn = warn
        self.strict = strict

    def _text_value(self, value: str, what: str, kind: str = "number") -> str:
        if self.strict:
            self.warn.append(f"{what}: read the text {short(value)} as a {kind}")
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
                self.warn.append(f"ignored {what}={short(value)} (not a number)")
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
            self.warn.append(f"ignored {what}={short(value)} (not a whole number)")
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
        self.warn.append(f"ignored {what}={short(value)} (expected true/false)")
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

    def listing(self, value: Any, what: str, limit: int = 0) -> list[Any] | None:
        """A list (its first ``limit`` items when ``limit > 0``, with a warning if cut), else ``None``."""
        if not isinstance(value, (list, tuple)):
            self.warn.append(f"ignored {what}: expected a list, got {type(value).__name__}")
            return None
        items = list(value)
        if limit and len(items) > limit:
            self.warn.append(f"kept the first {limit} of {len(items)} {what}")
            items = items[:limit]
        return items

    def value(self, f: dataclasses.Field, raw: Any, what: str) -> Any:
        """``raw`` read as field ``f`` declares it (type from the default, range and length from its
        Spec); ``None`` when it cannot be used (with a warning)."""
        spec = spec_of(f) or Spec()
        default = field_default(f)
        if isinstance(default, bool):
            return self.flag(raw, what)
        if isinstance(default, int):
            x = self.integer(raw, what)
            return None if x is None else clamp_warn(x, spec, what, self.warn, integer=True)
        if isinstance(default, float):
            x = self.number(raw, what)
            return None if x is None else clamp_warn(x, spec, what, self.warn)
        if isinstance(default, Window):
            return self.window(raw, spec, what)
        text = self.text(raw, what)  # text, or a nested config named by its kind (Polyak's ``inner``)
        if text is None:
            return None
        if spec.choices and text not in spec.choices:
            self.warn.append(f"ignored {what}={short(text)} (choose one of {', '.join(map(str, spec.choices))})")
            return None
        if spec.max_chars and len(text) > spec.max_chars:
            self.warn.append(f"ignored {what}: longer than {spec.max_chars} characters")
            return None
        return text

    def window(self, raw: Any, spec: Spec, what: str) -> tuple[float, float, float, float] | None:
        """4 numbers ``xmin, xmax, ymin, ymax``, each clamped into the declared range, ordered."""
        items = self.listing(raw, what)
        if items is None:
            return None
        if len(items) != 4:
            self.warn.append(f"ignored {what}: expected 4 numbers (xmin, xmax, ymin, ymax), got {len(items)}")
            return None
        nums = [self.number(v, what) for v in items]
        if any(v is None for v in nums):
            return None
        win = tuple(float(clamp_warn(v, spec, what, self.warn)) for v in nums if v is not None)
        if not (win[1] - win[0] > 1e-9 and win[3] - win[2] > 1e-9):
            self.warn.append(f"ignored {what}: need xmin < xmax and ymin < ymax")
            return None
        return win[0], win[1], win[2], win[3]

    def fields(
        self, cls: type, values: Mapping[str, Any], where: str, build: Callable[[dict[str, Any]], Any] | None = None
    ) -> dict[str, Any]:
        """``values`` read as keyword arguments of dataclass ``cls``, each by its declaration, kept
        only if ``build(kept | {name: value})`` still succeeds. Returns the kept values in input order."""
        known = {f.name: f for f in dataclasses.fields(cls) if f.init}
        kept: dict[str, Any] = {}
        deferred: list[tuple[str, Any, str]] = []
        for name, raw in values.items():
            f = known.get(name) if isinstance(name, str) else None
            if f is None:
                self.warn.append(f"{where}: ignored unknown parameter {short(name, 20)}")
                continue
            what = f"{where}: {name}" if where else name.replace("_", " ")
            value = self.value(f, raw, what)
            if value is None:
                continue
            if build is not None:
                try:
                    build({**kept, name: value})
                except Exception:  # the class's own checks (e.g. Nesterov needs momentum): retried below
                    deferred.append((name, value, what))
                    continue
            kept[name] = value
        # a value refused only until a later one is read (a CSV dataset before its file's text): once more
        for name, value, what in deferred:
            try:
                build({**kept, name: value})
            except Exception as exc:
                self.warn.append(f"ignored {what}={short(value)}: {exc}")
                continue
            kept[name] = value
        return {name: kept[name] for name in values if name in kept}


def _read_landscape(doc: Mapping[str, Any], rd: _Reader) -> tuple[str, tuple[tuple[str, Any], ...], Landscape]:
    """Landscape key, its parameters and the landscape object (the default one when refused)."""
    default = Scene().landscape
    name = default
    if "landscape" in doc:
        got = rd.text(doc["landscape"], "landscape")
        if got is not None and got not in landscapes.names():
            rd.warn.append(f"ignored unknown landscape {short(got)}; using {default}")
        elif got is not None:
            name = got
    raw = doc.get("landscape_params")
    values = dict(rd.mapping(raw, "landscape parameters") or {}) if raw is not None else {}
    cls = landscapes.landscape_class(name)
    own = {f.name for f in dataclasses.fields(cls)}
    for key in ("formula", "window"):  # scene files of before the typed formula became a parameter
        if doc.get(key) not in (None, "") and key not in values:
            if key in own:
                values[key] = doc[key]
            else:
                rd.warn.append(f"ignored the {key}: landscape {name!r} has no such parameter")
    params = rd.fields(cls, values, name, lambda kw: landscapes.get(name, **kw))
    try:
        return name, tuple(params.items()), landscapes.get(name, **params)
    except Exception as exc:  # a typed formula that was never given, or refuses its defaults
        rd.warn.append(f"ignored landscape {name!r}: {exc}; fell back to {default}")
        return default, (), landscapes.get(default)


def _read_runs(raw: Any, rd: _Reader) -> tuple[RunSpec, ...]:
    default = Scene().runs
    items = rd.listing(raw, "runs", limits.MAX_RUNS)
    if items is None:
        return default
    runs = [r for i, item in enumerate(items) if (r := _read_run(item, i + 1, rd)) is not None]
    if not runs:
        rd.warn.append("no usable run; using the default runs")
        return default
    return tuple(runs)


_RUN_KEYS = ("kind", "hparams", "label", "batch_size", "schedule", "average_from")


def _read_run(raw: Any, i: int, rd: _Reader) -> RunSpec | None:
    if not isinstance(raw, Mapping):
        rd.warn.append(f"ignored run {i}: expected an object, got {type(raw).__name__}")
        return None
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in optimizers.names():
        rd.warn.append(f"ignored run {i}: unknown optimizer {short(kind)}")
        return None
    cls = optimizers.optimizer_class(kind)
    where = f"run {i} ({kind})"
    hparams: dict[str, Any] = {}
    if raw.get("hparams") is not None:
        values = rd.mapping(raw["hparams"], f"{where} hyperparameters")
        if values:
            hparams = rd.fields(cls, values, where, lambda kw: optimizers.make(kind, **kw))
    label = _read_label(raw.get("label"), where, rd)
    scalars = {k: raw[k] for k in ("batch_size", "average_from") if raw.get(k) is not None}
    got = rd.fields(RunSpec, scalars, where)
    average_from = got.get("average_from", -1)
    if average_from >= 0 and kind == "polyak":
        rd.warn.append(f"{where}: Polyak averaging is already the optimizer; ignored the averaging start")
        average_from = -1
    schedule = None
    if raw.get("schedule") is not None:
        schedule = _read_schedule(raw["schedule"], rd, f"{where} schedule")
    unknown = [k for k in raw if k not in _RUN_KEYS]
    if unknown:
        rd.warn.append(f"{where}: ignored unknown fields " + ", ".join(short(str(k), 20) for k in unknown[:5]))
    return RunSpec(kind, tuple(hparams.items()), label, got.get("batch_size", 0), schedule, average_from)


def _read_label(raw: Any, where: str, rd: _Reader) -> str:
    """A run's label: printable characters only, cut to the declared length (a label is never refused)."""
    if raw is None:
        return ""
    label = rd.text(raw, f"{where} label") or ""
    clean = "".join(c for c in label if c.isprintable())
    if clean != label:
        rd.warn.append(f"{where}: removed control characters from the label")
    limit = spec_for(RunSpec, "label").max_chars
    if len(clean) > limit:
        rd.warn.append(f"{where}: label cut to {limit} characters")
        clean = clean[:limit]
    return clean


def _start_box(obj: Landscape) -> Window:
    """Where a start may lie: the view window grown by ``START_MARGIN`` on each side, within the declared range."""
    w = obj.window.expanded(START_MARGIN)
    lo, hi = spec_for(Scene, "starts").closed()
    return Window(max(w.xmin, lo), min(w.xmax, hi), max(w.ymin, lo), min(w.ymax, hi))


def _read_starts(raw: Any, box: Window, rd: _Reader) -> tuple[tuple[float, float], ...]:
    default = Scene().starts
    items = rd.listing(raw, "start points", limits.MAX_STARTS)
    if items is None:
        return default
    out = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            rd.warn.append(f"ignored start {i}: expected two numbers x,y")
            continue
        x, y = rd.number(item[0], f"start {i} x"), rd.number(item[1], f"start {i} y")
        if x is None or y is None:
            rd.warn.append(f"ignored start {i}")
            continue
        x = clamp_warn(x, Spec(lo=box.xmin, hi=box.xmax), f"start {i} x", rd.warn)
        y = clamp_warn(y, Spec(lo=box.ymin, hi=box.ymax), f"start {i} y", rd.warn)
        out.append((x, y))
    if not out:
        rd.warn.append("no usable start point; using the default")
        return default
    return tuple(out)


def _read_schedule(raw: Any, rd: _Reader, where: str = "schedule") -> Schedule:
    values = rd.mapping(raw, where)
    if values is None:
        return make_schedule()
    kind = values.get("kind", "constant")
    if not isinstance(kind, str) or kind not in SCHEDULES:
        rd.warn.append(f"ignored {where}: unknown kind {short(kind)}")
        return make_schedule()
    rest = {k: v for k, v in values.items() if k != "kind"}
    kept = rd.fields(SCHEDULES.get_class(kind), rest, f"{where} {kind}", lambda kw: make_schedule(kind, **kw))
    return make_schedule(kind, **kept)


def _read_view(raw: Any, rd: _Reader) -> View:
    values = rd.mapping(raw, "view")
    if values is None:
        return View()
    return View(**rd.fields(View, values, "view"))


DOC_KEYS = {
    "format",
    "version",
    "landscape",
    "landscape_params",
    "formula",
    "window",
    "runs",
    "starts",
    "schedule",
    "view",
    *Scene.scalar_settings(),
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
    unknown = [k for k in doc if k not in DOC_KEYS]
    if unknown and rd.strict:
        rd.warn.append("ignored unknown fields " + ", ".join(short(str(k), 20) for k in unknown[:5]))
    name, params, obj = _read_landscape(doc, rd)
    runs = _read_runs(doc["runs"], rd) if "runs" in doc else d.runs
    starts = _read_starts(doc["starts"], _start_box(obj), rd) if "starts" in doc else d.starts
    scalars = rd.fields(Scene, {k: doc[k] for k in Scene.scalar_settings() if k in doc}, "")
    scalars.setdefault("batch_size", default_batch_size(obj))  # a data landscape: the full batch
    steps = scalars.pop("steps", d.steps)
    budget = limits.MAX_RACE_WORK // (len(runs) * len(starts))
    if steps > budget:
        rd.warn.append(
            f"steps={steps} reduced to {budget} to keep runs x starts x steps within {limits.MAX_RACE_WORK:,}"
        )
        steps = budget
    schedule = _read_schedule(doc["schedule"], rd) if "schedule" in doc else d.schedule
    view = _read_view(doc["view"], rd) if "view" in doc else d.view
    scene = Scene(
        landscape=name,
        landscape_params=params,
        runs=runs,
        starts=starts,
        steps=steps,
        schedule=schedule,
        view=view,
        **scalars,
    )
    return _affordable(scene, rd)


def _affordable(scene: Scene, rd: _Reader) -> Scene:
    """``scene`` with its steps cut so that computing it stays within the CPU budget of one page
    (``optimizers.cost``); should even one step be too much, its last runs are dropped first."""
    while len(scene.runs) > 1 and scene.work().max_steps() < 1:
        rd.warn.append(f"ignored run {len(scene.runs)}: too much work for one page even at one step")
        scene = scene.replace(runs=scene.runs[:-1])
    work = scene.work()
    n = max(work.max_steps(), 1)
    if n < scene.steps:
        rd.warn.append(
            f"steps={scene.steps} reduced to {n}: these runs would need about {work.seconds:,.1f} s of computing, "
            f"where one page may use {WORK_BUDGET:g} s"
        )
        scene = scene.replace(steps=n)
    return scene


def _check_version(doc: Mapping[str, Any], rd: _Reader) -> None:
    if "format" in doc and doc["format"] != FORMAT:
        rd.warn.append(
            f"not a scene file (format {short(doc['format'])}, expected {FORMAT!r}); read what could be read"
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
        rd.warn.append(f"unreadable version {short(v)}; read as version {VERSION}")
