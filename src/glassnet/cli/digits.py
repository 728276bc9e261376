"""``glassnet digits`` and ``glassnet logreg``: the course's networks on the shipped 8x8 digits."""
from __future__ import annotations

import math
import os
import sys

import numpy as np

from glassnet.cli._common import can_plot, describe_optimizer, make_optimizer, network_line, predicted_classes, run_folder, save_figure, save_run_model


# ---------------------------------------------------------------------------------------
# glassnet digits
# ---------------------------------------------------------------------------------------
def cmd_digits(args) -> int:
    import glassnet
    from glassnet.datasets import digits
    from glassnet.layers import Dense

    glassnet.utils.set_random_seed(args.seed)
    glassnet.utils.clear_session()
    (x_train, y_train), (x_test, y_test) = digits.load_data(classes=args.classes)
    if getattr(args, "cnn", False):
        return _cnn_digits(args, x_train, y_train, x_test, y_test)
    if args.classes == 2:       # the seed's network
        model = glassnet.Sequential([Dense(25, activation="sigmoid"), Dense(15, activation="sigmoid"),
                                     Dense(1, activation="sigmoid")])
        loss, what = glassnet.losses.BinaryCrossentropy(), "0-vs-1 digits"
    else:                       # the course's next lesson: ten digits, softmax folded into the loss
        model = glassnet.Sequential([Dense(25, activation="relu"), Dense(15, activation="relu"),
                                     Dense(10, activation="linear")])
        loss, what = glassnet.losses.SparseCategoricalCrossentropy(from_logits=True), "ten digits"
    epochs = args.epochs if args.epochs is not None else (50 if args.classes == 2 else 40)
    optimizer = make_optimizer(args.optimizer, args.learning_rate)
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    model.build((None, x_train.shape[1]))
    print(f"glassnet digits: {what}, {len(x_train)} train / {len(x_test)} test images of 8x8 pixels")
    print(f"network {network_line(x_train.shape[1], model)}; {type(loss).__name__}; {describe_optimizer(optimizer)}; "
          f"{epochs} epochs of batch {args.batch_size}; seed {args.seed}")
    return _train_report_save(model, args, epochs, (x_train, y_train, x_test, y_test), f"digits-{args.classes}",
                              lambda plot, trace: [(plot.first_layer_weights(model, shape=(8, 8)), "first_layer_weights.png")])


def _cnn_digits(args, x_train, y_train, x_test, y_test) -> int:
    """``glassnet digits --cnn``: the images as 8x8x1, a small convnet, its filters and maps."""
    import glassnet
    from glassnet.layers import Conv2D, Dense, Flatten, MaxPooling2D

    x_train, x_test = x_train.reshape(-1, 8, 8, 1), x_test.reshape(-1, 8, 8, 1)
    ten = args.classes == 10
    model = glassnet.Sequential([
        glassnet.Input(shape=(8, 8, 1)),
        Conv2D(8, 3, padding="same", activation="relu"),         # 8 filters look at 3x3 windows
        MaxPooling2D(2),                                          # 8x8 -> 4x4
        Conv2D(16, 3, padding="same", activation="relu"),
        MaxPooling2D(2),                                          # 4x4 -> 2x2
        Flatten(),
        Dense(10, activation="linear") if ten else Dense(1, activation="sigmoid"),
    ])
    loss = (glassnet.losses.SparseCategoricalCrossentropy(from_logits=True) if ten
            else glassnet.losses.BinaryCrossentropy())
    epochs = args.epochs if args.epochs is not None else (30 if ten else 5)
    # a convnet this small takes a larger step than the optimizer's default: 0.003 (adam, rmsprop, adamw)
    rate = args.learning_rate if args.learning_rate is not None else (0.003 if args.optimizer != "sgd" else None)
    optimizer = make_optimizer(args.optimizer, rate)
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    what = "ten digits" if ten else "0-vs-1 digits"
    print(f"glassnet digits --cnn: {what}, {len(x_train)} train / {len(x_test)} test images of 8x8x1 pixels")
    shapes = " -> ".join(["8x8x1"] + [_shape_text(l) for l in model.layers])
    print(f"network {shapes}; {type(loss).__name__}; {describe_optimizer(optimizer)}; {epochs} epochs of batch "
          f"{args.batch_size}; seed {args.seed}")
    return _train_report_save(model, args, epochs, (x_train, y_train, x_test, y_test), f"digits-cnn-{args.classes}",
                              lambda plot, trace: [(plot.filters(model), "filters.png"),
                                                   (plot.feature_maps(model, x_test[0]), "feature_maps.png")])


