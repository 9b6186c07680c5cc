"""What teachers and students may do in a room, over ``classroom.store``.

Every teacher action takes the teacher key and checks it against the room's stored hash
(``roles.matches``: constant time) before touching anything; a student acts only through their
own session token, so one student can never remove or change another's submission. Refusals are
``NotAllowedError`` / ``JoinError`` / ``challenges.ChallengeError`` with a plain sentence.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass

from classroom import roles
from classroom.challenges import Challenge, ChallengeError, Entry, score
from classroom.guard import JoinGuard
from classroom.records import Member, Room, Submission
from classroom.store import Store

DEFAULT_TTL = float(os.environ.get("CLASSROOM_TTL_HOURS", "3")) * 3600  # how long a room stays open
MAX_MEMBERS = int(os.environ.get("CLASSROOM_MAX_MEMBERS", "200"))  # students per room
SUBMIT_LIMIT = (6, 60.0)  # submissions per student per window (seconds)


class NotAllowedError(PermissionError):
    """An action refused: wrong key, closed room, someone else's submission."""


class JoinError(ValueError):
    """A join refused: no such room, closed, full, a bad nickname, too many attempts."""


@dataclass(frozen=True)
class TeacherRoom:
    """A room just made: its record and the teacher key (shown once, never stored)."""

    room: Room
    key: str


