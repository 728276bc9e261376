"""The playground's server, through real HTTP on 127.0.0.1 (a random free port): the token,
the Host/Origin checks, the upload cap, every control, bad CSVs, a NaN loss, two pages."""
import http.client
import json
import os
import threading
import time

import numpy as np
import pytest

import glassnet
from glassnet.cli import main
from glassnet.playground import Playground


@pytest.fixture
def pg():
    p = Playground(open_browser=False, max_upload=200_000).start()
    yield p
    p.stop()


def request(pg, method, path, body=None, token=True, headers=None, host=None):
    conn = http.client.HTTPConnection("127.0.0.1", pg.port, timeout=20)
    h = {"Host": host or f"127.0.0.1:{pg.port}"}
    if token:
        h["X-Playground-Token"] = pg.token
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data, r


def js(pg, method, path, body=None, **kw):
    status, data, _ = request(pg, method, path, body, **kw)
    return status, json.loads(data)


def wait_for(pg, cond, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        st = pg.session.state()
        if cond(st):
            return st
        time.sleep(0.05)
    raise AssertionError(f"timed out; last state step={st['step']} error={st['error']}")


# -- security ---------------------------------------------------------------------------
def test_requests_without_the_token_are_refused(pg):
    for path in ("/", "/api/state", "/api/code", "/api/download", "/static/app.js"):
        status, data, _ = request(pg, "GET", path, token=False)
        assert status == 403, path
        assert b"token" in data
    status, _, _ = request(pg, "GET", "/api/state", token=False, headers={"X-Playground-Token": "x" * 32})
    assert status == 403
    status, _, _ = request(pg, "POST", "/api/control", {"action": "play"}, token=False)
    assert status == 403 and not pg.session.running


def test_token_in_the_url_serves_the_page_and_sets_a_cookie(pg):
    status, data, r = request(pg, "GET", "/?token=" + pg.token, token=False)
    assert status == 200 and b"glassnet <b>playground</b>" in data
    assert pg.token.encode() in data                      # for the page's own requests
    assert b"http://" not in data.replace(b"http://127.0.0.1", b"")   # nothing loaded from elsewhere
    cookie = r.getheader("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    status, _, _ = request(pg, "GET", "/api/layout", token=False, headers={"Cookie": cookie.split(";")[0]})
    assert status == 200
    assert r.getheader("Content-Security-Policy").startswith("default-src 'self'")


def test_static_files_ship_in_the_package_and_load_nothing_from_elsewhere(pg):
    for name in ("app.js", "style.css"):
        status, data, _ = request(pg, "GET", "/static/" + name)
        assert status == 200 and len(data) > 1000
        assert b"https://" not in data and b"@import" not in data and b"fonts.googleapis" not in data
    assert request(pg, "GET", "/static/../server.py")[0] == 404


def test_a_foreign_host_or_origin_is_refused_even_with_the_token(pg):
    status, data, _ = request(pg, "GET", "/api/state", host=f"evil.example:{pg.port}")
    assert status == 403 and b"Host" in data
    status, data, _ = request(pg, "POST", "/api/control", {"action": "play"}, headers={"Origin": "http://evil.example"})
    assert status == 403 and b"evil.example" in data and not pg.session.running
    assert request(pg, "GET", "/api/layout", host=f"localhost:{pg.port}")[0] == 200
    assert request(pg, "GET", "/api/layout", headers={"Origin": f"http://127.0.0.1:{pg.port}"})[0] == 200


def test_the_server_listens_on_loopback_only(pg):
    assert pg.httpd.server_address[0] == "127.0.0.1"
    assert pg.url == f"http://127.0.0.1:{pg.port}/?token={pg.token}" and len(pg.token) >= 24
    other = Playground(open_browser=False)
    assert other.token != pg.token
    other.stop()


def test_uploads_are_capped_and_the_model_is_left_as_it_was(pg):
    before = pg.session.cfg["dataset"]
    big = b"a,b\n" + b"1,0\n" * 100_000                      # 400 kB > the 200 kB cap of the fixture
    status, data, r = request(pg, "POST", "/api/upload", big, headers={"Content-Type": "text/csv"})
    assert status == 413 and b"limit is 200000 bytes" in data
    assert pg.session.cfg["dataset"] == before
    status, data = js(pg, "POST", "/api/config", b'{"x": 1}' + b" " * 70_000)
    assert status == 413
    conn = http.client.HTTPConnection("127.0.0.1", pg.port, timeout=10)
    conn.putrequest("POST", "/api/config")
    conn.putheader("Host", f"127.0.0.1:{pg.port}")
    conn.putheader("X-Playground-Token", pg.token)
    conn.endheaders()
    assert conn.getresponse().status == 411
    conn.close()


# -- controls ---------------------------------------------------------------------------
def test_play_pause_step_reset(pg):
    status, st = js(pg, "POST", "/api/control", {"action": "play"})
    assert status == 200 and st["running"] is True
    st = wait_for(pg, lambda s: s["step"] > 200)
    status, st = js(pg, "POST", "/api/control", {"action": "pause"})
    assert st["running"] is False
    step = st["step"]
    time.sleep(0.3)
    assert pg.session.state()["step"] == step
    status, st = js(pg, "POST", "/api/control", {"action": "step"})
    assert status == 200 and st["step"] == step + 1
    status, st = js(pg, "POST", "/api/control", {"action": "reset"})
    assert st["step"] == 0 and st["epoch"] == 0 and not st["running"]
    status, st = js(pg, "POST", "/api/control", {"action": "fly"})
    assert status == 400 and "fly" in st["error"]


def test_training_on_the_circle_gets_the_test_loss_below_0_1_quickly(pg):
    js(pg, "POST", "/api/config", {"layers": [8, 8]})
    js(pg, "POST", "/api/control", {"action": "play"})
    t0 = time.monotonic()
    st = wait_for(pg, lambda s: s["test_loss"] is not None and s["test_loss"] < 0.1, timeout=20)
    assert time.monotonic() - t0 < 20
    assert st["test_accuracy"] > 0.95


def test_state_is_long_polled_and_carries_maps_of_every_unit(pg):
    js(pg, "POST", "/api/config", {"layers": [8, 8]})
    status, st = js(pg, "GET", "/api/state?since=0&client=a")
    assert status == 200 and st["units"] == [8, 8, 1]
    assert [len(m) for m in st["maps"]] == [8, 8, 1]
    import base64
    assert len(base64.b64decode(st["maps"][-1][0])) == 64 * 64         # the output: a 64x64 grid
    assert len(base64.b64decode(st["maps"][0][0])) == 32 * 32          # a hidden unit: every other point of it
    assert [np.shape(w[0]) for w in st["weights"]] == [(2, 8), (8, 8), (8, 1)]
    t0 = time.monotonic()
    status, again = js(pg, "GET", f"/api/state?since={st['version']}&client=a")
    assert again["version"] == st["version"] and time.monotonic() - t0 >= 0.2   # waited for a newer one


def test_each_setting_reaches_the_model(pg):
    s = pg.session
    js(pg, "POST", "/api/config", {"layers": [3, 5, 2], "activation": "relu"})
    assert [layer.units for layer in s.model.layers] == [3, 5, 2, 1]
    assert s.model.layers[0].activation.__name__ == "relu"
    for name, cls, extra in [("sgd", "SGD", 0.0), ("momentum", "SGD", 0.9), ("rmsprop", "RMSprop", None),
                             ("adam", "Adam", None), ("adamw", "AdamW", None)]:
        status, st = js(pg, "POST", "/api/config", {"optimizer": name, "learning_rate": 0.1})
        assert status == 200 and type(s.model.optimizer).__name__ == cls
        assert s.model.optimizer.learning_rate == pytest.approx(0.1)
        if extra is not None:
            assert s.model.optimizer.momentum == extra
    js(pg, "POST", "/api/config", {"regularization": "L2", "reg_rate": 0.01})
    assert s.model.layers[0].kernel_regularizer.l2 == pytest.approx(0.01)
    js(pg, "POST", "/api/config", {"features": ["x1", "x2", "x1*x2", "sin(x1)"]})
    assert s.model.input_shape[-1] == 4 and len(pg.session.layout()["input_maps"]) == 4
    js(pg, "POST", "/api/config", {"ratio": 80, "n_points": 200, "batch_size": 7, "noise": 20})
    lay = s.layout()
    assert (lay["n_train"], lay["n_test"]) == (160, 40) and lay["steps_per_epoch"] == 23
    js(pg, "POST", "/api/config", {"loss": "huber"})
    assert type(s.model.loss).__name__ == "Huber"
    status, st = js(pg, "POST", "/api/config", {"loss": "categorical_crossentropy"})
    assert status == 400 and "loss" in st["error"] and "binary" in st["error"]
    assert type(s.model.loss).__name__ == "Huber"                 # unchanged
    status, st = js(pg, "POST", "/api/config", {"problem": "regression", "dataset": "plane", "loss": "auto"})
    assert status == 200 and s.model.layers[-1].activation.__name__ == "linear"
    assert type(s.model.loss).__name__ == "MeanSquaredError"
    for dataset in ("xor", "gauss", "spiral"):
        assert js(pg, "POST", "/api/config", {"problem": "classification", "dataset": dataset})[0] == 200
    status, st = js(pg, "POST", "/api/config", {"dataset": "digits10"})
    assert status == 200 and s.model.layers[-1].units == 10 and s.layout()["mode"] == "digits"
    js(pg, "POST", "/api/control", {"action": "step"})
    st = s.state()
    assert len(st["kernel_images"]) == 3                          # one 8x8 image per first-layer unit
    assert len(st["mistakes"]) == min(40, st["n_mistakes"]) and st["n_test"] == 359
    status, st = js(pg, "POST", "/api/config", {"dataset": "digits2"})
    assert s.model.layers[-1].units == 1 and s.model.input_shape[-1] == 64


def test_learning_rate_optimizer_and_loss_go_on_from_where_training_is(pg):
    s = pg.session
    js(pg, "POST", "/api/control", {"action": "step"})
    js(pg, "POST", "/api/control", {"action": "step"})
    opt = s.model.optimizer
    weights = [w.copy() for w in s.model.get_weights()]
    status, st = js(pg, "POST", "/api/config", {"learning_rate": 0.3})
    assert status == 200 and st["step"] == 2 and s.model.optimizer is opt       # Adam's moments kept
    assert opt.learning_rate == pytest.approx(0.3)
    js(pg, "POST", "/api/config", {"optimizer": "rmsprop", "loss": "mean_squared_error"})
    assert s.state()["step"] == 2 and type(s.model.optimizer).__name__ == "RMSprop"
    assert all(np.array_equal(a, b) for a, b in zip(weights, s.model.get_weights()))
    status, st = js(pg, "POST", "/api/config", {"learning_rate": 0.1, "loss": "categorical_crossentropy"})
    assert status == 400 and s.cfg["learning_rate"] == 0.3 and type(s.model.loss).__name__ == "MeanSquaredError"
    js(pg, "POST", "/api/config", {"layers": [3]})
    assert s.state()["step"] == 0                                              # a new network starts over


ALL_DATASETS = [("circle", "classification"), ("xor", "classification"), ("gauss", "classification"),
                ("spiral", "classification"), ("plane", "regression"), ("multi_gauss", "regression"),
                ("digits2", "classification"), ("digits10", "classification")]


@pytest.mark.parametrize("dataset, problem", ALL_DATASETS)
def test_every_data_set_explains_its_step_and_its_code_runs(pg, tmp_path, monkeypatch, dataset, problem):
    status, st = js(pg, "POST", "/api/config", {"dataset": dataset, "problem": problem, "loss": "auto",
                                              "noise": 10, "layers": [3]})
    assert status == 200, st
    text = js(pg, "GET", "/api/explain")[1]["text"]
    assert "BACKWARD" in text and "dW[1] = A[0].T @ dZ[1]" in text
    code = js(pg, "GET", "/api/code")[1]["code"].replace("epochs=100", "epochs=1")
    monkeypatch.chdir(tmp_path)
    scope = {"__name__": "playground_code"}
    exec(compile(code, "playground_code.py", "exec"), scope)
    np.testing.assert_array_equal(scope["x_train"], pg.session.d.x_train)
    np.testing.assert_array_equal(scope["y_train"], pg.session.d.y_train)


def test_the_code_of_a_csv_reads_the_same_file_the_same_way(pg, tmp_path, monkeypatch):
    (tmp_path / "houses.csv").write_bytes(GOOD)
    for target in ("label", "price"):
        js(pg, "POST", f"/api/upload?target={target}&name=houses.csv", GOOD)
        code = js(pg, "GET", "/api/code")[1]["code"].replace("epochs=100", "epochs=1")
        monkeypatch.chdir(tmp_path)
        scope = {"__name__": "playground_code"}
        exec(compile(code, "playground_code.py", "exec"), scope)
        np.testing.assert_allclose(scope["x_train"], pg.session.d.x_train, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(scope["y_test"], pg.session.d.y_test, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("change, field", [({"layers": [9]}, "layers"), ({"layers": [1] * 7}, "layers"),
                                           ({"learning_rate": -1}, "learning_rate"), ({"optimizer": "lbfgs"}, "optimizer"),
                                           ({"batch_size": "ten"}, "batch_size"), ({"features": []}, "features"),
                                           ({"features": ["x3"]}, "features"), ({"colour": 1}, "colour"),
                                           ({"dataset": "csv"}, "dataset"), ({"problem": "regression"}, "problem")])
def test_a_bad_setting_is_refused_with_its_name_and_changes_nothing(pg, change, field):
    before = (dict(pg.session.cfg), pg.session.model)
    status, st = js(pg, "POST", "/api/config", change)
    assert status == 400 and field in st["error"]
    assert pg.session.cfg == before[0]


def test_bad_json_and_unknown_paths(pg):
    status, st = js(pg, "POST", "/api/config", b"{not json")
    assert status == 400 and "not JSON" in st["error"]
    assert js(pg, "GET", "/api/nothing")[0] == 404
    assert js(pg, "POST", "/api/nothing", {})[0] == 404


def test_explain_shows_the_equations_of_the_next_step_and_changes_nothing(pg):
    before = [w.copy() for w in pg.session.model.get_weights()]
    status, st = js(pg, "GET", "/api/explain")
    assert status == 200
    for eq in ("Z[1] = A[0] @ W[1] + b[1]", "dZ[3] = (A[3] - Y) / m", "dW[1] = A[0].T @ dZ[1]", "J = (1/m)"):
        assert eq in st["text"]
    assert all(np.array_equal(a, b) for a, b in zip(before, pg.session.model.get_weights()))


def test_the_code_runs_and_trains_the_same_network(pg, tmp_path, monkeypatch):
    js(pg, "POST", "/api/config", {"dataset": "xor", "features": ["x1", "x2", "x1*x2"], "layers": [3],
                                  "optimizer": "momentum", "regularization": "L1", "reg_rate": 0.001})
    status, st = js(pg, "GET", "/api/code")
    code = st["code"].replace("epochs=100", "epochs=2")
    assert "SGD(learning_rate=0.03, momentum=0.9)" in code and "kernel_regularizer=L1(0.001)" in code
    monkeypatch.chdir(tmp_path)
    scope = {"__name__": "playground_code"}
    exec(compile(code, "playground_code.py", "exec"), scope)
    d = pg.session.d
    np.testing.assert_array_equal(scope["x_train"], d.x_train)    # the very same points
    np.testing.assert_array_equal(scope["y_test"], d.y_test)
    assert (tmp_path / "playground.keras").exists()
    assert [layer.units for layer in scope["model"].layers] == [3, 1]


def test_download_is_a_keras_file_of_the_current_model(pg, tmp_path):
    pytest.importorskip("h5py")
    js(pg, "POST", "/api/control", {"action": "step"})
    status, data, r = request(pg, "GET", "/api/download")
    assert status == 200 and "playground.keras" in r.getheader("Content-Disposition")
    path = tmp_path / "m.keras"
    path.write_bytes(data)
    loaded = glassnet.models.load_model(str(path))
    x = pg.session.d.x_test
    np.testing.assert_allclose(loaded.predict(x, verbose=0), pg.session.model.predict(x, verbose=0), rtol=1e-6)


# -- data -------------------------------------------------------------------------------
GOOD = b"size,age,price,label\n" + b"".join(
    f"{a},{b},{a * 2 + b},{int(a > b)}\n".encode() for a, b in np.random.default_rng(0).random((60, 2)) * 10)


def test_a_csv_upload_trains_and_its_columns_choose_the_maps(pg):
    status, st = js(pg, "POST", "/api/upload?target=label&name=C%3A%5Chome%5Chouses.csv", GOOD,
                    headers={"Content-Type": "text/csv"})
    assert status == 200 and st["config"]["dataset"] == "csv"
    lay = pg.session.layout()
    assert lay["columns"] == ["size", "age", "price"] and lay["target"] == "label" and lay["task"] == "binary"
    assert pg.session.model.input_shape[-1] == 3                      # every column trains
    js(pg, "POST", "/api/config", {"map_x": 2, "map_y": 1})
    assert pg.session.layout()["map_columns"] == [2, 1]
    js(pg, "POST", "/api/control", {"action": "play"})
    wait_for(pg, lambda s: s["step"] > 100)
    js(pg, "POST", "/api/control", {"action": "pause"})
    assert pg.session.state()["test_loss"] is not None
    status, st = js(pg, "POST", "/api/target", {"target": "price"})
    assert status == 200 and pg.session.layout()["task"] == "regression"
    assert pg.session.model.layers[-1].activation.__name__ == "linear"
    assert "load_csv('houses.csv', target='price')" in js(pg, "GET", "/api/code")[1]["code"]


def test_a_big_table_trains_in_windows_and_controls_stay_quick(pg):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8000, 2))
    body = b"u,v,t\n" + "".join(f"{a:.3f},{b:.3f},{int(a * b > 0)}\n" for a, b in x).encode()
    assert len(body) < 200_000
    assert js(pg, "POST", "/api/upload?name=big.csv", body)[0] == 200
    assert pg.session.d.steps_per_epoch == 400                      # 4000 training rows, batch 10
    js(pg, "POST", "/api/control", {"action": "play"})
    wait_for(pg, lambda s: s["step"] > 900, timeout=20)               # more than two windows
    t0 = time.monotonic()
    status, st = js(pg, "POST", "/api/control", {"action": "pause"})
    assert status == 200 and time.monotonic() - t0 < 1.5
    st = pg.session.state()
    assert st["epoch"] >= 2 and st["test_loss"] is not None and st["test_accuracy"] > 0.6


@pytest.mark.parametrize("body, words", [
    (b"a,b\n1,2\n3,x\n5,6\n7,8\n9,1\n", ["line 3", "'b'", "'x' is not a number"]),
    (b"", ["empty"]),
    (b"a\n1\n2\n3\n4\n", ["one column"]),
    (b"a,b\n1,2\n3,4\n5\n7,8\n9,1\n", ["line 4", "1 cells"]),
    (b"a,b\n1,2\n", ["at least 4 rows"]),
    (b"\xff\xfe\x00a", ["UTF-8"]),
    (b"a,b\n" + b"".join(f"{i},{i % 30}\n".encode() for i in range(90)), ["too many classes", "regression"]),
    (b"a,b\n1,nan\n3,4\n5,6\n7,8\n", ["line 2", "finite"]),
])
def test_a_bad_csv_gets_a_clear_message_and_leaves_the_model(pg, body, words):
    model = pg.session.model
    status, st = js(pg, "POST", "/api/upload", body, headers={"Content-Type": "text/csv"})
    assert status == 400
    for w in words:
        assert w in st["error"]
    assert pg.session.model is model and pg.session.cfg["dataset"] == "circle"


def test_the_problem_type_decides_how_a_csv_target_is_read(pg):
    many = b"a,b\n" + b"".join(f"{i},{i % 30}\n".encode() for i in range(90))
    assert js(pg, "POST", "/api/upload", many)[0] == 400                  # 30 classes: too many
    js(pg, "POST", "/api/config", {"problem": "regression", "dataset": "plane"})
    status, st = js(pg, "POST", "/api/upload", many)
    assert status == 200 and pg.session.layout()["task"] == "regression"
    status, st = js(pg, "POST", "/api/upload", GOOD)                      # label holds 0 and 1 ...
    assert pg.session.layout()["task"] == "regression"                  # ... read as numbers, as asked
    status, st = js(pg, "POST", "/api/config", {"problem": "classification"})
    assert status == 200 and pg.session.layout()["task"] == "binary"
    assert pg.session.model.layers[-1].activation.__name__ == "sigmoid"


def test_an_unknown_target_names_the_columns(pg):
    status, st = js(pg, "POST", "/api/upload?target=zz", GOOD)
    assert status == 400 and "'zz'" in st["error"] and "size, age, price, label" in st["error"]
    assert js(pg, "POST", "/api/target", {"target": "a"})[0] == 400      # no CSV yet


def test_a_nan_loss_stops_training_says_where_and_offers_reset(pg):
    js(pg, "POST", "/api/config", {"problem": "regression", "dataset": "plane", "features": ["x1^2", "x2^2", "x1*x2"],
                                  "optimizer": "sgd", "learning_rate": 10, "layers": [8, 8], "activation": "relu"})
    js(pg, "POST", "/api/control", {"action": "play"})
    st = wait_for(pg, lambda s: s["error"] is not None)
    assert not st["running"]
    msg = st["error"]["message"]
    assert "NaN or infinite" in msg and "Where it broke: layer" in msg and "press reset" in msg
    assert st["error"]["layer"] in (0, 1, 2)
    status, reply = js(pg, "POST", "/api/control", {"action": "play"})
    assert status == 400 and "reset" in reply["error"]
    status, reply = js(pg, "POST", "/api/control", {"action": "reset"})
    assert status == 200 and reply["error"] is None
    assert all(np.isfinite(w).all() for w in pg.session.model.get_weights())


def test_two_tabs_each_train_their_own_model(pg):
    one = {"X-Playground-Client": "tab-one"}
    two = {"X-Playground-Client": "tab-two"}
    js(pg, "GET", "/api/state?client=tab-one")
    js(pg, "POST", "/api/config", {"layers": [3], "learning_rate": 0.1}, headers=two)
    for _ in range(5):
        js(pg, "POST", "/api/control", {"action": "step"}, headers=one)
    first, second = pg.sessions["tab-one"], pg.sessions["tab-two"]
    assert first is pg.session and second is not first                 # the first tab took the server's
    assert first.step == 5 and second.step == 0
    assert first.cfg["layers"] != second.cfg["layers"] and second.cfg["layers"] == [3]
    assert js(pg, "GET", "/api/state?client=tab-two")[1]["clients"] == 1
    errors = []

    def hammer(i, headers):
        for k in range(15):
            for method, path, body in (("GET", f"/api/state?client=tab-{i}", None),
                                       ("POST", "/api/config", {"learning_rate": 0.01 * (k + 1)}),
                                       ("POST", "/api/control", {"action": "step"})):
                status, _, _ = request(pg, method, path, body, headers=headers)
                if status != 200:
                    errors.append((method, path, status))

    js(pg, "POST", "/api/control", {"action": "play"}, headers=one)
    threads = [threading.Thread(target=hammer, args=(i, h)) for i, h in (("one", one), ("two", two))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and second.step >= 15
    assert request(pg, "GET", "/api/layout")[0] == 200               # still serving


def test_the_number_of_tabs_is_capped_and_a_bad_tab_id_refused(pg, monkeypatch):
    from glassnet.playground import server
    monkeypatch.setattr(server, "MAX_PAGES", 2)
    for tab in ("a1", "a2"):
        assert request(pg, "GET", "/api/layout", headers={"X-Playground-Client": tab})[0] == 200
    status, reply = js(pg, "GET", "/api/layout", headers={"X-Playground-Client": "a3"})
    assert status == 429 and "pages are open" in reply["error"]
    status, reply = js(pg, "GET", "/api/layout", headers={"X-Playground-Client": "../x"})
    assert status == 400 and "client" in reply["error"]


def test_a_page_that_goes_away_mid_request_does_not_hurt_the_server(pg):
    import socket
    s = socket.create_connection(("127.0.0.1", pg.port))
    s.sendall(f"GET /api/state?since=999999 HTTP/1.1\r\nHost: 127.0.0.1:{pg.port}\r\n"
              f"X-Playground-Token: {pg.token}\r\n\r\n".encode())
    s.close()                                                     # gone before the reply
    time.sleep(0.4)
    assert request(pg, "GET", "/api/layout")[0] == 200


def test_training_pauses_when_no_page_is_left(pg, monkeypatch):
    from glassnet.playground import session
    monkeypatch.setattr(session, "IDLE_PAUSE", 0.5)
    js(pg, "POST", "/api/control", {"action": "play"})
    st = wait_for(pg, lambda s: not s["running"], timeout=5)
    assert "no page" in st["notice"]
    step = st["step"]
    time.sleep(0.2)
    assert pg.session.state()["step"] == step


def test_ctrl_c_stops_the_command_cleanly_while_it_trains():
    import os
    import re
    import signal
    import subprocess
    import sys
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(__import__("pathlib").Path(glassnet.__file__).parents[1])]
                                                      + [os.environ.get("PYTHONPATH", "")]))
    # A shell's background job (`pytest ... &`) starts with SIGINT ignored, and a child would
    # inherit that: give the command Ctrl-C's default handling, as a terminal would.
    proc = subprocess.Popen([sys.executable, "-m", "glassnet", "playground", "--no-browser"],
                            stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        line = proc.stderr.readline()
        url = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)", line)
        assert url, line
        conn = http.client.HTTPConnection("127.0.0.1", int(url.group(1)), timeout=10)
        conn.request("POST", "/api/control", body=b'{"action": "play"}',
                     headers={"X-Playground-Token": url.group(2), "Host": f"127.0.0.1:{url.group(1)}"})
        assert conn.getresponse().status == 200
        conn.close()
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        rest = proc.stderr.read()
        assert "stopped" in rest and "Traceback" not in rest
    finally:
        if proc.poll() is None:
            proc.kill()


