"""TensorFlow's tutorial "Load text" (tutorials/load_data/text) run with ``import glassnet as tf``.

Its second example labels each file's lines with ``lines_dataset.map(lambda ex: labeler(ex, i))``
made in a loop: TensorFlow traces the function when ``map`` is called, so each dataset keeps the
``i`` of its own turn. glassnet's map fixes the function's globals and closure cells then too."""

import glassnet as tf


def test_map_keeps_the_loop_variable_of_its_turn_as_tracing_does():
    datasets = []
    for i in range(3):
        datasets.append(tf.data.Dataset.range(2).map(lambda x: (x, i)))       # i: a global here
    assert [[int(b) for _, b in d.as_numpy_iterator()] for d in datasets] == [[0, 0], [1, 1], [2, 2]]

    def made_in_a_function():
        out = []
        for j in range(2):                                                      # j: a closure cell
            out.append(tf.data.Dataset.range(3).map(lambda x: x + j).filter(lambda x: x > j))
        return out
    assert [list(map(int, d.as_numpy_iterator())) for d in made_in_a_function()] == [[1, 2], [2, 3]]
    shared = []                                         # the objects the function reads stay shared
    list(tf.data.Dataset.range(2).map(lambda x: shared.append(1) or x).as_numpy_iterator())
    assert shared == [1, 1]
