"""TensorFlow's tutorial "Playing CartPole with the Actor-Critic method" (a small pure-Python CartPole-like environment with gym's reset/step for gym, 6 episodes of at most 60 steps; tf.keras.losses.Huber(reduction="sum"), Keras 3's spelling of Reduction.SUM) run with ``import glassnet as tf``: what it prints must be what
TensorFlow 2.21 printed for the same code (recorded by running it under TF 2.21; the tutorial's cells
reconstructed in its style, stand-in data where it downloads). Lines in NUMERIC are the same text with
numbers equal to 1e-5 (float32 rounding of a different but correct order of operations)."""

import numpy as np
from conftest import assert_guide_prints

# TF 2.21 printed these with NumPy's default print options (another test may leave others set)
_NUMPY_PRINT_DEFAULTS = dict(precision=8, threshold=1000, edgeitems=3, linewidth=75, suppress=False,
                             floatmode="maxprec", sign="-", legacy=False)

GUIDE = r'''import collections
import statistics
from typing import Any, List, Sequence, Tuple

import numpy as np
import tensorflow as tf

layers = tf.keras.layers

# the tutorial makes gym's CartPole-v1: a small pure-Python stand-in with gym's step/reset interface
class StandInCartPole:
  def __init__(self):
    self.rng = np.random.RandomState(0)
    self.action_space = type('Discrete', (), {'n': 2})()
  def reset(self, seed=None):
    if seed is not None:
      self.rng = np.random.RandomState(seed)
    self.state = self.rng.uniform(-0.05, 0.05, size=4)
    self.t = 0
    return self.state.copy(), {}
  def step(self, action):
    x, v, a, w = self.state
    force = 1.0 if action == 1 else -1.0
    w = w + 0.02 * (9.8 * np.sin(a) - force * np.cos(a))
    a = a + 0.02 * w
    v = v + 0.02 * force
    x = x + 0.02 * v
    self.state = np.array([x, v, a, w])
    self.t += 1
    terminated = bool(abs(a) > 0.21 or abs(x) > 2.4)
    truncated = self.t >= 500
    return self.state.copy(), 1.0, terminated, truncated, {}

env = StandInCartPole()
seed = 42
tf.random.set_seed(seed)
np.random.seed(seed)
eps = np.finfo(np.float32).eps.item()
print(eps)

class ActorCritic(tf.keras.Model):
  """Combined actor-critic network."""

  def __init__(
      self,
      num_actions: int,
      num_hidden_units: int):
    """Initialize."""
    super().__init__()

    self.common = layers.Dense(num_hidden_units, activation="relu")
    self.actor = layers.Dense(num_actions)
    self.critic = layers.Dense(1)

  def call(self, inputs: tf.Tensor) -> Tuple[tf.Tensor, tf.Tensor]:
    x = self.common(inputs)
    return self.actor(x), self.critic(x)

num_actions = env.action_space.n  # 2
num_hidden_units = 128

model = ActorCritic(num_actions, num_hidden_units)

def env_step(action: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
  """Returns state, reward and done flag given an action."""

  state, reward, done, truncated, info = env.step(action)
  return (state.astype(np.float32),
          np.array(reward, np.int32),
          np.array(done, np.int32))


def tf_env_step(action: tf.Tensor) -> List[tf.Tensor]:
  return tf.numpy_function(env_step, [action],
                           [tf.float32, tf.int32, tf.int32])

def run_episode(
    initial_state: tf.Tensor,
    model: tf.keras.Model,
    max_steps: int) -> Tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
  """Runs a single episode to collect training data."""

  action_probs = tf.TensorArray(dtype=tf.float32, size=0, dynamic_size=True)
  values = tf.TensorArray(dtype=tf.float32, size=0, dynamic_size=True)
  rewards = tf.TensorArray(dtype=tf.int32, size=0, dynamic_size=True)

  initial_state_shape = initial_state.shape
  state = initial_state

  for t in tf.range(max_steps):
    # Convert state into a batched tensor (batch size = 1)
    state = tf.expand_dims(state, 0)

    # Run the model and to get action probabilities and critic value
    action_logits_t, value = model(state)

    # Sample next action from the action probability distribution
    action = tf.random.categorical(action_logits_t, 1)[0, 0]
    action_probs_t = tf.nn.softmax(action_logits_t)

    # Store critic values
    values = values.write(t, tf.squeeze(value))

    # Store probability of the action chosen
    action_probs = action_probs.write(t, action_probs_t[0, action])

    # Apply action to the environment to get next state and reward
    state, reward, done = tf_env_step(action)
    state.set_shape(initial_state_shape)

    # Store reward
    rewards = rewards.write(t, reward)

    if tf.cast(done, tf.bool):
      break

  action_probs = action_probs.stack()
  values = values.stack()
  rewards = rewards.stack()

  return action_probs, values, rewards

def get_expected_return(
    rewards: tf.Tensor,
    gamma: float,
    standardize: bool = True) -> tf.Tensor:
  """Compute expected returns per timestep."""

  n = tf.shape(rewards)[0]
  returns = tf.TensorArray(dtype=tf.float32, size=n)

  # Start from the end of `rewards` and accumulate reward sums
  # into the `returns` array
  rewards = tf.cast(rewards[::-1], dtype=tf.float32)
  discounted_sum = tf.constant(0.0)
  discounted_sum_shape = discounted_sum.shape
  for i in tf.range(n):
    reward = rewards[i]
    discounted_sum = reward + gamma * discounted_sum
    discounted_sum.set_shape(discounted_sum_shape)
    returns = returns.write(i, discounted_sum)
  returns = returns.stack()[::-1]

  if standardize:
    returns = ((returns - tf.math.reduce_mean(returns)) /
               (tf.math.reduce_std(returns) + eps))

  return returns

print(get_expected_return(tf.constant([1, 1, 1, 1, 1]), 0.99))
print(get_expected_return(tf.constant([1, 0, 2]), 0.5, standardize=False))

huber_loss = tf.keras.losses.Huber(reduction='sum')
print(huber_loss.reduction, huber_loss.name)

def compute_loss(
    action_probs: tf.Tensor,
    values: tf.Tensor,
    returns: tf.Tensor) -> tf.Tensor:
  """Computes the combined actor-critic loss."""

  advantage = returns - values

  action_log_probs = tf.math.log(action_probs)
  actor_loss = -tf.math.reduce_sum(action_log_probs * advantage)

  critic_loss = huber_loss(values, returns)

  return actor_loss + critic_loss

print(compute_loss(tf.constant([[0.5], [0.25], [0.9]]), tf.constant([[0.1], [2.5], [-0.3]]), tf.constant([[1.0], [0.0], [-1.0]])))

optimizer = tf.keras.optimizers.Adam(learning_rate=0.01)


@tf.function
def train_step(
    initial_state: tf.Tensor,
    model: tf.keras.Model,
    optimizer: tf.keras.optimizers.Optimizer,
    gamma: float,
    max_steps_per_episode: int) -> tf.Tensor:
  """Runs a model training step."""

  with tf.GradientTape() as tape:

    # Run the model for one episode to collect training data
    action_probs, values, rewards = run_episode(
        initial_state, model, max_steps_per_episode)

    # Calculate the expected returns
    returns = get_expected_return(rewards, gamma)

    # Convert training data to appropriate TF tensor shapes
    action_probs, values, returns = [
        tf.expand_dims(x, 1) for x in [action_probs, values, returns]]

    # Calculate the loss values to update our network
    loss = compute_loss(action_probs, values, returns)

  # Compute the gradients from the loss
  grads = tape.gradient(loss, model.trainable_variables)

  # Apply the gradients to the model's parameters
  optimizer.apply_gradients(zip(grads, model.trainable_variables))

  episode_reward = tf.math.reduce_sum(rewards)

  return episode_reward

min_episodes_criterion = 100
max_episodes = 6
max_steps_per_episode = 60

reward_threshold = 475
running_reward = 0

gamma = 0.99

episodes_reward: collections.deque = collections.deque(maxlen=min_episodes_criterion)

t = range(max_episodes)
for i in t:
    initial_state, info = env.reset(seed=i)
    initial_state = tf.constant(initial_state, dtype=tf.float32)
    episode_reward = int(train_step(
        initial_state, model, optimizer, gamma, max_steps_per_episode))

    episodes_reward.append(episode_reward)
    running_reward = statistics.mean(episodes_reward)

    if running_reward > reward_threshold and i >= min_episodes_criterion:
        break

print(len(episodes_reward), isinstance(running_reward, (int, float)), all(1 <= r <= max_steps_per_episode for r in episodes_reward))
print(len(model.trainable_variables), [tuple(v.shape) for v in model.trainable_variables])

state, info = env.reset(seed=3)
state = tf.constant(state, dtype=tf.float32)
action_probs, values, rewards = run_episode(state, model, 8)
print(action_probs.shape, action_probs.dtype, values.dtype, rewards.dtype, rewards.shape == action_probs.shape)
out = tf.numpy_function(lambda a: (a * 2).astype(np.float32), [tf.constant([1.0, 2.0])], tf.float32)
print(out)
ta = tf.TensorArray(dtype=tf.float32, size=0, dynamic_size=True)
for k in tf.range(3):
  ta = ta.write(k, tf.cast(k, tf.float32) * 1.5)
print(ta.size(), ta.stack(), ta.read(1))
print(tf.random.categorical(tf.math.log([[0.0, 1.0]]), 5))
'''

