"""A graph of layer calls: Keras's functional model beyond a chain.

``Model(inputs, outputs)`` on layers called on symbolic tensors (``glassnet/engine/functional.py``)
makes, when the calls do not form one chain, a :class:`Graph`: each node is one layer called on
one tensor, or on several (a merge layer: ``Concatenate()([a, b])``). Nothing new is needed to
differentiate it, only the order::

    forward:   the nodes in the order they were called (each input ready before it is used);
               a layer used twice (shared) keeps what its backward needs once per call
    backward:  the nodes in reverse; each node's layer.backward turns dJ/d(its output) into
               dJ/d(each of its inputs), and where one tensor feeds several nodes (a branch,
               a residual connection) their gradients ADD: dJ/dx = sum over the uses of x;
               only where a gradient is needed (weights behind it to train; never through
               ids or words: ``Graph.carrying``)

A shared layer's weights get the sum of their gradients over its calls, the same rule.

>>> import numpy as np, glassnet
>>> from glassnet.layers import Dense
>>> x = glassnet.Input(shape=(3,))
>>> h = Dense(3, activation="relu")(x)
>>> shared = Dense(3)
>>> y = shared(shared(h))                      # one layer called twice
>>> model = glassnet.Model(x, y)
>>> model(np.ones((2, 3))).shape
TensorShape([2, 3])
"""
from __future__ import annotations

import numpy as np

from ..layers import InputLayer
from .step import carrying


