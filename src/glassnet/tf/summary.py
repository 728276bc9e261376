"""``tf.summary``: numbers, histograms, images and text of one's own in TensorBoard's event
files, as TensorFlow's guides log a custom training loop::

    writer = tf.summary.create_file_writer("logs/train")
    with writer.as_default():
        tf.summary.scalar("loss", train_loss.result(), step=epoch)

Written with the ``tensorboard`` package's own event-file writer (no TensorFlow), in the
layouts of TensorFlow's summary ops, so TensorBoard shows them as it shows TensorFlow's:
``scalar`` (a float32 scalar tensor, the scalars plugin), ``histogram`` (a ``[buckets, 3]``
tensor of left edge, right edge and count, 30 buckets by default), ``image`` (a string
tensor of width, height and each image as PNG, at most ``max_outputs`` of a
``[k, h, w, c]`` batch; floats are taken as [0, 1]) and ``text``.

A summary's tag is its name under the open ``tf.name_scope``s (``"scope/name"``), as TensorFlow
names it. ``experimental.write_raw_pb`` writes a serialized ``Summary`` as it is (TensorBoard's
plugins make theirs so: the hparams plugin's ``hparams_pb``/``hparams_config_pb``).

A summary is written to the default writer (``writer.as_default()`` in a ``with``, or
``writer.set_as_default()``) and returns True (a bool tensor, as TensorFlow's); with no
default writer, or inside ``record_if(False)``, it writes nothing and returns False. ``step`` is the
argument or what ``tf.summary.experimental.set_step`` set; neither is an error.

``trace_on`` / ``trace_export`` / ``trace_off`` work with TensorFlow's checks (exporting with no
trace on is the same ValueError, and an export ends the trace). glassnet runs every operation
eagerly, so what ``trace_on(graph=True)`` records is what the ``tf.function`` calls made while it
was on ran (``trace_graph.py``): ``trace_export`` writes it as TensorFlow writes a traced graph (a
``RunMetadata`` under the ``graph_run_metadata_graph`` plugin; the graphs tutorial's ``my_func``
gives TF's nodes: x, y, MatMul, Relu, Identity, identity_RetVal). A profile is never written (no
profiler); with nothing recorded, nothing is written and one warning says so (per process); a
Keras model's layer graph is what the ``TensorBoard`` callback's ``write_graph`` writes.

The module also answers to ``glassnet.summary``, which before was the model-summary module
(``summary_text`` stays reachable here).

>>> import os, tempfile
>>> writer = create_file_writer(os.path.join(tempfile.mkdtemp(), "train"))
>>> bool(scalar("loss", 0.5, step=0))                 # no default writer: nothing written
False
>>> with writer.as_default():
...     print(scalar("loss", 0.5, step=0))
tf.Tensor(True, shape=(), dtype=bool)
"""
from __future__ import annotations

import contextlib
import os
import time
import types
import warnings

import numpy as np

from ..engine.summary import summary_text  # noqa: F401 - glassnet.summary's name before tf.summary took it
from .tensor import Tensor

__all__ = ["SummaryWriter", "create_file_writer", "create_noop_writer", "experimental", "flush", "histogram",
           "image", "record_if", "scalar", "should_record_summaries", "text", "trace_export", "trace_off", "trace_on"]

_MISSING = "tf.summary needs the tensorboard package: pip install 'glassnet[tensorboard]' (or pip install tensorboard)"
_STATE = {"writer": None, "step": None, "record": True, "trace": None}   # trace: (graph, profiler) while on
_SAID = set()                                   # the warnings given once per process


