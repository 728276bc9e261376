"""tf.data's file readers: TextLineDataset, tf.io.decode_csv, experimental.CsvDataset and
make_csv_dataset, on small files written here; the expected values are what TensorFlow 2.21
gave for the same files (checked by hand with /work/peers' TensorFlow), and the tutorials'
pipelines ("Load CSV data", the custom-training walkthrough) end to end."""
import collections
import gzip
import zlib

import numpy as np
import pytest

import glassnet as tf
from glassnet.data.csv import decode_csv

TITANIC = """survived,sex,age,fare,class
0,male,22.0,7.25,Third
1,female,38.0,71.2833,First
1,female,26.0,7.925,Third
0,male,35.0,8.05,Third
1,"female",,53.1,"First"
"""


def _write(path, text, mode="w"):
    if mode == "gzip":
        with gzip.open(path, "wt") as f:
            f.write(text)
    elif mode == "zlib":
        path.write_bytes(zlib.compress(text.encode()))
    else:
        path.write_text(text)
    return str(path)


# -- TextLineDataset ---------------------------------------------------------------------------
def test_text_lines_are_bytes_scalars_without_their_endings(tmp_path):
    path = _write(tmp_path / "a.txt", "first\r\nsecond\n\nlast without newline")
    ds = tf.data.TextLineDataset(path)
    lines = list(ds)
    assert all(isinstance(t, tf.Tensor) and t.shape == () for t in lines)
    assert [t.numpy() for t in lines] == [b"first", b"second", b"", b"last without newline"]
    assert list(ds.as_numpy_iterator()) == [b"first", b"second", b"", b"last without newline"]
    assert ds.cardinality() == tf.data.UNKNOWN_CARDINALITY
    assert str(ds.element_spec) == "TensorSpec(shape=(), dtype=tf.string, name=None)"


def test_text_lines_from_gzip_and_zlib_and_several_files(tmp_path):
    text = "".join(f"line {i}\n" for i in range(2000))
    gz, zl = _write(tmp_path / "a.gz", text, "gzip"), _write(tmp_path / "a.z", text, "zlib")
    expected = [f"line {i}".encode() for i in range(2000)]
    assert list(tf.data.TextLineDataset(gz, compression_type="GZIP").as_numpy_iterator()) == expected
    assert list(tf.data.TextLineDataset([zl], compression_type="ZLIB").as_numpy_iterator()) == expected
    a, b = _write(tmp_path / "a.txt", "a1\na2\na3\n"), _write(tmp_path / "b.txt", "b1\n")
    assert list(tf.data.TextLineDataset([a, b]).as_numpy_iterator()) == [b"a1", b"a2", b"a3", b"b1"]
    # num_parallel_reads: a line from each open file in turn (TensorFlow's order)
    assert list(tf.data.TextLineDataset([a, b], num_parallel_reads=2).as_numpy_iterator()) == \
        [b"a1", b"b1", b"a2", b"a3"]
    names = tf.data.Dataset.from_tensor_slices([b, a])                # a Dataset of file names
    assert list(tf.data.TextLineDataset(names).as_numpy_iterator()) == [b"b1", b"a1", b"a2", b"a3"]
    with pytest.raises(ValueError, match="compression_type must be"):
        tf.data.TextLineDataset(a, compression_type="BZ2")
    with pytest.raises(ValueError, match=r"a\.txt could not be decompressed as GZIP"):
        list(tf.data.TextLineDataset(a, compression_type="GZIP"))


def test_a_missing_file_is_named_when_the_pass_reaches_it(tmp_path):
    a = _write(tmp_path / "a.txt", "x\n")
    ds = tf.data.TextLineDataset([a, str(tmp_path / "nope.txt")])
    it = iter(ds)
    assert next(it).numpy() == b"x"                                   # the first file is read
    with pytest.raises(FileNotFoundError, match=r"TextLineDataset: no such file: .*nope\.txt"):
        next(it)


