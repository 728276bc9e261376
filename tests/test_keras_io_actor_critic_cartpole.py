"""keras.io's example "Actor Critic Method" (examples/rl/actor_critic_cartpole.py, the Keras 3 version), run
renamed with a stand-in for gymnasium's CartPole (not installed here): a small pure-Python class
with CartPole's physics, its reset draw and v0's 200-step limit, returning gymnasium's
(state, reward, done, truncated, info). The model with two outputs (softmax actor, critic),
ops.convert_to_tensor / expand_dims / log, np.random.choice on np.squeeze(action_probs), the
episode's losses on tf.GradientTape with keras.losses.Huber, Adam(0.01).apply_gradients, and the
running-reward lines, 30 episodes here. TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15:
with keras.utils.set_random_seed(0) the starting weights and NumPy's draws are Keras's, and the
episodes come out the same.
"""
from conftest import assert_guide_prints, renamed

from glassnet import keras

PROGRAM = """\
import os
os.environ["KERAS_BACKEND"] = "tensorflow"
import math
import numpy as np
import keras
from keras import ops
from keras import layers
import tensorflow as tf
keras.utils.set_random_seed(0)


class CartPole:
    # A stand-in for gymnasium's CartPole (its physics, reset draw and 200-step limit of v0).

    def __init__(self):
        self.rng = np.random.default_rng(0)
        self.state, self.steps = None, 0

    def reset(self, seed=None):
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.state, self.steps = self.rng.uniform(-0.05, 0.05, 4), 0
        return self.state.astype(np.float32), {}

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = 10.0 if action == 1 else -10.0
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + 0.05 * theta_dot ** 2 * sin) / 1.1
        theta_acc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos ** 2 / 1.1))
        x_acc = temp - 0.05 * theta_acc * cos / 1.1
        x, x_dot = x + 0.02 * x_dot, x_dot + 0.02 * x_acc
        theta, theta_dot = theta + 0.02 * theta_dot, theta_dot + 0.02 * theta_acc
        self.state, self.steps = np.array([x, x_dot, theta, theta_dot]), self.steps + 1
        done = abs(x) > 2.4 or abs(theta) > 12 * 2 * math.pi / 360
        return self.state.astype(np.float32), 1.0, done, self.steps >= 200, {}


seed = 42
gamma = 0.99
max_steps_per_episode = 10000
env = CartPole()
env.reset(seed=seed)
eps = np.finfo(np.float32).eps.item()
num_inputs = 4
num_actions = 2
num_hidden = 128
inputs = layers.Input(shape=(num_inputs,))
common = layers.Dense(num_hidden, activation="relu")(inputs)
action = layers.Dense(num_actions, activation="softmax")(common)
critic = layers.Dense(1)(common)
model = keras.Model(inputs=inputs, outputs=[action, critic])
optimizer = keras.optimizers.Adam(learning_rate=0.01)
huber_loss = keras.losses.Huber()
action_probs_history = []
critic_value_history = []
rewards_history = []
running_reward = 0
episode_count = 0
while True:
    state = env.reset()[0]
    episode_reward = 0
    with tf.GradientTape() as tape:
        for timestep in range(1, max_steps_per_episode):
            state = ops.convert_to_tensor(state)
            state = ops.expand_dims(state, 0)
            action_probs, critic_value = model(state)
            critic_value_history.append(critic_value[0, 0])
            action = np.random.choice(num_actions, p=np.squeeze(action_probs))
            action_probs_history.append(ops.log(action_probs[0, action]))
            state, reward, done, *_ = env.step(action)
            rewards_history.append(reward)
            episode_reward += reward
            if done:
                break
        running_reward = 0.05 * episode_reward + (1 - 0.05) * running_reward
        returns = []
        discounted_sum = 0
        for r in rewards_history[::-1]:
            discounted_sum = r + gamma * discounted_sum
            returns.insert(0, discounted_sum)
        returns = np.array(returns)
        returns = (returns - np.mean(returns)) / (np.std(returns) + eps)
        returns = returns.tolist()
        history = zip(action_probs_history, critic_value_history, returns)
        actor_losses = []
        critic_losses = []
        for log_prob, value, ret in history:
            diff = ret - value
            actor_losses.append(-log_prob * diff)
            critic_losses.append(
                huber_loss(ops.expand_dims(value, 0), ops.expand_dims(ret, 0))
            )
        loss_value = sum(actor_losses) + sum(critic_losses)
        grads = tape.gradient(loss_value, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        action_probs_history.clear()
        critic_value_history.clear()
        rewards_history.clear()
    episode_count += 1
    if episode_count == 1:
        print(loss_value.shape, loss_value.dtype, len(grads), [tuple(g.shape) for g in grads])
    if episode_count % 10 == 0:
        template = "running reward: {:.2f} at episode {}"
        print(template.format(running_reward, episode_count))
    if running_reward > 195 or episode_count == 30:
        print("Solved at episode {}!".format(episode_count))
        break
"""

TF_OUTPUT = [
    "() <dtype: 'float32'> 6 [(4, 128), (128,), (128, 2), (2,), (128, 1), (1,)]",
    'running reward: 13.40 at episode 10',
    'running reward: 39.29 at episode 20',
    'running reward: 58.10 at episode 30',
    'Solved at episode 30!',
    '',
]


def test_actor_critic_cartpole():
    keras.backend.clear_session()               # layer names count as in a fresh process
    assert_guide_prints(renamed(PROGRAM), "actor_critic_cartpole", TF_OUTPUT)
