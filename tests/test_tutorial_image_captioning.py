"""TensorFlow's tutorial "Image captioning with visual attention" (tutorials/text/image_captioning), its data
part run with ``import glassnet as tf``: what it prints must be what TensorFlow 2.21 printed for the same code
(recorded under TF 2.21 / Keras 3.15, einops 0.8 on both sides). Stand-ins: eight drawn pictures with five
captions each, in Flickr8k's (path, captions) pairs through ``tf.data.experimental.from_list``, for the download;
``MobileNetV3Small(weights=None)`` for the ImageNet weights. Checked: from_list's element_spec and elements, the
feature extractor's (1, 7, 7, 576) map, the standardize function through tf.strings (lower, regex_replace, join),
TextVectorization(ragged=True) adapted on unbatch().batch(), its RaggedTensor of ids, StringLookup(invert=True) on
that RaggedTensor and reduce_join of the words, einops' parse_shape / rearrange / repeat of string tensors
(match_shapes) giving Tensors.

Not yet matched (the rest of the tutorial, run beside TF 2.21 on the same stand-ins): TF 2.21 itself fails two of
its cells (SeqEmbedding's ``Add`` of a (1, seq, depth) position batch to an (n, seq, depth) one: "Cannot merge
tensors with different batch sizes", glassnet refuses it too; ``g.model = model``: Keras 3's Callback.model has no
setter, glassnet sets it). With those two cells mended, the two print the same lines (the custom layers' shapes and
attention scores, TokenOutput.adapt's entropies and bias, simple_gen's captions, the GenerateText callback) but the
element_spec of a map ending in ``RaggedTensor.to_tensor()`` and of ``Dataset.load`` (glassnet shows the sizes it
saw where TF has None); both then stop at fit, where Keras 3.15 hands the tutorial's masked_loss float32 labels
(a TypeError from sparse_softmax_cross_entropy_with_logits in both).
"""
import numpy as np

from conftest import assert_guide_prints

