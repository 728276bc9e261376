"""``tf.version.VERSION``, as TensorFlow's tutorials print it: ``glassnet.__version__``, the
TensorFlow followed with glassnet's version as a local label (``2.21.0+glassnet.0.1.0``)."""
from .. import __version__ as VERSION  # noqa: N812 - TensorFlow's name

__all__ = ["VERSION"]
