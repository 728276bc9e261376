"""``Dataset.prefetch``: the elements made ahead on a background thread, through a bounded
queue, so that reading files (or a generator's work) overlaps with the consumer's.

Only a pipeline that reads files or calls a generator gains from it: an in-memory one would
pay a thread hand-off per element for nothing (Python runs one thread at a time), so
``Dataset.prefetch`` only uses this where the dataset says it reads (``Dataset._reads``).

Rules kept: at most ``buffer_size`` elements wait in the queue; an exception in the
producer is raised in the consumer, with the producer's traceback; when the consumer's
iterator is abandoned (closed, garbage collected, or interrupted by Ctrl-C) the producer
stops within :data:`POLL` seconds and closes its own iterator (open files included).
"""
from __future__ import annotations

import queue
import threading

import numpy as np

from ..utils import rng

__all__ = ["POLL", "draws", "prefetched"]

POLL = 0.05                          # seconds a blocked producer waits before looking at `stop` again
_ITEM, _END, _ERROR = 0, 1, 2


class _Local(threading.local):
    generator = None


_LOCAL = _Local()


def draws() -> np.random.Generator:
    """The generator a pipeline's random draws (``shuffle``) use: glassnet's, or on a
    prefetch thread its own, seeded from glassnet's when the pass started, so that a seeded
    program gets the same order whatever the threads' timing."""
    return _LOCAL.generator or rng()


def _produce(make_iterator, q: queue.Queue, stop: threading.Event, seed) -> None:
    """Runs on the background thread: hands each element over until the end, an error, or
    ``stop``. Holds no reference to the consumer, so the consumer can be collected."""
    _LOCAL.generator = np.random.default_rng(seed)
    def put(message) -> bool:
        while not stop.is_set():
            try:
                q.put(message, timeout=POLL)
                return True
            except queue.Full:
                continue
        return False

    iterator = None
    try:
        iterator = iter(make_iterator())
        for element in iterator:
            if not put((_ITEM, element)):
                return
        put((_END, None))
    except BaseException as error:                    # noqa: BLE001 - handed to the consumer as it is
        put((_ERROR, error))
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def prefetched(make_iterator, buffer_size: int):
    """A generator of the elements of ``make_iterator()``, made up to ``buffer_size`` ahead
    on a daemon thread."""
    q = queue.Queue(maxsize=max(1, buffer_size))
    stop = threading.Event()
    seed = int(draws().integers(2 ** 63))               # drawn here, in the consumer's order
    thread = threading.Thread(target=_produce, args=(make_iterator, q, stop, seed), name="glassnet.data.prefetch",
                              daemon=True)
    thread.start()
    try:
        while True:
            kind, value = q.get()
            if kind == _ITEM:
                yield value
            elif kind == _END:
                return
            else:
                raise value                            # its __traceback__ still shows where it failed
    finally:
        stop.set()                                     # the producer sees it within POLL seconds
