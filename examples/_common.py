"""Shared by the examples: how many epochs to train (``GLASSNET_EXAMPLE_EPOCHS`` makes the
test suite's runs short), a one-line heading, and the small folders of reviews and pictures
that the text and image examples write (in a temporary folder removed when they end)."""
import atexit
import os
import shutil
import tempfile

import numpy as np


def epochs(default: int) -> int:
    """``default``, or the number in the environment variable GLASSNET_EXAMPLE_EPOCHS."""
    return int(os.environ.get("GLASSNET_EXAMPLE_EPOCHS", default))


def heading(text: str) -> None:
    print(f"\n== {text} " + "=" * max(0, 70 - len(text)))


def _scratch(prefix: str) -> str:
    root = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


GOOD = "great wonderful superb moving brilliant delightful charming masterpiece".split()
BAD = "awful boring dull terrible tedious clumsy dreadful mess".split()
FILLER = ("the film movie plot actors story scenes music ending director camera it was and a of "
          "with this that but cast script").split()


def review_folder(per_class: int = 200, seed: int = 0) -> str:
    """A folder laid out as IMDB's aclImdb (train/pos, train/neg, one review a .txt file):
    each review is filler words with two or three telling ones mixed in, and the ``<br />``
    tags and punctuation of the real files. Returns the folder holding ``train/``."""
    rng = np.random.default_rng(seed)
    root = _scratch("reviews_")
    for label in ("pos", "neg"):
        os.makedirs(os.path.join(root, "train", label))
        for i in range(per_class):
            words = list(rng.choice(FILLER, size=rng.integers(8, 16)))
            for _ in range(rng.integers(2, 4)):
                words.insert(int(rng.integers(len(words) + 1)), str(rng.choice(GOOD if label == "pos" else BAD)))
            text = " ".join(words).capitalize() + ".<br /><br />" + str(rng.choice(["Really!", "Well...", "Hmm."]))
            with open(os.path.join(root, "train", label, f"{i}.txt"), "w") as f:
                f.write(text)
    return root


def shapes_folder(per_class: int = 60, size: int = 48, seed: int = 0) -> str:
    """A folder laid out as TensorFlow's flower_photos (one subfolder a class, pictures in
    it), holding ``circles/`` and ``crosses/``: one light shape on a dark, noisy background
    per picture, at a random place, size and colour, saved as JPEG and PNG files by Pillow."""
    from PIL import Image  # noqa: PLC0415 - only the image example needs it

    rng = np.random.default_rng(seed)
    root = _scratch("shapes_")
    yy, xx = np.mgrid[:size, :size]
    for label in ("circles", "crosses"):
        os.makedirs(os.path.join(root, label))
        for i in range(per_class):
            r = rng.uniform(size / 8, size / 4)
            cy, cx = rng.uniform(r, size - r, size=2)
            if label == "circles":
                inside = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
            else:                                       # a plus sign: two crossed bars
                inside = ((abs(yy - cy) <= r) & (abs(xx - cx) <= r / 3)) | ((abs(xx - cx) <= r) & (abs(yy - cy) <= r / 3))
            picture = rng.uniform(0, 60, size=(size, size, 3))
            picture[inside] = rng.uniform(150, 255, size=3)
            ext = "jpg" if i % 2 else "png"
            Image.fromarray(picture.astype(np.uint8)).save(os.path.join(root, label, f"{label}_{i}.{ext}"))
    return root
