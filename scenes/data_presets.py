"""Curated scenes on data landscapes (``landscapes.data``), each one lesson of the course's data
part (``shared/CONCEPTS.md``): feature scaling, batch vs minibatch vs stochastic gradients, weight
decay on separable data, the tanh net's symmetry, train vs test minima.

Tuned by running them; the numbers in the comments come from ``optimizers.run`` and are checked in
``tests/test_data_presets.py``. A batch size equal to the training examples is the full batch.
"""

from __future__ import annotations

from scenes.model import Scene, spec

FEATURE_SCALING = Scene(
    # raw x (mean 5): condition number ~167, GD (lr 0.02) still far after 500 steps, momentum there in ~100;
    # standardized: condition number 1, the same GD arrives in ~290 steps
    landscape="data_linear",
    landscape_params=(("n", 200), ("test_fraction", 0.0)),
    runs=(spec("sgd", lr=0.02), spec("momentum", lr=0.02, momentum=0.9)),
    starts=((0.0, 0.0),),
    steps=500,
    batch_size=200,
)
BATCH_SIZES = Scene(
    # 750 training examples: B = 1 ends ~0.5 from the minimum, B = 32 and B = n within ~0.02
    landscape="data_logistic",
    landscape_params=(("n", 1000), ("separable", False), ("standardize", True)),
    runs=(
        spec("sgd", label="Stochastic, B = 1", batch_size=1, lr=0.5),
        spec("sgd", label="Minibatch, B = 32", batch_size=32, lr=0.5),
        spec("sgd", label="Batch, B = n", batch_size=750, lr=0.5),
    ),
    starts=((0.0, 2.5),),  # inside the view (w from -0.74): from (-2, 2) the start and first steps were off the plot
    steps=300,
    tol=5e-2,
)
SEPARABLE = Scene(
    # no minimum: without decay |w| keeps growing (~7.9 at step 1000); with decay 0.05 it settles (~2.1)
    landscape="data_logistic",
    landscape_params=(("n", 200), ("standardize", True)),
    runs=(
        spec("sgd", label="No weight decay", lr=1.0),
        spec("sgd", label="Weight decay 0.05", lr=1.0, weight_decay=0.05),
    ),
    starts=((0.0, 0.0),),
    steps=1000,
    batch_size=150,
)
SYMMETRY = Scene(
    # mirror-image starts end in mirror-image minima (+-(1.58, 1.92)); the origin is a saddle
    landscape="data_tanh",
    runs=(spec("sgd", lr=0.1),),
    starts=((0.3, 0.1), (-0.3, -0.1), (1.0, -2.0), (-1.0, 2.0)),
    steps=600,
    batch_size=150,
)
TRAIN_TEST = Scene(
    # 12 training and 12 test examples: train minimum ~(2.47, 2.35), test minimum ~(2.69, 1.44)
    landscape="data_linear",
    landscape_params=(("n", 24), ("noise", 2.0), ("test_fraction", 0.5), ("standardize", True)),
    runs=(spec("sgd", lr=0.05), spec("adam", lr=0.1)),
    starts=((0.0, 0.0),),
    steps=400,
    batch_size=12,
)

# (key, title, concept, two-line caption, scene)
DATA_PRESETS: tuple[tuple[str, str, str, str, Scene], ...] = (
    (
        "feature_scaling",
        "Feature scaling turns a ravine into a bowl",
        "Feature scaling: a raw feature makes a ravine",
        "A raw, off-centre feature (mean 5) stretches the loss of w x + b into a ravine: GD crawls along it.\n"
        "Toggle 'standardize feature': the ravine becomes a round bowl and the same GD walks straight in.",
        FEATURE_SCALING,
    ),
    (
        "data_batch_sizes",
        "Stochastic vs minibatch vs batch",
        "Batch size on real data: minibatch gradients are noisy",
        "The same SGD on 750 real examples: B = 1 draws one example per step and wanders around the minimum,\n"
        "B = 32 wanders less, B = n (the full batch) follows the exact gradient. Steps and epochs in the table.",
        BATCH_SIZES,
    ),
    (
        "separable_weight_decay",
        "Separable classes: no minimum without weight decay",
        "Weight decay on separable data",
        "A threshold separates the two classes, so the loss keeps falling as the weights grow: no minimum.\n"
        "Without decay the weights grow forever; weight decay (an L2 penalty) makes a minimum and they settle.",
        SEPARABLE,
    ),
    (
        "tanh_symmetry",
        "Two mirror-image minima",
        "Symmetry: the two-weight network v tanh(w x)",
        "Flipping both weights' signs gives the same network: the loss has two mirror-image minima\n"
        "and a saddle at the origin between them. Mirror-image starts end in mirror-image minima.",
        SYMMETRY,
    ),
    (
        "train_test_minima",
        "Train and test minima differ",
        "Generalization gap: the test loss surface is not the training one",
        "Dashed: the loss over 12 held-out examples, with its own minimum away from the training one.\n"
        "The loss curves mark each run's lowest test loss: where early stopping would keep it.",
        TRAIN_TEST,
    ),
)
