#!/usr/bin/env python3
"""Advice pages through gunicorn, side by side with the same bytes from a static file server.

Starts gunicorn (gunicorn.conf.py, APP_CONFIG=production, several workers) on loopback,
fetches the home page and every advice page once, writes those exact bytes to a temporary
folder served by a plain static file server (nginx if installed, else a threaded stdlib
server), then loads each server in turn with the same tool (wrk if installed, else a small
threaded Python client) for the same time, and prints requests per second, p50 and p99
latency, and the ratios.

    .venv/bin/python bench/advice_pages.py [--duration 10] [--connections 16] [--workers N]
                                           [--redis]

--redis puts the page cache in Redis (REDIS_URL, a throwaway key prefix) instead of each
worker's memory. Loopback only; bounded by --duration; cleans up after itself.
"""
import argparse
import http.client
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench.common import (
    PYTHON, ROOT, Gunicorn, free_port, machine, percentile, production_env, redis_prefix)

HEADERS = {"X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy would say


def pages():
    """The home page and every advice page (one Markdown file each)."""
    advice = sorted(p.stem for p in (ROOT / "content" / "advice").glob("*.md"))
    return ["/"] + [f"/advice/{slug}" for slug in advice]


def fetch(url):
    request = urllib.request.Request(url, headers=HEADERS)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def dump(base_url, paths, folder):
    """Write each page's bytes where a static server finds them at the same path."""
    total = 0
    for path in paths:
        body = fetch(base_url + path)
        target = folder / (path.strip("/") or "index.html")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        total += len(body)
    return total


def run_wrk(url, paths, duration, connections, threads):
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write("local paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
                 "local i = 0\n"
                 "request = function()\n  i = i % #paths + 1\n"
                 "  return wrk.format('GET', paths[i])\nend\n")
    script.close()
    try:
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s",
             "--latency", "-s", script.name, *sum((["-H", f"{k}: {v}"]
                                                   for k, v in HEADERS.items()), []), url],
            capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": _ms(lat["50"]), "p99": _ms(lat["99"]),
            "bad": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else "none"}


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def run_python(url, paths, duration, connections, threads=None):
    """A fallback load generator: `connections` threads, one request at a time each."""
    host, port = url.split("//")[1].split(":")
    latencies, bad, stop = [], [0], time.monotonic() + duration

    def worker(offset):
        i = offset
        local = []
        while time.monotonic() < stop:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            try:
                conn.request("GET", path, headers=HEADERS)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad[0] += 1
            except OSError:
                bad[0] += 1
            finally:
                conn.close()
            local.append((time.perf_counter() - started) * 1000)
        latencies.extend(local)

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    return {"rps": len(latencies) / elapsed, "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99), "bad": bad[0], "socket_errors": "n/a"}


NGINX_CONF = """
daemon off;
worker_processes {workers};
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type text/html;
    sendfile on;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    server {{
        listen 127.0.0.1:{port};
        root {tmp}/static;
        location / {{ try_files $uri $uri/index.html /index.html =404; }}
    }}
}}
"""

STDLIB_SERVER = """
import functools, http.server, sys
class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256   # the stdlib default of 5 drops connections under load
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
handler = functools.partial(Quiet, directory=sys.argv[2])
Server(("127.0.0.1", int(sys.argv[1])), handler).serve_forever()
"""


def start_static(tmp, port):
    """nginx (as a static server, same number of workers as cores) or the stdlib's."""
    os.chmod(tmp, 0o755)  # nginx's workers may run as another user; these are public pages
    for path in (tmp / "static").rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    nginx = shutil.which("nginx") or (os.path.exists("/usr/sbin/nginx") and "/usr/sbin/nginx")
    if nginx:
        conf = tmp / "nginx.conf"
        conf.write_text(NGINX_CONF.format(workers=os.cpu_count() or 1, tmp=tmp, port=port))
        process = subprocess.Popen([nginx, "-c", str(conf), "-e", str(tmp / "nginx-error.log")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return process, "nginx (static files)"
    process = subprocess.Popen([PYTHON, "-c", STDLIB_SERVER, str(port), str(tmp / "static")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, "stdlib threaded server"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per server")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: gunicorn.conf.py's, 2 × cores + 1)")
    parser.add_argument("--redis", action="store_true", help="page cache in Redis")
    args = parser.parse_args()
    args.duration = max(1, min(args.duration, 60))
    load = run_wrk if shutil.which("wrk") else run_python
    tool = "wrk" if load is run_wrk else "Python threads (install wrk for better figures)"
    threads = min(2, os.cpu_count() or 1)

    with tempfile.TemporaryDirectory(prefix="sx-bench-") as tmp, redis_prefix() as (r_url, r_prefix):
        tmp = Path(tmp)
        env, _ = production_env(tmp, f"sqlite:///{tmp / 'bench.sqlite'}",
                                r_url if args.redis else None, r_prefix)
        workers = args.workers or int(
            subprocess.run([PYTHON, "-c", "import runpy;print(runpy.run_path("
                            "'gunicorn.conf.py')['workers'])"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout)
        results = {}
        with Gunicorn(env, workers=workers) as app:
            paths = pages()
            size = dump(app.url, paths, tmp / "static")
            load(app.url, paths, 2, args.connections, threads)  # warm every worker's cache
            results["gunicorn"] = load(app.url, paths, args.duration, args.connections, threads)
        port = free_port()
        static, static_name = start_static(tmp, port)
        try:
            static_url = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    fetch(static_url + "/")
                    break
                except OSError:
                    time.sleep(0.05)
            assert all(fetch(static_url + p) == (tmp / "static" / (p.strip("/") or
                       "index.html")).read_bytes() for p in paths)
            load(static_url, paths, 2, args.connections, threads)
            results["static"] = load(static_url, paths, args.duration, args.connections,
                                     threads)
        finally:
            static.terminate()
            static.wait()

    g, s = results["gunicorn"], results["static"]
    print(f"Machine: {machine()}")
    print(f"Load: {tool}, {args.connections} connections, {args.duration}s per server, "
          f"{len(paths)} pages ({size // len(paths)} bytes on average, uncompressed), loopback")
    print(f"gunicorn: {workers} sync workers, APP_CONFIG=production, page cache "
          f"{'Redis' if args.redis else 'in each worker'}")
    print()
    print(f"{'server':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>10}")
    for name, r in [("gunicorn (the app)", g), (static_name, s)]:
        print(f"{name:<28}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}{r['bad']:>10}")
    print()
    print(f"app / static: throughput {g['rps'] / s['rps']:.2f}×, "
          f"p50 {g['p50'] / s['p50']:.2f}×, p99 {g['p99'] / s['p99']:.2f}×")
    if g["socket_errors"] != "none" or s["socket_errors"] != "none":
        print(f"socket errors: app {g['socket_errors']}; static {s['socket_errors']}")


if __name__ == "__main__":
    main()
