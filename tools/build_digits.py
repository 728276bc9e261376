"""Build ``src/glassnet/datasets/data/digits.npz``, the handwritten digits shipped with glassnet.

Source
    "Optical Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak (1998),
    UCI Machine Learning Repository, https://doi.org/10.24432/C50P49
    (https://archive.ics.uci.edu/dataset/80). Licence: Creative Commons Attribution 4.0
    International (CC BY 4.0), https://creativecommons.org/licenses/by/4.0/.
    We read scikit-learn's copy (``sklearn.datasets.load_digits``), which is the UCI
    test file ``optdigits.tes``: 1,797 images of 8x8 pixels, each pixel the count of
    "on" pixels in a 4x4 block of a 32x32 bitmap (so 0..16), labels 0..9.

What the file holds (all ``uint8``, written with ``numpy.savez_compressed``)
    x_train (1438, 8, 8)   y_train (1438,)   idx_train (1438,) as uint16
    x_test  (359, 8, 8)    y_test  (359,)    idx_test  (359,)  as uint16

The split is fixed once here, so it never depends on the NumPy version at load time:
for every digit, ``round(TEST_FRACTION * count)`` of its images are drawn for the test set
by ``numpy.random.default_rng(SEED)``; both parts keep the original order.
``idx_*`` are the row numbers in scikit-learn's ``load_digits()`` order, so every image
can be traced back to the source.

Run from the repository root (needs scikit-learn)::

    python tools/build_digits.py
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

TEST_FRACTION = 0.2
SEED = 0
DEFAULT_OUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    os.pardir, "src", "glassnet", "datasets", "data", "digits.npz",
)


def stratified_split(labels: np.ndarray, test_fraction: float, seed: int):
    """Row indices ``(train, test)``: per class, ``round(test_fraction * n)`` rows to test."""
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        n_test = int(np.floor(test_fraction * rows.size + 0.5))
        test.append(rng.choice(rows, size=n_test, replace=False))
    test_idx = np.sort(np.concatenate(test))
    train_idx = np.setdiff1d(np.arange(labels.size), test_idx)  # sorted
    return train_idx, test_idx


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.normpath(DEFAULT_OUT),
                        help="where to write the .npz (default: the package's data folder)")
    args = parser.parse_args(argv)

    from sklearn.datasets import load_digits

    bunch = load_digits()
    images, target = bunch.images, bunch.target
    if images.shape != (1797, 8, 8) or target.shape != (1797,):
        raise SystemExit(f"unexpected shapes from scikit-learn: {images.shape}, {target.shape}")
    if not (np.all(images == np.round(images)) and images.min() >= 0 and images.max() <= 16):
        raise SystemExit("pixels are not integers in 0..16: is this the UCI digits data?")
    if sorted(np.unique(target).tolist()) != list(range(10)):
        raise SystemExit(f"labels are not 0..9: {np.unique(target)}")

    x = images.astype(np.uint8)
    y = target.astype(np.uint8)
    train_idx, test_idx = stratified_split(y, TEST_FRACTION, SEED)

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    np.savez_compressed(
        args.out,
        x_train=x[train_idx], y_train=y[train_idx], idx_train=train_idx.astype(np.uint16),
        x_test=x[test_idx], y_test=y[test_idx], idx_test=test_idx.astype(np.uint16),
    )
    size = os.path.getsize(args.out)
    print(f"wrote {args.out} ({size / 1024:.1f} KiB): "
          f"{train_idx.size} train, {test_idx.size} test images")
    for c in range(10):
        print(f"  digit {c}: train {np.sum(y[train_idx] == c):3d}  test {np.sum(y[test_idx] == c):3d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
