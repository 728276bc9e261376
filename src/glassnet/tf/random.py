"""``tf.random``: ``set_seed(1234)`` as the course's labs call it, and ``normal`` /
``uniform`` draws. Under ``tf.random.set_seed`` or an op ``seed=`` they are TensorFlow's own
numbers (TF 2's eager op seeds and each kernel's Philox stream: an op seed repeated continues,
``set_seed`` starts again); with no seed at all, glassnet's one generator. ``shuffle`` too.

>>> import glassnet as tf
>>> tf.random.set_seed(1234)        # the same as glassnet.utils.set_random_seed(1234)
>>> tf.random.normal((2, 3)).shape
TensorShape([2, 3])

``categorical(logits, num_samples)`` draws class ids from logits (the text-generation
tutorial's sampling).

``tf.random.Generator`` and the stateless functions (``stateless_normal``, ``stateless_uniform``,
``stateless_truncated_normal``, ``split``/``fold_in``) run TensorFlow's own Philox-4x32-10 stream
(:mod:`glassnet.tf.philox`), so a seed gives TensorFlow's numbers: integers and float64 bit for bit,
float32 uniforms too, float32 normals almost always (a unit in the last place now and then, where
TensorFlow's float functions round otherwise). A Generator's state is TensorFlow's (int64 ``[counter, counter,
key]``, moved on by 256 per number drawn), and it is checkpointed as a variable.

>>> print(tf.random.stateless_uniform([3], seed=[1, 2]))
tf.Tensor([0.8440604  0.19204533 0.9962232 ], shape=(3,), dtype=float32)
>>> g = tf.random.Generator.from_seed(1)
>>> print(g.uniform([2], minval=0, maxval=10, dtype=tf.int32), g.state.numpy())
tf.Tensor([4 9], shape=(2,), dtype=int32) [513   0   0]
"""
import types

import numpy as np

from . import philox
from .module import Module
from .tensor import Tensor, wrap
from .variable import Variable
from .. import utils as _utils
from ..utils import rng
from ..utils import set_random_seed as _set_random_seed

__all__ = ["Generator", "categorical", "experimental", "fold_in", "get_global_generator", "log_uniform_candidate_sampler",
           "normal", "set_global_generator", "set_seed", "shuffle", "split", "stateless_normal", "stateless_truncated_normal",
           "stateless_uniform", "uniform"]


def _draw(seed):
    return np.random.default_rng(seed) if seed is not None else rng()


# -- TensorFlow's stateful random ops (tf.random.uniform / normal under tf.random.set_seed or an op seed) --
# TF 2 eager: the global seed and an op seed (given, or the next of a Python random.Random(global seed))
# make (seed, seed2), truncated mod 2**31 - 1 (no global seed: 87654321 and the op seed). Each
# (op, dtype, seed, seed2) has one kernel whose Philox stream (key = seed, counter's high words = seed2)
# moves on by 256 per number drawn, so an op seed repeated continues its stream; set_seed starts again.
_MAXINT32 = 2 ** 31 - 1
_DEFAULT_GRAPH_SEED = 87654321


class _OpSeeds:
    def __init__(self, global_seed=None):
        import random as _random  # noqa: PLC0415
        self.global_seed = global_seed
        self.python = _random.Random(global_seed)
        self.kernels: dict = {}

    def seeds(self, op_seed):
        """TensorFlow's ``get_seed(op_seed)``: the op's ``(seed, seed2)`` (taking the next op seed
        of the global seed's stream when ``op_seed`` is None), or None without any seed."""
        if self.global_seed is not None:
            op = self.python.randint(0, _MAXINT32) if op_seed is None else int(op_seed)
            seeds = (self.global_seed % _MAXINT32, op % _MAXINT32)
        elif op_seed is not None:
            seeds = (_DEFAULT_GRAPH_SEED, int(op_seed) % _MAXINT32)
        else:
            return None
        return (0, _MAXINT32) if seeds == (0, 0) else seeds

    def stream(self, op_seed, kind, dtype, count, per=256):
        """(key, counter) for ``count`` numbers of op ``kind`` (the kernel's stream then moves on
        ``per * count``), or None without any seed (glassnet's generator)."""
        seeds = self.seeds(op_seed)
        if seeds is None:
            return None
        s1, s2 = seeds
        kernel = (kind, np.dtype(dtype).str, s1, s2)
        offset = self.kernels.get(kernel, 0)
        self.kernels[kernel] = offset + per * count
        counter = [offset & 0xFFFFFFFF, (offset >> 32) & 0xFFFFFFFF, s2 & 0xFFFFFFFF, (s2 >> 32) & 0xFFFFFFFF]
        return [s1 & 0xFFFFFFFF, (s1 >> 32) & 0xFFFFFFFF], counter


