"""TensorFlow's tutorial "Neural machine translation with attention" (tutorials/text/nmt_with_attention)
run with ``import glassnet as tf``: what it prints must be what TensorFlow 2.21 printed for the same
code (recorded under TF 2.21 / Keras 3.15, einops 0.8 on both sides: einops takes glassnet's tensors
as NumPy arrays, which they are). Stand-ins: forty sentence pairs written here in spa.txt's layout for
the spa-eng.zip download; tensorflow_text is not installed, so ``tf_text.normalize_utf8(text, 'NFKD')``
is a few ``tf.strings.regex_replace`` calls that drop these pairs' accents as NFKD and the a-z filter
do; UNITS 16, few steps. Changed from the tutorial where Keras 3.15 itself fails: GRU.get_initial_state
takes the batch size (given the embedded tokens it raises). The shuffled batch's lengths vary from run
to run, so the shapes printed are from the first eight pairs in order; translations from random
weights print their shapes and dtypes only. Line NUMERIC: the same float32 to its last digit or so.
Covered: TextVectorization(standardize=fn, ragged=True) and RaggedTensor slicing/to_tensor in
Dataset.map, a Layer whose call is set after the class (Decoder.add_method), Bidirectional(GRU,
merge_mode='sum'), MultiHeadAttention(return_attention_scores=True), StringLookup(invert=True),
tf.fill/tf.concat/tf.random.categorical, function metrics and a function loss on token ids,
fit(steps_per_epoch, validation_steps) cycling a finite validation set, EarlyStopping, the
tf.Module export through tf.function(input_signature) and tf.saved_model.save/load, the
tf.TensorArray loop and einops.rearrange."""

import numpy as np
from conftest import assert_guide_prints

