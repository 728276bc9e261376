"""The playground's HTTP server: the standard library's ``ThreadingHTTPServer``, on
127.0.0.1 only, a JSON API and the page's files from the package.

Security, as Jupyter does it: a random token in the URL; every request must carry it (in
the query, the ``X-Playground-Token`` header, or the cookie set on the first visit), and
must name this server in ``Host`` (and in ``Origin`` when there is one), so another web
page cannot drive it (DNS rebinding, cross-site requests). Bodies are size-capped.

The API (all JSON unless said)::

    GET  /                     the page (sets the cookie)
    GET  /static/<file>        app.js, style.css
    GET  /api/state?since=V    the latest picture, waiting up to 0.25 s for one newer than V
    GET  /api/layout           data points, input maps, column names (change with the settings)
    GET  /api/explain          {"text": glassnet.explain(...) for the next batch}
    GET  /api/code             {"code": the program}
    GET  /api/download         the model as a .keras file
    POST /api/config           {"setting": value, ...}
    POST /api/control          {"action": "play" | "pause" | "step" | "reset"}
    POST /api/upload?target=C&name=F  the CSV itself as the body (F: its file name, for the code)
    POST /api/target           {"target": column}
"""
from __future__ import annotations

import csv
import copy
import hmac
import json
import re
import secrets
import sys
import threading
import time
import traceback
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from urllib.parse import parse_qs, urlsplit

import glassnet

from .session import Session

__all__ = ["Playground", "serve"]

MAX_UPLOAD = 10 * 1024 * 1024      # bytes of CSV
MAX_PAGES = 8                       # tabs training at once, each its own model
IDLE_PAGE = 120.0                   # seconds after which a tab that stopped asking gives its place
_CLIENT = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_JSON = 64 * 1024
_STATIC = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}


