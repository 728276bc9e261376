"""TensorFlow's structured-data tutorials run with ``import glassnet as tf``, on stand-in data.

"Load CSV data" (https://www.tensorflow.org/tutorials/load_data/csv: abalone, then the titanic's
mixed columns through a preprocessing head of symbolic dict inputs, saved and reloaded, then
tf.data and make_csv_dataset) and "Load a pandas DataFrame"
(https://www.tensorflow.org/tutorials/load_data/pandas_dataframe: the heart-disease table as an
array, a dict, a subclassed model on dicts, a functional model on dicts, and the full
preprocessor of binary, numeric and categorical columns). Each program is the tutorial's code in
its order; the CSV files are made here with the tutorials' column names and types (no network).
What each asserts is what TensorFlow 2.21 gives (checked beside it): shapes, dtypes, the
vocabularies' widths, the normalized numbers, the reloaded model's predictions, a loss going down.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import glassnet as tf
from glassnet.keras import layers

pd = pytest.importorskip("pandas")


# -- stand-in data: the tutorials' columns and types ------------------------------------------
def _abalone(path, n=120, seed=0):
    rng = np.random.default_rng(seed)
    length = rng.uniform(0.1, 0.8, n)
    weight = length ** 3 * 2 + rng.normal(0, 0.02, n)
    cols = [length, length * 0.8 + rng.normal(0, 0.02, n), length * 0.3 + rng.normal(0, 0.01, n),
            weight, weight * 0.4, weight * 0.2, weight * 0.3]
    age = np.round(5 + 15 * length + rng.normal(0, 1, n)).astype(int)
    path.write_text("".join(",".join(f"{c[i]:.4f}" for c in cols) + f",{age[i]}\n" for i in range(n)))


TITANIC_CATEGORIES = {"sex": ["male", "female"], "class": ["First", "Second", "Third"],
                      "deck": ["unknown", "A", "B", "C"], "embark_town": ["Southampton", "Cherbourg", "Queenstown"],
                      "alone": ["y", "n"]}


def _titanic(path, n=100, seed=1):
    rng = np.random.default_rng(seed)
    pick = {k: rng.choice(v, n) for k, v in TITANIC_CATEGORIES.items()}
    survived = ((pick["sex"] == "female") ^ (rng.random(n) < 0.2)).astype(int)
    lines = ["survived,sex,age,n_siblings_spouses,parch,fare,class,deck,embark_town,alone"]
    for i in range(n):
        lines.append(f"{survived[i]},{pick['sex'][i]},{rng.uniform(1, 70):.1f},{rng.integers(0, 4)},"
                     f"{rng.integers(0, 3)},{rng.uniform(5, 100):.4f},{pick['class'][i]},{pick['deck'][i]},"
                     f"{pick['embark_town'][i]},{pick['alone'][i]}")
    path.write_text("\n".join(lines) + "\n")


def _heart(path, n=60, seed=2):
    rng = np.random.default_rng(seed)
    lines = ["age,sex,cp,trestbps,chol,fbs,restecg,thalach,exang,oldpeak,slope,ca,thal,target"]
    for _ in range(n):
        t = int(rng.random() < 0.4)
        lines.append(f"{rng.integers(30, 77)},{rng.integers(0, 2)},{rng.integers(0, 5)},{rng.integers(94, 200)},"
                     f"{rng.integers(126, 564)},{rng.integers(0, 2)},{rng.integers(0, 3)},"
                     f"{rng.integers(71, 202) - 30 * t},{rng.integers(0, 2)},{rng.integers(0, 62) / 10:.1f},"
                     f"{rng.integers(1, 4)},{rng.integers(0, 4)},"
                     f"{rng.choice(['fixed', 'normal', 'reversible', '1', '2'])},{t}")
    path.write_text("\n".join(lines) + "\n")


def _went_down(history):
    loss = history.history["loss"]
    return loss[-1] < loss[0]


# -- Load CSV data --------------------------------------------------------------------------------
def test_load_csv_tutorial(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                 # plot_model writes model.png here
    tf.random.set_seed(0)
    _abalone(tmp_path / "abalone_train.csv")
    _titanic(tmp_path / "train.csv")

    # In memory data: abalone, a Sequential on a float64 array, then with Normalization
    abalone_train = pd.read_csv(tmp_path / "abalone_train.csv",
                                names=["Length", "Diameter", "Height", "Whole weight", "Shucked weight",
                                       "Viscera weight", "Shell weight", "Age"])
    abalone_features = abalone_train.copy()
    abalone_labels = abalone_features.pop('Age')
    abalone_features = np.array(abalone_features)
    assert abalone_features.shape == (120, 7) and abalone_features.dtype == np.float64
    abalone_model = tf.keras.Sequential([layers.Dense(64, activation='relu'), layers.Dense(1)])
    abalone_model.compile(loss=tf.keras.losses.MeanSquaredError(), optimizer=tf.keras.optimizers.Adam())
    assert _went_down(abalone_model.fit(abalone_features, abalone_labels, epochs=10, verbose=0))
    normalize = layers.Normalization()
    normalize.adapt(abalone_features)
    norm_abalone_model = tf.keras.Sequential([normalize, layers.Dense(64, activation='relu'), layers.Dense(1)])
    norm_abalone_model.compile(loss=tf.keras.losses.MeanSquaredError(), optimizer=tf.keras.optimizers.Adam())
    assert _went_down(norm_abalone_model.fit(abalone_features, abalone_labels, epochs=10, verbose=0))

    # Mixed data types: a symbolic calculation first
    titanic = pd.read_csv(tmp_path / "train.csv")
    titanic_features = titanic.copy()
    titanic_labels = titanic_features.pop('survived')
    input = tf.keras.Input(shape=(), dtype=tf.float32)  # noqa: A001 - the tutorial's name
    result = 2 * input + 1
    assert result.shape.as_list() == [None]
    calc = tf.keras.Model(inputs=input, outputs=result)
    assert calc(np.array([1])).numpy().tolist() == [3.0]
    assert calc(np.array([2])).numpy().tolist() == [5.0]

    inputs = {}
    for name, column in titanic_features.items():
        dtype = column.dtype
        if dtype == object or pd.api.types.is_string_dtype(dtype):     # (pandas 3 reads text as str, not object)
            dtype = tf.string
        else:
            dtype = tf.float32
        inputs[name] = tf.keras.Input(shape=(1,), name=name, dtype=dtype)
    numeric_inputs = {name: input for name, input in inputs.items() if input.dtype == tf.float32}
    assert list(numeric_inputs) == ["age", "n_siblings_spouses", "parch", "fare"]
    x = layers.Concatenate()(list(numeric_inputs.values()))
    norm = layers.Normalization()
    norm.adapt(np.array(titanic[numeric_inputs.keys()]))
    all_numeric_inputs = norm(x)
    assert all_numeric_inputs.shape.as_list() == [None, 4] and all_numeric_inputs.dtype == np.float32

    preprocessed_inputs = [all_numeric_inputs]
    for name, input in inputs.items():
        if input.dtype == tf.float32:
            continue
        lookup = layers.StringLookup(vocabulary=np.unique(titanic_features[name]))
        one_hot = layers.CategoryEncoding(num_tokens=lookup.vocabulary_size())
        x = lookup(input)
        x = one_hot(x)
        assert x.shape.as_list() == [None, len(TITANIC_CATEGORIES[name]) + 1] and x.dtype == np.float32
        preprocessed_inputs.append(x)
    preprocessed_inputs_cat = layers.Concatenate()(preprocessed_inputs)
    width = 4 + sum(len(v) + 1 for v in TITANIC_CATEGORIES.values())        # 23, as TensorFlow's
    assert preprocessed_inputs_cat.shape.as_list() == [None, width]
    titanic_preprocessing = tf.keras.Model(inputs, preprocessed_inputs_cat)
    tf.keras.utils.plot_model(model=titanic_preprocessing, rankdir="LR", dpi=72, show_shapes=True)
    assert (tmp_path / "model.png").stat().st_size > 0

    # the pandas columns as a dict of arrays; the head on the first row (columns of shape (1,))
    titanic_features_dict = {name: np.array(value) for name, value in titanic_features.items()}
    assert titanic_features_dict["sex"].dtype == object and titanic_features_dict["parch"].dtype == np.int64
    features_dict = {name: values[:1] for name, values in titanic_features_dict.items()}
    row = np.asarray(titanic_preprocessing(features_dict))
    assert row.shape == (1, width) and row.dtype == np.float32
    numeric = np.array(titanic[["age", "n_siblings_spouses", "parch", "fare"]], np.float64)
    expected = (numeric[0] - numeric.mean(0)) / numeric.std(0)
    np.testing.assert_allclose(row[0, :4], expected, rtol=1e-4, atol=1e-5)
    start = 4
    for name, vocab in TITANIC_CATEGORIES.items():     # one-hot: [UNK] first, then the sorted vocabulary
        block = row[0, start:start + len(vocab) + 1]
        assert block.sum() == 1 and block[1 + sorted(vocab).index(titanic_features[name][0])] == 1
        start += len(vocab) + 1

    def titanic_model(preprocessing_head, inputs):
        body = tf.keras.Sequential([layers.Dense(64, activation='relu'), layers.Dense(1)])
        preprocessed_inputs = preprocessing_head(inputs)
        result = body(preprocessed_inputs)
        model = tf.keras.Model(inputs, result)
        model.compile(loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
                      optimizer=tf.keras.optimizers.Adam())
        return model

    titanic_model = titanic_model(titanic_preprocessing, inputs)
    assert _went_down(titanic_model.fit(x=titanic_features_dict, y=titanic_labels, epochs=10, verbose=0))
    titanic_model.save('test.keras')
    reloaded = tf.keras.models.load_model('test.keras')
    features_dict = {name: values[:1] for name, values in titanic_features_dict.items()}
    before = titanic_model(features_dict)
    after = reloaded(features_dict)
    assert (before - after) < 1e-3
    assert before.shape == (1, 1)
    np.testing.assert_allclose(np.asarray(reloaded.predict(titanic_features_dict, verbose=0)),
                               np.asarray(titanic_model.predict(titanic_features_dict, verbose=0)), rtol=1e-6)

    # Using tf.data: slices of the dict, then batches of it
    def slices(features):
        for i in itertools.count():
            example = {name: values[i] for name, values in features.items()}
            yield example
    for example in slices(titanic_features_dict):
        assert example["sex"] == titanic_features["sex"][0]
        break
    features_ds = tf.data.Dataset.from_tensor_slices(titanic_features_dict)
    for example in features_ds:
        assert example["sex"].numpy() == titanic_features["sex"][0].encode()    # text as bytes, as TensorFlow
        break
    titanic_ds = tf.data.Dataset.from_tensor_slices((titanic_features_dict, titanic_labels))
    before = titanic_model.evaluate(titanic_features_dict, titanic_labels, verbose=0)
    assert titanic_model.evaluate(titanic_ds.batch(32), verbose=0) == pytest.approx(before, rel=1e-5)
    titanic_batches = titanic_ds.shuffle(len(titanic_labels)).batch(32)
    history = titanic_model.fit(titanic_batches, epochs=5, verbose=0)
    assert history.history["loss"][0] == pytest.approx(before, rel=0.2)   # bytes from the Dataset look up as text
    assert _went_down(history)

    # From a single file: make_csv_dataset's batches of columns
    titanic_csv_ds = tf.data.experimental.make_csv_dataset(str(tmp_path / "train.csv"), batch_size=5,
                                                           label_name='survived', num_epochs=1,
                                                           ignore_errors=True)
    for batch, label in titanic_csv_ds.take(1):
        assert list(batch) == list(titanic_features.columns)
        assert label.shape == (5,) and label.dtype == np.int32
        assert batch["age"].dtype == np.float32 and batch["parch"].dtype == np.int32
        assert batch["sex"].dtype == tf.string and batch["sex"].shape == (5,)
    assert titanic_model.predict(dict(batch), verbose=0).shape == (5, 1)       # columns (5,) for Input((1,))


# -- Load a pandas DataFrame --------------------------------------------------------------------
def test_pandas_dataframe_tutorial(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tf.random.set_seed(0)
    _heart(tmp_path / "heart.csv")
    SHUFFLE_BUFFER = 500
    BATCH_SIZE = 2

    df = pd.read_csv(tmp_path / "heart.csv")
    target = df.pop('target')
    numeric_feature_names = ['age', 'thalach', 'trestbps', 'chol', 'oldpeak']
    numeric_features = df[numeric_feature_names]
    assert tf.convert_to_tensor(numeric_features).shape == (60, 5)
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(np.array(numeric_features))
    assert np.asarray(normalizer(numeric_features.iloc[:3])).shape == (3, 5)

    def get_basic_model():
        model = tf.keras.Sequential([normalizer, tf.keras.layers.Dense(10, activation='relu'),
                                     tf.keras.layers.Dense(10, activation='relu'), tf.keras.layers.Dense(1)])
        model.compile(optimizer='adam', loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
                      metrics=['accuracy'])
        return model

    model = get_basic_model()
    history = model.fit(numeric_features, target, epochs=15, batch_size=BATCH_SIZE, verbose=0)
    assert _went_down(history) and sorted(history.history) == ["accuracy", "loss"]
    numeric_dataset = tf.data.Dataset.from_tensor_slices((numeric_features, target))
    for features, label in numeric_dataset.take(1):
        np.testing.assert_array_equal(features, numeric_features.iloc[0])
        assert features.shape == (5,) and label.shape == ()
    numeric_batches = numeric_dataset.shuffle(1000).batch(BATCH_SIZE)
    model = get_basic_model()
    assert _went_down(model.fit(numeric_batches, epochs=15, verbose=0))

    # A DataFrame as a dictionary
    numeric_dict_ds = tf.data.Dataset.from_tensor_slices((dict(numeric_features), target))
    for row, label in numeric_dict_ds.take(1):
        assert list(row) == numeric_feature_names and row["age"].shape == ()

    def stack_dict(inputs, fun=tf.stack):
        values = []
        for key in sorted(inputs.keys()):
            values.append(tf.cast(inputs[key], tf.float32))
        return fun(values, axis=-1)

    # The functional API on a dict of Inputs, stacked with tf.cast and tf.concat: TF 2.21 (Keras 3)
    # refuses TensorFlow functions on symbolic tensors; keras.ops are its spelling
    inputs = {}
    for name, column in numeric_features.items():
        inputs[name] = tf.keras.Input(shape=(1,), name=name, dtype=tf.float32)
    with pytest.raises(ValueError, match="A KerasTensor cannot be used as input to a TensorFlow function"):
        stack_dict(inputs, fun=tf.concat)
    ops = tf.keras.ops
    x = ops.concatenate([ops.cast(inputs[key], "float32") for key in sorted(inputs)], axis=-1)
    assert x.shape.as_list() == [None, 5] and x.dtype == np.float32
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(stack_dict(dict(numeric_features)))
    x = normalizer(x)
    x = tf.keras.layers.Dense(10, activation='relu')(x)
    x = tf.keras.layers.Dense(10, activation='relu')(x)
    x = tf.keras.layers.Dense(1)(x)
    model = tf.keras.Model(inputs, x)
    model.compile(optimizer='adam', loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=['accuracy'], run_eagerly=True)
    tf.keras.utils.plot_model(model, rankdir="LR", show_shapes=True, show_layer_names=True)
    assert _went_down(model.fit(dict(numeric_features), target, epochs=5, batch_size=BATCH_SIZE, verbose=0))
    numeric_dict_batches = numeric_dict_ds.shuffle(SHUFFLE_BUFFER).batch(BATCH_SIZE)
    assert _went_down(model.fit(numeric_dict_batches, epochs=5, verbose=0))

    # Full example: binary, numeric and categorical columns, Inputs of shape ()
    binary_feature_names = ['sex', 'fbs', 'exang']
    categorical_feature_names = ['cp', 'restecg', 'slope', 'thal', 'ca']
    inputs = {}
    for name, column in df.items():
        if type(column[0]) == str:
            dtype = tf.string
        elif (name in categorical_feature_names or name in binary_feature_names):
            dtype = tf.int64
        else:
            dtype = tf.float32
        inputs[name] = tf.keras.Input(shape=(), name=name, dtype=dtype)
    preprocessed = []
    for name in binary_feature_names:
        inp = inputs[name]
        inp = inp[:, tf.newaxis]
        float_value = ops.cast(inp, "float32")            # (the tutorial's tf.cast: refused, as above)
        preprocessed.append(float_value)
    assert [(p.shape.as_list(), p.dtype) for p in preprocessed] == [([None, 1], np.float32)] * 3
    normalizer = tf.keras.layers.Normalization(axis=-1)
    normalizer.adapt(stack_dict(dict(numeric_features)))
    numeric_inputs = {}
    for name in numeric_feature_names:
        numeric_inputs[name] = inputs[name]
    numeric_inputs = ops.stack([ops.cast(numeric_inputs[key], "float32") for key in sorted(numeric_inputs)], axis=-1)
    numeric_normalized = normalizer(numeric_inputs)
    assert numeric_normalized.shape.as_list() == [None, 5]
    preprocessed.append(numeric_normalized)

    vocab = ['a', 'b', 'c']
    lookup = tf.keras.layers.StringLookup(vocabulary=vocab, output_mode='one_hot')
    np.testing.assert_array_equal(lookup(['c', 'a', 'a', 'b', 'zzz']), np.eye(4)[[3, 1, 1, 2, 0]])
    vocab = [1, 4, 7, 99]
    lookup = tf.keras.layers.IntegerLookup(vocabulary=vocab, output_mode='one_hot')
    np.testing.assert_array_equal(lookup([-1, 4, 1]), np.eye(5)[[0, 2, 1]])
    widths = []
    for name in categorical_feature_names:
        vocab = sorted(set(df[name]))
        if type(vocab[0]) is str:
            lookup = tf.keras.layers.StringLookup(vocabulary=vocab, output_mode='one_hot')
        else:
            lookup = tf.keras.layers.IntegerLookup(vocabulary=vocab, output_mode='one_hot')
        x = inputs[name]
        x = lookup(x)
        assert x.shape.as_list() == [None, len(vocab) + 1] and x.dtype == np.float32
        widths.append(len(vocab) + 1)
        preprocessed.append(x)
    preprocessed_result = ops.concatenate(preprocessed, axis=-1)
    width = 3 + 5 + sum(widths)
    assert preprocessed_result.shape.as_list() == [None, width] and preprocessed_result.dtype == np.float32
    preprocessor = tf.keras.Model(inputs, preprocessed_result)
    tf.keras.utils.plot_model(preprocessor, rankdir="LR", show_shapes=True, show_layer_names=True)
    one = np.asarray(preprocessor(dict(df.iloc[:1])))
    assert one.shape == (1, width) and one.dtype == np.float32
    assert one[0, :3].tolist() == df[binary_feature_names].iloc[0].astype(float).tolist()
    assert one[0, 8:].sum() == len(categorical_feature_names)          # one 1 per categorical column

    body = tf.keras.Sequential([tf.keras.layers.Dense(10, activation='relu'),
                                tf.keras.layers.Dense(10, activation='relu'), tf.keras.layers.Dense(1)])
    x = preprocessor(inputs)
    assert x.shape.as_list() == [None, width]
    result = body(x)
    assert result.shape.as_list() == [None, 1]
    model = tf.keras.Model(inputs, result)
    model.compile(optimizer='adam', loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=['accuracy'])
    assert _went_down(model.fit(dict(df), target, epochs=5, batch_size=BATCH_SIZE, verbose=0))
    ds = tf.data.Dataset.from_tensor_slices((dict(df), target))
    ds = ds.batch(BATCH_SIZE)
    for x, y in ds.take(1):
        assert x["thal"].dtype == tf.string and x["age"].shape == (2,) and y.shape == (2,)
    assert _went_down(model.fit(ds, epochs=5, verbose=0))
    assert model.predict(dict(df.iloc[:3]), verbose=0).shape == (3, 1)


def test_pandas_tutorial_subclassed_model_on_dicts(tmp_path):
    """The tutorial's MyModel: ``super().__init__(self)`` as written there, ``adapt`` and ``call``
    on dicts. Keras 3 hands each pandas column to ``call`` as ``(batch, 1)`` (its data adapter's
    rule for a Series), so the stacked input is ``(batch, 1, 5)`` and predict gives ``(3, 1, 1)``,
    as TensorFlow 2.21 prints."""
    tf.random.set_seed(0)
    _heart(tmp_path / "heart.csv")
    df = pd.read_csv(tmp_path / "heart.csv")
    target = df.pop('target')
    numeric_features = df[['age', 'thalach', 'trestbps', 'chol', 'oldpeak']]
    seen = []

    def stack_dict(inputs, fun=tf.stack):
        values = []
        for key in sorted(inputs.keys()):
            values.append(tf.cast(inputs[key], tf.float32))
        return fun(values, axis=-1)

    class MyModel(tf.keras.Model):
        def __init__(self):
            super().__init__(self)
            self.normalizer = tf.keras.layers.Normalization(axis=-1)
            self.seq = tf.keras.Sequential([self.normalizer, tf.keras.layers.Dense(10, activation='relu'),
                                            tf.keras.layers.Dense(10, activation='relu'), tf.keras.layers.Dense(1)])

        def adapt(self, inputs):
            inputs = stack_dict(inputs)
            self.normalizer.adapt(inputs)

        def call(self, inputs):
            seen.append({k: tuple(np.shape(v)) for k, v in inputs.items()})
            inputs = stack_dict(inputs)
            result = self.seq(inputs)
            return result

    model = MyModel()
    model.adapt(dict(numeric_features))
    model.compile(optimizer='adam', loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=['accuracy'], run_eagerly=True)
    history = model.fit(dict(numeric_features), target, epochs=5, batch_size=2, verbose=0)
    assert _went_down(history)
    assert seen[-1] == {name: (2, 1) for name in numeric_features.columns}
    prediction = model.predict(dict(numeric_features.iloc[:3]), verbose=0)
    assert prediction.shape == (3, 1, 1) and prediction.dtype == np.float32


def test_keras_saved_titanic_model_loads_and_goes_back_as_keras_writes_it(tmp_path):
    """A model built as the CSV tutorial's titanic model, saved by Keras 3.15
    (tools/make_keras_structured.py): the nested head called on the dict of inputs (args a dict,
    kwargs a mask of nulls) loads and predicts Keras's numbers; glassnet writes it back the same way."""
    import json
    import zipfile
    from pathlib import Path
    folder = Path(__file__).parent / "fixtures" / "keras_structured"
    ref = np.load(folder / "titanic.npz")
    columns = {k[4:]: (ref[k].astype(object) if ref[k].dtype.kind == "U" else ref[k]) for k in ref.files
               if k.startswith("col_")}
    model = tf.keras.models.load_model(folder / "titanic.keras")
    np.testing.assert_allclose(model.predict(columns, verbose=0), ref["pred"], rtol=1e-5, atol=1e-6)
    head = model.layers[[type(layer).__name__ for layer in model.layers].index("Functional")]     # Keras 3: Functional
    np.testing.assert_allclose(np.asarray(head(columns)), ref["head"], rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "again.keras")
    with zipfile.ZipFile(tmp_path / "again.keras") as z:
        config = json.loads(z.read("config.json"))
        weights = z.read("model.weights.h5")
    nested = next(e for e in config["config"]["layers"] if e["class_name"] == "Functional")
    assert sorted(nested["inbound_nodes"][0]["args"][0]) == sorted(columns)      # a dict by input name
    assert {e["config"]["name"]: e["config"]["dtype"] for e in config["config"]["layers"]
            if e["class_name"] == "InputLayer"}["sex"] == "string"
    import io
    h5py = pytest.importorskip("h5py")
    with h5py.File(io.BytesIO(weights), "r") as h5:                # the head's weights where Keras keeps them
        assert h5["layers/functional/layers/normalization/vars/0"].shape == (2,)
    again = tf.keras.models.load_model(tmp_path / "again.keras")
    np.testing.assert_allclose(again.predict(columns, verbose=0), ref["pred"], rtol=1e-5, atol=1e-6)
