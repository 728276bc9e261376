"""``glassnet playground``: a page in the browser where a real glassnet ``Sequential`` learns
in front of you (TensorFlow Playground's controls, your own CSV, the digits, every optimizer
and loss, the math of one step, the Trace's diagnosis, the code, the ``.keras`` file).

From the command line: ``glassnet playground [--data CSV --target COL] [--port N] [--no-browser]``.
From Python or a notebook::

    import glassnet.playground
    glassnet.playground.serve()                  # blocks until Ctrl-C; in a notebook, shows the page inline
    glassnet.playground.serve(model, (x, y))     # start from your own model and data

The server listens on 127.0.0.1 only and wants the random token that is in the URL it prints.

>>> from glassnet.playground import Playground
>>> pg = Playground(open_browser=False).start()
>>> pg.url.startswith("http://127.0.0.1:") and "token=" in pg.url
True
>>> pg.stop()
"""
from .server import Playground, serve

__all__ = ["serve", "Playground"]
