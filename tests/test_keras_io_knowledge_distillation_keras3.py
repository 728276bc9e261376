"""keras.io's example "Knowledge Distillation" (examples/vision/knowledge_distillation.py) in its
Keras 3 form, run renamed on stand-in MNIST arrays (64 training and 32 test images): the
Distiller writes only compute_loss (without a training argument, as written before Keras 3.3)
and call, so fit runs Keras's default train_step through them; the distillation term
keras.losses.KLDivergence(ops.softmax(teacher / T), ops.softmax(student / T)) * T**2 has the
teacher inside the tape, so its gradient reaches the teacher's weights through y_true as in
Keras; model.metrics is [loss, compile_metrics]. TF_OUTPUT was recorded under TensorFlow 2.21 /
Keras 3.15 (seeded: the same numbers).
"""

from conftest import assert_program_prints

from glassnet import keras

PROGRAM = r'''import os
import keras
from keras import layers
from keras import ops
import numpy as np
keras.utils.set_random_seed(0)

class Distiller(keras.Model):
    def __init__(self, student, teacher):
        super().__init__()
        self.teacher = teacher
        self.student = student

    def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn, alpha=0.1, temperature=3):
        super().compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn = student_loss_fn
        self.distillation_loss_fn = distillation_loss_fn
        self.alpha = alpha
        self.temperature = temperature

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, allow_empty=False):
        teacher_pred = self.teacher(x, training=False)
        student_loss = self.student_loss_fn(y, y_pred)
        distillation_loss = self.distillation_loss_fn(
            ops.softmax(teacher_pred / self.temperature, axis=1),
            ops.softmax(y_pred / self.temperature, axis=1),
        ) * (self.temperature**2)
        loss = self.alpha * student_loss + (1 - self.alpha) * distillation_loss
        return loss

    def call(self, x):
        return self.student(x)

teacher = keras.Sequential(
    [
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(256, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
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
        layers.LeakyReLU(negative_slope=0.2),
        layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
        layers.Conv2D(32, (3, 3), strides=(2, 2), padding="same"),
        layers.Flatten(),
        layers.Dense(10),
    ],
    name="student",
)
student_scratch = keras.models.clone_model(student)

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
teacher.evaluate(x_test, y_test)

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
print({k: [round(x, 4) for x in v] for k, v in h.history.items()})
print(distiller.evaluate(x_test, y_test))
print([m.name for m in distiller.metrics], len(distiller.trainable_weights), len(distiller.weights))
student_scratch.compile(
    optimizer=keras.optimizers.Adam(),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)
student_scratch.fit(x_train, y_train, epochs=1)
print(student_scratch.evaluate(x_test, y_test))
'''

TF_OUTPUT = [
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - loss: 2.5757 - sparse_categorical_accuracy: 0.1094',
    '1/1 ━━━━━━━━━━━━━━━━━━━━ - loss: 2.5986 - sparse_categorical_accuracy: 0.0625',
    'Epoch 1/2',
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - loss: 0.4876 - sparse_categorical_accuracy: 0.1406',
    'Epoch 2/2',
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - loss: 0.3457 - sparse_categorical_accuracy: 0.0781',
    "{'loss': [0.4876, 0.3457], 'sparse_categorical_accuracy': [0.1406, 0.0781]}",
    '1/1 ━━━━━━━━━━━━━━━━━━━━ - loss: 0.2758 - sparse_categorical_accuracy: 0.0938',
    '[0.2758093476295471, 0.09375]',
    "['loss', 'compile_metrics'] 12 12",
    '2/2 ━━━━━━━━━━━━━━━━━━━━ - loss: 2.2967 - sparse_categorical_accuracy: 0.1250',
    '1/1 ━━━━━━━━━━━━━━━━━━━━ - loss: 2.3325 - sparse_categorical_accuracy: 0.0625',
    '[2.3325228691101074, 0.0625]',
    '',
]

def test_knowledge_distillation_keras3(monkeypatch, tmp_path):
    keras.backend.clear_session()               # layer names count as in a fresh process
    monkeypatch.chdir(tmp_path)                 # (the program writes its files here)
    assert_program_prints(PROGRAM, TF_OUTPUT)
