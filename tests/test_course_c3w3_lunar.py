"""The Machine Learning Specialization's course 3 week 3 assignment, Deep Q-Learning for the Lunar
Lander, run with ``tensorflow`` renamed to ``glassnet``: what it prints must be what TensorFlow 2.21
printed for the same code (recorded by running it under TF 2.21).

``gym`` is not installed (nor needed by glassnet): a tiny pure-Python environment stands in, with
gym's old interface (``reset()`` gives the state; ``step(action)`` gives ``(next_state, reward, done,
info)``; 8 floats of state, 4 actions, ``observation_space.shape``, ``action_space.n``) and episodes of
at most 30 steps. The notebook's ``utils.py`` (get_experiences, check_update_conditions, get_new_eps,
get_action, update_target_network) and its ``public_tests`` checks are inlined; plotting, video and
the virtual display are left out. 12 episodes instead of the notebook's 2000 (averages over the last 5
instead of 100). The networks' starting weights are set from NumPy after they are made, so what is
compared does not rest on each library's initializer; everything after that (the @tf.function
learning step with its GradientTape, Adam, the soft update of the target network, the greedy actions,
the .h5 save and load) is TF's arithmetic to float32's last digits. The runtime line keeps its
format, its numbers masked."""
import re

from conftest import assert_guide_prints, renamed