def test_text_lines_are_streamed(tmp_path):
    import tracemalloc
    path = tmp_path / "big.txt"
    with open(path, "w") as f:
        for i in range(50_000):
            f.write(f"{i:09d} some text to make the line longer than it needs to be\n")   # ~3.3 MB
    tracemalloc.start()
    count = sum(1 for _ in tf.data.TextLineDataset(str(path)).as_numpy_iterator())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count == 50_000 and peak < 1_000_000


# -- decode_csv ----------------------------------------------------------------------------------
def test_decode_csv_types_come_from_the_defaults():
    lines = ["1,2.5,a,7", '3,,"b,c",', "5,1e39,,9"]
    cols = decode_csv(lines, record_defaults=[int(), float(), str(), [np.int64(-1)]])
    assert [c.dtype for c in cols] == [np.int32, np.float32, object, np.int64]
    assert all(isinstance(c, tf.Tensor) and c.shape == (3,) for c in cols)
    assert cols[0].numpy().tolist() == [1, 3, 5]
    assert cols[1].numpy().tolist() == [2.5, 0.0, np.inf]            # empty: the default; too large: inf
    assert cols[2].numpy().tolist() == [b"a", b"b,c", b""]
    assert cols[3].numpy().tolist() == [7, -1, 9]
    one = decode_csv("4, 2.5e1 ,x", [[0], [np.float64(0)], [""]])   # a scalar record: scalars; spaces allowed
    assert [c.shape for c in one] == [(), (), ()] and one[0].numpy() == 4 and one[1].dtype == np.float64
    grid = decode_csv(np.array([["1,2"], ["3,4"]]), [[0], [0]])
    assert grid[1].shape == (2, 1) and grid[1].numpy().ravel().tolist() == [2, 4]
    picked = decode_csv(["1,2,3", "4,5,6"], [[0], [0]], select_cols=[0, 2])
    assert [c.numpy().tolist() for c in picked] == [[1, 4], [3, 6]]
    na = decode_csv(["1;NA", "NA;2"], [[0], [5]], field_delim=";", na_value="NA")
    assert [c.numpy().tolist() for c in na] == [[1, 0], [5, 2]]
    raw = decode_csv(['"a""b",2'], [[""], [0]], use_quote_delim=False)
    assert raw[0].numpy().tolist() == [b'"a""b"']
    quoted = decode_csv(['"a""b",2', '"x,y",3'], [[""], [0]])
    assert quoted[0].numpy().tolist() == [b'a"b', b"x,y"]
    assert decode_csv([b"\xff,1"], [[""], [0]])[0].numpy().tolist() == [b"\xff"]    # text: bytes as they are
    assert decode_csv(["nan,-inf"], [[0.0], [0.0]])[1].numpy().tolist() == [-np.inf]


@pytest.mark.parametrize("records, defaults, message", [
    (["1,2", "3"], [[0], [0]], r"record 1 \('3'\): expected 2 fields but found 1"),
    (["1,x"], [[0], [0.0]], r"record 0 \('1,x'\): field 1 is not a valid float: 'x'"),
    (["1,"], [[0], np.array([], np.float32)], "field 1 is required but missing"),
    (["1,2"], [tf.int32, tf.float32], None),
    (["1,"], [tf.int32, tf.float32], "field 1 is required but missing"),
    (["1.0,2"], [[0], [0]], "field 0 is not a valid int32: '1.0'"),
    (["1_0,2"], [[0], [0]], "field 0 is not a valid int32: '1_0'"),
    (["3000000000,2"], [[0], [0]], "field 0 is not a valid int32: '3000000000' is out of range"),
    (['a"b,2'], [[""], [0]], "an unquoted field cannot hold a quote"),
    (['"ab"c,2'], [[""], [0]], "a quote inside a quoted field must be doubled"),
    (['"ab,2'], [[""], [0]], "a quoted field has no closing quote"),
    ([b"\xff,2"], [[0.0], [0]], r"field 0 is not a valid float: '\\\\xff'"),
])
def test_decode_csv_names_the_bad_record(records, defaults, message):
    if message is None:
        assert [c.numpy().tolist() for c in decode_csv(records, defaults)] == [[1], [2.0]]
        return
    with pytest.raises(ValueError, match="decode_csv: " + ("" if message.startswith("record") else r"record 0.*")
                       + message):
        decode_csv(records, defaults)


