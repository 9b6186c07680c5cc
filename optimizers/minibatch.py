"""Real minibatches: which examples each run's gradient is averaged over at each step.

With ``n`` examples and batch size ``B`` an epoch is ``n // B`` steps. At the start of epoch ``e``
each run orders the examples by a random permutation that depends only on its own
``(seed, stream)`` and ``e``: the argsort of the keys ``SplitMix64(base + i * golden)``,
``i = 0..n-1`` (the SplitMix64 sequence from ``base = hash(seed, stream, e)``). Step ``s`` (counted
from 0) uses positions ``[k B, (k + 1) B)`` of that order, ``k = s mod (n // B)``. So within an
epoch every example is drawn at most once (exactly once when ``B`` divides ``n``; otherwise the
last ``n mod B`` of the order sit the epoch out, as PyTorch's ``drop_last``, different ones each
epoch); every epoch is reshuffled; a run's batches never depend on which runs share the call; and
``B = n`` is the full batch every step. Vectorized over runs: no Python loop over runs.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from optimizers.noise import _GOLDEN, _splitmix64

Array = np.ndarray

_MINIBATCH = np.uint64(0x6A09E667F3BCC909)  # keeps these draws apart from the gradient noise's
_STREAM = np.uint64(0xBB67AE8584CAA73B)
_EPOCH = np.uint64(0x3C6EF372FE94F82B)
PERMUTATION_CACHE = 8  # epochs of orders kept (a race asks for the same epoch n // B times in a row)


def n_examples(landscape: object) -> int:
    """How many training examples a landscape's minibatches are drawn from: ``landscape.n_examples``
    for a data landscape (one with ``minibatch_grad``), 0 for a formula landscape."""
    if not hasattr(landscape, "minibatch_grad"):
        return 0
    return int(landscape.n_examples)


def steps_per_epoch(n_examples: int, batch_size: int) -> int:
    """``n // B``: the steps of one epoch."""
    _check(n_examples, batch_size)
    return n_examples // batch_size


def epoch_of(step: int, n_examples: int, batch_size: int) -> int:
    """The epoch (from 0) that step ``step`` (from 0) belongs to."""
    return int(step) // steps_per_epoch(n_examples, batch_size)


def epoch_orders(n_examples: int, seeds: Array, streams: Array, epoch: int) -> Array:
    """Each run's order of the examples in epoch ``epoch``: ``(R, n)``, each row a permutation of
    ``range(n)``, a pure function of the run's ``(seed, stream)`` and ``epoch``. Read-only."""
    s = np.ascontiguousarray(seeds, dtype=np.uint64).ravel()
    r = np.ascontiguousarray(streams, dtype=np.uint64).ravel()
    if s.shape != r.shape:
        raise ValueError(f"Invalid runs: {s.size} seeds for {r.size} streams")
    return _orders(int(n_examples), s.tobytes(), r.tobytes(), int(epoch))


@lru_cache(maxsize=PERMUTATION_CACHE)
def _orders(n: int, seeds: bytes, streams: bytes, epoch: int) -> Array:
    s = np.frombuffer(seeds, dtype=np.uint64)
    r = np.frombuffer(streams, dtype=np.uint64)
    with np.errstate(over="ignore"):
        base = _splitmix64(_splitmix64(s ^ _MINIBATCH) ^ (r * _STREAM) ^ (np.uint64(epoch) * _EPOCH))
        keys = _splitmix64(base[:, None] + np.arange(n, dtype=np.uint64) * _GOLDEN)
    order = np.argsort(keys, axis=1, kind="stable")
    order.flags.writeable = False
    return order


def minibatch_indices(n_examples: int, batch_size: int, seeds: Array, streams: Array, step: int) -> Array:
    """The examples of each run's minibatch at step ``step`` (0 for the first update): ``(R, B)``
    integer indices into the ``n`` examples, for runs with ``seeds (R,)`` and ``streams (R,)``."""
    E = steps_per_epoch(n_examples, batch_size)
    if int(step) < 0:
        raise ValueError(f"Invalid step: {step} (must be >= 0)")
    R = np.size(seeds)
    if batch_size == n_examples:  # the full batch: the order does not matter
        return np.broadcast_to(np.arange(n_examples), (R, n_examples)).copy()
    epoch, k = divmod(int(step), E)
    order = epoch_orders(n_examples, seeds, streams, epoch)
    return order[:, k * batch_size : (k + 1) * batch_size].copy()


def _check(n_examples: int, batch_size: int) -> None:
    if int(n_examples) < 1:
        raise ValueError(f"Invalid number of examples: {n_examples} (must be >= 1)")
    if not 1 <= int(batch_size) <= int(n_examples):
        raise ValueError(f"Invalid batch size: {batch_size} (must be in [1, {n_examples}], the number of examples)")
