"""Two app servers on different ports, sharing PostgreSQL and Redis, act as one.

Each is gunicorn with two workers, run with the production configuration exactly as the
README says (gunicorn.conf.py, APP_CONFIG=production, DATABASE_URL, REDIS_URL), on this
run's own PostgreSQL schema and Redis prefix. Skipped, saying why, where PostgreSQL or Redis
cannot be reached.
"""
import json
import re
import subprocess
import urllib.parse

import pyotp
import pytest
from cachelib import RedisCache

from bench.common import BIN, Gunicorn, migrate, production_env, public_side_env
from bench.report_client import (
    Device, new_key, public_key_from_file, report_body, sample_answers)
from pwa.config import ROOT
from two_servers_app import LIMIT

PAGE = "/advice/what-to-do-now"


@pytest.fixture(scope="module")
def servers(request, tmp_path_factory):
    if request.config.getoption("backend") == "sqlite":
        pytest.skip("--backend=sqlite: the two-servers tests need PostgreSQL and Redis")
    server_stores = request.getfixturevalue("server_stores")
    schema = server_stores.new_schema()
    prefix = server_stores.new_prefix()
    env, key_file = production_env(
        tmp_path_factory.mktemp("two-servers"), server_stores.sqlalchemy_url(schema),
        server_stores.redis_url, prefix)
    env["PYTHONPATH"] = str(ROOT / "tests")  # two_servers_app; pwa is installed
    migrate(env)
    first = Gunicorn(env, workers=2, app="two_servers_app:create_app()")
    try:
        second = Gunicorn(env, workers=2, app="two_servers_app:create_app()")
    except Exception:
        first.stop()
        raise
    yield first, second, prefix, key_file
    first.stop()
    second.stop()
    server_stores.drop_schema(schema)


def test_both_are_ready_with_postgresql_and_redis(servers):
    for server in servers[:2]:
        status, _, body = Device(server.url).request("GET", "/readyz")
        assert status == 200, body
        assert b'"redis":"ok"' in body.replace(b" ", b"")


def test_rate_limits_are_shared(servers):
    first, second, _, _ = servers
    a, b = Device(first.url), Device(second.url)
    seen = []
    for i in range(LIMIT):
        status, headers, _ = (a if i % 2 == 0 else b).request("GET", "/_test/limited")
        seen.append((status, headers["X-RateLimit-Remaining"]))
    # One count across both servers (and their four workers), not one per process.
    assert seen == [(200, str(LIMIT - 1 - i)) for i in range(LIMIT)]
    assert b.request("GET", "/_test/limited")[0] == 429
    assert a.request("GET", "/_test/limited")[0] == 429


def test_the_page_cache_is_shared(servers, server_stores):
    first, second, prefix, _ = servers
    status, _, body = Device(first.url).request("GET", PAGE)
    assert status == 200
    keys = [k.decode() for k in server_stores.redis.scan_iter(match=f"{prefix}page:*{PAGE}")]
    assert len(keys) == 1, keys
    # Mark the cached copy: the other server must serve the marked copy, not render its own.
    cache = RedisCache(host=server_stores.redis, key_prefix=prefix)
    key = keys[0][len(prefix):]
    cached = cache.get(key)
    assert cached is not None and cached.encode() == body
    cache.set(key, cached.replace("</body>", "<!-- from the shared cache --></body>"))
    for server in (second, first):
        status, _, again = Device(server.url).request("GET", PAGE)
        assert status == 200 and b"<!-- from the shared cache -->" in again


def test_a_report_sent_to_either_server_is_stored_once(servers):
    """The idempotency key is honoured across servers: the same report sent to one and then
    retried on the other is one report, with one reference. (Officers seeing it on both
    servers is for the lead to add with the officers' branch.)"""
    first, second, _, key_file = servers
    body = report_body(public_key_from_file(key_file), sample_answers(1))
    key = new_key()
    device = Device(first.url, address="198.51.100.7")
    status, reference, _, _ = device.deliver(key, body)
    assert status == 201 and reference
    device.host, device.port = "127.0.0.1", second.port  # the same phone, the other server
    device.token = None
    status, again, _, _ = device.deliver(key, body)
    assert (status, again) == (201, reference)


