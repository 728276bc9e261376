"""TensorFlow's guide "Extension types" (extension_type.ipynb) run with ``import glassnet as tf``, from its
start to the end of "Customizing ExtensionTypes" (fields by annotation, the constructor's conversions and
TypeError, defaults, repr, ==, __validate__, immutability, the nested Spec and tf.type_spec_from_value,
tf.function tracing once per TypeSpec, custom repr / methods / staticmethods / properties / constructors /
__eq__, forward references, subclasses): each line TF 2.21's (recorded with ``/work/peers/bin/python``).

Then "Customizing the ExtensionType's TypeSpec" (a Spec class of one's own; its ``shape`` printed,
not its repr, whose dtype TF prints ``<dtype: 'float32'>`` where glassnet's TensorSpec holds NumPy's
``float32``) and "Tensor API dispatch" (``tf.experimental.dispatch_for_api`` on ``tf.stack``,
``unregister_dispatch_for``, the unary and binary elementwise dispatchers).

Not run: ``mt.mask[0] = False`` (TF's tensors refuse item assignment with a TypeError; glassnet's
Tensors are NumPy arrays, which take it), and the guide from "Batchable ExtensionTypes" on
(BatchableExtensionType, Datasets, Keras, SavedModel with extension types): glassnet has none yet."""
from conftest import assert_guide_prints

