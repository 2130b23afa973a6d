"""How fast the quick exit hides the page and starts leaving, measured in Chromium.

    /work/main/.venv/bin/python bench/exit_timing.py [runs]

For Escape, triple Shift and a click on "Leave this site", over several runs, it prints the
median time from the input event (its timeStamp) to:
  - cover set:   the class is on <html> (in the same task, after exit.js's handler);
  - cover frame: the next animation frame callback, in the first frame rendered with the cover;
  - nav start:   the neutral page's navigation start (its performance.timeOrigin), which is
                 location.replace() inside exit.js's handler, so it can be a touch below "cover set"
                 (measured after the handler has returned);
  - old unload:  pagehide of our page (the neutral page's response has come in).
Times come from the page's own clocks (performance.now, timeOrigin), not from the test
driver. The neutral destination is a stub on another local port, so network time is near 0.
"""
import json
import logging
import statistics
import sys
import tempfile
import threading
from pathlib import Path

import yaml
from werkzeug.serving import make_server

from pwa import create_app, sealing
from pwa.config import TestingConfig
from pwa.extensions import csrf

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = "/usr/bin/chromium"

# Added to every document before its scripts. The capture listener on window runs before
# exit.js's; the bubble listener after it, so it sees the state exit.js left in that task.
PROBE = """
(() => {
  const m = {};
  const first = (e) => { m.event = e.timeStamp; m.origin = performance.timeOrigin; m.frame = null; };
  const after = () => {
    m.cover = document.documentElement.classList.contains('sx-exiting') ? performance.now() : null;
    requestAnimationFrame(() => { m.frame = performance.now(); });
  };
  for (const type of ['keydown', 'click']) {
    window.addEventListener(type, first, true);
    window.addEventListener(type, after);
  }
  window.addEventListener('pagehide', () => {
    m.pagehide = performance.now();
    if (m.event !== undefined) navigator.sendBeacon('/bench-probe', JSON.stringify(m));
  });
})();
"""


def stub(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [b"<!doctype html><title>Weather</title><h1>Neutral</h1>"]


def serve(wsgi_app):
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def build_app(tmp, exit_url, probes):
    force = yaml.safe_load((ROOT / "content" / "force.yaml").read_text())
    force["quick_exit"]["url"] = exit_url
    (tmp / "force.yaml").write_text(yaml.safe_dump(force))
    sealing.write_private_key(tmp / "key.pem")
    config = TestingConfig()
    config.FORCE_FILE = str(tmp / "force.yaml")
    config.REPORT_KEY_FILE = str(tmp / "key.pem")
    config.ATTACHMENT_DIR = str(tmp / "attachments")
    app = create_app(config)

    @csrf.exempt
    def bench_probe():
        from flask import request

        probes.append(json.loads(request.get_data()))
        return "", 204

    app.add_url_rule("/bench-probe", "bench_probe", bench_probe, methods=["POST"])
    return app


def trigger(page, how):
    if how == "Escape":
        page.keyboard.press("Escape")
    elif how == "triple Shift":
        for _ in range(3):
            page.keyboard.press("Shift")
    else:
        page.get_by_role("link", name="Leave this site").click()


def main(runs=9):
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    probes = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        stub_server, stub_url = serve(stub)
        app_server, app_url = serve(build_app(tmp, stub_url + "/", probes))
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(tmp / "profile"), executable_path=CHROMIUM, headless=True,
                args=["--no-sandbox", "--disable-gpu"], viewport={"width": 390, "height": 844})
            page = context.pages[0]
            page.add_init_script(PROBE)
            print(f"quick exit timing, median of {runs} runs (ms from the input event)")
            print(f"{'trigger':<14}{'cover set':>11}{'cover frame':>13}{'nav start':>11}{'old unload':>12}")
            for how in ("Escape", "triple Shift", "click"):
                rows = []
                for _ in range(runs):
                    probes.clear()
                    page.goto(app_url + "/advice/what-to-do-now")
                    page.get_by_role("heading", level=1).wait_for()
                    trigger(page, how)
                    page.wait_for_url(stub_url + "/")
                    new_origin = page.evaluate("performance.timeOrigin")
                    for _ in range(200):  # the beacon may land just after the new page
                        if probes:
                            break
                        threading.Event().wait(0.01)
                    m = probes[0]
                    rows.append({
                        "cover": m["cover"] - m["event"] if m.get("cover") is not None else None,
                        "frame": m["frame"] - m["event"] if m.get("frame") is not None else None,
                        "nav": new_origin - (m["origin"] + m["event"]),
                        "unload": m["pagehide"] - m["event"],
                    })

                def med(key):
                    values = [r[key] for r in rows if r[key] is not None]
                    if not values:
                        return "  n/a"
                    note = "" if len(values) == len(rows) else f" ({len(values)}/{len(rows)})"
                    return f"{statistics.median(values):.1f}{note}"

                print(f"{how:<14}{med('cover'):>11}{med('frame'):>13}{med('nav'):>11}{med('unload'):>12}")
            context.close()
        app_server.shutdown()
        stub_server.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