GUIDE = r'''import os
import pathlib
import tempfile
import numpy as np
import einops
import tensorflow as tf

class ShapeChecker():
  def __init__(self):
    # Keep a cache of every axis-name seen
    self.shapes = {}

  def __call__(self, tensor, names, broadcast=False):
    if not tf.executing_eagerly():
      return

    parsed = einops.parse_shape(tensor, names)

    for name, new_dim in parsed.items():
      old_dim = self.shapes.get(name, None)

      if (broadcast and new_dim == 1):
        continue

      if old_dim is None:
        # If the axis name is new, add its length to the cache.
        self.shapes[name] = new_dim
        continue

      if new_dim != old_dim:
        raise ValueError(f"Shape mismatch for dimension: '{name}'\n"
                         f"    found: {new_dim}\n"
                         f"    expected: {old_dim}\n")

# the tutorial downloads spa-eng.zip: a few dozen pairs in its layout (English<TAB>Spanish) stand in
PAIRS = [
  ("Go.", "Ve."), ("Hi.", "Hola."), ("Run!", "¡Corre!"), ("Who?", "¿Quién?"), ("Wow!", "¡Órale!"),
  ("I see.", "Ya veo."), ("I won!", "¡He ganado!"), ("Help me.", "Ayúdame."), ("Come in.", "Entre."),
  ("It's cold.", "Hace frío."), ("It's hot.", "Hace calor."), ("I'm home.", "Estoy en casa."),
  ("Are you home?", "¿Estás en casa?"), ("Is he home?", "¿Está en casa?"), ("This is my house.", "Esta es mi casa."),
  ("This is my life.", "Esta es mi vida."), ("His room is a mess.", "Su cuarto es un desastre."),
  ("It's very cold here.", "Hace mucho frío aquí."), ("I like my life.", "Me gusta mi vida."),
  ("Is he still home?", "¿Todavía está en casa?"), ("My room is cold.", "Mi cuarto está frío."),
  ("The house is big.", "La casa es grande."), ("The dog is big.", "El perro es grande."),
  ("I have a dog.", "Tengo un perro."), ("I have a house.", "Tengo una casa."), ("Where is the dog?", "¿Dónde está el perro?"),
  ("Where is my room?", "¿Dónde está mi cuarto?"), ("It's my dog.", "Es mi perro."), ("Tom is here.", "Tom está aquí."),
  ("Tom is home.", "Tom está en casa."), ("Is Tom here?", "¿Está Tom aquí?"), ("I'm cold.", "Tengo frío."),
  ("I'm hot.", "Tengo calor."), ("The room is hot.", "El cuarto está caliente."), ("Life is good.", "La vida es buena."),
  ("Her house is a mess.", "Su casa es un desastre."), ("This dog is mine.", "Este perro es mío."),
  ("Is this your room?", "¿Es este tu cuarto?"), ("We are home.", "Estamos en casa."), ("They are here.", "Están aquí."),
]
path_to_file = pathlib.Path(tempfile.mkdtemp())/'spa-eng/spa.txt'
path_to_file.parent.mkdir()
path_to_file.write_text('\n'.join(f'{en}\t{es}' for en, es in PAIRS), encoding='utf-8')

def load_data(path):
  text = path.read_text(encoding='utf-8')

  lines = text.splitlines()
  pairs = [line.split('\t') for line in lines]

  context = np.array([context for target, context in pairs])
  target = np.array([target for target, context in pairs])

  return target, context

target_raw, context_raw = load_data(path_to_file)
print(context_raw[-1])
print(target_raw[-1])
print(context_raw.dtype, target_raw.shape)

BUFFER_SIZE = len(context_raw)
BATCH_SIZE = 8

is_train = np.random.uniform(size=(len(target_raw),)) < 0.8
is_train[:30], is_train[30:] = True, False          # (the same split each run)

train_raw = (
    tf.data.Dataset
    .from_tensor_slices((context_raw[is_train], target_raw[is_train]))
    .shuffle(BUFFER_SIZE)
    .batch(BATCH_SIZE))
val_raw = (
    tf.data.Dataset
    .from_tensor_slices((context_raw[~is_train], target_raw[~is_train]))
    .shuffle(BUFFER_SIZE)
    .batch(BATCH_SIZE))
print(train_raw.element_spec)

for example_context_strings, example_target_strings in train_raw.take(1):
  print(example_context_strings[:5].shape, example_context_strings.dtype)
  print()
  print(example_target_strings[:5].shape)
  break

# tensorflow_text is not installed: tf_text.normalize_utf8(text, 'NFKD') then dropping what is not
# a-z leaves the letters without their accents; these replacements do the same for these pairs
def normalize_utf8(text, form):
  for accented, plain in zip('áéíóúñÓ', 'aeiounO'):
    text = tf.strings.regex_replace(text, accented, plain)
  return text

example_text = tf.constant('¿Todavía está en casa?')

print(example_text.numpy())
print(normalize_utf8(example_text, 'NFKD').numpy())

def tf_lower_and_split_punct(text):
  # Split accented characters.
  text = normalize_utf8(text, 'NFKD')
  text = tf.strings.lower(text)
  # Keep space, a to z, and select punctuation.
  text = tf.strings.regex_replace(text, '[^ a-z.?!,¿]', '')
  # Add spaces around punctuation.
  text = tf.strings.regex_replace(text, '[.?!,¿]', r' \0 ')
  # Strip whitespace.
  text = tf.strings.strip(text)

  text = tf.strings.join(['[START]', text, '[END]'], separator=' ')
  return text

print(example_text.numpy().decode())
print(tf_lower_and_split_punct(example_text).numpy().decode())
print(tf_lower_and_split_punct(tf.constant(['Hola, Tom.', '  ¡Órale!  '])))

max_vocab_size = 5000

context_text_processor = tf.keras.layers.TextVectorization(
    standardize=tf_lower_and_split_punct,
    max_tokens=max_vocab_size,
    ragged=True)

context_text_processor.adapt(train_raw.map(lambda context, target: context))

# Here are the first 10 words from the vocabulary:
print(context_text_processor.get_vocabulary()[:10])

target_text_processor = tf.keras.layers.TextVectorization(
    standardize=tf_lower_and_split_punct,
    max_tokens=max_vocab_size,
    ragged=True)

target_text_processor.adapt(train_raw.map(lambda context, target: target))
print(target_text_processor.get_vocabulary()[:10])
print(context_text_processor.vocabulary_size(), target_text_processor.vocabulary_size())

fixed_strings = tf.constant(['Esta es mi vida.', '¿Está Tom aquí?', 'Hace frío.'])
example_tokens = context_text_processor(fixed_strings)
print(example_tokens[:3, :])
print(example_tokens.to_tensor())

context_vocab = np.array(context_text_processor.get_vocabulary())
tokens = context_vocab[example_tokens[0].numpy()]
print(' '.join(tokens))
print((example_tokens.to_tensor() != 0).numpy().sum())

def process_text(context, target):
  context = context_text_processor(context).to_tensor()
  target = target_text_processor(target)
  targ_in = target[:,:-1].to_tensor()
  targ_out = target[:,1:].to_tensor()
  return (context, targ_in), targ_out


train_ds = train_raw.map(process_text, tf.data.AUTOTUNE)
val_ds = val_raw.map(process_text, tf.data.AUTOTUNE)
print(process_text(fixed_strings, tf.constant(['This is my life.', 'Is Tom here?', "It's cold."])))

for (ex_context_tok, ex_tar_in), ex_tar_out in train_ds.take(1):
  print(ex_context_tok[0, :10].numpy().dtype)
  print()
  print(ex_tar_in.shape[0], ex_tar_out.dtype)
# (the shuffled batch's lengths vary from run to run: the first eight pairs, in order, from here on)
(ex_context_tok, ex_tar_in), ex_tar_out = process_text(context_raw[:8], target_raw[:8])

UNITS = 16

class Encoder(tf.keras.layers.Layer):
  def __init__(self, text_processor, units):
    super(Encoder, self).__init__()
    self.text_processor = text_processor
    self.vocab_size = text_processor.vocabulary_size()
    self.units = units

    # The embedding layer converts tokens to vectors
    self.embedding = tf.keras.layers.Embedding(self.vocab_size, units,
                                               mask_zero=True)

    # The RNN layer processes those vectors sequentially.
    self.rnn = tf.keras.layers.Bidirectional(
        merge_mode='sum',
        layer=tf.keras.layers.GRU(units,
                            # Return the sequence and state
                            return_sequences=True,
                            recurrent_initializer='glorot_uniform'))

  def call(self, x):
    shape_checker = ShapeChecker()
    shape_checker(x, 'batch s')

    # 2. The embedding layer looks up the embedding vector for each token.
    x = self.embedding(x)
    shape_checker(x, 'batch s units')

    # 3. The GRU processes the sequence of embeddings.
    x = self.rnn(x)
    shape_checker(x, 'batch s units')

    # 4. Returns the new sequence of embeddings.
    return x

  def convert_input(self, texts):
    texts = tf.convert_to_tensor(texts)
    if len(texts.shape) == 0:
      texts = tf.convert_to_tensor(texts)[tf.newaxis]
    context = self.text_processor(texts).to_tensor()
    context = self(context)
    return context

# Encode the input sequence.
encoder = Encoder(context_text_processor, UNITS)
ex_context = encoder(ex_context_tok)

print(f'Context tokens, shape (batch, s): {ex_context_tok.shape}')
print(f'Encoder output, shape (batch, s, units): {ex_context.shape}')

class CrossAttention(tf.keras.layers.Layer):
  def __init__(self, units, **kwargs):
    super().__init__()
    self.mha = tf.keras.layers.MultiHeadAttention(key_dim=units, num_heads=1, **kwargs)
    self.layernorm = tf.keras.layers.LayerNormalization()
    self.add = tf.keras.layers.Add()

  def call(self, x, context):
    shape_checker = ShapeChecker()

    shape_checker(x, 'batch t units')
    shape_checker(context, 'batch s units')

    attn_output, attn_scores = self.mha(
        query=x,
        value=context,
        return_attention_scores=True)

    shape_checker(x, 'batch t units')
    shape_checker(attn_scores, 'batch heads t s')

    # Cache the attention scores for plotting later.
    attn_scores = tf.reduce_mean(attn_scores, axis=1)
    shape_checker(attn_scores, 'batch t s')
    self.last_attention_weights = attn_scores

    x = self.add([x, attn_output])
    x = self.layernorm(x)

    return x

attention_layer = CrossAttention(UNITS)

# Attend to the encoded tokens
embed = tf.keras.layers.Embedding(target_text_processor.vocabulary_size(),
                                  output_dim=UNITS, mask_zero=True)
ex_tar_embed = embed(ex_tar_in)

result = attention_layer(ex_tar_embed, ex_context)

print(f'Context sequence, shape (batch, s, units): {ex_context.shape}')
print(f'Target sequence, shape (batch, t, units): {ex_tar_embed.shape}')
print(f'Attention result, shape (batch, t, units): {result.shape}')
print(f'Attention weights, shape (batch, t, s):    {attention_layer.last_attention_weights.shape}')
print(np.round(attention_layer.last_attention_weights[0].numpy().sum(axis=-1), 4))
attention_weights = attention_layer.last_attention_weights
mask=(ex_context_tok != 0).numpy()
print((mask*attention_weights[:, 0, :]).shape, mask.dtype)

class Decoder(tf.keras.layers.Layer):
  @classmethod
  def add_method(cls, fun):
    setattr(cls, fun.__name__, fun)
    return fun

  def __init__(self, text_processor, units):
    super(Decoder, self).__init__()
    self.text_processor = text_processor
    self.vocab_size = text_processor.vocabulary_size()
    self.word_to_id = tf.keras.layers.StringLookup(
        vocabulary=text_processor.get_vocabulary(),
        mask_token='', oov_token='[UNK]')
    self.id_to_word = tf.keras.layers.StringLookup(
        vocabulary=text_processor.get_vocabulary(),
        mask_token='', oov_token='[UNK]',
        invert=True)
    self.start_token = self.word_to_id('[START]')
    self.end_token = self.word_to_id('[END]')

    self.units = units


    # 1. The embedding layer converts token IDs to vectors
    self.embedding = tf.keras.layers.Embedding(self.vocab_size,
                                               units, mask_zero=True)

    # 2. The RNN keeps track of what's been generated so far.
    self.rnn = tf.keras.layers.GRU(units,
                                   return_sequences=True,
                                   return_state=True,
                                   recurrent_initializer='glorot_uniform')

    # 3. The RNN output will be the query for the attention layer.
    self.attention = CrossAttention(units)

    # 4. This fully connected layer produces the logits for each
    # output token.
    self.output_layer = tf.keras.layers.Dense(self.vocab_size)

@Decoder.add_method
def call(self,
         context, x,
         state=None,
         return_state=False):
  shape_checker = ShapeChecker()
  shape_checker(x, 'batch t')
  shape_checker(context, 'batch s units')

  # 1. Lookup the embeddings
  x = self.embedding(x)
  shape_checker(x, 'batch t units')

  # 2. Process the target sequence.
  x, state = self.rnn(x, initial_state=state)
  shape_checker(x, 'batch t units')

  # 3. Use the RNN output as the query for the attention over the context.
  x = self.attention(x, context)
  self.last_attention_weights = self.attention.last_attention_weights
  shape_checker(x, 'batch t units')
  shape_checker(self.last_attention_weights, 'batch t s')

  # Step 4. Generate logit predictions for the next token.
  logits = self.output_layer(x)
  shape_checker(logits, 'batch t target_vocab_size')

  if return_state:
    return logits, state
  else:
    return logits

decoder = Decoder(target_text_processor, UNITS)
print(decoder.start_token, decoder.end_token)

logits = decoder(ex_context, ex_tar_in)

print(f'encoder output shape: (batch, s, units) {ex_context.shape}')
print(f'input target tokens shape: (batch, t) {ex_tar_in.shape}')
print(f'logits shape shape: (batch, target_vocabulary_size) {logits.shape}')

@Decoder.add_method
def get_initial_state(self, context):
  batch_size = tf.shape(context)[0]
  start_tokens = tf.fill([batch_size, 1], self.start_token)
  done = tf.zeros([batch_size, 1], dtype=tf.bool)
  embedded = self.embedding(start_tokens)
  # (Keras 3.15's GRU.get_initial_state takes the batch size; given the embedded tokens it fails)
  return start_tokens, done, self.rnn.get_initial_state(batch_size)[0]

@Decoder.add_method
def tokens_to_text(self, tokens):
  words = self.id_to_word(tokens)
  result = tf.strings.reduce_join(words, axis=-1, separator=' ')
  result = tf.strings.regex_replace(result, '^ *\\[START\\] *', '')
  result = tf.strings.regex_replace(result, ' *\\[END\\] *$', '')
  return result

@Decoder.add_method
def get_next_token(self, context, next_token, done, state, temperature = 0.0):
  logits, state = self(
    context, next_token,
    state = state,
    return_state=True)

  if temperature == 0.0:
    next_token = tf.argmax(logits, axis=-1)
  else:
    logits = logits[:, -1, :]/temperature
    next_token = tf.random.categorical(logits, num_samples=1)

  # If a sequence produces an `end_token`, set it `done`
  done = done | (next_token == self.end_token)
  # Once a sequence is done it only produces 0-padding.
  next_token = tf.where(done, tf.constant(0, dtype=tf.int64), next_token)

  return next_token, done, state

# Setup the loop variables.
next_token, done, state = decoder.get_initial_state(ex_context)
print(next_token[:2], done.dtype, state.shape[1:])
tokens = []

for n in range(10):
  # Run one step.
  next_token, done, state = decoder.get_next_token(
      ex_context, next_token, done, state, temperature=1.0)
  # Add the token to the output.
  tokens.append(next_token)

# Stack all the tokens together.
tokens = tf.concat(tokens, axis=-1) # (batch, t)
print(tokens.shape[1:], tokens.dtype)

# Convert the tokens back to a a string
result = decoder.tokens_to_text(tokens)
print(result.shape[1:], result.dtype)
print(decoder.tokens_to_text(tf.constant([[2, 4, 5, 3, 0], [2, 6, 3, 0, 0]], tf.int64)))

class Translator(tf.keras.Model):
  @classmethod
  def add_method(cls, fun):
    setattr(cls, fun.__name__, fun)
    return fun

  def __init__(self, units,
               context_text_processor,
               target_text_processor):
    super().__init__()
    # Build the encoder and decoder
    encoder = Encoder(context_text_processor, units)
    decoder = Decoder(target_text_processor, units)

    self.encoder = encoder
    self.decoder = decoder

  def call(self, inputs):
    context, x = inputs
    context = self.encoder(context)
    logits = self.decoder(context, x)

    #TODO(b/250038731): remove this
    try:
      # Delete the keras mask, so keras doesn't scale the loss+accuracy.
      del logits._keras_mask
    except AttributeError:
      pass

    return logits

model = Translator(UNITS, context_text_processor, target_text_processor)

logits = model((ex_context_tok, ex_tar_in))

print(f'Context tokens, shape: (batch, s, units) {ex_context_tok.shape}')
print(f'Target tokens, shape: (batch, t) {ex_tar_in.shape}')
print(f'logits, shape: (batch, t, target_vocabulary_size) {logits.shape}')

def masked_loss(y_true, y_pred):
    # Calculate the loss for each item in the batch.
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(
        from_logits=True, reduction='none')
    loss = loss_fn(y_true, y_pred)

    # Mask off the losses on padding.
    mask = tf.cast(y_true != 0, loss.dtype)
    loss *= mask

    # Return the total.
    return tf.reduce_sum(loss)/tf.reduce_sum(mask)

def masked_acc(y_true, y_pred):
    # Calculate the loss for each item in the batch.
    y_pred = tf.argmax(y_pred, axis=-1)
    y_pred = tf.cast(y_pred, y_true.dtype)

    match = tf.cast(y_true == y_pred, tf.float32)
    mask = tf.cast(y_true != 0, tf.float32)

    return tf.reduce_sum(match)/tf.reduce_sum(mask)

y_true = tf.constant([[3, 1, 0], [2, 0, 0]])
y_pred = tf.constant([[[0.1, 0.2, 0.3, 2.0], [0.0, 1.0, 0.0, 0.0], [5., 0., 0., 0.]],
                      [[0.0, 0.0, 1.0, 0.5], [1.0, 0.0, 0.0, 0.0], [0., 0., 0., 9.]]])
print(masked_loss(y_true, y_pred), masked_acc(y_true, y_pred))

model.compile(optimizer='adam',
              loss=masked_loss,
              metrics=[masked_acc, masked_loss])

vocab_size = 1.0 * target_text_processor.vocabulary_size()

print({"expected_loss": tf.math.log(vocab_size).numpy(),
       "expected_acc": 1/vocab_size})

print(sorted(model.evaluate(val_ds, steps=1, return_dict=True, verbose=0)))

history = model.fit(
    train_ds.repeat(),
    epochs=3,
    steps_per_epoch = 2,
    validation_data=val_ds,
    validation_steps = 1,
    callbacks=[
        tf.keras.callbacks.EarlyStopping(patience=3)], verbose=0)
print(sorted(history.history), history.params, len(history.history['loss']), len(history.history['val_loss']))

@Translator.add_method
def translate(self,
              texts, *,
              max_length=50,
              temperature=0.0):
  # Process the input texts
  context = self.encoder.convert_input(texts)
  batch_size = tf.shape(texts)[0]

  # Setup the loop inputs
  tokens = []
  attention_weights = []
  next_token, done, state = self.decoder.get_initial_state(context)

  for _ in range(max_length):
    # Generate the next token
    next_token, done, state = self.decoder.get_next_token(
        context, next_token, done,  state, temperature)

    # Collect the generated tokens
    tokens.append(next_token)
    attention_weights.append(self.decoder.last_attention_weights)

    if tf.executing_eagerly() and tf.reduce_all(done):
      break

  # Stack the lists of tokens and attention weights.
  tokens = tf.concat(tokens, axis=-1)   # t*[(batch 1)] -> (batch, t)
  self.last_attention_weights = tf.concat(attention_weights, axis=1)  # t*[(batch 1 s)] -> (batch, t s)

  result = self.decoder.tokens_to_text(tokens)
  return result

result = model.translate(['¿Todavía está en casa?'], max_length=5) # Are you still home
print(type(result[0].numpy().decode()).__name__, result.shape, model.last_attention_weights.shape[0])

inputs = [
    'Hace mucho frio aqui.', # "It's really cold here."
    'Esta es mi vida.', # "This is my life."
    'Su cuarto es un desastre.' # "His room is a mess"
]

result = model.translate(inputs, max_length=4)
print(result.shape, result.dtype)
print()

class Export(tf.Module):
  def __init__(self, model):
    self.model = model

  @tf.function(input_signature=[tf.TensorSpec(dtype=tf.string, shape=[None])])
  def translate(self, inputs):
    return self.model.translate(inputs, max_length=4)

export = Export(model)
_ = export.translate(tf.constant(inputs))
result = export.translate(tf.constant(inputs))
print(result.shape, result.dtype)
folder = tempfile.mkdtemp()
tf.saved_model.save(export, os.path.join(folder, 'translator'),
                    signatures={'serving_default': export.translate})
reloaded = tf.saved_model.load(os.path.join(folder, 'translator'))
_ = reloaded.translate(tf.constant(inputs)) #warmup
reloaded_result = reloaded.translate(tf.constant(inputs))
print(reloaded_result.shape, reloaded_result.dtype, bool(tf.reduce_all(reloaded_result == result)))

@Translator.add_method
def translate(self,
              texts,
              *,
              max_length=500,
              temperature=tf.constant(0.0)):
  shape_checker = ShapeChecker()
  context = self.encoder.convert_input(texts)
  batch_size = tf.shape(context)[0]
  shape_checker(context, 'batch s units')

  next_token, done, state = self.decoder.get_initial_state(context)

  # initialize the accumulator
  tokens = tf.TensorArray(tf.int64, size=1, dynamic_size=True)

  for t in tf.range(max_length):
    # Generate the next token
    next_token, done, state = self.decoder.get_next_token(
        context, next_token, done, state, temperature)
    shape_checker(next_token, 'batch t1')

    # Collect the generated tokens
    tokens = tokens.write(t, next_token)

    # if all the sequences are done, break
    if tf.reduce_all(done):
      break

  # Convert the list of generated token ids to a list of strings.
  tokens = tokens.stack()
  shape_checker(tokens, 't batch t1')
  tokens = einops.rearrange(tokens, 't batch 1 -> batch t')
  shape_checker(tokens, 'batch t')

  text = self.decoder.tokens_to_text(tokens)
  shape_checker(text, 'batch')

  return text

result = model.translate(inputs, max_length=4)
print(result.shape, result.dtype)
print(einops.parse_shape(tf.zeros([2, 3, 1]), 't batch t1'))
print(einops.rearrange(tf.reshape(tf.range(6), [3, 2, 1]), 't batch 1 -> batch t'))
'''

