"""``keras.utils.FeatureSpace``: a table's columns to one vector per row, with Keras 3's surface.

Each feature names how its column is encoded; ``adapt`` learns what the encoders need (a
vocabulary, a mean and variance, bin boundaries), then a call turns a dict of columns into::

    each feature, in the order of its sorted name:
        float                 x as float32                        (1 column)
        float_rescaled        x * scale + offset                  (Rescaling)
        float_normalized      (x - mean) / sqrt(variance)         (Normalization, adapted)
        float_discretized     bin of x                            (Discretization, adapted)
        integer_categorical   index of x in the vocabulary        (IntegerLookup, adapted)
        string_categorical    index of x in the vocabulary        (StringLookup, adapted)
        integer/string_hashed Fingerprint64(x) % num_bins         (Hashing)
      then, for output_mode="one_hot", the index as a row of 0s with a 1 (CategoryEncoding)
    then each cross, in the order of its sorted name ("a_X_b"):
        hash of the crossed features' indices % crossing_dim     (HashedCrossing), one-hot too
    output_mode="concat": all of them side by side, float32 (batch, total width);
    output_mode="dict": {name: its encoding}.

The same layer objects make the functional graph ``get_inputs()`` -> ``get_encoded_features()``
(an ``Input(shape=(1,), dtype=feature's, name=feature's)`` per feature), so a model built on the
encoded tensor (``keras.Model(inputs=encoded, outputs=...)``: the graph is cut there) trains on
``dataset.map(lambda x, y: (feature_space(x), y))`` and a model on ``get_inputs()`` takes raw rows.

>>> import numpy as np, glassnet
>>> fs = glassnet.keras.utils.FeatureSpace({"x": "float_normalized", "c": "string_categorical"})
>>> fs.adapt({"x": np.array([0.0, 2.0]), "c": np.array(["a", "b"])})
>>> fs({"x": np.array([0.0, 2.0]), "c": np.array(["b", "z"])}).numpy()
array([[ 0.,  1.,  0., -1.],
       [ 1.,  0.,  0.,  1.]], dtype=float32)
"""
from __future__ import annotations

import numpy as np

from .layers.base import Layer
from .layers.merging import Concatenate
from .layers.reshaping import Identity
from .utils import unique_name

_KERAS_MODULE = "keras.src.layers.preprocessing.feature_space"     # where Keras's file says these live
_KINDS = ("float", "float_rescaled", "float_normalized", "float_discretized", "integer_categorical",
          "string_categorical", "integer_hashed", "string_hashed")


class TFDConcat(Concatenate):
    """Keras's concatenation of a FeatureSpace's encodings (a Concatenate under Keras's name for it,
    so a model file says what Keras's says)."""

    keras_module = _KERAS_MODULE

    def get_config(self):
        return {"name": self.name, "axis": self.axis, "trainable": self.trainable,
                "dtype": super().get_config()["dtype"]}


class TFDIdentity(Identity):
    """Keras's preprocessor of a ``"float"`` feature: the values unchanged."""

    keras_module = _KERAS_MODULE

    def output_dtype(self, input_dtype, input_shape=None):
        return np.dtype("float32")