# ---- Issue 12: the public side and the officers' side as two services --------------------

@pytest.fixture(scope="module")
def split_servers(request, tmp_path_factory):
    """A public gunicorn with only the public key (its private key file deleted, none in its
    environment) and an officers' gunicorn with the private key, sharing PostgreSQL, Redis
    and the attachment folder."""
    if request.config.getoption("backend") == "sqlite":
        pytest.skip("--backend=sqlite: the two-servers tests need PostgreSQL and Redis")
    server_stores = request.getfixturevalue("server_stores")
    schema = server_stores.new_schema()
    tmp = tmp_path_factory.mktemp("two-sides")
    env, key_file = production_env(tmp, server_stores.sqlalchemy_url(schema),
                                   server_stores.redis_url, server_stores.new_prefix())
    migrate(env)
    private_dir = tmp_path_factory.mktemp("officers-only")
    officers_env = {**env, "APP_SIDE": "officers",
                    "REPORT_KEY_FILE": str(private_dir / "report-key.pem")}
    (private_dir / "report-key.pem").write_bytes(key_file.read_bytes())
    public_env = public_side_env(env, tmp)  # deletes tmp's private key file
    assert "REPORT_KEY_FILE" not in public_env
    assert not any(b"PRIVATE KEY" in p.read_bytes() for p in tmp.rglob("*") if p.is_file())
    public = Gunicorn(public_env, workers=2)
    try:
        officers = Gunicorn(officers_env, workers=2)
    except Exception:
        public.stop()
        raise
    yield public, officers, officers_env, private_dir / "report-key.pem"
    public.stop()
    officers.stop()
    server_stores.drop_schema(schema)


def sign_in_over_http(server, env):
    """Make an officer with the real command and sign in to the officers' server."""
    password = "a long enough password for the test 42"
    made = subprocess.run([str(BIN / "flask"), "--app", "pwa", "officers", "create",
                           "lead@example.police.uk"], input=password + "\n", env=env,
                          cwd=ROOT, capture_output=True, text=True, check=True)
    secret = re.search(r"secret=([A-Z2-7]+)", made.stdout).group(1)
    officer = Device(server.url)
    _, _, page = officer.request("GET", "/officers/sign-in")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
    form = urllib.parse.urlencode({"csrf_token": token, "email": "lead@example.police.uk",
                                   "password": password, "code": pyotp.TOTP(secret).now()})
    status, headers, _ = officer.request(
        "POST", "/officers/sign-in", body=form.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302 and headers["Location"].endswith("/officers/"), status
    return officer


def test_public_side_without_the_key_and_officers_side_with_it(split_servers):
    public, officers, officers_env, key_file = split_servers
    public_key = public_key_from_file(key_file)
    # The public side serves the form and the API, and has no officers' pages.
    assert Device(public.url).request("GET", "/report/")[0] == 200
    assert Device(public.url).request("GET", "/officers/sign-in")[0] == 404
    assert Device(officers.url).request("GET", "/report/")[0] == 404
    calm = Device(public.url, address="198.51.100.20")
    urgent = Device(public.url, address="198.51.100.21")
    status, calm_ref, _, _ = calm.deliver(new_key(), report_body(public_key, sample_answers(2)))
    assert status == 201
    status, urgent_ref, _, _ = urgent.deliver(new_key(), report_body(
        public_key, {**sample_answers(3), "in_danger": "yes", "age_band": "13-15"}))
    assert status == 201

    officer = sign_in_over_http(officers, officers_env)
    status, _, summary = officer.request("GET", "/officers/api/summary")  # opens arrivals
    assert status == 200 and json.loads(summary)["total"] == 2
    status, _, dashboard = officer.request("GET", "/officers/")
    assert status == 200
    assert dashboard.index(urgent_ref.encode()) < dashboard.index(calm_ref.encode())
    assert b"In danger now" in dashboard and b"Under 18" in dashboard
    status, _, page = officer.request("GET", f"/officers/reports/{urgent_ref}")
    assert status == 200 and b"Benchmark report 3" in page
