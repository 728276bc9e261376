"""A functional graph in Keras 3's ``config.json`` layout (``class_name: "Functional"``).

Keras writes each layer once, in its order (``glassnet.engine.graph.keras_order``), with the
calls made of it, ``inbound_nodes``; a call names what it was given by ``keras_history``:
``[layer name, which call of that layer, which of its outputs]`` (0 but for a recurrent layer's
returned states, 1, 2; such a layer's ``initial_state`` is written in the call's ``kwargs``)::

    {"class_name": "Functional", "config": {"name": ..., "layers": [
        {"class_name": "InputLayer", "name": "a", "config": {...}, "inbound_nodes": []},
        {"class_name": "Dense", "name": "h", "config": {...}, "build_config": {...},
         "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
                                      "config": {"shape": [null, 3], "dtype": "float32",
                                                 "keras_history": ["a", 0, 0]}}], "kwargs": {}}]},
        ...],
      "input_layers": [["a", 0, 0], ...], "output_layers": [["o1", 0, 0], ...]}}

Reading replays the calls, each once its inputs exist, after the weights every layer would
make have been counted against the file cap (shape bombs are refused before allocating).
"""
from __future__ import annotations

from .. import layers
from ..layers import named_ops
from ..engine.graph import Graph, keras_order
from ..engine.model import Model, _layer_entry
from .errors import MAX_LAYERS, MAX_WEIGHT_ELEMENTS

MODULES = (None, "keras", "keras.models", "keras.src.models.functional")


# -- writing --------------------------------------------------------------------------------
def graph_config(model, nested_config) -> dict:
    """The ``config.json`` dict of a functional graph model (compile config not included);
    ``nested_config`` writes a model used as one of its layers. A functional chain (kept as a
    stack) is written as the graph it was made as, as Keras writes every ``Model(inputs, outputs)``."""
    graph = model._graph or Graph(model.inputs, model.outputs)
    calls = {}                                        # id(layer) -> its calls in this graph, in order made
    for node in sorted(graph.order, key=lambda n: n.serial):
        if not node.index:                            # (a recurrent call's returned state is that call's output)
            calls.setdefault(id(node.layer), []).append(node)

    def history(t):
        if isinstance(t, layers.InputLayer):
            return [t.name, 0, 0]
        if t.index:
            return [t.layer.name, calls[id(t.layer)].index(t.parent), t.index]
        return [t.layer.name, calls[id(t.layer)].index(t), 0]

    def tensor(t):
        dtype = getattr(t, "dtype", None)
        name = "string" if getattr(dtype, "kind", None) == "U" else getattr(dtype, "name", dtype or "float32")
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(t.shape), "dtype": name, "keras_history": history(t)}}

    def given(node):                                  # what one call was given, as Keras writes it
        names = getattr(node.layer, "_input_names", None)
        if isinstance(node.layer, Model) and names and len(names) == len(node.parents):
            return {n: tensor(p) for n, p in zip(names, node.parents)}      # a model of named inputs: a dict
        return [tensor(p) for p in node.parents] if node.takes_list else tensor(node.parent)

    def call_entry(node):
        if getattr(node.layer, "positional_inputs", False):      # mha(query, value[, key]), as Keras writes it
            causal = {"use_causal_mask": True} if getattr(node.layer, "_graph_causal", False) else {}
            return {"args": [tensor(p) for p in node.parents], "kwargs": causal}
        if node.takes_list and hasattr(node.layer, "takes_states"):   # rnn(x, initial_state=[h, c])
            return {"args": [tensor(node.parent)], "kwargs": {"initial_state": [tensor(p) for p in node.parents[1:]]}}
        return {"args": [given(node)], "kwargs": {}}

    entries = []
    for op in keras_order(graph.keras_inputs, graph.keras_outputs):
        if isinstance(op, layers.InputLayer):
            entries.append({"module": "keras.layers", "class_name": "InputLayer",
                            "config": {"batch_shape": list(op.shape), "sparse": False,
                                       "dtype": "string" if op.dtype.kind == "U" else op.dtype.name,
                                       "ragged": False, "name": op.name, "optional": False},
                            "registered_name": None, "name": op.name, "inbound_nodes": []})
            continue
        if getattr(op, "keras_op", None):             # x + y: Keras's named operation, no code
            node, = calls[id(op)]
            entries.append(named_ops.entry(op, [tensor(p) for p in node.parents]))
            continue
        entry = nested_config(op) if isinstance(op, Model) else _layer_entry(op)
        entry.pop("compile_config", None)
        if op.built and op.weights and not isinstance(op, Model):
            shape = op.input_shape
            entry["build_config"] = {"input_shape": [list(s) for s in shape] if isinstance(shape, list)
                                     else list(shape)}
            if hasattr(op, "keras_build_config"):       # MultiHeadAttention: Keras's shapes_dict
                entry["build_config"] = op.keras_build_config()
        entry["name"] = op.name
        entry["inbound_nodes"] = [call_entry(node) for node in calls[id(op)]]
        entries.append(entry)

    def ends(tensors, names):
        found = [history(t) for t in tensors]
        return dict(zip(names, found)) if names else found

    cfg = {"name": model.name, "trainable": model.trainable, "layers": entries,
           "input_layers": ends(graph.inputs, model._input_names),
           "output_layers": ends(graph.outputs, model._output_names)}
    return {"module": "keras.src.models.functional", "class_name": "Functional", "config": cfg,
            "registered_name": "Functional", "build_config": {"input_shape": None}}


