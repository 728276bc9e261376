"""TensorFlow's "Classify structured data using Keras preprocessing layers" tutorial (PetFinder),
renamed (``import glassnet as tf``), on a small stand-in CSV. The printed shapes and dtypes, the
vocabularies and the normalized values are those TF 2.21 gives for the same data (checked side
by side with /work/peers/bin/python)."""
import os

import numpy as np
import pytest

import glassnet as tf
from glassnet.keras import layers

pd = pytest.importorskip("pandas")

CATEGORICAL = ['Type', 'Color1', 'Color2', 'Gender', 'MaturitySize', 'FurLength', 'Vaccinated', 'Sterilized',
               'Health', 'Breed1']


def write_csv(path, n=120):
    rng = np.random.default_rng(0)
    pick = lambda *a: rng.choice(a, n)      # noqa: E731
    pd.DataFrame({
        'Type': pick('Cat', 'Dog'), 'Age': rng.integers(1, 60, n), 'Breed1': pick('Tabby', 'Mixed Breed', 'Domestic'),
        'Gender': pick('Male', 'Female'), 'Color1': pick('Black', 'Brown', 'Golden'), 'Color2': pick('White', 'No Color'),
        'MaturitySize': pick('Small', 'Medium'), 'FurLength': pick('Short', 'Long'), 'Vaccinated': pick('Yes', 'No'),
        'Sterilized': pick('Yes', 'No'), 'Health': pick('Healthy', 'Minor Injury'), 'Fee': rng.integers(0, 200, n),
        'Description': ['a pet'] * n, 'PhotoAmt': rng.integers(0, 10, n), 'AdoptionSpeed': rng.integers(0, 5, n),
    }).to_csv(path, index=False)


def df_to_dataset(dataframe, shuffle=True, batch_size=32):
    df = dataframe.copy()
    labels = df.pop('target')
    df = {key: value.to_numpy()[:, tf.newaxis] for key, value in dataframe.items()}
    ds = tf.data.Dataset.from_tensor_slices((dict(df), labels))
    if shuffle:
        ds = ds.shuffle(buffer_size=len(dataframe))
    ds = ds.batch(batch_size)
    ds = ds.prefetch(batch_size)
    return ds


def get_normalization_layer(name, dataset):
    normalizer = layers.Normalization(axis=None)
    feature_ds = dataset.map(lambda x, y: x[name])
    normalizer.adapt(feature_ds)
    return normalizer


def get_category_encoding_layer(name, dataset, dtype, max_tokens=None):
    if dtype == 'string':
        index = layers.StringLookup(max_tokens=max_tokens)
    else:
        index = layers.IntegerLookup(max_tokens=max_tokens)
    feature_ds = dataset.map(lambda x, y: x[name])
    index.adapt(feature_ds)
    encoder = layers.CategoryEncoding(num_tokens=index.vocabulary_size())
    return lambda feature: encoder(index(feature))


@pytest.fixture
def frames(tmp_path):
    write_csv(tmp_path / 'petfinder-mini.csv')
    dataframe = pd.read_csv(tmp_path / 'petfinder-mini.csv')
    dataframe['target'] = np.where(dataframe['AdoptionSpeed'] == 4, 0, 1)
    dataframe = dataframe.drop(columns=['AdoptionSpeed', 'Description'])
    shuffled = dataframe.sample(frac=1, random_state=1)
    # (the tutorial's np.split of a DataFrame gives plain arrays with NumPy 2, in TF as here)
    a, b = int(0.8 * len(dataframe)), int(0.9 * len(dataframe))
    return shuffled.iloc[:a], shuffled.iloc[a:b], shuffled.iloc[b:]


def test_batches_print_as_tf(frames):
    train, val, test = frames
    assert (len(train), len(val), len(test)) == (96, 12, 12)
    train_ds = df_to_dataset(train, batch_size=5)
    [(train_features, label_batch)] = train_ds.take(1)
    assert list(train_features.keys()) == ['Type', 'Age', 'Breed1', 'Gender', 'Color1', 'Color2', 'MaturitySize',
                                           'FurLength', 'Vaccinated', 'Sterilized', 'Health', 'Fee', 'PhotoAmt',
                                           'target']
    ages = str(train_features['Age'])
    assert ages.startswith('tf.Tensor(\n[[') and ages.endswith('shape=(5, 1), dtype=int64)')
    assert str(label_batch).endswith('shape=(5,), dtype=int64)')
    assert train_features['Type'].dtype == tf.string

    photo = get_normalization_layer('PhotoAmt', train_ds)(train_features['PhotoAmt'])
    assert str(photo).endswith('shape=(5, 1), dtype=float32)')
    col = train['PhotoAmt'].to_numpy()
    np.testing.assert_allclose(np.asarray(photo)[:, 0], (np.asarray(train_features['PhotoAmt'])[:, 0] - col.mean())
                               / col.std(), rtol=1e-5)
    encoded = get_category_encoding_layer(name='Type', dataset=train_ds, dtype='string')(train_features['Type'])
    assert str(encoded).endswith('shape=(5, 3), dtype=float32)')      # [UNK], Cat, Dog
    np.testing.assert_array_equal(np.asarray(encoded).sum(axis=1), np.ones(5))
    age = get_category_encoding_layer(name='Age', dataset=train_ds, dtype='int64', max_tokens=5)(train_features['Age'])
    assert str(age).endswith('shape=(5, 5), dtype=float32)')


