"""Offline load time of every advice page, answered by the service worker.

Visits the home page once (the worker installs and keeps everything), goes offline, then
opens each advice page several times and prints the median of Chromium's navigation timing:
from the start of the navigation to the response's last byte (what the worker costs) and to
the load event (what the person waits for). Figures, not pass/fail.
Run: .venv/bin/python bench/offline_load.py
"""
import logging
import statistics
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server  # noqa: E402

from pwa import create_app, sealing  # noqa: E402
from pwa.config import TestingConfig  # noqa: E402
from pwa.extensions import db  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
RUNS = 5
TIMING = """() => {
  const t = performance.getEntriesByType('navigation')[0];
  return {response: t.responseEnd - t.startTime, load: t.loadEventEnd - t.startTime,
          worker: t.workerStart > 0};
}"""


def main():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp())
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp / 'bench.sqlite'}"
    config.REPORT_KEY_FILE = str(tmp / "key.pem")
    sealing.write_private_key(config.REPORT_KEY_FILE)
    app = create_app(config)
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp / "profile"), executable_path="/usr/bin/chromium", headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 390, "height": 844})
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(base + "/")
        page.wait_for_function("() => navigator.serviceWorker.controller?.state === 'activated'")
        context.set_offline(True)
        print(f"Offline load from the service worker, median of {RUNS} (ms)")
        print(f"{'page':<42} {'response end':>12} {'load event':>11}")
        rows = []
        for slug in app.extensions["advice"]:
            samples = []
            for _ in range(RUNS):
                page.goto(f"{base}/advice/{slug}")
                page.wait_for_load_state("load")
                timing = page.evaluate(TIMING)
                assert timing["worker"], "the page did not come through the service worker"
                samples.append(timing)
            row = (statistics.median(s["response"] for s in samples),
                   statistics.median(s["load"] for s in samples))
            rows.append(row)
            print(f"/advice/{slug:<35} {row[0]:>12.1f} {row[1]:>11.1f}")
        print(f"{'median of all pages':<42} {statistics.median(r[0] for r in rows):>12.1f} "
              f"{statistics.median(r[1] for r in rows):>11.1f}")
        context.close()
    server.shutdown()


if __name__ == "__main__":
    main()