def _reset_op_seeds(seed) -> None:
    """TensorFlow's global seed set: every op stream starts again (``keras.utils.set_random_seed`` too)."""
    _OP_SEEDS[0] = _OpSeeds(None if seed is None else int(seed))


_OP_SEEDS = [_OpSeeds(_utils.GLOBAL_SEED)]


def get_seed(op_seed):
    """TensorFlow's ``tf.compat.v1.get_seed``: the ``(seed, seed2)`` an op made now gets (a
    ``Dataset.shuffle`` too), or None when neither the global nor the op seed is set."""
    return _OP_SEEDS[0].seeds(op_seed)


def set_seed(seed) -> None:
    """``tf.random.set_seed``: glassnet's generator (as ``keras.utils.set_random_seed``) and
    TensorFlow's op seeds, so ``uniform``/``normal`` then give TensorFlow's numbers."""
    # Python's random and NumPy's too (TF's leaves them): a program calling only this one repeats,
    # where TensorFlow's initial weights would not
    _set_random_seed(seed)             # and, through it, _reset_op_seeds


def normal(shape, mean=0.0, stddev=1.0, dtype=np.float32, seed=None, name=None) -> Tensor:
    """Draws from a normal distribution (float32 unless told); under ``set_seed`` or an op
    ``seed``, TensorFlow's own numbers (its Philox stream and Box-Muller)."""
    size, dtype = _shape(shape), np.dtype(dtype)
    stream = _OP_SEEDS[0].stream(seed, "normal", dtype, int(np.prod(size, dtype=np.int64))) \
        if dtype.kind == "f" else None
    if stream is not None:
        rnd = philox.normal(*stream, int(np.prod(size, dtype=np.int64)), dtype).reshape(size)
        return wrap(rnd * dtype.type(stddev) + dtype.type(mean))
    return wrap(_draw(seed).normal(mean, stddev, size=size).astype(dtype))


def uniform(shape, minval=0, maxval=None, dtype=np.float32, seed=None, name=None) -> Tensor:
    """Draws from [minval, maxval) (maxval 1 for floats); integers need a maxval, as TensorFlow's.
    Under ``set_seed`` or an op ``seed``, TensorFlow's own numbers."""
    size, dtype = _shape(shape), np.dtype(dtype)
    count = int(np.prod(size, dtype=np.int64))
    if dtype.kind in "iu":
        if maxval is None:
            raise ValueError("random.uniform: an integer dtype needs maxval")
        stream = _OP_SEEDS[0].stream(seed, "uniform_int", dtype, count)
        if stream is not None:
            if int(maxval) <= int(minval):
                from .errors import InvalidArgumentError  # noqa: PLC0415
                raise InvalidArgumentError(None, None, f"Need minval < maxval: {int(minval)} >= {int(maxval)}")
            return wrap(philox.uniform_int(*stream, count, int(minval), int(maxval), dtype).reshape(size))
        return wrap(_draw(seed).integers(minval, maxval, size=size).astype(dtype))
    stream = _OP_SEEDS[0].stream(seed, "uniform", dtype, count) if dtype.kind == "f" else None
    if stream is not None:
        rnd = philox.uniform(*stream, count, dtype).reshape(size)
        lo = np.asarray(minval, dtype=dtype)
        hi = np.asarray(1 if maxval is None else maxval, dtype=dtype)
        if not np.any(lo):                            # TF: rnd * maxval (or rnd itself)
            return wrap(rnd if np.all(hi == 1) else rnd * hi)
        return wrap(rnd * (hi - lo) + lo)
    return wrap(_draw(seed).uniform(minval, 1.0 if maxval is None else maxval, size=size).astype(dtype))


