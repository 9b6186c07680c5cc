"""The server's scoring of submissions, against closed forms and against torch.optim."""

from __future__ import annotations

import math

import pytest
import torch

from classroom.challenges import Challenge, ChallengeError, Entry, score, thin_path
from optimizers.runner import Status
from scenes import Scene


def test_fewest_steps_on_the_bowl_matches_the_closed_form():
    # f = (x^2 + y^2)/2, SGD: p_t = (1 - lr)^t p_0; |p_0| = 2.5; first t with |p_t| <= tol = 0.01
    ch = Challenge.on(Scene(landscape="quadratic", starts=((-1.5, 2.0),), tol=0.01), kind="fewest_steps", steps=200)
    for lr in (0.1, 0.3):
        expected = math.ceil(math.log(0.01 / 2.5) / math.log(1 - lr))
        got = score(ch, Entry("sgd", lr))
        assert got.score == expected and got.status == Status.CONVERGED.label
    assert score(ch, Entry("sgd", 0.0001)).score is None  # never gets there in 200 steps


def test_lowest_loss_on_the_bowl_matches_the_closed_form():
    ch = Challenge.on(Scene(landscape="quadratic", starts=((-1.5, 2.0),)), kind="lowest_loss", steps=40)
    got = score(ch, Entry("sgd", 0.05))
    assert got.score == pytest.approx(0.5 * 6.25 * 0.95 ** (2 * 40), rel=1e-12)
    assert got.path[0] == [-1.5, 2.0] and len(got.path) <= 100


def test_escape_the_saddle_matches_the_closed_form():
    # f = x^2 - y^2 from (0, 0.01), SGD: y_t = 0.01 (1 + 2 lr)^t; escaped when y_t - 0.01 > radius
    ch = Challenge.on(Scene(landscape="saddle", starts=((0.0, 0.01),)), kind="escape_saddle", steps=100, radius=0.5)
    lr = 0.1
    expected = math.floor(math.log(0.51 / 0.01) / math.log(1 + 2 * lr)) + 1
    assert score(ch, Entry("sgd", lr)).score == expected


def test_adam_lowest_loss_on_rosenbrock_matches_torch():
    ch = Challenge.on(Scene(landscape="rosenbrock", starts=((-1.5, 2.0),)), kind="lowest_loss", steps=150)
    got = score(ch, Entry("adam", 0.05))
    p = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.05)
    for _ in range(150):
        opt.zero_grad()
        loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
        loss.backward()
        opt.step()
    with torch.no_grad():
        final = float((1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2)
    assert got.score == pytest.approx(final, rel=1e-9)


def test_a_student_start_is_used_when_allowed_and_checked():
    scene = Scene(landscape="quadratic", starts=((-1.5, 2.0),))
    ch = Challenge.on(scene, kind="lowest_loss", steps=10, allow_start=True)
    got = score(ch, Entry("sgd", 0.5, start=(1.0, 0.0)))
    assert got.start == (1.0, 0.0) and got.score == pytest.approx(0.5 * 0.5**20)
    with pytest.raises(ChallengeError, match="inside"):
        score(ch, Entry("sgd", 0.5, start=(50.0, 0.0)))
    with pytest.raises(ChallengeError, match="inside"):
        score(ch, Entry("sgd", 0.5, start=(float("nan"), 0.0)))


def test_bad_challenges_and_too_much_work_are_refused():
    with pytest.raises(ChallengeError):
        Challenge(kind="fastest_car")
    with pytest.raises(ChallengeError):
        Challenge(optimizers=("rm -rf",))
    with pytest.raises(ChallengeError):
        Challenge(lr_range=(1.0, 0.1))
    with pytest.raises(ChallengeError):
        Challenge(steps=10**6)
    assert Challenge.from_json(Challenge(kind="lowest_loss").to_json()) == Challenge(kind="lowest_loss")
    with pytest.raises(ChallengeError):
        Challenge.from_json("{not json")
    ch = Challenge.on(Scene(landscape="quadratic"), kind="lowest_loss", steps=10, lr_range=(0.01, 1.0))
    with pytest.raises(ChallengeError):
        score(ch, Entry("sgd", 0.1, momentum=5.0))  # momentum out of its declared range


def test_a_diverged_run_has_no_score_and_a_finite_path():
    ch = Challenge.on(Scene(landscape="quadratic", starts=((-1.5, 2.0),)), kind="lowest_loss", steps=400,
                      lr_range=(0.01, 10.0))  # fmt: skip
    got = score(ch, Entry("sgd", 9.0))
    assert got.score is None and got.status == "diverged"
    assert all(math.isfinite(v) for pt in got.path for v in pt)
    assert thin_path(__import__("numpy").array([[0.0, 0.0], [float("nan"), 1.0]])) == [[0.0, 0.0]]