TF_OUTPUT = [
    '1.1920928955078125e-07',
    'tf.Tensor([ 1.4070963   0.7106187   0.00710612 -0.70351255 -1.4213092 ], shape=(5,), dtype=float32)',
    'tf.Tensor([1.5 1.  2. ], shape=(3,), dtype=float32)',
    'sum huber_loss',
    'tf.Tensor(-0.265656, shape=(), dtype=float32)',
    '6 True True',
    '6 [(4, 128), (128,), (128, 2), (2,), (128, 1), (1,)]',
    "(8,) <dtype: 'float32'> <dtype: 'float32'> <dtype: 'int32'> True",
    'tf.Tensor([2. 4.], shape=(2,), dtype=float32)',
    'tf.Tensor(3, shape=(), dtype=int32) tf.Tensor([0.  1.5 3. ], shape=(3,), dtype=float32) tf.Tensor(1.5, shape=(), dtype=float32)',
    'tf.Tensor([[1 1 1 1 1]], shape=(1, 5), dtype=int64)',
    '',
]
NUMERIC = [1, 4]


def test_tutorial_prints_what_tensorflow_prints():
    with np.printoptions(**_NUMPY_PRINT_DEFAULTS):
        assert_guide_prints(GUIDE, "actor_critic", TF_OUTPUT, NUMERIC, fresh_functions=True)


def test_keras2_reduction_sum_spelling_works_as_in_tensorflow():
    """The tutorial's Keras 2 spelling ``Huber(reduction=tf.keras.losses.Reduction.SUM)``: TF 2.21 keeps
    it ('sum', a str), and the sum of the Huber terms: 0.5 * 1 ** 2 + (2.5 - 0.5) = 2.5."""
    import warnings
    import pytest
    import glassnet as tf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reduction = tf.keras.losses.Reduction
    huber = tf.keras.losses.Huber(reduction=reduction.SUM)
    assert huber.reduction == "sum" and reduction.NONE == "none"
    assert float(huber(tf.constant([[1.0], [3.0]]), tf.constant([[0.0], [0.5]]))) == 2.5
    assert reduction.validate("sum") is None
    with pytest.raises(ValueError, match="Invalid Reduction Key: mean"):
        reduction.validate("mean")
