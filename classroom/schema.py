"""The classroom database's tables and their versions.

``SCHEMA_VERSION`` is recorded in the ``meta`` table when the schema is created. A database of an
older version is upgraded in place when a store opens it (``upgrade``; ``create_all`` has already
made any table it lacks), so replicas of a newer app can start on the old database; a newer
version than the app's is refused (``classroom.store``).

Versions: 1, rooms, members, pushes and submissions; 2, ``join_failures`` (failed joins counted in
the database, so that every replica shares the limits on guessing join codes).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

SCHEMA_VERSION = 2


def tables(md: sa.MetaData, prefix: str) -> dict[str, sa.Table]:
    """Every table of the store in ``md``, each name starting with ``prefix``."""
    t = {}
    t["meta"] = sa.Table(
        f"{prefix}meta", md, sa.Column("key", sa.String(40), primary_key=True), sa.Column("value", sa.String(200))
    )
    t["rooms"] = sa.Table(
        f"{prefix}rooms",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(16), nullable=False, unique=True),
        sa.Column("teacher_hash", sa.String(128), nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("expires", sa.Float, nullable=False, index=True),
        sa.Column("closed", sa.Boolean, nullable=False, default=False),
        sa.Column("locked", sa.Boolean, nullable=False, default=False),
        sa.Column("hide_names", sa.Boolean, nullable=False, default=False),
        sa.Column("revealed", sa.Boolean, nullable=False, default=True),
        sa.Column("version", sa.Integer, nullable=False, default=0),
        sa.Column("page", sa.String(80), nullable=False, default=""),
        sa.Column("scene", sa.Text, nullable=False, default=""),
        sa.Column("challenge", sa.Text, nullable=False, default=""),
        sa.Column("challenge_version", sa.Integer, nullable=False, default=0),
    )
    t["members"] = sa.Table(
        f"{prefix}members",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("room_id", sa.Integer, sa.ForeignKey(f"{t['rooms'].fullname}.id", ondelete="CASCADE"), index=True),
        sa.Column("token_hash", sa.String(128), nullable=False),
        sa.Column("nickname", sa.String(80), nullable=False),
        sa.Column("joined", sa.Float, nullable=False),
        sa.UniqueConstraint("room_id", "token_hash", name=f"{prefix}member_token"),
    )
    t["pushes"] = sa.Table(
        f"{prefix}pushes",
        md,
        sa.Column("room_id", sa.Integer, sa.ForeignKey(f"{t['rooms'].fullname}.id", ondelete="CASCADE")),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("page", sa.String(80), nullable=False),
        sa.Column("scene", sa.Text, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("room_id", "version", name=f"{prefix}push_pk"),
    )
    t["submissions"] = sa.Table(
        f"{prefix}submissions",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("room_id", sa.Integer, sa.ForeignKey(f"{t['rooms'].fullname}.id", ondelete="CASCADE"), index=True),
        sa.Column("member_id", sa.Integer, sa.ForeignKey(f"{t['members'].fullname}.id", ondelete="CASCADE")),
        sa.Column("idem_key", sa.String(64), nullable=False),
        sa.Column("challenge_version", sa.Integer, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("optimizer", sa.String(40), nullable=False),
        sa.Column("hparams", sa.Text, nullable=False),
        sa.Column("start", sa.Text, nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("final_loss", sa.Float),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False, default=False),
        sa.UniqueConstraint("room_id", "idem_key", name=f"{prefix}submission_once"),
    )
    t["join_failures"] = sa.Table(  # failed joins, counted across replicas (classroom.guard); since version 2
        f"{prefix}join_failures",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(16), nullable=False),  # "session", "address" or "server"
        sa.Column("key", sa.String(128), nullable=False),  # a hash of the session token or address; "all"
        sa.Column("at", sa.Float, nullable=False),
        sa.Index(f"{prefix}join_failures_by_key", "scope", "key", "at"),
        sa.Index(f"{prefix}join_failures_by_time", "at"),
    )
    return t


# version -> what turns a database of that version into the next one, beyond the tables that
# ``create_all`` adds (new columns or data would go here)
STEPS: dict[int, Callable[[Connection, dict[str, sa.Table]], None]] = {
    1: lambda conn, t: None,  # 1 -> 2: only the new join_failures table
}


def upgrade(conn: Connection, t: dict[str, sa.Table], found: int) -> None:
    """Bring a database of version ``found`` to ``SCHEMA_VERSION`` (in the caller's transaction)."""
    for version in range(found, SCHEMA_VERSION):
        STEPS[version](conn, t)
