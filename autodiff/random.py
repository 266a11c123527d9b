"""`ad.random`: random tensors with TensorFlow's seeding rules (`tf.random`).

The rules reproduced, as `tf.random.set_seed` documents them (eager mode):

1. Neither a global seed (`set_seed`) nor an op seed (`seed=`): different numbers on each
   call and each run.
2. A global seed, no op seed: each call takes the next op seed of a counter that `set_seed`
   resets, so the sequence of calls after `set_seed(s)` is the same on every run, and calling
   `set_seed(s)` again repeats it.
3. An op seed, no global seed: a fixed default global seed is used with the op seed.
4. Both: both determine the numbers.

With an op seed (rules 3 and 4), calling the same op with the same seeds twice gives
different numbers (each (global seed, op seed) pair counts its calls, as TensorFlow's kernel
does), and `set_seed` resets those counts, so the whole sequence repeats. The numbers
themselves are NumPy's (`np.random.default_rng` seeded with the global seed, the op seed and
the call's count): TensorFlow's Philox streams are not reproduced, so the same seeds give
other values than in TensorFlow. The results are constants (not recorded by tapes).
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from autodiff.creation import _shape
from autodiff.tensor import DTypeLike, Tensor, as_dtype, float32, to_array

DEFAULT_GLOBAL_SEED = 87654321  # TensorFlow's DEFAULT_GRAPH_SEED, used under rule 3


class _Seeds:
    """The global seed, the counter of op seeds (rule 2) and each seed pair's calls."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset(None)

    def reset(self, seed: int | None) -> None:
        self.global_seed = seed
        self.next_op_seed = 0
        self.calls: dict[tuple[int, int], int] = {}


_SEEDS = _Seeds()


def _seed(seed: Any, where: str) -> int | None:
    if seed is None:
        return None
    if isinstance(seed, Tensor):
        seed = seed.numpy().tolist()
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"{where}: the seed must be an int or None, got {seed!r}")
    return int(seed)


def set_seed(seed: int | None) -> None:
    """Set the global seed (None unsets it), as `tf.random.set_seed`: the random ops called
    after it give the same numbers on every run (see the module's rules)."""
    seed = _seed(seed, "set_seed")
    with _SEEDS.lock:
        _SEEDS.reset(seed)


def generator(seed: int | None = None, where: str = "random") -> np.random.Generator:
    """The NumPy generator of one random op under TensorFlow's rules (used by `dropout` too)."""
    seed = _seed(seed, where)
    with _SEEDS.lock:
        if _SEEDS.global_seed is None and seed is None:
            return np.random.default_rng()  # rule 1
        base = DEFAULT_GLOBAL_SEED if _SEEDS.global_seed is None else _SEEDS.global_seed
        if seed is None:  # rule 2
            seed = _SEEDS.next_op_seed
            _SEEDS.next_op_seed += 1
        count = _SEEDS.calls.get((base, seed), 0)
        _SEEDS.calls[base, seed] = count + 1
    return np.random.default_rng([base % 2**63, seed % 2**63, count])


def _parameter(value: Any, dtype: np.dtype, where: str) -> np.ndarray:
    return to_array(value, dtype, where=where)


def normal(
    shape: Any,
    mean: Any = 0.0,
    stddev: Any = 1.0,
    dtype: DTypeLike = float32,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Samples of a normal distribution, as `tf.random.normal`.

    Args:
      shape: the output's shape.
      mean, stddev: the distribution's mean and standard deviation (broadcast to `shape`).
      dtype: a float dtype.
      seed: the op seed (see the module's rules).
    """
    dtype = as_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"normal: dtype must be a float dtype, got {dtype}")
    shape = _shape(shape, "normal")
    mean, stddev = _parameter(mean, dtype, "normal"), _parameter(stddev, dtype, "normal")
    values = generator(seed, "normal").standard_normal(shape).astype(dtype)
    return Tensor((values * stddev + mean).astype(dtype, copy=False), name)


def uniform(
    shape: Any,
    minval: Any = 0,
    maxval: Any = None,
    dtype: DTypeLike = float32,
    seed: int | None = None,
    name: str | None = None,
) -> Tensor:
    """Samples of a uniform distribution in `[minval, maxval)`, as `tf.random.uniform`.

    Args:
      shape: the output's shape.
      minval, maxval: the range (maxval 1 by default for floats; required for integers).
      dtype: a float or integer dtype.
      seed: the op seed (see the module's rules).
    """
    dtype = as_dtype(dtype)
    shape = _shape(shape, "uniform")
    rng = generator(seed, "uniform")
    if dtype.kind in "iu":
        if maxval is None:
            raise ValueError(f"uniform: maxval must be given for the integer dtype {dtype}")
        low, high = int(np.asarray(minval)), int(np.asarray(maxval))
        if low >= high:
            raise ValueError(f"uniform: need minval < maxval, got [{low}, {high})")
        return Tensor(rng.integers(low, high, shape).astype(dtype), name)
    if dtype.kind != "f":
        raise TypeError(f"uniform: dtype must be a float or integer dtype, got {dtype}")
    low = _parameter(minval, dtype, "uniform")
    high = _parameter(1.0 if maxval is None else maxval, dtype, "uniform")
    values = rng.random(shape).astype(dtype)
    return Tensor((values * (high - low) + low).astype(dtype, copy=False), name)


__all__ = ["normal", "set_seed", "uniform"]