def test_serve_from_python_with_own_model_and_data():
    from glassnet.keras.layers import Dense
    rng = np.random.default_rng(1)
    x = rng.normal(size=(80, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = glassnet.Sequential([Dense(5, activation="relu"), Dense(1, activation="sigmoid")])
    model.build((None, 3))
    start = [w.copy() for w in model.get_weights()]
    p = Playground(model, (x, y), open_browser=False).start()
    try:
        assert p.session.model is model and p.session.cfg["layers"] == [5]
        assert p.session.layout()["columns"] == ["x1", "x2", "x3"]
        js(p, "POST", "/api/control", {"action": "step"})
        assert not np.array_equal(model.get_weights()[0], start[0])
        js(p, "POST", "/api/control", {"action": "reset"})
        np.testing.assert_array_equal(model.get_weights()[0], start[0])   # reset: the model's own start
        html = p._repr_html_()
        assert "<iframe" in html and p.url in html                           # inline in a notebook
    finally:
        p.stop()
    with pytest.raises(ValueError, match="takes 3 inputs"):
        Playground(model, (x[:, :2], y), open_browser=False)
    with pytest.raises(TypeError, match="data must be"):
        Playground(data=[1, 2], open_browser=False)


def test_cli_playground_reports_mistakes_in_one_line(capsys, tmp_path):
    assert main(["playground", "--target", "y"]) == 2
    assert "--target needs --data" in capsys.readouterr().err
    assert main(["playground", "--port", "http"]) == 2
    assert main(["playground", "--data", str(tmp_path / "missing.csv"), "--no-browser"]) == 2
    assert "missing.csv" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,x\n5,6\n7,8\n")
    assert main(["playground", "--data", str(bad), "--no-browser"]) == 2
    assert "line 3" in capsys.readouterr().err
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["playground", "--port", str(port), "--no-browser"]) == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


# -- the second round's security and data-loss fixes (issue 26, item 3) -----------------------
def test_a_refusal_never_carries_the_token(pg):
    for host in ("evil.example:80", "127.0.0.1:1", "localhost"):
        status, data, _ = request(pg, "GET", "/", token=False, host=host)
        assert status == 403 and pg.token.encode() not in data
    status, data, _ = request(pg, "GET", "/api/state", token=False)
    assert status == 403 and pg.token.encode() not in data


def _trained(pg, steps=30):
    for _ in range(steps):
        js(pg, "POST", "/api/control", {"action": "step"})
    return pg.session.step, [w.copy() for w in pg.session.model.get_weights()]


@pytest.mark.parametrize("change", [{"layers": [9]}, {"problem": "regression", "dataset": "nope"},
                                    {"features": [["x1"]]}, {"activation": ["relu"]}, {}])
def test_a_refused_or_empty_setting_leaves_the_trained_model_as_it_was(pg, change):
    step, weights = _trained(pg)
    status, reply = js(pg, "POST", "/api/config", change)
    assert status in (200, 400) and "Traceback" not in json.dumps(reply)
    if status == 400:
        assert "unhashable" not in reply["error"] and reply["error"].split(":")[0] in {*change}
    assert pg.session.step == step
    for a, b in zip(pg.session.model.get_weights(), weights):
        assert np.array_equal(a, b)


def test_choosing_classification_for_a_regression_csv_keeps_the_model(pg):
    rng = np.random.default_rng(0)
    rows = "\n".join(f"{a:.3f},{b:.3f},{a * 2.5 + b:.4f}" for a, b in rng.random((60, 2)))
    status, _ = js(pg, "POST", "/api/upload?name=r.csv", ("a,b,price\n" + rows).encode())
    assert status == 200
    step, weights = _trained(pg, 10)
    status, reply = js(pg, "POST", "/api/config", {"problem": "classification"})
    assert status == 400 and pg.session.step == step
    for a, b in zip(pg.session.model.get_weights(), weights):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, b'{"a": ' * 50_000 + b"1" + b"}" * 50_000])