GUIDE = r'''import tensorflow as tf
import numpy as np
from typing import Tuple, List, Mapping, Union, Optional
import tempfile

class TensorGraph(tf.experimental.ExtensionType):
  """A collection of labeled nodes connected by weighted edges."""
  edge_weights: tf.Tensor               # shape=[num_nodes, num_nodes]
  node_labels: Mapping[str, tf.Tensor]  # shape=[num_nodes]; dtype=any

class MaskedTensor(tf.experimental.ExtensionType):
  """A tensor paired with a boolean mask, indicating which values are valid."""
  values: tf.Tensor
  mask: tf.Tensor       # shape=values.shape; false for missing/invalid values.

class MaskedTensor(tf.experimental.ExtensionType):
  values: tf.Tensor
  mask: tf.Tensor

  def replace_mask(self, new_mask):
      self.values.shape.assert_is_compatible_with(new_mask.shape)
      return MaskedTensor(self.values, new_mask)

mt = MaskedTensor(values=[[1, 2, 3], [4, 5, 6]],
                  mask=[[True, True, False], [True, False, True]])
print(mt.values)
print(repr(mt.replace_mask(tf.constant([[True, True, True], [False, False, False]])).mask))
try:
  MaskedTensor([1, 2, 3], None)
except TypeError as e:
  print(f"Got expected TypeError: {e}")

class Pencil(tf.experimental.ExtensionType):
  color: str = "black"
  has_erasor: bool = True
  length: tf.Tensor = 1.0

print(repr(Pencil()))
print(repr(Pencil(length=0.5, color="blue")))
print(MaskedTensor(values=[1, 2, 3], mask=[True, True, False]))
a = MaskedTensor([1, 2], [True, False])
b = MaskedTensor([[3, 4], [5, 6]], [[False, True], [True, True]])
print(f"a == a: {a==a}")
print(f"a == b: {a==b}")
print(f"a == a.values: {a==a.values}")

class MaskedTensor(tf.experimental.ExtensionType):
  """A tensor paired with a boolean mask, indicating which values are valid."""
  values: tf.Tensor
  mask: tf.Tensor
  def __validate__(self):
    self.values.shape.assert_is_compatible_with(self.mask.shape)
    assert self.mask.dtype.is_bool, 'mask.dtype must be bool'

try:
  MaskedTensor([1, 2, 3], [0, 1, 0])  # wrong dtype for mask.
except AssertionError as e:
  print(f"Got expected AssertionError: {e}")
try:
  MaskedTensor([1, 2, 3], [True, False])  # shapes don't match.
except ValueError as e:
  print(f"Got expected ValueError: {e}")
mt = MaskedTensor([1, 2, 3], [True, False, True])
try:
  mt.mask = [True, True, True]
except AttributeError as e:
  print(f"Got expected AttributeError: {e}")
try:
  del mt.mask
except AttributeError as e:
  print(f"Got expected AttributeError: {e}")

class Player(tf.experimental.ExtensionType):
  name: tf.Tensor
  attributes: Mapping[str, tf.Tensor]

anne = Player("Anne", {"height": 8.3, "speed": 28.1})
anne_spec = tf.type_spec_from_value(anne)
print(anne_spec.name)  # Records dtype and shape, but not the string value.
print(anne_spec.attributes)  # Records keys and TensorSpecs for values.
spec1 = Player.Spec(name=tf.TensorSpec([], tf.float32), attributes={})
spec2 = tf.type_spec_from_value(anne)
print(repr(spec1))
print(repr(spec2))
print(spec2 == tf.type_spec_from_value(Player("Bob", {"height": 1.0, "speed": 2.0})), spec1 == spec2)

@tf.function
def anonymize_player(player):
  print("<<TRACING>>")
  return Player("<anonymous>", player.attributes)

print(repr(anonymize_player(Player("Anne", {"height": 8.3, "speed": 28.1}))))
print(repr(anonymize_player(Player("Bart", {"height": 8.1, "speed": 25.3}))))
print(repr(anonymize_player(Player("Chuck", {"height": 11.0, "jump": 5.3}))))

class MaskedTensor(tf.experimental.ExtensionType):
  """A tensor paired with a boolean mask, indicating which values are valid."""
  values: tf.Tensor
  mask: tf.Tensor       # shape=values.shape; false for invalid values.

  def __repr__(self):
    return masked_tensor_str(self.values, self.mask)

def masked_tensor_str(values, mask):
  if isinstance(values, tf.Tensor):
    if hasattr(values, 'numpy') and hasattr(mask, 'numpy'):
      return f'<MaskedTensor {masked_tensor_str(values.numpy(), mask.numpy())}>'
    else:
      return f'MaskedTensor(values={values}, mask={mask})'
  if len(values.shape) == 1:
    items = [repr(v) if m else '_' for (v, m) in zip(values, mask)]
  else:
    items = [masked_tensor_str(v, m) for (v, m) in zip(values, mask)]
  return '[%s]' % ', '.join(items)

mt = MaskedTensor(values=[[1, 2, 3], [4, 5, 6]],
                  mask=[[True, True, False], [True, False, True]])
print(mt)

class MaskedTensor(tf.experimental.ExtensionType):
  values: tf.Tensor
  mask: tf.Tensor

  def with_default(self, default):
    return tf.where(self.mask, self.values, default)

print(repr(MaskedTensor([1, 2, 3], [True, False, True]).with_default(0)))

class MaskedTensor(tf.experimental.ExtensionType):
  values: tf.Tensor
  mask: tf.Tensor

  def __repr__(self):
    return masked_tensor_str(self.values, self.mask)

  @staticmethod
  def from_tensor_and_value_to_mask(values, value_to_mask):
    return MaskedTensor(values, values == value_to_mask)

x = tf.constant([[1, 0, 2], [3, 0, 0]])
print(repr(MaskedTensor.from_tensor_and_value_to_mask(x, 0)))

class MaskedTensor(tf.experimental.ExtensionType):
  values: tf.Tensor
  mask: tf.Tensor

  @property
  def dtype(self):
    return self.values.dtype

print(repr(MaskedTensor([1, 2, 3], [True, False, True]).dtype))

class Toy(tf.experimental.ExtensionType):
  name: str
  price: tf.Tensor
  def __init__(self, name, price, discount=0):
    self.name = name
    self.price = price * (1 - discount)

print(Toy("ball", 5.0, discount=0.2))  # On sale -- 20% off!

class Toy(tf.experimental.ExtensionType):
  name: str
  price: tf.Tensor

  @staticmethod
  def new_toy_with_discount(name, price, discount):
    return Toy(name, price * (1 - discount))

print(Toy.new_toy_with_discount("ball", 5.0, discount=0.2))

class MaskedTensor(tf.experimental.ExtensionType):
  values: tf.Tensor
  mask: tf.Tensor

  def __repr__(self):
    return masked_tensor_str(self.values, self.mask)

  def __eq__(self, other):
    result = tf.math.equal(self.values, other.values)
    result = result | ~(self.mask & other.mask)
    return tf.reduce_all(result)

x = MaskedTensor([1, 2, 3, 4], [True, True, False, True])
y = MaskedTensor([5, 2, 0, 4], [False, True, False, True])
print(x == y)

class Node(tf.experimental.ExtensionType):
  value: tf.Tensor
  children: Tuple["Node", ...] = ()

print(repr(Node(3, [Node(5), Node(2)])))

class TensorGraph(tf.experimental.ExtensionType):
  num_nodes: tf.Tensor
  edge_src: tf.Tensor   # edge_src[e] = index of src node for edge e.
  edge_dst: tf.Tensor   # edge_dst[e] = index of dst node for edge e.

class TensorGraphWithNodeFeature(TensorGraph):
  node_features: tf.Tensor  # node_features[n] = feature value for node n.

  def propagate_features(self, weight=1.0) -> 'TensorGraphWithNodeFeature':
    updates = tf.gather(self.node_features, self.edge_src) * weight
    new_node_features = tf.tensor_scatter_nd_add(
        self.node_features, tf.expand_dims(self.edge_dst, 1), updates)
    return TensorGraphWithNodeFeature(
        self.num_nodes, self.edge_src, self.edge_dst, new_node_features)

g = TensorGraphWithNodeFeature(  # Edges: 0->1, 4->3, 2->2, 2->1
    num_nodes=5, edge_src=[0, 4, 2, 2], edge_dst=[1, 3, 2, 1],
    node_features=[10.0, 0.0, 2.0, 5.0, -1.0, 0.0])

print("Original features:", g.node_features)
print("After propagating:", g.propagate_features().node_features)
'''