# -- reading --------------------------------------------------------------------------------
def build_graph(r, tree, build_layer, input_shape, build_nested):
    """The functional model a ``Functional`` config describes (weights allocated, not loaded).
    ``r`` is the reader (its ``fail``, ``name``); ``build_layer(entry, where)`` makes one layer
    object from its entry, ``input_shape(cfg, where)`` reads an InputLayer's shape, and
    ``build_nested(entry, where)`` a model used as a layer."""
    cfg = tree.get("config")
    entries = r.layer_entries(cfg, "Functional")
    made, calls, names = {}, {}, []                   # name -> layer; name -> its inbound nodes
    for i, entry in enumerate(entries):
        where = f"layers[{i}]"
        if not isinstance(entry, dict):
            r.fail(where, "expected an object")
        name = r.name(entry.get("name", (entry.get("config") or {}).get("name")), where + ".name")
        if name in made:
            r.fail(where, f"two layers are named {name!r}")
        if entry.get("class_name") == "InputLayer":
            shape = input_shape(entry.get("config") or {}, where)
            dtype = (entry.get("config") or {}).get("dtype")        # text or ids in; numbers: floatx
            made[name] = layers.InputLayer(batch_shape=shape, name=name,
                                           dtype=dtype if dtype in ("string", "int32", "int64") else None)
            made[name].keras_tensor_name = name         # model.input prints as Keras's KerasTensor, named so
            calls[name] = []
        elif entry.get("module") in named_ops.MODULES:       # x + y: an operation from the fixed table
            made[name], calls[name] = named_ops.from_entry(r, entry, name, where, lambda t, w: _history(r, t, w))
        else:
            nested = entry.get("class_name") in ("Sequential", "Functional")
            made[name] = build_nested(entry, where) if nested else build_layer(entry, where)
            nodes = entry.get("inbound_nodes")
            if not isinstance(nodes, list) or not nodes or len(nodes) > MAX_LAYERS:
                r.fail(where, "a layer needs a list of its calls (inbound_nodes)")
            calls[name] = [_args(r, node, f"{where}.inbound_nodes[{k}]") for k, node in enumerate(nodes)]
        names.append(name)
    produced = {(n, 0): made[n] for n in names if isinstance(made[n], layers.InputLayer)}
    start = {n: 0 for n in names if calls[n]}       # layer name -> its next call to make
    _replay(r, made, calls, dict(start), produced, [0], dry=True)
    _replay(r, made, calls, dict(start), produced, [0], dry=False)
    inputs = _ends(r, cfg.get("input_layers"), produced, "input_layers")
    outputs = _ends(r, cfg.get("output_layers"), produced, "output_layers")
    trainable = cfg.get("trainable", True)
    if not isinstance(trainable, bool):
        r.fail("model", "trainable must be true or false")
    try:
        return Model(inputs=inputs, outputs=outputs, name=r.name(cfg.get("name", "functional"), "model name"),
                     trainable=trainable)
    except (TypeError, ValueError) as e:
        r.fail("layers", f"cannot assemble the model: {e}")