class Graph:
    """The nodes between ``inputs`` (InputLayers) and ``outputs`` (symbolic tensors), in an
    order where every node comes after the nodes it reads."""

    def __init__(self, inputs, outputs, who="Model", input_names=None, output_names=None):
        from .functional import SymbolicOutput  # noqa: PLC0415 - functional builds on this module's users
        self.inputs, self.outputs = list(inputs), list(outputs)
        self.order, seen, reached = [], set(), set()
        for out in self.outputs:                          # depth first, parents before children
            stack = [(out, False)]
            while stack:
                t, expanded = stack.pop()
                if id(t) in seen:
                    continue
                if not isinstance(t, SymbolicOutput):
                    reached.add(id(t))
                    seen.add(id(t))
                    continue
                if expanded:
                    seen.add(id(t))
                    self.order.append(t)
                    continue
                stack.append((t, True))
                stack.extend((p, False) for p in reversed(t.parents) if id(p) not in seen)
        known = {id(i) for i in self.inputs}
        for node in self.order:
            for p in node.parents:
                if not isinstance(p, SymbolicOutput) and id(p) not in known:
                    raise ValueError(f"{who}: graph disconnected: layer {node.layer.name!r} reads the input "
                                     f"{getattr(p, 'name', p)!r}, which is not among the model's inputs "
                                     f"({', '.join(getattr(i, 'name', '?') for i in self.inputs)})")
        for out in self.outputs:
            if not isinstance(out, SymbolicOutput) and id(out) not in known:
                raise ValueError(f"{who}: an output is an Input that is not among the model's inputs")
        counts = {}
        for node in self.order:
            if node.index:                                # a returned state: its layer is not run again
                continue
            counts[id(node.layer)] = counts.get(id(node.layer), 0) + 1
        # per node: is its layer called more than once (then each call keeps its own caches)?
        # (a list, not a set of ids: a copy of the model, deepcopy or pickle, keeps it right)
        self.shared = [not node.index and counts[id(node.layer)] > 1 for node in self.order]
        # Keras flattens dicts of inputs and outputs in the order of their sorted keys
        self.keras_inputs = _flat(self.inputs, input_names)
        self.keras_outputs = _flat(self.outputs, output_names)
        self.all_layers = keras_order(self.keras_inputs, self.keras_outputs)    # model.layers: Inputs too
        self.layers = [op for op in self.all_layers if not isinstance(op, InputLayer)]
        self._states = None
        self.values, self.grads = {}, {}

    # -- forward ------------------------------------------------------------------------------
    def forward(self, xs, training=False):
        """The outputs' values for the inputs' values ``xs`` (one array per input)."""
        values = {id(i): x for i, x in zip(self.inputs, xs)}
        masks = {}                  # Embedding(mask_zero=True)'s padding, per tensor (merge layers drop it)
        states = []
        for node, shared in zip(self.order, self.shared):
            if node.index:                                # state k of a recurrent call (return_state)
                values[id(node)] = node.parent.layer_states[node.index - 1]
                states.append(None)
                continue
            args = [values[id(p)] for p in node.parents]
            # (a recurrent layer on [x, h, c] reads x's mask)
            mask = masks.get(id(node.parents[0])) if not node.takes_list or hasattr(node.layer, "takes_states") else None
            if getattr(node.layer, "reads_input_masks", False):     # MultiHeadAttention: each input's mask
                mask = [masks.get(id(p)) for p in node.parents]
            t = node.layer.default_training if training is None else training   # None: each layer's default
            a, masks[id(node)] = node.layer.forward_with_mask(args if node.takes_list else args[0], t, mask)
            states.append(_state(node.layer) if shared else None)
            values[id(node)] = a
            if getattr(node.layer, "takes_states", False) and node.layer.return_state:   # for its states' nodes
                node.layer_states = list(node.layer.final_states)
            elif getattr(node, "extra_outputs", 0):      # a model of several outputs: 0 here, k from its node
                values[id(node)], node.layer_states = a[0], list(a[1:])
        self._states = states
        self.values = values                              # each tensor's value, for the glass box
        # an output that kept a mask carries it, as Keras's tensors do: the loss and metrics read it
        return [values[id(o)] if masks.get(id(o)) is None else carrying(values[id(o)], masks[id(o)])
                for o in self.outputs]

    # -- backward -----------------------------------------------------------------------------
    def backward(self, grads, need_input_grad=False):
        """From ``dJ/d(output)`` for each output (None: that output does not reach the loss),
        each node's backward in reverse; sets every weight's ``grad`` (summed over a shared
        layer's calls) and returns ``dJ/d(input)`` for each input (None when not asked)."""
        if self._states is None:
            raise RuntimeError("Graph.backward: run forward first")
        g = {}                                            # id(tensor) -> dJ/d(tensor), summed over its uses
        for out, grad in zip(self.outputs, grads):
            if grad is not None:
                _add(g, out, grad)
        carries = self.carrying(need_input_grad)
        totals = {}                                       # id(weight) -> [weight, summed grad]
        self.grads = {}
        state_grads = {}                                  # id(call node) -> dJ/d(each returned state)
        for node, state in zip(reversed(self.order), reversed(self._states)):
            grad = g.pop(id(node), None)
            if node.index:                                # to its call's backward, beside the output's
                if grad is not None:
                    count = getattr(node.parent, "extra_outputs", 0) or node.layer.state_count
                    parts = state_grads.setdefault(id(node.parent), [None] * count)
                    parts[node.index - 1] = grad if parts[node.index - 1] is None else parts[node.index - 1] + grad
                continue
            if id(node) in state_grads:                   # [dJ/d output (None: unused), dJ/dh_T, (dJ/dc_T)]
                grad = [grad] + state_grads.pop(id(node))
            self.grads[id(node)] = grad                   # dJ/d(this call's output), for the glass box
            if grad is None or id(node) not in carries:   # not reaching the loss, or nothing behind it to train
                continue
            if state is not None:                         # a shared layer: this call's own caches
                for layer, kept in state:
                    vars(layer).update(kept)
            need = node.layer.differentiable_input and any(id(p) in carries for p in node.parents)
            if need and node.takes_list and getattr(node.layer, "by_call", False):   # which of its inputs: an
                node.layer.__dict__["_inputs_needed"] = [id(p) in carries for p in node.parents]   # Input of targets
            dx = node.layer.backward(grad, need)
            for v in node.layer.trainable_weights:
                total = totals.get(id(v))
                if total is None:
                    totals[id(v)] = [v, v.grad.copy()]
                else:
                    total[1] += v.grad
            if need:
                for p, d in zip(node.parents, dx if node.takes_list else [dx]):
                    if d is not None and id(p) in carries:
                        _add(g, p, d)
        for layer in self.layers:                         # every weight: its total, or zero if unreached
            for v in layer.trainable_weights:
                total = totals.get(id(v))
                if total is None:
                    v.grad = np.zeros_like(v.value)
                else:
                    v.grad = total[1]
        return [g.get(id(i)) for i in self.inputs] if need_input_grad else None


    def carrying(self, need_input_grad=False) -> set:
        """The ids of the tensors a gradient has to reach: an input when its own gradient is
        asked (and it holds numbers that can vary: not strings, not integers), and a call's output
        when its layer has weights to train or it was computed, differentiably, from such a tensor.
        As Keras, nothing differentiates through ids and words: ``StringLookup`` then
        ``CategoryEncoding`` on an input is never asked for an input gradient."""
        carries = {id(i) for i in self.inputs
                   if need_input_grad and np.dtype(getattr(i, "dtype", None) or "f").kind == "f"}
        for node in self.order:
            if node.layer.trainable_weights or (node.layer.differentiable_input
                                                and any(id(p) in carries for p in node.parents)):
                carries.add(id(node))
        return carries