def test_decode_csv_many_records_at_once_match_one_at_a_time():
    """A batch is parsed column by column by NumPy; each record alone goes through the
    field-by-field reader: both must give the same values and dtypes."""
    rng = np.random.default_rng(0)
    ints = [" 7", "-12 ", "+3", "", "NA", "2147483647"]
    floats = ["1.5", " -2e3 ", "nan", "inf", "-infinity", "1e39", "", "NA", "3.40282356e38", "0.1"]
    texts = ["a", '"b,c"', '"q""r"', "", "NA", "\u00e9"]
    records = [",".join([rng.choice(ints), rng.choice(floats), rng.choice(texts), rng.choice(floats)])
               for _ in range(300)]
    defaults = [[-1], [np.float64(0.5)], ["dflt"], [0.25]]
    together = decode_csv(records, defaults, na_value="NA")
    alone = [decode_csv(r, defaults, na_value="NA") for r in records]
    for j, column in enumerate(together):
        assert column.dtype == alone[0][j].dtype
        np.testing.assert_array_equal(column.numpy(), np.array([row[j].numpy() for row in alone],
                                                               dtype=column.dtype))
    assert together[0].numpy().min() >= -12 and b"dflt" in together[2].numpy().tolist()
    bad = records[:50] + ["1,x,a,4"] + records[50:]
    with pytest.raises(ValueError, match=r"record 50 \('1,x,a,4'\): field 1 is not a valid float: 'x'"):
        decode_csv(bad, defaults, na_value="NA")


def test_decode_csv_refuses_bad_defaults_by_position():
    with pytest.raises(ValueError, match=r"record_defaults\[0\]: there should be one default per field, this one "
                                         "has 2"):
        decode_csv("1,2", [[1, 2], [0]])
    with pytest.raises(TypeError, match=r"record_defaults\[1\] is a bool"):
        decode_csv("1,2", [[0], [True]])
    with pytest.raises(TypeError, match=r"record_defaults\[0\] has dtype uint8"):
        decode_csv("1", [np.array([1], np.uint8)])
    with pytest.raises(ValueError, match="field_delim must be one character"):
        decode_csv("1", [[0]], field_delim=";;")
    with pytest.raises(ValueError, match="select_cols must be increasing"):
        decode_csv("1,2", [[0], [0]], select_cols=[1, 0])


# -- CsvDataset -----------------------------------------------------------------------------------
def test_csv_dataset_rows_are_tuples_of_typed_scalars(tmp_path):
    path = _write(tmp_path / "t.csv", 'a,b,c\n1,2.5,x\n3,4,"y\nz"\r\n5,,"q""r"\n6,1e39,\n')
    ds = tf.data.experimental.CsvDataset(path, [[0], [0.0], [""]], header=True)
    rows = [tuple(e.numpy() for e in r) for r in ds]
    assert rows == [(1, 2.5, b"x"), (3, 4.0, b"y\nz"), (5, 0.0, b'q"r'), (6, np.inf, b"")]   # as TF 2.21
    assert [type(v) for v in rows[0]] == [np.int32, np.float32, bytes]
    assert [str(s) for s in ds.element_spec] == ["TensorSpec(shape=(), dtype=tf.int32, name=None)",
                                                 "TensorSpec(shape=(), dtype=tf.float32, name=None)",
                                                 "TensorSpec(shape=(), dtype=tf.string, name=None)"]
    gz = _write(tmp_path / "t.csv.gz", 'a,b,c\n1,2.5,x\n3,4,"y\nz"\r\n5,,"q""r"\n6,1e39,\n', "gzip")
    kept = tf.data.experimental.CsvDataset([gz], [[0], [""]], header=True, compression_type="GZIP", exclude_cols=[1])
    assert [tuple(e.numpy() for e in r) for r in kept] == [(1, b"x"), (3, b"y\nz"), (5, b'q"r'), (6, b"")]
    picked = tf.data.experimental.CsvDataset(path, [tf.int32, [0.0]], header=True, select_cols=[0, 1])
    assert [tuple(e.numpy() for e in r) for r in picked] == [(1, 2.5), (3, 4.0), (5, 0.0), (6, np.inf)]