def _args(r, node, where):
    """The tensors one call was given: ``[(layer name, call index[, output index])]``, and how:
    False (one tensor), True (a list), the names of a dict (a model of named inputs, as Keras
    writes it), or "states" (a recurrent layer's input, then its ``initial_state`` tensors)."""
    several = _several_tensors(r, node, where)                 # MultiHeadAttention's query, value[, key]
    if several is not None:
        return several, "causal" if node["kwargs"].get("use_causal_mask") is True else True
    if not isinstance(node, dict) or not isinstance(node.get("args"), list) or len(node["args"]) != 1:
        r.fail(where, "a call needs 'args' with one entry (a tensor or a list of tensors)")
    kwargs = node.get("kwargs")
    states = None
    if isinstance(kwargs, dict) and kwargs.get("training") is False:    # Keras writes a recurrent call's so
        kwargs = {k: v for k, v in kwargs.items() if k != "training"}
    if isinstance(kwargs, dict) and isinstance(kwargs.get("initial_state"), list):
        states = kwargs["initial_state"]
        kwargs = {k: v for k, v in kwargs.items() if k != "initial_state"}
    if kwargs not in (None, {}) and not (isinstance(kwargs, dict) and all(_nothing(v) for v in kwargs.values())):
        r.fail(where, "call arguments (kwargs) are not supported")       # (Keras's "mask": null is none)
    arg = node["args"][0]
    if states is not None:
        if not isinstance(arg, dict) or not 1 <= len(states) <= 8:
            r.fail(where, "initial_state needs one input tensor and 1 to 8 state tensors")
        return [_history(r, t, where) for t in [arg] + states], "states"
    if isinstance(arg, dict) and "class_name" not in arg:
        many = [r.name(k, where) for k in arg]
        tensors = list(arg.values())
    else:
        many = isinstance(arg, list)
        tensors = arg if many else [arg]
    if not 1 <= len(tensors) <= MAX_LAYERS:
        r.fail(where, "a call needs at least one input")
    return [_history(r, t, where) for t in tensors], many


def _several_tensors(r, node, where):
    """A call given several tensors, positionally or as ``query=``, ``value=``, ``key=`` (Keras writes
    ``MultiHeadAttention(x, context)`` so), as the list the layer takes; None for any other call."""
    if not isinstance(node, dict) or not isinstance(node.get("args"), list) or not isinstance(node.get("kwargs"), dict):
        return None
    args, kwargs = node["args"], node["kwargs"]
    named = [kwargs[k] for k in ("query", "value", "key") if kwargs.get(k) is not None]
    if len(args) + len(named) < 2 or (len(args) < 2 and not named):
        return None
    tensors = list(args) + named
    if len(tensors) > 3 or not all(isinstance(t, dict) and t.get("class_name") == "__keras_tensor__" for t in tensors):
        return None
    rest = {k: v for k, v in kwargs.items() if k not in ("query", "value", "key", "use_causal_mask")}
    if not isinstance(kwargs.get("use_causal_mask", False), bool) or \
            not all(_nothing(v) or v is False for v in rest.values()):
        r.fail(where, f"call arguments {sorted(rest)} are not supported")
    return [_history(r, t, where) for t in tensors]


def _history(r, t, where):
    """``(layer name, call)`` of a ``__keras_tensor__``, or ``(layer name, call, k)`` for output
    ``k > 0`` of a call (a recurrent layer's returned state k)."""
    history = (t.get("config") or {}).get("keras_history") if isinstance(t, dict) else None
    if (not isinstance(t, dict) or t.get("class_name") != "__keras_tensor__" or not isinstance(history, list)
            or len(history) != 3 or not isinstance(history[0], str)
            or any(isinstance(h, bool) or not isinstance(h, int) or not 0 <= h < MAX_LAYERS for h in history[1:])):
        r.fail(where, f"expected a __keras_tensor__ with keras_history [layer, call, output], got {str(t)[:80]}")
    return (history[0], history[1]) if history[2] == 0 else (history[0], history[1], history[2])


