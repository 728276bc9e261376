"""``keras.preprocessing.sequence``: ``pad_sequences`` (the function is ``glassnet.utils.pad_sequences``)."""
from ...utils import pad_sequences

__all__ = ["pad_sequences"]