def test_deeply_nested_json_is_a_400(pg, body):
    status, reply = js(pg, "POST", "/api/config", body, headers={"Content-Type": "application/json"})
    assert status in (400, 413) and "error" in reply


def test_hostile_csvs_get_a_400_or_are_read(pg):
    status, reply = js(pg, "POST", "/api/upload?name=x.csv", b"a,b,c\n" + b"1," * 2 + b"x" * 200_000 + b"\n")
    assert status in (400, 413) and "Traceback" not in reply["error"]
    rows = "\r".join(f"{i},{i % 3},{i % 2}" for i in range(20))
    status, reply = js(pg, "POST", "/api/upload?name=mac.csv", ("a,b,c\r" + rows).encode())   # CR-only lines
    assert status == 200, reply


def test_upload_while_playing_keeps_playing_on_the_new_data(pg):
    js(pg, "POST", "/api/control", {"action": "play"})
    wait_for(pg, lambda st: st["step"] > 5)
    rows = "\n".join(f"{i % 7},{i % 5},{i % 2}" for i in range(40))
    status, reply = js(pg, "POST", "/api/upload?name=t.csv", ("a,b,c\n" + rows).encode())
    assert status == 200 and reply["running"] is True
    wait_for(pg, lambda st: st["step"] > 5 and st["running"])      # the counter moves on the new data
    js(pg, "POST", "/api/control", {"action": "pause"})


