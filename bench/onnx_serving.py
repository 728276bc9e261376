"""Serving speed of an exported model: ONNX Runtime beside glassnet's own ``predict`` and
PyTorch, on the MNIST-shaped network (784 -> 256 relu -> 128 relu -> 10), float32.

Two numbers per contestant: one sample per call (what a web service answering one request
does; the median time of a call, and calls per second) and batches of 4,096 rows (samples
per second). The three compute the same function: the PyTorch module gets glassnet's
weights, and the outputs are compared before timing. PyTorch is skipped with a note when
it is not installed; ``onnx`` and ``onnxruntime`` are needed (``pip install 'glassnet[test]'``).

    python bench/onnx_serving.py                 # about 20 s on a quiet machine
    python bench/onnx_serving.py --threads 1     # every contestant on one thread
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=None, help="threads for every contestant (default: theirs)")
    parser.add_argument("--seconds", type=float, default=2.0, help="timing budget per measurement (default 2)")
    args = parser.parse_args(argv)
    if args.threads:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)
    sys.path.insert(0, os.path.join(HERE, "..", "src"))
    import numpy as np
    import onnxruntime as ort

    import glassnet
    sys.path.insert(0, HERE)
    from workloads import MNIST, MNIST_FEATURES, build_keras_model

    model = build_keras_model(glassnet.keras, MNIST, MNIST_FEATURES)
    model.build((None, MNIST_FEATURES))
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(size=w.shape).astype(np.float32) * 0.05 for w in model.get_weights()])
    x = rng.random((4096, MNIST_FEATURES), dtype=np.float32)
    one = x[:1]

    path = os.path.join(tempfile.mkdtemp(), "mnist.onnx")
    model.export(path)
    options = ort.SessionOptions()
    if args.threads:
        options.intra_op_num_threads = options.inter_op_num_threads = args.threads
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    contestants = {
        "glassnet predict": lambda a: model.predict(a, batch_size=len(a), verbose=0),
        "ONNX Runtime": lambda a: session.run(None, {"inputs": a})[0],
    }
    try:
        import torch
    except ImportError:
        print("note: PyTorch is not installed; its column is skipped (pip install torch)")
    else:
        if args.threads:
            torch.set_num_threads(args.threads)
        layers = []
        for layer in model.layers:
            linear = torch.nn.Linear(*layer.kernel.shape)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.kernel.numpy().T))
                linear.bias.copy_(torch.from_numpy(layer.bias.numpy()))
            layers += [linear] + ([torch.nn.ReLU()] if layer.activation is glassnet.activations.relu else [])
        net = torch.nn.Sequential(*layers).eval()

        def run_torch(a):
            with torch.inference_mode():
                return net(torch.from_numpy(a)).numpy()
        contestants["PyTorch"] = run_torch

    reference = contestants["glassnet predict"](x[:64])
    for name, run in contestants.items():
        np.testing.assert_allclose(run(x[:64]), reference, rtol=1e-4, atol=1e-5, err_msg=name)

    def timed(run, a):
        """Median seconds of one call, over as many calls as fit in the budget (at least 5)."""
        run(a)                                               # warm-up
        times, spent = [], 0.0
        while len(times) < 5 or spent < args.seconds:
            start = time.perf_counter()
            run(a)
            times.append(time.perf_counter() - start)
            spent += times[-1]
        return float(np.median(times))

    print(f"{'':18}{'1 sample: ms/call':>20}{'calls/s':>10}{'batch 4096: samples/s':>24}")
    rows = {}
    for name, run in contestants.items():
        single, batch = timed(run, one), timed(run, x)
        rows[name] = (single, batch)
        print(f"{name:18}{single * 1e3:20.3f}{1 / single:10.0f}{len(x) / batch:24,.0f}")
    base = rows["glassnet predict"]
    for name, (single, batch) in rows.items():
        if name != "glassnet predict":
            print(f"{name} vs glassnet predict: {base[0] / single:.1f}x faster for one sample, "
                  f"{base[1] / batch:.1f}x for batches of 4096")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
