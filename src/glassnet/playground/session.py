"""One playground: the data, a real ``Sequential`` compiled from the page's settings, and the
thread that trains it with ``fit`` while the page polls for pictures.

The model is touched only under ``Session.lock``: the training thread holds it for one
chunk of ``fit`` (about 8 ms, ``CHUNK_SECONDS``), a control (settings, one step, reset, explain, download)
between two chunks. Pictures are rendered by whoever changed the model, up to 50 times a
second while it trains (``FRAME_INTERVAL``), into ``Session.frame`` (JSON bytes), which
the page fetches without waiting for the model. Nothing grows with the session's length:
the loss history is thinned, the Trace restarted, the pages' ids forgotten.

>>> s = Session(start_thread=False)
>>> s.step_once()["step"]
1
>>> s.stop()
"""
from __future__ import annotations

import json
import math
import threading
import time
import traceback

import numpy as np

import glassnet
from glassnet.layers import Conv2D, Dense, Flatten, Input, MaxPooling2D

from . import codegen, render
from .config import DEFAULTS, check_config
from .data import TableData, parse_csv

__all__ = ["Session"]

FRAME_INTERVAL = 1 / 50      # seconds between two pictures while training: at most 50 a second
CHUNK_SECONDS = 0.008        # one fit call lasts about this long (the model is locked meanwhile)
IDLE_PAUSE = 30.0            # pause when no page has asked for a picture for this long
TRACE_EVERY = 20             # steps between two Trace records
FETCH_WAIT = 0.01            # at most this long, training waits for a watching page to take a new picture
SLOW_EVERY = 0.25            # seconds between two evaluations of a convnet on all the digits (its losses, mistakes)
MAX_CHUNK_STEPS = 200        # a big table (or a slow model) trains in windows of at most this many batches


