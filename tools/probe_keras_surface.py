"""What Keras 3.15 / TensorFlow 2.21 print for the surface tests/test_keras_surface_gaps.py pins:
history.params, get_metrics_result(), KerasTensor reprs, weights' paths, Dataset.map element_spec,
a subclassed model in a .keras file. Run with the peers' Python (/work/peers/bin/python
tools/probe_keras_surface.py); it prints, it writes nothing but temporary files."""
import json
import os
import sys
import tempfile
import zipfile

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402


def section_1():
    print(keras.__version__, tf.__version__)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3)).astype("float32"); y = (x[:, :1] > 0).astype("float32")
    def mk(metrics=("accuracy",)):
        m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
        m.compile("sgd", "binary_crossentropy", metrics=list(metrics))
        return m
    print("== 1 params")
    for v in (0, 1, 2, "auto"):
        h = mk().fit(x, y, epochs=2, batch_size=8, verbose=v)
        print("PARAMS", repr(v), h.params)
    h = mk().fit(x, y, epochs=2, batch_size=8, verbose=0, steps_per_epoch=2)
    print("PARAMS spe", h.params)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).filter(lambda a, b: True).batch(8)
    print("card", ds.cardinality().numpy())
    h = mk().fit(ds, epochs=2, verbose=0)
    print("PARAMS unknown", h.params)
    class P(keras.callbacks.Callback):
        def on_train_begin(self, logs=None): print("begin params", self.params)
        def on_epoch_end(self, e, logs=None): print("epoch end params", e, self.params)
    mk().fit(ds, epochs=2, verbose=0, callbacks=[P()])
    mk().fit(x, y, epochs=1, verbose=0, callbacks=[P()])
    h = mk().fit(x, y, epochs=1, verbose=0, validation_split=0.2)
    print("PARAMS valsplit", h.params)
    print("== 2 get_metrics_result")
    m = mk()
    try:
        print("before", m.get_metrics_result())
    except Exception as e: print("before ERR", type(e).__name__, e)
    m.fit(x, y, epochs=2, batch_size=8, verbose=0)
    r = m.get_metrics_result(); print("after fit", r, {k: type(v).__name__ for k, v in r.items()})
    print("metrics", m.metrics, m.metrics_names)
    m.fit(x, y, epochs=1, batch_size=8, verbose=0, validation_data=(x[:5], y[:5]))
    print("after fit with val", m.get_metrics_result(), m.evaluate(x[:5], y[:5], verbose=0, return_dict=True))
    m.evaluate(x, y, verbose=0)
    r = m.get_metrics_result(); print("after evaluate", r, {k: type(v).__name__ for k, v in r.items()})
    print("evaluate dict", m.evaluate(x, y, verbose=0, return_dict=True))
    out = m.train_on_batch(x[:8], y[:8])
    print("tob", out, m.get_metrics_result())
    out = m.train_on_batch(x[8:16], y[8:16])
    print("tob2", out, m.get_metrics_result())
    out = m.test_on_batch(x[8:16], y[8:16]); print("test_on_batch", out, m.get_metrics_result())
    m.predict(x, verbose=0); print("after predict", m.get_metrics_result())
    m2 = mk(metrics=()); m2.fit(x, y, verbose=0); print("loss only", m2.get_metrics_result())
    m3 = mk(metrics=("mae", "accuracy")); m3.fit(x, y, verbose=0); print("two metrics", m3.get_metrics_result())
    m4 = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]); m4.compile("sgd", "mse")
    try:
        print("compiled unfit", m4.get_metrics_result())
    except Exception as e: print("unfit ERR", e)
    # multi output
    inp = keras.Input((3,)); o1 = keras.layers.Dense(1, name="a")(inp); o2 = keras.layers.Dense(1, name="b")(inp)
    mm = keras.Model(inp, [o1, o2]); mm.compile("sgd", ["mse", "mse"], metrics=[["mae"], ["mae"]])
    mm.fit(x, [y, y], verbose=0); print("multi", mm.get_metrics_result(), mm.metrics_names)


