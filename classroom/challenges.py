"""Challenges on the room's scene, and the server's own scoring of every submission.

A challenge fixes the scene (the link the teacher pushed), a task, the number of steps, which
optimizers and which learning rates are allowed, and a deadline. A student sends only choices
(an optimizer, a learning rate, optionally a momentum and a start point); the server checks them
against the challenge, prices the run (``optimizers.cost``: refused when over the page's budget)
and computes it with the core under the CPU guard. Scores come from that computation only; lower
is better, ``None`` means the run did not make it (never reached the minimum, diverged, never
left the saddle).

Tasks (``KINDS``):

- ``fewest_steps``: the first step within the scene's tolerance of a known minimum;
- ``lowest_loss``: the loss after the challenge's steps (a diverged run has none);
- ``escape_saddle``: the first step at which the run is farther than ``radius`` from its start
  *and* lower than its start's loss (the teacher starts the scene at a saddle).
"""

from __future__ import annotations

import functools
import json
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qs

import numpy as np

import optimizers
from optimizers import guard
from optimizers.cost import PAGE_BUDGET
from optimizers.runner import Status
from scenes import Scene
from scenes.codec import from_query, scene_url
from scenes.model import spec
from settings import spec_of

KINDS = {
    "fewest_steps": "Reach the minimum in the fewest steps",
    "lowest_loss": "Lowest loss after the steps",
    "escape_saddle": "Escape the saddle fastest",
}
UNITS = {"fewest_steps": "steps", "lowest_loss": "loss", "escape_saddle": "steps"}
PATH_POINTS = 100  # points kept of each submitted path, for the projector
MAX_STEPS = 2000
DEFAULT_OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")


class ChallengeError(ValueError):
    """A challenge or a submission refused; ``str(exc)`` says why, in plain words."""


def _lr_bounds() -> tuple[float, float]:
    """The learning rate's declared range (the SGD config's ``lr`` field)."""
    import dataclasses

    f = {f.name: f for f in dataclasses.fields(optimizers.optimizer_class("sgd"))}["lr"]
    s = spec_of(f)
    return (float(s.lo), float(s.hi)) if s is not None and s.lo is not None else (1e-6, 10.0)


@dataclass(frozen=True)
class Challenge:
    """A task on a scene (``scene``: the link's query string). ``lr_range`` is inclusive;
    ``deadline`` is Unix seconds (0: none)."""

    kind: str = "fewest_steps"
    scene: str = "v=1"
    steps: int = 300
    optimizers: tuple[str, ...] = DEFAULT_OPTIMIZERS
    lr_range: tuple[float, float] = (1e-4, 1.0)
    deadline: float = 0.0
    radius: float = 0.5
    allow_start: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ChallengeError(f"Unknown task {self.kind!r}; choose one of {', '.join(KINDS)}.")
        if not 1 <= int(self.steps) <= MAX_STEPS:
            raise ChallengeError(f"Steps must be between 1 and {MAX_STEPS} (got {self.steps}).")
        known = set(optimizers.names()) - {"polyak"}
        bad = [k for k in self.optimizers if k not in known]
        if not self.optimizers or bad:
            raise ChallengeError(
                f"Allowed optimizers must be some of {', '.join(sorted(known))} (got {bad or 'none'})."
            )
        lo, hi = self.lr_range
        blo, bhi = _lr_bounds()
        if not (math.isfinite(lo) and math.isfinite(hi) and blo <= lo <= hi <= bhi):
            raise ChallengeError(f"The learning-rate range must lie within [{blo:g}, {bhi:g}] (got [{lo:g}, {hi:g}]).")
        if not (math.isfinite(self.radius) and self.radius > 0):
            raise ChallengeError(f"The escape radius must be positive (got {self.radius:g}).")

    def base_scene(self) -> Scene:
        return scene_of_link(self.scene)

    def open_at(self, now: float) -> bool:
        return not self.deadline or now <= self.deadline

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Challenge | None:
        """The stored challenge (``None`` for ``""``); ``ChallengeError`` if it cannot be read.
        Read once per text per process (every page run of a room reads it; it is frozen)."""
        return _challenge_from_json(text) if text else None

    @classmethod
    def on(cls, scene: Scene, **fields: Any) -> Challenge:
        """A challenge on ``scene`` (stored as its link)."""
        return cls(scene=scene_url(scene).lstrip("?"), **fields)


@functools.lru_cache(maxsize=64)
def _challenge_from_json(text: str) -> Challenge:
    try:
        d = json.loads(text)
        d["optimizers"] = tuple(d["optimizers"])
        d["lr_range"] = tuple(d["lr_range"])
        return Challenge(**d)
    except (ValueError, TypeError, KeyError) as exc:
        raise ChallengeError(f"The stored challenge cannot be read ({exc}).") from exc


