"""Fast paths for the image layers: the same numbers as their readable code, in fewer passes.

``layers/conv.py`` and ``layers/pooling.py`` hold the algorithm (read those). On the fast
path the step calls this module's twins instead (:class:`LayerPasses`: ``conv2d_forward``,
``max_pool2d_forward`` and their backwards); a twin sets what the readable lines would have
set (``z``, ``a``; ``y``; ``patches`` is None where the patch matrix is not kept whole, and
``xpad``, the padded input, is kept instead), or answers None and the layer's own forward
runs: without numba, under ``glassnet.config.set_kernels("numpy")``, for small arrays
(under 2**18 numbers, where numba's one-time cost would not pay off, unless
``set_kernels("numba")``), or for cases it does not cover (Conv1D, pooling with padding or
overlapping windows). The steps are the readable ones; what differs is how many times each
array is walked through memory:

==========================  ================================================================
Conv2D forward              a 9-number window (3 x 3 x 1: an MNIST convnet's first layer) from
                            the image directly, ``Z = P K + b`` and ``A = relu(Z)`` in one pass
                            (no patch matrix); wider windows block by block of whole images,
                            each block's P built, ``Z = P K`` (the same BLAS product, row by
                            row) and ``Z += b; A = relu(Z)`` while the block is in L2 cache;
                            thin patches (under 32 numbers) whole, into last step's buffer
Conv2D backward             ``dZ = dA * (Z > 0)`` and ``db`` (same order of addition) in one
                            pass, ``dK = P.T dZ`` and ``dP = dZ K.T`` (BLAS), the scatter of
                            ``dP`` back to the pixels in one pass (no 9 strided slices), block
                            by block as the forward (P built again: cheaper than keeping 18 MB)
MaxPooling2D forward        the max and the position that won (first on ties), one pass
MaxPooling2D backward       the gradient written at the winners, one pass
relu Conv2D, then a         the conv's ``dZ`` (and ``db``) made straight from the pooled
MaxPooling2D that tiles     gradient, the winners and the maxima (a quarter of the size), not
its output, backward        from the pooling's dX and ``Z``; for a direct 9-number first layer
                            the pooling's dX is not written at all, and ``dZ``, its windows and
                            ``dK += P.T dZ`` (NumPy's BLAS called from numba) go a few images at
                            a time in one call per part (:func:`max_pool2d_backward`); for wider
                            windows in blocks, the rows no pooling window covers (dZ = 0 there:
                            an 11 x 11 output's last row and column) are left out of ``dK = P.T dZ``
                            and ``dP = dZ K.T`` (a sixth of those products under 2 x 2 windows)
==========================  ================================================================

Each pass is a loop compiled by numba (``glassnet.fast._numba_conv``, installed with
glassnet); the loops keep NumPy's order of operations, so outputs and gradients are the
readable path's bit for bit, with three exceptions that change the order of additions (so
within rounding: 1e-6 of the size of the terms added, tests/test_fast_conv.py and
tests/test_fast_conv_parts.py): the direct 9-number window (BLAS adds ``P K``'s terms in an
order of its own), ``dK`` summed block by block (a sum of block sums; the direct layer under its
pooling: blocks of 2 images, tests/test_fast_conv_pooled.py), and ``dK`` and ``db``
of a large batch cut into parts (below). ``dZ`` made from the pooled arrays is the readable
path's bit for bit. A convnet whose first layer has more than one
channel, whose patches fit one block and whose batch is one part trains to the readable
path's weights bit for bit; the MNIST convnet to them within rounding.

**Parts on the free cores.** A large batch (at least 2**18 numbers a part) is cut into
consecutive parts of whole images, one per usable core (at most 8; :func:`_parts`), and each
pass above runs part by part: on as many threads as glassnet may use now
(``glassnet.fast.threads``: the cores other programs leave free, one on a busy machine, or
``set_num_threads(n)``), with BLAS pinned to one thread inside each (no more busy threads
than cores), else one part after another on the calling thread. The cut depends on the
sizes and the number of cores, never on the load: one thread or two give the same numbers. One training step of Keras's simple MNIST convnet (batch 128) went
from ~78 ms to ~36 ms (~67 to ~47 ms when the machine is busy) on this project's 2-core
machine with the whole-P passes, and ~8% less CPU time again with the direct first layer
and the blocks (bench/conv.py, bench/README.md, docs/images.md).

>>> import numpy as np, glassnet
>>> pool = glassnet.layers.MaxPooling2D(2)
>>> pool(np.arange(16.0, dtype="float32").reshape(1, 4, 4, 1))[0, :, :, 0].tolist()
[[5.0, 7.0], [13.0, 15.0]]
"""
from __future__ import annotations

