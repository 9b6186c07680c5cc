"""The classroom's store: rooms, members, pushes, submissions, on SQLAlchemy Core.

One SQLite file by default (nothing to set up; WAL mode so readers never wait for the writer; a
busy timeout so writers queue instead of failing), or any SQLAlchemy URL, PostgreSQL
(``postgresql+psycopg://...``) in particular, so that several app servers share the rooms.

Where: ``CLASSROOM_DB`` is either an SQLAlchemy URL (it contains ``://``) or the path of the
SQLite file; unset, ``classroom.sqlite3`` in the working directory. The schema is created on start
and carries its version in ``<prefix>meta``; a database written by another version is refused
with a message. Times are Unix seconds (floats). Every call that reaches the database turns a
database error (unreachable, locked past the timeout, refused) into ``StoreUnavailableError``, whose
text is a plain sentence for the page, never a traceback.

This module stores and fetches; who may do what is decided in ``classroom.rooms``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from classroom.records import Member, Room, Submission
from classroom.schema import SCHEMA_VERSION, tables, upgrade

DEFAULT_FILE = "classroom.sqlite3"
ENV = "CLASSROOM_DB"
BUSY_TIMEOUT_MS = 20_000  # SQLite: how long a writer waits for the lock before giving up (a loaded server)


class StoreUnavailableError(RuntimeError):
    """The database cannot be used right now; ``str(exc)`` is a plain sentence for the page."""


def default_url() -> str:
    """The URL from ``CLASSROOM_DB`` (a URL, or an SQLite file path), else the default file."""
    value = os.environ.get(ENV, "").strip() or DEFAULT_FILE
    return value if "://" in value else f"sqlite:///{os.path.abspath(value)}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (``_sqlite_begin``)
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    """Writers take SQLite's write lock at BEGIN (``BEGIN IMMEDIATE``), so a transaction that
    reads then writes queues behind another writer (busy timeout) instead of failing midway."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")