GUIDE = r'''import collections
import os
import pathlib
import re
import string

import einops
import numpy as np
import tensorflow as tf
from PIL import Image

# Flickr8k and surf.jpg are downloads: eight drawn pictures with five captions each stand in
# (Flickr8k's layout: (path, 5 captions) pairs through tf.data.experimental.from_list)
path = pathlib.Path('flickr8k')
(path / 'Flicker8k_Dataset').mkdir(parents=True)
things = ['dog', 'cat', 'boy', 'girl', 'man', 'woman', 'bird', 'horse']
places = ['on the grass', 'in the water', 'on a beach', 'in the snow', 'near a tree']
def picture(i):
  yy, xx = np.mgrid[0:60, 0:80]
  return np.stack([(xx * 3 + 20 * i) % 256, (yy * 4 + 9 * i) % 256, ((xx + yy) // 10 % 2) * 150 + 40], -1).astype(np.uint8)
cap_dict = {}
for i, thing in enumerate(things):
  fname = f'{1000 + i}_pic.jpg'
  Image.fromarray(picture(i)).save(path / 'Flicker8k_Dataset' / fname, quality=90)
  cap_dict[fname] = [f'A {thing} is running {place}.' if k % 2 else f'The {thing} plays {place}!'
                     for k, place in enumerate(places)]
train_files = sorted(cap_dict)[:6]
test_files = sorted(cap_dict)[6:]
train_captions = [(str(path / 'Flicker8k_Dataset' / fname), cap_dict[fname]) for fname in train_files]
test_captions = [(str(path / 'Flicker8k_Dataset' / fname), cap_dict[fname]) for fname in test_files]
train_raw = tf.data.experimental.from_list(train_captions)
test_raw = tf.data.experimental.from_list(test_captions)

print(train_raw.element_spec)

for ex_path, ex_captions in train_raw.take(1):
  print(ex_path)
  print(ex_captions)

IMAGE_SHAPE=(224, 224, 3)
# weights='imagenet' (the default) is a download: weights=None stands in
mobilenet = tf.keras.applications.MobileNetV3Small(
    input_shape=IMAGE_SHAPE,
    include_top=False,
    include_preprocessing=True,
    weights=None)
mobilenet.trainable=False

def load_image(image_path):
    img = tf.io.read_file(image_path)
    img = tf.io.decode_jpeg(img, channels=3)
    img = tf.image.resize(img, IMAGE_SHAPE[:-1])
    return img

test_img_batch = load_image(ex_path)[tf.newaxis, :]

print(test_img_batch.shape)
print(mobilenet(test_img_batch).shape)
print(mobilenet.name, len(mobilenet.layers), mobilenet.output_shape, mobilenet.count_params())

def standardize(s):
  s = tf.strings.lower(s)
  s = tf.strings.regex_replace(s, f'[{re.escape(string.punctuation)}]', '')
  s = tf.strings.join(['[START]', s, '[END]'], separator=' ')
  return s

print(standardize(tf.constant(['A Dog, running!', 'two cats'])))

# Use the top 5000 words for a vocabulary.
vocabulary_size = 5000
tokenizer = tf.keras.layers.TextVectorization(
    max_tokens=vocabulary_size,
    standardize=standardize,
    ragged=True)
# Learn the vocabulary from the caption data.

tokenizer.adapt(train_raw.map(lambda fp,txt: txt).unbatch().batch(1024))

print(tokenizer.get_vocabulary()[:10])
print(tokenizer.vocabulary_size())

t = tokenizer([['a cat in a hat'], ['a robot dog']])
print(t)
print(type(t).__name__, t.shape, t.dtype)

# Create mappings for words to indices and indices to words.
word_to_index = tf.keras.layers.StringLookup(
    mask_token="",
    vocabulary=tokenizer.get_vocabulary())
index_to_word = tf.keras.layers.StringLookup(
    mask_token="",
    vocabulary=tokenizer.get_vocabulary(),
    invert=True)

w = index_to_word(t)
print(w.to_list())
print(tf.strings.reduce_join(w, separator=' ', axis=-1).numpy())
print(word_to_index([['[START]']]), word_to_index('[END]'))

def match_shapes(images, captions):
  caption_shape = einops.parse_shape(captions, 'b c')
  captions = einops.rearrange(captions, 'b c -> (b c)')
  images = einops.repeat(
      images, 'b ... -> (b c) ...',
      c = caption_shape['c'])
  return images, captions

for ex_paths, ex_captions in train_raw.batch(32).take(1):
  break

print('image paths:', ex_paths.shape)
print('captions:', ex_captions.shape)
print()

ex_paths, ex_captions = match_shapes(images=ex_paths, captions=ex_captions)

print('image_paths:', ex_paths.shape)
print('captions:', ex_captions.shape)
print(ex_paths[:6].numpy()[[0, 4, 5]], ex_captions[5].numpy())

'''