# what TF 2.21 / Keras 3.15 printed for GUIDE (import tensorflow as tf), line by line
TF_OUTPUT = r"""Están aquí.
They are here.
<U25 (40,)
(TensorSpec(shape=(None,), dtype=tf.string, name=None), TensorSpec(shape=(None,), dtype=tf.string, name=None))
(5,) <dtype: 'string'>

(5,)
b'\xc2\xbfTodav\xc3\xada est\xc3\xa1 en casa?'
b'\xc2\xbfTodavia esta en casa?'
¿Todavía está en casa?
[START] ¿ todavia esta en casa ? [END]
tf.Tensor([b'[START] hola ,  tom . [END]' b'[START] orale ! [END]'], shape=(2,), dtype=string)
['', '[UNK]', np.str_('[START]'), np.str_('[END]'), np.str_('.'), np.str_('esta'), np.str_('casa'), np.str_('¿'), np.str_('mi'), np.str_('es')]
['', '[UNK]', np.str_('[START]'), np.str_('[END]'), np.str_('.'), np.str_('is'), np.str_('my'), np.str_('?'), np.str_('i'), np.str_('home')]
47 46
<tf.RaggedTensor [[2, 5, 9, 8, 17, 4, 3], [2, 7, 5, 19, 24, 10, 3], [2, 13, 14, 4, 3]]>
tf.Tensor(
[[ 2  5  9  8 17  4  3]
 [ 2  7  5 19 24 10  3]
 [ 2 13 14  4  3  0  0]], shape=(3, 7), dtype=int64)
[START] esta es mi vida . [END]
19
((<tf.Tensor: shape=(3, 7), dtype=int64, numpy=
array([[ 2,  5,  9,  8, 17,  4,  3],
       [ 2,  7,  5, 19, 24, 10,  3],
       [ 2, 13, 14,  4,  3,  0,  0]])>, <tf.Tensor: shape=(3, 6), dtype=int64, numpy=
array([[ 2, 20,  5,  6, 21,  4],
       [ 2,  5, 19, 22,  7,  0],
       [ 2, 10, 15,  4,  0,  0]])>), <tf.Tensor: shape=(3, 6), dtype=int64, numpy=
array([[20,  5,  6, 21,  4,  3],
       [ 5, 19, 22,  7,  3,  0],
       [10, 15,  4,  3,  0,  0]])>)
int64

8 <dtype: 'int64'>
Context tokens, shape (batch, s): (8, 5)
Encoder output, shape (batch, s, units): (8, 5, 16)
Context sequence, shape (batch, s, units): (8, 5, 16)
Target sequence, shape (batch, t, units): (8, 4, 16)
Attention result, shape (batch, t, units): (8, 4, 16)
Attention weights, shape (batch, t, s):    (8, 4, 5)
[1. 1. 1. 1.]
(8, 5) bool
tf.Tensor(2, shape=(), dtype=int64) tf.Tensor(3, shape=(), dtype=int64)
encoder output shape: (batch, s, units) (8, 5, 16)
input target tokens shape: (batch, t) (8, 4)
logits shape shape: (batch, target_vocabulary_size) (8, 4, 46)
tf.Tensor(
[[2]
 [2]], shape=(2, 1), dtype=int64) <dtype: 'bool'> (16,)
(10,) <dtype: 'int64'>
() <dtype: 'string'>
tf.Tensor([b'. is' b'my'], shape=(2,), dtype=string)
Context tokens, shape: (batch, s, units) (8, 5)
Target tokens, shape: (batch, t) (8, 4)
logits, shape: (batch, t, target_vocabulary_size) (8, 4, 46)
tf.Tensor(0.66620946, shape=(), dtype=float32) tf.Tensor(1.6666666, shape=(), dtype=float32)
{'expected_loss': np.float32(3.8286414), 'expected_acc': 0.021739130434782608}
['loss', 'masked_acc', 'masked_loss']
['loss', 'masked_acc', 'masked_loss', 'val_loss', 'val_masked_acc', 'val_masked_loss'] {'verbose': 0, 'epochs': 3, 'steps': 2} 3 3
str (1,) 1
(3,) <dtype: 'string'>

(3,) <dtype: 'string'>
(3,) <dtype: 'string'> True
(3,) <dtype: 'string'>
{'t': 2, 'batch': 3, 't1': 1}
tf.Tensor(
[[0 2 4]
 [1 3 5]], shape=(2, 3), dtype=int32)
""".split("\n")

NUMERIC = (56,)


def test_nmt_with_attention_prints_what_tensorflow_printed():
    with np.printoptions(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                         floatmode="maxprec", sign="-", legacy=False):
        assert_guide_prints(GUIDE, "nmt_with_attention", TF_OUTPUT, numeric=NUMERIC)
