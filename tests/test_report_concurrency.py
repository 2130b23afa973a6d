"""20 concurrent posts with one Idempotency-Key store one report, on SQLite and PostgreSQL
(`[sqlite]` and `[postgres]`: the stores fixture of tests/conftest.py).

Each thread is a separate client (its own session and CSRF token) posting the same report
at the same moment, as two tabs, the page and the service worker, or a flapping network
might. The database's unique key decides; every answer must carry the one reference.
"""
import io
import json
import os
import threading
import uuid

import pytest

from pwa.extensions import db
from pwa.models import Attachment, Report
from report_support import csrf_token, full_answers, png_bytes, seal_bytes, seal_json

THREADS = 20


def race(app, answers, images=()):
    """Post one report from THREADS clients at once; returns [(status, body)]."""
    key = str(uuid.uuid4())
    answers = {**answers, "attachments": [
        {"name": f"s{i}.png", "type": "image/png", "size": len(img)}
        for i, img in enumerate(images)]} if images else answers
    clients = [app.test_client() for _ in range(THREADS)]
    tokens = [csrf_token(c) for c in clients]
    # Every one sends the same sealed bytes: a device seals a report once and resends it.
    envelopes = [seal_json(app, answers)] * len(clients)
    blobs = [seal_bytes(app, img) for img in images]
    barrier = threading.Barrier(THREADS)
    results = [None] * THREADS

    def send(i):
        meta = {"created_at": "2026-11-24T09:00:00Z", "report": envelopes[i]}
        headers = {"Idempotency-Key": key, "X-CSRFToken": tokens[i]}
        barrier.wait()
        if blobs:
            data = {"meta": json.dumps(meta),
                    "attachment": [(io.BytesIO(b), "a.sealed") for b in blobs]}
            response = clients[i].post("/api/reports", data=data, headers=headers,
                                       content_type="multipart/form-data")
        else:
            response = clients[i].post("/api/reports", json=meta, headers=headers)
        replayed = response.headers.get("Idempotent-Replayed") == "true"
        results[i] = (response.status_code, response.get_json(), replayed)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def check_one_row(app, results, attachments=0):
    statuses = sorted(status for status, _, _ in results)
    # One stored it; the rest are replays (the same 201, marked Idempotent-Replayed) or, if
    # the winner held its lock too long, "try again" (409).
    assert [s for s, _, replayed in results if s == 201 and not replayed] == [201], results
    assert set(statuses) <= {201, 409}, results
    references = {body["reference"] for status, body, _ in results if status == 201}
    assert len(references) == 1
    with app.app_context():
        reports = db.session.execute(db.select(Report)).scalars().all()
        assert [r.reference for r in reports] == list(references)
        assert db.session.query(Attachment).count() == attachments
    folder = app.config["ATTACHMENT_DIR"]
    on_disk = os.listdir(folder) if os.path.isdir(folder) else []
    assert len(on_disk) == attachments  # the losers' files were removed


@pytest.fixture(params=["fast-path", "insert-race"])
def mode(request, monkeypatch):
    """"insert-race" skips the look-up before the insert, so all 20 really race on the
    unique key (otherwise most threads find the winner's row first)."""
    if request.param == "insert-race":
        from pwa.report import store
        original, seen = store._existing, threading.local()

        def after_insert_only(key, fp):
            if not getattr(seen, "called", False):
                seen.called = True
                return None
            return original(key, fp)

        monkeypatch.setattr(store, "_existing", after_insert_only)
    return request.param


def test_twenty_concurrent_posts_one_row(make_app, mode):
    app = make_app(REPORT_RATE_LIMIT="1000 per minute", REPORT_ATTEMPT_LIMIT="1000 per minute")
    results = race(app, full_answers(), images=[png_bytes()])
    check_one_row(app, results, attachments=1)