TF_OUTPUT = [                   # TF 2.21
    'tf.Tensor(',
    '[[1 2 3]',
    ' [4 5 6]], shape=(2, 3), dtype=int32)',
    '<tf.Tensor: shape=(2, 3), dtype=bool, numpy=',
    'array([[ True,  True,  True],',
    '       [False, False, False]])>',
    "Got expected TypeError: mask: expected a Tensor, got 'NoneType'",
    "Pencil(color='black', has_erasor=True, length=<tf.Tensor: shape=(), dtype=float32, numpy=1.0>)",
    "Pencil(color='blue', has_erasor=True, length=<tf.Tensor: shape=(), dtype=float32, numpy=0.5>)",
    'MaskedTensor(values=<tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 3], dtype=int32)>, mask=<tf.Tensor: shape=(3,), dtype=bool, numpy=array([ True,  True, False])>)',
    'a == a: True',
    'a == b: False',
    'a == a.values: False',
    'Got expected AssertionError: mask.dtype must be bool',
    'Got expected ValueError: Shapes (3,) and (2,) are incompatible',
    'Got expected AttributeError: Cannot mutate attribute `mask` outside the custom constructor of ExtensionType.',
    'Got expected AttributeError: Cannot mutate attribute `mask` outside the custom constructor of ExtensionType.',
    'TensorSpec(shape=(), dtype=tf.string, name=None)',
    "ImmutableDict({'height': TensorSpec(shape=(), dtype=tf.float32, name=None), 'speed': TensorSpec(shape=(), dtype=tf.float32, name=None)})",
    'Player.Spec(name=TensorSpec(shape=(), dtype=tf.float32, name=None), attributes={})',
    "Player.Spec(name=TensorSpec(shape=(), dtype=tf.string, name=None), attributes={'height': TensorSpec(shape=(), dtype=tf.float32, name=None), 'speed': TensorSpec(shape=(), dtype=tf.float32, name=None)})",
    'True False',
    '<<TRACING>>',
    "Player(name=<tf.Tensor: shape=(), dtype=string, numpy=b'<anonymous>'>, attributes=ImmutableDict({'height': <tf.Tensor: shape=(), dtype=float32, numpy=8.300000190734863>, 'speed': <tf.Tensor: shape=(), dtype=float32, numpy=28.100000381469727>}))",
    "Player(name=<tf.Tensor: shape=(), dtype=string, numpy=b'<anonymous>'>, attributes=ImmutableDict({'height': <tf.Tensor: shape=(), dtype=float32, numpy=8.100000381469727>, 'speed': <tf.Tensor: shape=(), dtype=float32, numpy=25.299999237060547>}))",
    '<<TRACING>>',
    "Player(name=<tf.Tensor: shape=(), dtype=string, numpy=b'<anonymous>'>, attributes=ImmutableDict({'height': <tf.Tensor: shape=(), dtype=float32, numpy=11.0>, 'jump': <tf.Tensor: shape=(), dtype=float32, numpy=5.300000190734863>}))",
    '<MaskedTensor [[np.int32(1), np.int32(2), _], [np.int32(4), _, np.int32(6)]]>',
    '<tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 0, 3], dtype=int32)>',
    '<MaskedTensor [[_, np.int32(0), _], [_, np.int32(0), np.int32(0)]]>',
    'tf.int32',
    "Toy(name='ball', price=<tf.Tensor: shape=(), dtype=float32, numpy=4.0>)",
    "Toy(name='ball', price=<tf.Tensor: shape=(), dtype=float32, numpy=4.0>)",
    'tf.Tensor(True, shape=(), dtype=bool)',
    'Node(value=<tf.Tensor: shape=(), dtype=int32, numpy=3>, children=(Node(value=<tf.Tensor: shape=(), dtype=int32, numpy=5>, children=()), Node(value=<tf.Tensor: shape=(), dtype=int32, numpy=2>, children=())))',
    'Original features: tf.Tensor([10.  0.  2.  5. -1.  0.], shape=(6,), dtype=float32)',
    'After propagating: tf.Tensor([10. 12.  4.  4. -1.  0.], shape=(6,), dtype=float32)',
    '',
]


