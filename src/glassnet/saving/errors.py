"""The exceptions a model file can raise, and the caps that keep hostile files harmless.

Every refusal while reading a file is a :class:`ModelFileError` (a ``ValueError``):
:class:`UnsafeFileError` when the file asks for something glassnet will never do (run
code, import a name, build a class it does not own, escape a folder, blow up memory),
:class:`FileFormatError` when it is damaged or simply not what glassnet can read.
"""
from __future__ import annotations


class ModelFileError(ValueError):
    """A model or weights file was refused; the message names the file and the reason."""


class UnsafeFileError(ModelFileError):
    """The file asks for code, a foreign class or module, or more memory than it holds."""


class FileFormatError(ModelFileError):
    """The file is damaged, truncated, or not a file glassnet can read."""


# Caps against hostile files. Generous for any model NumPy can train, tiny for an attack.
MAX_FILE_BYTES = 4 << 30            # a whole .keras / weights file
MAX_CONFIG_BYTES = 4 << 20          # config.json (a Dense model's is a few KB)
MAX_METADATA_BYTES = 64 << 10       # metadata.json
MAX_MEMBERS = 16                    # zip entries in a .keras file
MAX_COMPRESSION_RATIO = 100         # declared size / stored size, for members over 1 MiB
MAX_JSON_DEPTH = 32                 # nesting of lists and objects in config.json
MAX_LAYERS = 10_000
MAX_DIM = 1 << 31                   # any one dimension of a shape
MAX_WEIGHT_ELEMENTS = 1 << 28       # all weights of a model together (1 GiB of float32)

INSTALL_HINT = 'pip install "glassnet[files]"'


def need(module: str):
    """Import h5py or safetensors on first use, with the install line if it is missing."""
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError as e:       # pragma: no cover - the test environment has both
        raise ImportError(
            f"This file format needs the optional package {module.split('.')[0]!r}: {INSTALL_HINT}"
        ) from e
