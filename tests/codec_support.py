"""Shared by the codec tests: two scenes with every field away from its default, the fuzzing
settings, and the checks a read scene must pass."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import numpy as np
from hypothesis import HealthCheck, settings

import optimizers
from optimizers import make_schedule
from scenes import RunSpec, Scene, View, codec, spec

FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def run_arrays(scene: Scene) -> optimizers.RunResult:
    return optimizers.run(scene.landscape_obj(), scene.run_configs(), scene.starts_array(), scene.options())


def assert_same_results(a: Scene, b: Scene) -> None:
    ra, rb = run_arrays(a), run_arrays(b)
    for name in ("positions", "losses", "grad_norms", "status", "status_step", "hit_step", "evals"):
        assert np.array_equal(getattr(ra, name), getattr(rb, name), equal_nan=True), name
    assert ra.labels == rb.labels


def via_url(scene: Scene) -> tuple[Scene, list[str]]:
    """Through a real link: urlencode, then the standard library's query parser."""
    url = codec.scene_url(scene, "http://localhost:8501/")
    return codec.from_query(parse_qs(urlsplit(url).query, keep_blank_values=True))


def assert_valid(scene: Scene, warnings: list[str]) -> None:
    assert isinstance(scene, Scene)
    assert scene.problems() == []
    assert all(isinstance(w, str) and w for w in warnings)
    assert not any("internal error" in w for w in warnings), warnings


# --- scenes with every field away from its default ---------------------------------------------
FULL = Scene(
    landscape="rosenbrock",
    landscape_params=(("b", 20.0), ("a", 0.5)),  # unsorted on purpose: order is kept
    runs=(
        spec("adam", label="Adam; fast;label=x & co #1", batch_size=8, lr=0.05, beta1=0.8, eps=1e-7),
        spec("nesterov", lr=1e-3, momentum=0.95, schedule=make_schedule("step", gamma=0.3, step_size=40)),
        spec("rmsprop", lr=0.01, centered=True, alpha=0.9),
        spec("cg", variant="fletcher_reeves", restart=3),
        spec("polyak", inner="adam", start=10),
        RunSpec("sgd", (("momentum", 0.5), ("lr", 0.1 + 0.2)), "unsorted hparams"),
    ),
    starts=((0.1, 0.2), (-1.0, 1.0), (-0.0, 1 / 3)),
    steps=321,
    schedule=make_schedule("cosine", total=300, min_factor=0.1, warmup=5, warmup_start=0.25),
    noise_sigma=0.3,
    batch_size=4,
    seed=4_000_000_000,
    tol=1e-3,
    view=View(surface=True, animate=True, log_loss=False, presentation=True),
)
CUSTOM = Scene(
    landscape="custom",
    landscape_params=(("formula", "x**2 + 3*y**2 + sin(x*y)"), ("window", (-3.0, 3.0, -2.0, 2.0))),
    runs=(spec("sgd", lr=0.05), spec("adam", lr=0.1)),
    starts=((2.0, 1.5),),
    steps=50,
)