# what TF 2.21 / Keras 3.15 printed for GUIDE (import tensorflow as tf), line by line
TF_OUTPUT = [
    '(TensorSpec(shape=(), dtype=tf.string, name=None), TensorSpec(shape=(5,), dtype=tf.string, name=None))',
    "tf.Tensor(b'flickr8k/Flicker8k_Dataset/1000_pic.jpg', shape=(), dtype=string)",
    'tf.Tensor(',
    "[b'The dog plays on the grass!' b'A dog is running in the water.'",
    " b'The dog plays on a beach!' b'A dog is running in the snow.'",
    " b'The dog plays near a tree!'], shape=(5,), dtype=string)",
    '(1, 224, 224, 3)',
    '(1, 7, 7, 576)',
    'MobileNetV3Small 157 (None, 7, 7, 576) 939120',
    "tf.Tensor([b'[START] a dog running [END]' b'[START] two cats [END]'], shape=(2,), dtype=string)",
    "['', '[UNK]', np.str_('the'), np.str_('[START]'), np.str_('[END]'), np.str_('a'), np.str_('plays'), np.str_('running'), np.str_('on'), np.str_('is')]",
    '23',
    '<tf.RaggedTensor [[3, 5, 21, 10, 5, 1, 4], [3, 5, 1, 20, 4]]>',
    "RaggedTensor (2, None) <dtype: 'int64'>",
    "[[b'[START]', b'a', b'cat', b'in', b'a', b'[UNK]', b'[END]'], [b'[START]', b'a', b'[UNK]', b'dog', b'[END]']]",
    "[b'[START] a cat in a [UNK] [END]' b'[START] a [UNK] dog [END]']",
    'tf.Tensor([[3]], shape=(1, 1), dtype=int64) tf.Tensor(4, shape=(), dtype=int64)',
    'image paths: (6,)',
    'captions: (6, 5)',
    '',
    'image_paths: (30,)',
    'captions: (30,)',
    "[b'flickr8k/Flicker8k_Dataset/1000_pic.jpg'",
    " b'flickr8k/Flicker8k_Dataset/1000_pic.jpg'",
    " b'flickr8k/Flicker8k_Dataset/1001_pic.jpg'] b'The cat plays on the grass!'",
    '',
]


def test_image_captioning_data_part_prints_what_tensorflow_printed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with np.printoptions(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                         floatmode="maxprec", sign="-", legacy=False):
        assert_guide_prints(GUIDE, "image_captioning", TF_OUTPUT)


def test_einops_repeat_of_a_followed_tensor_has_a_gradient():
    """einops' NumPy backend on glassnet Tensors gives Tensors, and its np.tile (einops.repeat) is
    recorded as tf.tile: the gradient adds up the copies, as central differences say (float64)."""
    import einops
    import glassnet as tf
    from conftest import central_difference
    x0 = np.random.default_rng(0).normal(size=(2, 3))
    w = np.random.default_rng(1).normal(size=(2, 3, 4))

    def f(x):
        return float(np.sum(np.asarray(einops.repeat(tf.constant(x), "b c -> b c r", r=4)) ** 2 * w))
    x = tf.Variable(x0)
    with tf.GradientTape() as tape:
        y = einops.repeat(tf.convert_to_tensor(x) * 1.0, "b c -> b c r", r=4)
        assert type(y) is tf.Tensor
        loss = tf.reduce_sum(y * y * w)
    np.testing.assert_allclose(np.asarray(tape.gradient(loss, x)), central_difference(f, x0.copy()), rtol=1e-6)


def test_ragged_ellipsis_and_lookup_of_ragged_ids():
    import glassnet as tf
    rt = tf.ragged.constant([[1, 2, 3], [4], [5, 6]])
    assert rt[..., :-1].to_list() == [[1, 2], [], [5]] and rt[..., 1:].to_list() == [[2, 3], [], [6]]
    assert rt[1:, ...].to_list() == [[4], [5, 6]] and rt[...].to_list() == rt.to_list()
    lookup = tf.keras.layers.StringLookup(vocabulary=["a", "b"], invert=True)
    assert lookup(tf.ragged.constant([[1, 2], [2]], dtype=tf.int64)).to_list() == [[b"a", b"b"], [b"b"]]


def test_from_list_spec_and_refusal():
    import pytest
    import glassnet as tf
    ds = tf.data.experimental.from_list([("a.jpg", ["x", "y"]), ("b.jpg", ["z"])])
    assert str(ds.element_spec) == ("(TensorSpec(shape=(), dtype=tf.string, name=None), "
                                    "TensorSpec(shape=(None,), dtype=tf.string, name=None))")
    assert [b.numpy().tolist() for _, b in ds] == [[b"x", b"y"], [b"z"]]
    with pytest.raises(ValueError, match=r"elements\[1\]"):
        tf.data.experimental.from_list([(1, 2), (1,)])
    assert list(tf.data.Dataset.range(3).apply(tf.data.experimental.ignore_errors()).as_numpy_iterator()) == [0, 1, 2]
