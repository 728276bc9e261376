"""TensorFlow's tutorial "Neural machine translation with a Transformer and Keras"
(tutorials/text/transformer) run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded under TF 2.21 / Keras 3.15). Stand-ins: a dozen
Portuguese-English pairs for ``tfds.load('ted_hrlr_translate/pt_to_en')``, and a tiny word tokenizer
(a tf.Module of StringLookup layers: tokenize with [START]/[END], lookup, detokenize, get_vocab_size)
for the downloaded subword tokenizers' saved model; small sizes (d_model 16-32, two layers),
MAX_TOKENS 8, two epochs; plotting left out. Changed where Keras 3.15 itself fails: Embedding takes
int(vocab size) (it refuses a NumPy integer). The shuffled batch's lengths vary from run to run, so
the shapes printed are from the first four pairs in order; translations from random weights print
types and shapes only. Lines in NUMERIC: the same float32 to its last digit (rsqrt, the masked loss).
Covered: positional_encoding in NumPy then tf.cast, PositionalEmbedding with compute_mask and
_keras_mask, Cross/Global/CausalSelfAttention (use_causal_mask, last_attn_scores), the FeedForward
Sequential, Encoder/Decoder layers, the Transformer model's summary ('?' for the layers written with
call), CustomSchedule with tf.math.rsqrt and get_config, Adam(beta_2=0.98, epsilon=1e-9), masked
loss/accuracy through fit, the Translator's tf.TensorArray loop and tf.argmax, ExportTranslator
through tf.function and tf.saved_model.save/load."""

import numpy as np
from conftest import assert_guide_prints