def shuffle(value, seed=None, name=None) -> Tensor:
    """The rows of ``value`` (its first axis) in a random order. Under ``set_seed`` or an op
    ``seed``, TensorFlow's order: its kernel's Fisher-Yates (row i swapped with i + u % (n - i), u
    the stream's next 32-bit word; the stream moves on a block per four rows); with no seed,
    glassnet's generator. No gradient, as TF's."""
    value = np.asarray(value)
    if value.ndim == 0:
        raise ValueError(f"random.shuffle: value must have at least 1 dimension, got a scalar {value!r}")
    n = value.shape[0]
    nblocks = (max(n - 1, 0) + 3) // 4
    stream = _OP_SEEDS[0].stream(seed, "shuffle", value.dtype, nblocks, per=1)
    if stream is None:
        return wrap(value[_draw(seed).permutation(n)])
    words = philox.blocks(*stream, nblocks).reshape(-1) if nblocks else np.zeros(0, np.uint32)
    perm = np.arange(n)
    for i in range(n - 1):
        j = i + int(words[i]) % (n - i)
        perm[i], perm[j] = perm[j], perm[i]
    return wrap(value[perm])


def categorical(logits, num_samples, dtype=None, seed=None, name=None) -> Tensor:
    """Draws class ids from unnormalised log-probabilities, as ``tf.random.categorical``:
    ``logits`` ``(batch, classes)``; row ``b`` draws ``num_samples`` ids independently, id ``k``
    with probability ``softmax(logits[b])_k = exp(l_k - max l) / sum_j exp(l_j - max l)``
    (a ``-inf`` logit is never drawn). Returns int64 ``(batch, num_samples)`` (``dtype``:
    int32 or int64). Inverse CDF: ``u ~ U[0, 1)``, the first ``k`` whose cumulative
    probability exceeds ``u``.

    >>> import glassnet as tf
    >>> tf.random.categorical([[0.0, float("-inf")]], num_samples=3).numpy().tolist()
    [[0, 0, 0]]
    """
    dtype = np.dtype(np.int64 if dtype is None else dtype)
    if dtype not in (np.int32, np.int64):
        raise ValueError(f"random.categorical: dtype must be int32 or int64, got {dtype}")
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"random.categorical: logits must be 2-D (batch, classes), got shape {z.shape}")
    n = int(num_samples)
    if n < 0:
        raise ValueError(f"random.categorical: num_samples must be >= 0, got {num_samples!r}")
    if np.isnan(z).any():
        raise ValueError(f"random.categorical: logits row {int(np.argwhere(np.isnan(z))[0, 0])} holds NaN")
    top = z.max(axis=1, keepdims=True)
    dead = ~np.isfinite(top[:, 0]) | (top[:, 0] == np.inf)
    if dead.any():
        raise ValueError(f"random.categorical: logits row {int(np.flatnonzero(dead)[0])} has no finite maximum "
                         "(all -inf, or +inf): no distribution to draw from")
    p = np.exp(z - top)
    cdf = np.cumsum(p, axis=1)
    cdf /= cdf[:, -1:]                                     # the softmax's running sums, ending at 1
    u = _draw(seed).random((z.shape[0], n))
    ids = np.stack([np.searchsorted(row, draws, side="right") for row, draws in zip(cdf, u)]) if len(z) else \
        np.zeros((0, n), np.int64)
    return wrap(np.minimum(ids, z.shape[1] - 1).astype(dtype))


def _shape(shape) -> tuple:
    return tuple(int(d) for d in np.asarray(shape, dtype=np.int64).reshape(-1))


def _key_counter(seed, who):
    s = np.asarray(seed.numpy() if hasattr(seed, "numpy") else seed).ravel()
    if s.shape != (2,) or s.dtype.kind not in "iu":
        raise ValueError(f"random.{who}: seed must be two integers (shape (2,)), got seed={seed!r}")
    return philox.key_counter_from_seed([int(v) for v in s])


