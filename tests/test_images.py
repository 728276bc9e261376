"""glassnet.data.images and glassnet.io: load_img / img_to_array / array_to_img / save_img,
tf.io's decoders and encoders, read_file / write_file, gfile, and TensorFlow's resize worked
out by hand."""
from __future__ import annotations

import io
import os
import sys

import numpy as np
import pytest

pytest.importorskip("PIL")
from PIL import Image  # noqa: E402

import glassnet as tf  # noqa: E402
from glassnet.data import images  # noqa: E402


def _png(a, mode=None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(a, mode).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def rgb():
    return np.random.default_rng(0).integers(0, 256, size=(6, 8, 3), dtype=np.uint8)


# -- resize: tf.image.resize's half-pixel rule, by hand --------------------------------------
def test_bilinear_resize_by_hand():
    img = np.array([[0.0, 10.0], [20.0, 30.0]])[:, :, None]
    out = images.resize(img, (4, 4))
    # rows: x = (i + 0.5) * 2/4 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> lo 0,0,0,1 hi 0,1,1,1, lerp .75,.25,.75,.25
    # column weights are the same; row 1 (y=0.25): top row 0, bottom row 1, lerp 0.25
    assert out.dtype == np.float32 and out.shape == (4, 4, 1)
    np.testing.assert_allclose(out[0, :, 0], [0, 2.5, 7.5, 10])
    np.testing.assert_allclose(out[1, :, 0], [5, 7.5, 12.5, 15])          # 0.75 * row0 + 0.25 * row1
    np.testing.assert_allclose(out[3, :, 0], [20, 22.5, 27.5, 30])
    same = np.arange(12, dtype=np.uint8).reshape(2, 3, 2)
    np.testing.assert_array_equal(images.resize(same, (2, 3)), same)       # same size: unchanged


def test_nearest_resize_keeps_dtype():
    img = np.arange(4, dtype=np.uint8).reshape(1, 4, 1)
    out = images.resize(img, (1, 2), "nearest")                           # floor((i + .5) * 2) = 1, 3
    assert out.dtype == np.uint8 and out[0, :, 0].tolist() == [1, 3]
    with pytest.raises(ValueError, match="interpolation must be one of"):
        images.resize(img, (2, 2), "lanczos3")


def test_crop_and_pad_to_aspect_ratio():
    img = np.arange(6 * 10, dtype=np.float32).reshape(6, 10, 1)
    crop = images.crop_to_aspect(img, (3, 3))                             # the centred 6 x 6 square
    assert crop.shape == (6, 6, 1) and crop[0, 0, 0] == 2
    padded = images.resize_with_pad(img, (10, 10))                        # 6x10 -> 6x10 inside 10x10, 2 rows above
    assert padded.shape == (10, 10, 1)
    assert np.all(padded[:2] == 0) and np.all(padded[8:] == 0)
    np.testing.assert_allclose(padded[2:8], img)


# -- tf.io -------------------------------------------------------------------------------------
def test_read_file_write_file_and_decode_png(tmp_path, rgb):
    path = tmp_path / "sub" / "x.png"
    tf.io.write_file(str(path), _png(rgb))
    assert sorted(os.listdir(path.parent)) == ["x.png"]                   # no temporary file left
    raw = tf.io.read_file(str(path))
    assert isinstance(raw, tf.Tensor) and raw.shape == () and raw.dtype == object
    img = tf.io.decode_png(raw, channels=3)
    assert isinstance(img, tf.Tensor) and img.dtype == np.uint8
    np.testing.assert_array_equal(img.numpy(), rgb)
    np.testing.assert_array_equal(tf.io.decode_image(raw.numpy()), rgb)   # plain bytes work too
    assert tf.io.decode_png(raw, channels=4).numpy()[..., 3].min() == 255
    grey = tf.io.decode_png(raw, channels=1).numpy()
    r, g, b = (rgb[..., i].astype(int) for i in range(3))
    # TensorFlow (libpng): 0.299 R + 0.587 G + 0.114 B in 15-bit fixed point, truncated
    np.testing.assert_array_equal(grey[..., 0], (r * 9797 + g * 19234 + b * 3737) >> 15)
    with pytest.raises(OSError, match="read_file: cannot read .*missing.png"):
        tf.io.read_file(str(tmp_path / "missing.png"))
    np.testing.assert_array_equal(tf.io.decode_jpeg(raw), rgb)      # TF 2.21's DecodeJpeg reads a PNG too
    assert tf.io.decode_gif(raw).shape == (1,) + rgb.shape                 # one frame
    with pytest.raises(ValueError, match="decode_bmp: the image is a PNG image, expected BMP"):
        tf.io.decode_bmp(raw)


def test_png_modes_as_tensorflow_decodes_them():
    rgba = np.random.default_rng(1).integers(0, 256, size=(3, 4, 4), dtype=np.uint8)
    data = _png(rgba, "RGBA")
    assert tf.io.decode_png(data).shape == (3, 4, 4)                       # channels=0: as stored
    np.testing.assert_array_equal(tf.io.decode_png(data, channels=3), rgba[..., :3])   # alpha dropped
    grey = rgba[..., 0]
    data = _png(grey, "L")
    assert tf.io.decode_png(data).shape == (3, 4, 1)
    np.testing.assert_array_equal(tf.io.decode_png(data, channels=3), np.repeat(grey[..., None], 3, -1))
    with pytest.raises(ValueError, match="channels must be 0, 1, 3 or 4"):
        tf.io.decode_png(data, channels=2)


def test_gif_frames_and_expand_animations(rgb):
    frames = [Image.fromarray(rgb), Image.fromarray(255 - rgb)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    data = buffer.getvalue()
    stack = tf.io.decode_gif(data)
    assert stack.shape == (2, 6, 8, 3) and stack.dtype == np.uint8
    assert tf.io.decode_image(data).shape == (2, 6, 8, 3)
    first = tf.io.decode_image(data, expand_animations=False)
    assert first.shape == (6, 8, 3) and np.array_equal(first, stack[0])
    with pytest.raises(ValueError, match="GIF, decoded with 3 channels only"):
        tf.io.decode_image(data, channels=1)


def test_jpeg_and_bmp_round_trips(rgb):
    smooth = np.stack(list(np.meshgrid(np.arange(8) * 30, np.arange(6) * 40)) + [np.full((6, 8), 128)], -1)
    smooth = smooth.astype(np.uint8)
    jpeg = tf.io.encode_jpeg(smooth, quality=95)
    assert bytes(jpeg.numpy())[:2] == b"\xff\xd8"
    back = tf.io.decode_jpeg(jpeg, channels=3)
    assert back.shape == smooth.shape and np.abs(back.numpy().astype(int) - smooth).mean() < 10   # 4:2:0 chroma
    assert tf.io.decode_jpeg(jpeg, channels=1).shape == (6, 8, 1)
    png = tf.io.encode_png(rgb)
    np.testing.assert_array_equal(tf.io.decode_image(png), rgb)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "BMP")
    np.testing.assert_array_equal(tf.io.decode_bmp(buffer.getvalue()), rgb)
    with pytest.raises(ValueError, match="image must be uint8"):
        tf.io.encode_png(rgb.astype(np.float32))
    with pytest.raises(ValueError, match="a JPEG has 1 or 3 channels"):
        tf.io.encode_jpeg(np.zeros((2, 2, 4), np.uint8))


def test_jpeg_pixels_are_tensorflows_bit_for_bit():
    """tf.io.decode_jpeg's output recorded from TensorFlow 2.21 (tools/make_keras_directory.py):
    sizes down to 1x1, 4:2:0 and 4:4:4 chroma, baseline and progressive, a grey JPEG."""
    import base64
    import json
    from pathlib import Path
    cases = json.loads((Path(__file__).parent / "fixtures" / "keras_directory.json").read_text())["jpeg_decodes"]
    assert len(cases) == 30
    for case in cases:
        data = base64.b64decode(case["bytes"])
        for c in (0, 1, 3):
            want = np.array(case[f"channels_{c}"], dtype=np.uint8)
            got = tf.io.decode_jpeg(data, channels=c).numpy()
            assert got.shape == want.shape and np.array_equal(got, want), (want.shape, c)
    with pytest.raises(ValueError, match="JPEG, which has no alpha channel"):
        tf.io.decode_image(data, channels=4)


def test_non_images_are_named():
    with pytest.raises(ValueError, match=r"not an image .*looks like text: 'hello, world'"):
        tf.io.decode_image(b"hello, world")
    with pytest.raises(ValueError, match="it is empty"):
        tf.io.decode_image(b"")
    with pytest.raises(ValueError, match="only dtype=uint8"):
        tf.io.decode_image(b"x", dtype=np.float32)


def test_gfile(tmp_path):
    g = tf.io.gfile
    g.makedirs(str(tmp_path / "a" / "b"))
    with g.GFile(str(tmp_path / "a" / "b" / "x.txt"), "w") as f:
        f.write("hi")
    assert g.exists(str(tmp_path / "a" / "b" / "x.txt")) and g.isdir(str(tmp_path / "a"))
    assert g.listdir(str(tmp_path / "a")) == ["b"]
    assert g.glob(str(tmp_path / "*" / "*" / "*.txt")) == [str(tmp_path / "a" / "b" / "x.txt")]
    g.copy(str(tmp_path / "a" / "b" / "x.txt"), str(tmp_path / "y.txt"))
    with pytest.raises(FileExistsError, match="overwrite=False"):
        g.copy(str(tmp_path / "a" / "b" / "x.txt"), str(tmp_path / "y.txt"))
    g.rename(str(tmp_path / "y.txt"), str(tmp_path / "z.txt"))
    assert open(tmp_path / "z.txt").read() == "hi"
    g.rmtree(str(tmp_path / "a"))
    assert not g.exists(str(tmp_path / "a"))
    with pytest.raises(FileNotFoundError, match="is not a directory"):
        g.listdir(str(tmp_path / "a"))


# -- keras.utils: load_img, img_to_array, array_to_img, save_img -------------------------------------
def test_load_img_and_img_to_array(tmp_path, rgb):
    path = tmp_path / "x.png"
    path.write_bytes(_png(rgb))
    img = tf.keras.utils.load_img(str(path))
    assert img.size == (8, 6) and img.mode == "RGB"
    small = tf.keras.utils.load_img(path, target_size=(3, 4))              # (height, width); a Path works
    assert small.size == (4, 3)
    np.testing.assert_array_equal(np.asarray(small), np.asarray(Image.fromarray(rgb).resize((4, 3), Image.NEAREST)))
    square = tf.keras.utils.load_img(str(path), target_size=(2, 2), keep_aspect_ratio=True)
    expected = Image.fromarray(rgb).resize((2, 2), Image.NEAREST, box=(1, 0, 7, 6))      # the centred 6 x 6
    np.testing.assert_array_equal(np.asarray(square), np.asarray(expected))
    x = tf.keras.utils.img_to_array(img)
    assert x.shape == (6, 8, 3) and x.dtype == np.float32 and np.array_equal(x, rgb)
    assert tf.keras.utils.img_to_array(img, data_format="channels_first").shape == (3, 6, 8)
    grey = tf.keras.utils.load_img(str(path), color_mode="grayscale")
    assert grey.mode == "L" and tf.keras.utils.img_to_array(grey).shape == (6, 8, 1)
    assert tf.keras.utils.load_img(str(path), color_mode="rgba").mode == "RGBA"
    batch = tf.expand_dims(tf.keras.utils.img_to_array(small), 0)
    assert tuple(batch.shape) == (1, 3, 4, 3)
    with pytest.raises(ValueError, match="color_mode must be"):
        tf.keras.utils.load_img(str(path), color_mode="cmyk")
    with pytest.raises(ValueError, match="interpolation must be one of"):
        tf.keras.utils.load_img(str(path), target_size=(2, 2), interpolation="cubic")
    (tmp_path / "fake.jpg").write_text("I am a text file")
    with pytest.raises(ValueError, match=r"load_img: .*fake\.jpg is not an image .*looks like text"):
        tf.keras.utils.load_img(str(tmp_path / "fake.jpg"))
    with pytest.raises(OSError, match="load_img: cannot read .*nothing.png"):
        tf.keras.utils.load_img(str(tmp_path / "nothing.png"))


def test_array_to_img_and_save_img(tmp_path):
    x = np.array([[[0.0], [0.5]], [[1.0], [0.25]]])
    img = tf.keras.utils.array_to_img(x)                                   # scaled: (x - 0) / 1 * 255
    assert img.mode == "L" and np.asarray(img).tolist() == [[0, 127], [255, 63]]
    kept = tf.keras.utils.array_to_img(np.full((2, 2, 3), 7.0), scale=False)
    assert kept.mode == "RGB" and np.asarray(kept).max() == 7
    with pytest.raises(ValueError, match="1, 3 or 4 channels, got 2"):
        tf.keras.utils.array_to_img(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        tf.keras.utils.array_to_img(np.full((2, 2, 3), np.nan))
    rgb = np.random.default_rng(2).integers(0, 256, size=(5, 4, 3)).astype(np.float32)
    tf.keras.utils.save_img(str(tmp_path / "out.png"), rgb, scale=False)
    np.testing.assert_array_equal(tf.keras.utils.img_to_array(tf.keras.utils.load_img(str(tmp_path / "out.png"))),
                                  rgb)
    with pytest.warns(UserWarning, match="alpha channel is dropped"):
        tf.keras.utils.save_img(str(tmp_path / "out.jpg"), np.zeros((3, 3, 4)))
    assert tf.keras.utils.load_img(str(tmp_path / "out.jpg")).size == (3, 3)
    with pytest.raises(ValueError, match="cannot tell the image format"):
        tf.keras.utils.save_img(str(tmp_path / "out.unknown"), rgb)
    assert sorted(os.listdir(tmp_path)) == ["out.jpg", "out.png"]          # nothing half-written


def test_missing_pillow_is_said_clearly(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"needs Pillow: pip install Pillow"):
        tf.io.decode_png(b"\x89PNG")
    with pytest.raises(ImportError, match="needs Pillow"):
        tf.keras.utils.image_dataset_from_directory(".")
