"""``tf.audio``: WAV files as TensorFlow reads and writes them (16-bit PCM).

``decode_wav(contents)`` gives ``(audio, sample_rate)``: float32 ``(samples, channels)`` with each
16-bit sample divided by 32768 (so in [-1, 1)), and the rate as an int32 scalar.
``desired_channels`` keeps the first channels, or repeats a mono one; ``desired_samples`` cuts or
pads with zeros. ``encode_wav`` is the inverse: ``round(x * 32768)`` clamped to int16.

>>> import numpy as np, glassnet as tf
>>> wav = tf.audio.encode_wav(np.array([[0.5], [-0.25], [1.0]], np.float32), 16000)
>>> audio, rate = tf.audio.decode_wav(wav)
>>> audio.numpy().ravel().tolist(), int(rate)
([0.5, -0.25, 0.999969482421875], 16000)
"""
from __future__ import annotations

import struct

import numpy as np

from .tensor import Tensor

__all__ = ["decode_wav", "encode_wav"]


def _chunks(data: bytes, who: str):
    """The RIFF/WAVE chunks as ``{id: bytes}`` (the first of each), after checking the header."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError(f"{who}: contents is not a WAV file (no RIFF/WAVE header; {len(data)} bytes)")
    chunks, at = {}, 12
    while at + 8 <= len(data):
        cid, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        if at + 8 + size > len(data) and cid == b"data":
            raise ValueError(f"{who}: the WAV data chunk says {size} bytes but only {len(data) - at - 8} follow "
                             "(a truncated file)")
        chunks.setdefault(cid, data[at + 8:at + 8 + size])
        at += 8 + size + (size & 1)                 # chunks are padded to an even length
    for needed in (b"fmt ", b"data"):
        if needed not in chunks:
            raise ValueError(f"{who}: the WAV file has no {needed.decode().strip()!r} chunk")
    return chunks


def decode_wav(contents, desired_channels=-1, desired_samples=-1, name=None):
    """``(audio, sample_rate)`` of a 16-bit PCM WAV file's bytes (``tf.io.read_file``'s string):
    float32 ``(samples, channels)`` in [-1, 1), the rate an int32 scalar tensor."""
    from .io import _contents  # noqa: PLC0415
    who = "decode_wav"
    data = _contents(contents, who)
    chunks = _chunks(data, who)
    fmt = chunks[b"fmt "]
    if len(fmt) < 16:
        raise ValueError(f"{who}: the WAV 'fmt' chunk has {len(fmt)} bytes, fewer than 16")
    audio_format, channels, rate, _, _, bits = struct.unpack("<HHIIHH", fmt[:16])
    if audio_format not in (1, 0xFFFE) or bits != 16:
        raise ValueError(f"{who}: only 16-bit PCM WAV files can be decoded (as TensorFlow), this one has format "
                         f"{audio_format} with {bits} bits per sample")
    if channels < 1:
        raise ValueError(f"{who}: the WAV file says it has {channels} channels")
    raw = chunks[b"data"]
    frames = len(raw) // (2 * channels)
    samples = np.frombuffer(raw[:frames * 2 * channels], dtype="<i2").reshape(frames, channels)
    audio = samples.astype(np.float32) * np.float32(1.0 / 32768)
    desired_channels, desired_samples = int(desired_channels), int(desired_samples)
    if desired_channels > 0 and desired_channels != channels:
        if channels == 1:
            audio = np.repeat(audio, desired_channels, axis=1)
        elif desired_channels < channels:
            audio = audio[:, :desired_channels]
        else:
            raise ValueError(f"{who}: desired_channels={desired_channels} but the file has {channels} channels "
                             "(only a mono file can be spread over more)")
    if desired_samples >= 0:
        audio = audio[:desired_samples]
        if len(audio) < desired_samples:
            audio = np.concatenate([audio, np.zeros((desired_samples - len(audio), audio.shape[1]), np.float32)])
    return np.ascontiguousarray(audio).view(Tensor), np.asarray(rate, dtype=np.int32).view(Tensor)


def encode_wav(audio, sample_rate, name=None) -> Tensor:
    """A 16-bit PCM WAV file of ``audio`` (float32 ``(samples, channels)`` in [-1, 1]) at
    ``sample_rate``: each sample ``round(x * 32768)`` clamped to [-32768, 32767], as TensorFlow."""
    from .io import _string  # noqa: PLC0415
    x = np.asarray(audio, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(f"encode_wav: audio must be 2-D (samples, channels), got shape {x.shape}")
    rate = int(np.asarray(sample_rate))
    if rate <= 0:
        raise ValueError(f"encode_wav: sample_rate must be positive, got {rate}")
    pcm = np.clip(np.round(x * np.float32(32768)), -32768, 32767).astype("<i2").tobytes()
    channels = x.shape[1]
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * 2 * channels, 2 * channels, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(pcm)) + pcm
    return _string(b"RIFF" + struct.pack("<I", len(body)) + body)