def _draw_philox(kind, key, counter, shape, dtype, minval=0, maxval=None, mean=0.0, stddev=1.0, who="random"):
    """TensorFlow's numbers for a key and counter: ``kind`` "uniform", "normal" or "truncated_normal"."""
    dtype = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    count = int(np.prod(shape, dtype=np.int64))
    if kind == "uniform" and dtype.kind in "iu":
        if minval is None and maxval is None:
            out = philox.uniform_full_int(key, counter, count, dtype)
        elif maxval is None:
            raise ValueError(f"random.{who}: an integer dtype needs maxval")
        else:
            if int(maxval) <= int(minval):
                from .errors import InvalidArgumentError  # noqa: PLC0415
                raise InvalidArgumentError(None, None, f"Need minval < maxval: {int(minval)} >= {int(maxval)}")
            out = philox.uniform_int(key, counter, count, int(minval), int(maxval), dtype)
        return wrap(out.reshape(shape))
    if dtype.kind != "f":
        raise ValueError(f"random.{who}: dtype must be a float dtype{' or an integer' if kind == 'uniform' else ''}, "
                         f"got {dtype}")
    if kind == "uniform":
        rnd = philox.uniform(key, counter, count, dtype)
        lo = dtype.type(0 if minval is None else minval)
        hi = dtype.type(1 if maxval is None else maxval)
        out = rnd * (hi - lo) + lo
    else:
        rnd = (philox.normal if kind == "normal" else philox.truncated_normal)(key, counter, count, dtype)
        out = rnd * dtype.type(stddev) + dtype.type(mean)
    return wrap(np.asarray(out, dtype=dtype).reshape(shape))


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=np.float32, alg=None, name=None) -> Tensor:
    """TensorFlow's uniform numbers for ``seed`` (two integers): floats in [minval, maxval)
    (maxval 1), integers in [minval, maxval), or with ``minval=maxval=None`` integers of every bit."""
    key, counter = _key_counter(seed, "stateless_uniform")
    return _draw_philox("uniform", key, counter, _shape(shape), dtype, minval, maxval, who="stateless_uniform")


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=np.float32, alg=None, name=None) -> Tensor:
    """TensorFlow's normal numbers for ``seed`` (two integers)."""
    key, counter = _key_counter(seed, "stateless_normal")
    return _draw_philox("normal", key, counter, _shape(shape), dtype, mean=mean, stddev=stddev, who="stateless_normal")


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=np.float32, alg=None, name=None) -> Tensor:
    """TensorFlow's normal numbers within two standard deviations, for ``seed`` (two integers)."""
    key, counter = _key_counter(seed, "stateless_truncated_normal")
    return _draw_philox("truncated_normal", key, counter, _shape(shape), dtype, mean=mean, stddev=stddev,
                        who="stateless_truncated_normal")


def split(seed, num=2, alg=None) -> Tensor:
    """``num`` new seeds ``(num, 2)`` made from ``seed`` (TensorFlow's: every-bit integers of the
    seed's dtype drawn statelessly from it)."""
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
        raise ValueError(f"random.split: num must be a positive integer, got num={num!r}")
    from .tensor import convert_to_tensor  # noqa: PLC0415
    typed = [np.asarray(p).dtype for p in seed if hasattr(p, "dtype")] if isinstance(seed, (tuple, list)) else []
    dtype = typed[0] if typed else np.dtype(convert_to_tensor(seed).dtype)  # Python ints: int32, as TF's
    dtype = np.int32 if dtype.kind in "iu" and dtype.itemsize <= 4 else np.int64
    return stateless_uniform([int(num), 2], seed, minval=None, maxval=None, dtype=dtype)


def fold_in(seed, data, alg=None) -> Tensor:
    """A new seed ``[drawn from seed, data]`` (TensorFlow's: one every-bit integer of ``data``'s dtype)."""
    data = np.asarray(data.numpy() if hasattr(data, "numpy") else data)
    dtype = np.int64 if data.dtype.itemsize == 8 and not isinstance(data.item(), int) else np.int32
    if data.dtype.kind not in "iu":
        raise ValueError(f"random.fold_in: data must be an integer, got {data!r}")
    first = stateless_uniform([], seed, minval=None, maxval=None, dtype=dtype)
    return wrap(np.array([int(first), int(data)], dtype=dtype))


experimental = types.SimpleNamespace(stateless_split=split, stateless_fold_in=fold_in)   # tf.random.experimental


def _state_from_seed(seed) -> np.ndarray:
    """TensorFlow's state for an integer seed: its 64-bit pieces, low first (a negative one's sign
    reaching every piece)."""
    if isinstance(seed, (list, tuple, np.ndarray)) or hasattr(seed, "numpy"):
        pieces = [int(v) for v in np.asarray(seed.numpy() if hasattr(seed, "numpy") else seed).ravel()][:3]
        pieces = [0] * (3 - len(pieces)) + pieces           # too short: zeros on the left (the counter)
    else:
        seed, pieces = int(seed), []
        for _ in range(3):
            pieces.append(seed & (2 ** 64 - 1))
            seed >>= 64
    return np.array([p % 2 ** 64 for p in pieces], dtype=np.uint64).view(np.int64)