PROGRAM = r'''import os
import random
import re
import tempfile
import time
from collections import deque, namedtuple

import numpy as np
import tensorflow as tf
from tensorflow.keras import Sequential
from tensorflow.keras.activations import relu, linear
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.losses import MSE
from tensorflow.keras.optimizers import Adam

os.chdir(tempfile.mkdtemp())

# utils.py, as the course ships it
SEED = 0
MINIBATCH_SIZE = 64
TAU = 1e-3
E_DECAY = 0.995
E_MIN = 0.01
random.seed(SEED)

def get_experiences(memory_buffer):
    experiences = random.sample(memory_buffer, k=MINIBATCH_SIZE)
    states = tf.convert_to_tensor(np.array([e.state for e in experiences if e is not None]),dtype=tf.float32)
    actions = tf.convert_to_tensor(np.array([e.action for e in experiences if e is not None]), dtype=tf.float32)
    rewards = tf.convert_to_tensor(np.array([e.reward for e in experiences if e is not None]), dtype=tf.float32)
    next_states = tf.convert_to_tensor(np.array([e.next_state for e in experiences if e is not None]),dtype=tf.float32)
    done_vals = tf.convert_to_tensor(np.array([e.done for e in experiences if e is not None]).astype(np.uint8),
                                     dtype=tf.float32)
    return (states, actions, rewards, next_states, done_vals)

def check_update_conditions(t, num_steps_upd, memory_buffer):
    if (t + 1) % num_steps_upd == 0 and len(memory_buffer) > MINIBATCH_SIZE:
        return True
    else:
        return False

def get_new_eps(epsilon):
    return max(E_MIN, E_DECAY*epsilon)

def get_action(q_values, epsilon=0):
    if random.random() > epsilon:
        return np.argmax(q_values.numpy()[0])
    else:
        return random.choice(np.arange(4))

def update_target_network(q_network, target_q_network):
    for target_weights, q_net_weights in zip(target_q_network.weights, q_network.weights):
        target_weights.assign(TAU * q_net_weights + (1.0 - TAU) * target_weights)

# a stand-in for gym.make('LunarLander-v2')
class Box:
    def __init__(self, shape):
        self.shape = shape

class Discrete:
    def __init__(self, n):
        self.n = n

class TinyLander:
    def __init__(self, seed=0):
        self.observation_space, self.action_space = Box((8,)), Discrete(4)
        self.rng = np.random.default_rng(seed)
    def reset(self):
        self.t = 0
        self.s = self.rng.uniform(-1, 1, 8).astype(np.float32)
        return self.s.copy()
    def step(self, action):
        self.t += 1
        push = np.zeros(8, np.float32)
        push[action * 2] = 0.1
        self.s = (0.9 * self.s + push + self.rng.normal(0, 0.01, 8)).astype(np.float32)
        reward = float(-np.abs(self.s[:2]).sum() + (1.0 if action == 2 else 0.0))
        done = bool(self.t >= 30 or abs(self.s[0]) > 2)
        return self.s.copy(), reward, done, {}

# the notebook
tf.random.set_seed(SEED)
MEMORY_SIZE = 100_000
GAMMA = 0.995
ALPHA = 1e-3
NUM_STEPS_FOR_UPDATE = 4

env = TinyLander()
env.reset()
state_size = env.observation_space.shape
num_actions = env.action_space.n
print('State Shape:', state_size)
print('Number of actions:', num_actions)
current_state = env.reset()
action = 0
next_state, reward, done, _ = env.step(action)
with np.printoptions(formatter={'float': '{:.3f}'.format}):
    print(f"{current_state}", f"{next_state}", f"{reward:.3f}", f"{done}")
current_state = next_state

q_network = Sequential([
    Input(shape=state_size),
    Dense(units=64, activation='relu'),
    Dense(units=64, activation='relu'),
    Dense(units=num_actions, activation='linear'),
    ])
target_q_network = Sequential([
    Input(shape=state_size),
    Dense(units=64, activation='relu'),
    Dense(units=64, activation='relu'),
    Dense(units=num_actions, activation='linear'),
    ])
optimizer = Adam(learning_rate=ALPHA)

# public_tests.test_network and test_optimizer
for target in (q_network, target_q_network):
    assert len(target.layers) == 3
    input_shape = list(target.inputs[0].shape)
    assert input_shape == [None, 8], input_shape
    expected = [[Dense, [None, 64], relu], [Dense, [None, 64], relu], [Dense, [None, num_actions], linear]]
    for i, layer in enumerate(target.layers):
        assert type(layer) == expected[i][0]
        assert list(layer.output.shape) == expected[i][1]
        assert layer.activation == expected[i][2], layer.activation
    print("All tests passed!")
assert type(optimizer) == Adam
assert np.isclose(optimizer.learning_rate.numpy(), ALPHA)
print("All tests passed!", optimizer.learning_rate.numpy())
q_network.summary()

# starting weights from NumPy (not each library's initializer)
rng = np.random.default_rng(7)
q_network.set_weights([rng.normal(0, 0.3, w.shape).astype(np.float32) for w in q_network.get_weights()])
target_q_network.set_weights([rng.normal(0, 0.3, w.shape).astype(np.float32) for w in target_q_network.get_weights()])

experience = namedtuple("Experience", field_names=["state", "action", "reward", "next_state", "done"])

def compute_loss(experiences, gamma, q_network, target_q_network):
    states, actions, rewards, next_states, done_vals = experiences
    max_qsa = tf.reduce_max(target_q_network(next_states), axis=-1)
    y_targets = rewards + (gamma * max_qsa * (1 - done_vals))
    q_values = q_network(states)
    q_values = tf.gather_nd(q_values, tf.stack([tf.range(q_values.shape[0]),
                                                tf.cast(actions, tf.int32)], axis=1))
    loss = MSE(y_targets, q_values)
    return loss

# public_tests.test_compute_loss
def target_q_network_random(inputs):
    return np.float32(np.random.rand(inputs.shape[0], num_actions))
def q_network_random(inputs):
    return np.float32(np.random.rand(inputs.shape[0], num_actions))
def target_q_network_ones(inputs):
    return np.float32(np.ones((inputs.shape[0], num_actions)))
def q_network_ones(inputs):
    return np.float32(np.ones((inputs.shape[0], num_actions)))
np.random.seed(1)
states = np.float32(np.random.rand(64, 8))
actions = np.float32(np.floor(np.random.uniform(0, 1, (64, )) * 4))
rewards = np.float32(np.random.rand(64, ))
next_states = np.float32(np.random.rand(64, 8))
done_vals = np.float32((np.random.uniform(0, 1, size=(64,)) > 0.96) * 1)
loss = compute_loss((states, actions, rewards, next_states, done_vals), 0.995, q_network_random, target_q_network_random)
print(loss, np.isclose(loss, 0.6991737))
done_vals = np.float32(np.ones((64,)))
loss = compute_loss((states, actions, rewards, next_states, done_vals), 0.995, q_network_ones, target_q_network_ones)
print(repr(loss), np.isclose(loss, 0.343270182))
rewards = np.float32(np.zeros((64, )))
loss = compute_loss((states, actions, rewards, next_states, done_vals), 0, q_network_ones, target_q_network_ones)
print(f"{loss.numpy():.6f}", loss.shape, loss.dtype)

@tf.function
def agent_learn(experiences, gamma):
    with tf.GradientTape() as tape:
        loss = compute_loss(experiences, gamma, q_network, target_q_network)
    gradients = tape.gradient(loss, q_network.trainable_variables)
    optimizer.apply_gradients(zip(gradients, q_network.trainable_variables))
    update_target_network(q_network, target_q_network)

start = time.time()
num_episodes = 12
max_num_timesteps = 1000
total_point_history = []
num_p_av = 5
epsilon = 1.0
memory_buffer = deque(maxlen=MEMORY_SIZE)
target_q_network.set_weights(q_network.get_weights())
for i in range(num_episodes):
    state = env.reset()
    total_points = 0
    for t in range(max_num_timesteps):
        state_qn = np.expand_dims(state, axis=0)
        q_values = q_network(state_qn)
        action = get_action(q_values, epsilon)
        next_state, reward, done, _ = env.step(action)
        memory_buffer.append(experience(state, action, reward, next_state, done))
        update = check_update_conditions(t, NUM_STEPS_FOR_UPDATE, memory_buffer)
        if update:
            experiences = get_experiences(memory_buffer)
            agent_learn(experiences, GAMMA)
        state = next_state.copy()
        total_points += reward
        if done:
            break
    total_point_history.append(total_points)
    av_latest_points = np.mean(total_point_history[-num_p_av:])
    epsilon = get_new_eps(epsilon)
    print(f"\rEpisode {i + 1} | Total point average of the last {num_p_av} episodes: {av_latest_points:.2f}", end="")
    if (i + 1) % num_p_av == 0:
        print(f"\rEpisode {i + 1} | Total point average of the last {num_p_av} episodes: {av_latest_points:.2f}")
    if av_latest_points >= 200.0:
        print(f"\n\nEnvironment solved in {i + 1} episodes!")
        q_network.save('lunar_lander_model.h5')
        break
tot_time = time.time() - start
print(re.sub(r"\d+\.\d\d", "#", f"\nTotal Runtime: {tot_time:.2f} s ({(tot_time / 60):.2f} min)"))

print(optimizer.iterations.numpy(), type(action).__name__, epsilon)
print(q_values.shape, q_values.dtype, np.round(q_values.numpy(), 4))
print(len(target_q_network.weights), [round(float(np.sum(w)), 4) for w in target_q_network.get_weights()])
print([round(float(np.sum(w)), 4) for w in q_network.get_weights()])
q_network.save('lunar_lander_model.h5')
loaded = tf.keras.models.load_model('lunar_lander_model.h5', compile=False)
print(np.allclose(loaded(state_qn), q_network(state_qn)), [l.name for l in loaded.layers])
'''

