"""The seed documents' program, with `tensorflow` renamed to `glassnet` (commas restored),
on the 0-vs-1 handwritten digits shipped with glassnet; and XOR."""
import io
import subprocess
import sys
import textwrap

import numpy as np

import glassnet

SEED_PROGRAM = textwrap.dedent("""
    import glassnet as tf
    from glassnet.keras import Sequential
    from glassnet.keras.layers import Dense
    from glassnet.keras.losses import BinaryCrossentropy

    model = Sequential([
        Dense(units=25, activation='sigmoid'),
        Dense(units=15, activation='sigmoid'),
        Dense(units=1, activation='sigmoid')
    ])
    model.compile(loss=BinaryCrossentropy())
    model.fit(X, Y, epochs=100)
""")


def test_seed_program_learns_zero_vs_one(capsys):
    (X, Y), (X_test, Y_test) = glassnet.datasets.digits.load_data(classes=2)
    scope = {"X": X, "Y": Y}
    exec(compile(SEED_PROGRAM, "seed_program", "exec"), scope)
    model = scope["model"]
    train_acc = np.mean((model.predict(X, verbose=0)[:, 0] > 0.5) == Y)
    test_acc = np.mean((model.predict(X_test, verbose=0)[:, 0] > 0.5) == Y_test)
    assert train_acc >= 0.99
    assert test_acc >= 0.97
    out = capsys.readouterr().out
    assert "Epoch 1/100" in out and "Epoch 100/100" in out
    assert "9/9" in out                       # 288 samples / batch 32 = 9 steps per epoch


def test_seed_regression_variant_with_mean_squared_error():
    from glassnet.keras.losses import MeanSquaredError
    (X, Y), _ = glassnet.datasets.digits.load_data(classes=2)
    model = glassnet.Sequential([glassnet.layers.Dense(units=25, activation="sigmoid"),
                                 glassnet.layers.Dense(units=15, activation="sigmoid"),
                                 glassnet.layers.Dense(units=1, activation="sigmoid")])
    model.compile(loss=MeanSquaredError())
    history = model.fit(X, Y, epochs=60, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_xor_with_a_2_4_1_network():
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    Y = np.array([0, 1, 1, 0], dtype=np.float32)
    model = glassnet.Sequential([glassnet.Input(shape=(2,)),
                                 glassnet.layers.Dense(4, activation="tanh"),
                                 glassnet.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=glassnet.optimizers.Adam(learning_rate=0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(X, Y, epochs=300, batch_size=4, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    np.testing.assert_array_equal(model.predict(X, verbose=0)[:, 0] > 0.5, Y.astype(bool))


def test_seed_program_runs_as_a_script_and_prints_plain_lines(tmp_path):
    """Through a pipe, progress is one plain line per epoch: no carriage returns or escapes."""
    script = tmp_path / "seed.py"
    script.write_text("import glassnet\n(X, Y), _ = glassnet.datasets.digits.load_data(classes=2)\n"
                      + SEED_PROGRAM.replace("epochs=100", "epochs=3"))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Epoch 1/3"
    assert "\r" not in result.stdout and "\x1b" not in result.stdout
    assert len(lines) == 6
    assert lines[1].startswith("9/9 ━━━━━━━━━━━━━━━━━━━━ ") and " - loss: " in lines[1]
