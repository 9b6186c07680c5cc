"""The classroom store on SQLite and on the real PostgreSQL server: rooms, joins, pushes,
submissions (once per idempotency key, also from many threads at once), expiry, a restart."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from classroom.store import SCHEMA_VERSION, Store, StoreUnavailableError
from tests.classroom_support import BACKENDS, Clock, store_factory


@pytest.fixture(params=BACKENDS)
def stores(request, tmp_path):
    clock = Clock()
    with store_factory(request.param, tmp_path, clock) as make:
        yield make, clock, request.param


def _submit(store: Store, room_id: int, member_id: int, key: str, score: float = 1.0) -> tuple[int, bool]:
    return store.add_submission(
        room_id, member_id, key, 1, "adam", {"lr": 0.05}, (-1.5, 2.0), score, 0.25, "converged", [[-1.5, 2.0], [1, 1]]
    )


def test_rooms_joins_pushes_and_submissions(stores):
    make, clock, _ = stores
    s = make()
    assert s.schema_version() == SCHEMA_VERSION
    room = s.create_room("ABC234", "hash-of-key", ttl=3600)
    assert room.code == "ABC234" and room.version == 0 and room.open_at(clock.now)
    assert s.create_room("ABC234", "other", ttl=60) is None  # codes are unique
    ann = s.join(room.id, "tok-ann", "Ann", max_members=2)
    assert s.join(room.id, "tok-ann", "Someone else", max_members=2) == ann  # same token: same member
    bob = s.join(room.id, "tok-bob", "Bob", max_members=2)
    assert s.join(room.id, "tok-eve", "Eve", max_members=2) is None  # the room is full
    assert s.member_count(room.id) == 2 and s.member(room.id, "tok-bob") == bob
    assert s.push(room.id, "", "v=1&ls=ravine") == 1
    assert s.push(room.id, "", "v=1&ls=himmelblau") == 2
    got = s.room("ABC234")
    assert (got.version, got.scene) == (2, "v=1&ls=himmelblau")
    assert [v for v, _, _ in s.pushes(room.id)] == [1, 2]
    assert _submit(s, room.id, ann.id, "k1", 3.0)[1]
    sub_id, new = _submit(s, room.id, bob.id, "k2", 7.0)
    assert new
    assert _submit(s, room.id, bob.id, "k2") == (sub_id, False)  # a double-click counts once
    subs = s.submissions(room.id)
    assert [x.nickname for x in subs] == ["Ann", "Bob"] and subs[1].hparams == {"lr": 0.05}
    assert subs[1].path == [[-1.5, 2.0], [1, 1]] and subs[1].start == (-1.5, 2.0)
    stamp = s.stamp(room.id)
    assert stamp[:4] == (2, 0, 2, sub_id)
    assert not s.remove_submission(room.id, sub_id, member_id=ann.id)  # not Ann's
    assert s.remove_submission(room.id, sub_id)
    assert [x.nickname for x in s.submissions(room.id)] == ["Ann"]
    assert s.stamp(room.id)[2] == 1
    s.set_flags(room.id, locked=True, hide_names=True)
    assert s.stamp(room.id)[4] != stamp[4]
    assert s.set_challenge(room.id, '{"kind": "lowest_loss"}') == 1
    assert s.room("ABC234").challenge_version == 1
    assert s.remove_all(room.id) == 1 and s.submissions(room.id) == []


def test_expiry_purges_everything_of_an_expired_room(stores):
    make, clock, _ = stores
    s = make()
    old = s.create_room("OLD234", "h", ttl=60)
    new = s.create_room("NEW234", "h", ttl=7200)
    m = s.join(old.id, "t", "Ann", 10)
    _submit(s, old.id, m.id, "k")
    s.push(old.id, "", "v=1")
    clock.now += 61
    assert not s.room("OLD234").open_at(clock.now) and s.room("NEW234").open_at(clock.now)
    assert s.purge_expired() == 1
    assert s.room("OLD234") is None and s.submissions(old.id) == [] and s.pushes(old.id) == []
    assert s.room("NEW234").id == new.id


def test_a_restart_keeps_everything(stores):
    make, _, _ = stores
    s = make()
    room = s.create_room("KEEP23", "h", ttl=3600)
    m = s.join(room.id, "t", "Ann", 10)
    s.push(room.id, "", "v=1&ls=ravine")
    _submit(s, room.id, m.id, "k")
    s.dispose()
    again = make()  # a new engine on the same database, the schema already there
    assert again.room("KEEP23").scene == "v=1&ls=ravine"
    assert [x.nickname for x in again.submissions(room.id)] == ["Ann"]
    assert again.join(room.id, "t", "Ann", 10).id == m.id


def test_concurrent_submissions_none_lost_none_duplicated(stores):
    make, _, _ = stores
    s = make()
    room = s.create_room("MANY23", "h", ttl=3600)
    members = [s.join(room.id, f"t{i}", f"S{i}", 100) for i in range(20)]
    # 20 students, 3 submissions each, every one sent twice (a double-click) from 8 threads at once
    jobs = [(m.id, f"{m.id}-{k}") for m in members for k in range(3)] * 2
    start = threading.Barrier(8)

    def send(job):
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(timeout=5)
        return _submit(s, room.id, job[0], job[1])

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, jobs))
    stored = s.submissions(room.id)
    assert len(stored) == 60 and len({x.id for x in stored}) == 60
    assert sum(new for _, new in results) == 60
    by_key = {}
    for (_, key), (sub_id, _) in zip(jobs, results, strict=True):
        assert by_key.setdefault(key, sub_id) == sub_id  # both sends of a key got the same row


def test_concurrent_joins_never_overfill_a_room(stores):
    make, _, _ = stores
    s = make()
    room = s.create_room("FULL23", "h", ttl=3600)
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda i: s.join(room.id, f"t{i}", f"S{i}", 10), range(30)))
    assert sum(m is not None for m in got) == 10 and s.member_count(room.id) == 10


def test_an_unreachable_database_gives_a_plain_message():
    with pytest.raises(StoreUnavailableError) as exc:
        Store("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert "not available" in str(exc.value) and "Traceback" not in str(exc.value)
    with pytest.raises(StoreUnavailableError):
        Store("nosuchdialect://x")


def test_a_locked_sqlite_database_gives_a_plain_message(tmp_path, monkeypatch):
    import classroom.store as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "locked.sqlite3"
    s = Store(f"sqlite:///{path}")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreUnavailableError) as exc:
            s.create_room("LOCK23", "h", 60)
        assert "locked" in str(exc.value)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert s.create_room("LOCK23", "h", 60) is not None  # fine again once the lock is gone
    s.dispose()


def test_another_schema_version_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'v.sqlite3'}"
    s = Store(url)
    with s.engine.begin() as conn:
        conn.execute(s.t["meta"].update().values(value="999"))
    s.dispose()
    with pytest.raises(StoreUnavailableError, match="schema version 999"):
        Store(url)


def test_a_version_1_database_is_upgraded_in_place(stores):
    """A database written by the app before the join-failure table (schema 1) is upgraded when a
    store opens it: the rooms stay, the new table is made, the version is recorded."""
    make, _, _ = stores
    old = make()
    room = old.create_room("OLD234", "h", 3600)
    with old.engine.begin() as conn:
        old.t["join_failures"].drop(conn)
        conn.execute(old.t["meta"].update().values(value="1"))
    new = make()
    assert new.schema_version() == SCHEMA_VERSION == 2
    assert new.room("OLD234") == room
    with new.tx() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(new.t["join_failures"])).scalar_one() == 0