class Generator(Module):
    """``tf.random.Generator``: TensorFlow's Philox generator, state and all. ``from_seed(1)``
    gives TensorFlow's numbers; each draw moves the state's counter on by 256 per number;
    ``split`` and ``make_seeds`` hand out keys as TensorFlow's do. Checkpointed as its ``state``."""

    def __init__(self, copy_from=None, state=None, alg=None):
        super().__init__(name="generator")
        if alg not in (None, 1, "philox", "PHILOX", "auto_select", 3):
            raise ValueError(f"random.Generator: glassnet has the Philox algorithm only, got alg={alg!r}")
        if copy_from is not None:
            state = copy_from.state.numpy()
        if state is None:
            raise ValueError("random.Generator: give state=, copy_from=, or use Generator.from_seed(seed)")
        self._state_var = Variable(np.asarray(state, dtype=np.int64).reshape(3), trainable=False, name="StateVar")

    @classmethod
    def from_seed(cls, seed, alg=None) -> "Generator":
        return cls(state=_state_from_seed(seed), alg=alg)

    @classmethod
    def from_state(cls, state, alg=None) -> "Generator":
        return cls(state=state, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg=None) -> "Generator":
        return cls(state=np.concatenate([np.asarray(counter, np.int64).ravel(), np.asarray(key, np.int64).ravel()]),
                   alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> "Generator":
        return cls(state=np.random.default_rng().integers(-2 ** 63, 2 ** 63 - 1, size=3, dtype=np.int64), alg=alg)

    @property
    def state(self) -> Variable:
        return self._state_var

    @property
    def algorithm(self) -> int:
        return 1                                    # TensorFlow's number for Philox

    @property
    def key(self) -> Tensor:
        return wrap(self._state_var.numpy()[2:3].copy())

    def reset(self, state) -> None:
        self._state_var.assign(np.asarray(state, dtype=np.int64).reshape(3))

    def reset_from_seed(self, seed) -> None:
        self.reset(_state_from_seed(seed))

    def reset_from_key_counter(self, key, counter) -> None:
        self.reset(np.concatenate([np.asarray(counter, np.int64).ravel(), np.asarray(key, np.int64).ravel()]))

    def skip(self, delta) -> None:
        self._advance(int(delta))

    def _take(self, count: int):
        """The key and counter of the next draw, and the state moved on by ``256 * count``."""
        u = self._state_var.numpy().view(np.uint64)
        counter = [int(u[0]) & 0xFFFFFFFF, int(u[0]) >> 32, int(u[1]) & 0xFFFFFFFF, int(u[1]) >> 32]
        key = [int(u[2]) & 0xFFFFFFFF, int(u[2]) >> 32]
        self._advance(256 * count)
        return key, counter

    def _advance(self, delta: int) -> None:
        u = self._state_var.numpy().view(np.uint64)
        c = (int(u[0]) | int(u[1]) << 64) + delta
        c %= 2 ** 128
        new = np.array([c & (2 ** 64 - 1), c >> 64, int(u[2])], dtype=np.uint64).view(np.int64)
        self._state_var.assign(new)

    def _draw(self, kind, shape, dtype, **kw) -> Tensor:
        shape = _shape(shape)
        key, counter = self._take(int(np.prod(shape, dtype=np.int64)))
        return _draw_philox(kind, key, counter, shape, dtype, who=f"Generator.{kind}", **kw)

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=np.float32, name=None) -> Tensor:
        return self._draw("normal", shape, dtype, mean=mean, stddev=stddev)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=np.float32, name=None) -> Tensor:
        return self._draw("truncated_normal", shape, dtype, mean=mean, stddev=stddev)

    def uniform(self, shape, minval=0, maxval=None, dtype=np.float32, name=None) -> Tensor:
        if np.dtype(getattr(dtype, "as_numpy_dtype", dtype)).kind in "iu" and maxval is None:
            raise ValueError("Generator.uniform: an integer dtype needs maxval (uniform_full_int gives every bit)")
        return self._draw("uniform", shape, dtype, minval=minval, maxval=maxval)

    def uniform_full_int(self, shape, dtype=np.uint64, name=None) -> Tensor:
        return self._draw("uniform", shape, dtype, minval=None, maxval=None)

    def make_seeds(self, count=1) -> Tensor:
        """``(2, count)`` seeds for the stateless functions: new keys over a row of zeros (TensorFlow's)."""
        keys = self.uniform_full_int([int(count)], dtype=np.int64)
        return wrap(np.stack([np.asarray(keys), np.zeros_like(keys)]))

    def split(self, count=1) -> list:
        """``count`` new generators, each of state ``[0, 0, new key]`` (TensorFlow's)."""
        keys = np.asarray(self.uniform_full_int([int(count)], dtype=np.int64))
        return [Generator(state=[0, 0, int(k)]) for k in keys]


