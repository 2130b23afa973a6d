"""Offline load time of every advice page, answered by the service worker.

Visits the home page once (the worker installs and keeps everything), goes offline, then
opens each advice page several times and prints the median of Chromium's navigation timing:
from the start of the navigation to the response's last byte (what the worker costs) and to
the load event (what the person waits for). Figures, not pass/fail.
Run: .venv/bin/python bench/offline_load.py
"""
import statistics


from bench.common import CHROMIUM_ARGS, local_app, serve_in_thread
from pwa import site

RUNS = 5
TIMING = """() => {
  const t = performance.getEntriesByType('navigation')[0];
  return {response: t.responseEnd - t.startTime, load: t.loadEventEnd - t.startTime,
          worker: t.workerStart > 0};
}"""


def main():
    app, tmp = local_app()
    base, server = serve_in_thread(app)

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
        for slug in site.advice_pages(app):
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
