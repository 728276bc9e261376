"""TensorFlow's "Time series forecasting" tutorial as one function of ``tf`` (glassnet or real
TensorFlow), on a stand-in for the Jena climate CSV; used by tests/test_timeseries_tutorial.py
and by tools/compare_timeseries_tutorial.py (the same program beside TensorFlow 2.21)."""
import os
import zipfile

import numpy as np

COLUMNS = ["Date Time", "p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)",
           "VPact (mbar)", "VPdef (mbar)", "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)",
           "max. wv (m/s)", "wd (deg)"]


def make_stand_in(folder, rows=6000, seed=0):
    """A zip of a CSV with the Jena columns, 10-minute rows from 01.01.2009 (a daily cycle,
    noise, and a few -9999 wind speeds as the real file has); returns the zip's path."""
    import pandas as pd  # noqa: PLC0415
    rng = np.random.default_rng(seed)
    t = np.arange(rows)
    times = pd.Timestamp("2009-01-01 00:10:00") + pd.to_timedelta(t * 10, unit="min")
    day = np.sin(2 * np.pi * t / 144)
    temp = 5 + 6 * day + np.cumsum(rng.normal(0, 0.05, rows))
    cols = {"Date Time": times.strftime("%d.%m.%Y %H:%M:%S"),
            "p (mbar)": 990 + np.cumsum(rng.normal(0, 0.05, rows)),
            "T (degC)": temp, "Tpot (K)": temp + 273.15 + rng.normal(0, 0.1, rows),
            "Tdew (degC)": temp - 3 + rng.normal(0, 0.3, rows), "rh (%)": 80 - 10 * day + rng.normal(0, 2, rows),
            "VPmax (mbar)": 9 + 3 * day + rng.normal(0, 0.2, rows), "VPact (mbar)": 7 + rng.normal(0, 0.3, rows),
            "VPdef (mbar)": 2 + 2 * day + rng.normal(0, 0.2, rows), "sh (g/kg)": 4.5 + rng.normal(0, 0.2, rows),
            "H2OC (mmol/mol)": 7 + rng.normal(0, 0.3, rows), "rho (g/m**3)": 1260 - 20 * day + rng.normal(0, 3, rows),
            "wv (m/s)": np.abs(rng.normal(2, 1, rows)), "max. wv (m/s)": np.abs(rng.normal(3.5, 1.5, rows)),
            "wd (deg)": rng.uniform(0, 360, rows)}
    df = pd.DataFrame(cols)
    df.loc[[1000, 2500], "wv (m/s)"] = -9999.0
    df.loc[[1500], "max. wv (m/s)"] = -9999.0
    os.makedirs(folder, exist_ok=True)
    csv = os.path.join(folder, "jena_climate_2009_2016.csv")
    df.to_csv(csv, index=False, float_format="%.2f")
    zip_path = os.path.join(folder, "jena_climate_2009_2016.csv.zip")
    with zipfile.ZipFile(zip_path, "w") as z:
        z.write(csv, "jena_climate_2009_2016.csv")
    os.remove(csv)
    return zip_path