def keras_order(inputs, outputs) -> list:
    """The graph's layers (Input layers included) in Keras's order (``keras/src/ops/function.py``
    ``map_graph``): deepest first, counting from the outputs, ties by when a depth-first walk
    from the outputs first met them. ``model.layers``, ``get_weights()`` and the groups of a
    ``.keras`` weights file follow it, so a file is read the same way by Keras and glassnet."""
    from .functional import SymbolicOutput  # noqa: PLC0415
    index, nodes, finished, in_progress = {}, [], set(), set()

    def operation(t):
        return t.layer if isinstance(t, SymbolicOutput) else t

    def call_of(t):                                   # a returned state (output k > 0) is its call's node
        return t.parent if isinstance(t, SymbolicOutput) and t.index else t

    def walk(t):                                      # nodes from inputs to outputs (post-order)
        t = call_of(t)
        if id(t) in finished:
            return
        if id(t) in in_progress:
            raise ValueError(f"the graph has a cycle through {operation(t).name!r}")
        index.setdefault(id(operation(t)), (len(index), operation(t)))
        in_progress.add(id(t))
        for p in getattr(t, "parents", ()):
            walk(p)
        in_progress.discard(id(t))
        finished.add(id(t))
        nodes.append(t)

    for out in outputs:
        walk(out)
    node_depth, op_depth = {}, {}
    for t in reversed(nodes):
        depth = max(node_depth.setdefault(id(t), 0), op_depth.get(id(operation(t)), 0))
        op_depth[id(operation(t))] = node_depth[id(t)] = depth
        for p in getattr(t, "parents", ()):
            p = call_of(p)
            node_depth[id(p)] = max(depth + 1, node_depth.get(id(p), 0))
    for i in inputs:                                  # an input no output uses: depth 0, first
        if id(i) not in op_depth:
            op_depth[id(i)], index[id(i)] = 0, (-1, i)
    ops = sorted(index.values(), key=lambda item: (-op_depth[id(item[1])], item[0]))
    return [op for _, op in ops]


def _flat(tensors, names):
    return [t for _, t in sorted(zip(names, tensors), key=lambda pair: pair[0])] if names else list(tensors)


def _add(g, tensor, grad):
    key = id(tensor)
    if key in g:
        g[key] = g[key] + grad
    else:
        g[key] = grad


def _state(layer):
    """``[(layer, what its forward kept for its backward)]``: its array attributes (and None
    ones: a call without a mask keeps ``step_mask = None``), and those of the layers inside
    it (a nested model's, Bidirectional's two copies: ``inner_layers``), by reference:
    forward makes new arrays, so a later call of the same layer cannot change them."""
    from .model import Model  # noqa: PLC0415 - the model module builds on this one
    state = [(layer, {k: v for k, v in vars(layer).items() if v is None or isinstance(v, np.ndarray)})]
    inner = layer.layers if isinstance(layer, Model) else getattr(layer, "inner_layers", ())
    for one in inner:
        state += _state(one)
    return state