TF_OUTPUT = [
    'State Shape: (8,)',
    'Number of actions: 4',
    '[0.087 0.870 0.632 -0.995 0.715 -0.933 0.459 -0.649] [0.173 0.780 0.573 -0.885 0.642 -0.826 0.407 -0.580] -0.953 False',
    'All tests passed!',
    'All tests passed!',
    'All tests passed! 0.001',
    'Model: "sequential"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ dense (Dense)                   │ (None, 64)             │           576 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 64)             │         4,160 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_2 (Dense)                 │ (None, 4)              │           260 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 4,996 (19.52 KB)',
    ' Trainable params: 4,996 (19.52 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    'tf.Tensor(0.6991737, shape=(), dtype=float32) True',
    '<tf.Tensor: shape=(), dtype=float32, numpy=0.3432701826095581> True',
    "1.000000 () <dtype: 'float32'>",
    '\rEpisode 1 | Total point average of the last 5 episodes: 4.05\rEpisode 2 | Total point average of the last 5 episodes: -1.87\rEpisode 3 | Total point average of the last 5 episodes: -2.47\rEpisode 4 | Total point average of the last 5 episodes: -1.43\rEpisode 5 | Total point average of the last 5 episodes: -2.68\rEpisode 5 | Total point average of the last 5 episodes: -2.68',
    '\rEpisode 6 | Total point average of the last 5 episodes: -4.83\rEpisode 7 | Total point average of the last 5 episodes: -3.52\rEpisode 8 | Total point average of the last 5 episodes: -3.52\rEpisode 9 | Total point average of the last 5 episodes: -4.57\rEpisode 10 | Total point average of the last 5 episodes: -2.38\rEpisode 10 | Total point average of the last 5 episodes: -2.38',
    '\rEpisode 11 | Total point average of the last 5 episodes: 0.53\rEpisode 12 | Total point average of the last 5 episodes: 0.19',
    'Total Runtime: # s (# min)',
    '69 int64 0.9416228069143757',
    "(1, 4) <dtype: 'float32'> [[0.5548 0.8052 1.4331 0.4421]]",
    '6 [-20.5075, -4.4791, -5.0679, -4.0314, 5.3856, 0.4888]',
    '[-19.5367, -4.2607, -6.0837, -3.9054, 7.3748, 0.5736]',
    "True ['dense', 'dense_1', 'dense_2']",
    '',
]

# the q-values and the weights' sums after the learning steps
NUMERIC = (28, 29, 30)


def test_deep_q_learning_assignment_prints_what_tf_printed():
    assert_guide_prints(renamed(PROGRAM), "c3w3_lunar", TF_OUTPUT, numeric=NUMERIC)
