"""TensorFlow's "Optimizers with Core APIs" (guide/core/optimizers_core.ipynb) run with
``import glassnet as tf``: gradient descent, momentum and Adam written as tf.Modules minimise
2x^4 + 3x^3 + 2 from x = 2, in float32 and with no randomness, so glassnet must print TF's own
iteration counts, explosions and last parameters to the bit. Lines are TF 2.21's for the same program
with fewer learning rates and at most 1200 iterations (the guide's 2000 x 9 runs take too long for a
unit test)."""
from conftest import assert_guide_prints

GUIDE = r'''import warnings
warnings.simplefilter('ignore', RuntimeWarning)
import matplotlib
matplotlib.use("Agg")
from matplotlib import pyplot as plt
matplotlib.rcParams['figure.figsize'] = [9, 6]
import tensorflow as tf
tf.random.set_seed(22)

class GradientDescent(tf.Module):

  def __init__(self, learning_rate=1e-3):
    self.learning_rate = learning_rate
    self.title = f"Gradient descent optimizer: learning rate={self.learning_rate}"

  def apply_gradients(self, grads, vars):
    for grad, var in zip(grads, vars):
      var.assign_sub(self.learning_rate*grad)

x_vals = tf.linspace(-2, 2, 201)
x_vals = tf.cast(x_vals, tf.float32)

def loss(x):
  return 2*(x**4) + 3*(x**3) + 2

def grad(f, x):
  with tf.GradientTape() as tape:
    tape.watch(x)
    result = f(x)
  return tape.gradient(result, x)

plt.plot(x_vals, loss(x_vals), c='k', label = "Loss function")
plt.plot(x_vals, grad(loss, x_vals), c='tab:blue', label = "Gradient function")
plt.plot(0, loss(0),  marker="o", c='g', label = "Inflection point")
plt.plot(-9/8, loss(-9/8),  marker="o", c='r', label = "Global minimum")
plt.legend()
plt.ylim(0,5)

def convergence_test(optimizer, loss_fn, grad_fn=grad, init_val=2., max_iters=1200):
  print(optimizer.title)
  print("-------------------------------")
  x_star = tf.Variable(init_val)
  param_path = []
  converged = False
  for iter in range(1, max_iters + 1):
    x_grad = grad_fn(loss_fn, x_star)
    if tf.math.is_nan(x_grad):
      print(f"Gradient exploded at iteration {iter}\n")
      return []
    x_old = x_star.numpy()
    optimizer.apply_gradients([x_grad], [x_star])
    param_path.append(x_star.numpy())
    if x_star == x_old:
      print(f"Converged in {iter} iterations\n")
      converged = True
      break
  if not converged:
    print(f"Exceeded maximum of {max_iters} iterations. Test terminated.\n")
  return param_path

param_map_gd = {}
learning_rates = [1e-3, 1e-1]
for learning_rate in learning_rates:
  param_map_gd[learning_rate] = (convergence_test(
      GradientDescent(learning_rate=learning_rate), loss_fn=loss))

def viz_paths(param_map, x_vals, loss_fn, title, max_iters=1200):
  t_vals = tf.range(1., max_iters + 100.)
  t_grid, x_grid = tf.meshgrid(t_vals, x_vals)
  loss_grid = tf.math.log(loss_fn(x_grid))
  plt.pcolormesh(t_vals, x_vals, loss_grid, vmin=0, shading='nearest')
  colors = ['r', 'w', 'c']
  for i, learning_rate in enumerate(param_map):
    param_path = param_map[learning_rate]
    if len(param_path) > 0:
      x_star = param_path[-1]
      plt.plot(t_vals[:len(param_path)], param_path, c=colors[i])
      plt.plot(len(param_path), x_star, marker='o', c=colors[i],
              label = f"x*: learning rate={learning_rate}")
  plt.xlabel("Iterations")
  plt.ylabel("Parameter value")
  plt.legend()
  plt.title(f"{title} parameter paths")

viz_paths(param_map_gd, x_vals, loss, "Gradient descent")

class Momentum(tf.Module):

  def __init__(self, learning_rate=1e-3, momentum=0.7):
    self.learning_rate = learning_rate
    self.momentum = momentum
    self.change = 0.
    self.title = f"Gradient descent optimizer: learning rate={self.learning_rate}"

  def apply_gradients(self, grads, vars):
    for grad, var in zip(grads, vars):
      curr_change = self.learning_rate*grad + self.momentum*self.change
      var.assign_sub(curr_change)
      self.change = curr_change

param_map_mtm = {}
learning_rates = [1e-2, 1e-1]
for learning_rate in learning_rates:
  param_map_mtm[learning_rate] = (convergence_test(
      Momentum(learning_rate=learning_rate),
      loss_fn=loss, grad_fn=grad))

viz_paths(param_map_mtm, x_vals, loss, "Momentum")

class Adam(tf.Module):

    def __init__(self, learning_rate=1e-3, beta_1=0.9, beta_2=0.999, ep=1e-7):
      self.beta_1 = beta_1
      self.beta_2 = beta_2
      self.learning_rate = learning_rate
      self.ep = ep
      self.t = 1.
      self.v_dvar, self.s_dvar = [], []
      self.title = f"Adam: learning rate={self.learning_rate}"
      self.built = False

    def apply_gradients(self, grads, vars):
      if not self.built:
        for var in vars:
          v = tf.Variable(tf.zeros(shape=var.shape))
          s = tf.Variable(tf.zeros(shape=var.shape))
          self.v_dvar.append(v)
          self.s_dvar.append(s)
        self.built = True
      for i, (d_var, var) in enumerate(zip(grads, vars)):
        self.v_dvar[i] = self.beta_1*self.v_dvar[i] + (1-self.beta_1)*d_var
        self.s_dvar[i] = self.beta_2*self.s_dvar[i] + (1-self.beta_2)*tf.square(d_var)
        v_dvar_bc = self.v_dvar[i]/(1-(self.beta_1**self.t))
        s_dvar_bc = self.s_dvar[i]/(1-(self.beta_2**self.t))
        var.assign_sub(self.learning_rate*(v_dvar_bc/(tf.sqrt(s_dvar_bc) + self.ep)))
      self.t += 1.

param_map_adam = {}
learning_rates = [1e-1]
for learning_rate in learning_rates:
  param_map_adam[learning_rate] = (convergence_test(
      Adam(learning_rate=learning_rate), loss_fn=loss))

viz_paths(param_map_adam, x_vals, loss, "Adam")
print({k: (len(v), repr(v[-1]) if v else None) for k, v in param_map_adam.items()})
print({k: (len(v), repr(v[-1]) if v else None) for k, v in param_map_gd.items()})
print({k: (len(v), repr(v[-1]) if v else None) for k, v in param_map_mtm.items()})
'''

TF_OUTPUT = [
    'Gradient descent optimizer: learning rate=0.001',
    '-------------------------------',
    'Exceeded maximum of 1200 iterations. Test terminated.',
    '',
    'Gradient descent optimizer: learning rate=0.1',
    '-------------------------------',
    'Gradient exploded at iteration 6',
    '',
    'Gradient descent optimizer: learning rate=0.01',
    '-------------------------------',
    'Converged in 80 iterations',
    '',
    'Gradient descent optimizer: learning rate=0.1',
    '-------------------------------',
    'Gradient exploded at iteration 6',
    '',
    'Adam: learning rate=0.1',
    '-------------------------------',
    'Converged in 1156 iterations',
    '',
    "{0.1: (1156, 'np.float32(-1.124997)')}",
    "{0.001: (1200, 'np.float32(0.074590355)'), 0.1: (0, None)}",
    "{0.01: (80, 'np.float32(-1.1249987)'), 0.1: (0, None)}",
    '',
]


def test_optimizers_core_prints_as_tensorflow():
    assert_guide_prints(GUIDE, "optimizers_core.ipynb", TF_OUTPUT, numeric=())
