"""Page weight and first contentful paint for every advice page.

Prints, per page: bytes sent (gzip and brotli) and raw for HTML+CSS+JS, then the browser's
first contentful paint online, and offline from the service worker (once the worker is in
place). Run: .venv/bin/python bench/page_weight.py
Figures, not pass/fail: the byte budgets are checked by tests/test_budgets.py.
"""
import statistics


from bench.common import CHROMIUM_ARGS, local_app, serve_in_thread
from bench.weight import measure
from pwa import site

RUNS = 5

FCP = """() => new Promise(resolve => {
  const done = () => {
    const e = performance.getEntriesByName('first-contentful-paint')[0];
    if (e) resolve(e.startTime); else setTimeout(done, 20);
  };
  done();
})"""


def main():
    app, tmp = local_app()
    client = app.test_client()
    paths = ["/"] + [f"/advice/{slug}" for slug in site.advice_pages(app)] + ["/report/"]

    base, server = serve_in_thread(app)

    from playwright.sync_api import sync_playwright

    online, offline = {}, {}
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp / "profile"), executable_path="/usr/bin/chromium", headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 390, "height": 844})
        page = context.pages[0]
        page.goto(base + "/")
        has_worker = page.evaluate("""async () => {
            if (!navigator.serviceWorker) return false;
            const r = await fetch('/sw.js', {method: 'HEAD'});
            if (!r.ok) return false;
            await navigator.serviceWorker.ready; return true; }""")
        for path in paths:
            samples = []
            for _ in range(RUNS):
                page.goto(base + path)
                samples.append(page.evaluate(FCP))
            online[path] = statistics.median(samples)
        if has_worker:
            page.reload()
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")
            context.set_offline(True)
            for path in paths:
                samples = []
                for _ in range(RUNS):
                    page.goto(base + path)
                    samples.append(page.evaluate(FCP))
                offline[path] = statistics.median(samples)
        context.close()
    server.shutdown()

    print(f"{'page':40} {'gzip B':>8} {'br B':>8} {'raw B':>8} {'FCP online ms':>14} "
          f"{'FCP offline ms':>15}")
    for path in paths:
        gz = measure(client, path, "gzip")
        br = measure(client, path, "br")
        off = f"{offline[path]:.0f}" if path in offline else "no worker"
        print(f"{path:40} {gz.total():8} {br.total():8} {gz.total(compressed=False):8} "
              f"{online[path]:14.0f} {off:>15}")
    print(f"(median of {RUNS} loads each; HTML+CSS+JS; Chromium headless on this machine)")


if __name__ == "__main__":
    main()
