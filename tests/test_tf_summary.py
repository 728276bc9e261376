"""tf.summary as TensorFlow's TensorBoard guide uses it in a custom training loop, checked by
reading the event files back with TensorBoard's own reader: the tags, steps, plugins, dtypes
and values are those TF 2.21 wrote for the same calls (printed side by side when this was
written: scalar float32 (), histogram float64 (30, 3), image strings [width, height, PNG...],
text)."""
import io

import numpy as np
import pytest

import glassnet as tf

pytest.importorskip("tensorboard")


def _read(folder):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(str(folder), size_guidance={"tensors": 0})
    acc.Reload()
    return acc


def test_a_custom_loop_logs_scalars_histograms_images_and_text(tmp_path):
    from tensorboard.util import tensor_util
    train_summary_writer = tf.summary.create_file_writer(str(tmp_path / "train"))
    train_loss = tf.keras.metrics.Mean('train_loss', dtype=tf.float32)
    for epoch in range(3):
        train_loss.update_state(1.0 / (epoch + 1))
        with train_summary_writer.as_default():
            assert bool(tf.summary.scalar('loss', train_loss.result(), step=epoch))
            tf.summary.histogram("w", np.arange(10.0), step=epoch)
        train_loss.reset_state()
    with train_summary_writer.as_default():
        tf.summary.image("img", np.ones((2, 5, 6, 3), np.float32) * 0.5, step=1, max_outputs=1)
        tf.summary.text("note", "hi", step=1)
    train_summary_writer.close()
    acc = _read(tmp_path / "train")
    assert [(e.step, float(tensor_util.make_ndarray(e.tensor_proto))) for e in acc.Tensors("loss")] == \
        [(0, 1.0), (1, 0.5), (2, pytest.approx(1 / 3))]
    assert acc.SummaryMetadata("loss").plugin_data.plugin_name == "scalars"
    hist = tensor_util.make_ndarray(acc.Tensors("w")[0].tensor_proto)
    assert hist.shape == (30, 3) and hist[:2].tolist() == [[0.0, 0.3, 1.0], [0.3, 0.6, 0.0]]      # TF 2.21's
    img = tensor_util.make_ndarray(acc.Tensors("img")[0].tensor_proto)
    assert img.shape == (3,) and img[:2].tolist() == [b"6", b"5"]
    Image = pytest.importorskip("PIL.Image")
    decoded = np.asarray(Image.open(io.BytesIO(img[2])))
    assert decoded.shape == (5, 6, 3) and decoded[0, 0].tolist() == [127, 127, 127]           # TF 2.21's pixel
    assert tensor_util.make_ndarray(acc.Tensors("note")[0].tensor_proto) == b"hi"


def test_without_a_writer_or_a_step_nothing_is_written(tmp_path):
    assert not bool(tf.summary.scalar("x", 1.0, step=0))
    writer = tf.summary.create_file_writer(str(tmp_path / "w"))
    with writer.as_default():
        with pytest.raises(ValueError, match="No step set"):
            tf.summary.scalar("x", 1.0)
        tf.summary.experimental.set_step(4)
        with tf.summary.record_if(False):
            assert not bool(tf.summary.scalar("skipped", 1.0))
        assert bool(tf.summary.scalar("x", 2.0))
    tf.summary.experimental.set_step(None)
    writer.set_as_default()
    tf.summary.scalar("y", 3.0, step=7)
    writer.close()
    acc = _read(tmp_path / "w")
    assert sorted(acc.Tags()["tensors"]) == ["x", "y"] and acc.Tensors("x")[0].step == 4
    with pytest.raises(ValueError, match="must be a scalar"):
        tf.summary.scalar("bad", [1.0, 2.0], step=0)


def test_the_old_module_path_still_gives_summary_text():
    from glassnet.engine.summary import summary_text
    assert tf.summary.summary_text is summary_text