def test_head_wrong_methods_and_error_pages_carry_the_same_headers(pg):
    status, data, r = request(pg, "HEAD", "/?token=" + pg.token, token=False)
    assert status == 200 and data == b"" and int(r.getheader("Content-Length")) > 0
    status, data, r = request(pg, "PUT", "/api/config", {"a": 1})
    assert status == 405 and "frame-ancestors 'self';" in r.getheader("Content-Security-Policy")
    assert json.loads(data)["error"] and b"Traceback" not in data
    _, _, r = request(pg, "GET", "/api/layout")
    assert "frame-ancestors 'self';" in r.getheader("Content-Security-Policy")


def test_fifty_clients_at_once_are_all_answered(pg):
    assert pg.httpd.request_queue_size >= 64
    answers, errors = [], []

    def one():
        try:
            answers.append(request(pg, "GET", "/api/layout")[0])
        except OSError as e:
            errors.append(e)
    threads = [threading.Thread(target=one) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and answers.count(200) == 50


def test_every_endpoint_answers_hostile_input_with_a_4xx_and_keeps_serving(pg):
    """NaN, infinities, negatives, huge numbers, wrong types in every setting; hostile CSVs;
    wrong methods and content types; traversal: never a 5xx or a Traceback."""
    from glassnet.playground.config import DEFAULTS
    bad = [float("nan"), float("inf"), -1, 1e308, 10**30, "", "x" * 5000, None, True, [], {}, [1, "a"], {"a": 1}]
    seen = []
    for key in DEFAULTS:
        for value in bad:
            body = json.dumps({key: value}, allow_nan=True).encode()
            status, data, _ = request(pg, "POST", "/api/config", body, headers={"Content-Type": "application/json"})
            seen.append(status)
            assert status < 500 and b"Traceback" not in data, (key, value, data[:200])
    csvs = [b"", b"\x00\x01\x02" * 500, b"a\n", b"=cmd|' /C calc'!A0,b,c\n1,2,3\n4,5,6\n7,8,9\n1,2,3\n",
            b",".join(b"c%d" % i for i in range(10000)) + b"\n" + b",".join(b"1" for _ in range(10000)),
            b"a,b,c\n" + b"nan,inf,1\n" * 6, b"a,a,b\n" + b"1,2,3\n" * 6]
    for raw in csvs:
        for target in ("", "zz", "../x"):
            status, data, _ = request(pg, "POST", f"/api/upload?name=f.csv&target={target}", raw,
                                      headers={"Content-Type": "text/csv"})
            assert status < 500 and b"Traceback" not in data, (raw[:30], target, data[:200])
    for path in ("/static/../server.py", "/static/%2e%2e/server.py", "/api/state?since=-1",
                 "/api/state?since=99999999999999999999", "//", "/static/"):
        status, _, _ = request(pg, "GET", path)
        assert status < 500, path
    for method in ("PUT", "DELETE", "OPTIONS", "PATCH"):
        assert request(pg, method, "/api/config", {"a": 1})[0] == 405
    assert 400 in seen and request(pg, "GET", "/api/layout")[0] == 200          # still serving


# -- the convnet on the digits ---------------------------------------------------------------
def test_the_convnet_on_the_digits_trains_and_draws_its_filters_and_feature_maps(pg, tmp_path, monkeypatch):
    import base64
    status, st = js(pg, "POST", "/api/config", {"dataset": "digits10", "network": "convnet", "learning_rate": 0.01})
    assert status == 200 and st["config"]["network"] == "convnet"
    kinds = [type(layer).__name__ for layer in pg.session.model.layers]
    assert kinds == ["Conv2D", "MaxPooling2D", "Flatten", "Dense"]
    assert js(pg, "GET", "/api/layout")[1]["mode"] == "conv"
    c = js(pg, "GET", "/api/state?since=0")[1]["conv"]
    assert [len(base64.b64decode(f)) for f in c["filters"]] == [9] * 8          # 8 filters of 3x3
    assert [len(base64.b64decode(m)) for m in c["maps"]] == [36] * 8           # their maps of the digit: 6x6
    assert [len(base64.b64decode(m)) for m in c["pooled"]] == [9] * 8          # max-pooled: 3x3
    assert len(c["probs"]) == 10 and abs(sum(c["probs"]) - 1) < 1e-3
    kernel = pg.session.model.layers[0].get_weights()[0]
    assert np.argmax(np.abs(kernel[:, :, 0, 0].ravel())) == np.argmax(np.abs(
        np.frombuffer(base64.b64decode(c["filters"][0]), np.uint8).astype(float) - 127.5))   # the real filter
    js(pg, "POST", "/api/control", {"action": "play"})
    st = wait_for(pg, lambda s: s["test_accuracy"] is not None and s["test_accuracy"] > 0.85 and s["step"] > 200,
                  timeout=40)
    js(pg, "POST", "/api/control", {"action": "pause"})
    later = pg.session.state()["conv"]
    assert later["filters"] != c["filters"] and later["maps"] != c["maps"]     # drawn live, as it learns
    # another test digit: only its maps change, not the model
    weights, step = [w.copy() for w in pg.session.model.get_weights()], pg.session.step
    status, st = js(pg, "POST", "/api/config", {"digit": 7})
    assert status == 200 and pg.session.state()["conv"]["digit"] == 7
    assert pg.session.state()["conv"]["maps"] != later["maps"] and pg.session.step == step
    assert all(np.array_equal(a, b) for a, b in zip(weights, pg.session.model.get_weights()))
    assert pg.session.state()["n_test"] == 359 and all("i" in m for m in pg.session.state()["mistakes"])
    # the code: the Keras program of this convnet, which runs
    code = js(pg, "GET", "/api/code")[1]["code"]
    for line in ("Conv2D(8, 3, activation='tanh', name='conv')", "MaxPooling2D(2, name='pool')", "Flatten(",
                 "Input(shape=(8, 8, 1))", "x_train.reshape(-1, 8, 8, 1)"):
        assert line in code
    code = code.replace(f"epochs={pg.session.step // pg.session.d.steps_per_epoch or 100}", "epochs=1")
    monkeypatch.chdir(tmp_path)
    scope = {"__name__": "playground_code"}
    exec(compile(code, "playground_code.py", "exec"), scope)
    np.testing.assert_array_equal(scope["x_train"], pg.session.d.x_train)
    assert [type(layer).__name__ for layer in scope["model"].layers] == kinds
    assert "BACKWARD" in js(pg, "GET", "/api/explain")[1]["text"]
    # back to a 2-D set with Dense layers
    status, st = js(pg, "POST", "/api/config", {"dataset": "circle", "network": "dense"})
    assert status == 200 and "conv" not in js(pg, "GET", "/api/state?since=0")[1]


@pytest.mark.parametrize("change, words", [
    ({"network": "cnn"}, ["network", "'cnn'"]),
    ({"network": 1}, ["network"]),
    ({"network": "convnet", "dataset": "circle"}, ["network", "8x8 images", "'circle'"]),
    ({"dataset": "xor"}, ["network", "'xor'"]),               # still the convnet: a 2-D set is refused
    ({"digit": -1}, ["digit"]), ({"digit": "seven"}, ["digit"]), ({"digit": 2.5}, ["digit"]),
    ({"digit": True}, ["digit"]), ({"digit": 359}, ["digit", "0 to 358"]),
    ({"digit": 10**9}, ["digit"]), ({"digit": None}, ["digit"]),
])
def test_the_convnet_refuses_bad_input_and_changes_nothing(pg, change, words):
    assert js(pg, "POST", "/api/config", {"dataset": "digits10", "network": "convnet"})[0] == 200
    js(pg, "POST", "/api/control", {"action": "step"})
    s = pg.session
    before = (dict(s.cfg), s.model, [w.copy() for w in s.model.get_weights()], s.step, s.d, s.frame_version)
    status, st = js(pg, "POST", "/api/config", change)
    assert status == 400, st
    assert all(w in st["error"] for w in words), st["error"]
    assert (s.cfg, s.model, s.step, s.d) == (before[0], before[1], before[3], before[4])
    assert all(np.array_equal(a, b) for a, b in zip(before[2], s.model.get_weights()))
    assert s.frame_version == before[5]                     # not even a redraw


def test_a_csv_upload_while_in_the_convnet_trains_dense_layers_on_it(pg):
    js(pg, "POST", "/api/config", {"dataset": "digits2", "network": "convnet"})
    js(pg, "POST", "/api/control", {"action": "play"})
    status, st = js(pg, "POST", "/api/upload?name=houses.csv", GOOD)
    assert status == 200 and st["config"]["network"] == "dense" and st["running"]
    assert pg.session.d.mode == "2d"
    wait_for(pg, lambda s: s["step"] > 50)


def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_memory_stays_flat_over_many_steps_resets_and_pages(pg, monkeypatch):
    """A long session in short: play, poll, step, reset, switch data sets, a new tab each round
    (each its own model, freed when it goes quiet). What the session keeps is bounded, and the
    process's memory does not grow in the second half."""
    from glassnet.playground import server
    monkeypatch.setattr(server, "IDLE_PAGE", 0.3)
    s = pg.session

    def round_(k):
        for dataset, extra in (("circle", {}), ("digits10", {"network": "convnet"}), ("xor", {"network": "dense"})):
            assert js(pg, "POST", "/api/config", dict(extra, dataset=dataset))[0] == 200
            js(pg, "POST", "/api/control", {"action": "play"})
            version, end = 0, time.monotonic() + 0.25
            while time.monotonic() < end:                     # a page polling, under a new id each round
                version = js(pg, "GET", f"/api/state?since={version}&client=p{k}")[1]["version"]
            for _ in range(5):
                js(pg, "POST", "/api/control", {"action": "step"})
            js(pg, "POST", "/api/control", {"action": "reset"})
        assert js(pg, "POST", "/api/upload?name=h.csv", GOOD)[0] == 200

    for k in range(3):                                       # warm up: every path's first allocations
        round_(k)
    rss = [_rss_mb()]
    for k in range(4, 12):
        round_(k)
        rss.append(_rss_mb())
    half = rss[len(rss) // 2:]
    print("RSS (MB) after each round:", [round(r, 1) for r in rss])
    assert half[-1] - half[0] < max(0.10 * half[0], 8), rss  # flat: under 10% (or 8 MB of allocator noise)
    assert len(s.history) <= 300 and len(s.trace.history.get("step", ())) <= 301
    assert len(pg.sessions) <= 3                             # the quiet tabs' models were freed


def test_the_playground_process_keeps_numpy_kernels_so_memory_stays_flat():
    """glassnet's "auto" kernels load numba (~100 MB) once weights x steps reach 10**8: for the
    page's 113-weight network, 3-4 minutes into a session. The playground's own process
    (serve_forever, as 'glassnet playground' runs) keeps NumPy's; a user's choice is kept."""
    before = glassnet.config.kernels()
    try:
        for chosen, expected in (("auto", "numpy"), ("numba", "numba")):
            if chosen == "numba" and __import__("importlib").util.find_spec("numba") is None:
                continue
            glassnet.config.set_kernels(chosen)
            pg = Playground(open_browser=False)
            t = threading.Thread(target=pg.serve_forever, daemon=True)
            t.start()
            try:
                assert request(pg, "GET", "/api/layout")[0] == 200
                assert glassnet.config.kernels() == expected
            finally:
                pg.httpd.shutdown()
                t.join(timeout=10)
            assert not t.is_alive()
    finally:
        glassnet.config.set_kernels(before)
