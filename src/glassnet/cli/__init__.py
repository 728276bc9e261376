"""The ``glassnet`` command: the course's digits, its logistic regression, and your own CSV.

::

    glassnet digits [--classes 10]        # 25-15-1 sigmoid network on 0-vs-1 (or 25-15-10 relu)
    glassnet digits --cnn --classes 10    # a small convnet on the 8x8x1 images, its filters and maps
    glassnet logreg                       # the three steps by hand, beside a one-unit network
    glassnet train data.csv --target y    # binary, multi-class or regression, chosen from y
    glassnet predict runs/data data.csv   # predictions as CSV on stdout
    glassnet export runs/data             # runs/data/model.onnx, for ONNX Runtime
    glassnet playground [--data CSV]      # a page in the browser where the network learns live
    glassnet sweep data.csv --target y --lambda 0,0.01,0.1   # many variants, the bias/variance figures

Also ``python -m glassnet``. Every command takes ``--help``. A mistake in the input (a
missing file, an unknown column, a cell that is not a number, a bad option) is reported
as one line, ``glassnet: error: ...``, with exit status 2; anything else is a bug and keeps
its traceback. matplotlib is imported only when a figure is drawn.

>>> main(["logreg", "--num-iters", "20", "--print-every", "10"])  # doctest: +ELLIPSIS
Logistic regression in three steps on the 0-vs-1 digits: ...
0
"""
from __future__ import annotations

import argparse
import importlib.util  # noqa: F401  (the tests reach importlib.util through this module)
import math
import os
import sys

from glassnet.cli._common import OPTIMIZERS, UsageError
from glassnet.cli.digits import cmd_digits, cmd_logreg
from glassnet.cli.export import cmd_export
from glassnet.cli.table import cmd_predict, cmd_train
from glassnet.cli import sweep

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):   # argparse prints usage + error; we print one line
        self.exit(2, f"glassnet: error: {message} (see '{self.prog} --help')\n")


# ---------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------
def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a{'n integer' if kind is int else ' number'}") from None
        if not (value > 0 and math.isfinite(value)):
            raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
        return value
    parse.__name__ = kind.__name__
    return parse


def _seed(text):
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number >= 0")
    return int(text)


def _layers(text):
    try:
        units = [int(u) for u in text.replace(" ", "").split(",") if u]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give unit counts separated by commas, e.g. 25,15") from None
    if any(u <= 0 for u in units):
        raise argparse.ArgumentTypeError(f"{text!r}: unit counts must be > 0")
    return units


_SEPARATORS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " "}


def _delimiter(text):
    value = _SEPARATORS.get(text.lower(), text)
    if len(value) != 1 or value in "\r\n\"":
        raise argparse.ArgumentTypeError(f"{text!r}: give one character, e.g. ';', or 'tab'")
    return value


def _split(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def _training_options(p, batch_size=32):
    p.add_argument("--batch-size", type=_positive(int), default=batch_size, metavar="N",
                   help=f"examples per gradient step (default {batch_size})")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="adam", help="(default adam)")
    p.add_argument("--learning-rate", type=_positive(float), default=None, metavar="LR",
                   help="(default: the optimizer's, 0.001 for adam/rmsprop/adamw, 0.01 for sgd)")
    p.add_argument("--seed", type=_seed, default=0, help="seeds every random draw (default 0)")
    p.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                   help="progress as Keras's fit(verbose=...): 0 silent, 1 bar, 2 one line per epoch")
    p.add_argument("--no-plots", action="store_true", help="skip the figures")