def _nothing(value) -> bool:
    """None, or a dict of Nones (Keras writes a model's call on named inputs with mask {name: null})."""
    return value is None or (isinstance(value, dict) and len(value) <= MAX_LAYERS
                             and all(v is None for v in value.values()))


def _replay(r, made, calls, pending, produced, budget, dry):
    """Make every call once its inputs exist. ``dry``: shapes only, counting the weights each
    layer would make (refused past the cap before anything is allocated)."""
    shapes = {key: (None,) + tuple(t.shape)[1:] for key, t in produced.items()}
    seen_layers = set()
    while pending:
        progress = False
        for name in list(pending):
            k = pending[name]
            args, many = calls[name][k]
            if not all(a in (shapes if dry else produced) for a in args):
                continue
            layer = made[name]
            if dry:
                given = [shapes[a] for a in args]
                shape = given if many is True or many == "causal" or isinstance(many, list) else given[0]
                try:
                    if name not in seen_layers and not isinstance(layer, Model):
                        budget[0] += int(layer.count_params_for(shape))
                    if getattr(layer, "by_call", False) and not layer.built \
                            and budget[0] <= MAX_WEIGHT_ELEMENTS:     # its call reads its weights
                        layer.build_from_shape(shape)
                    out = layer.compute_output_shape(shape)
                except Exception as e:  # noqa: BLE001 - whatever a layer's own code raises, one error
                    r.fail(name, f"cannot plan its call for input shape {shape}: {type(e).__name__}: {e}")
                if budget[0] > MAX_WEIGHT_ELEMENTS:
                    r.fail(name, f"the config asks for over {MAX_WEIGHT_ELEMENTS:,} weights (a shape bomb); "
                                 "refused before allocating", unsafe=True)
                shapes[(name, k)] = tuple(out)
                if getattr(layer, "return_state", False):   # its returned states: outputs 1, 2, ...
                    from ..layers.recurrent_state import sizes  # noqa: PLC0415
                    extra = getattr(layer, "extra_output_shapes", None)     # (Bidirectional(merge_mode=None): y')
                    for j, more in enumerate(extra(shape) if extra else [(None, n) for n in sizes(layer)]):
                        shapes[(name, k, j + 1)] = tuple(more)
            else:
                given = [produced[a] for a in args]
                try:
                    if many == "causal":                    # mha(q, v, use_causal_mask=True)
                        out = layer(given, use_causal_mask=True)
                    elif many == "states":
                        out = layer(given[0], initial_state=given[1:])
                    else:
                        out = layer(dict(zip(many, given)) if isinstance(many, list) else given if many else given[0])
                except (TypeError, ValueError) as e:
                    r.fail(name, f"cannot call it on its inputs: {e}")
                if isinstance(out, list) and getattr(layer, "return_state", False):
                    out, *states = out
                    for j, t in enumerate(states):
                        produced[(name, k, j + 1)] = t
                produced[(name, k)] = out
            seen_layers.add(name)
            progress = True
            if k + 1 < len(calls[name]):
                pending[name] = k + 1
            else:
                del pending[name]
        if not progress:
            r.fail("layers", f"the calls of {sorted(pending)[:5]} never get their inputs (a missing layer or "
                             "a cycle)")


def _ends(r, value, produced, what):
    """``input_layers`` / ``output_layers``: a list of ``[name, call, 0]``, or a dict of them."""
    def one(item, where):
        key = tuple(item[:2]) if isinstance(item, list) and len(item) == 3 and item[2] == 0 else \
            tuple(item) if isinstance(item, list) else None
        if (not isinstance(item, list) or len(item) != 3 or not isinstance(item[0], str) or key not in produced):
            r.fail(where, f"expected [layer name, call, output] of a call in the file, got {str(item)[:80]}")
        return produced[key]
    if isinstance(value, dict):
        if not value:
            r.fail(what, "is empty")
        return {r.name(k, what): one(v, f"{what}[{k!r}]") for k, v in value.items()}
    if not isinstance(value, list) or not value:
        r.fail(what, "expected a list of [layer name, call, 0]")
    if len(value) == 3 and isinstance(value[0], str):       # Keras 2 wrote a single one unnested
        value = [value]
    items = [one(v, f"{what}[{i}]") for i, v in enumerate(value)]
    return items
