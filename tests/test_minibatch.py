"""Minibatch sampling: without replacement within an epoch, reshuffled every epoch, reproducible
from (seed, stream), independent of the other runs in the call, the full batch when B = n."""

from __future__ import annotations

import numpy as np
import pytest

from optimizers import minibatch
from optimizers.minibatch import epoch_of, epoch_orders, minibatch_indices, steps_per_epoch

SEEDS = np.array([0, 0, 3, 3, 2**32 - 1], dtype=np.uint64)
STREAMS = np.array([0, 1, 0, 7, 2], dtype=np.uint64)


def _epoch(n: int, B: int, epoch: int, seeds=SEEDS, streams=STREAMS) -> np.ndarray:
    """Every batch of one epoch, concatenated per run: ``(R, (n // B) * B)``."""
    E = steps_per_epoch(n, B)
    return np.concatenate(
        [minibatch_indices(n, B, seeds, streams, s) for s in range(epoch * E, (epoch + 1) * E)], axis=1
    )


def test_shape_type_and_range():
    idx = minibatch_indices(50, 8, SEEDS, STREAMS, step=17)
    assert idx.shape == (5, 8) and np.issubdtype(idx.dtype, np.integer)
    assert idx.min() >= 0 and idx.max() < 50


@pytest.mark.parametrize("epoch", [0, 1, 5])
def test_each_example_is_drawn_exactly_once_per_epoch_when_B_divides_n(epoch):
    drawn = _epoch(60, 12, epoch)
    np.testing.assert_array_equal(np.sort(drawn, axis=1), np.broadcast_to(np.arange(60), (5, 60)))


def test_without_replacement_within_an_epoch_when_B_does_not_divide_n():
    n, B = 50, 8  # 6 steps per epoch, 2 examples sit each epoch out
    left_out = []
    for epoch in range(4):
        drawn = _epoch(n, B, epoch)
        assert drawn.shape == (5, 48)
        assert all(np.unique(row).size == 48 for row in drawn)
        left_out.append([set(range(n)) - set(row) for row in drawn])
    assert left_out[0] != left_out[1]  # not always the same two


def test_every_epoch_is_reshuffled():
    orders = [epoch_orders(30, SEEDS, STREAMS, e) for e in range(3)]
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])
    for order in orders:
        np.testing.assert_array_equal(np.sort(order, axis=1), np.broadcast_to(np.arange(30), (5, 30)))


def test_reproducible_from_seed_and_stream():
    first = minibatch_indices(40, 5, SEEDS, STREAMS, step=23)
    minibatch._orders.cache_clear()
    np.testing.assert_array_equal(minibatch_indices(40, 5, SEEDS, STREAMS, step=23), first)
    # runs 0 and 1 differ by stream only, 2 and 3 too, 0 and 2 by seed only: all batches differ
    rows = {tuple(r) for r in first}
    assert len(rows) == 5


def test_a_runs_batches_do_not_depend_on_the_other_runs():
    together = [minibatch_indices(40, 5, SEEDS, STREAMS, step=s) for s in range(20)]
    for r in range(5):
        alone = [minibatch_indices(40, 5, SEEDS[r : r + 1], STREAMS[r : r + 1], step=s) for s in range(20)]
        for s in range(20):
            np.testing.assert_array_equal(alone[s][0], together[s][r])
    flipped = minibatch_indices(40, 5, SEEDS[::-1], STREAMS[::-1], step=9)
    np.testing.assert_array_equal(flipped[::-1], together[9])


def test_batch_equal_to_n_is_the_full_batch_every_step():
    for step in (0, 1, 100):
        idx = minibatch_indices(12, 12, SEEDS, STREAMS, step)
        np.testing.assert_array_equal(idx, np.broadcast_to(np.arange(12), (5, 12)))


def test_each_example_is_equally_likely_in_a_batch():
    n, B, epochs = 10, 2, 2000
    counts = np.zeros(n)
    for e in range(epochs):
        first_batch = epoch_orders(n, SEEDS[:1], STREAMS[:1], e)[0, :B]
        counts[first_batch] += 1
    expected = epochs * B / n  # 400 each; the std of a count is about 18
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))


def test_epoch_arithmetic():
    assert steps_per_epoch(100, 32) == 3 and steps_per_epoch(100, 100) == 1 and steps_per_epoch(7, 1) == 7
    assert [epoch_of(s, 100, 32) for s in (0, 2, 3, 5, 6)] == [0, 0, 1, 1, 2]


@pytest.mark.parametrize(("n", "B", "step"), [(10, 0, 0), (10, 11, 0), (0, 1, 0), (10, 2, -1)])
def test_bad_arguments_are_refused(n, B, step):
    with pytest.raises(ValueError, match="Invalid"):
        minibatch_indices(n, B, SEEDS, STREAMS, step)


def test_seeds_and_streams_must_pair_up():
    with pytest.raises(ValueError, match="Invalid runs"):
        minibatch_indices(10, 2, SEEDS, STREAMS[:2], 0)
