"""The playground during a real browser session: the page's frame rate, the training steps
per second, the time each picture costs, and the server's memory over a long session.

    python bench/playground.py                        # 20 s, the 2-8-8-1 network on the circle
    python bench/playground.py --seconds 480          # the long session: 8 minutes
    python bench/playground.py --network convnet      # the convnet on the digits
    python bench/playground.py --chromium /path/to/chrome --layers 8,8 --every 30

The server runs in its own process (its RSS is read from /proc), headless Chromium shows the
page and presses play. Targets (issue 26): the decision map redraws at >= 30 frames a second
while training, training keeps >= 1,000 steps a second, and the server's RSS grows by less than
10% over the second half of the session. The machine may be busy: the bench first measures a
blank page's requestAnimationFrame rate in the same browser (the most any page gets now), and
prints the load average, the page's time per picture (waiting for it, drawing it) and the
server's (rendering and encoding it), so the headroom on a quiet machine shows.
Needs Playwright (``pip install playwright``) and a Chromium (``apt-get install -y chromium``).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TARGET_FPS, TARGET_STEPS, TARGET_GROWTH = 30, 1000, 0.10

SERVER = """
import json, sys, threading
from glassnet.playground import Playground
pg = Playground(open_browser=False)
pg.session.configure(json.loads(sys.argv[1]))
print(pg.url, flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), pg.httpd.shutdown()), daemon=True).start()
pg.serve_forever()                  # as 'glassnet playground' serves, until the bench closes our stdin
"""

BLANK = """<canvas id=c width=320 height=320></canvas><script>
window.n = 0; const ctx = document.getElementById('c').getContext('2d');
(function f() { window.n++; ctx.fillRect(window.n % 300, 0, 10, 10); requestAnimationFrame(f); })();
</script>"""


def rss_mb(pid) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="how long to train and measure (default 20; 480 = 8 min)")
    ap.add_argument("--every", type=float, default=None, help="seconds between two samples (default: seconds/8)")
    ap.add_argument("--chromium", default=os.environ.get("GLASSNET_CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--network", choices=["dense", "convnet"], default="dense",
                    help="dense: the circle; convnet: Conv2D on the 8x8 digits")
    ap.add_argument("--layers", default="8,8", help="hidden layers of the dense network (default 8,8: 2-8-8-1)")
    ap.add_argument("--points", type=int, default=500)
    ap.add_argument("--batch-size", type=int, default=10)
    args = ap.parse_args(argv)
    if not os.path.exists(args.chromium):
        print(f"no Chromium at {args.chromium}: apt-get install -y chromium, or --chromium PATH", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    layers = [int(u) for u in args.layers.split(",") if u]
    if args.network == "convnet":
        cfg = {"dataset": "digits10", "network": "convnet", "learning_rate": 0.01, "batch_size": args.batch_size}
        what = "the convnet Conv2D(8,3)-MaxPooling2D-Flatten-Dense(10) on the 8x8 digits"
    else:
        cfg = {"dataset": "circle", "n_points": args.points, "layers": layers, "batch_size": args.batch_size}
        what = f"{'-'.join(map(str, [2] + layers + [1]))} on the circle, {args.points} points"
    every = args.every or max(1.0, args.seconds / 8)
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    server = subprocess.Popen([sys.executable, "-c", SERVER, json.dumps(cfg)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, env=env, text=True)
    samples = []
    try:
        url = server.stdout.readline().strip()
        if not url.startswith("http"):
            print("the playground server did not start", file=sys.stderr)
            return 2
        load0 = os.getloadavg()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
            blank = browser.new_page(viewport={"width": 400, "height": 400})
            blank.set_content(BLANK)
            time.sleep(0.5)
            n0, t0 = blank.evaluate("window.n"), time.perf_counter()
            time.sleep(3.0)
            ceiling = (blank.evaluate("window.n") - n0) / (time.perf_counter() - t0)
            blank.close()
            page = browser.new_page(viewport={"width": 1280, "height": 940}, bypass_csp=True)  # for the probes
            page.goto(url)
            page.wait_for_function("window.__playground && window.__playground.frames > 0")
            page.click("#play")
            time.sleep(2.0)                               # warm up
            start = time.perf_counter()

            def sample():
                m = page.evaluate("window.__playground")
                samples.append({"t": time.perf_counter() - start, "frames": m["frames"], "step": m["lastStep"],
                                "version": m.get("version", 0),
                                "rss": rss_mb(server.pid), "draw": m.get("drawMs", 0), "poll": m.get("pollMs", 0)})
            sample()
            print(f"{'time s':>7} {'frames/s':>9} {'steps/s':>9} {'server RSS MB':>14}")
            while samples[-1]["t"] < args.seconds:
                time.sleep(max(0.0, min(every, args.seconds - samples[-1]["t"])))
                sample()
                a, b = samples[-2], samples[-1]
                dt = b["t"] - a["t"]
                print(f"{b['t']:7.0f} {(b['frames'] - a['frames']) / dt:9.1f} {(b['step'] - a['step']) / dt:9.0f} "
                      f"{b['rss']:14.1f}", flush=True)
            render_ms = page.evaluate("fetch('/api/state?since=0', {headers: {'X-Playground-Token': "
                                      "document.querySelector('meta[name=playground-token]').content}})"
                                      ".then(r => r.json()).then(s => s.render_ms)")
            test_loss = page.text_content("#test-loss")
            browser.close()
        load1 = os.getloadavg()
    finally:
        if server.poll() is None:
            server.stdin.close()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    first, last = samples[0], samples[-1]
    span = last["t"] - first["t"]
    fps, steps = (last["frames"] - first["frames"]) / span, (last["step"] - first["step"]) / span
    mid = min(samples, key=lambda s: abs(s["t"] - span / 2))
    growth = (last["rss"] - mid["rss"]) / mid["rss"]
    published = (last["version"] - first["version"]) / span
    per_frame = (render_ms or 0) + last["draw"]
    print(f"\nglassnet playground, {what}, batch {args.batch_size}, {span:.0f} s in headless Chromium, "
          f"{os.cpu_count()} CPUs, load average {load0[0]:.1f} at the start and {load1[0]:.1f} at the end")
    print(f"a blank page's animation frames  {ceiling:8.1f} frames/s   (the most any page gets on this machine now)")
    print(f"page frame rate                  {fps:8.1f} frames/s   target >= {TARGET_FPS}       "
          f"{'PASS' if fps >= TARGET_FPS else 'FAIL'}  ({fps / ceiling:.0%} of the blank page's)")
    print(f"training speed                   {steps:8.0f} steps/s    target >= {TARGET_STEPS}     "
          f"{'PASS' if steps >= TARGET_STEPS else 'FAIL'}")
    print(f"server RSS                       {first['rss']:.1f} -> {mid['rss']:.1f} (half) -> {last['rss']:.1f} MB: "
          f"{growth:+.1%} over the second half   target < {TARGET_GROWTH:.0%}   "
          f"{'PASS' if growth < TARGET_GROWTH else 'FAIL'}")
    print(f"work per picture: the server renders and encodes it in {render_ms} ms, the page draws it in "
          f"{last['draw']:.1f} ms ({per_frame:.1f} ms together: room for {1000 / max(per_frame, 1e-3):.0f} a second "
          f"on one core); the server published {published:.1f} pictures a second (at most 50), the page "
          f"waited {last['poll']:.1f} ms for each")
    print(f"test loss at the end: {test_loss}")
    return 0 if fps >= TARGET_FPS and steps >= TARGET_STEPS and growth < TARGET_GROWTH else 1


if __name__ == "__main__":
    sys.exit(main())