GUIDE = r'''import os
import tempfile
import numpy as np
import tensorflow as tf

# tfds.load('ted_hrlr_translate/pt_to_en') downloads: a few sentence pairs stand in
PAIRS = [
  ("este é um problema que temos que resolver .", "this is a problem we have to solve ."),
  ("os meus vizinhos ouviram sobre esta ideia .", "and my neighboring homes heard about this idea ."),
  ("este é o primeiro livro que eu fiz .", "this is the first book i've ever done ."),
  ("eu tenho um livro .", "i have a book ."), ("o livro é bom .", "the book is good ."),
  ("temos um problema .", "we have a problem ."), ("esta é a minha casa .", "this is my house ."),
  ("eu fiz isto .", "i did this ."), ("a ideia é boa .", "the idea is good ."),
  ("os vizinhos ouviram .", "the neighbors heard ."), ("eu tenho uma ideia .", "i have an idea ."),
  ("este livro é meu .", "this book is mine ."),
]
train_examples = tf.data.Dataset.from_tensor_slices(([pt for pt, en in PAIRS[:10]], [en for pt, en in PAIRS[:10]]))
val_examples = tf.data.Dataset.from_tensor_slices(([pt for pt, en in PAIRS[10:]], [en for pt, en in PAIRS[10:]]))

for pt_examples, en_examples in train_examples.batch(3).take(1):
  print('> Examples in Portuguese:')
  for pt in pt_examples.numpy():
    print(pt.decode('utf-8'))
  print()

  print('> Examples in English:')
  for en in en_examples.numpy():
    print(en.decode('utf-8'))

# the tutorial downloads a saved model of two subword tokenizers: a tiny word tokenizer stands in
class TinyTokenizer(tf.Module):
  def __init__(self, sentences):
    words = sorted({w for s in sentences for w in s.split()})
    self.vocab = ['[PAD]', '[UNK]', '[START]', '[END]'] + words
    self.word_to_id = tf.keras.layers.StringLookup(vocabulary=self.vocab[2:], mask_token='', oov_token='[UNK]')
    self.id_to_word = tf.keras.layers.StringLookup(vocabulary=self.vocab[2:], mask_token='', oov_token='[UNK]',
                                                   invert=True)

  def tokenize(self, strings):
    strings = tf.strings.join(['[START]', tf.strings.lower(strings), '[END]'], separator=' ')
    return self.word_to_id(tf.strings.split(strings))

  def lookup(self, token_ids):
    return self.id_to_word(token_ids)

  def detokenize(self, token_ids):
    text = tf.strings.reduce_join(self.id_to_word(token_ids), separator=' ', axis=-1)
    return tf.strings.strip(tf.strings.regex_replace(text, r'\[START\]|\[END\]|\[PAD\]', ''))

  def get_vocab_size(self):
    return tf.constant(len(self.vocab))

tokenizers = tf.Module()
tokenizers.pt = TinyTokenizer([pt for pt, en in PAIRS])
tokenizers.en = TinyTokenizer([en for pt, en in PAIRS])
print(tokenizers.pt.get_vocab_size().numpy(), tokenizers.en.get_vocab_size().numpy())

print('> This is a batch of strings:')
for en in en_examples.numpy():
  print(en.decode('utf-8'))

encoded = tokenizers.en.tokenize(en_examples)

print('> This is a padded-batch of token IDs:')
for row in encoded.to_list():
  print(row)

round_trip = tokenizers.en.detokenize(encoded)

print('> This is human-readable text:')
for line in round_trip.numpy():
  print(line.decode('utf-8'))

print('> This is the text split into tokens:')
tokens = tokenizers.en.lookup(encoded)
print(tokens)

lengths = []

for pt_examples, en_examples in train_examples.batch(4):
  pt_tokens = tokenizers.pt.tokenize(pt_examples)
  lengths.append(pt_tokens.row_lengths())

  en_tokens = tokenizers.en.tokenize(en_examples)
  lengths.append(en_tokens.row_lengths())
  print('.', end='', flush=True)
print()

all_lengths = np.concatenate(lengths)
max_length = max(all_lengths)
print(all_lengths, max_length)

MAX_TOKENS=8
def prepare_batch(pt, en):
    pt = tokenizers.pt.tokenize(pt)      # Output is ragged.
    pt = pt[:, :MAX_TOKENS]    # Trim to MAX_TOKENS.
    pt = pt.to_tensor()  # Convert to 0-padded dense Tensor

    en = tokenizers.en.tokenize(en)
    en = en[:, :(MAX_TOKENS+1)]
    en_inputs = en[:, :-1].to_tensor()  # Drop the [END] tokens
    en_labels = en[:, 1:].to_tensor()   # Drop the [START] tokens

    return (pt, en_inputs), en_labels

BUFFER_SIZE = 20000
BATCH_SIZE = 4

def make_batches(ds):
  return (
      ds
      .shuffle(BUFFER_SIZE)
      .batch(BATCH_SIZE)
      .map(prepare_batch, tf.data.AUTOTUNE)
      .prefetch(buffer_size=tf.data.AUTOTUNE))

train_batches = make_batches(train_examples)
val_batches = make_batches(val_examples)

for (pt, en), en_labels in train_batches.take(1):
  break
print(pt.shape[0], en.dtype, en_labels.shape[0])
# (the shuffled batch's lengths vary from run to run: the first four pairs, in order, from here on)
(pt, en), en_labels = prepare_batch(tf.constant([p for p, e in PAIRS[:4]]), tf.constant([e for p, e in PAIRS[:4]]))

print(pt.shape)
print(en.shape)
print(en_labels.shape)

print(en[0][:10])
print(en_labels[0][:10])

def positional_encoding(length, depth):
  depth = depth/2

  positions = np.arange(length)[:, np.newaxis]     # (seq, 1)
  depths = np.arange(depth)[np.newaxis, :]/depth   # (1, depth)

  angle_rates = 1 / (10000**depths)         # (1, depth)
  angle_rads = positions * angle_rates      # (pos, depth)

  pos_encoding = np.concatenate(
      [np.sin(angle_rads), np.cos(angle_rads)],
      axis=-1)

  return tf.cast(pos_encoding, dtype=tf.float32)

pos_encoding = positional_encoding(length=2048, depth=512)

# Check the shape.
print(pos_encoding.shape)
print(pos_encoding[1, :3], pos_encoding.dtype)

pos_encoding/=tf.norm(pos_encoding, axis=1, keepdims=True)
p = pos_encoding[1000]
dots = tf.einsum('pd,d -> p', pos_encoding, p)
print(dots.shape, np.round(dots[998:1003].numpy(), 4))

class PositionalEmbedding(tf.keras.layers.Layer):
  def __init__(self, vocab_size, d_model):
    super().__init__()
    self.d_model = d_model
    self.embedding = tf.keras.layers.Embedding(vocab_size, d_model, mask_zero=True)
    self.pos_encoding = positional_encoding(length=2048, depth=d_model)

  def compute_mask(self, *args, **kwargs):
    return self.embedding.compute_mask(*args, **kwargs)

  def call(self, x):
    length = tf.shape(x)[1]
    x = self.embedding(x)
    # This factor sets the relative scale of the embedding and positonal_encoding.
    x *= tf.math.sqrt(tf.cast(self.d_model, tf.float32))
    x = x + self.pos_encoding[tf.newaxis, :length, :]
    return x

D = 32
# (Keras 3.15's Embedding refuses a NumPy integer as input_dim: int() here and below)
embed_pt = PositionalEmbedding(vocab_size=int(tokenizers.pt.get_vocab_size().numpy()), d_model=D)
embed_en = PositionalEmbedding(vocab_size=int(tokenizers.en.get_vocab_size().numpy()), d_model=D)

pt_emb = embed_pt(pt)
en_emb = embed_en(en)
print(en_emb._keras_mask)

class BaseAttention(tf.keras.layers.Layer):
  def __init__(self, **kwargs):
    super().__init__()
    self.mha = tf.keras.layers.MultiHeadAttention(**kwargs)
    self.layernorm = tf.keras.layers.LayerNormalization()
    self.add = tf.keras.layers.Add()

class CrossAttention(BaseAttention):
  def call(self, x, context):
    attn_output, attn_scores = self.mha(
        query=x,
        key=context,
        value=context,
        return_attention_scores=True)

    # Cache the attention scores for plotting later.
    self.last_attn_scores = attn_scores

    x = self.add([x, attn_output])
    x = self.layernorm(x)

    return x

sample_ca = CrossAttention(num_heads=2, key_dim=D)

print(pt_emb.shape)
print(en_emb.shape)
print(sample_ca(en_emb, pt_emb).shape)
print(sample_ca.last_attn_scores.shape, np.round(sample_ca.last_attn_scores.numpy().sum(-1)[0, 0], 4))

class GlobalSelfAttention(BaseAttention):
  def call(self, x):
    attn_output = self.mha(
        query=x,
        value=x,
        key=x)
    x = self.add([x, attn_output])
    x = self.layernorm(x)
    return x

sample_gsa = GlobalSelfAttention(num_heads=2, key_dim=D)

print(pt_emb.shape)
print(sample_gsa(pt_emb).shape)

class CausalSelfAttention(BaseAttention):
  def call(self, x):
    attn_output = self.mha(
        query=x,
        value=x,
        key=x,
        use_causal_mask = True)
    x = self.add([x, attn_output])
    x = self.layernorm(x)
    return x

sample_csa = CausalSelfAttention(num_heads=2, key_dim=D)

print(en_emb.shape)
print(sample_csa(en_emb).shape)

out1 = sample_csa(embed_en(en[:, :3]))
out2 = sample_csa(embed_en(en))[:, :3]

print(tf.reduce_max(abs(out1 - out2)).numpy() < 1e-5)

class FeedForward(tf.keras.layers.Layer):
  def __init__(self, d_model, dff, dropout_rate=0.1):
    super().__init__()
    self.seq = tf.keras.Sequential([
      tf.keras.layers.Dense(dff, activation='relu'),
      tf.keras.layers.Dense(d_model),
      tf.keras.layers.Dropout(dropout_rate)
    ])
    self.add = tf.keras.layers.Add()
    self.layer_norm = tf.keras.layers.LayerNormalization()

  def call(self, x):
    x = self.add([x, self.seq(x)])
    x = self.layer_norm(x)
    return x

sample_ffn = FeedForward(D, 64)

print(en_emb.shape)
print(sample_ffn(en_emb).shape)

class EncoderLayer(tf.keras.layers.Layer):
  def __init__(self,*, d_model, num_heads, dff, dropout_rate=0.1):
    super().__init__()

    self.self_attention = GlobalSelfAttention(
        num_heads=num_heads,
        key_dim=d_model,
        dropout=dropout_rate)

    self.ffn = FeedForward(d_model, dff)

  def call(self, x):
    x = self.self_attention(x)
    x = self.ffn(x)
    return x

sample_encoder_layer = EncoderLayer(d_model=D, num_heads=4, dff=64)

print(pt_emb.shape)
print(sample_encoder_layer(pt_emb).shape)

class Encoder(tf.keras.layers.Layer):
  def __init__(self, *, num_layers, d_model, num_heads,
               dff, vocab_size, dropout_rate=0.1):
    super().__init__()

    self.d_model = d_model
    self.num_layers = num_layers

    self.pos_embedding = PositionalEmbedding(
        vocab_size=vocab_size, d_model=d_model)

    self.enc_layers = [
        EncoderLayer(d_model=d_model,
                     num_heads=num_heads,
                     dff=dff,
                     dropout_rate=dropout_rate)
        for _ in range(num_layers)]
    self.dropout = tf.keras.layers.Dropout(dropout_rate)

  def call(self, x):
    # `x` is token-IDs shape: (batch, seq_len)
    x = self.pos_embedding(x)  # Shape `(batch_size, seq_len, d_model)`.

    # Add dropout.
    x = self.dropout(x)

    for i in range(self.num_layers):
      x = self.enc_layers[i](x)

    return x  # Shape `(batch_size, seq_len, d_model)`.

# Instantiate the encoder.
sample_encoder = Encoder(num_layers=2,
                         d_model=D,
                         num_heads=4,
                         dff=64,
                         vocab_size=8500)

sample_encoder_output = sample_encoder(pt, training=False)

# Print the shape.
print(pt.shape)
print(sample_encoder_output.shape)  # Shape `(batch_size, input_seq_len, d_model)`.

class DecoderLayer(tf.keras.layers.Layer):
  def __init__(self,
               *,
               d_model,
               num_heads,
               dff,
               dropout_rate=0.1):
    super(DecoderLayer, self).__init__()

    self.causal_self_attention = CausalSelfAttention(
        num_heads=num_heads,
        key_dim=d_model,
        dropout=dropout_rate)

    self.cross_attention = CrossAttention(
        num_heads=num_heads,
        key_dim=d_model,
        dropout=dropout_rate)

    self.ffn = FeedForward(d_model, dff)

  def call(self, x, context):
    x = self.causal_self_attention(x=x)
    x = self.cross_attention(x=x, context=context)

    # Cache the last attention scores for plotting later
    self.last_attn_scores = self.cross_attention.last_attn_scores

    x = self.ffn(x)  # Shape `(batch_size, seq_len, d_model)`.
    return x

sample_decoder_layer = DecoderLayer(d_model=D, num_heads=4, dff=64)

sample_decoder_layer_output = sample_decoder_layer(
    x=en_emb, context=pt_emb)

print(en_emb.shape)
print(pt_emb.shape)
print(sample_decoder_layer_output.shape)  # `(batch_size, seq_len, d_model)`

class Decoder(tf.keras.layers.Layer):
  def __init__(self, *, num_layers, d_model, num_heads, dff, vocab_size,
               dropout_rate=0.1):
    super(Decoder, self).__init__()

    self.d_model = d_model
    self.num_layers = num_layers

    self.pos_embedding = PositionalEmbedding(vocab_size=vocab_size,
                                             d_model=d_model)
    self.dropout = tf.keras.layers.Dropout(dropout_rate)
    self.dec_layers = [
        DecoderLayer(d_model=d_model, num_heads=num_heads,
                     dff=dff, dropout_rate=dropout_rate)
        for _ in range(num_layers)]

    self.last_attn_scores = None

  def call(self, x, context):
    # `x` is token-IDs shape (batch, target_seq_len)
    x = self.pos_embedding(x)  # (batch_size, target_seq_len, d_model)

    x = self.dropout(x)

    for i in range(self.num_layers):
      x  = self.dec_layers[i](x, context)

    self.last_attn_scores = self.dec_layers[-1].last_attn_scores

    # The shape of x is (batch_size, target_seq_len, d_model).
    return x

# Instantiate the decoder.
sample_decoder = Decoder(num_layers=2,
                         d_model=D,
                         num_heads=4,
                         dff=64,
                         vocab_size=8000)

output = sample_decoder(
    x=en,
    context=pt_emb)

# Print the shapes.
print(en.shape)
print(pt_emb.shape)
print(output.shape)

print(sample_decoder.last_attn_scores.shape)  # (batch, heads, target_seq, input_seq)

class Transformer(tf.keras.Model):
  def __init__(self, *, num_layers, d_model, num_heads, dff,
               input_vocab_size, target_vocab_size, dropout_rate=0.1):
    super().__init__()
    self.encoder = Encoder(num_layers=num_layers, d_model=d_model,
                           num_heads=num_heads, dff=dff,
                           vocab_size=input_vocab_size,
                           dropout_rate=dropout_rate)

    self.decoder = Decoder(num_layers=num_layers, d_model=d_model,
                           num_heads=num_heads, dff=dff,
                           vocab_size=target_vocab_size,
                           dropout_rate=dropout_rate)

    self.final_layer = tf.keras.layers.Dense(target_vocab_size)

  def call(self, inputs):
    # To use a Keras model with `.fit` you must pass all your inputs in the
    # first argument.
    context, x  = inputs

    context = self.encoder(context)  # (batch_size, context_len, d_model)

    x = self.decoder(x, context)  # (batch_size, target_len, d_model)

    # Final linear layer output.
    logits = self.final_layer(x)  # (batch_size, target_len, target_vocab_size)

    try:
      # Drop the keras mask, so it doesn't scale the losses/metrics.
      # b/250038731
      del logits._keras_mask
    except AttributeError:
      pass

    # Return the final output and the attention weights.
    return logits

num_layers = 2
d_model = 16
dff = 32
num_heads = 2
dropout_rate = 0.1

transformer = Transformer(
    num_layers=num_layers,
    d_model=d_model,
    num_heads=num_heads,
    dff=dff,
    input_vocab_size=int(tokenizers.pt.get_vocab_size().numpy()),
    target_vocab_size=int(tokenizers.en.get_vocab_size().numpy()),
    dropout_rate=dropout_rate)

output = transformer((pt, en))

print(en.shape)
print(pt.shape)
print(output.shape)

attn_scores = transformer.decoder.dec_layers[-1].last_attn_scores
print(attn_scores.shape)  # (batch, heads, target_seq, input_seq)

transformer.summary()

class CustomSchedule(tf.keras.optimizers.schedules.LearningRateSchedule):
  def __init__(self, d_model, warmup_steps=4000):
    super().__init__()

    self.d_model = d_model
    self.d_model = tf.cast(self.d_model, tf.float32)

    self.warmup_steps = warmup_steps

  def __call__(self, step):
    step = tf.cast(step, dtype=tf.float32)
    arg1 = tf.math.rsqrt(step)
    arg2 = step * (self.warmup_steps ** -1.5)

    return tf.math.rsqrt(self.d_model) * tf.math.minimum(arg1, arg2)

  def get_config(self):
    return {'d_model': float(self.d_model), 'warmup_steps': self.warmup_steps}

learning_rate = CustomSchedule(d_model)

optimizer = tf.keras.optimizers.Adam(learning_rate, beta_1=0.9, beta_2=0.98,
                                     epsilon=1e-9)
lr_curve = learning_rate(tf.range(40000, dtype=tf.float32))
print(lr_curve.shape, lr_curve.dtype, lr_curve[1].numpy(), lr_curve[3999].numpy(), lr_curve[39999].numpy())
print(learning_rate.get_config(), float(learning_rate(4000)))

def masked_loss(label, pred):
  mask = label != 0
  loss_object = tf.keras.losses.SparseCategoricalCrossentropy(
    from_logits=True, reduction='none')
  loss = loss_object(label, pred)

  mask = tf.cast(mask, dtype=loss.dtype)
  loss *= mask

  loss = tf.reduce_sum(loss)/tf.reduce_sum(mask)
  return loss


def masked_accuracy(label, pred):
  pred = tf.argmax(pred, axis=2)
  label = tf.cast(label, pred.dtype)
  match = label == pred

  mask = label != 0

  match = match & mask

  match = tf.cast(match, dtype=tf.float32)
  mask = tf.cast(mask, dtype=tf.float32)
  return tf.reduce_sum(match)/tf.reduce_sum(mask)

label = tf.constant([[2, 5, 0], [4, 0, 0]], tf.int64)
pred = tf.constant([[[0., 0., 3., 0., 0., 1.], [0., 0., 0., 0., 0., 2.], [9., 0., 0., 0., 0., 0.]],
                    [[0., 1., 0., 0., 0., 0.], [0., 0., 0., 0., 0., 0.], [1., 2., 3., 4., 5., 6.]]])
print(masked_loss(label, pred), masked_accuracy(label, pred))

transformer.compile(
    loss=masked_loss,
    optimizer=optimizer,
    metrics=[masked_accuracy])

history = transformer.fit(train_batches,
                          epochs=2,
                          validation_data=val_batches, verbose=0)
print(sorted(history.history), history.params)
print(transformer.optimizer.iterations.numpy(), np.float32(transformer.optimizer.learning_rate.numpy()) == learning_rate(6))

class Translator(tf.Module):
  def __init__(self, tokenizers, transformer):
    self.tokenizers = tokenizers
    self.transformer = transformer

  def __call__(self, sentence, max_length=MAX_TOKENS):
    # The input sentence is Portuguese, hence adding the `[START]` and `[END]` tokens.
    assert isinstance(sentence, tf.Tensor)
    if len(sentence.shape) == 0:
      sentence = sentence[tf.newaxis]

    sentence = self.tokenizers.pt.tokenize(sentence).to_tensor()

    encoder_input = sentence

    # As the output language is English, initialize the output with the
    # English `[START]` token.
    start_end = self.tokenizers.en.tokenize([''])[0]
    start = start_end[0][tf.newaxis]
    end = start_end[1][tf.newaxis]

    # `tf.TensorArray` is required here (instead of a Python list), so that the
    # dynamic-loop can be traced by `tf.function`.
    output_array = tf.TensorArray(dtype=tf.int64, size=0, dynamic_size=True)
    output_array = output_array.write(0, start)

    for i in tf.range(max_length):
      output = tf.transpose(output_array.stack())
      predictions = self.transformer([encoder_input, output], training=False)

      # Select the last token from the `seq_len` dimension.
      predictions = predictions[:, -1:, :]  # Shape `(batch_size, 1, vocab_size)`.

      predicted_id = tf.argmax(predictions, axis=-1)

      # Concatenate the `predicted_id` to the output which is given to the
      # decoder as its input.
      output_array = output_array.write(i+1, predicted_id[0])

      if predicted_id == end:
        break

    output = tf.transpose(output_array.stack())
    # The output shape is `(1, tokens)`.
    text = tokenizers.en.detokenize(output)[0]  # Shape: `()`.

    tokens = tokenizers.en.lookup(output)[0]

    # `tf.function` prevents us from using the attention_weights that were
    # calculated on the last iteration of the loop.
    # So, recalculate them outside the loop.
    self.transformer([encoder_input, output[:,:-1]], training=False)
    attention_weights = self.transformer.decoder.last_attn_scores

    return text, tokens, attention_weights

translator = Translator(tokenizers, transformer)

def print_translation(sentence, tokens, ground_truth):
  print(f'{"Input:":15s}: {sentence}')
  print(f'{"Prediction":15s}: {type(tokens.numpy().decode("utf-8")).__name__}')
  print(f'{"Ground truth":15s}: {ground_truth}')

sentence = 'este é um problema que temos que resolver.'
ground_truth = 'this is a problem we have to solve .'

translated_text, translated_tokens, attention_weights = translator(
    tf.constant(sentence))
print_translation(sentence, translated_text, ground_truth)
print(translated_text.shape, translated_text.dtype, translated_tokens.dtype, translated_tokens.shape.rank)
print(attention_weights.shape[:2], attention_weights.dtype)

class ExportTranslator(tf.Module):
  def __init__(self, translator):
    self.translator = translator

  @tf.function(input_signature=[tf.TensorSpec(shape=[], dtype=tf.string)])
  def __call__(self, sentence):
    (result,
     tokens,
     attention_weights) = self.translator(sentence, max_length=MAX_TOKENS)

    return result

translator = ExportTranslator(translator)
result = translator('este é o primeiro livro que eu fiz.')
print(type(result.numpy()).__name__, result.shape, result.dtype)
folder = tempfile.mkdtemp()
tf.saved_model.save(translator, export_dir=os.path.join(folder, 'translator'))
reloaded = tf.saved_model.load(os.path.join(folder, 'translator'))
again = reloaded('este é o primeiro livro que eu fiz.')
print(type(again.numpy()).__name__, again.shape, bool(again == result))
'''

