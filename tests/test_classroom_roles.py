"""Roles in a room: no teacher action without the key, students only act for themselves, hostile
nicknames are made harmless, failed joins and submissions are rate-limited."""

from __future__ import annotations

import pytest

from classroom import roles
from classroom.challenges import Challenge, ChallengeError, Entry
from classroom.rooms import Classroom, JoinError, NotAllowedError
from scenes import Scene
from tests.classroom_support import BACKENDS, Clock, store_factory

HOSTILE = {
    "markdown": ("**bold** [click](http://evil.example) # title", "**bold** [click](http://evil.example) # title"),
    "html": ("<script>alert(1)</script><b>x</b>", "<script>alert(1)</script><b>x</b>"),
    "rtl": ("\u202eevil\u202c\u200fname\u2066x\u2069", "evilnamex"),
    "control": ("a\x00b\x07c\nd\te\r\x1b[31mf\u2028g", "abc d e [31mf g"),
    "zero width": ("a\u200bb\u200dc\ufeffd", "abcd"),
}


@pytest.fixture
def classroom(tmp_path):
    clock = Clock()
    with store_factory("sqlite", tmp_path, clock) as make:
        yield Classroom(make()), clock


def _challenge(**kw) -> Challenge:
    scene = Scene(landscape="quadratic", starts=((-1.5, 2.0),))
    return Challenge.on(scene, **({"kind": "lowest_loss", "steps": 50, "lr_range": (0.01, 0.5)} | kw))


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_nicknames_are_cleaned(name):
    raw, expected = HOSTILE[name]
    got = roles.clean_text(raw)
    assert got == expected[: roles.NICKNAME_MAX]
    assert all(ord(ch) >= 32 and ch not in "\u202e\u200f\u2066\u2069\u200b\ufeff" for ch in got)


def test_long_and_empty_nicknames():
    assert roles.clean_text("x" * 10_000) == "x" * roles.NICKNAME_MAX
    assert roles.clean_text("\u202e\u200b\x00   ") == "" and roles.clean_text(None) == ""


def test_keys_codes_and_tokens():
    key = roles.new_secret()
    assert len(key) >= 32 and roles.matches(key, roles.digest(key))
    assert not roles.matches(key + "x", roles.digest(key)) and not roles.matches(None, roles.digest(key))
    assert not roles.matches("", roles.digest(""))
    code = roles.new_code()
    assert roles.normalize_code(roles.show_code(code).lower()) == code
    assert roles.normalize_code("O0I1L-ABC") is None and roles.normalize_code(None) is None
    assert len(roles.CODE_ALPHABET) ** roles.CODE_LENGTH > 8e11


def test_no_teacher_action_without_the_key(classroom):
    cr, _ = classroom
    mine = cr.open_room()
    other = cr.open_room()
    code = mine.room.code
    assert cr.store.room(code).teacher_hash != mine.key  # only the hash is stored
    for key in ("", None, "wrong", other.key, mine.key[:-1]):
        with pytest.raises(NotAllowedError):
            cr.push(code, key, "", "v=1")
        with pytest.raises(NotAllowedError):
            cr.set_flags(code, key, locked=True)
        with pytest.raises(NotAllowedError):
            cr.set_challenge(code, key, _challenge())
        with pytest.raises(NotAllowedError):
            cr.remove(code, key, 1)
        with pytest.raises(NotAllowedError):
            cr.reset(code, key)
        with pytest.raises(NotAllowedError):
            cr.close(code, key)
        with pytest.raises(NotAllowedError):
            cr.csv(code, key)
    room = cr.store.room(code)
    assert (room.version, room.challenge, room.locked, room.closed) == (0, "", False, False)
    assert cr.push(code, mine.key, "", "v=1&ls=ravine") == 1


def test_students_act_only_for_themselves(classroom):
    cr, _ = classroom
    t = cr.open_room()
    code = t.room.code
    cr.set_challenge(code, t.key, _challenge())
    cr.join(code, "tok-ann", "Ann")
    cr.join(code, "tok-bob", "Bob")
    ann_sub, new = cr.submit(code, "tok-ann", Entry("sgd", 0.1), "idem-1")
    assert new and ann_sub.nickname == "Ann"
    assert cr.submit(code, "tok-ann", Entry("sgd", 0.1), "idem-1") == (ann_sub, False)  # a double-click
    assert cr.submit(code, "tok-bob", Entry("sgd", 0.1), "idem-1") == (None, False)  # Ann's key: not Bob's
    assert not cr.withdraw(code, "tok-bob", ann_sub.id)  # Bob cannot remove Ann's
    assert not cr.withdraw(code, "tok-eve", ann_sub.id)  # nor can a stranger
    assert [s.id for s in cr.store.submissions(t.room.id)] == [ann_sub.id]
    with pytest.raises(NotAllowedError):
        cr.submit(code, "tok-eve", Entry("sgd", 0.1), "x")  # never joined
    assert cr.withdraw(code, "tok-ann", ann_sub.id)