def section_3():
    a = keras.Input(shape=(3,))
    print(repr(a)); print(str(a)); print(a)
    b = keras.Input(shape=(3,), name="feat")
    print(repr(b))
    c = keras.Input(shape=(None, 5), dtype="int32")
    print(repr(c))
    d = keras.layers.Dense(4)(a)
    print(repr(d))
    e = keras.layers.Dense(2, name="out")(d)
    print(repr(e))
    f = keras.Input(shape=(3,))
    print(repr(f))
    g = a + 1
    print(repr(g))
    h = keras.layers.Concatenate()([a, f]); print(repr(h))
    i = keras.Input(batch_shape=(8, 3)); print(repr(i))
    s = keras.Input(shape=(), dtype="string"); print(repr(s))
    print(type(a).__name__, a.name, d.name, a.shape, d.dtype)
    m = keras.Model(a, e); print(m.inputs, m.outputs, m.input, m.output)
    l = keras.layers.Dense(3); l(keras.Input((2,))); print(l.input, l.output)
    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]); print(seq.inputs, seq.outputs)
    print([repr(t) for t in (keras.Input((1,)), keras.Input((1,)))])
    from keras import ops
    print(repr(ops.exp(a)))
    emb = keras.layers.Embedding(10, 4, mask_zero=True)(keras.Input((5,), dtype="int32")); print(repr(emb), repr(emb._keras_mask))


def section_4():
    np.set_printoptions(precision=3)
    def show(tag, ws): print(tag, [w.path for w in ws])
    keras.utils.set_random_seed(0)
    s = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)])
    show("seq_input", s.weights); show("seq layer", s.layers[0].weights); show("seq tv", s.trainable_variables)
    print([w.name for w in s.weights]); print(repr(s.weights[0]))
    print(str(s.weights[0]))
    s2 = keras.Sequential([keras.layers.Dense(4), keras.layers.Dense(2)]); s2.build((None, 3)); show("seq build", s2.weights)
    s3 = keras.Sequential([keras.layers.Dense(4), keras.layers.Dense(2)]); s3(np.zeros((1, 3))); show("seq call", s3.weights)
    s4 = keras.Sequential([keras.layers.Dense(4), keras.layers.Dense(2)]); s4.compile("sgd", "mse"); s4.fit(np.zeros((4, 3)), np.zeros((4, 2)), verbose=0); show("seq fit", s4.weights)
    s5 = keras.Sequential(name="my_seq"); s5.add(keras.Input((3,))); s5.add(keras.layers.Dense(4, name="hidden")); show("seq named add", s5.weights)
    d = keras.layers.Dense(4); d.build((None, 3)); show("standalone build", d.weights)
    d2 = keras.layers.Dense(4); d2(np.zeros((1, 3))); show("standalone call", d2.weights)
    s6 = keras.Sequential([keras.Input((3,)), d2]); show("seq with prebuilt", s6.weights)
    inp = keras.Input((3,)); x = keras.layers.Dense(4)(inp); out = keras.layers.Dense(2)(x); f = keras.Model(inp, out); show("functional", f.weights)
    class M(keras.Model):
        def __init__(self, **kw):
            super().__init__(**kw); self.d1 = keras.layers.Dense(4); self.d2 = keras.layers.Dense(2)
        def call(self, x): return self.d2(self.d1(x))
    m = M(); m(np.zeros((1, 3))); show("subclassed call", m.weights)
    m = M(); m.build((None, 3)); show("subclassed build", m.weights)
    m = M(name="model"); m.compile("sgd", "mse"); m.fit(np.zeros((4, 3)), np.zeros((4, 2)), verbose=0); show("subclassed fit", m.weights)
    class Block(keras.layers.Layer):
        def __init__(self, **kw):
            super().__init__(**kw); self.dense = keras.layers.Dense(4)
        def build(self, shape):
            self.w = self.add_weight(shape=(shape[-1],), name="scale")
        def call(self, x): return self.dense(x * self.w)
    class Outer(keras.Model):
        def __init__(self, **kw):
            super().__init__(**kw); self.inner_block = Block(name="inner_block"); self.head = keras.layers.Dense(1)
        def call(self, x): return self.head(self.inner_block(x))
    o = Outer(name="model"); o(np.zeros((1, 3))); show("nested", o.weights); show("nested layer", o.inner_block.weights)
    b = Block(); b(np.zeros((1, 3))); show("block alone", b.weights)
    inp = keras.Input((3,)); y = Block()(inp); fm = keras.Model(inp, y); show("functional block", fm.weights)
    inner = keras.Sequential([keras.layers.Dense(4)], name="inner"); inp = keras.Input((3,)); fo = keras.Model(inp, keras.layers.Dense(1)(inner(inp))); show("functional nested seq", fo.weights)
    inner2 = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)], name="inner2"); outer2 = keras.Sequential([inner2, keras.layers.Dense(1)]); show("seq nested built", outer2.weights)
    l = keras.layers.LSTM(3); l(np.zeros((1, 2, 4))); show("lstm", l.weights)
    bi = keras.layers.Bidirectional(keras.layers.LSTM(3)); bi(np.zeros((1, 2, 4))); show("bi", bi.weights)
    bn = keras.Sequential([keras.Input((3,)), keras.layers.BatchNormalization()]); show("bn", bn.weights); show("bn ntv", bn.non_trainable_weights)
    mha = keras.layers.MultiHeadAttention(2, 2); q = np.zeros((1, 2, 4)); mha(q, q); show("mha", mha.weights)
    emb = keras.Sequential([keras.Input((2,)), keras.layers.Embedding(5, 2)]); show("emb", emb.weights)
    opt = s4.optimizer; print([v.path for v in opt.variables])
    print(repr(keras.Variable(np.zeros(2))), keras.Variable(np.zeros(2), name="w").path)
    print(repr(s.weights[1]))