def test_csv_dataset_errors_name_file_and_line_when_the_row_is_read(tmp_path):
    path = _write(tmp_path / "bad.csv", "a,b\n1,2\n3,oops\n4\n5,6\n")
    ds = tf.data.experimental.CsvDataset(path, [[0], [0.0]], header=True)
    it = iter(ds)
    assert next(it)[0].numpy() == 1
    with pytest.raises(ValueError, match=r"CsvDataset: .*bad\.csv line 3 \('3,oops'\): field 1 is not a valid "
                                         "float: 'oops'"):
        next(it)
    assert [tuple(e.numpy() for e in r) for r in ds.ignore_errors()] == [(1, 2.0), (5, 6.0)]   # TF's skip
    with pytest.raises(ValueError, match=r"bad\.csv line 4 \('4'\): expected 2 fields but found 1"):
        list(tf.data.experimental.CsvDataset(path, [[0], [""]], header=True))
    required = _write(tmp_path / "req.csv", "1,2\n,3\n")
    with pytest.raises(ValueError, match=r"req\.csv line 2 .*field 0 is required but missing"):
        list(tf.data.experimental.CsvDataset(required, [tf.int32, tf.int32]))
    with pytest.raises(FileNotFoundError, match=r"no such file: .*absent\.csv"):
        list(tf.data.experimental.CsvDataset(str(tmp_path / "absent.csv"), [[0]]))
    with pytest.raises(ValueError, match=r"open\.csv line 2: a quoted field has no closing quote"):
        list(tf.data.experimental.CsvDataset(_write(tmp_path / "open.csv", 'a\n"b\nc\n'), [[""]]))


# -- make_csv_dataset ------------------------------------------------------------------------------
def test_make_csv_dataset_infers_types_names_and_batches_columns(tmp_path):
    path = _write(tmp_path / "titanic.csv", TITANIC)
    ds = tf.data.experimental.make_csv_dataset(path, batch_size=2, label_name="survived", num_epochs=1,
                                               shuffle=False)
    batches = list(ds)
    features, label = batches[0]
    assert isinstance(features, collections.OrderedDict) and list(features) == ["sex", "age", "fare", "class"]
    assert {k: v.dtype for k, v in features.items()} == {"sex": object, "age": np.float32, "fare": np.float32,
                                                         "class": object}
    assert label.dtype == np.int32 and label.numpy().tolist() == [0, 1]
    assert features["sex"].numpy().tolist() == [b"male", b"female"]
    assert [len(b[1]) for b in batches] == [2, 2, 1]                   # num_epochs=1: the last batch is short
    assert batches[2][0]["age"].numpy().tolist() == [0.0]             # an empty field: 0 (inferred default)
    assert batches[2][0]["class"].numpy().tolist() == [b"First"]      # quotes removed
    spec = ds.element_spec
    assert str(spec[1]) == "TensorSpec(shape=(None,), dtype=tf.int32, name=None)"
    # what the tutorial prints
    lines = [f"{name:20s}: {value[:10]}" for name, value in features.items()]
    assert lines[0].startswith("sex                 : ") and "male" in lines[0]


