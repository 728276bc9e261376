"""``keras.callbacks.TensorBoard``: a run's numbers in TensorBoard's event files, written with
the ``tensorboard`` package's own writer (no TensorFlow), in Keras 3's layout and tags, and,
beyond Keras, the gradients of each epoch's last batch (the glass box in TensorBoard).

Reached as ``glassnet.callbacks.TensorBoard`` and ``glassnet.keras.callbacks.TensorBoard``;
``tensorboard`` is imported when training begins (``pip install 'glassnet[tensorboard]'``).

>>> import glassnet
>>> tb = glassnet.callbacks.TensorBoard(log_dir="logs", histogram_freq=1)
>>> tb.update_freq
'epoch'
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
import time

import numpy as np

from ..callbacks import Callback

_MISSING = ("TensorBoard needs the tensorboard package: pip install 'glassnet[tensorboard]' "
            "(or pip install tensorboard)")


class TensorBoard(Callback):
    """Write what training does to ``log_dir`` for TensorBoard (``tensorboard --logdir logs``),
    with Keras 3's arguments, defaults, folders and tags.

    Folders: ``log_dir/train/`` and ``log_dir/validation/`` (TensorBoard's runs ``train`` and
    ``validation``), one event file each per ``fit`` (``validation/`` only when there is
    validation data, as Keras), flushed at every epoch's end and closed when training ends.
    Passed to ``evaluate`` alone, it writes the ``keras`` tag in ``train/`` and
    ``evaluation_<name>_vs_iterations`` in ``validation/``, as Keras 3 does. The tags, as Keras 3 writes them (``tools/compare_keras_tensorboard.py``
    lists real Keras's beside these):

    - ``epoch_loss``, ``epoch_<metric>`` (``epoch_accuracy``...) at step = the epoch's index
      (from 0), in ``train/`` and, for the ``val_`` logs, in ``validation/``;
      ``epoch_learning_rate`` (the optimizer's rate at the epoch's end) in ``train/``;
      ``evaluation_<name>_vs_iterations`` in ``validation/`` at step = the optimizer's
      iterations (the steps taken so far); ``epoch_steps_per_second`` with
      ``write_steps_per_second``.
    - ``batch_loss``, ``batch_<metric>`` (the epoch's running averages, as in the progress
      line) at step = the global batch number (from 1, across epochs) when ``update_freq`` is
      ``"batch"`` (every batch) or an int ``N`` (every batch whose number is a multiple of
      ``N``); ``batch_steps_per_second`` with ``write_steps_per_second``. (Keras 3 also drops
      the epoch scalars of an epoch whose last batch number is not a multiple of ``N``: a side
      effect of its recording condition; glassnet writes every epoch's.) With the default
      ``"epoch"``, Keras 3 still writes them every batch, to the program's default
      ``tf.summary`` writer if it set one (not to ``train/``); glassnet does the same.
    - ``keras`` (step 0, with ``write_graph``): the model's Keras config as JSON, which
      TensorBoard's Graphs tab draws as a conceptual graph of layers, exactly what Keras writes
      for a Sequential or functional model (a subclassed model has none). Keras on TensorFlow
      also writes TensorFlow's op graph; glassnet has no TensorFlow graph to write.
    - every ``histogram_freq`` epochs (epoch % histogram_freq == 0), in ``train/`` at step =
      the epoch: ``<weight path>/histogram``, each weight's values (30 buckets, as
      ``tf.summary.histogram``), the path as Keras 3 names it (``sequential/dense/kernel``
      in a Sequential, ``dense/kernel`` in a functional model); and, beyond Keras,
      ``<weight path>/gradient/histogram``, the values of dJ/dw on the epoch's last batch
      (``v.grad`` after its step: the gradient the optimizer was given, penalties included,
      before the update), and ``gradient_norm/<layer name>``, the L2 norm of that layer's
      gradients together, sqrt(sum over its weights of sum(dJ/dw ** 2)): a layer whose norm
      falls towards 0 has stopped learning, one that climbs epoch after epoch is exploding.
    - ``<weight path>/image`` with ``write_images`` (and ``histogram_freq``): each 1-D or 2-D
      weight drawn as a grey image (min black, max white), as Keras draws them.

    ``profile_batch`` is accepted and ignored (there is no TensorFlow profiler to start);
    ``embeddings_freq`` saves the weights to ``train/keras_embedding.ckpt-<epoch>.weights.h5``
    every ``embeddings_freq`` epochs, as Keras does; ``embeddings_metadata`` is accepted.

    A ``log_dir`` that cannot be written is an error at the start of training, before any
    step; a write that fails later (a full disk) is reported once and training goes on.
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        if importlib.util.find_spec("tensorboard") is None:
            raise ImportError(_MISSING)
        if update_freq not in ("epoch", "batch") and (isinstance(update_freq, bool)
                                                     or not isinstance(update_freq, int) or update_freq < 1):
            raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or a number of batches "
                             f">= 1, got {update_freq!r}")
        for name, value in (("histogram_freq", histogram_freq), ("embeddings_freq", embeddings_freq)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"TensorBoard: {name} must be an int >= 0, got {value!r}")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq, self.write_graph, self.write_images = histogram_freq, write_graph, write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = update_freq
        self.profile_batch = profile_batch
        self.embeddings_freq, self.embeddings_metadata = embeddings_freq, embeddings_metadata
        self._writers: dict = {}
        self._global_batch = 0
        self._failed = False
        self._in_fit = False
        self._pushed = None

    @property
    def wants_batch_logs(self) -> bool:
        """Batch logs are read with ``update_freq`` "batch" or N, or when the program has set a
        default ``tf.summary`` writer (the loop asks before training; it skips them otherwise)."""
        return self.update_freq != "epoch" or _default_writer_set()

    # ------------------------------------------------------------------ the loop's hooks
    def on_train_begin(self, logs=None):
        self._open()
        self._in_fit = True
        if self.update_freq != "epoch":
            self._push()

    def _push(self):
        """As Keras 3 with ``update_freq`` "batch" or N: during ``fit`` the ``train/`` event file is
        the default ``tf.summary`` writer, at step = the global batch number, recording on the
        batches written, so a summary the program writes from a callback or a schedule goes there."""
        from ..tf import summary  # noqa: PLC0415
        every = 1 if self.update_freq == "batch" else self.update_freq
        writer = summary._EventsWriter(self._writer("train"), os.path.join(self.log_dir, "train"))
        self._pushed = summary._pushed(writer, lambda: self._global_batch,
                                       lambda: self._global_batch % every == 0)

    def _open(self):
        """A fresh start: ``train/``'s event file now (a ``log_dir`` that cannot be written fails
        here, before any step), ``validation/``'s when something is first written there (as
        Keras: a fit without validation data makes no ``validation/``), and the ``keras`` tag."""
        self._close()
        self._global_batch, self._failed = 0, False
        self._writer("train")
        if self.write_graph:
            self._guard(self._write_graph)

    def on_test_begin(self, logs=None):
        if not self._in_fit:                  # model.evaluate(..., callbacks=[tb]): Keras writes there too
            self._open()

    def on_test_end(self, logs=None):
        """After ``evaluate`` (not fit's validation, written at the epoch's end):
        ``evaluation_<name>_vs_iterations`` in ``validation/`` at step = the optimizer's
        iterations, as Keras 3 writes them."""
        if self._in_fit or not self._writers:
            return
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None:
            self._guard(self._scalars, "validation", "evaluation_",
                        {f"{k}_vs_iterations": v for k, v in dict(logs or {}).items()}, optimizer.iterations)
        self._close()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()
        self._epoch_iterations = self.model.optimizer.iterations

    def on_train_batch_begin(self, batch, logs=None):
        self._global_batch += 1
        self._batch_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if self.update_freq == "epoch":
            self._guard(self._batch_to_default_writer, dict(logs or {}))
            return
        if not self._writers:
            return
        every = 1 if self.update_freq == "batch" else self.update_freq
        if self._global_batch % every:
            return
        values = dict(logs or {})
        if self.write_steps_per_second:
            values["steps_per_second"] = 1.0 / max(time.perf_counter() - self._batch_start, 1e-9)
        self._guard(self._scalars, "train", "batch_", values, self._global_batch)

    def on_epoch_end(self, epoch, logs=None):
        if self._writers:
            self._guard(self._epoch_end, epoch, dict(logs or {}))

    def on_train_end(self, logs=None):
        self._close()
        self._in_fit = False

    # ------------------------------------------------------------------ what is written
    def _epoch_end(self, epoch, logs):
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = self.model.optimizer
        train["learning_rate"] = float(optimizer.learning_rate)
        if self.write_steps_per_second:
            seconds = max(time.perf_counter() - self._epoch_start, 1e-9)
            train["steps_per_second"] = (optimizer.iterations - self._epoch_iterations) / seconds
        self._scalars("train", "epoch_", train, epoch)
        if val:
            self._scalars("validation", "epoch_", val, epoch)
            self._scalars("validation", "evaluation_", {f"{k}_vs_iterations": v for k, v in val.items()},
                          optimizer.iterations)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._histograms(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self.model.save_weights(os.path.join(self.log_dir, "train",
                                                 f"keras_embedding.ckpt-{epoch}.weights.h5"))
        for writer in self._writers.values():
            writer.flush()

    def _batch_to_default_writer(self, logs):
        """Keras 3 writes ``batch_<name>`` with ``tf.summary.scalar`` every batch; with
        ``update_freq="epoch"`` it opens no writer of its own for them, so they go to the
        program's default writer, if it set one (``file_writer.set_as_default()`` in TensorBoard's
        scalars tutorial: that run gets ``batch_loss`` at steps 1, 2, ...), and nowhere else."""
        if not _default_writer_set():
            return
        from ..tf import summary  # noqa: PLC0415
        for name, value in logs.items():
            if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
                summary.scalar(f"batch_{name}", value, step=self._global_batch)

    def _scalars(self, run, prefix, values, step):
        from tensorboard.plugins.scalar.summary_v2 import scalar_pb  # noqa: PLC0415
        for name, value in values.items():
            if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
                self._write(run, scalar_pb(prefix + name, float(value)), step)

    def _histograms(self, epoch):
        """Each weight's values; beyond Keras, its gradient on the epoch's last batch, and
        each layer's gradient norm."""
        prefix = ""                     # (a weight's path holds its model's name where Keras's does)
        trained = {id(v) for v in self.model.trainable_weights}      # a frozen layer's grad is stale
        for layer in self.model.layers:
            squares, any_grad = 0.0, False
            for v in layer.weights:
                path = prefix + v.path.replace(":", "_")
                self._write("train", histogram_summary(path + "/histogram", v.value), epoch)
                if self.write_images:
                    self._image(path + "/image", v.value, epoch)
                if id(v) in trained and v.grad is not None:
                    grad = np.asarray(v.grad, dtype=np.float64)
                    self._write("train", histogram_summary(path + "/gradient/histogram", grad), epoch)
                    squares += float(np.sum(grad * grad))
                    any_grad = True
            if any_grad:
                from tensorboard.plugins.scalar.summary_v2 import scalar_pb  # noqa: PLC0415
                self._write("train", scalar_pb(f"gradient_norm/{layer.name}", np.sqrt(squares)), epoch)

    def _image(self, tag, value, epoch):
        w = np.squeeze(np.asarray(value, dtype=np.float64))
        if w.ndim == 1:
            w = w[None, :]
        if w.ndim != 2:
            return                                   # (Keras also draws Conv1D kernels, one image per filter)
        if w.shape[0] > w.shape[1]:
            w = w.T
        span = w.max() - w.min()
        grey = np.zeros(w.shape, np.uint8) if span == 0 else ((w - w.min()) / span * 255).round().astype(np.uint8)
        from tensorboard.compat.proto import summary_pb2  # noqa: PLC0415
        image = summary_pb2.Summary.Image(height=grey.shape[0], width=grey.shape[1], colorspace=1,
                                          encoded_image_string=png(grey))
        self._write("train", summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, image=image)]),
                    epoch)

    def _write_graph(self):
        """The ``keras`` tag: the model's Keras config, as Keras's ``keras_model_summary``."""
        from ..saving.keras_config import model_config  # noqa: PLC0415 - glassbox may read formats
        from tensorboard.compat.proto import summary_pb2, tensor_pb2, types_pb2  # noqa: PLC0415
        try:
            config = json.dumps(model_config(self.model)).encode()
        except Exception:                            # a subclassed model: no config to draw (Keras: none)
            return
        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="graph_keras_model", content=b"1"))
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[config])
        self._write("train", summary_pb2.Summary(value=[summary_pb2.Summary.Value(
            tag="keras", metadata=metadata, tensor=tensor)]), 0)

    # ------------------------------------------------------------------ the writers
    def _writer(self, run):
        """The event file of ``run`` (``train`` or ``validation``), made on first use."""
        if run not in self._writers:
            try:
                from tensorboard.summary.writer.event_file_writer import EventFileWriter  # noqa: PLC0415
            except ImportError as e:
                raise ImportError(_MISSING) from e
            folder = os.path.join(self.log_dir, run)
            try:
                os.makedirs(folder, exist_ok=True)
                self._writers[run] = EventFileWriter(folder)
                self._writers[run].flush()
            except OSError as e:
                self._close()
                raise OSError(f"TensorBoard: cannot write event files in {folder!r}: {e.strerror or e}") from e
        return self._writers[run]

    def _write(self, run, summary, step):
        from tensorboard.compat.proto import event_pb2  # noqa: PLC0415
        self._writer(run).add_event(event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary))

    def _guard(self, fn, *args):
        """Training goes on when a write fails (a full disk): said once, then nothing is written."""
        if self._failed:
            return
        try:
            fn(*args)
        except Exception as e:                       # noqa: BLE001 - the run matters more than its log
            self._failed = True
            print(f"TensorBoard: stopped writing to {self.log_dir!r}: {type(e).__name__}: {e}",
                  file=sys.stderr)

    def _close(self):
        if getattr(self, "_pushed", None) is not None:
            from ..tf import summary  # noqa: PLC0415
            summary._popped(self._pushed)
            self._pushed = None
        writers, self._writers = self._writers, {}
        for writer in writers.values():
            try:
                writer.close()
            except OSError as e:
                print(f"TensorBoard: could not close an event file in {self.log_dir!r}: {e}", file=sys.stderr)