def test_adapt_on_a_mapped_feature_matches_tf():
    """Values TF 2.21 gives: vocabulary by count, ties in reverse sort order; IntegerLookup's OOV -1."""
    a = np.array([['b'], ['a'], ['c'], ['a'], ['b'], ['d']])
    n = np.array([[3], [1], [2], [1], [3], [7]])
    ds = tf.data.Dataset.from_tensor_slices(({'f': a, 'n': n}, np.zeros(6))).batch(4)
    s = layers.StringLookup()
    s.adapt(ds.map(lambda x, y: x['f']))
    assert s.get_vocabulary() == ['[UNK]', 'b', 'a', 'd', 'c'] and s.vocabulary_size() == 5
    s = layers.StringLookup(max_tokens=3)
    s.adapt(ds.map(lambda x, y: x['f']))
    assert s.get_vocabulary() == ['[UNK]', 'b', 'a']
    i = layers.IntegerLookup(max_tokens=3)
    i.adapt(ds.map(lambda x, y: x['n']))
    assert i.get_vocabulary() == [-1, 3, 1]
    np.testing.assert_array_equal(np.asarray(i(np.array([[3], [9]]))), [[1], [0]])
    norm = layers.Normalization(axis=None)
    norm.adapt(ds.map(lambda x, y: x['n']))
    np.testing.assert_allclose(np.asarray(norm.mean), [[2.8333335]], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(norm.variance), [[4.1388893]], rtol=1e-6)
    np.testing.assert_allclose(np.asarray(norm(np.array([[3], [9]]))), [[0.08192311], [3.031158]], rtol=1e-5)


def test_whole_tutorial_trains_saves_and_reloads(frames, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    train, val, test = frames
    batch_size = 256
    train_ds = df_to_dataset(train, batch_size=batch_size)
    val_ds = df_to_dataset(val, shuffle=False, batch_size=batch_size)
    test_ds = df_to_dataset(test, shuffle=False, batch_size=batch_size)
    all_inputs = {}
    encoded_features = []
    for header in ['PhotoAmt', 'Fee']:
        numeric_col = tf.keras.Input(shape=(1,), name=header)
        normalization_layer = get_normalization_layer(header, train_ds)
        encoded_numeric_col = normalization_layer(numeric_col)
        all_inputs[header] = numeric_col
        encoded_features.append(encoded_numeric_col)
    age_col = tf.keras.Input(shape=(1,), name='Age', dtype='int64')
    encoding_layer = get_category_encoding_layer(name='Age', dataset=train_ds, dtype='int64', max_tokens=5)
    encoded_age_col = encoding_layer(age_col)
    all_inputs['Age'] = age_col
    encoded_features.append(encoded_age_col)
    for header in CATEGORICAL:
        categorical_col = tf.keras.Input(shape=(1,), name=header, dtype='string')
        encoding_layer = get_category_encoding_layer(name=header, dataset=train_ds, dtype='string', max_tokens=5)
        encoded_categorical_col = encoding_layer(categorical_col)
        all_inputs[header] = categorical_col
        encoded_features.append(encoded_categorical_col)
    all_features = tf.keras.layers.concatenate(encoded_features)
    assert tuple(all_features.shape) == (None, 1 + 1 + 5 + 3 + 4 + 3 * 7 + 4)     # [UNK] + each value
    x = tf.keras.layers.Dense(32, activation="relu")(all_features)
    x = tf.keras.layers.Dropout(0.5)(x)
    output = tf.keras.layers.Dense(1)(x)
    model = tf.keras.Model(all_inputs, output)
    model.compile(optimizer='adam', loss=tf.keras.losses.BinaryCrossentropy(from_logits=True), metrics=["accuracy"])
    try:
        tf.keras.utils.plot_model(model, show_shapes=True, rankdir="LR")
    except ImportError:             # (TF needs pydot for it; glassnet draws with Pillow)
        pass
    history = model.fit(train_ds, epochs=3, validation_data=val_ds)
    assert len(history.history['loss']) == 3 and 'val_accuracy' in history.history
    loss, accuracy = model.evaluate(test_ds)
    assert 0 <= accuracy <= 1 and np.isfinite(loss)
    out = capsys.readouterr().out
    assert "Epoch 3/3" in out and " - val_accuracy: " in out

    model.save('my_pet_classifier.keras')
    assert os.path.exists('my_pet_classifier.keras')
    reloaded_model = tf.keras.models.load_model('my_pet_classifier.keras')
    sample = {'Type': 'Cat', 'Age': 3, 'Breed1': 'Tabby', 'Gender': 'Male', 'Color1': 'Black', 'Color2': 'White',
              'MaturitySize': 'Small', 'FurLength': 'Short', 'Vaccinated': 'No', 'Sterilized': 'No',
              'Health': 'Healthy', 'Fee': 100, 'PhotoAmt': 2}
    input_dict = {name: tf.convert_to_tensor([value]) for name, value in sample.items()}
    predictions = reloaded_model.predict(input_dict)
    assert predictions.shape == (1, 1)
    np.testing.assert_allclose(predictions, model.predict(input_dict), rtol=1e-6)
    for batch, _ in test_ds:
        np.testing.assert_allclose(reloaded_model.predict(batch, verbose=0), model.predict(batch, verbose=0), rtol=1e-6)
    prob = tf.nn.sigmoid(predictions[0])
    assert str(prob).endswith('shape=(1,), dtype=float32)')
    # the tutorial's "%.1f" % (100 * prob) fails in TF 2.21 too (a shape-(1,) tensor); its value:
    line = "This particular pet had a %.1f percent probability of getting adopted." % (100 * float(prob[0]))
    assert line.startswith("This particular pet had a ")
