"""A FeatureSpace in a ``.keras`` file, in Keras 3.15's layout both ways (``feature_space.save(path)``,
``keras.saving.load_model(path)``).

What Keras writes for one, and so what is written and read here::

    config.json        {"module": "keras.utils", "class_name": "FeatureSpace", "config": get_config(),
                        "build_config": {feature: its preprocessor's build config}}
    model.weights.h5   preprocessors/<key>/vars/0..       each preprocessor's weights (Normalization:
                                                          mean, variance, count), <key> its class name
                                                          snake_cased, _1, _2 ... in the features' order
                       crossers/<key>/vars, one_hot_encoders/<key>/vars, concat/vars, vars   (empty)
    assets/preprocessors/<key>/vocabulary.txt             an adapted lookup's vocabulary (Keras's;
                                                          glassnet keeps it in the config, as Keras reads)

Reading goes through the same checks as a model file (saving/): json_safe's scan, each preprocessor
built by the config reader (registered classes only), every array checked against its weight's shape.
"""
from __future__ import annotations

import datetime
import json

from .utils import snake_case

MODULE = "keras.utils"


def _keys(layers) -> list:
    """Keras's group names for a container's layers: snake_case class name, then _1, _2 ..."""
    used, keys = {}, []
    for layer in layers:
        base = snake_case(type(layer).__name__)
        used[base] = used.get(base, -1) + 1
        keys.append(base if used[base] == 0 else f"{base}_{used[base]}")
    return keys


def _containers(fs) -> list:
    """``(attribute, [layers])`` in the order Keras's file holds them."""
    return [("concat", [fs.concat] if fs.concat is not None else []), ("crossers", list(fs.crossers.values())),
            ("one_hot_encoders", list(fs.one_hot_encoders.values())),
            ("preprocessors", list(fs.preprocessors.values()))]


