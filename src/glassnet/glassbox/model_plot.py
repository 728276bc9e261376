"""``keras.utils.plot_model``: a picture of a model's graph, drawn with matplotlib (no
Graphviz needed), and :func:`model_text`, the same graph as text for the glass box.

Each layer is a box (its name and class, with shapes if asked), one row per depth: a layer
sits one row below the deepest layer it reads from, so arrows point downwards (``rankdir="TB"``)
or to the right (``"LR"``). A layer called twice (shared) is one box with an arrow from each of
its inputs (one of them may then point back up).

>>> import glassnet
>>> from glassnet.keras import Input, Model, layers
>>> a, b = Input(shape=(3,), name="a"), Input(shape=(2,), name="b")
>>> out = layers.Dense(1, name="out")(layers.Concatenate(name="cat")([a, layers.Dense(3, name="d")(b)]))
>>> print(model_text(Model([a, b], out)))          # Keras's order: the deepest first
b (InputLayer)
a (InputLayer)
d (Dense)                <- b
cat (Concatenate)        <- a, d
out (Dense)              <- cat
"""
from __future__ import annotations

import os

from ..engine.graph import keras_order
from ..layers import InputLayer


def _nodes(model):
    """``[(layer, [layers it reads from, once each])]`` in Keras's order, Inputs included."""
    graph = model._graph
    if graph is None:                                 # a stack: its Input, then its layers in turn
        inputs = model.inputs
        chain = [inputs[0]] + list(model.layers)
        return [(layer, [chain[i - 1]] if i else []) for i, layer in enumerate(chain)]
    sources = {}
    for node in graph.order:
        for p in node.parents:
            src = p if isinstance(p, InputLayer) else p.layer
            found = sources.setdefault(id(node.layer), [])
            if not any(s is src for s in found):
                found.append(src)
    return [(op, sources.get(id(op), [])) for op in keras_order(graph.keras_inputs, graph.keras_outputs)]


def _label(layer, show_shapes, show_layer_names, show_layer_activations, show_trainable):
    kind = type(layer).__name__
    lines = [f"{layer.name} ({kind})" if show_layer_names else kind]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        lines.append(f"activation: {getattr(layer.activation, '__name__', layer.activation)}")
    if show_shapes:
        if isinstance(layer, InputLayer):
            lines.append(f"output: {tuple(layer.shape)}")
        else:
            lines.append(f"input: {_shape_text(layer.input_shape)}")
            lines.append(f"output: {_shape_text(layer.output_shape)}")
    if show_trainable and not isinstance(layer, InputLayer):
        lines.append(f"trainable: {layer.trainable}")
    return "\n".join(lines)


def _bend(rows):
    """A straight arrow to the next row; one that skips rows (or points back) curves around
    the boxes between."""
    return "arc3" if rows == 1 else f"arc3,rad={0.25 if rows > 1 else 0.35}"


def _shape_text(shape):
    return ", ".join(str(tuple(s)) for s in shape) if isinstance(shape, list) else str(tuple(shape))


def model_text(model) -> str:
    """The graph as text: each layer in Keras's order with the layers it reads from."""
    rows = []
    for layer, sources in _nodes(model):
        head = f"{layer.name} ({type(layer).__name__})"
        rows.append(f"{head:<24} <- {', '.join(s.name for s in sources)}" if sources else head)
    return "\n".join(rows)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=True,
               rankdir="TB", expand_nested=False, dpi=200, show_layer_activations=False,
               show_trainable=False, **kwargs):
    """Draw ``model``'s graph into ``to_file`` (png, svg, pdf: by its extension) and return
    the figure (in a notebook, an ``IPython.display.Image`` of the file, as Keras does).
    Keras's arguments; ``expand_nested`` and ``show_dtype`` are accepted and draw nested
    models as one box."""
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' or 'LR', got {rankdir!r}")
    if not model.built:
        raise ValueError("plot_model: the model is not built yet; build it (an Input, model.build, or fit) first")
    from .plot import _figure  # noqa: PLC0415 - matplotlib is loaded only to draw
    nodes = _nodes(model)
    depth = {}
    for layer, sources in nodes:                      # one row below the deepest source drawn before it
        depth[id(layer)] = 1 + max((depth[id(s)] for s in sources if id(s) in depth), default=-1)
    rows = {}
    for layer, _ in nodes:
        rows.setdefault(depth[id(layer)], []).append(layer)
    width, height = max(len(r) for r in rows.values()), len(rows)
    labels = {id(layer): _label(layer, show_shapes, show_layer_names, show_layer_activations, show_trainable)
              for layer, _ in nodes}
    lines_per_box = max(text.count("\n") + 1 for text in labels.values())
    across, down = 3.2 if show_shapes else 2.6, 0.55 + 0.28 * lines_per_box
    size = (max(4.0, across * width), max(2.0, down * height + 0.5))
    fig = _figure(size if rankdir == "TB" else size[::-1])
    ax = fig.add_subplot(1, 1, 1)
    ax.set_axis_off()
    where = {}
    for d, layers in rows.items():
        for i, layer in enumerate(layers):
            across_at = (i + 0.5) / len(layers) * width
            where[id(layer)] = (across_at, height - d - 0.5) if rankdir == "TB" else (d + 0.5, width - across_at)
    boxes = {}
    for layer, _ in nodes:
        x, y = where[id(layer)]
        face = "#e8eef9" if isinstance(layer, InputLayer) else "#f7f3e8"
        boxes[id(layer)] = ax.text(x, y, labels[id(layer)], ha="center", va="center", fontsize=8,
                                   family="monospace", zorder=2,
                                   bbox={"boxstyle": "round,pad=0.5", "facecolor": face, "edgecolor": "0.3"})
    for layer, sources in nodes:                      # from the edge of one box to the edge of the next
        for s in sources:
            forward = depth[id(s)] < depth[id(layer)]
            if rankdir == "TB":
                start, end = ((0.5, 0), (0.5, 1)) if forward else ((0.5, 1), (0.5, 0))
            else:
                start, end = ((1, 0.5), (0, 0.5)) if forward else ((0, 0.5), (1, 0.5))
            ax.annotate("", xy=end, xycoords=boxes[id(layer)], xytext=start, textcoords=boxes[id(s)],
                        arrowprops={"arrowstyle": "-|>", "color": "0.35", "shrinkA": 6, "shrinkB": 6,
                                    "connectionstyle": _bend(depth[id(layer)] - depth[id(s)])}, zorder=1)
    ax.set_xlim(0, width if rankdir == "TB" else height)
    ax.set_ylim(0, height if rankdir == "TB" else width)
    if to_file:
        folder = os.path.dirname(os.fspath(to_file))
        if folder:
            os.makedirs(folder, exist_ok=True)
        fig.savefig(to_file, dpi=dpi, bbox_inches="tight")
        try:
            import IPython  # noqa: PLC0415
            if getattr(IPython, "get_ipython", lambda: None)() is not None and str(to_file).endswith(".png"):
                from IPython.display import Image  # noqa: PLC0415
                return Image(filename=to_file)
        except ImportError:
            pass
    return fig