def test_make_csv_dataset_repeats_forever_with_full_batches_and_shuffles(tmp_path):
    path = _write(tmp_path / "t.csv", "x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(10)))
    tf.keras.utils.set_random_seed(0)
    ds = tf.data.experimental.make_csv_dataset(path, batch_size=4, label_name="y")      # TF's defaults
    assert ds.cardinality() == tf.data.UNKNOWN_CARDINALITY
    got = [f["x"].numpy() for f, _ in ds.take(10)]
    assert all(len(x) == 4 for x in got)                               # num_epochs=None: every batch full
    first_two_epochs = np.concatenate(got)[:20]
    assert sorted(first_two_epochs[:10].tolist()) == list(range(10)) and first_two_epochs[:10].tolist() != \
        list(range(10))
    tf.keras.utils.set_random_seed(0)
    again = [f["x"].numpy() for f, _ in tf.data.experimental.make_csv_dataset(path, batch_size=4, label_name="y")
             .take(10)]
    np.testing.assert_array_equal(np.concatenate(again), np.concatenate(got))   # seeded: the same order


def test_make_csv_dataset_reads_a_folder_gzip_and_chosen_columns(tmp_path):
    (tmp_path / "fonts").mkdir()
    for k in range(3):
        _write(tmp_path / "fonts" / f"f{k}.csv", "font,m_label,r0c0\n" +
               "".join(f"F{k},{65 + i},{k * 10 + i}.5\n" for i in range(3)))
    ds = tf.data.experimental.make_csv_dataset(str(tmp_path / "fonts" / "*.csv"), batch_size=9, num_epochs=1,
                                               shuffle=False, num_parallel_reads=3)
    batch = next(iter(ds))
    # three files open at once, a row from each in turn
    assert batch["font"].numpy().tolist() == [b"F0", b"F1", b"F2"] * 3
    assert batch["r0c0"].numpy().tolist() == [0.5, 10.5, 20.5, 1.5, 11.5, 21.5, 2.5, 12.5, 22.5]
    assert batch["m_label"].dtype == np.int32
    gz = _write(tmp_path / "t.csv.gz", TITANIC, "gzip")
    zipped = tf.data.experimental.make_csv_dataset(gz, batch_size=5, num_epochs=1, shuffle=False,
                                                   compression_type="GZIP", select_columns=["fare", "survived"],
                                                   label_name="survived")
    features, label = next(iter(zipped))
    assert list(features) == ["fare"] and label.numpy().tolist() == [0, 1, 1, 0, 1]
    named = tf.data.experimental.make_csv_dataset(
        _write(tmp_path / "noheader.csv", "1,2.5\n2,3.5\n"), batch_size=2, column_names=["a", "b"],
        column_defaults=[tf.int64, [0.0]], header=False, num_epochs=1, shuffle=False)
    out = next(iter(named))
    assert out["a"].dtype == np.int64 and out["b"].numpy().tolist() == [2.5, 3.5]


def test_make_csv_dataset_refuses_bad_input_by_name(tmp_path):
    path = _write(tmp_path / "t.csv", TITANIC)
    with pytest.raises(ValueError, match=r"no files match file_pattern .*nothing\*\.csv"):
        tf.data.experimental.make_csv_dataset(str(tmp_path / "nothing*.csv"), batch_size=2)
    with pytest.raises(ValueError, match=r"label_name 'alive' must be one of the columns"):
        tf.data.experimental.make_csv_dataset(path, batch_size=2, label_name="alive")
    other = _write(tmp_path / "u.csv", "a,b\n1,2\n")
    with pytest.raises(ValueError, match=r"u\.csv has the header \['a', 'b'\].*same column names"):
        tf.data.experimental.make_csv_dataset([path, other], batch_size=2)
    ragged = _write(tmp_path / "r.csv", "a,b\n1,2\n3\n")
    with pytest.raises(ValueError, match=r"r\.csv line 3 has 1 fields, the header 2"):
        tf.data.experimental.make_csv_dataset(ragged, batch_size=2)
    (tmp_path / "latin.csv").write_bytes(b"caf\xe9,b\n1,2\n")
    with pytest.raises(ValueError, match=r"latin\.csv line 1 is not valid utf-8"):
        tf.data.experimental.make_csv_dataset(str(tmp_path / "latin.csv"), batch_size=2)
    assert list(tf.data.experimental.make_csv_dataset(str(tmp_path / "latin.csv"), batch_size=2, num_epochs=1,
                                                      encoding="latin-1").as_numpy_iterator())[0]["b"].tolist() == [2]
    with pytest.raises(ValueError, match="give column_names, or header=True"):
        tf.data.experimental.make_csv_dataset(path, batch_size=2, header=False)
    with pytest.raises(ValueError, match=r"select_columns \['nope'\] are not columns"):
        tf.data.experimental.make_csv_dataset(path, batch_size=2, select_columns=["nope"])
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        tf.data.experimental.make_csv_dataset(path, batch_size=0)


def test_make_csv_dataset_bad_rows_after_inference_fail_when_read_or_are_skipped(tmp_path):
    rows = "".join(f"{i},{i}.5\n" for i in range(6)) + "6,not a number\n7,7.5\n"
    path = _write(tmp_path / "late.csv", "a,b\n" + rows)
    ds = tf.data.experimental.make_csv_dataset(path, batch_size=3, num_epochs=1, shuffle=False,
                                               num_rows_for_inference=4)
    it = iter(ds)
    assert next(it)["a"].numpy().tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=r"late\.csv line 8 .*field 1 is not a valid float: 'not a number'"):
        list(it)
    kept = tf.data.experimental.make_csv_dataset(path, batch_size=3, num_epochs=1, shuffle=False,
                                                 num_rows_for_inference=4, ignore_errors=True)
    assert [b["a"].numpy().tolist() for b in kept] == [[0, 1, 2], [3, 4, 5], [7]]