def run(tf, folder, max_epochs=2, plots=True):
    """The tutorial's program, step by step; returns what it prints and computes."""
    import matplotlib  # noqa: PLC0415
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415
    out = {}
    zip_path = tf.keras.utils.get_file(origin="file://" + os.path.join(folder, "jena_climate_2009_2016.csv.zip"),
                                       fname="jena_climate_2009_2016.csv.zip", extract=True,
                                       cache_dir=os.path.join(folder, "cache"))
    csv_path = os.path.join(zip_path, "jena_climate_2009_2016.csv") if os.path.isdir(zip_path) \
        else os.path.splitext(zip_path)[0]
    df = pd.read_csv(csv_path)
    df = df[5::6]
    date_time = pd.to_datetime(df.pop("Date Time"), format="%d.%m.%Y %H:%M:%S")
    plot_cols = ["T (degC)", "p (mbar)", "rho (g/m**3)"]
    plot_features = df[plot_cols]
    plot_features.index = date_time
    if plots:
        _ = plot_features.plot(subplots=True)
    df.describe().transpose()
    wv = df["wv (m/s)"]
    wv[wv == -9999.0] = 0.0
    max_wv = df["max. wv (m/s)"]
    max_wv[max_wv == -9999.0] = 0.0
    out["wv_min"] = float(df["wv (m/s)"].min())
    if plots:
        plt.hist2d(df["wd (deg)"], df["wv (m/s)"], bins=(50, 50), vmax=400)
        plt.colorbar()
    wv = df.pop("wv (m/s)")
    max_wv = df.pop("max. wv (m/s)")
    wd_rad = df.pop("wd (deg)") * np.pi / 180
    df["Wx"] = wv * np.cos(wd_rad)
    df["Wy"] = wv * np.sin(wd_rad)
    df["max Wx"] = max_wv * np.cos(wd_rad)
    df["max Wy"] = max_wv * np.sin(wd_rad)
    timestamp_s = date_time.map(pd.Timestamp.timestamp)
    day = 24 * 60 * 60
    year = (365.2425) * day
    df["Day sin"] = np.sin(timestamp_s * (2 * np.pi / day))
    df["Day cos"] = np.cos(timestamp_s * (2 * np.pi / day))
    df["Year sin"] = np.sin(timestamp_s * (2 * np.pi / year))
    df["Year cos"] = np.cos(timestamp_s * (2 * np.pi / year))
    fft = tf.signal.rfft(df["T (degC)"])
    f_per_dataset = np.arange(0, len(fft))
    n_samples_h = len(df["T (degC)"])
    hours_per_year = 24 * 365.2524
    years_per_dataset = n_samples_h / (hours_per_year)
    f_per_year = f_per_dataset / years_per_dataset
    out["fft"] = (tuple(fft.shape), str(fft.dtype.name if hasattr(fft.dtype, "name") else fft.dtype),
                  np.abs(np.asarray(fft))[:5].tolist())
    if plots:
        plt.step(f_per_year, np.abs(fft))
        plt.xscale("log")
        plt.ylim(0, 400000)
        plt.xlim([0.1, max(plt.xlim())])
        plt.xticks([1, 365.2524], labels=["1/Year", "1/day"])

    column_indices = {name: i for i, name in enumerate(df.columns)}
    n = len(df)
    train_df = df[0:int(n * 0.7)]
    val_df = df[int(n * 0.7):int(n * 0.9)]
    test_df = df[int(n * 0.9):]
    num_features = df.shape[1]
    train_mean = train_df.mean()
    train_std = train_df.std()
    train_df = (train_df - train_mean) / train_std
    val_df = (val_df - train_mean) / train_std
    test_df = (test_df - train_mean) / train_std
    df_std = (df - train_mean) / train_std
    df_std = df_std.melt(var_name="Column", value_name="Normalized")

    class WindowGenerator():
        def __init__(self, input_width, label_width, shift, train_df=train_df, val_df=val_df, test_df=test_df,
                     label_columns=None):
            self.train_df = train_df
            self.val_df = val_df
            self.test_df = test_df
            self.label_columns = label_columns
            if label_columns is not None:
                self.label_columns_indices = {name: i for i, name in enumerate(label_columns)}
            self.column_indices = {name: i for i, name in enumerate(train_df.columns)}
            self.input_width = input_width
            self.label_width = label_width
            self.shift = shift
            self.total_window_size = input_width + shift
            self.input_slice = slice(0, input_width)
            self.input_indices = np.arange(self.total_window_size)[self.input_slice]
            self.label_start = self.total_window_size - self.label_width
            self.labels_slice = slice(self.label_start, None)
            self.label_indices = np.arange(self.total_window_size)[self.labels_slice]

        def __repr__(self):
            return '\n'.join([f'Total window size: {self.total_window_size}',
                              f'Input indices: {self.input_indices}', f'Label indices: {self.label_indices}',
                              f'Label column name(s): {self.label_columns}'])

    w1 = WindowGenerator(input_width=24, label_width=1, shift=24, label_columns=["T (degC)"])
    w2 = WindowGenerator(input_width=6, label_width=1, shift=1, label_columns=["T (degC)"])
    out["w1"] = repr(w1)

    def split_window(self, features):
        inputs = features[:, self.input_slice, :]
        labels = features[:, self.labels_slice, :]
        if self.label_columns is not None:
            labels = tf.stack([labels[:, :, self.column_indices[name]] for name in self.label_columns], axis=-1)
        inputs.set_shape([None, self.input_width, None])
        labels.set_shape([None, self.label_width, None])
        return inputs, labels
    WindowGenerator.split_window = split_window

    example_window = tf.stack([np.array(train_df[:w2.total_window_size]),
                               np.array(train_df[100:100 + w2.total_window_size]),
                               np.array(train_df[200:200 + w2.total_window_size])])
    example_inputs, example_labels = w2.split_window(example_window)
    out["example"] = [tuple(example_window.shape), tuple(example_inputs.shape), tuple(example_labels.shape)]

    def plot(self, model=None, plot_col="T (degC)", max_subplots=3):
        inputs, labels = self.example
        plt.figure(figsize=(12, 8))
        plot_col_index = self.column_indices[plot_col]
        max_n = min(max_subplots, len(inputs))
        for n in range(max_n):
            plt.subplot(max_n, 1, n + 1)
            plt.ylabel(f"{plot_col} [normed]")
            plt.plot(self.input_indices, inputs[n, :, plot_col_index], label="Inputs", marker=".", zorder=-10)
            if self.label_columns:
                label_col_index = self.label_columns_indices.get(plot_col, None)
            else:
                label_col_index = plot_col_index
            if label_col_index is None:
                continue
            plt.scatter(self.label_indices, labels[n, :, label_col_index], edgecolors="k", label="Labels",
                        c="#2ca02c", s=64)
            if model is not None:
                predictions = model(inputs)
                plt.scatter(self.label_indices, predictions[n, :, label_col_index], marker="X", edgecolors="k",
                            label="Predictions", c="#ff7f0e", s=64)
            if n == 0:
                plt.legend()
        plt.xlabel("Time [h]")
        plt.close("all")
    WindowGenerator.plot = plot if plots else (lambda self, model=None, **kw: None)

    def make_dataset(self, data):
        data = np.array(data, dtype=np.float32)
        ds = tf.keras.utils.timeseries_dataset_from_array(data=data, targets=None,
                                                          sequence_length=self.total_window_size,
                                                          sequence_stride=1, shuffle=True, batch_size=32,)
        ds = ds.map(self.split_window)
        return ds
    WindowGenerator.make_dataset = make_dataset
    WindowGenerator.train = property(lambda self: self.make_dataset(self.train_df))
    WindowGenerator.val = property(lambda self: self.make_dataset(self.val_df))
    WindowGenerator.test = property(lambda self: self.make_dataset(self.test_df))

    def example(self):
        result = getattr(self, "_example", None)
        if result is None:
            result = next(iter(self.train))
            self._example = result
        return result
    WindowGenerator.example = property(example)
    w2.plot()
    w2.plot(plot_col="p (mbar)")
    out["w2_spec"] = repr(w2.train.element_spec)
    for example_inputs, example_labels in w2.train.take(1):
        out["w2_take"] = (tuple(example_inputs.shape), tuple(example_labels.shape))

    single_step_window = WindowGenerator(input_width=1, label_width=1, shift=1, label_columns=["T (degC)"])
    for example_inputs, example_labels in single_step_window.train.take(1):
        out["single_take"] = (tuple(example_inputs.shape), tuple(example_labels.shape))

    class Baseline(tf.keras.Model):
        def __init__(self, label_index=None):
            super().__init__()
            self.label_index = label_index

        def call(self, inputs):
            if self.label_index is None:
                return inputs
            result = inputs[:, :, self.label_index]
            return result[:, :, tf.newaxis]

    baseline = Baseline(label_index=column_indices["T (degC)"])
    baseline.compile(loss=tf.keras.losses.MeanSquaredError(), metrics=[tf.keras.metrics.MeanAbsoluteError()])
    val_performance = {}
    performance = {}
    val_performance["Baseline"] = baseline.evaluate(single_step_window.val, return_dict=True)
    performance["Baseline"] = baseline.evaluate(single_step_window.test, verbose=0, return_dict=True)
    wide_window = WindowGenerator(input_width=24, label_width=24, shift=1, label_columns=["T (degC)"])
    out["wide"] = repr(wide_window)
    out["baseline_wide"] = (tuple(wide_window.example[0].shape), tuple(baseline(wide_window.example[0]).shape))
    wide_window.plot(baseline)

    linear = tf.keras.Sequential([tf.keras.layers.Dense(units=1)])
    out["linear_single"] = (tuple(single_step_window.example[0].shape),
                            tuple(linear(single_step_window.example[0]).shape))
    MAX_EPOCHS = max_epochs

    def compile_and_fit(model, window, patience=2):
        early_stopping = tf.keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, mode="min")
        model.compile(loss=tf.keras.losses.MeanSquaredError(), optimizer=tf.keras.optimizers.Adam(),
                      metrics=[tf.keras.metrics.MeanAbsoluteError()])
        history = model.fit(window.train, epochs=MAX_EPOCHS, validation_data=window.val,
                            callbacks=[early_stopping], verbose=0)
        return history

    histories = {}
    histories["Linear"] = compile_and_fit(linear, single_step_window).history
    val_performance["Linear"] = linear.evaluate(single_step_window.val, return_dict=True, verbose=0)
    performance["Linear"] = linear.evaluate(single_step_window.test, verbose=0, return_dict=True)
    out["linear_wide"] = (tuple(wide_window.example[0].shape), tuple(linear(wide_window.example[0]).shape))
    wide_window.plot(linear)
    if plots:
        plt.bar(x=range(len(train_df.columns)), height=linear.layers[0].kernel[:, 0].numpy())
        axis = plt.gca()
        axis.set_xticks(range(len(train_df.columns)))
        _ = axis.set_xticklabels(train_df.columns, rotation=90)
        plt.close("all")

    dense = tf.keras.Sequential([tf.keras.layers.Dense(units=64, activation="relu"),
                                 tf.keras.layers.Dense(units=64, activation="relu"),
                                 tf.keras.layers.Dense(units=1)])
    histories["Dense"] = compile_and_fit(dense, single_step_window).history
    val_performance["Dense"] = dense.evaluate(single_step_window.val, return_dict=True, verbose=0)
    performance["Dense"] = dense.evaluate(single_step_window.test, verbose=0, return_dict=True)

    CONV_WIDTH = 3
    conv_window = WindowGenerator(input_width=CONV_WIDTH, label_width=1, shift=1, label_columns=["T (degC)"])
    conv_window.plot()
    multi_step_dense = tf.keras.Sequential([tf.keras.layers.Flatten(),
                                            tf.keras.layers.Dense(units=32, activation="relu"),
                                            tf.keras.layers.Dense(units=32, activation="relu"),
                                            tf.keras.layers.Dense(units=1),
                                            tf.keras.layers.Reshape([1, -1])])
    out["msd"] = (tuple(conv_window.example[0].shape), tuple(multi_step_dense(conv_window.example[0]).shape))
    histories["Multi step dense"] = compile_and_fit(multi_step_dense, conv_window).history
    val_performance["Multi step dense"] = multi_step_dense.evaluate(conv_window.val, return_dict=True, verbose=0)
    performance["Multi step dense"] = multi_step_dense.evaluate(conv_window.test, verbose=0, return_dict=True)
    conv_window.plot(multi_step_dense)
    try:
        multi_step_dense(wide_window.example[0])
        out["msd_wide_error"] = None
    except Exception as e:  # noqa: BLE001 - the tutorial prints the error
        out["msd_wide_error"] = type(e).__name__

    conv_model = tf.keras.Sequential([
        tf.keras.layers.Conv1D(filters=32, kernel_size=(CONV_WIDTH,), activation="relu"),
        tf.keras.layers.Dense(units=32, activation="relu"),
        tf.keras.layers.Dense(units=1)])
    out["conv"] = (tuple(conv_window.example[0].shape), tuple(conv_model(conv_window.example[0]).shape))
    histories["Conv"] = compile_and_fit(conv_model, conv_window).history
    val_performance["Conv"] = conv_model.evaluate(conv_window.val, return_dict=True, verbose=0)
    performance["Conv"] = conv_model.evaluate(conv_window.test, verbose=0, return_dict=True)
    out["conv_wide"] = (tuple(wide_window.example[0].shape), tuple(wide_window.example[1].shape),
                        tuple(conv_model(wide_window.example[0]).shape))
    LABEL_WIDTH = 24
    INPUT_WIDTH = LABEL_WIDTH + (CONV_WIDTH - 1)
    wide_conv_window = WindowGenerator(input_width=INPUT_WIDTH, label_width=LABEL_WIDTH, shift=1,
                                       label_columns=["T (degC)"])
    out["wide_conv"] = (tuple(wide_conv_window.example[0].shape), tuple(wide_conv_window.example[1].shape),
                        tuple(conv_model(wide_conv_window.example[0]).shape))
    wide_conv_window.plot(conv_model)

    lstm_model = tf.keras.models.Sequential([tf.keras.layers.LSTM(32, return_sequences=True),
                                             tf.keras.layers.Dense(units=1)])
    out["lstm"] = (tuple(wide_window.example[0].shape), tuple(lstm_model(wide_window.example[0]).shape))
    histories["LSTM"] = compile_and_fit(lstm_model, wide_window).history
    val_performance["LSTM"] = lstm_model.evaluate(wide_window.val, return_dict=True, verbose=0)
    performance["LSTM"] = lstm_model.evaluate(wide_window.test, verbose=0, return_dict=True)
    wide_window.plot(lstm_model)
    try:
        out["metrics_names_index"] = lstm_model.metrics_names.index("mean_absolute_error")
    except ValueError:
        out["metrics_names_index"] = "ValueError"
    out["metrics_names"] = list(lstm_model.metrics_names)
    metric_name = "mean_absolute_error"
    val_mae = [v[metric_name] for v in val_performance.values()]
    test_mae = [v[metric_name] for v in performance.values()]
    if plots:
        x = np.arange(len(performance))
        width = 0.3
        plt.ylabel("mean_absolute_error [T (degC), normalized]")
        plt.bar(x - 0.17, val_mae, width, label="Validation")
        plt.bar(x + 0.17, test_mae, width, label="Test")
        plt.xticks(ticks=x, labels=performance.keys(), rotation=45)
        _ = plt.legend()
        plt.close("all")

    # multi-output models
    single_step_window = WindowGenerator(input_width=1, label_width=1, shift=1)
    wide_window = WindowGenerator(input_width=24, label_width=24, shift=1)
    for example_inputs, example_labels in wide_window.train.take(1):
        out["multi_out_take"] = (tuple(example_inputs.shape), tuple(example_labels.shape))
    baseline = Baseline()
    baseline.compile(loss=tf.keras.losses.MeanSquaredError(), metrics=[tf.keras.metrics.MeanAbsoluteError()])
    val_performance = {}
    performance = {}
    val_performance["Baseline"] = baseline.evaluate(wide_window.val, return_dict=True, verbose=0)
    performance["Baseline"] = baseline.evaluate(wide_window.test, verbose=0, return_dict=True)
    dense = tf.keras.Sequential([tf.keras.layers.Dense(units=64, activation="relu"),
                                 tf.keras.layers.Dense(units=64, activation="relu"),
                                 tf.keras.layers.Dense(units=num_features)])
    histories["Dense multi"] = compile_and_fit(dense, single_step_window).history
    val_performance["Dense"] = dense.evaluate(single_step_window.val, return_dict=True, verbose=0)
    performance["Dense"] = dense.evaluate(single_step_window.test, verbose=0, return_dict=True)
    lstm_model = tf.keras.models.Sequential([tf.keras.layers.LSTM(32, return_sequences=True),
                                             tf.keras.layers.Dense(units=num_features)])
    histories["LSTM multi"] = compile_and_fit(lstm_model, wide_window).history
    val_performance["LSTM"] = lstm_model.evaluate(wide_window.val, return_dict=True, verbose=0)
    performance["LSTM"] = lstm_model.evaluate(wide_window.test, verbose=0, return_dict=True)

    class ResidualWrapper(tf.keras.Model):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def call(self, inputs, *args, **kwargs):
            delta = self.model(inputs, *args, **kwargs)
            return inputs + delta

    residual_lstm = ResidualWrapper(tf.keras.Sequential([
        tf.keras.layers.LSTM(32, return_sequences=True),
        tf.keras.layers.Dense(num_features, kernel_initializer=tf.keras.initializers.zeros())]))
    histories["Residual LSTM"] = compile_and_fit(residual_lstm, wide_window).history
    val_performance["Residual LSTM"] = residual_lstm.evaluate(wide_window.val, return_dict=True, verbose=0)
    performance["Residual LSTM"] = residual_lstm.evaluate(wide_window.test, verbose=0, return_dict=True)
    out["residual"] = tuple(residual_lstm(wide_window.example[0]).shape)
    out["single_performance"] = performance

    # multi-step models
    OUT_STEPS = 24
    multi_window = WindowGenerator(input_width=24, label_width=OUT_STEPS, shift=OUT_STEPS)
    multi_window.plot()
    out["multi_window"] = repr(multi_window)

    class MultiStepLastBaseline(tf.keras.Model):
        def call(self, inputs):
            return tf.tile(inputs[:, -1:, :], [1, OUT_STEPS, 1])

    last_baseline = MultiStepLastBaseline()
    last_baseline.compile(loss=tf.keras.losses.MeanSquaredError(), metrics=[tf.keras.metrics.MeanAbsoluteError()])
    multi_val_performance = {}
    multi_performance = {}
    multi_val_performance["Last"] = last_baseline.evaluate(multi_window.val, return_dict=True, verbose=0)
    multi_performance["Last"] = last_baseline.evaluate(multi_window.test, verbose=0, return_dict=True)
    multi_window.plot(last_baseline)

    class RepeatBaseline(tf.keras.Model):
        def call(self, inputs):
            return inputs

    repeat_baseline = RepeatBaseline()
    repeat_baseline.compile(loss=tf.keras.losses.MeanSquaredError(),
                            metrics=[tf.keras.metrics.MeanAbsoluteError()])
    multi_val_performance["Repeat"] = repeat_baseline.evaluate(multi_window.val, return_dict=True, verbose=0)
    multi_performance["Repeat"] = repeat_baseline.evaluate(multi_window.test, verbose=0, return_dict=True)
    multi_window.plot(repeat_baseline)

    multi_linear_model = tf.keras.Sequential([
        tf.keras.layers.Lambda(lambda x: x[:, -1:, :]),
        tf.keras.layers.Dense(OUT_STEPS * num_features, kernel_initializer=tf.initializers.zeros()),
        tf.keras.layers.Reshape([OUT_STEPS, num_features])])
    histories["Multi linear"] = compile_and_fit(multi_linear_model, multi_window).history
    multi_val_performance["Linear"] = multi_linear_model.evaluate(multi_window.val, return_dict=True, verbose=0)
    multi_performance["Linear"] = multi_linear_model.evaluate(multi_window.test, verbose=0, return_dict=True)
    multi_window.plot(multi_linear_model)

    multi_dense_model = tf.keras.Sequential([
        tf.keras.layers.Lambda(lambda x: x[:, -1:, :]),
        tf.keras.layers.Dense(512, activation="relu"),
        tf.keras.layers.Dense(OUT_STEPS * num_features, kernel_initializer=tf.initializers.zeros()),
        tf.keras.layers.Reshape([OUT_STEPS, num_features])])
    histories["Multi dense"] = compile_and_fit(multi_dense_model, multi_window).history
    multi_val_performance["Dense"] = multi_dense_model.evaluate(multi_window.val, return_dict=True, verbose=0)
    multi_performance["Dense"] = multi_dense_model.evaluate(multi_window.test, verbose=0, return_dict=True)

    multi_conv_model = tf.keras.Sequential([
        tf.keras.layers.Lambda(lambda x: x[:, -CONV_WIDTH:, :]),
        tf.keras.layers.Conv1D(256, activation="relu", kernel_size=(CONV_WIDTH)),
        tf.keras.layers.Dense(OUT_STEPS * num_features, kernel_initializer=tf.initializers.zeros()),
        tf.keras.layers.Reshape([OUT_STEPS, num_features])])
    histories["Multi conv"] = compile_and_fit(multi_conv_model, multi_window).history
    multi_val_performance["Conv"] = multi_conv_model.evaluate(multi_window.val, return_dict=True, verbose=0)
    multi_performance["Conv"] = multi_conv_model.evaluate(multi_window.test, verbose=0, return_dict=True)

    multi_lstm_model = tf.keras.Sequential([
        tf.keras.layers.LSTM(32, return_sequences=False),
        tf.keras.layers.Dense(OUT_STEPS * num_features, kernel_initializer=tf.initializers.zeros()),
        tf.keras.layers.Reshape([OUT_STEPS, num_features])])
    histories["Multi LSTM"] = compile_and_fit(multi_lstm_model, multi_window).history
    multi_val_performance["LSTM"] = multi_lstm_model.evaluate(multi_window.val, return_dict=True, verbose=0)
    multi_performance["LSTM"] = multi_lstm_model.evaluate(multi_window.test, verbose=0, return_dict=True)
    multi_window.plot(multi_lstm_model)

    class FeedBack(tf.keras.Model):
        def __init__(self, units, out_steps):
            super().__init__()
            self.out_steps = out_steps
            self.units = units
            self.lstm_cell = tf.keras.layers.LSTMCell(units)
            self.lstm_rnn = tf.keras.layers.RNN(self.lstm_cell, return_state=True)
            self.dense = tf.keras.layers.Dense(num_features)

    feedback_model = FeedBack(units=32, out_steps=OUT_STEPS)

    def warmup(self, inputs):
        x, *state = self.lstm_rnn(inputs)
        prediction = self.dense(x)
        return prediction, state
    FeedBack.warmup = warmup
    prediction, state = feedback_model.warmup(multi_window.example[0])
    out["warmup"] = (tuple(prediction.shape), [tuple(s.shape) for s in state])

    def call(self, inputs, training=None):
        predictions = []
        prediction, state = self.warmup(inputs)
        predictions.append(prediction)
        for n in range(1, self.out_steps):
            x = prediction
            x, state = self.lstm_cell(x, states=state, training=training)
            prediction = self.dense(x)
            predictions.append(prediction)
        predictions = tf.stack(predictions)
        predictions = tf.transpose(predictions, [1, 0, 2])
        return predictions
    FeedBack.call = call
    out["feedback"] = tuple(feedback_model(multi_window.example[0]).shape)
    histories["FeedBack"] = compile_and_fit(feedback_model, multi_window).history
    multi_val_performance["AR LSTM"] = feedback_model.evaluate(multi_window.val, return_dict=True, verbose=0)
    multi_performance["AR LSTM"] = feedback_model.evaluate(multi_window.test, verbose=0, return_dict=True)
    multi_window.plot(feedback_model)
    out["multi_performance"] = multi_performance
    out["histories"] = histories
    out["n_features"] = num_features
    out["cardinality"] = {"wide_train": int(wide_window.train.cardinality()),
                          "multi_test": int(multi_window.test.cardinality())}
    plt.close("all")
    return out
