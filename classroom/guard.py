"""Failed joins counted in the database, so that every replica behind a load balancer shares the
limits on guessing join codes (``roles.JOIN_LIMITS``: per session, per client address, for all
servers together).

Each failed join adds one row per scope (``join_failures``: the scope, a hash of the session token
or address, or ``"all"``, and the time); a join is blocked while any of its scopes has its limit
of failures within its window. Rows older than the longest window are deleted as new ones come.
Only failures count: a class behind one address joins freely, a guesser is stopped.
"""

from __future__ import annotations

import sqlalchemy as sa

from classroom import roles
from classroom.store import Store


class JoinGuard:
    """Failed-join limits on one store (every replica on the same database sees the same counts)."""

    def __init__(self, store: Store, limits: dict[str, tuple[int, float]] | None = None) -> None:
        self.store = store
        self.limits = limits or roles.JOIN_LIMITS
        self.table = store.t["join_failures"]

    def _keys(self, session: str, address: str | None) -> dict[str, str]:
        where = address if isinstance(address, str) and address else "unknown"
        return {"session": roles.digest(session), "address": roles.digest(where), "server": "all"}

    def blocked(self, session: str, address: str | None, now: float | None = None) -> bool:
        """Whether this session or address (or all servers together) has failed too often lately:
        one query."""
        now = self.store.clock() if now is None else now
        t = self.table
        within = [
            sa.and_(t.c.scope == scope, t.c.key == key, t.c.at > now - self.limits[scope][1])
            for scope, key in self._keys(session, address).items()
        ]
        q = sa.select(t.c.scope, sa.func.count()).where(sa.or_(*within)).group_by(t.c.scope)
        with self.store.tx() as conn:
            counts = dict(conn.execute(q).all())
        return any(counts.get(scope, 0) >= n for scope, (n, _) in self.limits.items())

    def failed(self, session: str, address: str | None, now: float | None = None) -> None:
        """Count one failed join for the session, the address and all servers."""
        now = self.store.clock() if now is None else now
        rows = [{"scope": s, "key": k, "at": now} for s, k in self._keys(session, address).items()]
        oldest = now - max(w for _, w in self.limits.values())
        with self.store.tx(write=True) as conn:
            conn.execute(self.table.delete().where(self.table.c.at <= oldest))
            conn.execute(self.table.insert(), rows)