class Session:
    """The state behind one playground server. ``model``/``data`` as in :func:`serve`."""

    def __init__(self, model=None, data=None, target=None, start_thread=True):
        self.lock = threading.RLock()
        self.frame_cond = threading.Condition()
        self.frame, self.frame_version = b"{}", 0
        self.cfg = dict(DEFAULTS)
        self.table: TableData | None = None
        self.csv_raw: bytes | None = None
        self.user_model, self.user_weights = None, None
        self.running, self.error, self.notice = False, None, None
        self.clients: dict[str, float] = {}     # page id -> when it last asked for a picture
        self.n_clients = 0
        self.last_poll = time.monotonic()
        self._stop = threading.Event()
        self._taken = threading.Event()         # set when a page has fetched the latest picture
        if data is not None:
            self.table = _table_from(data, target)
            self.cfg["dataset"] = "csv"
            self.cfg["target"] = self.table.target
            self.cfg["problem"] = "regression" if self.table.task == "regression" else "classification"
        if model is not None:
            self._adopt(model)
        self._setup()
        self._thread = None
        if start_thread:
            self._thread = threading.Thread(target=self._loop, name="glassnet-playground-training", daemon=True)
            self._thread.start()

    # -- data and model -----------------------------------------------------------------
    def _adopt(self, model):
        if not isinstance(model, glassnet.Sequential):
            raise TypeError(f"serve: model must be a glassnet Sequential, got {type(model).__name__}")
        dense = [layer for layer in model.layers if isinstance(layer, Dense)]
        if not dense:
            raise ValueError("serve: model has no Dense layer to show")
        self.user_model = model
        self.user_weights = [w.copy() for w in model.get_weights()] if model.built else None
        hidden = [layer.units for layer in dense[:-1]]
        self.cfg["layers"] = hidden[:6]
        name = dense[0].activation.__name__ if len(dense) > 1 else "linear"
        if name in ("relu", "tanh", "sigmoid", "linear"):
            self.cfg["activation"] = name

    def _setup(self):
        """(Re)build the data from the settings, then the model (or reset the user's)."""
        self._install(*self._prepare(self.cfg, self.table, self.user_model))

    def _prepare(self, cfg, table, user_model):
        """The data and the model for ``cfg``, made aside: whatever it raises, the session
        (its model, its step, its data) is as it was. A refused request changes nothing."""
        d = render.build_data(cfg, table)
        if user_model is None:
            return d, self._build(cfg, d)
        m = user_model
        if m.built and m.input_shape[-1] != d.x_train.shape[1]:
            raise ValueError(f"serve: model takes {m.input_shape[-1]} inputs, the data has "
                             f"{d.x_train.shape[1]} features")
        optimizer = render.make_optimizer(cfg)                # everything that can refuse, first
        if self.user_weights is not None:
            m.set_weights(self.user_weights)
        m.compile(optimizer=optimizer, loss=d.loss)
        return d, m

    def _install(self, d, model):
        """Train ``model`` on ``d`` from step 0."""
        self.d, self.model = d, model
        self.step, self.cursor, self.history = 0, 0, []
        self.trace = glassnet.callbacks.Trace(every=TRACE_EVERY)
        self._trace_cache = None
        self._full_at = 0.0
        self._render_ms = None
        self.error = None
        self._rate = (time.monotonic(), 0, 0.0)
        self._step_seconds = 1e-3                    # measured while training: how many steps fit a chunk
        self._render(force=True)

    def _build(self, cfg, d):
        glassnet.utils.set_random_seed(cfg["seed"])
        reg = None
        if cfg["regularization"] != "none" and cfg["reg_rate"] > 0:
            reg = getattr(glassnet.regularizers, cfg["regularization"])(cfg["reg_rate"])
        if d.mode == "conv":                       # the digits as images: the convnet (its hidden layers are these)
            layers = [Input(shape=d.x_train.shape[1:]),
                      Conv2D(8, 3, activation=cfg["activation"], kernel_regularizer=reg, name="conv"),
                      MaxPooling2D(2, name="pool"), Flatten(name="flatten")]
        else:
            layers = [Input(shape=(d.x_train.shape[1],))]
            for i, units in enumerate(cfg["layers"]):
                layers.append(Dense(units, activation=cfg["activation"], kernel_regularizer=reg, name=f"hidden_{i + 1}"))
        layers.append(Dense(d.n_out, activation=d.out_activation, kernel_regularizer=reg, name="output"))
        model = glassnet.Sequential(layers, name="playground")
        model.compile(optimizer=render.make_optimizer(cfg), loss=d.loss)
        return model

    def _compile(self, model):
        model.compile(optimizer=render.make_optimizer(self.cfg), loss=self.d.loss)

    # -- controls (each returns the new frame as a dict) ----------------------------------
    def configure(self, changes: dict) -> dict:
        """Apply the page's settings. The learning rate, optimizer and loss recompile the model
        and training goes on from where it is (a new learning rate keeps the optimizer's state);
        the map's axes only redraw; anything else builds the data and the network anew."""
        with self.lock:
            cfg = check_config(changes, self.cfg)
            keys = set(changes)
            if not keys:                                    # nothing asked: nothing changes
                return self.state()
            if keys <= {"learning_rate", "optimizer", "loss"} and self.error is None:
                loss = render.resolve_loss(cfg, self.d.task)       # raises before anything changes
                self.cfg, self.d.loss = cfg, loss
                if keys == {"learning_rate"}:
                    self.model.optimizer.learning_rate = cfg["learning_rate"]
                else:
                    self._compile(self.model)
                self._render(force=True)
                return self.state()
            if keys and keys <= {"map_x", "map_y"} and cfg["dataset"] == "csv":
                self.cfg, self.d = cfg, render.build_data(cfg, self.table)   # same split, same arrays
                self._render(force=True)
                return self.state()
            if keys == {"digit"}:                           # another test digit's feature maps: only a redraw
                n = len(self.d.x_test)
                if self.d.mode != "2d" and not cfg["digit"] < n:
                    raise ValueError(f"digit: the test digits are numbered 0 to {n - 1}, got {cfg['digit']}")
                self.cfg = cfg
                self._render(force=True)
                return self.state()
            user_model, table = self.user_model, self.table
            if keys & {"layers", "activation", "regularization", "reg_rate", "seed", "network"}:
                user_model = None
            if "problem" in changes and cfg["dataset"] == "csv" and self.csv_raw is not None \
                    and (cfg["problem"] == "regression") != (self.table.task == "regression"):
                table = parse_csv(self.csv_raw, cfg["target"], source=self.table.source,
                                  task="regression" if cfg["problem"] == "regression" else None)
            d, model = self._prepare(cfg, table, user_model)   # raises: the session is as it was
            self.cfg, self.table, self.user_model = cfg, table, user_model
            self._install(d, model)
            self.running = self.running and self.error is None  # playing goes on playing
            return self.state()

    def upload(self, raw: bytes, target: str | None = None, name: str | None = None) -> dict:
        """A CSV from the page; ``name``: its file name (shown, and used by the code)."""
        source = _file_name(name) if name else (self.table.source if self.table is not None else "data.csv")
        table = parse_csv(raw, target or None, source=source,
                          task="regression" if self.cfg["problem"] == "regression" else None)
        with self.lock:
            cfg = dict(self.cfg, dataset="csv", target=table.target, map_x=0, map_y=min(1, len(table.names) - 1), network="dense",
                       problem="regression" if table.task == "regression" else "classification", loss="auto")
            d, model = self._prepare(cfg, table, None)         # raises: the session is as it was
            self.table, self.csv_raw, self.cfg, self.user_model = table, raw, cfg, None
            self._install(d, model)
            self.running = self.running and self.error is None  # playing goes on playing, on the new data
            return self.state()

    def choose_target(self, target: str) -> dict:
        if self.csv_raw is None:
            raise ValueError("target: upload a CSV first (the target is one of its columns)")
        return self.upload(self.csv_raw, target, self.table.source)

    def control(self, action: str) -> dict:
        with self.lock:
            if action == "play":
                if self.error:
                    raise ValueError("play: the last run broke (see the message); press reset first")
                self.running, self.notice = True, None
                self._rate = (time.monotonic(), self.step, self._rate[2])
            elif action == "pause":
                self.running = False
            elif action == "step":
                return self.step_once()
            elif action == "reset":
                self.running = False
                self._setup()
            else:
                raise ValueError(f"action: {action!r} is not one of play, pause, step, reset")
            self._render(force=True)
            return self.state()

    def step_once(self) -> dict:
        """One gradient step on the next batch (``train_on_batch``)."""
        with self.lock:
            if self.error:
                raise ValueError("step: the last run broke (see the message); press reset first")
            self.running = False
            xb, yb = self.batch()
            loss = float(np.asarray(self.model.train_on_batch(xb, yb)).ravel()[0])
            self.cursor += len(xb)
            if self.cursor >= len(self.d.x_train):
                self.cursor = 0
            self.step += 1
            if not math.isfinite(loss):
                self._broke(f"the loss of this batch became {loss}")
            self._render(force=True)
            return self.state()

    def batch(self):
        """The batch the next single step trains on."""
        bs = min(self.cfg["batch_size"], len(self.d.x_train))
        i = self.cursor
        return self.d.x_train[i:i + bs], self.d.y_train[i:i + bs]

    def explain(self) -> str:
        with self.lock:
            xb, yb = self.batch()
            text = str(glassnet.explain(self.model, xb, yb))
            return (f"# glassnet.explain(model, x_train[{self.cursor}:{self.cursor + len(xb)}], "
                    f"y_train[{self.cursor}:{self.cursor + len(xb)}]) at step {self.step}: the batch of the next step\n\n"
                    + text)

    def code(self) -> str:
        """The program that builds and trains this network (for as many epochs as it has)."""
        with self.lock:
            epochs = self.step // self.d.steps_per_epoch
            return codegen.program(self.cfg, self.d, epochs=epochs if epochs else 100)

    def keras_bytes(self) -> bytes:
        import os
        import tempfile
        with self.lock:
            with tempfile.TemporaryDirectory() as folder:
                path = os.path.join(folder, "playground.keras")
                self.model.save(path)
                with open(path, "rb") as f:
                    return f.read()

    # -- the training thread ------------------------------------------------------------
    def _loop(self):
        while not self._stop.is_set():
            with self.lock:
                if self.running and time.monotonic() - self.last_poll > IDLE_PAUSE:
                    self.running = False
                    self.notice = "Training paused: no page has been open for a while. Press play to go on."
                    self._render(force=True)
                busy = self.running
                if busy:
                    t0 = time.perf_counter()
                    self._train_chunk()
                    # a picture when the next one is due before this chunk's half would end: ~50 a second
                    version = self.frame_version
                    self._render(force=not self.running, ahead=(time.perf_counter() - t0) / 2)
                    published = self.frame_version != version
            if not busy:
                self._stop.wait(0.05)
            elif published and time.monotonic() - self.last_poll < 1.0:
                # a page is watching: give its request the interpreter until it has the picture (training
                # holds the GIL almost always; on a busy machine the reply would otherwise wait many slices)
                self._taken.wait(FETCH_WAIT)
            else:
                time.sleep(0.0005)        # let the page's requests take the lock

    def _train_chunk(self):
        """About CHUNK_SECONDS of ``fit``: whole epochs when one is that short, else a window of
        the epoch's batches (a big table, a convnet), so a control never waits long."""
        d, model = self.d, self.model
        bs = min(self.cfg["batch_size"], len(d.x_train))
        fits = max(1, int(CHUNK_SECONDS / self._step_seconds))       # steps that fit in a chunk
        t0, step0 = time.perf_counter(), self.step
        if d.steps_per_epoch > min(fits, MAX_CHUNK_STEPS):
            self._train_window(bs, min(fits, MAX_CHUNK_STEPS))
        else:
            self._train_epochs(bs, min(1000, fits // d.steps_per_epoch))
        if self.step > step0:
            took = (time.perf_counter() - t0) / (self.step - step0)
            self._step_seconds = min(1.0, 0.5 * self._step_seconds + 0.5 * took)

    def _train_epochs(self, bs, epochs):
        d, model = self.d, self.model
        try:
            h = model.fit(d.x_train, d.y_train, batch_size=bs,
                          epochs=epochs, verbose=0, shuffle=True, callbacks=[self.trace])
        except Exception as e:        # a bug must not kill the thread: say it on the page
            traceback.print_exc()
            self.running = False
            self.error = {"message": f"Training failed: {type(e).__name__}: {e}", "layer": None}
            return
        losses = h.history.get("loss", [])
        done = len(losses)
        self.step += done * d.steps_per_epoch
        self.cursor = 0
        if done < epochs or not all(math.isfinite(v) for v in losses):
            self.step += d.steps_per_epoch if done < epochs else 0
            self._broke("the loss became NaN or infinite")
        self._trim_trace()

    def _trim_trace(self):
        if len(self.trace.history.get("step", ())) > 300:     # keep the diagnosis about the recent past
            self.trace = glassnet.callbacks.Trace(every=TRACE_EVERY)

    def _train_window(self, bs, steps):
        """One fit call on the next ``steps`` batches of this epoch's shuffled order."""
        d, n = self.d, len(self.d.x_train)
        if self.cursor == 0 or getattr(self, "_order", None) is None or len(self._order) != n:
            self._order = glassnet.utils.rng().permutation(n)
        rows = self._order[self.cursor:self.cursor + steps * bs]
        try:
            h = self.model.fit(d.x_train[rows], d.y_train[rows], batch_size=bs, epochs=1, verbose=0,
                               shuffle=False, callbacks=[self.trace])
        except Exception as e:
            traceback.print_exc()
            self.running = False
            self.error = {"message": f"Training failed: {type(e).__name__}: {e}", "layer": None}
            return
        losses = h.history.get("loss", [])
        self.step += math.ceil(len(rows) / bs)
        self.cursor = 0 if self.cursor + len(rows) >= n else self.cursor + len(rows)
        if not losses or not all(math.isfinite(v) for v in losses):
            self._broke("the loss became NaN or infinite")
        self._trim_trace()

    def _broke(self, what):
        """Stop, and say which layer blew up: the largest |Z| or |dJ/dW| in the network."""
        self.running = False
        with np.errstate(all="ignore"):
            where, layer_index = render.where_it_broke(self.model, self.d)
        opt = self.cfg["optimizer"]
        self.error = {"layer": layer_index, "message": (
            f"At step {self.step} {what}; training stopped and the weights are the last finite ones. "
            f"{where} The usual cause is a learning rate too large ({self.cfg['learning_rate']:g} with {opt}): "
            "press reset and try one 10x smaller.")}

    # -- pictures -------------------------------------------------------------------------
    def _render(self, force=False, ahead=0.0):
        """Publish a picture if one is due (``ahead``: seconds early that still count as due)."""
        now = time.monotonic()
        if not force and now - getattr(self, "_last_frame", 0.0) < FRAME_INTERVAL - ahead:
            return
        self._last_frame = now
        started = time.perf_counter()
        t0, s0, rate = self._rate
        if now - t0 >= 0.5:
            rate = (self.step - s0) / (now - t0) if self.running else 0.0
            self._rate = (now, self.step, rate)
        if self._trace_cache is None or now - self._trace_cache[0] > 0.5:
            self._trace_cache = (now, render.trace_summary(self.trace))
        full = force or self.d.mode != "conv" or now - self._full_at >= SLOW_EVERY
        with np.errstate(all="ignore"):        # a blown-up network is drawn, not warned about
            if full:
                frame = self._full_frame = render.frame(self.model, self.d, self.cfg)
                self._full_at = now
            else:                              # the convnet: its filters and maps live, losses 4 times a second
                frame = dict(self._full_frame, conv=render.conv_pictures(self.model, self.d, self.cfg))
        frame.update(step=self.step, epoch=self.step // self.d.steps_per_epoch, running=self.running,
                     steps_per_sec=round(rate), error=self.error, notice=self.notice, trace=self._trace_cache[1],
                     config=self.cfg, setup=self.d.setup_version)
        self.history.append([self.step, frame["train_loss"], frame["test_loss"]])
        if len(self.history) > 300:          # thinned: the plot needs the shape, not every frame
            self.history = self.history[::2]
        frame["history"] = self.history
        self._publish(frame, started)

    def _publish(self, frame, started=None):
        frame["render_ms"] = None if self._render_ms is None else round(self._render_ms, 2)
        data = json.dumps(frame, allow_nan=False, default=_plain).encode()
        if started is not None:            # the server's work per picture, JSON included (shown from the next one)
            took = (time.perf_counter() - started) * 1000
            self._render_ms = took if self._render_ms is None else 0.9 * self._render_ms + 0.1 * took
        with self.frame_cond:
            self.frame_version += 1
            self.frame = data
            self._frame_dict = frame
            self._taken.clear()
            self.frame_cond.notify_all()

    def sent(self, version: int) -> None:
        """The server wrote picture ``version`` to a page: training need not wait for it any longer."""
        if version >= self.frame_version:
            self._taken.set()

    def state(self) -> dict:
        with self.frame_cond:
            return dict(self._frame_dict, version=self.frame_version)

    def wait_frame(self, since: int, client: str | None, timeout: float = 0.25):
        """The latest frame as (version, JSON bytes), waiting up to ``timeout`` for one newer than ``since``."""
        now = time.monotonic()
        self.last_poll = now
        with self.frame_cond:                  # the pages' requests come from several threads
            if client:
                self.clients[client[:64]] = now
                for c in [c for c, t in self.clients.items() if now - t > 5]:
                    del self.clients[c]
            self.n_clients = len(self.clients)
            if self.frame_version <= since:
                self.frame_cond.wait(timeout)
            return self.frame_version, self.frame

    def layout(self) -> dict:
        """What changes only with the settings: points, input maps, column names."""
        with self.lock:
            return render.layout(self.d, self.cfg, self.table)

    def stop(self):
        self._stop.set()
        with self.lock:
            self.running = False
        if self._thread is not None:
            self._thread.join(timeout=5)


def _file_name(name: str) -> str:
    """The last part of a browser's file name, printable characters only."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable() and c not in "'\"`")[:100]
    return base or "data.csv"


def _plain(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON: {type(o).__name__}")


def _table_from(data, target) -> TableData:
    """``data`` of serve(): a CSV path, or ``(x, y)`` arrays."""
    import os
    if isinstance(data, (str, os.PathLike)):
        with open(data, "rb") as f:
            return parse_csv(f.read(), target, source=os.fspath(data))
    if isinstance(data, tuple) and len(data) == 2:
        x = np.asarray(data[0], dtype=np.float32)
        y = np.asarray(data[1], dtype=np.float32).reshape(-1)
        if x.ndim != 2 or x.shape[0] != y.shape[0] or x.shape[0] < 4:
            raise ValueError(f"serve: data must be (x, y) with x of shape (n, k) and y of shape (n,), n >= 4; "
                             f"got x {x.shape} and y {y.shape}")
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            raise ValueError("serve: data holds NaN or infinite values")
        return TableData(x, y, [f"x{i + 1}" for i in range(x.shape[1])], "y", "data")
    raise TypeError(f"serve: data must be a CSV path or a tuple (x, y), got {type(data).__name__}")