class SummaryWriter:
    """An event file in ``logdir`` (``tf.summary.create_file_writer``)."""

    def __init__(self, logdir, max_queue=None, flush_millis=None, filename_suffix=None):
        try:
            from tensorboard.summary.writer.event_file_writer import EventFileWriter  # noqa: PLC0415
        except ImportError as e:
            raise ImportError(_MISSING) from e
        self.logdir = os.fspath(logdir.numpy() if hasattr(logdir, "numpy") else logdir)
        if isinstance(self.logdir, bytes):
            self.logdir = self.logdir.decode("utf-8")
        try:
            os.makedirs(self.logdir, exist_ok=True)
            self._events = EventFileWriter(self.logdir, max_queue_size=max_queue or 10,
                                           flush_secs=(flush_millis or 120_000) / 1000,
                                           filename_suffix=filename_suffix or "")
        except OSError as e:
            raise OSError(f"create_file_writer: cannot write event files in {self.logdir!r}: {e.strerror or e}") from e

    def write(self, summary, step) -> None:
        from tensorboard.compat.proto import event_pb2  # noqa: PLC0415
        self._events.add_event(event_pb2.Event(wall_time=time.time(), step=int(step), summary=summary))

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Within the ``with``, summaries go to this writer (and to ``step``, if given)."""
        before = dict(_STATE)
        _STATE["writer"] = self
        if step is not None:
            _STATE["step"] = step
        try:
            yield self
        finally:
            self.flush()
            _STATE["writer"] = before["writer"]
            if step is not None:
                _STATE["step"] = before["step"]

    def set_as_default(self, step=None) -> None:
        """From now on, summaries go to this writer."""
        _STATE["writer"] = self
        if step is not None:
            _STATE["step"] = step

    def init(self) -> None:
        pass                                 # the event file was made with the writer

    def flush(self) -> None:
        if self._events is not None:
            self._events.flush()

    def close(self) -> None:
        if self._events is not None:
            self._events.close()
            self._events = None
            if _STATE["writer"] is self:
                _STATE["writer"] = None


def _pushed(writer, step, record):
    """Make ``writer`` the default with ``step`` and ``record`` (callables or values) until
    :func:`_popped` is given what this returns (the Keras TensorBoard callback's batch writer)."""
    before = (_STATE["writer"], _STATE["step"], _STATE["record"])
    _STATE["writer"], _STATE["step"], _STATE["record"] = writer, step, record
    return before


def _popped(before) -> None:
    _STATE["writer"], _STATE["step"], _STATE["record"] = before


class _EventsWriter(SummaryWriter):
    """A default writer over an event file someone else owns (and closes)."""

    def __init__(self, events, logdir):
        self._events, self.logdir = events, logdir

    def close(self) -> None:
        pass


class _NoopWriter(SummaryWriter):
    def __init__(self):
        self._events = None

    def write(self, summary, step) -> None:
        pass


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None, name=None,
                       experimental_trackable=False, experimental_mesh=None) -> SummaryWriter:
    """A writer of event files in ``logdir`` (made if missing)."""
    return SummaryWriter(logdir, max_queue, flush_millis, filename_suffix)


def create_noop_writer() -> SummaryWriter:
    """A writer that writes nothing."""
    return _NoopWriter()


def should_record_summaries():
    """Whether a summary made now would be written (a default writer that writes, and
    ``record_if`` holding): a bool tensor, as TensorFlow's."""
    return _written(_writing())


def _writing() -> bool:
    writer = _STATE["writer"]
    return writer is not None and not isinstance(writer, _NoopWriter) and _recording()


def _recording() -> bool:
    record = _STATE["record"]
    return bool(record() if callable(record) else np.all(np.asarray(record)))


@contextlib.contextmanager
def record_if(condition):
    """Summaries inside the ``with`` are written only where ``condition`` (a bool or a
    function giving one) holds."""
    before = _STATE["record"]
    _STATE["record"] = condition
    try:
        yield
    finally:
        _STATE["record"] = before


def flush(writer=None, name=None) -> None:
    """Write out what the default writer (or ``writer``) holds."""
    writer = writer if writer is not None else _STATE["writer"]
    if writer is not None:
        writer.flush()


def _written(flag: bool):
    return np.array(flag).view(Tensor)          # TensorFlow's answer: a bool scalar tensor


