"""tf.train.Example, TFRecord files and tf.io's parsing against TensorFlow 2.21: the bytes
TensorFlow writes (tools/make_tfrecord_constants.py printed them), its text format, its
errors, and TensorFlow's "TFRecord and tf.train.Example" tutorial run renamed."""
import gzip
import os
import zlib

import numpy as np
import pytest

import glassnet as tf
from glassnet.data.tfrecord import TFRecordDataset, TFRecordWriter, crc32c
from glassnet.tf import example as ex
from glassnet.tf.parsing import (FixedLenFeature, FixedLenSequenceFeature, VarLenFeature, parse_example,
                                 parse_single_example, parse_tensor, serialize_tensor)
from glassnet.tf.protobuf import DecodeError

# TensorFlow 2.21 (tools/make_tfrecord_constants.py)
TF = {
    'float_e': b'\x12\x06\n\x04T\xf8-@',
    'int_minus3': b'\x1a\x0c\n\n\xfd\xff\xff\xff\xff\xff\xff\xff\xff\x01',
    'int_123': b'\x1a\x05\n\x03\x01\x02\x03',
    'bytes_odd': b'\n\r\n\x0b\x00\xff"\'\\\n\t\r\x7f ~',
    'text_bytes_odd': 'bytes_list {\n  value: "\\000\\377\\"\\\'\\\\\\n\\t\\r\\177 ~\\303\\251"\n}\n',
    'text_floats': 'value: 1\nvalue: 2.5\nvalue: 9.99995e-41\nvalue: nan\nvalue: inf\nvalue: 1e+20\nvalue: 0.1\n'
                   'value: 2.71828175\n',
    # map entries in upb's hash order (another run may give another order; the reader must not care)
    'example': b'\nR\n\x14\n\x08feature2\x12\x08\n\x06\n\x04goat\n\x11\n\x08feature0\x12\x05\x1a\x03\n\x01\x00\n\x14'
               b'\n\x08feature3\x12\x08\x12\x06\n\x04[\xd3|?\n\x11\n\x08feature1\x12\x05\x1a\x03\n\x01\x04',
    'tensor_float32': b'\x08\x01\x12\x08\x12\x02\x08\x01\x12\x02\x08\x02"\x08\x00\x00\xc0?\x00\x00\x00@',
    'tensor_strings': b'\x08\x07\x12\x04\x12\x02\x08\x02B\x02abB\x01c',
    'tensor_int32_scalar': b'\x08\x03\x12\x00"\x04\x03\x00\x00\x00',
    'tensor_bool': b'\x08\n\x12\x04\x12\x02\x08\x02"\x02\x01\x00',
    'tensor_int64_empty': b'\x08\t\x12\x06\x12\x00\x12\x02\x08\x03',
    'tensor_float64': b'\x08\x02\x12\x04\x12\x02\x08\x01"\x08\x00\x00\x00\x00\x00\x00\xf8?',
    'tensor_uint8': b'\x08\x04\x12\x04\x12\x02\x08\x02"\x02\x01\x02',
    'file_three_records': b'\x05\x00\x00\x00\x00\x00\x00\x00\xea\xb2\x04>firstU\xff#\xe5\x06\x00\x00\x00\x00\x00'
                          b'\x00\x00si\xd57second\xd3\xe0\xd3\xca\x00\x00\x00\x00\x00\x00\x00\x00)\x03\x98\x07\xd8'
                          b'\xea\x82\xa2',
}


def _bytes_feature(value):          # the tutorial's helpers, renamed
    if isinstance(value, type(tf.constant(0))):
        value = value.numpy()
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def _float_feature(value):
    return tf.train.Feature(float_list=tf.train.FloatList(value=[value]))


def _int64_feature(value):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[value]))


def serialize_example(feature0, feature1, feature2, feature3):
    feature = {'feature0': _int64_feature(feature0), 'feature1': _int64_feature(feature1),
               'feature2': _bytes_feature(feature2), 'feature3': _float_feature(feature3)}
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def test_features_serialize_to_tensorflows_bytes():
    assert _float_feature(np.exp(1)).SerializeToString() == TF["float_e"]
    assert _int64_feature(-3).SerializeToString() == TF["int_minus3"]
    assert tf.train.Feature(int64_list=tf.train.Int64List(value=[1, 2, 3])).SerializeToString() == TF["int_123"]
    assert _bytes_feature(b"\x00\xff\"'\\\n\t\r\x7f ~").SerializeToString() == TF["bytes_odd"]