def test_the_guide_prints_what_tensorflow_printed():
    assert_guide_prints(GUIDE, "extension_type", TF_OUTPUT, fresh_functions=True)



DISPATCH = r'''import tensorflow as tf
import numpy as np
from typing import Tuple, List, Mapping, Union, Optional

def masked_tensor_str(values, mask):
  if isinstance(values, tf.Tensor):
    if hasattr(values, 'numpy') and hasattr(mask, 'numpy'):
      return f'<MaskedTensor {masked_tensor_str(values.numpy(), mask.numpy())}>'
    else:
      return f'MaskedTensor(values={values}, mask={mask})'
  if len(values.shape) == 1:
    items = [repr(v) if m else '_' for (v, m) in zip(values, mask)]
  else:
    items = [masked_tensor_str(v, m) for (v, m) in zip(values, mask)]
  return '[%s]' % ', '.join(items)

class MaskedTensor(tf.experimental.ExtensionType):
  values: tf.Tensor
  mask: tf.Tensor

  shape = property(lambda self: self.values.shape)
  dtype = property(lambda self: self.values.dtype)

  def __repr__(self):
    return masked_tensor_str(self.values, self.mask)

  def with_values(self, new_values):
    return MaskedTensor(new_values, self.mask)

  class Spec:
    def __init__(self, shape, dtype=tf.float32):
      self.values = tf.TensorSpec(shape, dtype)
      self.mask = tf.TensorSpec(shape, tf.bool)

    def __repr__(self):
      return f"MaskedTensor.Spec(shape={self.shape}, dtype={self.dtype})"

    shape = property(lambda self: self.values.shape)
    dtype = property(lambda self: self.values.dtype)

print(MaskedTensor.Spec([None, 3]).shape, tf.type_spec_from_value(MaskedTensor([1, 2], [True, False])).shape)
print(MaskedTensor([1, 2], [True, False]).shape, MaskedTensor([1, 2], [True, False]).with_values([3, 4]))

@tf.experimental.dispatch_for_api(tf.stack)
def masked_stack(values: List[MaskedTensor], axis = 0):
  return MaskedTensor(tf.stack([v.values for v in values], axis),
                      tf.stack([v.mask for v in values], axis))

x = MaskedTensor([1, 2, 3], [True, True, False])
y = MaskedTensor([4, 5, 6], [False, True, True])
print(repr(tf.stack([x, y])))
print(repr(tf.stack([tf.constant([1]), tf.constant([2])])))
tf.experimental.unregister_dispatch_for(masked_stack)

def convert_to_masked_tensor(x):
  if isinstance(x, MaskedTensor):
    return x
  else:
    return MaskedTensor(x, tf.ones_like(x, tf.bool))

@tf.experimental.dispatch_for_api(tf.stack)
def masked_stack_v2(values: List[Union[MaskedTensor, tf.Tensor]], axis = 0):
  values = [convert_to_masked_tensor(v) for v in values]
  return MaskedTensor(tf.stack([v.values for v in values], axis),
                      tf.stack([v.mask for v in values], axis))
x = MaskedTensor([1, 2, 3], [True, True, False])
y = tf.constant([4, 5, 6])
print(repr(tf.stack([x, y, x])))

@tf.experimental.dispatch_for_unary_elementwise_apis(MaskedTensor)
def masked_tensor_unary_elementwise_api_handler(api_func, x):
  return MaskedTensor(api_func(x.values), x.mask)

x = MaskedTensor([1, -2, -3], [True, False, True])
print(tf.abs(x))
print(tf.ones_like(x, dtype=tf.float32))

@tf.experimental.dispatch_for_binary_elementwise_apis(MaskedTensor, MaskedTensor)
def masked_tensor_binary_elementwise_api_handler(api_func, x, y):
  return MaskedTensor(api_func(x.values, y.values), x.mask & y.mask)

x = MaskedTensor([1, -2, -3], [True, False, True])
y = MaskedTensor([[4], [5]], [[True], [False]])
print(repr(tf.math.add(x, y)))
print(tf.math.maximum(x, y), tf.math.negative(x))
'''

