"""Record REAL Keras's AUC on a few prediction sets; tests/test_metrics.py compares.

    TF_CPP_MIN_LOG_LEVEL=3 python tools/make_keras_auc.py   # writes tests/fixtures/keras_auc.json
"""
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "keras_auc.json"
CONFIGS = [{}, {"curve": "PR"}, {"curve": "PR", "summation_method": "minoring"},
           {"summation_method": "majoring"}, {"num_thresholds": 7}, {"thresholds": [0.25, 0.5, 0.8]},
           {"from_logits": True}]


def main():
    rng = np.random.default_rng(0)
    cases = []
    for k in range(3):
        y = (rng.random(50) > 0.6).astype("float32")
        p = np.clip(0.3 * y + 0.7 * rng.random(50), 0, 1).astype("float32")
        w = rng.random(50).astype("float32")
        for config in CONFIGS:
            preds = (p - 0.5) * 6 if config.get("from_logits") else p
            m = keras.metrics.AUC(**config)
            m.update_state(y[:25], preds[:25])
            m.update_state(y[25:], preds[25:])
            weighted = keras.metrics.AUC(**config)
            weighted.update_state(y, preds, sample_weight=w)
            cases.append({"config": config, "y": y.tolist(), "p": preds.tolist(), "w": w.tolist(),
                          "auc": float(m.result()), "weighted": float(weighted.result())})
    OUT.write_text(json.dumps({"keras_version": keras.__version__, "cases": cases}) + "\n")
    print("wrote", OUT, len(cases))


if __name__ == "__main__":
    main()
