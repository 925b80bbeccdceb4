"""Per-point seeds: one :class:`numpy.random.SeedSequence` child per design point.

The seed of point ``i`` is drawn from ``SeedSequence(entropy=seed, spawn_key=(i,))``: it depends
on the sweep seed and the point's index only, never on the executor, the number of workers, the
chunking or a resume, so a point gives the same numbers however the sweep is run.

>>> point_seed(7, 3) == point_seed(7, 3) != point_seed(7, 4)
True
"""

from __future__ import annotations

import numpy as np

SEED_POLICY = "numpy SeedSequence(entropy=seed, spawn_key=(point,)).generate_state(1, uint64) >> 1"


def point_seed(seed: int, index: int) -> int:
    """The integer seed (0 <= s < 2^63) handed to the model's solver for point ``index``."""
    state = np.random.SeedSequence(entropy=int(seed), spawn_key=(int(index),)).generate_state(
        1, np.uint64
    )
    return int(state[0] >> np.uint64(1))


def point_seeds(seed: int, indices) -> np.ndarray:
    """:func:`point_seed` of every index, as int64."""
    return np.array([point_seed(seed, i) for i in np.asarray(indices)], dtype=np.int64)
