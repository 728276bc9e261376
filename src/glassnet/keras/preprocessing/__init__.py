"""``keras.preprocessing``: the older home of a few ``keras.utils`` functions, kept by Keras 3
(``from tensorflow.keras.preprocessing.sequence import pad_sequences``,
``keras.preprocessing.image_dataset_from_directory``, ``keras.preprocessing.image.load_img``)."""
from ...utils import image_dataset_from_directory, text_dataset_from_directory, timeseries_dataset_from_array
from . import image, sequence

__all__ = ["image", "image_dataset_from_directory", "sequence", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
