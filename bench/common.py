"""Shared by the benchmarks and the two-servers test: gunicorn on loopback with the
production configuration, a throwaway PostgreSQL database, Redis clean-up, figures.

Everything runs on 127.0.0.1 and cleans up after itself: databases are named
`sx_bench_<random>` and dropped at the end, Redis keys carry a prefix of the same name and are
deleted at the end. Nothing else on the servers is touched.
"""
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values, p):
    """Nearest-rank percentile of a list of numbers (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def production_env(tmp, database_url, redis_url=None, redis_prefix=None, **extra):
    """Environment for the app as deployed: APP_CONFIG=production with a fresh secret and
    report key in `tmp`. Returns (env, path of the report key)."""
    from pwa import sealing

    key_file = Path(tmp) / "report-key.pem"
    if not key_file.exists():
        sealing.write_private_key(key_file)
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "REDIS_PREFIX", "WEB_CONCURRENCY")}
    env.update(APP_CONFIG="production", SECRET_KEY=secrets.token_hex(32),
               REPORT_KEY_FILE=str(key_file), ATTACHMENT_DIR=str(Path(tmp) / "attachments"),
               DATABASE_URL=database_url)
    if redis_url:
        env.update(REDIS_URL=redis_url, REDIS_PREFIX=redis_prefix or "sx:")
    env.update({k: str(v) for k, v in extra.items()})
    return env, key_file


def public_side_env(env, tmp):
    """env for the public side: APP_SIDE=public, the public half of env's key in its own
    file, and the private key file deleted, so nothing could load it."""
    from pwa import sealing

    key_file = Path(env["REPORT_KEY_FILE"])
    public_file = Path(tmp) / "report-key.pub.pem"
    public_file.write_bytes(sealing.public_pem(
        sealing.load_private_pem(key_file.read_bytes(), str(key_file)).public_key()))
    key_file.unlink()
    env = {k: v for k, v in env.items() if k not in ("REPORT_KEY_FILE", "REPORT_OLD_KEY_FILES")}
    env.update(APP_SIDE="public", REPORT_PUBLIC_KEY_FILE=str(public_file))
    return env


def migrate(env):
    """Apply the migrations (`flask --app pwa db upgrade`) to env's DATABASE_URL."""
    subprocess.run([str(BIN / "flask"), "--app", "pwa", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py APP` on a free loopback port, started and stopped."""

    def __init__(self, env, workers=2, app="pwa:create_app()", extra_args=()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**env, "WEB_CONCURRENCY": str(workers), "GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), *extra_args, app],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn not ready after {timeout}s:\n{self.output()}")

    def worker_pids(self):
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
                             capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def cpu_seconds(self):
        """CPU time (user + system) of the master and its workers so far, workers that
        have exited included (their time is added to the master's children's time)."""
        tick = os.sysconf("SC_CLK_TCK")

        def stat(pid, children=False):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return 0
            # utime, stime (and cutime, cstime): fields 14-17 of proc(5), 12-15 after ")".
            return sum(int(v) for v in fields[11:15 if children else 13])

        total = stat(self.process.pid, children=True)
        total += sum(stat(pid) for pid in self.worker_pids())
        return total / tick

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


@contextlib.contextmanager
def bench_database():
    """A fresh PostgreSQL database `sx_bench_<random>`; yields its SQLAlchemy URL and drops
    it afterwards (WITH (FORCE): whatever connections are left)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    name = f"sx_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    params = {**conninfo_to_dict(ADMIN_URL), "dbname": name}
    try:
        yield "postgresql+psycopg://" + _url_authority(params) + "/" + name, make_conninfo(**params)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=30) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url_authority(params):
    user = params.get("user")
    password = params.get("password")
    auth = (user + (f":{password}" if password else "") + "@") if user else ""
    return f"{auth}{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}"


@contextlib.contextmanager
def redis_prefix():
    """A Redis key prefix for this run; its keys are deleted afterwards (never FLUSHALL)."""
    import redis

    name = f"sx_bench_{secrets.token_hex(4)}"
    try:
        yield REDIS_URL, name + ":"
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"*{name}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


def reachable_or_exit():
    """Exit with a clear message unless PostgreSQL and Redis answer."""
    import psycopg
    import redis

    try:
        psycopg.connect(ADMIN_URL, connect_timeout=3).close()
    except psycopg.Error as err:
        sys.exit(f"PostgreSQL not reachable at {ADMIN_URL} ({type(err).__name__}); "
                 "set BENCH_POSTGRES_URL.")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as err:
        sys.exit(f"Redis not reachable at {REDIS_URL} ({type(err).__name__}); "
                 "set BENCH_REDIS_URL.")


def machine():
    """One line describing where the figures were measured."""
    import platform

    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError):
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) // 1024 // 1024} GB RAM"
    return f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


@contextlib.contextmanager
def report_stack(workers, servers=1, side="all"):
    """PostgreSQL (a throwaway database, migrated) + Redis (a throwaway prefix) + `servers`
    gunicorns with `workers` workers each, production configuration, PROXY_FIX=1 so each
    simulated phone has its own address. Exits with a clear message if PostgreSQL or Redis
    is unreachable or this build has no POST /api/reports yet. `side="public"` starts them
    as the public side (APP_SIDE=public) with only the public key on disk.
    Yields (gunicorns, public key, psycopg conninfo of the database)."""
    from bench.report_client import public_key_from_file, route_exists

    reachable_or_exit()
    with tempfile.TemporaryDirectory(prefix="sx-bench-") as tmp, \
            bench_database() as (database_url, conninfo), redis_prefix() as (r_url, prefix):
        env, key_file = production_env(tmp, database_url, r_url, prefix, PROXY_FIX=1)
        migrate(env)
        public_key = public_key_from_file(key_file)
        if side == "public":
            env = public_side_env(env, tmp)
        started = []
        try:
            # BENCH_APP: another app factory to load (e.g. to try these scripts out).
            app = os.environ.get("BENCH_APP", "pwa:create_app()")
            for _ in range(servers):
                started.append(Gunicorn(env, workers=workers, app=app))
            if not route_exists(started[0].url):
                sys.exit("POST /api/reports is 404 in this build: the report feature (issue 5, "
                         "branch `report`) is not merged yet, so there is nothing to measure.")
            yield started, public_key, conninfo
        finally:
            for server in started:
                server.stop()


# ---- In-process app for the single-process benchmarks --------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def local_app(**overrides):
    """The app on a throwaway SQLite file with its own report key, tables made.
    Returns (app, folder); `overrides` are set on the TestingConfig."""
    from pwa import create_app, sealing
    from pwa.config import TestingConfig
    from pwa.extensions import db

    folder = Path(tempfile.mkdtemp())
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'bench.sqlite'}"
    config.REPORT_KEY_FILE = str(folder / "key.pem")
    config.ATTACHMENT_DIR = str(folder / "attachments")
    sealing.write_private_key(config.REPORT_KEY_FILE)
    for key, value in overrides.items():
        setattr(config, key, value)
    app = create_app(config)
    with app.app_context():
        db.create_all()
    return app, folder


def serve_in_thread(wsgi_app):
    """Serve on a free loopback port from a daemon thread; returns (base URL, server)."""
    import logging
    import threading

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server
