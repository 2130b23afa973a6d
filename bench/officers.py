"""Officers' area figures: argon2id sign-in cost, dashboard time with many reports, and the
cost of opening one report (RSA-OAEP unwrap + AES-GCM) for the report page.

Run: .venv/bin/python bench/officers.py [REPORTS]   (default 2000 reports, SQLite)
"""
import datetime
import json
import secrets
import statistics
import sys
import time


from bench.common import local_app
from pwa import sealing
from pwa.extensions import db
from pwa.models import Report
from pwa.officers import auth, reports


def timed(fn, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(count):
    app, _ = local_app()
    with app.app_context():
        keyring = sealing.keyring()
        public = keyring.current.public_key()
        body = json.dumps({"v": 1, "what_happened": "x" * 2000}).encode()
        envelope = sealing.dumps(sealing.seal(body, public))  # one envelope, reused: speed
        now = datetime.datetime.now(datetime.timezone.utc)
        for n in range(count):
            db.session.add(Report(
                reference=f"SX-{n:04d}-{secrets.token_hex(2).upper()}",
                idempotency_key=secrets.token_hex(16), fingerprint="0" * 64,
                key_id=keyring.current_id, sealed=envelope,
                created_at=now - datetime.timedelta(hours=n % 50),
                received_at=now - datetime.timedelta(minutes=n),
                under_18=n % 7 == 0, in_danger=n % 11 == 0,
                status=("new", "in_review", "assigned", "closed")[n % 4]))
        db.session.commit()

        password = "correct horse battery staple"
        hashed = auth.hasher.hash(password)
        print(f"argon2id hash: {timed(lambda: auth.hasher.hash(password)):.0f} ms, "
              f"verify: {timed(lambda: auth.hasher.verify(hashed, password)):.0f} ms "
              f"(per sign-in attempt)")
        report = Report.query.first()
        print(f"open one report (unseal + JSON): {timed(lambda: reports.open_answers(report)):.1f} ms")
        print(f"summary query ({count} reports): {timed(reports.summary):.1f} ms")
        with app.test_request_context("/officers/"):
            from flask import render_template

            def dashboard():
                rows = reports.dashboard_query().limit(reports.LIST_LIMIT).all()
                render_template("officers/_rows.html", rows=rows, more=False,
                                statuses=reports.STATUSES, waited=reports.waited, officers={})

            print(f"dashboard rows, query + render of {reports.LIST_LIMIT} "
                  f"({count} reports): {timed(dashboard):.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