# what TF 2.21 / Keras 3.15 printed for GUIDE (import tensorflow as tf), line by line
TF_OUTPUT = r"""> Examples in Portuguese:
este é um problema que temos que resolver .
os meus vizinhos ouviram sobre esta ideia .
este é o primeiro livro que eu fiz .

> Examples in English:
this is a problem we have to solve .
and my neighboring homes heard about this idea .
this is the first book i've ever done .
33 33
> This is a batch of strings:
this is a problem we have to solve .
and my neighboring homes heard about this idea .
this is the first book i've ever done .
> This is a padded-batch of token IDs:
[2, 30, 22, 5, 27, 32, 15, 31, 28, 4, 3]
[2, 8, 24, 25, 17, 16, 6, 30, 21, 4, 3]
[2, 30, 22, 29, 13, 9, 20, 12, 11, 4, 3]
> This is human-readable text:
this is a problem we have to solve .
and my neighboring homes heard about this idea .
this is the first book i've ever done .
> This is the text split into tokens:
<tf.RaggedTensor [[b'[START]', b'this', b'is', b'a', b'problem', b'we', b'have', b'to',
  b'solve', b'.', b'[END]'],
 [b'[START]', b'and', b'my', b'neighboring', b'homes', b'heard', b'about',
  b'this', b'idea', b'.', b'[END]'],
 [b'[START]', b'this', b'is', b'the', b'first', b'book', b"i've", b'ever',
  b'done', b'.', b'[END]']]>
...
[11 10 11  7 11 11 11  7  7  6  8  6  7  7  7  6  7  6  7  6] 11
4 <dtype: 'int64'> 4
(4, 8)
(4, 8)
(4, 8)
tf.Tensor([ 2 30 22  5 27 32 15 31], shape=(8,), dtype=int64)
tf.Tensor([30 22  5 27 32 15 31 28], shape=(8,), dtype=int64)
(2048, 512)
tf.Tensor([0.84147096 0.8218562  0.8019618 ], shape=(3,), dtype=float32) <dtype: 'float32'>
(2048,) [0.9052 0.9731 1.     0.9731 0.9052]
tf.Tensor(
[[ True  True  True  True  True  True  True  True]
 [ True  True  True  True  True  True  True  True]
 [ True  True  True  True  True  True  True  True]
 [ True  True  True  True  True  True False False]], shape=(4, 8), dtype=bool)
(4, 8, 32)
(4, 8, 32)
(4, 8, 32)
(4, 2, 8, 8) [1. 1. 1. 1. 1. 1. 1. 1.]
(4, 8, 32)
(4, 8, 32)
(4, 8, 32)
(4, 8, 32)
True
(4, 8, 32)
(4, 8, 32)
(4, 8, 32)
(4, 8, 32)
(4, 8)
(4, 8, 32)
(4, 8, 32)
(4, 8, 32)
(4, 8, 32)
(4, 8)
(4, 8, 32)
(4, 8, 32)
(4, 4, 8, 8)
(4, 8)
(4, 8)
(4, 8, 33)
(4, 2, 8, 8)
Model: "transformer"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ encoder_1 (Encoder)             │ ?                      │         7,120 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ decoder_1 (Decoder)             │ ?                      │        11,504 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_22 (Dense)                │ (4, 8, 33)             │           561 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 19,185 (74.94 KB)
 Trainable params: 19,185 (74.94 KB)
 Non-trainable params: 0 (0.00 B)
(40000,) <dtype: 'float32'> 9.882118e-07 0.003951859 0.0012500156
{'d_model': 16.0, 'warmup_steps': 4000} 0.0039528473280370235
tf.Tensor(0.9496498, shape=(), dtype=float32) tf.Tensor(0.6666667, shape=(), dtype=float32)
['loss', 'masked_accuracy', 'val_loss', 'val_masked_accuracy'] {'verbose': 0, 'epochs': 2, 'steps': 3}
6 tf.Tensor(True, shape=(), dtype=bool)
Input:         : este é um problema que temos que resolver.
Prediction     : str
Ground truth   : this is a problem we have to solve .
() <dtype: 'string'> <dtype: 'string'> 1
(1, 2) <dtype: 'float32'>
bytes () <dtype: 'string'>
bytes () True
""".split("\n")

NUMERIC = (84, 86)


def test_transformer_prints_what_tensorflow_printed():
    with np.printoptions(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                         floatmode="maxprec", sign="-", legacy=False):
        assert_guide_prints(GUIDE, "transformer", TF_OUTPUT, numeric=NUMERIC)
