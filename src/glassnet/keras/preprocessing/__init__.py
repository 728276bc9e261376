"""``keras.preprocessing``: the older home of a few ``keras.utils`` functions, kept by Keras 3
(``from tensorflow.keras.preprocessing.sequence import pad_sequences``)."""
from . import sequence

__all__ = ["sequence"]
