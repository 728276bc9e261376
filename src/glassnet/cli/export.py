"""``glassnet export``: a saved model (a run folder or its ``model.keras``) as an ONNX file."""
from __future__ import annotations

import os

from glassnet.cli._common import UsageError, user_input


def cmd_export(args) -> int:
    import glassnet

    model_path = args.model
    if os.path.isdir(model_path):
        model_path = os.path.join(model_path, "model.keras")
    if not os.path.isfile(model_path):
        raise UsageError(f"{model_path}: no such file (give a run folder of 'glassnet train' or "
                         "'glassnet digits', or a .keras file)")
    out = args.out or os.path.splitext(model_path)[0] + ".onnx"
    with user_input():
        try:
            model = glassnet.models.load_model(model_path, compile=False)
        except ImportError as e:         # the .keras format needs h5py (glassnet[files])
            if "h5py" not in (getattr(e, "name", None) or str(e)):
                raise
            raise UsageError(f"reading {model_path} needs h5py: pip install 'glassnet[files]'") from e
        try:
            model.export(out, format=args.format)
        except ImportError as e:
            if "onnx" not in (getattr(e, "name", None) or str(e)):
                raise
            raise UsageError("ONNX export needs the onnx package: pip install 'glassnet[onnx]'") from e
    print(f"saved {out}  (input 'inputs': {_shape(model.input_shape)} {_dtype(model)}; "
          f"output 'output_0': {_shape(model.output_shape)})")
    prep = os.path.join(os.path.dirname(model_path) or ".", "preprocessing.json")
    if os.path.isfile(prep):
        print(f"note: standardise the inputs first with the mean and std in {prep}, "
              "as 'glassnet predict' does: (x - mean) / std")
    return 0


def _shape(shape):
    return "[" + ", ".join("batch" if d is None else str(d) for d in shape) + "]"


def _dtype(model):
    import glassnet
    floats = [v.dtype.name for v in model.weights if v.dtype.kind == "f"]
    return floats[0] if floats else glassnet.config.floatx()