# -- the tutorials' pipelines ---------------------------------------------------------------------------
def test_load_csv_tutorial_low_level_pipelines_agree(tmp_path):
    """"Load CSV data": list_files + interleave(TextLineDataset(f).skip(1)) + decode_csv gives the
    same rows as CsvDataset over the same files, and make_csv_dataset the same columns."""
    (tmp_path / "fonts").mkdir()
    for k in range(4):
        _write(tmp_path / "fonts" / f"{k}.csv", "font,m_label,r0c0,r0c1\n" +
               "".join(f"F{k},{65 + i},{k}.{i},{i * 3}\n" for i in range(5)))
    types = [str(), str()] + [float()] * 2
    files = tf.data.Dataset.list_files(str(tmp_path / "fonts" / "*.csv"), shuffle=False)
    assert [f.numpy() for f in files] == [str(tmp_path / "fonts" / f"{k}.csv").encode() for k in range(4)]
    lines = files.interleave(lambda f: tf.data.TextLineDataset(f).skip(1), cycle_length=3)
    decoded = lines.batch(7).map(lambda x: decode_csv(x, record_defaults=types))
    rows = [r for batch in decoded for r in zip(*(c.numpy().tolist() for c in batch))]
    per_file = files.interleave(lambda f: tf.data.experimental.CsvDataset(f, record_defaults=types, header=True),
                                cycle_length=3)
    assert rows == [tuple(e.numpy().item() if e.dtype != object else e.numpy() for e in r) for r in per_file]
    assert rows[:4] == [(b"F0", b"65", 0.0, 0.0), (b"F1", b"65", 1.0, 0.0), (b"F2", b"65", 2.0, 0.0),
                        (b"F0", b"66", pytest.approx(0.1), 3.0)]
    assert len(rows) == 20
    cached = decoded.cache().prefetch(buffer_size=tf.data.AUTOTUNE)
    for _ in range(2):
        assert [r for batch in cached for r in zip(*(c.numpy().tolist() for c in batch))] == rows
    shuffled = tf.data.Dataset.list_files(str(tmp_path / "fonts" / "*.csv"))
    assert sorted(f.numpy() for f in shuffled) == [f.numpy() for f in files]


