"""gunicorn settings for production: `gunicorn 'pwa:create_app()'` from the project folder.

Every setting can be changed from the environment (names below) or gunicorn's own
GUNICORN_CMD_ARGS. Run it behind a reverse proxy (nginx, a load balancer) that terminates
HTTPS and buffers slow clients: these are sync workers, one request at a time each.

Privacy: gunicorn's default access log records each client's IP address, user agent,
referrer and the full request line with its query string. We log nothing per request unless
GUNICORN_ACCESS_LOG is set, and then only the time, method, path (no query string), status,
size and duration: no address, no user agent, no referrer.
"""
import multiprocessing
import os


def _int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


# Where to listen. Behind a proxy on the same host, keep it on loopback.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# gunicorn's rule of thumb, 2 × cores + 1, capped: each worker holds its own database pool,
# and more workers than that only add memory and PostgreSQL connections.
# WEB_CONCURRENCY (the usual name on hosting platforms) overrides it.
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9))
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 20
# Restart each worker now and then, staggered, so a slow leak can never build up.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
# Workers heartbeat through a temporary file; memory-backed where there is one (containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Which proxies may tell gunicorn the request came over HTTPS (X-Forwarded-Proto). The app's
# own view of the client address (used only as a rate-limit key) comes from PROXY_FIX: set it
# to the number of proxies in front, or every client shares the proxy's address.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs: errors to stderr; per-request lines only on request, and without personal data.
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None  # e.g. "-" for stdout
# %(U)s is the path without its query string; %(M)s the duration in milliseconds.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

proc_name = "sx-pwa"
