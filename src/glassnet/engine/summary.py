"""``model.summary()``: Keras 3's table of layers, output shapes and parameter counts."""
from __future__ import annotations


def _size(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} GB"


def _shape(shape) -> str:
    return "?" if shape is None else "(" + ", ".join("None" if d is None else str(d) for d in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def _wrap(text, width) -> list[str]:
    """``text`` in lines of at most ``width``, broken at spaces where it can be."""
    lines = []
    while len(text) > width:
        cut = text.rfind(" ", 0, width + 1)
        cut = cut if cut > 0 else width
        lines.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return lines + [text]


def summary_text(model) -> str:
    widths = (33, 24, 15)
    top = "┏" + "┳".join("━" * w for w in widths) + "┓"
    head = "┃" + "┃".join(f" {t:<{w - 2}} " if i < 2 else f" {t:>{w - 2}} "
                           for i, (t, w) in enumerate(zip(("Layer (type)", "Output Shape", "Param #"), widths))) + "┃"
    sep = "┡" + "╇".join("━" * w for w in widths) + "┩"
    mid = "├" + "┼".join("─" * w for w in widths) + "┤"
    bottom = "└" + "┴".join("─" * w for w in widths) + "┘"
    rows = []
    for layer in model.layers:
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        cells = (f"{layer.name} ({type(layer).__name__})", _shape(getattr(layer, "output_shape", None) if layer.built else None), params)
        wrapped = [_wrap(c, w - 2) for c, w in zip(cells, widths)]      # long names go on, as Keras's do
        for k in range(max(len(parts) for parts in wrapped)):
            line = [parts[k] if k < len(parts) else "" for parts in wrapped]
            rows.append("│" + "│".join(f" {c:<{w - 2}} " if i < 2 else f" {c:>{w - 2}} "
                                       for i, (c, w) in enumerate(zip(line, widths))) + "│")
        rows.append(None)                       # the line between layers
    lines = [f'Model: "{model.name}"', top, head, sep]
    lines += [mid if r is None else r for r in rows[:-1]]
    lines.append(bottom)
    trainable = sum(v.value.size for v in model.trainable_weights)
    non_trainable = sum(v.value.size for v in model.non_trainable_weights)
    t_bytes = sum(v.value.nbytes for v in model.trainable_weights)
    n_bytes = sum(v.value.nbytes for v in model.non_trainable_weights)     # an int64 count is 8 bytes
    itemsize = model.weights[0].value.itemsize if model.weights else 4
    lines.append(f" Total params: {trainable + non_trainable:,} ({_size(t_bytes + n_bytes)})")
    lines.append(f" Trainable params: {trainable:,} ({_size(t_bytes)})")
    lines.append(f" Non-trainable params: {non_trainable:,} ({_size(n_bytes)})")
    opt = model.optimizer
    if opt is not None and opt.built:
        n = sum(s.size for s in opt.slots_in_file_order()) + 1
        lines.append(f" Optimizer params: {n:,} ({_size((n - 1) * itemsize + 8)})")
    return "\n".join(lines)
