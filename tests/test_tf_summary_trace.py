"""tf.summary.trace_on / trace_export / trace_off: TensorFlow's checks, and the graph of the
tf.function calls made while the trace was on, written as TF 2.21 writes it (glassnet's
trace_graph.py); with nothing recorded, an honest nothing, said once."""
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


def test_export_writes_the_functions_graph_as_tensorflow_and_ends_the_trace(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.compat.proto import config_pb2
    from tensorboard.util import tensor_util
    writer = tf.summary.create_file_writer(str(tmp_path))

    @tf.function
    def my_func(x, y):
        return tf.nn.relu(tf.matmul(x, y))
    tf.nn.relu(tf.ones((2, 2)))                                       # before the trace: not recorded
    tf.summary.trace_on(graph=True, profiler=False)
    tf.ones((2, 2)) * 3.0                                             # outside a tf.function: not recorded
    my_func(tf.ones((2, 2)), tf.ones((2, 2)))
    with writer.as_default():
        assert tf.summary.trace_export(name="my_func_trace", step=0) is None
    with pytest.raises(ValueError, match="Must enable trace"):        # the export ended the trace, as in TF
        tf.summary.trace_export("again", step=1)
    tf.summary.trace_on(graph=True)                                   # no tf.function call: nothing, said once
    with writer.as_default(), pytest.warns(UserWarning, match="nothing was written: no tf.function call"):
        tf.summary.trace_export(name="second", step=1)
    tf.summary.trace_on(graph=True)
    with writer.as_default(), warnings.catch_warnings():
        warnings.simplefilter("error")
        tf.summary.trace_export(name="third", step=2)
    writer.flush()
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert acc.Tags()["tensors"] == ["my_func_trace"]
    assert acc.SummaryMetadata("my_func_trace").plugin_data.plugin_name == "graph_run_metadata_graph"
    event = acc.Tensors("my_func_trace")[0]
    meta = config_pb2.RunMetadata()
    meta.ParseFromString(tensor_util.make_ndarray(event.tensor_proto).item())
    graph = meta.function_graphs[0].pre_optimization_graph
    # TF 2.21's nodes for the graphs tutorial's my_func (TensorBoard's Graphs tab draws them)
    assert [(n.name, n.op, list(n.input)) for n in graph.node] == [
        ("x", "_Arg", []), ("y", "_Arg", []), ("MatMul", "MatMul", ["x", "y"]), ("Relu", "Relu", ["MatMul"]),
        ("Identity", "Identity", ["Relu"]), ("identity_RetVal", "_Retval", ["Identity"])]
    assert event.step == 0 and graph.node[2].attr["T"].type == 1                  # DT_FLOAT


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
