"""Print Keras 3.15's answers for keras.utils.timeseries_dataset_from_array, pasted as
constants into tests/test_timeseries_dataset.py (which reads CASES and ERRORS from here)::

    /work/peers/bin/python tools/make_keras_timeseries.py
"""
import numpy as np

CASES = {
    "plain": dict(data=np.arange(20), targets=None, sequence_length=5, batch_size=4),
    "targets_stride_rate": dict(data=np.arange(20), targets=np.arange(20) * 10, sequence_length=4,
                                sequence_stride=3, sampling_rate=2, batch_size=3),
    "start_end": dict(data=np.arange(20), targets=np.arange(20) * 10, sequence_length=3, sampling_rate=2,
                      start_index=2, end_index=17, batch_size=5),
    "rows_unbatched": dict(data=np.arange(60, dtype=np.float32).reshape(30, 2), targets=None, sequence_length=6,
                           sequence_stride=4, batch_size=None),
    "short_targets": dict(data=np.arange(20), targets=np.arange(8), sequence_length=3, batch_size=16),
    "too_long": dict(data=np.arange(5), targets=None, sequence_length=10, batch_size=2),
}
ERRORS = {
    "negative_start": dict(start_index=-1), "start_past_end": dict(start_index=20),
    "end_before_start": dict(start_index=5, end_index=3), "end_past_data": dict(end_index=20),
    "end_negative": dict(end_index=-1), "rate_zero": dict(sampling_rate=0), "rate_long": dict(sampling_rate=20),
    "stride_zero": dict(sequence_stride=0), "stride_long": dict(sequence_stride=25),
}


def plain(x):
    return np.asarray(x).tolist()


def main():
    import keras     # here, so the tests can read CASES and ERRORS without TensorFlow
    out = {}
    for name, kw in CASES.items():
        ds = keras.utils.timeseries_dataset_from_array(**kw)
        out[name] = [tuple(plain(p) for p in e) if isinstance(e, tuple) else plain(e) for e in ds]
        first = next(iter(ds), None)
        if first is not None:
            out[name + "_dtype"] = str((first[0] if isinstance(first, tuple) else first).dtype.name)
    print("KERAS =", repr(out))
    errors = {}
    for name, kw in ERRORS.items():
        try:
            keras.utils.timeseries_dataset_from_array(np.arange(20), None, 3, **kw)
            errors[name] = None
        except ValueError as e:
            errors[name] = str(e)
    print("KERAS_ERRORS =", repr(errors))
    # shuffle=True, seed=7: the windows of an epoch (as a sorted list) and the windows' first
    # stage order (np.random.RandomState(seed).shuffle of the starts, Keras's rule)
    ds = keras.utils.timeseries_dataset_from_array(np.arange(100), None, 4, batch_size=8, shuffle=True, seed=7)
    epoch = [w for b in ds for w in plain(b)]
    print("KERAS_SHUFFLED_SORTED =", repr(sorted(epoch)))
    print("KERAS_SHUFFLED_SIZES =", repr([len(b) for b in ds]))


if __name__ == "__main__":
    main()
