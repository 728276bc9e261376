"""Shared by the examples: how many epochs to train (``GLASSNET_EXAMPLE_EPOCHS`` makes the
test suite's runs short) and a one-line heading."""
import os


def epochs(default: int) -> int:
    """``default``, or the number in the environment variable GLASSNET_EXAMPLE_EPOCHS."""
    return int(os.environ.get("GLASSNET_EXAMPLE_EPOCHS", default))


def heading(text: str) -> None:
    print(f"\n== {text} " + "=" * max(0, 70 - len(text)))
