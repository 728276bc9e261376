"""The playground's speed during a real browser session: the page's frame rate and the
training steps per second, for TensorFlow Playground's 2-8-8-1 network on 500 points.

    python bench/playground.py                 # 10 s of training, Chromium at /usr/bin/chromium
    python bench/playground.py --seconds 20 --chromium /path/to/chrome --layers 8,8

Targets (issue 14): the page redraws at least 20 times a second, and training keeps at least
1,000 steps a second. The page counts the pictures it draws (``window.__playground.frames``);
the server counts the gradient steps. Needs Playwright (``pip install playwright``) and a
Chromium (``apt-get install -y chromium``); glassnet comes from ``src/`` if not installed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TARGET_FPS, TARGET_STEPS = 20, 1000


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="how long to measure (default 10)")
    ap.add_argument("--chromium", default=os.environ.get("GLASSNET_CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--layers", default="8,8", help="hidden layers (default 8,8: the 2-8-8-1 network)")
    ap.add_argument("--points", type=int, default=500)
    ap.add_argument("--batch-size", type=int, default=10)
    args = ap.parse_args(argv)
    if not os.path.exists(args.chromium):
        print(f"no Chromium at {args.chromium}: apt-get install -y chromium, or --chromium PATH", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    import glassnet
    from glassnet.playground import Playground

    layers = [int(u) for u in args.layers.split(",") if u]
    pg = Playground(open_browser=False).start()
    try:
        pg.session.configure({"dataset": "circle", "n_points": args.points, "layers": layers,
                              "batch_size": args.batch_size})
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 940}, bypass_csp=True)  # for the probes
            page.goto(pg.url)
            page.wait_for_function("window.__playground && window.__playground.frames > 0")
            page.click("#play")
            time.sleep(1.0)                               # warm up
            f0, s0, t0 = page.evaluate("window.__playground.frames"), pg.session.state()["step"], time.perf_counter()
            time.sleep(args.seconds)
            f1, s1, t1 = page.evaluate("window.__playground.frames"), pg.session.state()["step"], time.perf_counter()
            test_loss = page.text_content("#test-loss")
            timing = page.evaluate("window.__playground")
            browser.close()
    finally:
        pg.stop()
    fps, steps = (f1 - f0) / (t1 - t0), (s1 - s0) / (t1 - t0)
    net = "-".join(map(str, [2] + layers + [1]))
    print(f"glassnet {glassnet.__version__} playground, {net} on {args.points} points "
          f"({args.points // 2} train), batch {args.batch_size}, {args.seconds:g} s in headless Chromium, "
          f"{os.cpu_count()} CPUs")
    print(f"page frame rate   {fps:8.1f} frames/s   target >= {TARGET_FPS}      "
          f"{'PASS' if fps >= TARGET_FPS else 'FAIL'}")
    print(f"training speed    {steps:8.0f} steps/s    target >= {TARGET_STEPS}    "
          f"{'PASS' if steps >= TARGET_STEPS else 'FAIL'}")
    print(f"test loss at the end: {test_loss}; the page spends {timing.get('drawMs', 0):.1f} ms drawing a frame "
          f"and waits {timing.get('pollMs', 0):.1f} ms for the next one")
    return 0 if fps >= TARGET_FPS and steps >= TARGET_STEPS else 1


if __name__ == "__main__":
    sys.exit(main())