def _train_report_save(model, args, epochs, data, folder, more_figures) -> int:
    """Train with a ``Trace``, print the accuracies and its diagnosis, and write the run
    folder: model.keras, the learning curve, the mistakes, the gradient norms, and the
    figures ``more_figures(plot, trace)`` adds (pairs of figure and file name)."""
    import glassnet

    x_train, y_train, x_test, y_test = data
    trace = glassnet.callbacks.Trace()          # norms, update ratios, saturated/dead units per epoch
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=args.batch_size, verbose=args.verbose,
                        callbacks=[trace])
    pred_train, pred_test = predicted_classes(model, x_train), predicted_classes(model, x_test)
    right_train, right_test = int((pred_train == y_train).sum()), int((pred_test == y_test).sum())
    print(f"train accuracy: {right_train / len(y_train):.4f} ({right_train}/{len(y_train)})")
    print(f"test accuracy:  {right_test / len(y_test):.4f} ({right_test}/{len(y_test)})")
    for sentence in trace.diagnose():
        print(f"trace: {sentence}")
    if args.explain:
        _explain(model, x_train[:args.batch_size], y_train[:args.batch_size])
    out = run_folder(args.out, folder)
    save_run_model(model, out)
    if not args.no_plots and can_plot():
        from glassnet.glassbox import plot
        save_figure(plot.learning_curves(history), os.path.join(out, "learning_curve.png"))
        order = np.argsort(pred_test == y_test, kind="stable")[:64]     # the mistakes first
        wrong = len(y_test) - right_test
        title = f"test digits, label -> prediction: {wrong} of {len(y_test)} wrong (red, shown first)"
        grid = plot.digits_grid(x_test[order].reshape(len(order), -1), y_test[order], predictions=pred_test[order],
                                n=len(order), shape=(8, 8), title=title)
        save_figure(grid, os.path.join(out, "mistakes.png"))
        save_figure(plot.gradient_norms(trace), os.path.join(out, "gradient_norms.png"))
        for figure, name in more_figures(plot, trace):
            save_figure(figure, os.path.join(out, name))
    print(f"run folder: {out}")
    return 0


def _shape_text(layer):
    shape = "x".join(str(d) for d in layer.output_shape[1:])
    if hasattr(layer, "filters"):
        return f"{type(layer).__name__} {layer.filters} {'x'.join(map(str, layer.kernel_size))} " \
               f"{layer.activation.__name__} {shape}"
    if hasattr(layer, "units"):
        return f"Dense {layer.units} {layer.activation.__name__}"
    return f"{type(layer).__name__} {shape}"


def _explain(model, x_batch, y_batch):
    import glassnet
    text = glassnet.explain(model, x_batch, y_batch)
    if text is not None:
        print(text)


# ---------------------------------------------------------------------------------------
# glassnet logreg
# ---------------------------------------------------------------------------------------
def cmd_logreg(args) -> int:
    import glassnet
    from glassnet.datasets import digits
    from glassnet.layers import Dense
    from glassnet.glassbox.linear import LogisticRegression

    (x, y), (x_test, y_test) = digits.load_data(classes=2)
    m, n = x.shape
    print(f"Logistic regression in three steps on the 0-vs-1 digits: {m} examples, {n} features, "
          f"alpha={args.alpha:g}, {args.num_iters} iterations from w = 0, b = 0")
    print("  1. f(x) = sigmoid(w . x + b)   2. J = mean(-y log f - (1-y) log(1-f))   "
          "3. w = w - alpha dJ/dw, b = b - alpha dJ/db")
    logreg = LogisticRegression(alpha=args.alpha, num_iters=args.num_iters).fit(x, y)
    every = args.print_every or max(1, math.ceil(args.num_iters / 10))
    for i, J in enumerate(logreg.J_history):
        if i % every == 0 or i == args.num_iters - 1:
            print(f"Iteration {i:5d}: Cost {J:10.6f}")

    glassnet.utils.clear_session()
    net = glassnet.Sequential([Dense(1, activation="sigmoid")])
    net.build((None, n))
    net.set_weights([np.zeros((n, 1)), np.zeros(1)])
    net.compile(optimizer=glassnet.optimizers.SGD(learning_rate=args.alpha),
                loss=glassnet.losses.BinaryCrossentropy())
    history = net.fit(x, y, batch_size=m, epochs=args.num_iters, shuffle=False, verbose=0)
    kernel, bias = net.get_weights()

    def accuracy(pred, truth):
        return f"{np.mean(pred == truth):.4f}"

    rows = [
        ("final cost J", *(f"{h[-1]:.6f}" if h else "-" for h in (logreg.J_history, history.history.get("loss", [])))),
        ("train accuracy", accuracy(logreg.predict(x), y), accuracy(predicted_classes(net, x), y)),
        ("test accuracy", accuracy(logreg.predict(x_test), y_test), accuracy(predicted_classes(net, x_test), y_test)),
    ]
    print()
    print(f"{'':16}{'three steps':>14}{'Dense(1) + SGD':>18}")
    for name, a, b in rows:
        print(f"{name:16}{a:>14}{b:>18}")
    print(f"max |w difference| = {np.abs(kernel[:, 0] - logreg.w).max():.3g}, "
          f"|b difference| = {abs(float(bias[0]) - logreg.b):.3g}: the same model, trained the same way")
    return 0