def test_text_format_is_protobufs():
    assert str(_bytes_feature(b"\x00\xff\"'\\\n\t\r\x7f ~\xc3\xa9")) == TF["text_bytes_odd"]
    assert str(tf.train.FloatList(value=[1, 2.5, 1e-40, float("nan"), float("inf"), 1e20, 0.1, np.exp(1)])) \
        == TF["text_floats"]
    assert str(tf.train.Example()) == "" and repr(_int64_feature(1)) == "int64_list {\n  value: 1\n}\n"


def test_an_example_tensorflow_wrote_reads_back_whatever_the_order_of_its_map():
    proto = tf.train.Example.FromString(TF["example"])
    mine = tf.train.Example.FromString(serialize_example(0, 4, b"goat", 0.9876))
    assert sorted(proto.features.feature) == ["feature0", "feature1", "feature2", "feature3"]
    assert {k: str(v) for k, v in proto.features.feature.items()} == \
           {k: str(v) for k, v in mine.features.feature.items()}
    f3 = proto.features.feature["feature3"]
    assert f3.WhichOneof("kind") == "float_list" and f3.float_list.value[0] == float(np.float32(0.9876))
    assert len(serialize_example(0, 4, b"goat", 0.9876)) == len(TF["example"])
    text = str(mine)
    assert text.startswith('features {\n  feature {\n    key: "feature0"\n    value {\n      int64_list {\n'
                           '        value: 0\n      }\n    }\n  }\n')


def test_values_are_checked_as_protobuf_checks_them():
    with pytest.raises(TypeError, match="expected bytes, str found"):
        tf.train.BytesList(value=["text"])
    with pytest.raises(TypeError, match="Expected an int, got a boolean"):
        tf.train.Int64List(value=[True])
    with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
        tf.train.Int64List(value=[1.5])
    with pytest.raises(ValueError, match="out of range"):
        tf.train.Int64List(value=[1 << 63])
    with pytest.raises(AttributeError, match='no "colour" field'):
        tf.train.Feature(colour=1)
    assert tf.train.Int64List(value=[np.int64(3), np.int32(-2)]).value == [3, -2]


def test_messages_are_built_in_place_and_copied_as_protobuf_allows():
    e = tf.train.Example()
    e.features.feature["x"].int64_list.value.append(5)
    e.features.feature["y"].float_list.value.extend([1.0, 2.0])
    again = tf.train.Example()
    again.ParseFromString(e.SerializeToString())
    assert again == e and again.features.feature["x"].WhichOneof("kind") == "int64_list"
    copy = tf.train.Example()
    copy.CopyFrom(e)
    assert copy == e and copy is not e
    f = tf.train.Feature(int64_list=tf.train.Int64List(value=[1]))
    assert f.HasField("int64_list") and not f.HasField("bytes_list") and f.bytes_list.value == []
    assert tf.train.Feature().WhichOneof("kind") is None


def test_bad_bytes_are_a_decode_error():
    with pytest.raises(DecodeError):
        tf.train.Example.FromString(b"\n\x50\x01")          # a length past the end
    with pytest.raises(DecodeError):
        tf.train.Example.FromString(b"\x0a")                 # a key with no value


def test_serialize_tensor_writes_tensorflows_tensorproto():
    cases = {"float32": tf.constant([[1.5, 2.0]]), "strings": tf.constant([b"ab", b"c"]),
             "int32_scalar": tf.constant(3), "bool": tf.constant([True, False]),
             "int64_empty": tf.constant(np.zeros((0, 3), np.int64)), "float64": tf.constant([1.5], tf.float64),
             "uint8": tf.constant(np.array([1, 2], np.uint8))}
    for name, value in cases.items():
        assert serialize_tensor(value).numpy() == TF["tensor_" + name], name
        back = parse_tensor(TF["tensor_" + name], out_type=value.dtype)
        assert back.dtype == value.dtype and back.shape == value.shape
        assert np.array_equal(back.numpy(), value.numpy()), name
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Type mismatch between parsed tensor \(float32\)"):
        parse_tensor(TF["tensor_float32"], out_type=tf.int32)


