"""TensorFlow's tutorial "Simple audio recognition" (40 generated 16 kHz WAV clips in 8 folders for the mini speech commands download, a smaller model, 2 epochs; numbers from training are not compared, the random initialisations differ) run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the tutorial's cells
reconstructed in its style, stand-in data where it downloads). Lines in NUMERIC are the same text with
numbers equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

import numpy as np
from conftest import assert_guide_prints

# TF 2.21 printed these with NumPy's default print options (another test may leave others set)
_NUMPY_PRINT_DEFAULTS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                             floatmode="maxprec", sign="-", legacy=False)

GUIDE = r'''import os
import pathlib
import tempfile
import wave

import numpy as np
import tensorflow as tf

layers = tf.keras.layers
models = tf.keras.models

seed = 42
tf.random.set_seed(seed)
np.random.seed(seed)

# the tutorial downloads mini_speech_commands: 8 folders of 16 kHz mono 16-bit WAV clips made here
os.chdir(tempfile.mkdtemp())
DATASET_PATH = 'data/mini_speech_commands'
data_dir = pathlib.Path(DATASET_PATH)
words = ['down', 'go', 'left', 'no', 'right', 'stop', 'up', 'yes']
rng = np.random.RandomState(7)
for k, word in enumerate(words):
  (data_dir / word).mkdir(parents=True)
  for i in range(5):
    n = 16000 if i % 2 == 0 else 11000 + 1000 * i
    t = np.arange(n) / 16000.0
    clip = 0.3 * np.sin(2 * np.pi * (200 + 90 * k) * t) + 0.05 * rng.standard_normal(n)
    name = '01bb6a2a_nohash_0.wav' if i == 0 else f'{k:02d}{i:06x}_nohash_{i}.wav'
    with wave.open(str(data_dir / word / name), 'wb') as f:
      f.setnchannels(1)
      f.setsampwidth(2)
      f.setframerate(16000)
      f.writeframes((np.clip(clip, -1, 1) * 32767).astype('<i2').tobytes())
(data_dir / 'README.md').write_text('stand-in')

commands = np.array(tf.io.gfile.listdir(str(data_dir)))
commands = commands[(commands != 'README.md') & (commands != '.DS_Store')]
print('Commands:', sorted(commands))

train_ds, val_ds = tf.keras.utils.audio_dataset_from_directory(
    directory=data_dir,
    batch_size=16,
    validation_split=0.2,
    seed=0,
    output_sequence_length=16000,
    subset='both')

label_names = np.array(train_ds.class_names)
print()
print("label names:", label_names)
print(train_ds.element_spec)

def squeeze(audio, labels):
  audio = tf.squeeze(audio, axis=-1)
  return audio, labels

train_ds = train_ds.map(squeeze, tf.data.AUTOTUNE)
val_ds = val_ds.map(squeeze, tf.data.AUTOTUNE)
print(train_ds.element_spec)

test_ds = val_ds.shard(num_shards=2, index=0)
val_ds = val_ds.shard(num_shards=2, index=1)

for example_audio, example_labels in train_ds.take(1):
  print(example_audio.shape)
  print(example_labels.shape, example_labels.dtype)

print(label_names[[1,1,3,0]])

def get_spectrogram(waveform):
  spectrogram = tf.signal.stft(
      waveform, frame_length=255, frame_step=128)
  spectrogram = tf.abs(spectrogram)
  spectrogram = spectrogram[..., tf.newaxis]
  return spectrogram

for i in range(3):
  label = label_names[example_labels[i]]
  waveform = example_audio[i]
  spectrogram = get_spectrogram(waveform)
  print('Waveform shape:', waveform.shape)
  print('Spectrogram shape:', spectrogram.shape, spectrogram.dtype)

def make_spec_ds(ds):
  return ds.map(
      map_func=lambda audio,label: (get_spectrogram(audio), label),
      num_parallel_calls=tf.data.AUTOTUNE)

train_spectrogram_ds = make_spec_ds(train_ds)
val_spectrogram_ds = make_spec_ds(val_ds)
test_spectrogram_ds = make_spec_ds(test_ds)
print(train_spectrogram_ds.element_spec)

for example_spectrograms, example_spect_labels in train_spectrogram_ds.take(1):
  break

train_spectrogram_ds = train_spectrogram_ds.cache().shuffle(10000).prefetch(tf.data.AUTOTUNE)
val_spectrogram_ds = val_spectrogram_ds.cache().prefetch(tf.data.AUTOTUNE)
test_spectrogram_ds = test_spectrogram_ds.cache().prefetch(tf.data.AUTOTUNE)

input_shape = example_spectrograms.shape[1:]
print('Input shape:', input_shape)
num_labels = len(label_names)

norm_layer = layers.Normalization()
norm_layer.adapt(data=train_spectrogram_ds.map(map_func=lambda spec, label: spec))
print(norm_layer.mean.shape, np.round(float(np.asarray(norm_layer.mean).ravel()[0]), 4), np.round(float(np.asarray(norm_layer.variance).ravel()[0]), 4))

model = models.Sequential([
    layers.Input(shape=input_shape),
    layers.Resizing(32, 32),
    norm_layer,
    layers.Conv2D(8, 3, activation='relu'),
    layers.Conv2D(8, 3, activation='relu'),
    layers.MaxPooling2D(),
    layers.Dropout(0.25),
    layers.Flatten(),
    layers.Dense(16, activation='relu'),
    layers.Dropout(0.5),
    layers.Dense(num_labels),
])

model.summary()

model.compile(
    optimizer=tf.keras.optimizers.Adam(),
    loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=['accuracy'],
)
EPOCHS = 2
history = model.fit(
    train_spectrogram_ds,
    validation_data=val_spectrogram_ds,
    epochs=EPOCHS,
    callbacks=tf.keras.callbacks.EarlyStopping(verbose=1, patience=2),
    verbose=0,
)
metrics = history.history
print(sorted(metrics), len(metrics['loss']))
result = model.evaluate(test_spectrogram_ds, return_dict=True, verbose=0)
print(sorted(result))
y_pred = model.predict(test_spectrogram_ds, verbose=0)
y_pred = tf.argmax(y_pred, axis=1)
y_true = tf.concat(list(test_spectrogram_ds.map(lambda s,lab: lab)), axis=0)
print(y_pred.shape, y_pred.dtype, y_true.shape, y_true.dtype)
confusion_mtx = tf.math.confusion_matrix(y_true, y_pred)
print(confusion_mtx.shape, confusion_mtx.dtype, int(tf.reduce_sum(confusion_mtx)))

x = data_dir/'no/01bb6a2a_nohash_0.wav'
x = tf.io.read_file(str(x))
x, sample_rate = tf.audio.decode_wav(x, desired_channels=1, desired_samples=16000,)
print(x.shape, x.dtype, sample_rate)
x = tf.squeeze(x, axis=-1)
waveform = x
x = get_spectrogram(x)
x = x[tf.newaxis,...]
print(x.shape)
prediction = model(x)
print(prediction.shape, tf.nn.softmax(prediction[0]).shape)

class ExportModel(tf.Module):
  def __init__(self, model):
    self.model = model

    # Accept either a string-filename or a batch of waveforms.
    # You could add additional signatures for a single wave, or a ragged-batch.
    self.__call__.get_concrete_function(
        x=tf.TensorSpec(shape=(), dtype=tf.string))
    self.__call__.get_concrete_function(
       x=tf.TensorSpec(shape=[None, 16000], dtype=tf.float32))


  @tf.function
  def __call__(self, x):
    # If they pass a string, load the file and decode it.
    if x.dtype == tf.string:
      x = tf.io.read_file(x)
      x, _ = tf.audio.decode_wav(x, desired_channels=1, desired_samples=16000,)
      x = tf.squeeze(x, axis=-1)
      x = x[tf.newaxis, :]

    x = get_spectrogram(x)
    result = self.model(x, training=False)

    class_ids = tf.argmax(result, axis=-1)
    class_names = tf.gather(label_names, class_ids)
    return {'predictions':result,
            'class_ids': class_ids,
            'class_names': class_names}

export = ExportModel(model)
out = export(tf.constant(str(data_dir/'no/01bb6a2a_nohash_0.wav')))
print(sorted(out), out['predictions'].shape, out['class_ids'].dtype, out['class_names'].dtype, out['class_names'].shape)
tf.saved_model.save(export, "saved")
imported = tf.saved_model.load("saved")
out2 = imported(waveform[tf.newaxis, :])
print(sorted(out2), out2['predictions'].shape)
print(bool(np.allclose(out['predictions'], out2['predictions'], atol=1e-5)))
'''

TF_OUTPUT = [
    "Commands: [np.str_('down'), np.str_('go'), np.str_('left'), np.str_('no'), np.str_('right'), np.str_('stop'), np.str_('up'), np.str_('yes')]",
    'Found 40 files belonging to 8 classes.',
    'Using 32 files for training.',
    'Using 8 files for validation.',
    '',
    "label names: ['down' 'go' 'left' 'no' 'right' 'stop' 'up' 'yes']",
    '(TensorSpec(shape=(None, 16000, None), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))',
    '(TensorSpec(shape=(None, 16000), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))',
    '(16, 16000)',
    "(16,) <dtype: 'int32'>",
    "['go' 'go' 'no' 'down']",
    'Waveform shape: (16000,)',
    "Spectrogram shape: (124, 129, 1) <dtype: 'float32'>",
    'Waveform shape: (16000,)',
    "Spectrogram shape: (124, 129, 1) <dtype: 'float32'>",
    'Waveform shape: (16000,)',
    "Spectrogram shape: (124, 129, 1) <dtype: 'float32'>",
    '(TensorSpec(shape=(None, 124, 129, 1), dtype=tf.float32, name=None), TensorSpec(shape=(None,), dtype=tf.int32, name=None))',
    'Input shape: (124, 129, 1)',
    '(1, 1, 1, 1) 0.6734 3.7231',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ resizing (Resizing)             │ (None, 32, 32, 1)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ normalization (Normalization)   │ (None, 32, 32, 1)      │             3 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d (Conv2D)                 │ (None, 30, 30, 8)      │            80 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_1 (Conv2D)               │ (None, 28, 28, 8)      │           584 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d (MaxPooling2D)    │ (None, 14, 14, 8)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout (Dropout)               │ (None, 14, 14, 8)      │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ flatten (Flatten)               │ (None, 1568)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense (Dense)                   │ (None, 16)             │        25,104 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dropout_1 (Dropout)             │ (None, 16)             │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 8)              │           136 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 25,907 (101.20 KB)',
    ' Trainable params: 25,904 (101.19 KB)',
    ' Non-trainable params: 3 (16.00 B)',
    "['accuracy', 'loss'] 2",
    "['accuracy', 'loss']",
    "(8,) <dtype: 'int64'> (8,) <dtype: 'int32'>",
    "(8, 8) <dtype: 'int32'> 8",
    "(16000, 1) <dtype: 'float32'> tf.Tensor(16000, shape=(), dtype=int32)",
    '(1, 124, 129, 1)',
    '(1, 8) (8,)',
    "['class_ids', 'class_names', 'predictions'] (1, 8) <dtype: 'int64'> <dtype: 'string'> (1,)",
    "['class_ids', 'class_names', 'predictions'] (1, 8)",
    'True',
    '',
]
NUMERIC = [19]


def test_tutorial_prints_what_tensorflow_prints():
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(GUIDE, "simple_audio", TF_OUTPUT, NUMERIC, fresh_functions=True)


WAV = r'''import numpy as np
import tensorflow as tf
x = np.array([[0.5, 0.1], [-0.25, 1.0], [1.0, -1.0], [0.3, 2.0], [-0.99999, 0.00002]], np.float32)
w = tf.audio.encode_wav(x, 8000)
b = w.numpy()
print(len(b), b[:44].hex(), b[44:].hex())
a, r = tf.audio.decode_wav(w)
print(a.shape, a.dtype, r, a.numpy().tolist())
for ch, n in [(1, -1), (2, 3), (-1, 7), (1, 0)]:
  a, r = tf.audio.decode_wav(w, desired_channels=ch, desired_samples=n)
  print(ch, n, a.shape, a.numpy()[:, 0].tolist())
m = tf.audio.encode_wav(x[:, :1], 16000)
a, r = tf.audio.decode_wav(m, desired_channels=3)
print(a.shape, a.numpy()[1].tolist())
print(tf.signal.hann_window(5).numpy().tolist(), tf.signal.hann_window(4).numpy().tolist())
print(tf.signal.hann_window(4, periodic=False).numpy().tolist())
print(tf.signal.frame(np.arange(10), 4, 3).numpy().tolist())
print(tf.signal.frame(np.arange(10), 4, 3, pad_end=True).numpy().tolist())
print(tf.signal.stft(np.zeros((2, 3, 1000), np.float32), 200, 100, pad_end=True).shape)
print(tf.signal.stft(np.zeros((1000,), np.float64), 200, 100, fft_length=300).dtype)
print(tf.signal.stft([0.0] * 300, 200, 100).dtype)
'''

WAV_OUTPUT = [
    '64 524946463800000057415645666d74201000000001000200401f0000007d0000040010006461746114000000 0040cd0c00e0ff7fff7f00806626ff7f00800100',
    "(5, 2) <dtype: 'float32'> tf.Tensor(8000, shape=(), dtype=int32) [[0.5, 0.100006103515625], [-0.25, 0.999969482421875], [0.999969482421875, -1.0], [0.29998779296875, 0.999969482421875], [-1.0, 3.0517578125e-05]]",
    '1 -1 (5, 1) [0.5, -0.25, 0.999969482421875, 0.29998779296875, -1.0]',
    '2 3 (3, 2) [0.5, -0.25, 0.999969482421875]',
    '-1 7 (7, 2) [0.5, -0.25, 0.999969482421875, 0.29998779296875, -1.0, 0.0, 0.0]',
    '1 0 (0, 1) []',
    '(5, 3) [-0.25, -0.25, -0.25]',
    '[0.0, 0.5, 1.0, 0.5, 0.0] [0.0, 0.5, 1.0, 0.5]',
    '[0.0, 0.75, 0.7499999403953552, 0.0]',
    '[[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]',
    '[[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9], [9, 0, 0, 0]]',
    '(2, 3, 10, 129)',
    "<dtype: 'complex128'>",
    "<dtype: 'complex64'>",
    '',
]
STFT_BINS = [[0.049025218933820724, 0.26534464955329895, 0.5041244626045227, 0.0071416329592466354, 2.0678716339261882e-07, 2.2351741790771484e-08], [0.019663751125335693, 2.6720664501190186, 5.580722332000732, 0.01724841259419918, 1.2791529115929734e-05, 1.3969838619232178e-08], [0.1390443593263626, 15.060348510742188, 31.46820640563965, 0.08516798913478851, 6.039265645085834e-05, 4.6193599700927734e-07], [0.42488187551498413, 30.157997131347656, 62.930320739746094, 0.17095300555229187, 0.00014526917948387563, 2.384185791015625e-07]]


def test_wav_codec_and_signal_helpers_as_tensorflow():
    """tf.audio.encode_wav's bytes and decode_wav's samples, channels and lengths; the Hann window
    (TensorFlow's periodic rule), frame, and stft's shapes and dtypes, as TF 2.21 gave them."""
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(WAV, "wav", WAV_OUTPUT)


def test_stft_within_1e_5_of_tensorflow():
    """|stft| of a 1 s chirp-like signal, against TF 2.21's values at a few bins (recorded)."""
    import numpy as np
    import glassnet as tf
    sig = np.sin(np.arange(16000, dtype=np.float32) * 0.05) * np.linspace(0, 1, 16000, dtype=np.float32)
    s = tf.signal.stft(sig, frame_length=255, frame_step=128)
    assert s.shape == (124, 129) and s.dtype == np.complex64
    got = np.abs(s.numpy())[[0, 10, 61, 123]][:, [0, 1, 2, 5, 64, 128]]
    np.testing.assert_allclose(got, STFT_BINS, rtol=1e-5, atol=2e-5)


def test_audio_dataset_from_directory_pads_and_refuses(tmp_path):
    """Without output_sequence_length a batch is padded to its longest clip; ragged with a length,
    a sampling_rate (Keras needs tensorflow_io) and a non-WAV file are refused, naming them."""
    import wave
    import numpy as np
    import pytest
    import glassnet as tf
    for word, lengths in (("a", (5, 9)), ("b", (7,))):
        (tmp_path / word).mkdir()
        for i, n in enumerate(lengths):
            with wave.open(str(tmp_path / word / f"{i}.wav"), "wb") as f:
                f.setnchannels(1)
                f.setsampwidth(2)
                f.setframerate(8000)
                f.writeframes((np.arange(1, n + 1) * 100).astype("<i2").tobytes())
    ds = tf.keras.utils.audio_dataset_from_directory(tmp_path, batch_size=8, shuffle=False, verbose=False)
    audio, labels = next(iter(ds))
    assert audio.shape == (3, 9, 1) and labels.numpy().tolist() == [0, 0, 1]
    np.testing.assert_allclose(audio.numpy()[0, :, 0], [*(np.arange(1, 6) * 100 / 32768), 0, 0, 0, 0])
    assert str(ds.element_spec[0]) == "TensorSpec(shape=(None, None, None), dtype=tf.float32, name=None)"
    with pytest.raises(ValueError, match="ragged=True and output_sequence_length"):
        tf.keras.utils.audio_dataset_from_directory(tmp_path, ragged=True, output_sequence_length=4)
    with pytest.raises(ImportError, match="sampling_rate=8000.*tensorflow_io"):
        tf.keras.utils.audio_dataset_from_directory(tmp_path, sampling_rate=8000)
    (tmp_path / "b" / "9.wav").write_bytes(b"RIFF....WAVEnot really")
    bad = tf.keras.utils.audio_dataset_from_directory(tmp_path, batch_size=8, shuffle=False, verbose=False)
    with pytest.raises(ValueError, match=r"audio_dataset_from_directory: .*9\.wav: decode_wav"):
        next(iter(bad))


def test_audio_dataset_unbatched_categorical_and_ragged_as_keras(tmp_path):
    """batch_size=None with output_sequence_length: one clip at a time, its spec (6, None) as Keras's;
    ragged=True: a RaggedTensor batch whose spec is Keras's (ragged_rank 2), recorded from TF 2.21."""
    import wave
    import numpy as np
    import glassnet as tf
    for word, lengths in (("a", (5, 9)), ("b", (7,)), ("c", (3,))):
        (tmp_path / word).mkdir()
        for i, n in enumerate(lengths):
            with wave.open(str(tmp_path / word / f"{i}.wav"), "wb") as f:
                f.setnchannels(1)
                f.setsampwidth(2)
                f.setframerate(8000)
                f.writeframes((np.arange(1, n + 1) * 100).astype("<i2").tobytes())
    ds = tf.keras.utils.audio_dataset_from_directory(tmp_path, batch_size=None, shuffle=False, verbose=False,
                                                     label_mode="categorical", output_sequence_length=6)
    assert str(ds.element_spec) == ("(TensorSpec(shape=(6, None), dtype=tf.float32, name=None), "
                                    "TensorSpec(shape=(3,), dtype=tf.float32, name=None))")
    clip, label = next(iter(ds))
    assert clip.shape == (6, 1) and label.numpy().tolist() == [1.0, 0.0, 0.0]
    ragged = tf.keras.utils.audio_dataset_from_directory(tmp_path, batch_size=4, shuffle=False, label_mode=None,
                                                         ragged=True, verbose=False)
    assert str(ragged.element_spec) == "RaggedTensorSpec(TensorShape([None, None, None]), tf.float32, 2, tf.int64)"
    batch = next(iter(ragged))
    assert type(batch).__name__ == "RaggedTensor" and tuple(batch.shape) == (4, None, None)
