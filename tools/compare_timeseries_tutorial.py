"""Run TensorFlow's "Time series forecasting" tutorial (tests/timeseries_tutorial.py) with
glassnet or with TensorFlow 2.21 on the same stand-in CSV and print what it gives::

    /work/peers/bin/python tools/compare_timeseries_tutorial.py tensorflow /tmp/ts
    python tools/compare_timeseries_tutorial.py glassnet /tmp/ts
"""
import importlib
import os
import pprint
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import timeseries_tutorial  # noqa: E402


def main():
    name, folder = sys.argv[1], sys.argv[2]
    epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    tf = importlib.import_module(name)
    if not os.path.exists(os.path.join(folder, "jena_climate_2009_2016.csv.zip")):
        timeseries_tutorial.make_stand_in(folder)
    tf.keras.utils.set_random_seed(0)
    start = time.time()
    out = timeseries_tutorial.run(tf, os.path.join(folder), max_epochs=epochs)
    out["seconds"] = round(time.time() - start, 1)
    pprint.pprint(out, width=120)


if __name__ == "__main__":
    main()