def test_parse_single_example_as_tensorflow():
    record = tf.train.Example(features=tf.train.Features(feature={
        "b": _int64_feature(1), "a": _int64_feature(2),
        "c": tf.train.Feature(float_list=tf.train.FloatList(value=[1.0, 2.5]))})).SerializeToString()
    spec = {"a": FixedLenFeature([], tf.int64), "c": FixedLenFeature([2], tf.float32),
            "z": FixedLenFeature([], tf.string, default_value="q"), "v": VarLenFeature(tf.int64)}
    out = parse_single_example(record, spec)
    assert list(out) == ["v", "a", "c", "z"]                  # sparse first, then dense, each by key (TF's order)
    assert out["a"].numpy() == 2 and out["a"].dtype == np.int64
    assert np.array_equal(out["c"].numpy(), np.float32([1.0, 2.5]))
    assert out["z"].numpy() == b"q"
    assert out["v"].values.shape == (0,) and list(out["v"].dense_shape.numpy()) == [0]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Feature: zz \(data type: int64\) is required"):
        parse_single_example(record, {"zz": FixedLenFeature([], tf.int64)})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Key: c.  Can't parse serialized Example"):
        parse_single_example(record, {"c": FixedLenFeature([], tf.float32)})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Data types don't match. Data type: int64 but "
                                                              "expected type: float"):
        parse_single_example(record, {"a": FixedLenFeature([], tf.float32)})
    assert repr(FixedLenFeature([], tf.int64, default_value=0)) == \
        "FixedLenFeature(shape=[], dtype=tf.int64, default_value=0)"


def test_parse_example_batches_dense_and_sparse_features():
    one = tf.train.Example(features=tf.train.Features(feature={
        "a": _int64_feature(2), "b": tf.train.Feature(int64_list=tf.train.Int64List(value=[7, 8]))}))
    two = tf.train.Example(features=tf.train.Features(feature={"a": _int64_feature(3)}))
    out = parse_example([one.SerializeToString(), two.SerializeToString()],
                        {"a": FixedLenFeature([], tf.int64), "b": VarLenFeature(tf.int64),
                         "s": FixedLenSequenceFeature([], tf.int64, allow_missing=True)})
    assert list(out["a"].numpy()) == [2, 3]
    assert out["b"].indices.numpy().tolist() == [[0, 0], [0, 1]] and list(out["b"].values.numpy()) == [7, 8]
    assert list(out["b"].dense_shape.numpy()) == [2, 2]
    assert out["s"].shape == (2, 0)


def test_a_tfrecord_file_has_tensorflows_bytes_and_reads_back(tmp_path):
    path = tmp_path / "three.tfrecord"
    with TFRecordWriter(str(path)) as writer:
        for record in (b"first", b"second", b""):
            writer.write(record)
    assert path.read_bytes() == TF["file_three_records"]
    assert [r.numpy() for r in TFRecordDataset(str(path))] == [b"first", b"second", b""]
    assert crc32c(b"123456789") == 0xE3069283                 # the CRC-32C check value


@pytest.mark.parametrize("kind", ["GZIP", "ZLIB"])
def test_compressed_files_round_trip(tmp_path, kind):
    path = str(tmp_path / "c.tfrecord")
    with tf.io.TFRecordWriter(path, options=tf.io.TFRecordOptions(compression_type=kind)) as writer:
        writer.write(b"first")
        writer.write(b"second")
    raw = open(path, "rb").read()
    plain = gzip.decompress(raw) if kind == "GZIP" else zlib.decompress(raw)
    assert plain == TF["file_three_records"][:-16]            # the same records, compressed
    assert [r.numpy() for r in tf.data.TFRecordDataset([path], compression_type=kind)] == [b"first", b"second"]


def test_damaged_and_cut_files_are_errors_naming_the_file_and_offset(tmp_path):
    bad = bytearray(TF["file_three_records"])
    bad[20] ^= 1                                               # the first record's data checksum
    (tmp_path / "bad.tfrecord").write_bytes(bytes(bad))
    with pytest.raises(tf.errors.DataLossError, match="corrupted record at 12 in .*bad.tfrecord"):
        list(tf.data.TFRecordDataset(str(tmp_path / "bad.tfrecord")))
    (tmp_path / "cut.tfrecord").write_bytes(TF["file_three_records"][:30])
    with pytest.raises(tf.errors.DataLossError, match="truncated record at 21"):
        list(tf.data.TFRecordDataset(str(tmp_path / "cut.tfrecord")))
    with pytest.raises(FileNotFoundError, match="no such file"):
        list(tf.data.TFRecordDataset(str(tmp_path / "missing.tfrecord")))


def test_a_failed_write_leaves_the_old_file_as_it_was(tmp_path):
    path = tmp_path / "keep.tfrecord"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with tf.io.TFRecordWriter(str(path)) as writer:
            writer.write(b"new")
            raise RuntimeError("stop")
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["keep.tfrecord"]
    with pytest.raises(TypeError, match="record must be bytes"):
        tf.io.TFRecordWriter(str(tmp_path / "x.tfrecord")).write(3)