def _plain(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = text[0][:160] if text else type(exc).__name__
    return (
        f"The classroom database is not available right now ({first}). Your work on this page is kept; "
        "try again in a moment."
    )


class Store:
    """Rooms and everything in them, in one database (``url``: an SQLAlchemy URL; default
    ``default_url()``). ``schema`` (PostgreSQL) puts the tables in that schema, ``prefix`` in front
    of every table name: two stores with different ones never see each other's rows (tests).
    ``clock`` gives the current Unix time (tests pass a fake one)."""

    def __init__(
        self,
        url: str | None = None,
        *,
        schema: str | None = None,
        prefix: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url or default_url()
        self.clock = clock
        self.schema = schema
        try:
            sa_url = sa.make_url(self.url)
            kwargs: dict[str, Any] = {}
            if sa_url.get_backend_name() == "sqlite":  # a local file: no connection to go stale, no ping
                kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
            else:  # a server: test each pooled connection before use (it may have restarted)
                kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=10, pool_timeout=10)
                if sa_url.get_backend_name() == "postgresql":
                    kwargs["connect_args"] = {"connect_timeout": 5}
            self.engine: Engine = sa.create_engine(sa_url, **kwargs)
        except (SQLAlchemyError, ValueError, ImportError) as exc:
            raise StoreUnavailableError(_plain(exc)) from exc
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        self.md = sa.MetaData(schema=schema)
        self.t = tables(self.md, prefix)
        self.create()

    # --- plumbing ---------------------------------------------------------------------------
    @contextmanager
    def tx(self, write: bool = False, unique: bool = False) -> Iterator[Connection]:
        """One transaction (``write``: one that writes); any database error becomes
        ``StoreUnavailableError``, except a broken unique constraint when ``unique`` (the caller's case).
        For this package's modules (``classroom.guard``) as for the methods below."""
        try:
            with self.engine.connect() as conn:
                conn.info["write"] = write
                with conn.begin():
                    yield conn
        except IntegrityError as exc:
            if unique:
                raise
            raise StoreUnavailableError(_plain(exc)) from exc
        except SQLAlchemyError as exc:
            raise StoreUnavailableError(_plain(exc)) from exc

    def create(self) -> None:
        """Create the schema if absent and record its version; upgrade an older one in place
        (``schema.upgrade``: the tables it lacks are made by ``create_all``); refuse a newer one."""
        with self.tx(write=True) as conn:
            if self.schema:
                conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
            self.md.create_all(conn)
            meta = self.t["meta"]
            row = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).first()
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
                except IntegrityError:  # another server created it at the same moment
                    row = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).first()
            if row is not None and row.value.isdigit() and int(row.value) < SCHEMA_VERSION:
                upgrade(conn, self.t, int(row.value))
                conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))
            elif row is not None and row.value != str(SCHEMA_VERSION):
                raise StoreUnavailableError(
                    f"The classroom database has schema version {row.value}; this app uses {SCHEMA_VERSION}. "
                    "Point CLASSROOM_DB at a new database file or upgrade the app."
                )

    def schema_version(self) -> int:
        meta = self.t["meta"]
        with self.tx() as conn:
            return int(conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar_one())

    def dispose(self) -> None:
        self.engine.dispose()

    def drop(self) -> None:
        """Drop every table (and the schema, if one was given): for tests."""
        with self.tx(write=True) as conn:
            self.md.drop_all(conn)
            if self.schema:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        self.dispose()

    # --- rooms ------------------------------------------------------------------------------
    def create_room(self, code: str, teacher_hash: str, ttl: float) -> Room | None:
        """A new room open for ``ttl`` seconds, or ``None`` if ``code`` is taken."""
        now = self.clock()
        rooms = self.t["rooms"]
        try:
            with self.tx(write=True, unique=True) as conn:
                conn.execute(
                    rooms.insert().values(
                        code=code,
                        teacher_hash=teacher_hash,
                        created=now,
                        expires=now + ttl,
                        closed=False,
                        locked=False,
                        hide_names=False,
                        revealed=True,
                        version=0,
                        page="",
                        scene="",
                        challenge="",
                        challenge_version=0,
                    )
                )
        except IntegrityError:
            return None
        return self.room(code)

    def room(self, code: str) -> Room | None:
        """The room with this join code (open, closed or expired), or ``None``."""
        rooms = self.t["rooms"]
        with self.tx() as conn:
            row = conn.execute(sa.select(rooms).where(rooms.c.code == code)).mappings().first()
        return Room(**row) if row else None

    def stamp(self, room_id: int) -> tuple[int, int, int, int, int] | None:
        """What a follower polls, one cheap query: ``(push version, challenge version, number of
        live submissions, newest submission id, the room's flags as bits)``; ``None`` if the room
        is gone. Any push, challenge, submission, removal or switch changes it."""
        rooms, subs = self.t["rooms"], self.t["submissions"]
        mine = subs.c.room_id == room_id
        live = sa.select(sa.func.count()).where(mine, subs.c.removed.is_(False)).scalar_subquery()
        newest = sa.select(sa.func.coalesce(sa.func.max(subs.c.id), 0)).where(mine).scalar_subquery()
        flags = (rooms.c.closed, rooms.c.locked, rooms.c.hide_names, rooms.c.revealed)
        q = sa.select(rooms.c.version, rooms.c.challenge_version, live, newest, *flags).where(rooms.c.id == room_id)
        with self.tx() as conn:
            row = conn.execute(q).first()
        if row is None:
            return None
        bits = sum(int(bool(v)) << i for i, v in enumerate(row[4:]))
        return int(row[0]), int(row[1]), int(row[2]), int(row[3]), bits

    def set_flags(self, room_id: int, **flags: bool) -> None:
        """Set any of ``closed``, ``locked``, ``hide_names``, ``revealed``."""
        allowed = {"closed", "locked", "hide_names", "revealed"}
        if not flags or set(flags) - allowed:
            raise ValueError(f"unknown room flags: {sorted(set(flags) - allowed)}")
        rooms = self.t["rooms"]
        with self.tx(write=True) as conn:
            conn.execute(rooms.update().where(rooms.c.id == room_id).values(**{k: bool(v) for k, v in flags.items()}))

    def push(self, room_id: int, page: str, scene: str) -> int:
        """Make ``scene`` (a link's query string, for ``page``; ``""`` is the race) the room's
        current one; the new push version."""
        rooms, pushes = self.t["rooms"], self.t["pushes"]
        with self.tx(write=True) as conn:
            conn.execute(
                rooms.update().where(rooms.c.id == room_id).values(version=rooms.c.version + 1, page=page, scene=scene)
            )
            version = conn.execute(sa.select(rooms.c.version).where(rooms.c.id == room_id)).scalar_one()
            conn.execute(
                pushes.insert().values(room_id=room_id, version=version, page=page, scene=scene, created=self.clock())
            )
        return int(version)

    def pushes(self, room_id: int) -> list[tuple[int, str, str]]:
        """Every push of the room: ``(version, page, scene)``, oldest first."""
        p = self.t["pushes"]
        with self.tx() as conn:
            rows = conn.execute(
                sa.select(p.c.version, p.c.page, p.c.scene).where(p.c.room_id == room_id).order_by(p.c.version)
            )
            return [tuple(r) for r in rows]

    def set_challenge(self, room_id: int, challenge_json: str) -> int:
        """Replace the room's challenge (``""`` clears it); the new challenge version (earlier
        submissions stay stored but belong to the old version)."""
        rooms = self.t["rooms"]
        with self.tx(write=True) as conn:
            conn.execute(
                rooms.update()
                .where(rooms.c.id == room_id)
                .values(challenge=challenge_json, challenge_version=rooms.c.challenge_version + 1)
            )
            return int(conn.execute(sa.select(rooms.c.challenge_version).where(rooms.c.id == room_id)).scalar_one())

    def purge_expired(self) -> int:
        """Delete rooms past their expiry (with their members, pushes and submissions); how many."""
        rooms = self.t["rooms"]
        now = self.clock()
        with self.tx(write=True) as conn:
            ids = [r[0] for r in conn.execute(sa.select(rooms.c.id).where(rooms.c.expires <= now))]
            if not ids:
                return 0
            for name in ("submissions", "pushes", "members"):
                conn.execute(self.t[name].delete().where(self.t[name].c.room_id.in_(ids)))
            conn.execute(rooms.delete().where(rooms.c.id.in_(ids)))
        return len(ids)

    # --- members ----------------------------------------------------------------------------
    def join(self, room_id: int, token_hash: str, nickname: str, max_members: int) -> Member | None:
        """The member with this token in the room (joining if new, keeping the first nickname), or
        ``None`` when the room already has ``max_members``."""
        members, rooms = self.t["members"], self.t["rooms"]
        with self.tx(write=True) as conn:
            # lock the room row (PostgreSQL) so that concurrent joins count members one at a time
            conn.execute(sa.select(rooms.c.id).where(rooms.c.id == room_id).with_for_update())
            row = (
                conn.execute(sa.select(members).where(members.c.room_id == room_id, members.c.token_hash == token_hash))
                .mappings()
                .first()
            )
            if row is None:
                n = conn.execute(sa.select(sa.func.count()).where(members.c.room_id == room_id)).scalar_one()
                if n >= max_members:
                    return None
                conn.execute(
                    members.insert().values(
                        room_id=room_id, token_hash=token_hash, nickname=nickname, joined=self.clock()
                    )
                )
                row = (
                    conn.execute(
                        sa.select(members).where(members.c.room_id == room_id, members.c.token_hash == token_hash)
                    )
                    .mappings()
                    .one()
                )
        return Member(id=row["id"], room_id=row["room_id"], nickname=row["nickname"], joined=row["joined"])

    def member(self, room_id: int, token_hash: str) -> Member | None:
        members = self.t["members"]
        with self.tx() as conn:
            row = (
                conn.execute(sa.select(members).where(members.c.room_id == room_id, members.c.token_hash == token_hash))
                .mappings()
                .first()
            )
        return (
            Member(id=row["id"], room_id=row["room_id"], nickname=row["nickname"], joined=row["joined"])
            if row
            else None
        )

    def member_count(self, room_id: int) -> int:
        members = self.t["members"]
        with self.tx() as conn:
            return int(conn.execute(sa.select(sa.func.count()).where(members.c.room_id == room_id)).scalar_one())

    # --- submissions --------------------------------------------------------------------------
    def recent_submissions(self, member_id: int, since: float) -> int:
        """How many submissions this member made since ``since`` (removed ones count too)."""
        subs = self.t["submissions"]
        with self.tx() as conn:
            return int(
                conn.execute(
                    sa.select(sa.func.count()).where(subs.c.member_id == member_id, subs.c.created >= since)
                ).scalar_one()
            )

    def add_submission(
        self,
        room_id: int,
        member_id: int,
        idem_key: str,
        challenge_version: int,
        optimizer: str,
        hparams: dict[str, Any],
        start: tuple[float, float],
        score: float | None,
        final_loss: float | None,
        status: str,
        path: list[list[float]],
    ) -> tuple[int, bool]:
        """Store a submission once per ``idem_key`` in the room: ``(id, True)`` when new,
        ``(id of the first, False)`` when that key was already used (a double-click, a retry)."""
        subs = self.t["submissions"]
        values = dict(
            room_id=room_id,
            member_id=member_id,
            idem_key=idem_key,
            challenge_version=challenge_version,
            created=self.clock(),
            optimizer=optimizer,
            hparams=json.dumps(hparams, sort_keys=True),
            start=json.dumps(list(start)),
            score=score,
            final_loss=final_loss,
            status=status,
            path=json.dumps(path),
            removed=False,
        )
        try:
            with self.tx(write=True, unique=True) as conn:
                new_id = conn.execute(subs.insert().values(**values)).inserted_primary_key[0]
            return int(new_id), True
        except IntegrityError:
            with self.tx() as conn:
                old = conn.execute(
                    sa.select(subs.c.id).where(subs.c.room_id == room_id, subs.c.idem_key == idem_key)
                ).scalar_one_or_none()
            if old is None:  # the integrity error was something else (the room or member is gone)
                raise StoreUnavailableError("The room or its member no longer exists.") from None
            return int(old), False

    def submissions(self, room_id: int, challenge_version: int | None = None) -> list[Submission]:
        """The room's live (not removed) submissions, oldest first; of one challenge version if given."""
        subs, members = self.t["submissions"], self.t["members"]
        q = (
            sa.select(subs, members.c.nickname)
            .join(members, members.c.id == subs.c.member_id)
            .where(subs.c.room_id == room_id, subs.c.removed.is_(False))
            .order_by(subs.c.id)
        )
        if challenge_version is not None:
            q = q.where(subs.c.challenge_version == challenge_version)
        with self.tx() as conn:
            rows = conn.execute(q).mappings().all()
        return [
            Submission(
                id=r["id"],
                room_id=r["room_id"],
                member_id=r["member_id"],
                nickname=r["nickname"],
                challenge_version=r["challenge_version"],
                created=r["created"],
                optimizer=r["optimizer"],
                hparams=json.loads(r["hparams"]),
                start=tuple(json.loads(r["start"])),
                score=r["score"],
                final_loss=r["final_loss"],
                status=r["status"],
                path=json.loads(r["path"]),
            )
            for r in rows
        ]

    def remove_submission(self, room_id: int, submission_id: int, member_id: int | None = None) -> bool:
        """Mark a submission removed (only within ``room_id``; only the member's own when
        ``member_id`` is given); whether one was."""
        subs = self.t["submissions"]
        cond = [subs.c.room_id == room_id, subs.c.id == submission_id, subs.c.removed.is_(False)]
        if member_id is not None:
            cond.append(subs.c.member_id == member_id)
        with self.tx(write=True) as conn:
            return conn.execute(subs.update().where(*cond).values(removed=True)).rowcount > 0

    def remove_all(self, room_id: int) -> int:
        """Mark every submission of the room removed (a reset); how many."""
        subs = self.t["submissions"]
        with self.tx(write=True) as conn:
            return conn.execute(
                subs.update().where(subs.c.room_id == room_id, subs.c.removed.is_(False)).values(removed=True)
            ).rowcount
