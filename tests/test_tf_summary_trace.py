"""tf.summary.trace_on / trace_export / trace_off: TensorFlow's checks, and an honest nothing
(glassnet runs eagerly: no graph to export), said once, with no event written."""
from __future__ import annotations

import glob
import warnings

import pytest

import glassnet as tf

pytest.importorskip("tensorboard")


@pytest.fixture(autouse=True)
def _fresh():
    from glassnet.tf import summary
    summary._SAID.discard("trace_export")
    summary.trace_off()
    yield
    summary.trace_off()


def _events(folder):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(folder)
    acc.Reload()
    return acc.Tags()


def test_export_without_trace_on_is_tensorflows_value_error():
    with pytest.raises(ValueError, match="Must enable trace before export through tf.summary.trace_on."):
        tf.summary.trace_export("f", step=0)


def test_export_writes_nothing_warns_once_and_ends_the_trace(tmp_path):
    writer = tf.summary.create_file_writer(str(tmp_path))

    @tf.function
    def f(x, y):
        return tf.nn.relu(tf.matmul(x, y))
    tf.summary.trace_on(graph=True, profiler=False)
    f(tf.ones((2, 2)), tf.ones((2, 2)))
    with writer.as_default(), pytest.warns(UserWarning, match="nothing was written. glassnet runs every operation"):
        assert tf.summary.trace_export(name="my_func_trace", step=0) is None
    with pytest.raises(ValueError, match="Must enable trace"):        # the export ended the trace, as in TF
        tf.summary.trace_export("again", step=1)
    tf.summary.trace_on(graph=True)
    with writer.as_default(), warnings.catch_warnings():
        warnings.simplefilter("error")                                # said once per process: no second warning
        tf.summary.trace_export(name="second", step=1)
    writer.flush()
    tags = _events(str(tmp_path))
    assert tags["tensors"] == [] and not tags["graph"] and tags["run_metadata"] == []
    assert glob.glob(str(tmp_path / "events.out.tfevents.*"))


def test_trace_on_twice_and_profiler_without_a_folder_warn_as_tensorflow():
    tf.summary.trace_on()
    with pytest.warns(UserWarning, match="Trace already enabled"):
        tf.summary.trace_on()
    tf.summary.trace_off()
    tf.summary.trace_off()                                            # already off: nothing happens
    with pytest.warns(UserWarning, match="No `profiler_outdir` passed to trace_on"):
        tf.summary.trace_on(graph=False, profiler=True)
    with pytest.warns(UserWarning, match="Ignoring `profiler_outdir` passed to trace_export"):
        tf.summary.trace_export("f", step=0, profiler_outdir="logs")   # the graph tutorial's call
    tf.summary.trace_on(graph=True)
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        tf.summary.trace_export("", step=0)


def test_without_a_default_writer_export_is_silent_as_tensorflow():
    tf.summary.trace_on(graph=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tf.summary.trace_export("f", step=0) is None