def test_the_tutorial_runs_renamed(tmp_path):
    """TensorFlow's "TFRecord and tf.train.Example" tutorial, its code cells in order (fewer rows)."""
    n_observations = 100
    rng = np.random.default_rng(0)
    feature0 = rng.choice([0, 1], n_observations)            # (the tutorial's booleans: protobuf 5 refuses bool)
    feature1 = rng.integers(0, 5, n_observations)
    strings = np.array([b'cat', b'dog', b'chicken', b'horse', b'goat'])
    feature2 = strings[feature1]
    feature3 = rng.standard_normal(n_observations)
    features_dataset = tf.data.Dataset.from_tensor_slices((feature0, feature1, feature2, feature3))
    for f0, f1, f2, f3 in features_dataset.take(1):
        pass

    def tf_serialize_example(f0, f1, f2, f3):
        tf_string = tf.py_function(serialize_example, (f0, f1, f2, f3), tf.string)
        return tf.reshape(tf_string, ())
    assert isinstance(tf_serialize_example(f0, f1, f2, f3).numpy(), bytes)
    serialized_features_dataset = features_dataset.map(tf_serialize_example)

    def generator():
        for features in features_dataset:
            yield serialize_example(*features)
    serialized_features_dataset = tf.data.Dataset.from_generator(generator, output_types=tf.string,
                                                                 output_shapes=())
    filename = str(tmp_path / 'test.tfrecord')
    writer = tf.data.experimental.TFRecordWriter(filename)
    writer.write(serialized_features_dataset)
    raw_dataset = tf.data.TFRecordDataset([filename])
    assert len([r for r in raw_dataset.take(10)]) == 10
    feature_description = {
        'feature0': tf.io.FixedLenFeature([], tf.int64, default_value=0),
        'feature1': tf.io.FixedLenFeature([], tf.int64, default_value=0),
        'feature2': tf.io.FixedLenFeature([], tf.string, default_value=''),
        'feature3': tf.io.FixedLenFeature([], tf.float32, default_value=0.0),
    }

    def _parse_function(example_proto):
        return tf.io.parse_single_example(example_proto, feature_description)
    parsed = list(raw_dataset.map(_parse_function))
    assert [int(p['feature1']) for p in parsed] == feature1.tolist()
    assert [p['feature2'].numpy() for p in parsed] == feature2.tolist()
    np.testing.assert_array_equal([p['feature3'].numpy() for p in parsed], feature3.astype(np.float32))
    assert repr(parsed[0]['feature0']).startswith("<tf.Tensor: shape=(), dtype=int64, numpy=")
    with tf.io.TFRecordWriter(filename) as writer:
        for i in range(n_observations):
            writer.write(serialize_example(feature0[i], feature1[i], feature2[i], feature3[i]))
    for raw_record in tf.data.TFRecordDataset([filename]).take(1):
        example = tf.train.Example()
        example.ParseFromString(raw_record.numpy())
    result = {}
    for key, feature in example.features.feature.items():
        kind = feature.WhichOneof('kind')
        result[key] = np.array(getattr(feature, kind).value)
    assert result['feature2'].tolist() == [feature2[0]] and result['feature1'].tolist() == [feature1[0]]
    assert result['feature3'].dtype == np.float32 and result['feature1'].dtype == np.int64     # as TF's containers
    # the image walkthrough: a PNG's bytes and its shape in one record
    image_string = tf.io.encode_png(np.zeros((4, 6, 3), np.uint8)).numpy()
    image_shape = tf.io.decode_png(image_string).shape
    record = tf.train.Example(features=tf.train.Features(feature={
        'height': _int64_feature(image_shape[0]), 'width': _int64_feature(image_shape[1]),
        'depth': _int64_feature(image_shape[2]), 'label': _int64_feature(1),
        'image_raw': _bytes_feature(image_string)}))
    lines = str(record).split('\n')[:15]
    assert lines[1:3] == ['  feature {', '    key: "height"'] and '\\211PNG' in str(record)
    with tf.io.TFRecordWriter(str(tmp_path / 'images.tfrecords')) as writer:
        writer.write(record.SerializeToString())
    image_feature_description = {k: tf.io.FixedLenFeature([], tf.int64) for k in ('height', 'width', 'depth', 'label')}
    image_feature_description['image_raw'] = tf.io.FixedLenFeature([], tf.string)
    for image_features in tf.data.TFRecordDataset(str(tmp_path / 'images.tfrecords')).map(
            lambda p: tf.io.parse_single_example(p, image_feature_description)):
        assert image_features['image_raw'].numpy() == image_string and int(image_features['width']) == 6