TF_DISPATCH_OUTPUT = [          # TF 2.21
    '(None, 3) (2,)',
    '(2,) <MaskedTensor [np.int32(3), _]>',
    '<MaskedTensor [[np.int32(1), np.int32(2), _], [_, np.int32(5), np.int32(6)]]>',
    '<tf.Tensor: shape=(2, 1), dtype=int32, numpy=',
    'array([[1],',
    '       [2]], dtype=int32)>',
    '<MaskedTensor [[np.int32(1), np.int32(2), _], [np.int32(4), np.int32(5), np.int32(6)], [np.int32(1), np.int32(2), _]]>',
    '<MaskedTensor [np.int32(1), _, np.int32(3)]>',
    '<MaskedTensor [np.float32(1.0), _, np.float32(1.0)]>',
    '<MaskedTensor [[np.int32(5), _, np.int32(1)], [_, _, _]]>',
    '<MaskedTensor [[np.int32(4), _, np.int32(4)], [_, _, _]]> <MaskedTensor [np.int32(-1), _, np.int32(3)]>',
    '',
]


def test_the_dispatch_part_prints_what_tensorflow_printed():
    import glassnet.tf.extension_type as ext
    try:
        assert_guide_prints(DISPATCH, "extension_type_dispatch", TF_DISPATCH_OUTPUT)
    finally:                                  # (the dispatchers are global, as TF's)
        ext._API_HANDLERS.clear()
        ext._UNARY.clear()
        ext._BINARY.clear()


def test_bad_fields_are_refused_by_name_and_mappings_stay_fixed():
    from typing import Mapping

    import pytest

    import glassnet as tf

    class Pencil(tf.experimental.ExtensionType):
        color: str = "black"
        length: tf.Tensor = 1.0

    with pytest.raises(TypeError, match="color: expected str, got 'int'"):
        Pencil(color=3)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        Pencil(colour="red")

    class Player(tf.experimental.ExtensionType):
        name: str
        attributes: Mapping[str, tf.Tensor]

    with pytest.raises(TypeError, match="missing required field 'name'"):
        Player(attributes={})
    p = Player("a", {"x": 1})
    with pytest.raises(TypeError, match="does not support item assignment"):
        p.attributes["x"] = 2
    assert repr(p.attributes["x"]) == "<tf.Tensor: shape=(), dtype=int32, numpy=1>"


def test_dispatch_refusals_name_the_problem():
    import pytest

    import glassnet as tf

    class Box(tf.experimental.ExtensionType):
        values: tf.Tensor

    with pytest.raises(TypeError, match=r"stack: no dispatcher handles these arguments \(Box\)"):
        tf.stack([Box([1]), Box([2])])
    with pytest.raises(ValueError, match="was not registered"):
        tf.experimental.unregister_dispatch_for(len)
    assert repr(tf.stack([tf.constant([1]), tf.constant([2])])).startswith("<tf.Tensor: shape=(2, 1), dtype=int32")
