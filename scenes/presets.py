"""Curated scenes, each teaching one concept of ``shared/CONCEPTS.md`` in one picture.

Every preset was tuned by running it: the numbers quoted in the comments come from
``optimizers.run`` on the scene and are checked in ``tests/test_presets.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from optimizers.schedules import Cosine
from scenes.data_presets import DATA_PRESETS
from scenes.model import Scene, spec


@dataclass(frozen=True)
class Preset:
    """A named scene with the concept it teaches and a two-line caption (``'line 1\\nline 2'``)."""

    key: str
    title: str
    concept: str
    caption: str
    scene: Scene


PRESETS: tuple[Preset, ...] = (
    # GD needs ~420 steps to reach 1e-3 of the minimum, momentum (lr 0.01, mu 0.8) about 110: its
    # swing across the valley is a slow wave that dies out (|z| = sqrt(0.8) per step), not a zig-zag.
    Preset(
        "ravine_momentum",
        "Zig-zag in a ravine",
        "Ill-conditioned ravines: GD zig-zags, momentum goes along",
        "Curvature 100x steeper across the valley than along it: GD's step is capped by the walls and it zig-zags.\n"
        "Momentum averages the zig-zag away and accelerates along the valley floor.",
        Scene(
            landscape="ravine",
            landscape_params=(("kappa", 100.0),),
            runs=(spec("sgd", lr=0.019), spec("momentum", lr=0.01, momentum=0.8)),
            starts=((-2.0, 2.5),),
            steps=600,
            tol=1e-3,
        ),
    ),
    # Overshoot past the minimum: momentum ~1.09, Nesterov ~0.71; steps to 1e-3: ~83 vs ~44.
    Preset(
        "nesterov_overshoot",
        "Nesterov brakes earlier",
        "Nesterov momentum (look-ahead gradient)",
        "Both build up speed downhill; heavy-ball momentum overshoots the bottom and swings back and forth.\n"
        "Nesterov steps with the gradient where momentum is taking it, so it brakes before the bottom.",
        Scene(
            landscape="quadratic",
            runs=(spec("momentum", lr=0.1, momentum=0.9), spec("nesterov", lr=0.1, momentum=0.9)),
            starts=((-1.5, 1.0),),
            steps=300,
            tol=1e-3,
        ),
    ),
    # Final loss: SGD ~1.07 and Adagrad ~1.05 (still on the plateau), RMSprop ~0 (well found at ~100 steps).
    Preset(
        "adagrad_plateau",
        "Adagrad stalls on a plateau",
        "Adagrad vs RMSprop: accumulated vs averaged squared gradients",
        "On a nearly flat plateau plain GD crawls; Adagrad rescales but its sum of squared gradients only grows,\n"
        "so its steps shrink forever; RMSprop forgets old gradients and keeps a steady pace to the well.",
        Scene(
            landscape="plateau",
            runs=(spec("sgd", lr=0.02), spec("adagrad", lr=0.02), spec("rmsprop", lr=0.02)),
            starts=((-3.0, -3.0),),
            steps=800,
        ),
    ),
    # Steps until |y| > 0.5: nearly exact GD ~480, batch-1 SGD ~220, momentum ~100.
    Preset(
        "saddle_escape",
        "Escaping a saddle",
        "Saddle points: escape needs noise or momentum",
        "Started exactly on the ridge line, a nearly exact gradient slides into the saddle and lingers there;\n"
        "gradient noise (batch 1) kicks it off sooner, momentum builds speed along the way out.",
        Scene(
            landscape="bounded_saddle",
            runs=(
                spec("sgd", lr=0.01, label="GD (batch 10⁶)", batch_size=1_000_000),
                spec("sgd", lr=0.01, label="SGD (batch 1)", batch_size=1),
                spec("momentum", lr=0.01, momentum=0.9, label="Momentum (batch 10⁶)", batch_size=1_000_000),
            ),
            starts=((-1.8, 0.0),),
            steps=800,
            noise_sigma=0.5,
        ),
    ),
    # SGD at lr 0.002 ends at loss ~2e-4, lr 0.0025 diverges in 5 steps; Adam reaches 1e-2 of (1, 1).
    Preset(
        "adam_rosenbrock",
        "Adam vs SGD on Rosenbrock",
        "Adam: per-coordinate step sizes",
        "SGD's learning rate is capped by the steepest wall: 0.002 creeps along the valley, 0.0025 blows up.\n"
        "Adam divides each coordinate's step by its own gradient scale and follows the curved valley.",
        Scene(
            runs=(
                spec("sgd", lr=0.002, label="SGD lr 0.002"),
                spec("sgd", lr=0.0025, label="SGD lr 0.0025"),
                spec("adam", lr=0.1),
            ),
            steps=1000,
        ),
    ),
    # Mean loss over the last 300 steps: ~2.8 (B=1), ~0.35 (B=8), ~0.045 (B=64): ~1/B.
    Preset(
        "batch_noise",
        "Batch size and gradient noise",
        "Minibatch SGD: noise shrinks as the batch grows",
        "The same SGD with gradient noise of spread σ/√B: batch 1 jitters around the minimum, batch 64 settles.\n"
        "The loss it hovers at falls roughly like 1/B.",
        Scene(
            landscape="himmelblau",
            runs=tuple(spec("sgd", lr=0.01, label=f"batch {b}", batch_size=b) for b in (1, 8, 64)),
            starts=((0.0, 0.0),),
            steps=600,
            noise_sigma=20.0,
            seed=1,
        ),
    ),
    # Final loss from 4 starts: small lr ~0.7-5 (local minima), big lr ~4-8 (bouncing), decayed ~0.001 (all).
    Preset(
        "lr_decay",
        "Explore, then exploit",
        "Learning-rate decay: exploration vs exploitation",
        "Noisy SGD on a bumpy landscape: a small rate gets stuck in the first dimple, a big one never settles.\n"
        "A big rate that decays (cosine) explores first, then exploits: it ends in the global minimum.",
        Scene(
            landscape="ackley",
            runs=(
                spec("sgd", lr=0.05, label="small lr"),
                spec("sgd", lr=0.2, label="big lr"),
                spec("sgd", lr=0.2, label="big lr, cosine decay", schedule=Cosine(total=800)),
            ),
            starts=((-3.6, 3.1), (2.4, -4.2), (3.0, 3.0), (-4.0, -1.0)),
            steps=800,
            noise_sigma=2.0,
        ),
    ),
    # Newton stalls at the saddle (0, 0); saddle-free Newton and BFGS converge to (0, ±1) in < 10 steps.
    Preset(
        "newton_saddle",
        "Newton is attracted to saddles",
        "Newton's method and saddle points",
        "Newton jumps to where the local quadratic model is flat, and near a saddle that is the saddle itself.\n"
        "Saddle-free Newton flips the negative curvature and goes downhill; BFGS's line search insists on descent.",
        Scene(
            landscape="bounded_saddle",
            runs=(spec("newton"), spec("newton", label="Saddle-free Newton", saddle_free=True), spec("bfgs")),
            starts=((-1.5, 0.3), (1.2, -0.4)),
            steps=60,
        ),
    ),
    # Second-order methods on a quadratic: Newton 1 step, CG 2, BFGS 3; GD ~420.
    Preset(
        "quasi_newton_ravine",
        "Curvature-aware methods in a ravine",
        "Newton, conjugate gradient and BFGS",
        "On a quadratic ravine Newton lands in one step, conjugate gradient in two, BFGS in a few:\n"
        "they use (or learn) the curvature that makes GD zig-zag for hundreds of steps.",
        Scene(
            landscape="ravine",
            landscape_params=(("kappa", 100.0),),
            runs=(spec("sgd", lr=0.019), spec("cg"), spec("bfgs"), spec("newton")),
            starts=((-2.0, 2.5),),
            steps=600,
            tol=1e-3,
        ),
    ),
    # Fraction of 8 runs started in the sharp well that end in the flat one: ~0.75 (B=1), ~0.25 (B=4), 0 (B=64).
    Preset(
        "sharp_flat",
        "Small batches find flat minima",
        "Batch size matters: sharp vs flat minima",
        "Eight runs start in the sharp well: the noise of small batches throws them out of it into the wide,\n"
        "flat well, while large batches stay in the sharp one (Keskar et al. 2016).",
        Scene(
            landscape="sharp_flat",
            runs=tuple(spec("sgd", lr=0.1, label=f"batch {b}", batch_size=b) for b in (1, 4, 64)),
            starts=(
                (-1.3, 0.25),
                (-1.6, -0.2),
                (-1.4, -0.1),
                (-1.7, 0.1),
                (-1.5, 0.3),
                (-1.2, -0.2),
                (-1.8, -0.25),
                (-1.45, 0.05),
            ),
            steps=1000,
            noise_sigma=2.0,
        ),
    ),
    # Ends at the minimizer of f + wd |p|^2 / 2: (1, 3), (1.3, 2.3), (1.12, 1.45).
    Preset(
        "weight_decay",
        "Weight decay pulls toward the origin",
        "Weight decay / L2 penalty",
        "The L2 penalty adds weight_decay · p to the gradient: paths bend toward the origin\n"
        "and stop short of the true minimum, at the minimum of loss + penalty.",
        Scene(
            landscape="booth",
            runs=tuple(spec("sgd", lr=0.02, label=f"weight decay {w:g}", weight_decay=w) for w in (0.0, 2.0, 10.0)),
            starts=((6.0, 8.0),),
            steps=600,
        ),
    ),
    # Steps to 1e-2: Adadelta ~490; SGD lr 0.01 never (loss ~0.03 at the end), lr 0.1 ~520.
    Preset(
        "adadelta_no_lr",
        "Adadelta needs no learning rate",
        "Adadelta: steps in the units of the parameters",
        "On a gentle bowl SGD's step lr · gradient is tiny unless lr is retuned. Adadelta (lr = 1, untouched)\n"
        "scales steps by its own past steps, so it moves at the same pace whatever the curvature.",
        Scene(
            landscape="quadratic",
            landscape_params=(("c", 0.1),),
            runs=(
                spec("adadelta", label="Adadelta (lr 1, untuned)"),
                spec("sgd", lr=0.01, label="SGD lr 0.01"),
                spec("sgd", lr=0.1, label="SGD lr 0.1"),
            ),
            starts=((-1.5, 1.0),),
            steps=800,
        ),
    ),
    # Mean loss over the last 200 steps: SGD ~2.6, its Polyak average ~0.23.
    Preset(
        "polyak_averaging",
        "Averaging noisy iterates",
        "Polyak averaging",
        "Noisy SGD keeps jittering around the minimum; the running mean of its iterates (from step 100)\n"
        "averages the noise out and sits much closer to it.",
        Scene(
            landscape="himmelblau",
            runs=(spec("sgd", lr=0.01), spec("polyak", start=100)),
            starts=((0.0, 0.0),),
            steps=1000,
            noise_sigma=20.0,
        ),
    ),
    # Eight starts end in all four minima; the start (0.5, -1.5) ends in different minima for SGD and Adam.
    Preset(
        "basins",
        "Where you start decides where you end",
        "Initialization: basins of attraction",
        "Himmelblau's function has four equally good minima: each start point rolls into the basin it is in.\n"
        "Near a basin boundary the optimizer decides too: SGD and Adam part ways from the same start.",
        Scene(
            landscape="himmelblau",
            runs=(spec("sgd", lr=0.01), spec("adam", lr=0.05)),
            starts=(
                (0.0, 0.0),
                (-1.0, -1.5),
                (0.5, -1.5),
                (-0.8, 0.2),
                (1.0, 4.0),
                (-4.0, 4.0),
                (-4.0, -4.0),
                (4.0, -4.0),
            ),
            steps=600,
        ),
    ),
)


# the data landscapes' lessons (scenes.data_presets)
PRESETS += tuple(Preset(*fields) for fields in DATA_PRESETS)


def preset_by_key(key: str) -> Preset:
    """The preset named ``key``; ``KeyError`` listing the known keys otherwise."""
    for p in PRESETS:
        if p.key == key:
            return p
    raise KeyError(f"Unknown preset {key!r}; known: {', '.join(p.key for p in PRESETS)}")


# The race a visitor sees first (a link with no scene in it): it tells a story at once. The scene
# defaults (``Scene()``) stay what an omitted link key means. From (0, -3), 500 steps, tol 0.01:
# SGD reaches (3.58, -1.85) at step 23, momentum overshoots into (3, 2) at step 93, RMSprop and Adam
# reach (-3.78, -3.28) at steps 24 and 75 (checked in tests/test_presets.py).
WELCOME = Preset(
    "first_race",
    "Same start, three minima",
    "Optimizers differ in where they go, not only in how fast",
    "Himmelblau's function has four minima. From the same start, gradient descent rolls into the nearest valley,\n"
    "momentum carries past it into another, and RMSprop and Adam, which rescale each coordinate, head off to a third.",
    Scene(
        landscape="himmelblau",
        runs=(
            spec("sgd", lr=0.01),
            spec("momentum", lr=0.005, momentum=0.9),
            spec("rmsprop", lr=0.05),
            spec("adam", lr=0.1),
        ),
        starts=((0.0, -3.0),),
        steps=500,
    ),
)


def meaning(scene: Scene) -> tuple[Any, ...] | None:
    """What ``scene`` computes and shows, written so that two ways of spelling the same scene
    compare equal (a parameter given at its default or left out, the view options aside): the
    landscape object, each run's optimizer config, label, batch size and schedule, and the rest of
    the scene. ``None`` for a scene that cannot be built."""
    try:
        landscape = scene.landscape_obj()
        runs = tuple((r.config(), r.label, r.batch_size, r.schedule) for r in scene.runs)
    except (ValueError, KeyError, TypeError):
        return None
    return (landscape, runs, replace(scene, landscape_params=(), runs=(), view=PRESETS[0].scene.view))


@lru_cache(maxsize=1)
def _meanings() -> tuple[tuple[Any, ...] | None, ...]:
    return tuple(meaning(p.scene) for p in (*PRESETS, WELCOME))


def preset_of(scene: Scene) -> Preset | None:
    """The preset whose scene ``scene`` is (``meaning``: the same landscape, runs and settings, the
    view options aside); ``None`` once anything else differs: the scene is then the user's own."""
    m = meaning(scene)
    if m is None:
        return None
    for p, pm in zip((*PRESETS, WELCOME), _meanings(), strict=True):
        if m == pm:
            return p
    return None