@functools.lru_cache(maxsize=64)
def scene_of_link(link: str) -> Scene:
    """The scene of a link's query string (a push, a challenge), parsed once per link per process:
    every page run of a room needs it, and a ``Scene`` is frozen."""
    scene, _ = from_query(parse_qs(link, keep_blank_values=True))
    return scene


@dataclass(frozen=True)
class Entry:
    """What a student sends: an optimizer, a learning rate, an optional momentum (for the kinds
    that have one) and an optional start point (when the challenge allows it)."""

    optimizer: str
    lr: float
    momentum: float | None = None
    start: tuple[float, float] | None = None

    def hparams(self) -> dict[str, float]:
        out = {"lr": float(self.lr)}
        if self.momentum is not None:
            out["momentum"] = float(self.momentum)
        return out


@dataclass(frozen=True)
class Scored:
    """A submission as the server computed it."""

    score: float | None
    final_loss: float | None
    status: str
    path: list[list[float]] = field(default_factory=list)
    start: tuple[float, float] = (0.0, 0.0)


def check_entry(challenge: Challenge, entry: Entry, now: float | None = None) -> Scene:
    """The one-run scene the entry asks for, or ``ChallengeError`` saying why it is refused."""
    now = time.time() if now is None else now
    if not challenge.open_at(now):
        raise ChallengeError("The deadline has passed: no more submissions.")
    if entry.optimizer not in challenge.optimizers:
        raise ChallengeError(f"This challenge allows {', '.join(challenge.optimizers)} only.")
    lo, hi = challenge.lr_range
    if not (isinstance(entry.lr, (int, float)) and math.isfinite(entry.lr) and lo <= entry.lr <= hi):
        raise ChallengeError(f"The learning rate must be between {lo:g} and {hi:g}.")
    base = challenge.base_scene()
    start = base.starts[0]
    if entry.start is not None:
        if not challenge.allow_start:
            raise ChallengeError("This challenge starts every run at the same point.")
        w = base.landscape_obj().window
        x, y = entry.start
        if not (math.isfinite(x) and math.isfinite(y) and w.xmin <= x <= w.xmax and w.ymin <= y <= w.ymax):
            raise ChallengeError("The start point must lie inside the landscape's window.")
        start = (float(x), float(y))
    try:
        run = spec(entry.optimizer, **entry.hparams())
        run.config()
    except (ValueError, KeyError, TypeError) as exc:
        raise ChallengeError(f"These settings are refused: {exc}") from exc
    scene = base.replace(runs=(run,), starts=(start,), steps=int(challenge.steps))
    problems = scene.problems()  # declared ranges and the CPU price (optimizers.cost)
    if problems:
        raise ChallengeError(problems[0])
    return scene


def score(challenge: Challenge, entry: Entry, now: float | None = None) -> Scored:
    """Check, compute and score one entry (at most ``PAGE_BUDGET`` CPU seconds; ``ChallengeError``
    when refused or stopped)."""
    scene = check_entry(challenge, entry, now)
    landscape = scene.landscape_obj()
    try:
        with guard.watching(guard.cpu_limit(PAGE_BUDGET, "This submission")):
            result = optimizers.run(landscape, scene.run_configs(), scene.starts_array(), scene.options())
    except guard.WorkLimitError as exc:
        raise ChallengeError(str(exc)) from exc
    return score_result(challenge, result, scene.starts[0])


def score_result(challenge: Challenge, result: Any, start: tuple[float, float]) -> Scored:
    """The score of run 0 of ``result`` (positions ``(1, K, 2)``, losses ``(1, K)``) for the task."""
    pos, loss, steps = result.positions[0], result.losses[0], result.steps
    status = Status(int(result.status[0]))
    final = float(loss[-1]) if status != Status.DIVERGED and np.isfinite(loss[-1]) else None
    value: float | None
    if challenge.kind == "fewest_steps":
        hit = int(result.hit_step[0])
        value = float(hit) if hit >= 0 else None
    elif challenge.kind == "lowest_loss":
        value = final
    else:  # escape_saddle
        away = np.hypot(*(pos - pos[0]).T) > challenge.radius
        lower = loss < loss[0]
        ok = np.flatnonzero(away & lower & np.isfinite(loss))
        value = float(steps[ok[0]]) if ok.size else None
    return Scored(value, final, status.label, thin_path(pos), (float(start[0]), float(start[1])))


def thin_path(pos: np.ndarray, n: int = PATH_POINTS) -> list[list[float]]:
    """At most ``n`` points of a ``(K, 2)`` path, evenly spaced in steps (first and last kept),
    cut before the first non-finite point, 6 significant digits."""
    finite = np.all(np.isfinite(pos), axis=1)
    k = int(np.argmin(finite)) if not finite.all() else len(pos)
    pos = pos[:k]
    if len(pos) == 0:
        return []
    idx = np.unique(np.linspace(0, len(pos) - 1, min(n, len(pos))).round().astype(int))
    return [[float(f"{x:.6g}"), float(f"{y:.6g}")] for x, y in pos[idx]]
