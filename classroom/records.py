"""What the classroom store returns: plain frozen records (no database types)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Room:
    """One room as stored. ``version`` counts pushes; ``challenge`` is the JSON of the current
    challenge (``""`` for none) and ``challenge_version`` counts challenges set or reset."""

    id: int
    code: str
    teacher_hash: str
    created: float
    expires: float
    closed: bool
    locked: bool
    hide_names: bool
    revealed: bool
    version: int
    page: str
    scene: str
    challenge: str
    challenge_version: int

    def open_at(self, now: float) -> bool:
        return not self.closed and now < self.expires


@dataclass(frozen=True)
class Member:
    id: int
    room_id: int
    nickname: str
    joined: float


@dataclass(frozen=True)
class Submission:
    """One recomputed submission: what the student chose (``optimizer``, ``hparams``, ``start``)
    and what the server computed (``score``, lower is better, ``None`` = did not make it;
    ``final_loss``; ``path``: a thinned ``(K, 2)`` list of points)."""

    id: int
    room_id: int
    member_id: int
    nickname: str
    challenge_version: int
    created: float
    optimizer: str
    hparams: dict[str, Any]
    start: tuple[float, float]
    score: float | None
    final_loss: float | None
    status: str
    path: list[list[float]]
