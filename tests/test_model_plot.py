"""glassnet.glassbox.model_plot: keras.utils.plot_model draws a model's graph without
Graphviz; model_text gives the same graph as text."""
from __future__ import annotations

import pytest

import glassnet
from glassnet.glassbox.model_plot import model_text
from glassnet.keras import Input, Model, Sequential, layers

pytest.importorskip("matplotlib")


def _graph():
    a, b = Input(shape=(3,), name="a"), Input(shape=(2,), name="b")
    shared = layers.Dense(3, name="shared")
    cat = layers.Concatenate(name="cat")([shared(a), layers.Dense(3, name="d")(b)])
    return Model([a, b], [layers.Dense(1, name="out")(cat), shared(layers.Dense(3, name="back")(cat))])


def test_the_graph_as_text_lists_each_layer_with_what_it_reads():
    assert model_text(_graph()).splitlines() == [                # Keras's order (checked with Keras 3.15)
        "a (InputLayer)", "b (InputLayer)", "shared (Dense)           <- a, back", "d (Dense)                <- b",
        "cat (Concatenate)        <- shared, d", "back (Dense)             <- cat", "out (Dense)              <- cat"]
    stack = Sequential([Input(shape=(2,)), layers.Dense(2, name="one"), layers.Dense(1, name="two")])
    assert model_text(stack).splitlines()[1:] == ["one (Dense)              <- " + stack.inputs[0].name,
                                                  "two (Dense)              <- one"]


@pytest.mark.parametrize("name,signature", [("m.png", b"\x89PNG"), ("m.svg", b"<?xml"), ("sub/m.pdf", b"%PDF")])
def test_plot_model_writes_the_figure_in_the_files_format(tmp_path, name, signature):
    target = tmp_path / name
    fig = glassnet.keras.utils.plot_model(_graph(), to_file=target, show_shapes=True, show_layer_activations=True,
                                          rankdir="LR", dpi=60)
    assert target.read_bytes().startswith(signature)
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_text()]     # (arrows are empty annotations)
    assert any(t.startswith("cat (Concatenate)") and "input: (None, 3), (None, 3)" in t for t in texts)
    assert len(texts) == 7                                    # one box per layer, Inputs included
    assert len(fig.axes[0].texts) - len(texts) == 7           # and an arrow for each input of each layer


def test_plot_model_refuses_what_it_cannot_draw(tmp_path):
    with pytest.raises(ValueError, match="rankdir"):
        glassnet.keras.utils.plot_model(_graph(), to_file=tmp_path / "x.png", rankdir="BT")
    with pytest.raises(ValueError, match="not built"):
        glassnet.keras.utils.plot_model(Sequential([layers.Dense(1)]), to_file=tmp_path / "y.png")
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "y.png").exists()
