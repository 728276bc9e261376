"""Print what TensorFlow 2.21 writes for tf.train.Example messages, TFRecord files and
tf.io.serialize_tensor, pasted as constants into tests/test_tfrecord.py::

    /work/peers/bin/python tools/make_tfrecord_constants.py

The messages follow TensorFlow's "TFRecord and tf.train.Example" tutorial (its
``_bytes_feature``/``_float_feature``/``_int64_feature`` helpers and ``serialize_example``).
"""
import os
import tempfile

import numpy as np


def main():
    import tensorflow as tf

    def feature(kind, values):
        lists = {"bytes": tf.train.BytesList, "float": tf.train.FloatList, "int64": tf.train.Int64List}
        return tf.train.Feature(**{kind + "_list": lists[kind](value=values)})

    out = {
        "float_e": feature("float", [np.exp(1)]).SerializeToString(),
        "int_minus3": feature("int64", [-3]).SerializeToString(),
        "int_123": feature("int64", [1, 2, 3]).SerializeToString(),
        "bytes_odd": feature("bytes", [b"\x00\xff\"'\\\n\t\r\x7f ~"]).SerializeToString(),
        "text_bytes_odd": str(feature("bytes", [b"\x00\xff\"'\\\n\t\r\x7f ~\xc3\xa9"])),
        "text_floats": str(tf.train.FloatList(value=[1, 2.5, 1e-40, float("nan"), float("inf"), 1e20, 0.1,
                                                     np.exp(1)])),
        "example": tf.train.Example(features=tf.train.Features(feature={
            "feature0": feature("int64", [0]), "feature1": feature("int64", [4]),
            "feature2": feature("bytes", [b"goat"]), "feature3": feature("float", [0.9876])})).SerializeToString(),
    }
    for name, value in [("float32", tf.constant([[1.5, 2.0]])), ("strings", tf.constant([b"ab", b"c"])),
                        ("int32_scalar", tf.constant(3)), ("bool", tf.constant([True, False])),
                        ("int64_empty", tf.constant(np.zeros((0, 3), np.int64))),
                        ("float64", tf.constant([1.5], tf.float64)), ("uint8", tf.constant([1, 2], tf.uint8))]:
        out["tensor_" + name] = tf.io.serialize_tensor(value).numpy()
    path = os.path.join(tempfile.mkdtemp(), "two.tfrecord")
    with tf.io.TFRecordWriter(path) as writer:
        for record in (b"first", b"second", b""):
            writer.write(record)
    with open(path, "rb") as f:
        out["file_three_records"] = f.read()
    for name, value in out.items():
        print(f"    {name!r}: {value!r},")


if __name__ == "__main__":
    main()
