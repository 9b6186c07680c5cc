"""What the Network lab's work costs before it starts: CPU seconds, an upper bound on this machine,
in the units of ``optimizers.cost`` (its ``Work`` and budget), so a page can refuse or cut it.

The unit is the multiply-add of one example through one layer (``Architecture.macs``) plus a
cost per unit (activations, the loss), and fixed NumPy call overheads:

- a forward pass costs ``macs + 5 units`` per example; forward and backward ``3 macs + 10 units``;
  a Hessian-vector product (forward, R-forward, backward, R-backward) ``8 macs + 20 units``;
- each training step also pays, per group of runs sharing a batch size, ``CALL`` per layer, and per
  optimizer kind ``UPDATE``, plus ``PARAM`` per parameter of every run (the elementwise update);
- the PCA plane's Gram matrix costs ``GRAM`` per ``m^2 P`` (``m`` points fitted).

Constants measured with ``python -m benchmarks.network_lab`` on the project's 2-core machine under
load (one BLAS thread) and rounded up.
"""

from __future__ import annotations

from dataclasses import dataclass

from networks.mlp import Architecture
from optimizers.cost import Work

MAC = 0.8e-9  # seconds per multiply-add and example (measured 0.45-0.6 ns)
CALL = 60e-6  # seconds per layer and batched pass (NumPy calls, the loss; measured 25-50 us)
FIXED = 0.1  # seconds of a page's setup: the dataset, the initialization, the predictions' grid
UPDATE = 80e-6  # seconds per optimizer kind and step (measured 30-60 us)
PARAM = 25e-9  # seconds per parameter and run of an update (measured 10-20 ns)
GRAM = 0.1e-9  # seconds per m^2 P of the PCA plane (measured 0.04 ns)


@dataclass(frozen=True)
class NetShape:
    """What the cost depends on: the network, and the examples it is evaluated on."""

    arch: Architecture
    n_train: int
    n_test: int

    @property
    def units(self) -> int:
        return sum(self.arch.sizes[1:])

    def forward(self, networks: float, examples: float) -> float:
        """Seconds to evaluate the loss of ``networks`` parameter vectors on ``examples`` examples each."""
        return networks * examples * (self.arch.macs + 5 * self.units) * MAC + CALL * len(self.arch.layers)


def training(shape: NetShape, batches: list[int], kinds: int, steps: int, recorded: int) -> Work:
    """``optimizers``' ``Work`` of ``networks.train.train``: ``batches`` holds each run's batch size
    (its examples per step), ``kinds`` the optimizer kinds; ``recorded`` points evaluated on both sets."""
    arch = shape.arch
    groups = len(set(batches))
    per_example = (3 * arch.macs + 10 * shape.units) * MAC
    per_step = (
        groups * CALL * len(arch.layers)
        + kinds * UPDATE
        + len(batches) * arch.n_params * PARAM
        + sum(batches) * per_example
    )
    fixed = FIXED + shape.forward(len(batches) * recorded, shape.n_train + shape.n_test)
    return Work(per_step, fixed, steps)


def sharpness(shape: NetShape, runs: int, iterations: int) -> Work:
    """The power iterations of ``networks.sharpness.top_eigenvalue`` for ``runs`` networks."""
    per = runs * shape.n_train * (8 * shape.arch.macs + 20 * shape.units) * MAC + 3 * CALL * len(shape.arch.layers)
    return Work(fixed=iterations * per)


def surfaces(shape: NetShape, points: int) -> Work:
    """The train and test loss at ``points`` parameter vectors (a surface, a line)."""
    return Work(fixed=shape.forward(points, shape.n_train + shape.n_test))


def pca(shape: NetShape, fitted: int) -> Work:
    """The PCA plane of ``fitted`` recorded points."""
    return Work(fixed=GRAM * fitted * fitted * shape.arch.n_params)