_GLOBAL = []


def get_global_generator() -> Generator:
    """The generator ``tf.random.get_global_generator()`` shares (made from fresh entropy on first use)."""
    if not _GLOBAL:
        _GLOBAL.append(Generator.from_non_deterministic_state())
    return _GLOBAL[0]


def set_global_generator(generator) -> None:
    if not isinstance(generator, Generator):
        raise TypeError(f"random.set_global_generator: expected a tf.random.Generator, got {type(generator).__name__}")
    _GLOBAL[:] = [generator]


def log_uniform_candidate_sampler(true_classes, num_true, num_sampled, unique, range_max, seed=None, name=None):
    """Samples ``num_sampled`` class ids from ``[0, range_max)`` with TensorFlow's log-uniform
    (Zipfian) distribution ``P(k) = (ln(k + 2) - ln(k + 1)) / ln(range_max + 1)``, drawn as
    ``floor(exp(u * ln(range_max + 1))) - 1`` for ``u ~ U[0, 1)``. With ``unique`` draws repeat
    until ``num_sampled`` distinct ids are found (``num_tries`` draws in all).

    Returns ``(sampled_candidates, true_expected_count, sampled_expected_count)``: int64
    ``(num_sampled,)``; float32 ``(batch, num_true)`` and ``(num_sampled,)``, the expected
    count of each id among the draws, as TensorFlow computes it: ``num_sampled * P(k)`` without
    ``unique`` (or when every try was kept), else ``1 - (1 - P(k)) ** num_tries``.

    The draws use glassnet's generator (``seed`` makes a fresh one): TensorFlow's random stream
    is not reproduced, so the candidates differ from TensorFlow's for the same seed; the
    distribution and the expected-count formulas are TensorFlow's.
    """
    t = np.asarray(true_classes.numpy() if isinstance(true_classes, Tensor) else true_classes)
    if t.ndim != 2 or (t.size and t.dtype.kind not in "iu"):
        raise ValueError(f"log_uniform_candidate_sampler: true_classes must be 2-D integers (batch, num_true), "
                         f"got shape {t.shape} dtype {t.dtype}")
    if t.shape[1] != int(num_true):
        raise ValueError(f"log_uniform_candidate_sampler: true_classes has {t.shape[1]} columns but "
                         f"num_true={num_true!r}")
    n, r = int(num_sampled), int(range_max)
    if r < 1:
        raise ValueError(f"log_uniform_candidate_sampler: range_max must be >= 1, got {range_max!r}")
    if n < 0 or (unique and n > r):
        raise ValueError(f"log_uniform_candidate_sampler: num_sampled={num_sampled!r} must be >= 0"
                         + (f" and <= range_max={r} when unique" if unique else ""))
    if t.size and (t.min() < 0 or t.max() >= r):
        bad = tuple(int(v) for v in np.argwhere((t < 0) | (t >= r))[0])
        raise ValueError(f"log_uniform_candidate_sampler: true_classes{list(bad)} = {int(t[bad])} is outside "
                         f"[0, range_max={r})")
    gen, log_range = _draw(seed), np.log1p(r)

    def draw(k):
        return np.minimum(np.exp(gen.random(k) * log_range).astype(np.int64) - 1, r - 1)

    if unique:
        picked, seen, tries = [], set(), 0
        while len(picked) < n:
            for v in draw(max(n - len(picked), 1)).tolist():
                tries += 1
                if v not in seen:
                    seen.add(v)
                    picked.append(v)
                    if len(picked) == n:
                        break
        sampled = np.asarray(picked, dtype=np.int64)
    else:
        sampled, tries = draw(n), n

    return (wrap(sampled.astype(np.int64)), wrap(_log_uniform_expected(t, n, tries, r)),
            wrap(_log_uniform_expected(sampled, n, tries, r)))


def _log_uniform_expected(ids, num_sampled, num_tries, range_max) -> np.ndarray:
    """TensorFlow's expected counts of ``ids`` among ``num_tries`` log-uniform draws that kept
    ``num_sampled``: ``num_sampled * P(k)`` when every try was kept, else ``1 - (1 - P(k)) ** num_tries``
    (as ``-expm1(num_tries * log1p(-P(k)))``); float32."""
    k = np.asarray(ids, dtype=np.float64)
    p = np.log((k + 2.0) / (k + 1.0)) / np.log1p(range_max)
    return (p * num_sampled if num_tries == num_sampled else -np.expm1(num_tries * np.log1p(-p))).astype(np.float32)