def _default_writer_set() -> bool:
    """Whether the program set a default ``tf.summary`` writer (not imported to find out)."""
    summary = sys.modules.get("glassnet.tf.summary")
    return summary is not None and summary._writing()


def histogram_summary(tag, data, buckets=30):
    """A TensorBoard histogram (``tf.summary.histogram``'s layout: a ``[buckets, 3]`` tensor of
    left edge, right edge, count) of ``data``'s values in ``buckets`` equal bins from min to max
    (the last bin closed; non-finite values left out).

    >>> from tensorboard.util import tensor_util
    >>> s = histogram_summary("w", [0.0, 1.0, 1.5, 3.0], buckets=3)
    >>> tensor_util.make_ndarray(s.value[0].tensor).tolist()
    [[0.0, 1.0, 1.0], [1.0, 2.0, 2.0], [2.0, 3.0, 1.0]]
    """
    from tensorboard.compat.proto import summary_pb2  # noqa: PLC0415
    from tensorboard.plugins.histogram import metadata  # noqa: PLC0415
    from tensorboard.util import tensor_util  # noqa: PLC0415
    data = np.asarray(data, dtype=np.float64).ravel()
    data = data[np.isfinite(data)]
    if data.size == 0:
        table = np.zeros((buckets, 3))
    elif data.min() == data.max():
        table = np.zeros((buckets, 3))
        table[:, :2] = data.min()
        table[-1, 2] = data.size
    else:
        edges = np.linspace(data.min(), data.max(), buckets + 1)
        index = np.minimum(np.floor((data - data.min()) / ((data.max() - data.min()) / buckets)), buckets - 1)
        table = np.stack([edges[:-1], edges[1:], np.bincount(index.astype(int), minlength=buckets)], axis=1)
    value = summary_pb2.Summary.Value(tag=tag, metadata=metadata.create_summary_metadata(None, None),
                                      tensor=tensor_util.make_tensor_proto(table, dtype=np.float64))
    return summary_pb2.Summary(value=[value])


def png(pixels: np.ndarray) -> bytes:
    """A PNG of a uint8 image, ``(h, w)`` grey or ``(h, w, c)`` with c = 1 (grey), 2 (grey and
    alpha), 3 (RGB) or 4 (RGBA): the format in a few lines, no imaging library."""
    import struct  # noqa: PLC0415
    import zlib  # noqa: PLC0415

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[pixels.shape[2]]                # PNG's colour types
    rows = b"".join(b"\x00" + row.tobytes() for row in pixels)          # filter 0 before each row
    header = struct.pack(">IIBBBBB", pixels.shape[1], pixels.shape[0], 8, colour, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