def test_submissions_are_checked_locked_and_rate_limited(classroom):
    cr, clock = classroom
    t = cr.open_room()
    code = t.room.code
    cr.join(code, "tok", "Ann")
    with pytest.raises(ChallengeError, match="no challenge"):
        cr.submit(code, "tok", Entry("sgd", 0.1), "a")
    cr.set_challenge(code, t.key, _challenge(optimizers=("sgd",), deadline=clock.now + 60))
    with pytest.raises(ChallengeError, match="allows sgd only"):
        cr.submit(code, "tok", Entry("adam", 0.1), "b")
    with pytest.raises(ChallengeError, match=r"between 0\.01 and 0\.5"):
        cr.submit(code, "tok", Entry("sgd", 5.0), "c")
    with pytest.raises(ChallengeError, match="same point"):
        cr.submit(code, "tok", Entry("sgd", 0.1, start=(0.0, 1.0)), "d")
    for i in range(6):
        cr.submit(code, "tok", Entry("sgd", 0.1), f"ok{i}")
    with pytest.raises(NotAllowedError, match="At most 6"):
        cr.submit(code, "tok", Entry("sgd", 0.1), "too-many")
    clock.now += 61  # past the deadline, and the rate window
    with pytest.raises(ChallengeError, match="deadline"):
        cr.submit(code, "tok", Entry("sgd", 0.1), "late")
    cr.set_flags(code, t.key, locked=True)
    with pytest.raises(NotAllowedError, match="locked"):
        cr.submit(code, "tok", Entry("sgd", 0.1), "locked")


def test_joins_wrong_codes_are_rate_limited_and_closed_rooms_refused(classroom):
    cr, _ = classroom
    t = cr.open_room(ttl=600)
    with pytest.raises(JoinError, match="nickname"):
        cr.join(t.room.code, "tok", "\u202e\u200b")
    for _ in range(roles.JOIN_LIMITS["session"][0]):
        with pytest.raises(JoinError, match="No open room"):
            cr.join("ZZZZZZZZ", "guesser", "x")
    with pytest.raises(JoinError, match="Too many tries"):
        cr.join(t.room.code, "guesser", "x")  # even the right code, for a while
    room, member = cr.join(t.room.code, "other", "**Ann**\u202e")
    assert member.nickname == "**Ann**" and room.id == t.room.id
    cr.close(t.room.code, t.key)
    with pytest.raises(JoinError, match="No open room"):
        cr.join(t.room.code, "late", "Bob")


def test_csv_export_keeps_formulas_inert(classroom):
    cr, _ = classroom
    t = cr.open_room()
    cr.set_challenge(t.room.code, t.key, _challenge())
    cr.join(t.room.code, "tok", "=HYPERLINK(1)")
    cr.submit(t.room.code, "tok", Entry("sgd", 0.1), "k")
    text = cr.csv(t.room.code, t.key)
    assert text.splitlines()[0].startswith("id,challenge,time,nickname")
    assert "'=HYPERLINK(1)" in text and ",sgd," in text


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_code_guesses_are_counted_across_replicas(backend, tmp_path):
    """Two app servers on one database (two stores, as two replicas open it): failed joins on one
    count on the other, per session, per address and for all servers together; the window passes."""
    from classroom.guard import JoinGuard

    limits = {"session": (3, 60.0), "address": (5, 60.0), "server": (8, 60.0)}
    clock = Clock()
    with store_factory(backend, tmp_path, clock) as make:
        one, two = make(), make()
        a, b = Classroom(one, JoinGuard(one, limits)), Classroom(two, JoinGuard(two, limits))
        room = a.open_room(ttl=600).room
        for cr in (a, b, a):  # one session, alternately on both replicas
            with pytest.raises(JoinError, match="No open room"):
                cr.join("ZZZZZZZZ", "guesser", "x", "10.0.0.1")
        with pytest.raises(JoinError, match="Too many tries"):
            b.join(room.code, "guesser", "x", "10.0.0.9")  # the session's limit, reached on the other replica
        for i, cr in enumerate((b, a)):  # other sessions behind the guesser's address
            with pytest.raises(JoinError, match="No open room"):
                cr.join("ZZZZZZZZ", f"guesser-{i}", "x", "10.0.0.1")
        with pytest.raises(JoinError, match="Too many tries"):
            a.join(room.code, "fresh", "Ann", "10.0.0.1")  # the address's limit (5)
        for i, cr in enumerate((a, b, a)):  # 8 failures in all: every server refuses everyone
            with pytest.raises(JoinError, match="No open room"):
                cr.join("ZZZZZZZZ", f"elsewhere-{i}", "x", f"10.0.1.{i}")
        with pytest.raises(JoinError, match="Too many tries"):
            b.join(room.code, "innocent", "Bob", "10.0.2.1")
        clock.now += 61  # the window has passed
        assert b.join(room.code, "innocent", "Bob", "10.0.2.1")[1].nickname == "Bob"
        assert a.join(room.code, "guesser", "Eve", "10.0.0.1")[1].nickname == "Eve"
