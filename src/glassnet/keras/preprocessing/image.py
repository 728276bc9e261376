"""``keras.preprocessing.image``: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``
(the functions are ``glassnet.utils``'s, from ``glassnet.data.images``; Pillow loads on first use)."""
from ...utils import array_to_img, img_to_array, load_img, save_img

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]
