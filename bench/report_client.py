"""A phone sending reports to `POST /api/reports` as the report contract specifies, for the
benchmarks and the two-servers test: sealed envelopes (pwa.sealing), an idempotency key per
report, a CSRF token from `GET /api/csrf`, and the outbox's retry rules (retry on network
errors, timeouts, 5xx, 409 and 429 with the same key and body; stop on 200/201 or a final 4xx).

Requests go to gunicorn as a reverse proxy would pass them on: `X-Forwarded-Proto: https`
(the production configuration forces HTTPS), a same-origin `Referer` (Flask-WTF's HTTPS
check) and, if given, the device's own `X-Forwarded-For` (counted by PROXY_FIX=1, so rate
limits apply per device as they would in the field).
"""
import datetime
import http.client
import json
import random
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from pwa import sealing

PLATFORMS = ["instagram", "snapchat", "facebook", "whatsapp", "tiktok", "discord"]
RETRY = {409, 429, 500, 502, 503, 504}


class RouteMissing(SystemExit):
    pass


def public_key_from_file(path):
    path = Path(path)
    return sealing.load_private_pem(path.read_bytes(), str(path)).public_key()


def sample_answers(i):
    """Valid answers for the contract's steps, varied a little per report."""
    return {
        "v": 1, "in_danger": "no", "age_band": ["16-17", "18-24", "25-plus"][i % 3],
        "what_happened": f"Benchmark report {i}: someone I met online is threatening to share "
                         "pictures unless I pay.",
        "started": "last week", "platforms": [PLATFORMS[i % len(PLATFORMS)]],
        "contacts": [{"kind": "username", "value": f"@someone{i}"}],
        "paid": "no", "evidence_description": "", "contact_method": "anonymous",
    }


def report_body(public_key, answers):
    """The JSON body of POST /api/reports: the answers sealed on the "device"."""
    plaintext = json.dumps(answers, separators=(",", ":")).encode()
    return json.dumps({
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "report": sealing.seal(plaintext, public_key),
    }).encode()


class Device:
    """One phone: its own session cookie, CSRF token and (optionally) address."""

    def __init__(self, base_url, address=None, timeout=10.0):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.address = address
        self.timeout = timeout
        self.cookie = None
        self.token = None

    def request(self, method, path, body=None, headers=None, timeout=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout or self.timeout)
        sent = {"X-Forwarded-Proto": "https",
                "Referer": f"https://{self.host}:{self.port}/report/",
                **(headers or {})}
        if self.address:
            sent["X-Forwarded-For"] = self.address
        if self.cookie:
            sent["Cookie"] = self.cookie
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            pair = header.split(";", 1)[0]
            if pair.startswith("session="):
                self.cookie = pair
        return response.status, response.headers, data

    def fetch_token(self):
        status, _, data = self.request("GET", "/api/csrf")
        if status == 404:
            raise RouteMissing("GET /api/csrf is 404: the report feature (issue 5) is not "
                               "in this build yet.")
        if status != 200:
            raise OSError(f"GET /api/csrf answered {status}")
        self.token = json.loads(data)["token"]

    def post_once(self, key, body, timeout=None):
        """One attempt. Returns (status, parsed JSON or None)."""
        if self.token is None:
            self.fetch_token()
        status, headers, data = self.request(
            "POST", "/api/reports", body=body, timeout=timeout,
            headers={"Idempotency-Key": key, "X-CSRFToken": self.token})
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        if status == 403 and parsed and parsed.get("error", {}).get("code") == "csrf_failed":
            self.token = None  # fetch a fresh one on the next attempt
        return status, parsed, headers

    def deliver(self, key, body, first_timeout=None, max_attempts=50, deadline=120.0):
        """Send until acknowledged, as the outbox does. Returns (status, reference, attempts,
        first-attempt latency in seconds or None if it failed)."""
        attempts, first_latency, delay = 0, None, 0.05
        stop = time.monotonic() + deadline
        while attempts < max_attempts and time.monotonic() < stop:
            attempts += 1
            started = time.perf_counter()
            try:
                status, parsed, headers = self.post_once(
                    key, body, timeout=first_timeout if attempts == 1 else None)
            except RouteMissing:
                raise
            except (OSError, http.client.HTTPException):
                status, parsed, headers = None, None, {}
            if attempts == 1 and status in (200, 201):
                first_latency = time.perf_counter() - started
            if status in (200, 201):
                return status, parsed["reference"], attempts, first_latency
            if status == 404 and attempts == 1:
                raise RouteMissing("POST /api/reports is 404: the report feature (issue 5) "
                                   "is not in this build yet.")
            if status is not None and status not in RETRY and status != 403:
                return status, None, attempts, first_latency  # a final answer: stop
            wait = delay
            if status == 429 and headers.get("Retry-After", "").isdigit():
                wait = min(float(headers["Retry-After"]), 5.0)
            time.sleep(wait * (0.5 + random.random()))
            delay = min(delay * 2, 2.0)
        return None, None, attempts, first_latency


def new_key():
    return str(uuid.uuid4())


def route_exists(base_url):
    """True if this build has POST /api/reports (a POST without a key is 400, not 404)."""
    status, _, _ = Device(base_url).request("POST", "/api/reports", body=b"{}")
    return status != 404