def test_the_custom_training_walkthrough_fits_on_make_csv_dataset(tmp_path):
    rng = np.random.default_rng(0)
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    lines = ["120,4,setosa,versicolor,virginica"]
    for _ in range(120):
        species = int(rng.integers(3))
        petal = 1.5 + 2.0 * species + rng.normal(0, 0.3)
        lines.append(f"{rng.normal(5, 0.5):.1f},{rng.normal(3, 0.3):.1f},{petal:.1f},{petal / 3:.1f},{species}")
    path = _write(tmp_path / "iris_training.csv", "\n".join(lines) + "\n")
    train = tf.data.experimental.make_csv_dataset(path, 32, column_names=names, label_name="species", num_epochs=1)
    features, labels = next(iter(train))
    assert list(features) == names[:4] and features["petal_length"].shape == (32,)
    assert labels.dtype == np.int32 and features["sepal_length"].dtype == np.float32

    def pack_features_vector(features, labels):
        features = tf.stack(list(features.values()), axis=1)
        return features, labels

    train_dataset = train.map(pack_features_vector)
    features, labels = next(iter(train_dataset))
    assert isinstance(features, tf.Tensor) and features.shape == (32, 4) and features.numpy().dtype == np.float32
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.layers.Dense(10, activation=tf.nn.relu, input_shape=(4,)),
                                 tf.keras.layers.Dense(10, activation=tf.nn.relu), tf.keras.layers.Dense(3)])
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.05),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(train_dataset, epochs=40, verbose=0)
    assert model.optimizer.iterations == 40 * 4                        # 120 rows: 4 batches, the last short
    assert history.history["accuracy"][-1] > 0.85 > history.history["accuracy"][0]


def test_titanic_dict_features_fit_through_make_csv_dataset(tmp_path):
    """Named numeric columns into a functional model with one keras.Input per column (as the
    "Load CSV data" tutorial builds), fed by make_csv_dataset."""
    rng = np.random.default_rng(1)
    rows = ["survived,age,fare,parch"]
    for _ in range(64):
        age, fare = rng.uniform(1, 70), rng.uniform(5, 80)
        rows.append(f"{int(fare > 40)},{age:.1f},{fare:.2f},{rng.integers(0, 3)}")
    path = _write(tmp_path / "train.csv", "\n".join(rows) + "\n")
    ds = tf.data.experimental.make_csv_dataset(path, batch_size=16, label_name="survived", num_epochs=1)
    columns = ["age", "fare", "parch"]
    inputs = {name: tf.keras.Input(shape=(1,), name=name) for name in columns}
    x = tf.keras.layers.Concatenate()(list(inputs.values()))
    x = tf.keras.layers.Normalization(mean=[35.0, 42.0, 1.0], variance=[400.0, 500.0, 0.7])(x)
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(x))
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05),
                  loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    # Keras takes (batch,) columns for Input(shape=(1,)); here they are given that axis first
    columns_as_rows = ds.map(lambda f, y: ({k: tf.expand_dims(v, -1) for k, v in f.items()}, y))
    history = model.fit(columns_as_rows.cache(), epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] >= 0.9


def test_a_stray_quote_is_its_own_bad_line_not_the_start_of_a_long_field(tmp_path):
    path = _write(tmp_path / "q.csv", 'a,b\n1,x"y\n2,"multi\nline"\n3,z\n')
    ds = tf.data.experimental.CsvDataset(path, [[0], [""]], header=True)
    with pytest.raises(ValueError, match=r"q\.csv line 2 .*an unquoted field cannot hold a quote"):
        list(ds)
    assert [tuple(e.numpy() for e in r) for r in ds.ignore_errors()] == [(2, b"multi\nline"), (3, b"z")]