import threading

import numpy as np

from . import heap

_kernels = None          # the compiled module once loaded, False when numba is missing or broken
_MIN_ENTRIES = 1 << 18   # "auto": numba from arrays of this many numbers (a 28x28 convnet at batch 32 and
                         # up), where it pays its one-time cost (~2.4 s to compile, ~0.3 s per process
                         # to load from numba's cache); set_kernels("numba") uses it at any size


def _worth_it(entries) -> bool:
    from .. import fast  # noqa: PLC0415
    return fast.kernels() == "numba" or (fast.kernels() == "auto" and entries >= _MIN_ENTRIES)


def _numba():
    """``glassnet.fast._numba_conv`` when it may be used now, else None."""
    global _kernels
    from .. import fast  # noqa: PLC0415 - the kernel choice lives there
    if fast.kernels() == "numpy":
        return None
    if _kernels is None:
        _kernels = fast.load_loops("_numba_conv")           # optional, imported when first needed
    return _kernels or None


def _plain(*arrays) -> bool:
    """Arrays the loops take: C-contiguous float32 / float64, one dtype."""
    return all(a.flags.c_contiguous and a.dtype == arrays[0].dtype and a.dtype in (np.float32, np.float64)
               for a in arrays)


def max_pool_2d(x, pool_size, strides, padding):
    """``(y, won)`` for a 2-D max pooling whose windows tile the image (strides = pool size,
    ``"valid"``), else None. ``won[n, i, j, c]`` is the position ``a * pw + b`` that won."""
    k = _numba()
    if (k is None or x.ndim != 4 or tuple(strides) != tuple(pool_size) or padding != "valid"
            or pool_size[0] * pool_size[1] > 255 or not _plain(x)):
        return None
    ph, pw = pool_size
    shape = (x.shape[0], x.shape[1] // ph, x.shape[2] // pw, x.shape[3])
    y = np.empty(shape, x.dtype)
    won = np.empty(shape, np.uint8)

    def work(s, e):
        k.max_pool_2d(x[s:e], ph, pw, y[s:e], won[s:e])
    _run_parts(_parts(shape[0], x.size), work)            # image by image: the same numbers in parts
    return y, won


def max_pool_2d_backward(grad, won, input_shape, pool_size):
    """dX of :func:`max_pool_2d`: each window's gradient at the position that won."""
    k = _numba()
    grad = np.ascontiguousarray(grad)
    dx = np.empty(input_shape, grad.dtype)              # every window's pixels are written;
    dx[:, grad.shape[1] * pool_size[0]:] = 0            # the rows and columns no window covers
    dx[:, :, grad.shape[2] * pool_size[1]:] = 0         # get no gradient

    def work(s, e):
        k.max_pool_2d_backward(grad[s:e], won[s:e], pool_size[0], pool_size[1], dx[s:e])
    _run_parts(_parts(grad.shape[0], dx.size), work)
    return dx


def scatter_patches(dpatches, padded_shape, strides, dilation):
    """``layers.conv.scatter_patches`` for 2-D patches in one pass, else None."""
    k = _numba()
    if k is None or dpatches.ndim != 6 or not _plain(dpatches):
        return None
    dx = np.zeros(padded_shape, dpatches.dtype)
    k.scatter_patches_2d(dpatches, strides[0], strides[1], dilation[0], dilation[1], dx)
    return dx


def relu_backward(z, grad):
    """``grad * (z > 0)`` in one pass, else None."""
    k = _numba()
    if k is None or z.shape != grad.shape or not _plain(z, grad):
        return None
    out = np.empty_like(grad)
    k.relu_backward(z.reshape(-1), grad.reshape(-1), out.reshape(-1))
    return out


def extract_patches(xpad, kernel_size, strides, dilation, reuse=None):
    """The patch matrix ``P`` (one row per window) of ``layers.conv.extract_patches``, copied
    in one pass into ``reuse`` when that array has the right shape (the last step's ``P``;
    no new 18 MB each step), else None when the loops cannot be used."""
    k = _numba()
    if k is None or xpad.ndim != 4 or not _plain(xpad):
        return None
    out_sp = tuple((n - (kk - 1) * d - 1) // s + 1
                   for n, kk, s, d in zip(xpad.shape[1:3], kernel_size, strides, dilation))
    shape = (xpad.shape[0],) + out_sp + tuple(kernel_size) + (xpad.shape[3],)
    rows, cols = shape[0] * out_sp[0] * out_sp[1], kernel_size[0] * kernel_size[1] * xpad.shape[3]
    if reuse is None or reuse.shape != (rows, cols) or reuse.dtype != xpad.dtype or not reuse.flags.c_contiguous:
        reuse = np.empty((rows, cols), xpad.dtype)
    k.extract_patches_2d(xpad, strides[0], strides[1], dilation[0], dilation[1], reuse.reshape(shape))
    return reuse


def add_bias_relu(z, bias):
    """``z += bias; return relu(z)`` in one pass over ``z`` (rows x filters), else None."""
    k = _numba()
    if k is None or z.ndim != 2 or not _plain(z, bias):
        return None
    a = np.empty_like(z)
    k.add_bias_relu(z, bias, a)
    return a


def bias_gradient(dz_rows):
    """``np.add.reduce(dz_rows, axis=0)`` (rows in order, the same sum) in one pass, else None."""
    k = _numba()
    if k is None or dz_rows.ndim != 2 or dz_rows.shape[1] < 2 or dz_rows.shape[0] < 1 or not _plain(dz_rows):
        return None
    out = np.empty(dz_rows.shape[1], dz_rows.dtype)
    k.column_sums(dz_rows, out)
    return out


# ---------------------------------------------------------------------------------------
# The layers' entry points
# ---------------------------------------------------------------------------------------
_BLOCK = 1 << 18      # numbers in one block's patches and their gradient: ~1 MB of float32, in L2 cache


_POOLED_BLOCK = 1 << 16   # numbers in a block's dZ and P when dZ comes from the pooling after (2 MNIST images):
                          # thin products in small blocks measured faster than one whole (0.9 against 1.6 ms)
_THIN = 32            # patches narrower than this (3 x 3 x 3 windows) are made whole: BLAS's products of
                      # thin blocks cost more in calls than the cache saves (measured: 3 x 3 x 1, 4.7 ms
                      # a step in blocks of 9 images against 3.7 ms whole)


def _per_block(layer, n, rows_per_image, width) -> int:
    """Whole images per block, so that a block's patches (or their gradient) hold about
    ``_BLOCK`` numbers: built, multiplied and consumed while in L2 cache; all ``n`` for thin
    patches (the whole ``P``, as the readable forward makes it)."""
    if width < _THIN:
        return n
    return max(1, min(n, _BLOCK // max(1, rows_per_image * width)))


def _blocks(start, stop, per) -> list:
    """Images ``start..stop`` in the fewest blocks of at most ``per``, of even sizes (64 images
    in blocks of at most 7: ten of 6 or 7, not nine of 7 and one of 1, whose thin BLAS
    products cost more than they carry)."""
    if stop <= start:
        return []
    k = -(-(stop - start) // max(1, per))
    cuts = [start + (stop - start) * i // k for i in range(k + 1)]
    return list(zip(cuts[:-1], cuts[1:]))


def _patch_buffer(layer, shape, dtype):
    """Last step's whole ``P`` when it has this shape (no new array of megabytes a step)."""
    buf = layer.__dict__.get("_patch_buffer")
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = layer._patch_buffer = np.empty(shape, dtype)
    return buf


def _taps(layer, channels):
    """Where each of a 9-number window's entries sits, ``(row, column, channel)`` from the
    window's corner, in the kernel's order; None for a window of any other size."""
    kh, kw = layer.kernel_size
    if kh * kw * channels != 9:
        return None
    dh, dw = layer.dilation_rate
    return np.array([(p * dh, q * dw, c) for p in range(kh) for q in range(kw) for c in range(channels)], np.intp)


# ---------------------------------------------------------------------------------------
# Parts of a batch, on the cores that are free
# ---------------------------------------------------------------------------------------
_SPLIT_MIN = 1 << 18  # numbers a part must hold (patches + outputs, or a pooling's input) to be worth a thread
_MAX_PARTS = 8


def _parts(n, numbers) -> list:
    """The batch's ``n`` images cut into consecutive ranges ``(start, stop)``, one per part:
    as many parts as this machine has usable cores (at most 8), each of at least ``_SPLIT_MIN``
    of the pass's ``numbers``; one part for small work. The cut depends on the sizes and the
    machine's cores only, never on its load, so the numbers a fit gives do not depend on how
    many threads were free (:func:`_run_parts` runs the parts on one thread or several)."""
    from . import threads  # noqa: PLC0415
    k = int(min(n, _MAX_PARTS, threads.usable_cores(), numbers // _SPLIT_MIN))
    if k <= 1:
        return [(0, n)]
    cuts = [n * i // k for i in range(k + 1)]
    return list(zip(cuts[:-1], cuts[1:]))


last_threads = 0      # threads the last split pass ran on (tests read it)
_recent = threading.local()       # .conv: the Conv2D whose twin ran last on this thread (its pooling may follow)
_FUSE_POOLING = True              # a relu Conv2D's backward from its pooling's arrays (bench/conv.py turns it off)
_COVERED_ONLY = True              # ... its dK and dX products over the rows the pooling's windows cover only
_STEP_ON_ONE_BLAS_THREAD = True   # once parts run on threads, the step's other products too (auto mode)


def _run_parts(parts, work) -> list:
    """``[work(start, stop) for each part]``, the parts on as many threads as glassnet may use
    now (``glassnet.fast.threads.elementwise_threads``: one on a busy machine), each thread
    taking every t-th part. numba's loops and NumPy's matmul let go of the GIL; while several
    threads run, BLAS is pinned to one thread each (no more busy threads than cores), and in
    auto mode the rest of the step's products (a convnet's small Dense) stay on one BLAS
    thread too (``threads.useful_blas_threads(1)``, lifted by the next step and at fit's end):
    after a call on two threads OpenBLAS's worker spins for a while, on the core the parts'
    helper thread needs. The helper threads get the caller's NumPy error settings and
    flush-to-zero flags."""
    global last_threads
    from . import threads  # noqa: PLC0415
    t = min(len(parts), threads.elementwise_threads())
    if t > 1 and threading.current_thread().name.startswith("glassnet"):
        t = 1                                 # inside glassnet's own pool: its workers are taken
    last_threads = t
    if t <= 1:
        return [work(*part) for part in parts]
    from concurrent.futures import wait  # noqa: PLC0415

    from .. import fast  # noqa: PLC0415
    from . import denormals  # noqa: PLC0415
    if _STEP_ON_ONE_BLAS_THREAD:
        threads.useful_blas_threads(1)
    settings = np.geterr()
    out = [None] * len(parts)

    def run(first):
        with np.errstate(**settings):
            for i in range(first, len(parts), t):
                out[i] = work(*parts[i])
    with threads.blas_pinned(1):
        futures = [fast._pool().submit(denormals.like_caller(run), i) for i in range(1, t)]
        try:
            run(0)
        finally:
            wait(futures)
    for future in futures:
        future.result()                       # an error in a helper thread is raised here
    return out


def _in_order_sum(values):
    """``((v0 + v1) + v2) + ...``: the parts' sums added in the parts' order."""
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def conv2d_forward(layer, x, training=False):
    """``Conv2D.forward``'s work in fewer passes: sets ``layer.pads``, ``padded_shape``,
    ``out_spatial``, ``z`` and ``a`` as its readable lines do and returns ``a``; None (nothing
    kept) when numba is not used, and the readable forward runs.

    ``layer.xpad`` keeps the padded input for the backward. A window of 9 numbers (3 x 3 x 1) is
    computed directly (``_numba_conv.direct_conv_9``, bias and relu in the same pass: no ``P``,
    ``layer.patches`` is None); patches of 32 numbers or more block by block, each block's
    ``P`` built, multiplied by ``K`` and its bias and relu added while in cache (``Z``'s rows
    are the same BLAS products as ``P K``'s; ``layer.patches`` is None); thinner ones whole,
    as the readable forward, into last step's buffer (``layer.patches``). A large batch is cut
    into parts of whole images (:func:`_parts`), run on the free cores: each output row is
    computed the same way in any part, so the forward's numbers do not change."""
    from .. import activations  # noqa: PLC0415
    from ..layers.conv import pad, paddings  # noqa: PLC0415
    kernel = layer.kernel.value
    if layer.rank != 2 or _numba() is None:
        return None
    pads = paddings(x.shape[1:-1], layer.kernel_size, layer.strides, layer.dilation_rate, layer.padding)
    xpad = pad(x, pads)
    if not _worth_it(xpad.size * kernel.shape[0] * kernel.shape[1]) or not _plain(xpad, kernel):
        return None
    heap.keep_freed_memory()             # once: a step's freed arrays kept for the next (fast/heap.py)
    out_sp = tuple((n - (k - 1) * d - 1) // s + 1 for n, k, s, d in
                   zip(xpad.shape[1:3], layer.kernel_size, layer.strides, layer.dilation_rate))
    n, f = xpad.shape[0], layer.filters
    k2 = kernel.reshape(-1, f)
    fused = layer.use_bias and layer.activation is activations.relu
    bias = layer.bias.value if layer.use_bias else k2[0, :0]
    rows = out_sp[0] * out_sp[1]
    z = np.empty((n * rows, f), xpad.dtype)
    a = np.empty_like(z) if fused else None
    taps = _taps(layer, xpad.shape[3])
    parts = _parts(n, n * rows * (k2.shape[0] + f))
    patches = None
    shape = (n,) + out_sp + (f,)
    if taps is not None:                                                  # Z = P K + b, A = relu(Z),
        z4, a4 = z.reshape(shape), (a if fused else z).reshape(shape)     # from each window directly

        def work(s, e):
            _kernels.direct_conv_9(xpad[s:e], taps, k2, bias, layer.use_bias, fused, layer.strides[0],
                                   layer.strides[1], z4[s:e], a4[s:e])
    else:
        per = _per_block(layer, n, rows, k2.shape[0])
        if per == n:                                                      # one block: P kept for the backward
            patches = _patch_buffer(layer, (n * rows, k2.shape[0]), xpad.dtype)

        def work(s0, e0):                                                 # block by block:
            cuts = _blocks(s0, e0, per if patches is None else e0 - s0)
            scratch = patches[s0 * rows:e0 * rows] if patches is not None else np.empty(
                (max((e - s for s, e in cuts), default=0) * rows, k2.shape[0]), xpad.dtype)
            for s, e in cuts:
                p = scratch[:(e - s) * rows]
                _kernels.extract_patches_2d(xpad[s:e], layer.strides[0], layer.strides[1], layer.dilation_rate[0],
                                            layer.dilation_rate[1], p.reshape((e - s,) + out_sp + layer.kernel_size
                                                                              + (-1,)))
                zb = z[s * rows:e * rows]
                np.matmul(p, k2, out=zb)                                  # Z = P K
                if fused:
                    _kernels.add_bias_relu(zb, bias, a[s * rows:e * rows])    # + b, A = relu(Z): same pass
    _run_parts(parts, work)
    if taps is None and layer.use_bias and not fused:
        z += bias
    if not fused:
        a = layer.activation(z)
    layer.pads, layer.padded_shape, layer.out_spatial = pads, xpad.shape, out_sp
    layer.xpad, layer.patches = xpad, patches
    layer.z, layer.a = z.reshape(shape), a.reshape(shape)
    _recent.conv = layer if fused else None          # a MaxPooling2D given this `a` links to it (below)
    return layer.a


def conv2d_backward(layer, grad, need_input_grad=True):
    """The Conv2D backward after :func:`conv2d_forward`: sets the gradients of the kernel and
    bias, returns dJ/d(input) (None when not needed). Block by block as the forward: each
    block's ``P`` built again from ``layer.xpad`` (cheaper than keeping it: the whole ``P``
    is 18 MB for the MNIST convnet's second layer), ``dK += P.T dZ`` (so ``dK`` is a sum of
    block sums: equal to the readable ``P.T dZ`` within rounding, not bit for bit),
    ``dP = dZ K.T`` and its scatter to the pixels while the block is in cache (``dX`` keeps
    the readable order: bit for bit). With relu and a bias, ``dZ = dA * (Z > 0)`` and ``db``
    are made block by block too (rows in order: bit for bit).

    A large batch is cut into parts of whole images as the forward (:func:`_parts`), run on
    the free cores: each part sums its own ``dK`` and ``db``, and the parts' sums are added
    in order at the end, so ``dK`` and ``db`` are then within rounding of the readable sums
    (1e-6 of the size of the terms, tests/test_fast_conv_parts.py), not bit for bit; ``dX``
    still is. The cut depends on the sizes and the machine's cores, not on how many threads
    run it: one thread or two give the same numbers."""
    from .. import activations  # noqa: PLC0415
    from ..layers.conv import crop, transposed_product  # noqa: PLC0415
    xpad, f = layer.xpad, layer.filters
    n = xpad.shape[0]
    rows = layer.out_spatial[0] * layer.out_spatial[1]
    k2 = layer.kernel.value.reshape(-1, f)
    pooled = layer.__dict__.pop("_from_pool", None)          # (dX, dY, won, Y, pool size) of the pooling after
    if pooled is not None and not (pooled[0] is grad and _pooled_fits(layer, pooled)):
        pooled = None                                        # not the gradient that pooling made: the plain way
    grad_rows = None if pooled is not None else np.ascontiguousarray(grad).reshape(-1, f)    # (never read then)
    fused = pooled is not None or (layer.activation is activations.relu and layer.use_bias
                                   and layer.z.shape == grad.shape and _plain(layer.z, grad_rows, layer.bias.value))
    z_rows = None
    if fused:
        dz = np.empty((n * rows, f), layer.z.dtype)
        z_rows = layer.z.reshape(-1, f)
        dz4 = dz.reshape(layer.z.shape)
    else:
        dz = relu_backward(layer.z, grad) if layer.activation is activations.relu else None
        if dz is None:
            dz = layer._activation_backward(layer.z, layer.a, grad)      # dZ = dA * g'(Z)
        dz = np.ascontiguousarray(dz).reshape(-1, f)
    taps = _taps(layer, xpad.shape[3])
    if pooled is not None and taps is not None and not need_input_grad and n > 0:
        done = _direct_pooled_backward(layer, grad, pooled, taps)
        if done:
            return None
    dxpad = np.empty(layer.padded_shape, xpad.dtype) if need_input_grad else None     # zeroed part by part
    per = _per_block(layer, n, rows, k2.shape[0])
    if pooled is not None and per == n and taps is not None:             # the direct layer (its dK
        per = max(1, _POOLED_BLOCK // max(1, rows * (k2.shape[0] + f)))   # is not bit for bit anyway): dZ and P a
                                                                          # few images at a time, in L2
    covered = None                                # under a pooling that leaves the last rows or columns
    if pooled is not None and per < n and _COVERED_ONLY:      # out (11 x 11 under 2 x 2): dZ is 0 there
        covered = (pooled[1].shape[1] * pooled[4][0], pooled[1].shape[2] * pooled[4][1])
        covered = None if covered == tuple(layer.out_spatial) else covered
    whole = None
    if per == n:                                  # one block: the forward's P, or the whole P made now
        whole = layer.patches if layer.patches is not None else _patch_buffer(layer, (n * rows, k2.shape[0]),
                                                                               xpad.dtype)
    window = layer.kernel_size + (-1,)

    def work(s0, e0):
        """This part's images: its ``dZ`` rows and ``dX`` pixels written, its ``(dK, db)`` sums returned."""
        dk = None
        db = np.empty_like(layer.bias.value) if fused else None
        cuts = _blocks(s0, e0, per if whole is None else e0 - s0)
        scratch = whole[s0 * rows:e0 * rows] if whole is not None else np.empty(
            (max((e - s for s, e in cuts), default=0) * rows, k2.shape[0]), xpad.dtype)
        if need_input_grad:
            dxpad[s0:e0] = 0
        for s, e in cuts:
            block = slice(s * rows, e * rows)
            if pooled is not None:                                        # dZ from the pooled dY, winners
                _kernels.pooled_relu_backward_bias(pooled[1][s:e], pooled[2][s:e], pooled[3][s:e], pooled[4][0],
                                                   pooled[4][1], dz4[s:e], db, s == s0)    # and maxima; db
            elif fused:                                                   # dZ = dA * (Z > 0), db
                _kernels.relu_backward_bias(z_rows[block], grad_rows[block], dz[block], db, s == s0)
            dz_block = dz[block]
            lead = (e - s,) + tuple(layer.out_spatial)
            if covered is not None:                                       # only the windows' rows: the rest
                lead = (e - s,) + covered                                 # of dZ is 0 (and so their terms)
                dz_block = np.ascontiguousarray(dz4[s:e, :covered[0], :covered[1]]).reshape(-1, f)
            p = scratch[:dz_block.shape[0]]
            if whole is None or layer.patches is None:
                _kernels.extract_patches_2d(xpad[s:e], layer.strides[0], layer.strides[1], layer.dilation_rate[0],
                                            layer.dilation_rate[1], p.reshape(lead + window))
            part = transposed_product(p, dz_block)                        # dK = P.T dZ, a block at a time
            dk = part if dk is None else dk + part
            if need_input_grad:
                dp = np.matmul(dz_block, k2.T, out=p if whole is None else None)    # dP = dZ K.T
                _kernels.scatter_patches_2d(dp.reshape(lead + window), layer.strides[0], layer.strides[1],
                                            layer.dilation_rate[0], layer.dilation_rate[1], dxpad[s:e])
        return dk, db
    sums = _run_parts(_parts(n, n * rows * (k2.shape[0] + f)), work)
    layer.dz = dz.reshape(layer.z.shape if fused else grad.shape)
    layer.kernel.grad = _in_order_sum([dk for dk, _ in sums]).reshape(layer.kernel.shape)
    if layer.use_bias:
        if fused:
            db = _in_order_sum([db for _, db in sums])
        else:
            db = bias_gradient(dz)
            db = np.add.reduce(dz, axis=0) if db is None else db
        layer.bias.grad = db                                              # db = the sum of dZ's rows
    return crop(dxpad, layer.pads) if need_input_grad else None


def _direct_pooled_backward(layer, grad, pooled, taps) -> bool:
    """:func:`conv2d_backward` of a direct 9-number layer (relu, bias) whose output a tiling max
    pooling took, when its dX is not needed (a first layer): per part, one numba call
    (``_numba_conv.direct_backward_pooled_9``) makes ``dZ`` a few images at a time from the
    pooled gradient, winners and maxima, each block's windows, and ``dK += P.T dZ`` through
    NumPy's own BLAS while the block is in cache; ``db`` adds ``dZ``'s rows in order. Sets
    ``dz`` and the gradients; False (nothing set) where NumPy's BLAS cannot be called from numba."""
    from . import _numpy_kernels  # noqa: PLC0415
    blas = _numpy_kernels.kernels(layer.z.dtype)
    if blas is None:
        return False
    gemm = blas[0]
    xpad, f = layer.xpad, layer.filters
    n = xpad.shape[0]
    rows = layer.out_spatial[0] * layer.out_spatial[1]
    per = max(1, _POOLED_BLOCK // max(1, rows * (9 + f)))
    _, dy, won, y, (ph, pw) = pooled
    dz = np.empty(layer.z.shape, layer.z.dtype)
    sh, sw = layer.strides

    def work(s, e):
        dk, db = np.empty((9, f), dz.dtype), np.empty(f, dz.dtype)
        p = np.empty((min(per, e - s) * rows, 9), dz.dtype)
        _kernels.direct_backward_pooled_9(xpad[s:e], taps, sh, sw, dy[s:e], won[s:e], y[s:e], ph, pw, per, gemm,
                                          dz[s:e], db, dk, p)
        return dk, db
    sums = _run_parts(_parts(n, n * rows * (9 + f)), work)
    layer.dz = dz
    layer.kernel.grad = _in_order_sum([dk for dk, _ in sums]).reshape(layer.kernel.shape)
    layer.bias.grad = _in_order_sum([db for _, db in sums])
    return True


def max_pool2d_forward(layer, x, training=False):
    """``MaxPooling2D.forward``'s work in one pass when its windows tile the input: sets
    ``layer.y`` (and the positions that won) and returns it; None without numba or otherwise.
    A large batch in parts of whole images on the free cores (the same numbers).

    When ``x`` is the very array a relu Conv2D's twin just returned (its ``a``), the pooling
    remembers that conv (``layer._after_conv``): its backward then hands the conv what it
    needs to make ``dZ`` straight from the pooled gradient (:func:`conv2d_backward`)."""
    if layer.rank != 2 or not _worth_it(x.size) or _numba() is None:
        return None
    conv = getattr(_recent, "conv", None)
    _recent.conv = None
    if conv is not None and x is not conv.a:
        conv = None                                  # not that conv's output
    fast = max_pool_2d(x, layer.pool_size, layer.strides, layer.padding)
    if fast is None:
        return None
    layer._padded(x, -np.inf)       # its padding and shapes, as the readable forward keeps them
    layer.y, layer.won = fast
    layer.xpad = None               # the readable backward's input is not kept: `won` says it all
    layer._after_conv = (conv, x) if _FUSE_POOLING and conv is not None and x.dtype == layer.y.dtype else None
    return layer.y


def max_pool2d_backward(layer, grad, need_input_grad=True):
    """dJ/d(input) after :func:`max_pool2d_forward`. After a relu Conv2D (``_after_conv``), the
    pooled gradient, the winners and the maxima are left with the conv (``_from_pool``, with the
    dX returned): when the conv's backward is then given that very dX, it makes ``dZ`` from them
    and never reads dX (:func:`conv2d_backward`). So when that conv is a direct 9-number layer,
    whose backward then reads nothing else (:func:`_direct_pooled_backward`), dX is not written
    at all: what is returned is a read-only array of NaN of dX's shape, a placeholder that only
    that conv's backward takes (any other use shows at once as NaN)."""
    if not need_input_grad:
        return None
    link = layer.__dict__.get("_after_conv")
    conv = link[0] if link is not None and link[0].a is link[1] else None   # the conv's output this pooling had
    grad = np.ascontiguousarray(grad)
    if conv is not None:
        pooled = (None, grad, layer.won, layer.y, tuple(layer.pool_size))
        if _pooled_fits(conv, pooled, layer.padded_shape) and _direct_pooled_ready(conv):
            dx = np.broadcast_to(np.array(np.nan, grad.dtype), layer.padded_shape)
            conv._from_pool = (dx,) + pooled[1:]
            return dx
    dx = max_pool_2d_backward(grad, layer.won, layer.padded_shape, layer.pool_size)
    if conv is not None:
        conv._from_pool = (dx,) + pooled[1:]
    return dx


def _pooled_fits(conv, pooled, shape=None) -> bool:
    """Can ``conv``'s backward make ``dZ`` from the pooling's arrays ``pooled``: relu and a bias,
    its ``Z`` the pooling's input, plain arrays of one dtype?"""
    from .. import activations  # noqa: PLC0415
    shape = pooled[0].shape if shape is None else shape
    return (conv.activation is activations.relu and conv.use_bias and conv.z.shape == tuple(shape)
            and _plain(conv.z, pooled[1], pooled[3], conv.bias.value))


def _direct_pooled_ready(conv) -> bool:
    """Will ``conv``'s backward take :func:`_direct_pooled_backward` (a direct 9-number layer,
    NumPy's BLAS callable from numba), whose only input from the pooling is its arrays?"""
    from . import _numpy_kernels  # noqa: PLC0415
    return (conv.z.shape[0] > 0 and _taps(conv, conv.xpad.shape[3]) is not None
            and _numpy_kernels.kernels(conv.z.dtype) is not None)


# ---------------------------------------------------------------------------------------
# The step's passes: each layer's own forward and backward, or its twin above
# ---------------------------------------------------------------------------------------
_TWINS = None


def _twins():
    global _TWINS
    if _TWINS is None:
        from .. import fast  # noqa: PLC0415 - this module is loaded by glassnet.fast's own import
        from ..layers.conv import Conv2D  # noqa: PLC0415
        from ..layers.pooling import MaxPooling2D  # noqa: PLC0415
        _TWINS = {Conv2D: (conv2d_forward, conv2d_backward),
                  MaxPooling2D: (max_pool2d_forward, max_pool2d_backward)}
        for cls in _TWINS:
            fast.stands_in_for(cls, "forward", "backward", "backward_from_z")
    return _TWINS


class LayerPasses:
    """What ``glassnet.engine.step`` calls for a layer's forward and backward on the fast
    path: the twin above for an untouched Conv2D or MaxPooling2D, when it applies, else the
    layer's own method. Remembers, for the step at hand, which layers took their twin."""

    def __init__(self):
        self.twins = _twins()
        self.took = {}

    def forward(self, layer, x, training=False):
        from .. import fast  # noqa: PLC0415
        twin = self.twins.get(type(layer))
        if twin is not None and fast.untouched(layer):
            out = twin[0](layer, x, training)
            if out is not None:
                self.took[id(layer)] = twin[1]
                return out
        self.took.pop(id(layer), None)
        return layer.forward(x, training)

    def backward(self, layer, grad, need_input_grad=True):
        twin = self.took.get(id(layer))
        return layer.backward(grad, need_input_grad) if twin is None else twin(layer, grad, need_input_grad)
