"""keras.io's example "Knowledge Distillation" (examples/vision/knowledge_distillation.py) in its
tf.keras form, run renamed on stand-in MNIST arrays (64 training and 32 test images): the
Distiller(keras.Model) with compile(optimizer, metrics, student_loss_fn, distillation_loss_fn,
alpha, temperature), a train_step on tf.GradientTape with keras.losses.KLDivergence of
tf.nn.softmax(logits / T) times T**2, and Keras 2's self.compiled_metrics.update_state(y, pred),
which Keras 3 keeps as a deprecated shim: every metric of model.metrics updated, the "loss" Mean
with the predictions themselves, so the "loss" Keras 3 prints is the mean student logit (and
glassnet's too); test_step; keras.models.clone_model; evaluate's list and return_dict.
TF_OUTPUT was recorded under TensorFlow 2.21 / Keras 3.15 (seeded: the same numbers).
"""

from conftest import assert_program_prints

from glassnet import keras

PROGRAM = r'''import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
import numpy as np
keras.utils.set_random_seed(0)

class Distiller(keras.Model):
    def __init__(self, student, teacher):
        super(Distiller, self).__init__()
        self.teacher = teacher
        self.student = student

    def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn, alpha=0.1, temperature=3):
        super(Distiller, self).compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn = student_loss_fn
        self.distillation_loss_fn = distillation_loss_fn
        self.alpha = alpha
        self.temperature = temperature

    def train_step(self, data):
        x, y = data
        teacher_predictions = self.teacher(x, training=False)
        with tf.GradientTape() as tape:
            student_predictions = self.student(x, training=True)
            student_loss = self.student_loss_fn(y, student_predictions)
            distillation_loss = (
                self.distillation_loss_fn(
                    tf.nn.softmax(teacher_predictions / self.temperature, axis=1),
                    tf.nn.softmax(student_predictions / self.temperature, axis=1),
                )
                * self.temperature**2
            )
            loss = self.alpha * student_loss + (1 - self.alpha) * distillation_loss
        trainable_vars = self.student.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))
        self.compiled_metrics.update_state(y, student_predictions)
        results = {m.name: m.result() for m in self.metrics}
        results.update({"student_loss": student_loss, "distillation_loss": distillation_loss})
        return results

    def test_step(self, data):
        x, y = data
        y_prediction = self.student(x, training=False)
        student_loss = self.student_loss_fn(y, y_prediction)
        self.compiled_metrics.update_state(y, y_prediction)
        results = {m.name: m.result() for m in self.metrics}
        results.update({"student_loss": student_loss})
        return results

teacher = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(256, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(alpha=0.2),
        layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
        layers.Conv2D(512, (3, 3), strides=(2, 2), padding="same"),
        layers.Flatten(),
        layers.Dense(10),
    ],
    name="teacher",
)
student = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(alpha=0.2),
        layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
        layers.Conv2D(32, (3, 3), strides=(2, 2), padding="same"),
        layers.Flatten(),
        layers.Dense(10),
    ],
    name="student",
)
student_scratch = keras.models.clone_model(student)
print(student_scratch.name, [l.name for l in student_scratch.layers])
student.summary()

batch_size = 64
r = np.random.default_rng(0)
(x_train, y_train), (x_test, y_test) = (r.integers(0, 256, (64, 28, 28), dtype=np.uint8), r.integers(0, 10, 64, dtype=np.uint8)), (r.integers(0, 256, (32, 28, 28), dtype=np.uint8), r.integers(0, 10, 32, dtype=np.uint8))
x_train = x_train.astype("float32") / 255.0
x_train = np.reshape(x_train, (-1, 28, 28, 1))
x_test = x_test.astype("float32") / 255.0
x_test = np.reshape(x_test, (-1, 28, 28, 1))

teacher.compile(
    optimizer=keras.optimizers.Adam(),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
teacher.fit(x_train, y_train, epochs=1)
print(teacher.evaluate(x_test, y_test))

distiller = Distiller(student=student, teacher=teacher)
distiller.compile(
    optimizer=keras.optimizers.Adam(),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
    student_loss_fn=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    distillation_loss_fn=keras.losses.KLDivergence(),
    alpha=0.1,
    temperature=10,
)
h = distiller.fit(x_train, y_train, epochs=2)
print(sorted(h.history), {k: type(v[0]).__name__ for k, v in h.history.items()})
print(distiller.evaluate(x_test, y_test))
print(distiller.evaluate(x_test, y_test, return_dict=True, verbose=0))
print([m.name for m in distiller.metrics])

student_scratch.compile(
    optimizer=keras.optimizers.Adam(),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
student_scratch.fit(x_train, y_train, epochs=1)
print(student_scratch.evaluate(x_test, y_test))
kl = keras.losses.KLDivergence()
print(kl(np.array([[0.2, 0.8], [0.5, 0.5]], "float32"), np.array([[0.3, 0.7], [0.6, 0.4]], "float32")))
'''