def build_parser() -> argparse.ArgumentParser:
    import glassnet
    parser = _Parser(prog="glassnet", description="Train Keras-style networks on NumPy: the course's "
                     "digits, its logistic regression, or your own CSV table.")
    parser.add_argument("--version", action="version", version=f"glassnet {glassnet.__glassnet_version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_digits(sub)
    _add_logreg(sub)
    _add_train(sub)
    _add_predict(sub)
    _add_export(sub)
    _add_playground(sub)
    sweep.add_parser(sub, _positive, _split, _delimiter, _seed)
    p = sub.add_parser("compile", help="compile the fast epoch's loops now (once after installing)",
                       description="Compile glassnet's compiled-epoch loops into numba's cache, so that no fit "
                       "runs step by step while a background compile catches up (needs numba).")
    p.add_argument("--dtype", choices=("float32", "float64"), action="append", help="(default: both)")
    p.set_defaults(run=cmd_compile)
    return parser


def cmd_compile(args) -> int:
    if importlib.util.find_spec("numba") is None:
        raise UsageError("numba is not installed: pip install 'glassnet[speed]'")
    from glassnet.fast import _numba_cache, epoch
    epoch.compile_now(tuple(args.dtype or ("float32", "float64")), log=sys.stdout)
    print(f"cached in {_numba_cache.numba_dir()}")
    return 0


def _add_digits(sub) -> None:
    p = sub.add_parser("digits", help="train the course's network on the shipped 8x8 digits",
                       description="The seed's network (Dense 25, 15, 1, sigmoid; BinaryCrossentropy) on "
                       "the 0-vs-1 digits, or with --classes 10 the ten-digit network (Dense 25, 15 relu, "
                       "10 linear; SparseCategoricalCrossentropy(from_logits=True)). Writes model.keras, "
                       "learning_curve.png and mistakes.png into the run folder.")
    p.add_argument("--classes", type=int, choices=(2, 10), default=2, help="2: zeros and ones (default); 10: all digits")
    p.add_argument("--epochs", type=_positive(int), default=None, metavar="N", help="(default 50 for 2 classes, 40 for 10)")
    _training_options(p)
    p.add_argument("--out", metavar="DIR", help="run folder (default runs/digits-2 or runs/digits-10)")
    p.add_argument("--explain", action="store_true", help="after training, print glassnet.explain for one batch")
    p.add_argument("--cnn", action="store_true",
                   help="a small convnet on the images as 8x8x1 (Conv2D 8 and 16 3x3 relu, each followed by "
                        "MaxPooling2D 2, Flatten, Dense); also writes filters.png and feature_maps.png "
                        "(defaults: 5 epochs for 2 classes, 30 for 10; learning rate 0.003 unless sgd)")
    p.set_defaults(run=cmd_digits)


def _add_logreg(sub) -> None:
    p = sub.add_parser("logreg", help="logistic regression in three steps, beside a one-unit network",
                       description="Gradient descent on J(w,b) for the 0-vs-1 digits, from w = 0, b = 0, printing "
                       "J as it goes; then the same iterations with Sequential([Dense(1, activation='sigmoid')]), "
                       "SGD(learning_rate=alpha) and full batches, which ends at the same w and b.")
    p.add_argument("--alpha", type=_positive(float), default=0.1, help="learning rate (default 0.1)")
    p.add_argument("--num-iters", type=_positive(int), default=1000, metavar="N", help="iterations (default 1000)")
    p.add_argument("--print-every", type=_positive(int), default=None, metavar="N",
                   help="print J every N iterations (default: ten times in all)")
    p.set_defaults(run=cmd_logreg)


def _add_train(sub) -> None:
    p = sub.add_parser("train", help="train on your own CSV table",
                       description="Train a network on a numeric CSV table. The task comes from the target "
                       "column: binary when it holds exactly 0 and 1, multi-class when it holds a few integers "
                       "(at most 20, and at most half as many as rows), regression otherwise. Features are "
                       "standardised (mean and std saved in preprocessing.json beside model.keras).")
    p.add_argument("csv", help="the table: a header row, then numbers only (separated by , ; tab or |)")
    p.add_argument("--target", required=True, metavar="COLUMN", help="the column to predict")
    p.add_argument("--task", choices=("auto", "binary", "multiclass", "regression"), default="auto",
                   help="override the choice made from the target (default auto)")
    p.add_argument("--layers", type=_layers, default=[25, 15], metavar="25,15",
                   help="hidden relu layers' units (default 25,15; '' for none)")
    p.add_argument("--epochs", type=_positive(int), default=100, metavar="N", help="(default 100)")
    p.add_argument("--validation-split", type=_split, default=0.2, metavar="F",
                   help="share of the rows (shuffled) held out to validate (default 0.2)")
    _training_options(p)
    p.add_argument("--out", metavar="DIR", help="run folder (default runs/<csv name>)")
    p.add_argument("--delimiter", type=_delimiter, default=None, metavar="SEP",
                   help="the field separator (default: detected among , ; tab |; 'tab' for a tab); "
                        "saved in preprocessing.json for predict")
    p.set_defaults(run=cmd_train)


def _add_predict(sub) -> None:
    p = sub.add_parser("predict", help="predict with a trained run, as CSV on stdout",
                       description="Predictions of a model from 'glassnet train' for each row of a CSV, "
                       "written as CSV to stdout: the class and its probability for classifiers, the value "
                       "for regression. The CSV needs the training features; the target column may be there.")
    p.add_argument("model", help="the run folder, or its model.keras (preprocessing.json must be beside it)")
    p.add_argument("csv", help="rows to predict")
    p.add_argument("--delimiter", type=_delimiter, default=None, metavar="SEP",
                   help="the field separator (default: the training file's when it fits this "
                        "file's header, else detected among , ; tab |)")
    p.set_defaults(run=cmd_predict)


def _add_export(sub) -> None:
    p = sub.add_parser("export", help="write a trained model as an ONNX file, for ONNX Runtime",
                       description="Export a model saved by glassnet (a run folder, or a .keras file) to ONNX, "
                       "to serve it with ONNX Runtime: input 'inputs' (batch first), output 'output_0'. "
                       "Needs the onnx package: pip install 'glassnet[onnx]'.")
    p.add_argument("model", help="the run folder, or a .keras file")
    p.add_argument("--format", choices=("onnx",), default="onnx", help="(default onnx, the only one)")
    p.add_argument("--out", metavar="PATH", help="the file to write, ending in .onnx "
                   "(default: beside the model, model.onnx)")
    p.set_defaults(run=cmd_export)


def _add_playground(sub) -> None:
    p = sub.add_parser("playground", help="a page in the browser where a real network learns live",
                       description="Start the playground: a local page (127.0.0.1 only, with a random token in "
                       "its URL) where a real glassnet Sequential trains while you watch, TensorFlow "
                       "Playground style, on its data sets, the shipped digits or your CSV. Ctrl-C stops it.")
    p.add_argument("--data", metavar="CSV", help="start with this table (a header row, then numbers)")
    p.add_argument("--target", metavar="COLUMN", help="the column of --data to predict (default: the last)")
    p.add_argument("--port", type=_port, default=None, metavar="N", help="the port (default: any free one)")
    p.add_argument("--no-browser", action="store_true", help="print the URL, do not open a browser")
    p.set_defaults(run=cmd_playground)


def _port(text):
    if not text.isdigit() or not 0 < int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: give a port from 1 to 65535")
    return int(text)


def cmd_playground(args) -> int:
    from glassnet import playground
    if args.target and not args.data:
        raise UsageError("--target needs --data (the CSV whose column it names)")
    try:
        playground.serve(data=args.data, port=args.port, open_browser=not args.no_browser, target=args.target)
    except OSError as e:
        if e.filename:
            raise UsageError(f"{e.filename}: {e.strerror}") from e
        raise UsageError(f"cannot listen on 127.0.0.1:{args.port}: {e.strerror or e}") from e
    except ValueError as e:
        raise UsageError(str(e)) from e
    return 0


def main(argv=None) -> int:
    """Run the ``glassnet`` command with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:          # --help, --version, or a bad option (already reported)
        return e.code if isinstance(e.code, int) else 2
    if args.command is None:
        print("glassnet: error: choose a command: digits, logreg, train, predict, export or playground "
              "(see 'glassnet --help')", file=sys.stderr)
        return 2
    try:
        return args.run(args)
    except UsageError as e:
        print(f"glassnet: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:          # e.g. glassnet predict ... | head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0