class Cross:
    """A feature cross: ``feature_names`` hashed together into ``crossing_dim`` bins."""

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in ("int", "one_hot"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot'}. "
                             f"Received: output_mode={output_mode}")
        if isinstance(feature_names, str) or len(tuple(feature_names)) < 2:
            raise ValueError(f"FeatureSpace.cross: feature_names must name two or more features, got {feature_names!r}")
        if isinstance(crossing_dim, bool) or not isinstance(crossing_dim, (int, np.integer)) or crossing_dim < 1:
            raise ValueError(f"FeatureSpace.cross: crossing_dim must be a positive integer, got {crossing_dim!r}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = int(crossing_dim)
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict:
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim, "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Feature:
    """One feature: the dtype of its ``Input``, the layer that preprocesses it, and how its
    output is encoded (``"int"``, ``"one_hot"`` or ``"float"``)."""

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in ("int", "one_hot", "float"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot', 'float'}. "
                             f"Received: output_mode={output_mode}")
        if isinstance(preprocessor, dict):
            preprocessor = _layer_from_config(preprocessor)
        if not isinstance(preprocessor, Layer):
            raise TypeError(f"FeatureSpace.feature: preprocessor must be a layer, got {type(preprocessor).__name__}")
        self.dtype = dtype
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "preprocessor": _serialize(self.preprocessor), "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _serialize(obj) -> dict:
    """Keras's ``serialize_keras_object`` of a layer, a Feature or a Cross."""
    if isinstance(obj, (Feature, Cross)):
        return {"module": _KERAS_MODULE, "class_name": type(obj).__name__, "config": obj.get_config(),
                "registered_name": type(obj).__name__}
    from .engine.model import _layer_entry  # noqa: PLC0415 - the engine imports the layers
    entry = _layer_entry(obj)
    build = obj.get_build_config() if obj.built else None
    entry["build_config"] = {k: list(v) if isinstance(v, tuple) else v for k, v in (build or {}).items()}
    return entry


def _layer_from_config(entry):
    """A preprocessor from its config: TFDIdentity by its Keras module (ours), else a layer of the registry."""
    own = {"TFDIdentity": TFDIdentity, "TFDConcat": TFDConcat}.get(entry.get("class_name"))
    if own is not None and entry.get("module") in (None, _KERAS_MODULE):
        return own.from_config(entry.get("config") or {})
    from .layers.base import FAMILY  # noqa: PLC0415
    layer = FAMILY.deserialize(entry)
    build = entry.get("build_config")
    if isinstance(build, dict) and build.get("input_shape") is not None and not layer.built:
        layer.build_from_config(build)
    return layer


def _deserialize(value, kind, where):
    if isinstance(value, dict) and value.get("class_name") == kind:
        return (Feature if kind == "Feature" else Cross).from_config(value.get("config") or {})
    raise ValueError(f"FeatureSpace: {where} must be a {kind} or its config, got {value!r}")


class FeatureSpace(Layer):
    """``FeatureSpace(features, output_mode="concat", crosses=None, crossing_dim=32,
    hashing_dim=32, num_discretization_bins=32)``: see the module's docstring."""

    # -- the kinds of feature ------------------------------------------------------------------
    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        name = name or unique_name("float")
        return Feature("float32", TFDIdentity(dtype="float32", name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        from .layers import Rescaling  # noqa: PLC0415
        name = name or unique_name("float_rescaled")
        return Feature("float32", Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_normalized(cls, name=None):
        from .layers import Normalization  # noqa: PLC0415
        name = name or unique_name("float_normalized")
        return Feature("float32", Normalization(axis=-1, name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot", name=None):
        from .layers import Discretization  # noqa: PLC0415
        name = name or unique_name("float_discretized")
        layer = Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries, name=f"{name}_preprocessor")
        return Feature("float32", layer, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
        from .layers import IntegerLookup  # noqa: PLC0415
        name = name or unique_name("integer_categorical")
        layer = IntegerLookup(name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices)
        return Feature("int32", layer, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
        from .layers import StringLookup  # noqa: PLC0415
        name = name or unique_name("string_categorical")
        layer = StringLookup(name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices)
        return Feature("string", layer, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        from .layers import Hashing  # noqa: PLC0415
        name = name or unique_name("string_hashed")
        return Feature("string", Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        from .layers import Hashing  # noqa: PLC0415
        name = name or unique_name("integer_hashed")
        return Feature("int32", Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)

    # -- making one ------------------------------------------------------------------------------
    def __init__(self, features, output_mode="concat", crosses=None, crossing_dim=32, hashing_dim=32,
                 num_discretization_bins=32, name=None):
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        if not isinstance(features, dict):
            raise TypeError(f"FeatureSpace: features must be a dict of name -> feature, got {type(features).__name__}")
        if output_mode not in ("dict", "concat"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'dict', 'concat'}. "
                             f"Received: output_mode={output_mode}")
        super().__init__(name=name)
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {name: self._standardize_feature(name, value) for name, value in features.items()}
        self.crosses = [self._standardize_cross(i, c, features) for i, c in enumerate(crosses or [])]
        self.crosses_by_name = {c.name: c for c in self.crosses}
        self.output_mode = output_mode
        from .layers import HashedCrossing, Input  # noqa: PLC0415
        self.inputs = {n: Input(shape=(1,), dtype=f.dtype, name=n) for n, f in self.features.items()}
        self.preprocessors = {n: f.preprocessor for n, f in self.features.items()}
        self.crossers = {c.name: HashedCrossing(c.crossing_dim, name=c.name) for c in self.crosses}
        self.one_hot_encoders = {}
        self.encoded_features = None
        self.concat = None
        self._is_adapted = False
        self._sublayers_built = False

    def _standardize_feature(self, name, feature):
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return _deserialize(feature, "Feature", f"features[{name!r}]")
        if feature in ("float", "float_normalized", "float_rescaled"):
            return getattr(self, feature)(name=name)
        if feature == "float_discretized":
            return self.float_discretized(name=name, num_bins=self.num_discretization_bins)
        if feature in ("integer_categorical", "string_categorical"):
            return getattr(self, feature)(name=name)
        if feature in ("integer_hashed", "string_hashed"):
            return getattr(self, feature)(self.hashing_dim, name=name)
        raise ValueError(f"Invalid feature type: {feature} (features[{name!r}]; the types are {', '.join(_KINDS)}, "
                         "or a FeatureSpace.<type>(...) / FeatureSpace.feature(...))")

    def _standardize_cross(self, i, cross, features):
        if isinstance(cross, dict):
            cross = _deserialize(cross, "Cross", f"crosses[{i}]")
        if not isinstance(cross, Cross):
            if not self.crossing_dim:
                raise ValueError("When specifying `crosses`, the argument `crossing_dim` (dimensionality of the "
                                 "crossing space) should be specified as well.")
            cross = Cross(cross, crossing_dim=self.crossing_dim)
        unknown = [k for k in cross.feature_names if k not in features]
        if unknown:
            raise ValueError("All features referenced in the `crosses` argument should be present in the "
                             f"`features` dict. Received unknown features: {cross.feature_names} "
                             f"(crosses[{i}]: {', '.join(map(repr, unknown))})")
        return cross

    # -- learning from data ----------------------------------------------------------------------
    def _adaptable(self) -> list:
        """The features whose preprocessor learns from data (not one given its numbers)."""
        names = []
        for name, layer in self.preprocessors.items():
            if getattr(layer, "input_mean", None) is not None:          # Normalization(mean=, variance=)
                continue
            if type(layer).__name__ == "Discretization" and layer.num_bins is None:   # given its boundaries
                continue
            if getattr(layer, "input_vocabulary", None) is not None:   # a lookup given its vocabulary
                continue
            if callable(getattr(layer, "adapt", None)):
                names.append(name)
        return names

    def adapt(self, dataset) -> None:
        """Each adaptable preprocessor learns from its column of ``dataset`` (a Dataset of dicts,
        batched or not, or a dict of arrays); then the encoders and the graph are made."""
        from .data.dataset import Dataset  # noqa: PLC0415
        if isinstance(dataset, dict):
            dataset = Dataset.from_tensor_slices(dataset)
        if not isinstance(dataset, Dataset):
            raise ValueError("`adapt()` can only be called on a tf.data.Dataset or a dict of arrays/lists. "
                             f"Received instead: {type(dataset).__name__}")
        names = self._adaptable()
        columns = {name: [] for name in names}
        pending = {name: [] for name in names}                        # unbatched rows, grouped by 32 as Keras
        for i, element in enumerate(dataset):
            if not isinstance(element, dict):
                raise ValueError(f"FeatureSpace.adapt: the dataset's elements must be dicts of features (no labels: "
                                 f"ds.map(lambda x, y: x)); element {i} is a {type(element).__name__}")
            for name in names:
                if name not in element:
                    raise ValueError(f"FeatureSpace.adapt: element {i} of the dataset has no feature {name!r} "
                                     f"(its keys: {sorted(element)})")
                x = _array(element[name])
                if x.ndim == 0:
                    pending[name].append(x)
                    if len(pending[name]) == 32:
                        columns[name].append(np.stack(pending[name])[:, None])
                        pending[name] = []
                else:
                    columns[name].append(x[:, None] if x.ndim == 1 else x)
        for name in names:
            if pending[name]:
                columns[name].append(np.stack(pending[name])[:, None])
            if not columns[name]:
                raise ValueError("FeatureSpace.adapt: the dataset is empty")
        saved = [(layer, dict(layer.__dict__), [v.value.copy() for v in layer.weights])
                 for layer in (self.preprocessors[name] for name in names)]
        try:
            for name in names:
                self.preprocessors[name].adapt(columns[name])
        except Exception:                          # a refused column: every preprocessor as it was
            for layer, attributes, values in saved:
                layer.__dict__.clear()
                layer.__dict__.update(attributes)
                for v, value in zip(layer.weights, values):
                    v.assign(value)
            raise
        self._is_adapted = True
        self.get_encoded_features()
        self.built = True
        self._sublayers_built = True

    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._adaptable():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace before you can start using it.")
            self._is_adapted = True

    # -- the functional graph --------------------------------------------------------------------
    def get_inputs(self) -> dict:
        """``{name: Input(shape=(1,), dtype=..., name=name)}``, one per feature."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self):
        """The encoded tensor (concat) or dict of tensors (dict) on ``get_inputs()``."""
        self._check_if_adapted()
        if self.encoded_features is None:
            pre = {n: self.preprocessors[n](self.inputs[n]) for n in self.inputs}
            crossed = {c.name: self.crossers[c.name]([pre[k] for k in c.feature_names]) for c in self.crosses}
            self.encoded_features = self._merge(pre, crossed, symbolic=True)
        return self.encoded_features

    def _check_if_built(self):
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True

    def _merge(self, pre, crossed, symbolic=False):
        """The encodings in Keras's order (features by sorted name, then crosses by sorted name),
        one-hot where asked; made (with their encoders and the concat layer) on the symbolic pass."""
        names = sorted(pre) + sorted(crossed)
        values = [pre[n] for n in sorted(pre)] + [crossed[n] for n in sorted(crossed)]
        out = {}
        for name, value in zip(names, values):
            spec = self.features.get(name) or self.crosses_by_name[name]
            if symbolic and spec.output_mode == "one_hot":
                self.one_hot_encoders[name] = self._encoder(name, value)
            encoder = self.one_hot_encoders.get(name)
            if encoder is not None:
                value = encoder(value)
            if symbolic and self.output_mode == "concat":
                dtype = np.dtype(value.dtype)
                if dtype.kind in "iuUSO":
                    kind = "string" if dtype.kind in "USO" else dtype.name
                    raise ValueError(f"Cannot concatenate features because feature '{name}' has not been encoded "
                                     f"(it has dtype {kind}). Consider using `output_mode='dict'`.")
            out[name] = value
        if self.output_mode == "dict":
            return out
        if symbolic:
            self.concat = TFDConcat(axis=-1)
        return self.concat(list(out.values()))

    def _encoder(self, name, value):
        from .layers import CategoryEncoding, Discretization, HashedCrossing, Hashing, IntegerLookup, StringLookup  # noqa: PLC0415
        layer = self.preprocessors.get(name) or self.crossers.get(name)
        dtype = np.dtype(value.dtype)
        if dtype.kind not in "iu":
            kind = "string" if dtype.kind in "USO" else dtype.name
            raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. Thus its preprocessor should return "
                             f"an integer dtype. Instead it returns a {kind} dtype.")
        if isinstance(layer, (IntegerLookup, StringLookup)):
            depth = layer.vocabulary_size()
        elif isinstance(layer, CategoryEncoding):
            depth = layer.num_tokens
        elif isinstance(layer, Discretization):
            depth = layer.num_bins or len(layer.bin_boundaries) + 1      # (Keras's: num_bins, however many
                                                                         # boundaries adapt found)
        elif isinstance(layer, (HashedCrossing, Hashing)):
            depth = layer.num_bins
        else:
            raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a standard feature "
                             "and the dimensionality of its output space is not known, thus it cannot be one-hot "
                             "encoded. Try using `output_mode='int'`.")
        return CategoryEncoding(num_tokens=depth, output_mode="multi_hot")

    # -- on data ---------------------------------------------------------------------------------
    def __call__(self, data, training=None):
        """``data``: a dict of columns (batched: shape (n,) or (n, 1); or one row of scalars);
        returns the float32 (n, width) Tensor (concat; one row of scalars gives (width,)) or the
        dict of encodings."""
        from .tf.tensor import wrap  # noqa: PLC0415
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError(f"A FeatureSpace can only be called with a dict. Received: data of type {type(data).__name__}")
        missing = [n for n in self.features if n not in data]
        if missing:
            raise ValueError(f"FeatureSpace: the data has no feature {missing[0]!r} (its keys: {sorted(data)})")
        arrays, rebatched = {}, False
        for name in self.features:
            x = _array(data[name])
            if x.ndim == 0:
                x, rebatched = x.reshape(1, 1), True
            elif x.ndim == 1:
                x = x[:, None]
            if self.features[name].dtype == "float32" and x.dtype.kind in "iufb":
                x = x.astype(np.float32)
            arrays[name] = x
        rows = {len(x) for x in arrays.values()}
        if len(rows) > 1:
            raise ValueError(f"FeatureSpace: the features have different numbers of rows: "
                             f"{', '.join(f'{n}: {len(x)}' for n, x in arrays.items())}")
        pre = {n: np.asarray(self.preprocessors[n](arrays[n])) for n in arrays}
        crossed = {c.name: np.asarray(self.crossers[c.name]([pre[k] for k in c.feature_names])) for c in self.crosses}
        merged = self._merge(pre, crossed)
        if self.output_mode == "concat":
            merged = np.asarray(merged, np.float32)
            return wrap(merged[0] if rebatched else merged)
        return {n: wrap(np.asarray(v)[0] if rebatched and np.ndim(v) == 2 and len(v) == 1 else np.asarray(v))
                for n, v in merged.items()}

    # -- config ----------------------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"features": {n: _serialize(f) for n, f in self.features.items()}, "output_mode": self.output_mode,
                "crosses": [_serialize(c) for c in self.crosses], "crossing_dim": self.crossing_dim,
                "hashing_dim": self.hashing_dim, "num_discretization_bins": self.num_discretization_bins}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def save(self, filepath) -> None:
        """``feature_space.save("x.keras")``: Keras 3.15's file of a FeatureSpace (glassnet/feature_space_file.py);
        ``keras.saving.load_model`` reads it back."""
        from .feature_space_file import save  # noqa: PLC0415
        save(self, filepath)

    def get_build_config(self) -> dict:
        return {n: f.preprocessor.get_build_config() or {} for n, f in self.features.items()}

    def build_from_config(self, config) -> None:
        for name in config:
            layer = self.features[name].preprocessor
            if not layer.built:
                layer.build_from_config(config[name])
        self._is_adapted = True


def _array(value) -> np.ndarray:
    """A column as an array: a Tensor, a list, a pandas Series, a NumPy array or a scalar."""
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    return np.asarray(value)
