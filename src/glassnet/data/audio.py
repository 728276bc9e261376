"""A folder of WAV files as a labelled ``Dataset``: Keras's ``audio_dataset_from_directory``.

The walk, the shuffle with ``seed`` and the split are :mod:`glassnet.data.directory`'s (Keras 3's,
so the same folder and seed give the same files on the same side); only ``.wav`` files are
listed. Each file is read with ``tf.audio.decode_wav`` (16-bit PCM, all its channels), cut to
``output_sequence_length`` samples when given, and a batch is padded with zeros to that length
(or, without it, to its longest clip), as Keras's ``padded_batch``: float32
``(batch, samples, channels)``; labels as the image and text datasets give them. The element
spec says ``(None, output_sequence_length, None)`` as Keras's: batch and channels unknown.
``sampling_rate`` needs TensorFlow I/O's resampler in Keras, so it is refused here as there
(without tensorflow_io). ``ragged=True`` gives the clips of a batch as a ``tf.RaggedTensor``.

>>> train, val = audio_dataset_from_directory("mini_speech_commands", batch_size=64, validation_split=0.2,
...                                           seed=0, output_sequence_length=16000, subset="both")  # doctest: +SKIP
Found 8000 files belonging to 8 classes.
Using 6400 files for training.
Using 1600 files for validation.
"""
from __future__ import annotations

import numpy as np

from . import directory

__all__ = ["audio_dataset_from_directory"]

AUDIO_FORMATS = (".wav",)


def audio_dataset_from_directory(directory_path, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                 sampling_rate=None, output_sequence_length=None, ragged=False, shuffle=True,
                                 seed=None, validation_split=None, subset=None, follow_links=False, verbose=True):
    """A ``Dataset`` of ``(audio, labels)`` batches from ``.wav`` files in class folders (see the
    module's text)."""
    who = "audio_dataset_from_directory"
    if ragged and output_sequence_length is not None:
        raise ValueError(f"{who}: cannot set both ragged=True and output_sequence_length "
                         f"(got output_sequence_length={output_sequence_length!r})")
    if output_sequence_length is not None and (isinstance(output_sequence_length, bool) or not isinstance(
            output_sequence_length, (int, np.integer)) or output_sequence_length <= 0):
        raise ValueError(f"{who}: output_sequence_length must be a positive integer or None, got "
                         f"{output_sequence_length!r}")
    if sampling_rate is not None:
        if isinstance(sampling_rate, bool) or not isinstance(sampling_rate, (int, np.integer)) or sampling_rate <= 0:
            raise ValueError(f"{who}: sampling_rate must be a positive integer or None, got {sampling_rate!r}")
        raise ImportError(f"{who}: to use the argument sampling_rate={sampling_rate}, Keras needs tensorflow_io's "
                          "resampler, which glassnet does not have: resample the files first, or leave "
                          "sampling_rate=None to keep each file's own rate")
    from ..tf.audio import decode_wav  # noqa: PLC0415

    def load(path):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise OSError(e.errno, f"{who}: cannot read {path}: {e.strerror}") from e
        try:
            audio = np.asarray(decode_wav(data)[0])
        except ValueError as e:
            raise ValueError(f"{who}: {path}: {e}") from None
        return audio if output_sequence_length is None else audio[:output_sequence_length]

    def stack(clips):
        if ragged:
            from ..tf.ragged import constant  # noqa: PLC0415
            return constant([c.tolist() for c in clips], dtype=np.float32, ragged_rank=2)   # Keras's spec says 2
        channels = {c.shape[1] for c in clips}
        if len(channels) > 1:
            raise ValueError(f"{who}: the files of one batch have different numbers of channels {sorted(channels)}; "
                             "Keras cannot batch them either (make them all mono or all stereo)")
        length = output_sequence_length or max(len(c) for c in clips)
        out = np.zeros((len(clips), length, channels.pop()), np.float32)
        for i, c in enumerate(clips):
            out[i, :len(c)] = c
        return out

    datasets = directory._from_directory(who, directory_path, AUDIO_FORMATS, labels, label_mode, class_names,
                                         batch_size, shuffle, seed, validation_split, subset, follow_links, verbose,
                                         load, stack, "audio files")
    for ds in datasets if isinstance(datasets, list) else [datasets]:
        if not ragged:
            ds._spec = _spec(ds, output_sequence_length, batch_size, label_mode, len(ds.class_names or ()))
    return datasets


def _spec(ds, length, batch_size, label_mode, num_classes):
    """Keras's element spec: ``(None, length, None)`` float32 audio (without a batch size: no leading
    None), and the labels' spec for ``label_mode``."""
    from .structure import TensorSpec  # noqa: PLC0415
    lead = (None,) if batch_size is not None else ()
    audio = TensorSpec(lead + (length, None), np.float32)
    if label_mode is None:
        return audio
    labels = {"int": TensorSpec(lead, np.int32), "binary": TensorSpec(lead + (1,), np.float32),
              "categorical": TensorSpec(lead + (num_classes,), np.float32)}[label_mode]
    return audio, labels