TF_OUTPUT = [
    "student ['conv2d_2', 'leaky_re_lu_1', 'max_pooling2d_1', 'conv2d_3', 'flatten_1', 'dense_1']",
    'Model: "student"',
    '┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓',
    '┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃',
    '┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩',
    '│ conv2d_2 (Conv2D)               │ (None, 14, 14, 16)     │           160 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ leaky_re_lu_1 (LeakyReLU)       │ (None, 14, 14, 16)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ max_pooling2d_1 (MaxPooling2D)  │ (None, 14, 14, 16)     │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ conv2d_3 (Conv2D)               │ (None, 7, 7, 32)       │         4,640 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ flatten_1 (Flatten)             │ (None, 1568)           │             0 │',
    '├─────────────────────────────────┼────────────────────────┼───────────────┤',
    '│ dense_1 (Dense)                 │ (None, 10)             │        15,690 │',
    '└─────────────────────────────────┴────────────────────────┴───────────────┘',
    ' Total params: 20,490 (80.04 KB)',
    ' Trainable params: 20,490 (80.04 KB)',
    ' Non-trainable params: 0 (0.00 B)',
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - loss: 2.5757 - sparse_categorical_accuracy: 0.1094',
    '1/1 ━━━━━━━━━━━━━━━━━━━━ - loss: 2.5986 - sparse_categorical_accuracy: 0.0625',
    '[2.5985965728759766, 0.0625]',
    'Epoch 1/2',
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - sparse_categorical_accuracy: 0.1406 - distillation_loss: 0.2198 - loss: -0.0035 - student_loss: 2.3013',
    'Epoch 2/2',
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - sparse_categorical_accuracy: 0.0938 - distillation_loss: 0.1264 - loss: -0.0239 - student_loss: 2.2512',
    "['distillation_loss', 'loss', 'sparse_categorical_accuracy', 'student_loss'] {'sparse_categorical_accuracy': 'float', 'distillation_loss': 'float', 'loss': 'float', 'student_loss': 'float'}",
    '1/1 ━━━━━━━━━━━━━━━━━━━━ - sparse_categorical_accuracy: 0.0938 - loss: -0.0400 - student_loss: 2.3680',
    '[-0.040031637996435165, 0.09375, 2.368039131164551]',
    "{'sparse_categorical_accuracy': 0.09375, 'loss': -0.040031637996435165, 'student_loss': 2.368039131164551}",
    "['loss', 'compile_metrics']",
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - loss: 2.2967 - sparse_categorical_accuracy: 0.1250',
    '1/1 ━━━━━━━━━━━━━━━━━━━━ - loss: 2.3325 - sparse_categorical_accuracy: 0.0625',
    '[2.3325228691101074, 0.0625]',
    'tf.Tensor(0.02307155, shape=(), dtype=float32)',
    '',
]

def test_knowledge_distillation_tf_keras(monkeypatch, tmp_path):
    keras.backend.clear_session()               # layer names count as in a fresh process
    monkeypatch.chdir(tmp_path)                 # (the program writes its files here)
    assert_program_prints(PROGRAM, TF_OUTPUT)
