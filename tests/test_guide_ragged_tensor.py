"""TensorFlow's guide "Ragged tensors" run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the guide's cells
reconstructed, stand-in data where it downloads). Lines in NUMERIC are the same text with numbers
equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

from conftest import assert_guide_prints

GUIDE = r'''import math
import tensorflow as tf

def show(f):
  try:
    print(f())
  except Exception as e:
    print(f"{type(e).__name__}: {e}")

digits = tf.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2], [6], []])
words = tf.ragged.constant([["So", "long"], ["thanks", "for", "all", "the", "fish"]])
show(lambda: tf.add(digits, 3))
show(lambda: tf.reduce_mean(digits, axis=1))
show(lambda: tf.concat([digits, [[5, 3]]], axis=0))
show(lambda: tf.tile(digits, [1, 2]))
show(lambda: tf.strings.substr(words, 0, 2))
show(lambda: tf.map_fn(tf.math.square, digits))
show(lambda: digits[0])
show(lambda: digits[:, :2])
show(lambda: digits[:, -2:])
show(lambda: digits + 3)
show(lambda: digits + tf.ragged.constant([[1, 2, 3, 4], [], [5, 6, 7], [8], []]))
times_two_plus_one = lambda x: x * 2 + 1
show(lambda: tf.ragged.map_flat_values(times_two_plus_one, digits))
show(lambda: digits.to_list())
show(lambda: repr(digits.numpy()))

sentences = tf.ragged.constant([
    ["Let's", "build", "some", "ragged", "tensors", "!"],
    ["We", "can", "use", "tf.ragged.constant", "."]])
show(lambda: sentences)
paragraphs = tf.ragged.constant([
    [['I', 'have', 'a', 'cat'], ['His', 'name', 'is', 'Mat']],
    [['Do', 'you', 'want', 'to', 'come', 'visit'], ["I'm", 'free', 'tomorrow']],
])
show(lambda: paragraphs)
show(lambda: tf.RaggedTensor.from_value_rowids(
    values=[3, 1, 4, 1, 5, 9, 2],
    value_rowids=[0, 0, 0, 0, 2, 2, 3]))
show(lambda: tf.RaggedTensor.from_row_lengths(
    values=[3, 1, 4, 1, 5, 9, 2],
    row_lengths=[4, 0, 2, 1]))
show(lambda: tf.RaggedTensor.from_row_splits(
    values=[3, 1, 4, 1, 5, 9, 2],
    row_splits=[0, 4, 4, 6, 7]))
show(lambda: tf.ragged.constant([["Hi"], ["How", "are", "you"]]))
show(lambda: tf.ragged.constant([[[1, 2], [3]], [[4, 5]]]))
show(lambda: tf.ragged.constant([["one", "two"], [3, 4]]))
show(lambda: tf.ragged.constant(["A", ["B", "C"]]))

queries = tf.ragged.constant([['Who', 'is', 'Dan', 'Smith'],
                              ['Pause'],
                              ['Will', 'it', 'rain', 'later', 'today']])
num_buckets = 1024
embedding_size = 4
embedding_table = tf.Variable(
    tf.reshape(tf.range(num_buckets * embedding_size, dtype=tf.float32) % 7.0 / 7.0,
               [num_buckets, embedding_size]))
word_buckets = tf.strings.to_hash_bucket_fast(queries, num_buckets)
show(lambda: word_buckets)
word_embeddings = tf.nn.embedding_lookup(embedding_table, word_buckets)
marker = tf.fill([queries.nrows(), 1], '#')
padded = tf.concat([marker, queries, marker], axis=1)
show(lambda: padded)
bigrams = tf.strings.join([padded[:, :-1], padded[:, 1:]], separator='+')
show(lambda: bigrams)
bigram_buckets = tf.strings.to_hash_bucket_fast(bigrams, num_buckets)
bigram_embeddings = tf.nn.embedding_lookup(embedding_table, bigram_buckets)
all_embeddings = tf.concat([word_embeddings, bigram_embeddings], axis=1)
avg_embedding = tf.reduce_mean(all_embeddings, axis=1)
show(lambda: avg_embedding)

show(lambda: tf.ragged.constant([["Hi"], ["How", "are", "you"]]).shape)
show(lambda: tf.ragged.constant([["Hi"], ["How", "are", "you"]]).bounding_shape())
ragged_x = tf.ragged.constant([["John"], ["a", "big", "dog"], ["my", "cat"]])
ragged_y = tf.ragged.constant([["fell", "asleep"], ["barked"], ["is", "fuzzy"]])
show(lambda: tf.concat([ragged_x, ragged_y], axis=1))
show(lambda: tf.sparse.to_dense(tf.sparse.concat(sp_inputs=[ragged_x.to_sparse(), ragged_y.to_sparse()], axis=1), ''))

x = tf.ragged.constant([[1, 2], [3], [4, 5, 6]])
y = tf.ragged.constant([[1, 1], [2], [3, 3, 3]])
show(lambda: x + y)
show(lambda: x + 3)
queries = tf.ragged.constant(
    [['Who', 'is', 'George', 'Washington'],
     ['What', 'is', 'the', 'weather', 'tomorrow'],
     ['Goodnight']])
show(lambda: queries[1])
show(lambda: queries[1, 2])
show(lambda: queries[1:])
show(lambda: queries[:, :3])
show(lambda: queries[:, -2:])
rt = tf.ragged.constant([[[1, 2, 3], [4]],
                         [[5], [], [6]],
                         [[7]],
                         [[8, 9], [10]]])
show(lambda: rt[1])
show(lambda: rt[3, 0])
show(lambda: rt[:, 1:3])
show(lambda: rt[:, -1:])

ragged_sentences = tf.ragged.constant([
    ['Hi'], ['Welcome', 'to', 'the', 'fair'], ['Have', 'fun']])
show(lambda: ragged_sentences.to_tensor(default_value='', shape=[None, 10]))
x = [[1, 3, -1, -1], [2, -1, -1, -1], [4, 5, 8, 9]]
show(lambda: tf.RaggedTensor.from_tensor(x, padding=-1))
show(lambda: ragged_sentences.to_sparse())
st = tf.SparseTensor(indices=[[0, 0], [2, 0], [2, 1]],
                     values=['a', 'b', 'c'],
                     dense_shape=[3, 3])
show(lambda: tf.RaggedTensor.from_sparse(st))

rt = tf.ragged.constant([[1, 2], [3, 4, 5], [6], [], [7]])
print("Python list:", rt.to_list())
show(lambda: ("NumPy array:", rt.numpy()))
print("Values:", rt.values.numpy())
print("Splits:", rt.row_splits.numpy())
print("Indexed value:", rt[1].numpy())

x = tf.constant([[1, 2], [3, 4], [5, 6]])
print(x.shape)
rt = tf.ragged.constant([[1], [2, 3], [], [4]])
print(rt.shape)

x = tf.ragged.constant([[1, 2], [3]])
show(lambda: x + 3)
x = tf.ragged.constant(
   [[10, 87, 12],
    [19, 53],
    [12, 32]])
show(lambda: x + [[1000], [2000], [3000]])
x = tf.ragged.constant(
    [[[1, 2], [3, 4], [5, 6]],
     [[7, 8]]],
    ragged_rank=1)
show(lambda: x + tf.constant([[10, 20]]))
x = tf.ragged.constant(
    [[[1], [2]],
     [],
     [[3]],
     [[4]]],
    ragged_rank=1)
show(lambda: x + tf.constant([10, 20, 30]))

rt = tf.RaggedTensor.from_row_splits(
    values=tf.RaggedTensor.from_row_splits(
        values=[10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
        row_splits=[0, 3, 3, 5, 9, 10]),
    row_splits=[0, 1, 1, 5])
print(rt)
print("Shape: {}".format(rt.shape))
print("Number of partitioned dimensions: {}".format(rt.ragged_rank))
show(lambda: tf.RaggedTensor.from_nested_row_splits(
    flat_values=[10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
    nested_row_splits=([0, 1, 1, 5], [0, 3, 3, 5, 9, 10])))

conversations = tf.ragged.constant(
    [[[["I", "like", "ragged", "tensors."]],
      [["Oh", "yeah?"], ["What", "can", "you", "use", "them", "for?"]],
      [["Processing", "variable", "length", "data!"]]],
     [[["I", "like", "cheese."], ["Do", "you?"]],
      [["Yes."], ["I", "do."]]]])
print(conversations.shape)
print(conversations.ragged_rank, len(conversations.nested_row_splits))
show(lambda: repr(conversations.flat_values.numpy()))

rt = tf.RaggedTensor.from_row_splits(
    values=[[1, 3], [0, 0], [1, 3], [5, 3], [3, 3], [1, 2]],
    row_splits=[0, 3, 4, 6])
print(rt)
print("Shape: {}".format(rt.shape))
print("Number of partitioned dimensions: {}".format(rt.ragged_rank))
print("Flat values shape: {}".format(rt.flat_values.shape))
print("Flat values:\n{}".format(rt.flat_values))
show(lambda: tf.RaggedTensor.from_uniform_row_length(
    values=tf.RaggedTensor.from_row_splits(
        values=[10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
        row_splits=[0, 3, 5, 9, 10]),
    uniform_row_length=2))
'''

# printed by TensorFlow 2.21 (/work/peers/bin/python), log lines removed
TF_OUTPUT = [
    '<tf.RaggedTensor [[6, 4, 7, 4], [], [8, 12, 5], [9], []]>',
    'tf.Tensor([2.25              nan 5.33333333 6.                nan], shape=(5,), dtype=float64)',
    '<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9, 2], [6], [], [5, 3]]>',
    '<tf.RaggedTensor [[3, 1, 4, 1, 3, 1, 4, 1], [], [5, 9, 2, 5, 9, 2], [6, 6], []]>',
    "<tf.RaggedTensor [[b'So', b'lo'], [b'th', b'fo', b'al', b'th', b'fi']]>",
    '<tf.RaggedTensor [[9, 1, 16, 1], [], [25, 81, 4], [36], []]>',
    'tf.Tensor([3 1 4 1], shape=(4,), dtype=int32)',
    '<tf.RaggedTensor [[3, 1], [], [5, 9], [6], []]>',
    '<tf.RaggedTensor [[4, 1], [], [9, 2], [6], []]>',
    '<tf.RaggedTensor [[6, 4, 7, 4], [], [8, 12, 5], [9], []]>',
    '<tf.RaggedTensor [[4, 3, 7, 5], [], [10, 15, 9], [14], []]>',
    '<tf.RaggedTensor [[7, 3, 9, 3], [], [11, 19, 5], [13], []]>',
    '[[3, 1, 4, 1], [], [5, 9, 2], [6], []]',
    'array([array([3, 1, 4, 1], dtype=int32), array([], dtype=int32),',
    '       array([5, 9, 2], dtype=int32), array([6], dtype=int32),',
    '       array([], dtype=int32)], dtype=object)',
    '<tf.RaggedTensor [[b"Let\'s", b\'build\', b\'some\', b\'ragged\', b\'tensors\', b\'!\'],',
    " [b'We', b'can', b'use', b'tf.ragged.constant', b'.']]>",
    "<tf.RaggedTensor [[[b'I', b'have', b'a', b'cat'], [b'His', b'name', b'is', b'Mat']],",
    " [[b'Do', b'you', b'want', b'to', b'come', b'visit'],",
    '  [b"I\'m", b\'free\', b\'tomorrow\']]]>',
    '<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9], [2]]>',
    '<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9], [2]]>',
    '<tf.RaggedTensor [[3, 1, 4, 1], [], [5, 9], [2]]>',
    "<tf.RaggedTensor [[b'Hi'], [b'How', b'are', b'you']]>",
    '<tf.RaggedTensor [[[1, 2], [3]], [[4, 5]]]>',
    "ValueError: Can't convert Python sequence with mixed types to Tensor.",
    'ValueError: all scalar values must have the same nesting depth',
    '<tf.RaggedTensor [[633, 768, 237, 309], [28], [847, 998, 635, 20, 547]]>',
    "<tf.RaggedTensor [[b'#', b'Who', b'is', b'Dan', b'Smith', b'#'], [b'#', b'Pause', b'#'],",
    " [b'#', b'Will', b'it', b'rain', b'later', b'today', b'#']]>",
    "<tf.RaggedTensor [[b'#+Who', b'Who+is', b'is+Dan', b'Dan+Smith', b'Smith+#'],",
    " [b'#+Pause', b'Pause+#'],",
    " [b'#+Will', b'Will+it', b'it+rain', b'rain+later', b'later+today',",
    "  b'today+#']                                                      ]>",
    'tf.Tensor(',
    '[[0.47619045 0.50793654 0.53968257 0.23809525]',
    ' [0.0952381  0.23809524 0.3809524  0.5238095 ]',
    ' [0.3896104  0.44155845 0.5844157  0.54545456]], shape=(3, 4), dtype=float32)',
    '(2, None)',
    'tf.Tensor([2 3], shape=(2,), dtype=int64)',
    "<tf.RaggedTensor [[b'John', b'fell', b'asleep'], [b'a', b'big', b'dog', b'barked'],",
    " [b'my', b'cat', b'is', b'fuzzy']]>",
    'tf.Tensor(',
    "[[b'John' b'' b'' b'fell' b'asleep']",
    " [b'a' b'big' b'dog' b'barked' b'']",
    " [b'my' b'cat' b'' b'is' b'fuzzy']], shape=(3, 5), dtype=string)",
    '<tf.RaggedTensor [[2, 3], [5], [7, 8, 9]]>',
    '<tf.RaggedTensor [[4, 5], [6], [7, 8, 9]]>',
    "tf.Tensor([b'What' b'is' b'the' b'weather' b'tomorrow'], shape=(5,), dtype=string)",
    "tf.Tensor(b'the', shape=(), dtype=string)",
    "<tf.RaggedTensor [[b'What', b'is', b'the', b'weather', b'tomorrow'], [b'Goodnight']]>",
    "<tf.RaggedTensor [[b'Who', b'is', b'George'], [b'What', b'is', b'the'], [b'Goodnight']]>",
    "<tf.RaggedTensor [[b'George', b'Washington'], [b'weather', b'tomorrow'], [b'Goodnight']]>",
    '<tf.RaggedTensor [[5], [], [6]]>',
    'tf.Tensor([8 9], shape=(2,), dtype=int32)',
    '<tf.RaggedTensor [[[4]], [[], [6]], [], [[10]]]>',
    '<tf.RaggedTensor [[[4]],',
    '',
    ' [[6]],',
    '',
    ' [[7]],',
    '',
    ' [[10]]]>',
    'tf.Tensor(',
    "[[b'Hi' b'' b'' b'' b'' b'' b'' b'' b'' b'']",
    " [b'Welcome' b'to' b'the' b'fair' b'' b'' b'' b'' b'' b'']",
    " [b'Have' b'fun' b'' b'' b'' b'' b'' b'' b'' b'']], shape=(3, 10), dtype=string)",
    '<tf.RaggedTensor [[1, 3], [2], [4, 5, 8, 9]]>',
    'SparseTensor(indices=tf.Tensor(',
    '[[0 0]',
    ' [1 0]',
    ' [1 1]',
    ' [1 2]',
    ' [1 3]',
    ' [2 0]',
    " [2 1]], shape=(7, 2), dtype=int64), values=tf.Tensor([b'Hi' b'Welcome' b'to' b'the' b'fair' b'Have' b'fun'], shape=(7,), dtype=string), dense_shape=tf.Tensor([3 4], shape=(2,), dtype=int64))",
    "<tf.RaggedTensor [[b'a'], [], [b'b', b'c']]>",
    'Python list: [[1, 2], [3, 4, 5], [6], [], [7]]',
    "('NumPy array:', array([array([1, 2], dtype=int32), array([3, 4, 5], dtype=int32),",
    '       array([6], dtype=int32), array([], dtype=int32),',
    '       array([7], dtype=int32)], dtype=object))',
    'Values: [1 2 3 4 5 6 7]',
    'Splits: [0 2 5 6 6 7]',
    'Indexed value: [3 4 5]',
    '(3, 2)',
    '(4, None)',
    '<tf.RaggedTensor [[4, 5], [6]]>',
    '<tf.RaggedTensor [[1010, 1087, 1012], [2019, 2053], [3012, 3032]]>',
    '<tf.RaggedTensor [[[11, 22],',
    '  [13, 24],',
    '  [15, 26]], [[17, 28]]]>',
    '<tf.RaggedTensor [[[11, 21, 31],',
    '  [12, 22, 32]], [], [[13, 23, 33]], [[14, 24, 34]]]>',
    '<tf.RaggedTensor [[[10, 11, 12]], [], [[], [13, 14], [15, 16, 17, 18], [19]]]>',
    'Shape: (3, None, None)',
    'Number of partitioned dimensions: 2',
    '<tf.RaggedTensor [[[10, 11, 12]], [], [[], [13, 14], [15, 16, 17, 18], [19]]]>',
    '(2, None, None, None)',
    '3 3',
    "array([b'I', b'like', b'ragged', b'tensors.', b'Oh', b'yeah?', b'What',",
    "       b'can', b'you', b'use', b'them', b'for?', b'Processing',",
    "       b'variable', b'length', b'data!', b'I', b'like', b'cheese.', b'Do',",
    "       b'you?', b'Yes.', b'I', b'do.'], dtype=object)",
    '<tf.RaggedTensor [[[1, 3],',
    '  [0, 0],',
    '  [1, 3]], [[5, 3]], [[3, 3],',
    '                      [1, 2]]]>',
    'Shape: (3, None, 2)',
    'Number of partitioned dimensions: 1',
    'Flat values shape: (6, 2)',
    'Flat values:',
    '[[1 3]',
    ' [0 0]',
    ' [1 3]',
    ' [5 3]',
    ' [3 3]',
    ' [1 2]]',
    '<tf.RaggedTensor [[[10, 11, 12], [13, 14]],',
    ' [[15, 16, 17, 18], [19]]]>',
    '',
]
NUMERIC = []


def test_guide_prints_what_tensorflow_prints():
    assert_guide_prints(GUIDE, "ragged_tensor_guide", TF_OUTPUT, NUMERIC)


def test_map_fn_over_a_ragged_tensors_rows():
    # TF 2.21's answers
    import glassnet as tf
    digits = tf.ragged.constant([[3, 1, 4, 1], [], [5, 9, 2], [6], []])
    assert str(tf.map_fn(tf.reduce_sum, digits, fn_output_signature=tf.int32)) == \
        "tf.Tensor([ 9  0 16  6  0], shape=(5,), dtype=int32)"
    spec = tf.RaggedTensorSpec(shape=[None], dtype=tf.int32)
    assert repr(spec) == "RaggedTensorSpec(TensorShape([None]), tf.int32, 0, tf.int64)"
    assert str(tf.map_fn(lambda r: r * 2, digits, fn_output_signature=spec)) == \
        "<tf.RaggedTensor [[6, 2, 8, 2], [], [10, 18, 4], [12], []]>"
    assert str(tf.ragged.constant([[], []]).shape) == "(2, None)"