def section_5():
    ds = tf.data.Dataset.from_tensor_slices(["a b c", "d e"])
    print("split", ds.map(tf.strings.split).element_spec)
    print("split batched", ds.batch(2).map(tf.strings.split).element_spec)
    print("split to_tensor", ds.batch(2).map(lambda s: tf.strings.split(s).to_tensor()).element_spec)
    n = tf.data.Dataset.from_tensor_slices(np.arange(12, dtype=np.float32).reshape(3, 4))
    print("bmask", n.map(lambda v: tf.boolean_mask(v, v > 2)).element_spec)
    print("unique", n.map(lambda v: tf.unique(v)).element_spec)
    print("unique0", n.map(lambda v: tf.unique(v)[0]).element_spec)
    print("where", n.map(lambda v: tf.where(v > 2)).element_spec)
    print("gather", n.map(lambda v: tf.gather(v, [0, 1])).element_spec)
    print("slice", n.map(lambda v: v[:2]).element_spec)
    print("reshape-1", n.map(lambda v: tf.reshape(v, [-1, 2])).element_spec)
    print("bytes_split", ds.map(tf.strings.bytes_split).element_spec)
    print("unicode_split", ds.map(lambda s: tf.strings.unicode_split(s, "UTF-8")).element_spec)
    print("ngrams", ds.map(lambda s: tf.strings.ngrams(tf.strings.split(s), 2)).element_spec)
    print("regex", ds.map(lambda s: tf.strings.regex_replace(s, "a", "b")).element_spec)
    print("substr", ds.map(lambda s: tf.strings.substr(s, 0, 2)).element_spec)
    print("lower", ds.map(tf.strings.lower).element_spec)
    tv = keras.layers.TextVectorization(max_tokens=10); tv.adapt(["a b c", "d e"])
    print("tv", ds.map(tv).element_spec)
    print("tv batched", ds.batch(2).map(tv).element_spec)
    tv2 = keras.layers.TextVectorization(max_tokens=10, output_sequence_length=4); tv2.adapt(["a b c", "d e"])
    print("tv2", ds.map(tv2).element_spec, ds.batch(2).map(tv2).element_spec)
    tv3 = keras.layers.TextVectorization(max_tokens=10, output_mode="multi_hot"); tv3.adapt(["a b c", "d e"])
    print("tv3", ds.map(tv3).element_spec, ds.batch(2).map(tv3).element_spec)
    print("tv expand", ds.map(lambda s: tv(tf.expand_dims(s, -1))).element_spec)
    print("tv label", tf.data.Dataset.from_tensor_slices((["a b c", "d e"], [0, 1])).batch(2).map(lambda t, l: (tv(t), l)).element_spec)
    sl = keras.layers.StringLookup(); sl.adapt(["a", "b"])
    print("sl", ds.map(lambda s: sl(tf.strings.split(s))).element_spec)
    print("filter", n.filter(lambda v: v[0] > 0).element_spec)
    print("batch", n.batch(2).element_spec, n.batch(2, drop_remainder=True).element_spec)
    print("fn cond", n.map(lambda v: tf.cond(v[0] > 0, lambda: v, lambda: v[:2])).element_spec)
    print("range", tf.data.Dataset.range(3).map(lambda i: tf.range(i)).element_spec)
    print("fill", tf.data.Dataset.range(3).map(lambda i: tf.fill([i], 1.0)).element_spec)
    print("zeros", tf.data.Dataset.range(3).map(lambda i: tf.zeros([i, 2])).element_spec)
    print("tile", n.map(lambda v: tf.tile(v, [2])).element_spec)
    print("decode_csv", tf.data.Dataset.from_tensor_slices(["1,2"]).map(lambda l: tf.io.decode_csv(l, [0.0, 0.0])).element_spec)
    print("py_function", n.map(lambda v: tf.py_function(lambda a: a, [v], tf.float32)).element_spec)
    print("numpy_function", n.map(lambda v: tf.numpy_function(lambda a: a, [v], tf.float32)).element_spec)
    print("top_k", n.map(lambda v: tf.math.top_k(v, 2)).element_spec)
    print("strings.length", ds.map(tf.strings.length).element_spec)
    print("concat", n.map(lambda v: tf.concat([v, tf.boolean_mask(v, v > 2)], 0)).element_spec)
    print("sequence_mask", tf.data.Dataset.range(3).map(lambda i: tf.sequence_mask(i)).element_spec)
    print("split sep", ds.map(lambda s: tf.strings.split(s, sep=" ")).element_spec)
    print("split maxsplit", ds.map(lambda s: tf.strings.split(s, maxsplit=1)).element_spec)
    print("split 2d", tf.data.Dataset.from_tensor_slices([["a b", "c"]]).map(tf.strings.split).element_spec)


