"""``model.summary()``: Keras 3's table of layers, output shapes and parameter counts."""
from __future__ import annotations

import numpy as np


def _size(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} GB"


def _shape(shape) -> str:
    if isinstance(shape, list):                         # a model of several outputs: [(...), (...)], as Keras
        return "[" + ", ".join(_shape(s) for s in shape) + "]"
    return "?" if shape is None else "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _wrap(text, width) -> list[str]:
    """``text`` in lines of at most ``width``, broken at spaces; a word longer than the line is
    cut with an ellipsis, as Keras 3's table (rich's overflow="ellipsis") prints it."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) <= width:
            line += " " + word
            continue
        if line:
            lines.append(line)
        line = word if len(word) <= width else word[:width - 1] + "…"
    return lines + [line]


def _graph_rows(model) -> list:
    """A functional graph's rows, Keras's: every layer (Inputs too) in Keras's order, with the
    calls it was connected to: ``name[call][0]`` of what each call was given."""
    from ..layers import InputLayer  # noqa: PLC0415 - layers build on the engine
    from .graph import keras_order  # noqa: PLC0415
    graph = model._graph
    calls = {}
    for node in sorted(graph.order, key=lambda n: n.serial):
        if not node.index:                              # (a recurrent call's returned state: not a call)
            calls.setdefault(id(node.layer), []).append(node)

    def source(t):
        if isinstance(t, InputLayer):
            return f"{t.name}[0][0]"
        if t.index:                                     # state k of a call: name[call][k], as Keras
            return f"{t.layer.name}[{calls[id(t.layer)].index(t.parent)}][{t.index}]"
        return f"{t.layer.name}[{calls[id(t.layer)].index(t)}][0]"
    rows = []
    for op in keras_order(graph.keras_inputs, graph.keras_outputs):
        if isinstance(op, InputLayer):
            rows.append((f"{op.name} (InputLayer)", _shape(op.shape), "0", ["-"]))
            continue
        given = [source(p) for node in calls[id(op)] for p in node.parents]
        connected = [g + ("," if i < len(given) - 1 else "") for i, g in enumerate(given)]
        shape = _with_states(op, _shape(op.output_shape))
        rows.append((f"{op.name} ({_kind(op)})", shape, f"{op.count_params():,}", connected))
    return rows


def _with_states(op, shape: str) -> str:
    """A recurrent layer returning its states: ``[output, h, (c)]``, as Keras prints it."""
    if getattr(op, "takes_states", False) and op.return_state:
        from ..layers.recurrent_state import sizes  # noqa: PLC0415
        extra = getattr(op, "extra_output_shapes", None)      # (Bidirectional(merge_mode=None): y' too)
        more = extra(op.input_shape) if extra else [(None, n) for n in sizes(op)]
        shape = "[" + ", ".join([shape] + [_shape(m) for m in more]) + "]"
    return shape


def _sequential_like(graph) -> bool:
    """Keras's test for a table without "Connected to": one input, every call reads one tensor,
    no layer called twice and no tensor read by two calls (a chain, whatever it outputs: the
    Sequential guide's feature extractor returning every layer's output)."""
    calls = [node for node in graph.order if not node.index]
    read = [id(getattr(p, "parent", None) if getattr(p, "index", 0) else p) for node in calls for p in node.parents]
    layers = [id(node.layer) for node in calls]
    return (len(graph.keras_inputs) == 1 and all(len(node.parents) == 1 for node in calls)
            and len(set(layers)) == len(layers) and len(set(read)) == len(read))


def summary_text(model, show_trainable=False) -> str:
    graph = getattr(model, "_graph", None) is not None and not _sequential_like(model._graph)
    trainable_column = show_trainable and not graph         # (Keras 3.15's widths, on an 80-column terminal)
    widths = (21, 19, 12, 19) if graph else (29, 23, 12, 7) if trainable_column else (33, 24, 15)
    titles = ("Layer (type)", "Output Shape", "Param #", "Connected to" if graph else "Trainable")[:len(widths)]
    right, centred = {2}, {3} if trainable_column else set()     # counts right-aligned, Y/N centred

    def line(cells):
        return "│" + "│".join(f" {c:>{w - 2}} " if i in right else f" {c:^{w - 2}} " if i in centred
                              else f" {c:<{w - 2}} " for i, (c, w) in enumerate(zip(cells, widths))) + "│"
    top = "┏" + "┳".join("━" * w for w in widths) + "┓"
    head = line([_wrap(t, w - 2)[0] for t, w in zip(titles, widths)]).replace("│", "┃")     # "Trai…"
    sep = "┡" + "╇".join("━" * w for w in widths) + "┩"
    mid = "├" + "┼".join("─" * w for w in widths) + "┤"
    bottom = "└" + "┴".join("─" * w for w in widths) + "┘"
    if graph:
        table = _graph_rows(model)
    else:
        table = [(f"{layer.name} ({_kind(layer)})", _with_states(layer, _shape(_output_shape(model, layer)))
                  if getattr(model, "_graph", None) is not None else _shape(_output_shape(model, layer)), _params(layer))
                 + ((("Y" if layer.trainable else "N") if layer.weights else "-",) if trainable_column else ())
                 for layer in model.operations]
    rows = []
    for cells in table:
        wrapped = [_wrap(" ".join(c) if isinstance(c, list) else c, w - 2)
                   for c, w in zip(cells, widths)]      # a long name or source is cut with "…", as Keras's
        for k in range(max(len(parts) for parts in wrapped)):     # long names go on, as Keras's do
            rows.append(line([parts[k] if k < len(parts) else "" for parts in wrapped]))
        rows.append(None)                       # the line between layers
    lines = [f'Model: "{model.name}"', top, head, sep]
    lines += [mid if r is None else r for r in rows[:-1]]
    lines.append(bottom)
    trainable = sum(v.value.size for v in model.trainable_weights)
    non_trainable = sum(v.value.size for v in model.non_trainable_weights)
    t_bytes = sum(v.value.nbytes for v in model.trainable_weights)
    n_bytes = sum(v.value.nbytes for v in model.non_trainable_weights)     # an int64 count is 8 bytes
    itemsize = model.weights[0].value.itemsize if model.weights else 4
    opt = model.optimizer
    built = opt is not None and opt.built
    if built:       # Keras 3.15: the int64 step count, the learning rate (in floatx when the optimizer
        # was made, float64 after set_floatx('float64'); none with a schedule), the slots
        slots = sum(s.size for s in opt.slots_in_file_order())
        lr_bytes = 0 if opt.has_schedule else np.dtype(opt.__dict__.get("_learning_rate_dtype", "float32")).itemsize
        o_count = slots + 1 + (0 if opt.has_schedule else 1)
        o_bytes = slots * itemsize + 8 + lr_bytes
    else:
        o_count = o_bytes = 0
    lines.append(f" Total params: {trainable + non_trainable + o_count:,} "       # Keras counts the optimizer's in
                 f"({_size(t_bytes + n_bytes + o_bytes)})")
    lines.append(f" Trainable params: {trainable:,} ({_size(t_bytes)})")
    lines.append(f" Non-trainable params: {non_trainable:,} ({_size(n_bytes)})")
    if built:
        lines.append(f" Optimizer params: {o_count:,} ({_size(o_bytes)})")
    return "\n".join(lines)


def _output_shape(model, layer):
    """What the Output Shape cell shows (None: "?"). Keras knows a layer's shape from its calls in
    a graph, or from its build, with the batch size of the call that built it; a layer of one's
    own without a compute_output_shape, called inside a subclassed model's call (the VAE's
    Encoder, the engineers' intro's MyDense), is "?"."""
    if not layer.built:
        return None
    if getattr(layer, "by_call", False) and not _own_output_shape(layer) and not model._is_stack() \
            and not model.__dict__.get("_functional"):
        return None
    shape = getattr(layer, "output_shape", None)
    if shape is None and layer.__dict__.get("_build_shape") is not None:   # built by hand (layer.build(shape)):
        try:                                                                # Keras asks compute_output_shape
            shape = tuple(layer.compute_output_shape(layer._build_shape))
        except Exception:                                   # noqa: BLE001 - Keras shows '?' when it cannot say
            shape = None
    batch = layer.__dict__.get("_built_batch")      # built by a call on real rows: Keras shows that batch
    if isinstance(batch, int) and isinstance(shape, tuple) and shape and shape[0] is None:
        shape = (batch,) + shape[1:]
    return shape


def _own_output_shape(layer) -> bool:
    """Whether a layer written with ``call`` has a ``compute_output_shape`` of its own (else
    glassnet's, found by running the call): Keras's summary shows '?' for it otherwise."""
    return not type(layer).compute_output_shape.__module__.startswith("glassnet.")


def _kind(layer) -> str:
    """The type Keras names: ``Functional`` for a model made of Inputs and outputs."""
    if getattr(layer, "keras_op", None):                # x + y: Keras's operation, "add (Add)"
        return layer.keras_op
    functional = getattr(layer, "_graph", None) is not None or layer.__dict__.get("_functional")
    return "Functional" if functional and type(layer).__name__ == "Model" else type(layer).__name__


def _params(layer) -> str:
    """The Param # cell. Keras marks a layer built when it is made if it has no ``build`` of
    its own (Dropout, pooling, Flatten: nothing to make), so only layers with weights still
    to make read "0 (unbuilt)"; and the lookups (StringLookup, IntegerLookup, TextVectorization),
    which Keras 3.15 builds only when called, even adapted."""
    if layer.built:
        return f"{layer.count_params():,}"
    from ..layers.base import Layer  # noqa: PLC0415 - the layers build on the engine's modules
    from ..layers.lookup import _Lookup  # noqa: PLC0415
    return "0" if type(layer).build is Layer.build and not isinstance(layer, _Lookup) else "0 (unbuilt)"