def _write(name, summary, step):
    if not _writing():                          # (a no-op writer writes nothing: False, as TF's)
        return _written(False)
    writer = _STATE["writer"]
    step = step if step is not None else _STATE["step"]
    step = step() if callable(step) else step
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` argument or through "
                         "tf.summary.experimental.set_step()")
    writer.write(summary(), int(np.asarray(step)))
    return _written(True)


def _tag(name) -> str:
    """The summary's tag: ``name`` under the open ``tf.name_scope``s (``"outer/inner/name"``), as
    TensorFlow's summary ops name their tags."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"tf.summary: name must be a non-empty string, got {name!r}")
    from .framework import _SCOPES  # noqa: PLC0415
    return "".join(f"{n}/" for n in _SCOPES.names if n) + name


def scalar(name, data, step=None, description=None):
    """One number (``data``, a scalar) at ``step``."""
    value = np.asarray(data.numpy() if hasattr(data, "numpy") else data)
    if value.size != 1:
        raise ValueError(f"tf.summary.scalar: data must be a scalar, got shape {value.shape}")

    def summary():
        from tensorboard.plugins.scalar.summary_v2 import scalar_pb  # noqa: PLC0415
        return scalar_pb(_tag(name), float(value.reshape(())), description)
    return _write(name, summary, step)


def histogram(name, data, step=None, buckets=None, description=None):
    """The distribution of ``data``'s values at ``step`` (``buckets`` bins, default 30)."""
    values = np.asarray(data.numpy() if hasattr(data, "numpy") else data, dtype=np.float64)

    def summary():
        from ..glassbox.tensorboard import histogram_summary  # noqa: PLC0415 - glassbox writes the layout
        return histogram_summary(_tag(name), values, buckets=30 if buckets is None else int(buckets))
    return _write(name, summary, step)


def image(name, data, step=None, max_outputs=3, description=None):
    """Up to ``max_outputs`` images of the batch ``data`` ``[k, h, w, c]`` (c = 1, 3 or 4;
    uint8, or floats in [0, 1] scaled as ``tf.image.convert_image_dtype``)."""
    images = np.asarray(data.numpy() if hasattr(data, "numpy") else data)
    if images.ndim != 4 or images.shape[-1] not in (1, 3, 4):
        raise ValueError(f"tf.summary.image: data must be a batch of images [k, h, w, c] with c = 1, 3 or 4, "
                         f"got shape {images.shape}")
    if images.dtype != np.uint8:
        images = np.clip(images.astype(np.float64) * 255.5, 0, 255).astype(np.uint8)    # convert_image_dtype

    def summary():
        from tensorboard.compat.proto import summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2  # noqa: PLC0415
        from tensorboard.plugins.image import metadata  # noqa: PLC0415
        from ..glassbox.tensorboard import png  # noqa: PLC0415
        kept = images[:max(0, int(max_outputs))]
        strings = [str(images.shape[2]).encode(), str(images.shape[1]).encode()] + [png(im) for im in kept]
        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=strings,
                                        tensor_shape=tensor_shape_pb2.TensorShapeProto(
                                            dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=len(strings))]))
        meta = metadata.create_summary_metadata(display_name=None, description=description)
        return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=_tag(name), metadata=meta, tensor=tensor)])
    return _write(name, summary, step)


def text(name, data, step=None, description=None):
    """A string (or an array of them: a table in TensorBoard) at ``step``."""
    values = np.asarray(data.numpy() if hasattr(data, "numpy") else data, dtype=object)

    def summary():
        from tensorboard.plugins.text.summary_v2 import text_pb  # noqa: PLC0415
        plain = np.vectorize(lambda s: s.decode("utf-8") if isinstance(s, bytes) else str(s), otypes=[object])(values)
        return text_pb(_tag(name), plain if plain.ndim else plain.item(), description)
    return _write(name, summary, step)


def _set_step(step) -> None:
    """``tf.summary.experimental.set_step``: the step a summary without ``step=`` is written at."""
    _STATE["step"] = step


def _get_step():
    return _STATE["step"]


@contextlib.contextmanager
def _summary_scope(name, default_name=None, values=None):
    """``tf.summary.experimental.summary_scope``: ``with summary_scope("loss") as (tag, scope):``
    gives the tag a summary made inside would have (``name`` under the open name scopes) and
    opens ``name`` as a name scope (``scope``, ending in ``/``)."""
    from .framework import name_scope  # noqa: PLC0415
    name = name or default_name
    tag = _tag(name)
    with name_scope(name) as scope:
        yield tag, scope


def _write_raw_pb(tensor, step=None, name=None):
    """``tf.summary.experimental.write_raw_pb``: write ``tensor``, one serialized ``Summary``
    protocol buffer (bytes) or an array of them, as it is, at ``step`` (tags are the buffer's own,
    as TensorFlow's: name scopes do not touch them). This is how TensorBoard's plugins (the
    hparams plugin's ``hparams_pb``) hand over what they made::

        tf.summary.experimental.write_raw_pb(hp.hparams_pb(hparams).SerializeToString(), step=0)
    """
    raw = np.asarray(tensor.numpy() if hasattr(tensor, "numpy") else tensor, dtype=object).ravel()

    def summary():
        from tensorboard.compat.proto import summary_pb2  # noqa: PLC0415
        merged = summary_pb2.Summary()
        for i, item in enumerate(raw):
            if isinstance(item, str):
                item = item.encode("latin-1")
            if not isinstance(item, bytes):
                raise TypeError(f"tf.summary.experimental.write_raw_pb: tensor[{i}] must be a serialized Summary "
                                f"(bytes), got {type(item).__name__}")
            try:
                merged.MergeFromString(item)
            except Exception as e:                # protobuf's DecodeError
                raise ValueError(f"tf.summary.experimental.write_raw_pb: tensor[{i}] is not a serialized "
                                 f"Summary protocol buffer: {e}") from e
        return merged
    return _write(name, summary, step)


experimental = types.SimpleNamespace(set_step=_set_step, get_step=_get_step, summary_scope=_summary_scope,
                                     write_raw_pb=_write_raw_pb)


# -- tracing: TensorFlow's graph and profiler capture (glassnet has no graph) ------------------
def _say_once(key, message) -> None:
    if key not in _SAID:
        _SAID.add(key)
        warnings.warn(message, UserWarning, stacklevel=3)


def trace_on(graph=True, profiler=False, profiler_outdir=None) -> None:
    """Start a trace, as ``tf.summary.trace_on``: TensorFlow then records the graphs its
    ``tf.function`` calls run, for :func:`trace_export`. Accepted here (TensorFlow's warnings for
    a trace already on and a profiler without ``profiler_outdir``); glassnet records no graph."""
    if _STATE["trace"] is not None:
        warnings.warn("Trace already enabled", UserWarning, stacklevel=2)
        return
    if profiler and profiler_outdir is None:
        warnings.warn("No `profiler_outdir` passed to trace_on(). Profiler won't be enabled.", UserWarning,
                      stacklevel=2)                   # (TensorFlow keeps the trace's profiler flag, as here)
    _STATE["trace"] = (bool(graph) or bool(profiler), bool(profiler))
    if graph:
        from .trace_graph import RECORDER, GraphRecorder  # noqa: PLC0415
        RECORDER[0] = GraphRecorder()


def trace_export(name, step=None, profiler_outdir=None) -> None:
    """End the trace and write what it recorded, as ``tf.summary.trace_export``: with no trace
    on, TensorFlow's ValueError. glassnet runs eagerly and has no graph or profile to write, so
    nothing is written; a warning says so (once per process). Returns None, as TensorFlow's
    (TensorFlow 2.21 raises UnavailableError when ``trace_on(profiler=True)`` had no
    ``profiler_outdir``: no profiler ran; glassnet has none to stop and does not raise)."""
    if _STATE["trace"] is None:
        raise ValueError("Must enable trace before export through tf.summary.trace_on.")
    _tag(name)
    _, profiler = _STATE["trace"]
    if profiler and profiler_outdir:
        warnings.warn("Ignoring `profiler_outdir` passed to trace_export(). Please pass it to trace_on() instead.",
                      UserWarning, stacklevel=2)
    from .trace_graph import RECORDER  # noqa: PLC0415
    recorder = RECORDER[0]
    try:
        if recorder is not None and recorder.nodes:
            _write(name, lambda: _run_metadata_summary(_tag(name), recorder.run_metadata()), step)
        elif _writing():
            _say_once("trace_export", f"tf.summary.trace_export({name!r}): nothing was written: no tf.function "
                      "call ran an operation glassnet records while the trace was on (a Keras layer's forward "
                      "pass runs in NumPy and makes no node; for a model's graph of layers, use the TensorBoard "
                      "callback, whose write_graph=True writes it as Keras does)")
    finally:
        trace_off()


def _run_metadata_summary(tag, run_metadata: bytes):
    """TensorFlow's layout for a traced graph: a string tensor holding a ``RunMetadata``, under the
    ``graph_run_metadata_graph`` plugin (TensorBoard's Graphs tab)."""
    from tensorboard.compat.proto import summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2  # noqa: PLC0415
    meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
        plugin_name="graph_run_metadata_graph", content=b"1"))
    tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[run_metadata],
                                    tensor_shape=tensor_shape_pb2.TensorShapeProto())
    return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, metadata=meta, tensor=tensor)])


def trace_off() -> None:
    """Stop the trace and discard what it recorded, as ``tf.summary.trace_off``."""
    from .trace_graph import RECORDER  # noqa: PLC0415
    _STATE["trace"] = None
    RECORDER[0] = None
