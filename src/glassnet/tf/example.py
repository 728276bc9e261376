"""``tf.train.Example`` and its parts: the records of a TFRecord file, as TensorFlow's
``example.proto`` and ``feature.proto`` lay them out (messages written out in
:mod:`glassnet.tf.protobuf`):

    Example         { Features features = 1; }
    Features        { map<string, Feature> feature = 1; }
    Feature         { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2;
                                   Int64List int64_list = 3; } }
    BytesList       { repeated bytes value = 1; }
    FloatList       { repeated float value = 1 [packed = true]; }
    Int64List       { repeated int64 value = 1 [packed = true]; }
    SequenceExample { Features context = 1; FeatureLists feature_lists = 2; }
    FeatureLists    { map<string, FeatureList> feature_list = 1; }
    FeatureList     { repeated Feature feature = 1; }

The same bytes as TensorFlow's for the same message (fields in this order; map entries in
the order they were added), and TensorFlow reads them back (tests/test_tfrecord.py holds
bytes TensorFlow 2.21 wrote). Values are checked as protobuf checks them: a ``BytesList``
takes ``bytes`` (``str`` is refused: encode it), an ``Int64List`` integers (a ``bool`` is
refused, as protobuf 5 does), a ``FloatList`` numbers, kept as float32.

>>> f = Feature(float_list=FloatList(value=[2.718281828]))
>>> f.SerializeToString()
b'\\x12\\x06\\n\\x04T\\xf8-@'
>>> print(f, end="")
float_list {
  value: 2.71828175
}
"""
from __future__ import annotations

from .protobuf import Message

__all__ = ["BytesList", "Example", "Feature", "FeatureList", "FeatureLists", "Features", "FloatList", "Int64List",
           "SequenceExample"]


class BytesList(Message):
    FIELDS = (("value", 1, "bytes", bytes),)


class FloatList(Message):
    FIELDS = (("value", 1, "float", float),)


class Int64List(Message):
    FIELDS = (("value", 1, "int64", int),)


class Feature(Message):
    FIELDS = (("bytes_list", 1, "message", BytesList), ("float_list", 2, "message", FloatList),
              ("int64_list", 3, "message", Int64List))
    ONEOF = ("bytes_list", "float_list", "int64_list")          # protobuf's ``oneof kind``


class Features(Message):
    FIELDS = (("feature", 1, "map", Feature),)


class Example(Message):
    FIELDS = (("features", 1, "message", Features),)


class FeatureList(Message):
    FIELDS = (("feature", 1, "repeated", Feature),)


class FeatureLists(Message):
    FIELDS = (("feature_list", 1, "map", FeatureList),)


class SequenceExample(Message):
    FIELDS = (("context", 1, "message", Features), ("feature_lists", 2, "message", FeatureLists))