class Classroom:
    """Rooms on one store, with the rules of who may do what."""

    def __init__(self, store: Store, join_guard: JoinGuard | None = None) -> None:
        self.store = store
        self.join_guard = join_guard or JoinGuard(store)

    # --- teacher ----------------------------------------------------------------------------
    def open_room(self, ttl: float = DEFAULT_TTL) -> TeacherRoom:
        """A new room with a fresh join code and teacher key (expired rooms are purged first)."""
        self.store.purge_expired()
        key = roles.new_secret()
        for _ in range(20):
            room = self.store.create_room(roles.new_code(), roles.digest(key), ttl)
            if room is not None:
                return TeacherRoom(room, key)
        raise RuntimeError("could not find a free join code")  # 20 collisions in 8.5e11 codes: never

    def teacher_room(self, code: str | None, key: str | None) -> Room:
        """The room, if ``key`` is its teacher key; ``NotAllowedError`` otherwise (the same message
        whether the code or the key is wrong)."""
        norm = roles.normalize_code(code)
        room = self.store.room(norm) if norm else None
        if room is None or not roles.matches(key, room.teacher_hash):
            raise NotAllowedError("This teacher link is not valid (wrong room or key).")
        return room

    def push(self, code: str, key: str, page: str, scene: str) -> int:
        room = self._open_teacher_room(code, key)
        return self.store.push(room.id, page, scene[:4000])

    def set_flags(self, code: str, key: str, **flags: bool) -> None:
        room = self.teacher_room(code, key)
        self.store.set_flags(room.id, **flags)

    def close(self, code: str, key: str) -> None:
        self.set_flags(code, key, closed=True)

    def set_challenge(self, code: str, key: str, challenge: Challenge | None) -> int:
        room = self._open_teacher_room(code, key)
        return self.store.set_challenge(room.id, challenge.to_json() if challenge else "")

    def remove(self, code: str, key: str, submission_id: int) -> bool:
        room = self.teacher_room(code, key)
        return self.store.remove_submission(room.id, submission_id)

    def reset(self, code: str, key: str) -> int:
        room = self.teacher_room(code, key)
        return self.store.remove_all(room.id)

    def csv(self, code: str, key: str) -> str:
        """Every live submission of the room as CSV (one row each; nicknames as typed, cleaned)."""
        room = self.teacher_room(code, key)
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(
            ["id", "challenge", "time", "nickname", "optimizer", "settings", "start", "score", "final_loss", "status"]
        )
        for s in self.store.submissions(room.id):
            w.writerow(
                [s.id, s.challenge_version, f"{s.created:.3f}", _csv_safe(s.nickname), s.optimizer,
                 json.dumps(s.hparams, sort_keys=True), json.dumps(list(s.start)), s.score, s.final_loss, s.status]
            )  # fmt: skip
        return out.getvalue()

    def _open_teacher_room(self, code: str, key: str) -> Room:
        room = self.teacher_room(code, key)
        if not room.open_at(self.store.clock()):
            raise NotAllowedError("This room is closed or has expired.")
        return room

    # --- everyone ---------------------------------------------------------------------------
    def room(self, code: str | None) -> Room | None:
        """The open room with this code, or ``None`` (no such room, closed or expired)."""
        norm = roles.normalize_code(code)
        room = self.store.room(norm) if norm else None
        return room if room is not None and room.open_at(self.store.clock()) else None

    def poll(self, room: Room) -> tuple[int, int, int, int, int] | None:
        """What a follower or the projector polls: the room's stamp (``Store.stamp``, one query),
        or ``None`` once the room is closed, expired or gone."""
        stamp = self.store.stamp(room.id)
        if stamp is None or stamp[4] & 1 or not room.open_at(self.store.clock()):  # bit 0: closed
            return None
        return stamp

    # --- students ---------------------------------------------------------------------------
    def join(self, code: str | None, token: str, nickname: str, address: str | None = None) -> tuple[Room, Member]:
        """Join the room with ``code`` as the student with session ``token``; ``JoinError`` with a
        plain reason when refused. Failed attempts are rate-limited (``roles.JOIN_LIMITS``, counted in
        the database: every replica shares the limits)."""
        if self.join_guard.blocked(token, address):
            raise JoinError("Too many tries with wrong codes. Wait a minute and try again.")
        name = roles.clean_text(nickname)
        if not name:
            raise JoinError("Choose a nickname (letters, digits or symbols).")
        room = self.room(code)
        if room is None:
            self.join_guard.failed(token, address)
            raise JoinError("No open room has this code. Check the code on the projector.")
        member = self.store.join(room.id, roles.digest(token), name, MAX_MEMBERS)
        if member is None:
            raise JoinError(f"This room is full ({MAX_MEMBERS} students).")
        return room, member

    def member(self, room: Room, token: str) -> Member | None:
        return self.store.member(room.id, roles.digest(token))

    def submit(self, code: str, token: str, entry: Entry, idem_key: str) -> tuple[Submission | None, bool]:
        """Recompute and store the student's entry for the room's current challenge, once per
        ``idem_key``: ``(submission, True)`` when new, ``(the first submission, False)`` for a
        repeat of a key (a double-click; ``None`` if it is not this student's or was removed).
        ``NotAllowedError`` / ``ChallengeError`` when refused."""
        room = self.room(code)
        if room is None:
            raise NotAllowedError("This room is closed or has expired.")
        member = self.member(room, token)
        if member is None:
            raise NotAllowedError("Join the room first.")
        if room.locked:
            raise NotAllowedError("The teacher has locked submissions.")
        challenge = Challenge.from_json(room.challenge)
        if challenge is None:
            raise ChallengeError("There is no challenge yet.")
        idem = roles.clean_text(idem_key, 64)
        n, window = SUBMIT_LIMIT
        if self.store.recent_submissions(member.id, self.store.clock() - window) >= n:
            raise NotAllowedError(f"At most {n} submissions a minute: wait a little.")
        scored = score(challenge, entry, self.store.clock())
        sub_id, new = self.store.add_submission(
            room.id, member.id, idem, room.challenge_version, entry.optimizer, entry.hparams(),
            scored.start, scored.score, scored.final_loss, scored.status, scored.path,
        )  # fmt: skip
        sub = next((s for s in self.store.submissions(room.id) if s.id == sub_id), None)
        return (sub if sub is not None and sub.member_id == member.id else None), new

    def withdraw(self, code: str, token: str, submission_id: int) -> bool:
        """Remove one of the student's own submissions; ``False`` for anyone else's."""
        room = self.room(code)
        member = self.member(room, token) if room else None
        if member is None:
            return False
        return self.store.remove_submission(room.id, submission_id, member_id=member.id)


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (a leading ``= + - @`` gets a quote)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