class _Refused(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class _Handler(BaseHTTPRequestHandler):
    server_version = "glassnet-playground"
    protocol_version = "HTTP/1.1"
    timeout = 30                                    # seconds an idle keep-alive connection is kept
    disable_nagle_algorithm = True                  # TCP_NODELAY: a reply's last small segment is not held
                                                    # back ~40 ms for the page's delayed ACK (it capped the map at ~20 fps)

    def log_message(self, format, *args):      # quiet: the page's polling would flood the terminal
        pass

    # -- checks ---------------------------------------------------------------------------
    def _check(self):
        pg = self.server.playground
        host = self.headers.get("Host", "")
        if host not in pg.hosts:                    # (the token goes only where the request carried it)
            raise _Refused(403, f"refused: Host {host!r} is not this server; open the URL that 'glassnet "
                                "playground' printed")
        origin = self.headers.get("Origin")
        if origin is not None and origin not in pg.origins:
            raise _Refused(403, f"refused: a request from the page at {origin!r}, not from the playground")
        query = parse_qs(urlsplit(self.path).query)
        given = (query.get("token") or [None])[0] or self.headers.get("X-Playground-Token")
        if given is None:
            cookie = SimpleCookie(self.headers.get("Cookie", ""))
            if pg.cookie_name in cookie:
                given = cookie[pg.cookie_name].value
        if not given or not hmac.compare_digest(given.encode(), pg.token.encode()):
            raise _Refused(403, "refused: this playground wants its token: open the URL that 'glassnet playground' "
                           "printed (it ends in ?token=...)")
        return query

    def _body(self, limit):
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise _Refused(411, "send the body with a Content-Length")
        n = int(length)
        if n > limit:
            self.close_connection = True         # the body stays unread
            raise _Refused(413, f"too large: {n} bytes; the limit is {limit} bytes ({limit / 2**20:.0f} MB)")
        return self.rfile.read(n)

    def _json_body(self):
        try:
            return json.loads(self._body(MAX_JSON) or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ValueError(f"request body: not JSON ({e})") from None
        except RecursionError:
            raise ValueError("request body: JSON nested too deeply") from None

    # -- replies --------------------------------------------------------------------------
    def _send(self, status, body: bytes, ctype="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; "
                         "frame-ancestors 'self'; connect-src 'self'")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, obj, status=200):
        self._send(status, json.dumps(obj, allow_nan=False).encode())

    def _error(self, status, message):
        self._json({"error": message}, status)

    def _handle(self, route):
        try:
            query = self._check()
            route(query)
        except _Refused as e:
            self._error(e.status, str(e))
        except (ValueError, TypeError) as e:         # the user's input: the page shows it
            self._error(400, str(e))
        except csv.Error as e:                     # a CSV the reader cannot take (a huge cell, bare CRs)
            self._error(400, f"the CSV cannot be read: {e}")
        except ImportError as e:
            self._error(501, f"{e}: install it with pip install 'glassnet[files]'")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True           # the tab went away
        except Exception as e:                     # a bug: say it, keep serving
            traceback.print_exc()
            try:
                self._error(500, f"internal error: {type(e).__name__}: {e}")
            except OSError:
                self.close_connection = True

    def do_GET(self):
        self._handle(self._get)

    def do_HEAD(self):                              # GET's headers, no body (_send leaves it out)
        self._handle(self._get)

    def do_POST(self):
        self._handle(self._post)

    def send_error(self, code, message=None, explain=None):
        """The standard library's own refusals (a method it has no handler for, a malformed
        request line) as this server's JSON, with the same headers (CSP included)."""
        self.close_connection = True
        if code == 501:                             # a method with no handler: the client's mistake, a 4xx
            code, message = 405, f"method {self.command!r} is not allowed here (GET, HEAD, POST)"
        try:
            self._error(code, message or f"refused ({code})")
        except OSError:
            pass

    def _session(self, query):
        """This tab's session: the page names itself (``X-Playground-Client``, or ``client=``)."""
        client = self.headers.get("X-Playground-Client") or (query.get("client") or [None])[0]
        return self.server.playground.session_for(client)

    def _get(self, query):
        pg = self.server.playground
        path = urlsplit(self.path).path
        s = pg.session if path in ("/", "/index.html") or path.startswith("/static/") else self._session(query)
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            page = resources.files(__package__).joinpath("static/index.html").read_text("utf-8")
            page = page.replace("{{TOKEN}}", pg.token)
            cookie = f"{pg.cookie_name}={pg.token}; Path=/; HttpOnly; SameSite=Strict"
            self._send(200, page.encode(), "text/html; charset=utf-8", [("Set-Cookie", cookie)])
        elif path.startswith("/static/") and path[8:] in _STATIC:
            data = resources.files(__package__).joinpath("static", path[8:]).read_bytes()
            self._send(200, data, _STATIC[path[8:]])
        elif path == "/api/state":
            since = (query.get("since") or ["0"])[0]
            client = (query.get("client") or [None])[0]
            version, frame = s.wait_frame(int(since) if since.isdigit() else 0, client)
            clients = s.n_clients
            extra = json.dumps({"version": version, "clients": clients}).encode()
            self._send(200, frame[:-1] + b"," + extra[1:] if len(frame) > 2 else extra)
            s.sent(version)
        elif path == "/api/layout":
            self._json(s.layout())
        elif path == "/api/explain":
            self._json({"text": s.explain()})
        elif path == "/api/code":
            self._json({"code": s.code()})
        elif path == "/api/download":
            self._send(200, s.keras_bytes(), "application/octet-stream",
                       [("Content-Disposition", 'attachment; filename="playground.keras"')])
        else:
            self._error(404, f"no such page: {path}")

    def _post(self, query):
        s = self._session(query)
        path = urlsplit(self.path).path
        if path == "/api/config":
            self._json(_light(s.configure(self._json_body())))
        elif path == "/api/control":
            body = self._json_body()
            self._json(_light(s.control(body.get("action") if isinstance(body, dict) else None)))
        elif path == "/api/upload":
            raw = self._body(self.server.playground.max_upload)
            self._json(_light(s.upload(raw, (query.get("target") or [None])[0], (query.get("name") or [None])[0])))
        elif path == "/api/target":
            body = self._json_body()
            self._json(_light(s.choose_target(body.get("target", "") if isinstance(body, dict) else "")))
        else:
            self._error(404, f"no such action: {path}")


def _light(state):
    """A control's reply: the counters, not the pictures (the page polls those)."""
    keep = ("step", "epoch", "running", "train_loss", "test_loss", "error", "notice", "config", "setup", "version")
    return {k: state.get(k) for k in keep}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
    request_queue_size = 128                        # the listen backlog: 50 clients at once, no dropped handshakes

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class Playground:
    """A playground server. ``start()`` serves in a background thread, ``serve_forever()`` in
    this one (Ctrl-C stops it), ``stop()`` ends both the server and the training.
    In a notebook, the object shows the page inline."""

    def __init__(self, model=None, data=None, port=None, open_browser=True, target=None,
                 max_upload: int = MAX_UPLOAD):
        if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535):
            raise ValueError(f"port: give a whole number from 0 to 65535 (0 or None: any free port), got {port!r}")
        self._start = (copy.deepcopy(model), data, target)     # what each new tab starts from
        self.session = Session(model, data, target)          # the first tab's (and the API's without one)
        self.sessions: dict[str, Session] = {}                # tab id -> its own session
        self._seen: dict[str, float] = {}
        self._owner = None                                    # the tab that took self.session
        self._pages_lock = threading.Lock()
        self.token = secrets.token_urlsafe(24)
        self.max_upload = int(max_upload)
        try:
            self.httpd = _Server(("127.0.0.1", port or 0), _Handler)
        except OSError:
            self.session.stop()
            raise
        self.httpd.playground = self
        self.port = self.httpd.server_address[1]
        self.hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.origins = {f"http://{h}" for h in self.hosts}
        self.cookie_name = f"glassnet_playground_{self.port}"
        self.url = f"http://127.0.0.1:{self.port}/?token={self.token}"
        self.open_browser = open_browser
        self._thread = None

    def session_for(self, client) -> Session:
        """Each tab trains its own model: the first tab takes the server's session, each later
        one gets a new session from the same start (at most ``MAX_PAGES``; a tab that stopped
        asking for ``IDLE_PAGE`` seconds gives its place). No tab id: the first session."""
        if not client:
            return self.session
        if not _CLIENT.fullmatch(client):
            raise ValueError("client: a page id is 1 to 64 letters, digits, '-' or '_'")
        now = time.monotonic()
        with self._pages_lock:
            s = self.sessions.get(client)
            if s is None:
                for c in [c for c, t in self._seen.items() if now - t > IDLE_PAGE and c != self._owner]:
                    self.sessions.pop(c).stop()
                    del self._seen[c]
                if self._owner is None:
                    self._owner, s = client, self.session
                elif len(self.sessions) >= MAX_PAGES:
                    raise _Refused(429, f"{MAX_PAGES} pages are open on this playground, each training its own "
                                        "model; close one (or wait two minutes after closing it)")
                else:
                    model, data, target = self._start
                    s = Session(copy.deepcopy(model), data, target)
                self.sessions[client] = s
            self._seen[client] = now
            return s

    def _open(self):
        if self.open_browser:
            import webbrowser
            threading.Thread(target=webbrowser.open, args=(self.url,), daemon=True).start()

    def start(self) -> "Playground":
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="glassnet-playground-http", daemon=True)
        self._thread.start()
        self._open()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until Ctrl-C (or ``httpd.shutdown()``): the process is the
        playground's. Its networks are small (at most a few thousand weights), so NumPy's
        optimizer kernels stay in force: glassnet's "auto" would load numba once weights x
        steps reach 10**8 (a few minutes into a session), ~100 MB of memory that never pays off
        here. A choice the user made (``glassnet.config.set_kernels``) is kept."""
        if glassnet.config.kernels() == "auto":
            glassnet.config.set_kernels("numpy")
        self._open()
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            print("\nglassnet playground: stopped.", file=sys.stderr)
        finally:
            self.stop()

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()
        self.session.stop()
        with self._pages_lock:
            for s in self.sessions.values():
                if s is not self.session:
                    s.stop()
            self.sessions.clear()

    def _repr_html_(self) -> str:
        return (f'<iframe src="{self.url}" width="100%" height="900" style="border:1px solid #ddd" '
                f'title="glassnet playground"></iframe><div><a href="{self.url}" target="_blank">open in a tab</a> '
                f"&middot; <code>.stop()</code> ends it</div>")

    def __repr__(self):
        return f"<glassnet playground at {self.url}>"


def _in_notebook() -> bool:
    """True inside Jupyter (an IPython kernel); imports nothing."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def serve(model=None, data=None, port=None, open_browser=True, target=None):
    """Start the playground on 127.0.0.1 and open it in the browser.

    Args:
        model: a glassnet ``Sequential`` to start from (default: the page's own 2-4-2-1 network).
        data: ``(x, y)`` arrays or the path of a CSV (default: the circle).
        port: the port (default: any free one).
        open_browser: open the page in the default browser.
        target: the CSV's column to predict (default: the last).

    In a terminal, serves until Ctrl-C. In a notebook, serves in the background and returns
    the :class:`Playground`, which shows the page inline; call ``.stop()`` to end it.

    >>> import glassnet.playground
    >>> glassnet.playground.serve()                               # doctest: +SKIP
    glassnet playground: http://127.0.0.1:50123/?token=...
    >>> glassnet.playground.serve(model, (x_train, y_train))      # doctest: +SKIP
    """
    notebook = _in_notebook()
    pg = Playground(model, data, port, open_browser and not notebook, target)
    if notebook:
        return pg.start()
    print(f"glassnet playground: {pg.url}\n(Ctrl-C stops it)", file=sys.stderr, flush=True)
    pg.serve_forever()
    return pg