def section_6():
    d = tempfile.mkdtemp()
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    class NoCfg(keras.Model):
        def __init__(self, units=2, **kw):
            super().__init__(**kw); self.units = units; self.d = keras.layers.Dense(units)
        def call(self, x): return self.d(x)
    m = NoCfg(units=3); m(x)
    p = os.path.join(d, "a.keras")
    try:
        m.save(p); print("saved nocfg-with-units ok")
    except Exception as e: print("SAVE ERR", type(e).__name__, e)
    try:
        r = keras.models.load_model(p, custom_objects={"NoCfg": NoCfg}); print("loaded", type(r).__name__, r.units, np.allclose(r(x), m(x)))
    except Exception as e: print("LOAD ERR", type(e).__name__, str(e)[:2000])
    class NoArgs(keras.Model):
        def __init__(self, **kw):
            super().__init__(**kw); self.d = keras.layers.Dense(2)
        def call(self, x): return self.d(x)
    m = NoArgs(); m(x); p2 = os.path.join(d, "b.keras"); m.save(p2)
    try:
        r = keras.models.load_model(p2, custom_objects={"NoArgs": NoArgs}); print("noargs loaded", np.allclose(r(x), m(x)), r.name)
    except Exception as e: print("LOAD ERR2", type(e).__name__, str(e)[:2000])
    try:
        r = keras.models.load_model(p2); print("noargs no custom loaded", type(r))
    except Exception as e: print("LOAD ERR3", type(e).__name__, str(e)[:2000])
    @keras.saving.register_keras_serializable(package="pk")
    class WithCfg(keras.Model):
        def __init__(self, units=2, **kw):
            super().__init__(**kw); self.units = units; self.d = keras.layers.Dense(units)
        def call(self, x): return self.d(x)
        def get_config(self): return {**super().get_config(), "units": self.units}
    m = WithCfg(units=3, name="wc"); m(x); p3 = os.path.join(d, "c.keras"); m.save(p3)
    import zipfile, json
    print(json.dumps(json.loads(zipfile.ZipFile(p3).read("config.json")), indent=1))
    print(zipfile.ZipFile(p3).namelist())
    import h5py
    with h5py.File(__import__("io").BytesIO(zipfile.ZipFile(p3).read("model.weights.h5"))) as f: f.visit(print)
    r = keras.models.load_model(p3); print("wc loaded", type(r).__name__, r.units, r.name, np.allclose(r(x), m(x)), [w.path for w in r.weights])
    m.compile("adam", "mse"); m.fit(x, x[:, :3], verbose=0); m.save(p3)
    print(json.loads(zipfile.ZipFile(p3).read("config.json"))["compile_config"])
    r = keras.models.load_model(p3); print("wc compiled loaded", r.optimizer, np.allclose(r(x), m(x)))
    with h5py.File(__import__("io").BytesIO(zipfile.ZipFile(p3).read("model.weights.h5"))) as f: f.visit(print)
    # get_config from super only, init requires units
    class Req(keras.Model):
        def __init__(self, units, **kw):
            super().__init__(**kw); self.units = units; self.d = keras.layers.Dense(units)
        def call(self, x): return self.d(x)
    m = Req(3); m(x); p4 = os.path.join(d, "d.keras")
    try:
        m.save(p4); print("req saved")
        r = keras.models.load_model(p4, custom_objects={"Req": Req}); print("req loaded")
    except Exception as e: print("REQ ERR", type(e).__name__, str(e)[:3000])
    # unregistered, no custom objects
    class Plain(keras.Model):
        def __init__(self, **kw):
            super().__init__(**kw); self.d = keras.layers.Dense(2)
        def call(self, x): return self.d(x)
        def get_config(self): return super().get_config()
    m = Plain(); m(x); p5 = os.path.join(d, "e.keras"); m.save(p5)
    print(json.loads(zipfile.ZipFile(p5).read("config.json")))
    try:
        keras.models.load_model(p5)
    except Exception as e: print("PLAIN ERR", type(e).__name__, str(e)[:3000])
    # unbuilt model save
    m = WithCfg(units=2); p6 = os.path.join(d, "f.keras")
    try:
        m.save(p6); r = keras.models.load_model(p6); print("unbuilt ok", r.built)
    except Exception as e: print("UNBUILT", type(e).__name__, str(e)[:1000])
    # from_config custom
    @keras.saving.register_keras_serializable()
    class FC(keras.Model):
        def __init__(self, hidden, **kw):
            super().__init__(**kw); self.hidden = hidden; self.d = keras.layers.Dense(hidden)
        def call(self, x): return self.d(x)
        def get_config(self): return {"hidden": self.hidden, "name": self.name}
        @classmethod
        def from_config(cls, config): print("from_config called", config); return cls(**config)
    m = FC(4); m(x); p7 = os.path.join(d, "g.keras"); m.save(p7)
    print(json.loads(zipfile.ZipFile(p7).read("config.json")))
    r = keras.models.load_model(p7); print("fc", np.allclose(r(x), m(x)))
    class NS(keras.Model):
        def __init__(self, table, **kw):
            super().__init__(**kw); self.table = table; self.d = keras.layers.Dense(2)
        def call(self, x): return self.d(x)
    m = NS(np.ones(3)); m(x)
    try:
        m.save(os.path.join(d, "h.keras")); print("NS saved")
    except Exception as e: print("NS ERR", type(e).__name__, repr(str(e)))
    try:
        print(m.get_config())
    except Exception as e: print("NS get_config ERR", type(e).__name__)
    print("nocfg get_config", NoCfg(units=5).get_config())
    print("noargs get_config", NoArgs().get_config())
    class Fixed(keras.Model):
        def __init__(self, units=2, **kw):
            super().__init__(**kw); self.units = units; self.d = keras.layers.Dense(units)
        def call(self, x): return self.d(x)
    f = Fixed(units=4); f(x); print("fixed cfg", f.get_config())
    p8 = os.path.join(d, "i.keras"); f.save(p8); print(json.loads(zipfile.ZipFile(p8).read("config.json")))
    try:
        keras.models.load_model(p8, custom_objects={"Fixed": Fixed}); print("fixed loaded ok")
    except Exception as e: print("FIXED ERR", type(e).__name__, str(e)[:1500])


if __name__ == "__main__":
    for section in (section_1, section_3, section_4, section_5, section_6):
        print(f"== {section.__name__}")
        keras.backend.clear_session()
        section()
