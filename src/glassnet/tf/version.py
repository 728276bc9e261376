"""``tf.version.VERSION``, as TensorFlow's tutorials print it: glassnet's version here."""
from .. import __version__ as VERSION  # noqa: N812 - TensorFlow's name

__all__ = ["VERSION"]