def save(fs, filepath) -> None:
    """``fs`` as Keras 3.15 writes a FeatureSpace (adapted or not), atomically."""
    from .saving import KERAS_FORMAT_VERSION, atomic, safe_zip  # noqa: PLC0415
    from .saving.errors import need  # noqa: PLC0415
    from .saving.h5 import weight_groups  # noqa: PLC0415
    path = atomic.check_target(filepath, (".keras",), "FeatureSpace.save", True)
    fs._check_if_built() if fs._is_adapted or not fs._adaptable() else None
    cfg = {"module": MODULE, "class_name": "FeatureSpace", "config": fs.get_config(), "registered_name": None,
           "build_config": fs.get_build_config()}
    h5py = need("h5py")
    import io  # noqa: PLC0415
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for attribute, layers in _containers(fs):
            if attribute == "concat":
                if layers:
                    f.create_group("concat/vars").attrs["name"] = layers[0].name
                continue
            group = f.create_group(attribute)
            for key, layer in zip(_keys(layers), layers):
                holder = group.create_group(key)
                holder.create_group("vars").attrs["name"] = layer.name
                for rel, variables in weight_groups(layer):
                    vars_ = holder.require_group(rel)
                    for i, v in enumerate(variables):
                        vars_.create_dataset(str(i), data=v.value)
                for rel, value in getattr(layer, "h5_named_arrays", dict)().items():
                    holder.create_dataset(rel, data=value)
        f.create_group("vars").attrs["name"] = fs.name
    from . import __glassnet_version__ as __version__  # noqa: PLC0415
    metadata = {"keras_version": KERAS_FORMAT_VERSION,
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"), "saved_by": f"glassnet {__version__}"}
    atomic.write_bytes(path, safe_zip.pack({safe_zip.METADATA: json.dumps(metadata).encode(),
                                            safe_zip.CONFIG: json.dumps(cfg).encode(), safe_zip.WEIGHTS: buf.getvalue()}))


def load(archive, tree, label, custom_objects=None):
    """The FeatureSpace a checked archive's config describes, its preprocessors' state restored."""
    from .feature_space import Cross, Feature, FeatureSpace, _KERAS_MODULE  # noqa: PLC0415
    from .saving import h5, safe_zip  # noqa: PLC0415
    from .saving.errors import FileFormatError  # noqa: PLC0415
    from .saving.keras_config import build_layer  # noqa: PLC0415

    def fail(where, msg):
        raise FileFormatError(f"{label}: {where}: {msg}")

    cfg = tree.get("config")
    if not isinstance(cfg, dict) or not isinstance(cfg.get("features"), dict) or not cfg["features"]:
        fail("config", "a FeatureSpace config needs a non-empty 'features' object")
    features = {}
    for name, entry in cfg["features"].items():
        where = f"config.features[{name!r}]"
        if not isinstance(entry, dict) or entry.get("class_name") != "Feature" or \
                entry.get("module") not in (None, _KERAS_MODULE) or not isinstance(entry.get("config"), dict):
            fail(where, "expected a Feature object")
        fc = entry["config"]
        if fc.get("dtype") not in ("float32", "int32", "int64", "string"):
            fail(where + ".dtype", f"unsupported dtype {fc.get('dtype')!r}")
        layer = build_layer(fc.get("preprocessor"), label, where + ".preprocessor", custom_objects)
        build = (fc.get("preprocessor") or {}).get("build_config")
        if isinstance(build, dict) and build.get("input_shape") is not None and not layer.built:
            layer.build_from_config(build)
        try:
            features[name] = Feature(fc["dtype"], layer, fc.get("output_mode"))
        except (TypeError, ValueError) as e:
            fail(where, str(e))
    crosses = []
    for i, entry in enumerate(cfg.get("crosses") or []):
        if not isinstance(entry, dict) or entry.get("class_name") != "Cross" or not isinstance(entry.get("config"), dict):
            fail(f"config.crosses[{i}]", "expected a Cross object")
        c = entry["config"]
        try:
            crosses.append(Cross(c.get("feature_names"), c.get("crossing_dim"), c.get("output_mode", "one_hot")))
        except (TypeError, ValueError) as e:
            fail(f"config.crosses[{i}]", str(e))
    kwargs = {k: cfg[k] for k in ("output_mode", "crossing_dim", "hashing_dim", "num_discretization_bins") if k in cfg}
    try:
        fs = FeatureSpace(features=features, crosses=crosses, **kwargs)
    except (TypeError, ValueError) as e:
        fail("config", str(e))
    layers = list(fs.preprocessors.values())
    keys = _keys(layers)
    for key, layer in zip(keys, layers):                  # Keras's vocabulary.txt (glassnet's is in the config)
        member = f"assets/preprocessors/{key}/vocabulary.txt"
        for path in (member, f"assets/preprocessors/{key}/_lookup_layer/vocabulary.txt"):
            if path in archive.names and hasattr(layer, "load_vocabulary_asset"):
                try:
                    layer.load_vocabulary_asset(archive.read(path).decode("utf-8"))
                except (UnicodeDecodeError, ValueError) as e:
                    fail(path, str(e))
    for name in archive.names:
        if name.startswith("assets/") and not any(name.startswith(f"assets/preprocessors/{k}/") for k in keys):
            fail(name, "belongs to no preprocessor of this FeatureSpace")
    updates = []
    with h5.Reader(archive.open(safe_zip.WEIGHTS), label) as reader:
        for key, layer in zip(keys, layers):
            shapes = getattr(layer, "h5_named_shapes", dict)()
            named = {rel: reader.array(f"preprocessors/{key}/{rel}", shape) for rel, shape in shapes.items()}
            for rel, variables in h5.weight_groups(layer):
                path = f"preprocessors/{key}/{rel}"
                n = reader.group_size(path) or 0
                n -= sum(1 for r in shapes if r.startswith(rel + "/"))
                if n != len(variables):
                    fail(path, f"{n} weight arrays in the file, the preprocessor {layer.name!r} has {len(variables)}")
                arrays = [h5.cast(reader.array(f"{path}/{i}", v.shape), v.dtype, label, f"{path}/{i}")
                          for i, v in enumerate(variables)]
                updates.append((layer, arrays, named))
    for layer, arrays, named in updates:                  # nothing changes until every array was read
        if arrays:
            layer.set_weights(arrays)
        if named:
            layer.set_h5_named_arrays(named)
    fs.build_from_config(tree.get("build_config") or {})
    fs._check_if_built()
    fs.built = True
    return fs
