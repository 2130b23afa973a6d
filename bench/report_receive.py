"""How long the server takes to receive one report (unseal, validate, check images, store).

    .venv/bin/python bench/report_receive.py [N]

Prints the median and 95th percentile of N posts (default 30) through the test client on a
SQLite file: a text-only report, and one with two 1 MB-ish screenshots.
"""
import io
import json
import statistics
import sys
import time
import uuid

from PIL import Image

from bench.common import local_app
from bench.report_client import sample_answers
from pwa import sealing


def screenshot(seed):
    img = Image.effect_noise((1080, 1000), 60 + seed).convert("RGB")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def main(n):
    app, _ = local_app(WTF_CSRF_ENABLED=False, REPORT_RATE_LIMIT="100000 per minute",
                       REPORT_ATTEMPT_LIMIT="100000 per minute")
    public = sealing.keyring(app).current.public_key()
    client = app.test_client()
    images = [screenshot(1), screenshot(2)]

    def post(with_images):
        answers = sample_answers(0)
        blobs = []
        if with_images:
            answers["attachments"] = [{"name": f"s{i}.jpg", "type": "image/jpeg",
                                       "size": len(b)} for i, b in enumerate(images)]
            blobs = [json.dumps(sealing.seal(b, public)).encode() for b in images]
        meta = {"created_at": "2026-11-24T10:00:00Z",
                "report": sealing.seal(json.dumps(answers).encode(), public)}
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        start = time.perf_counter()
        if blobs:
            response = client.post("/api/reports", headers=headers,
                                   content_type="multipart/form-data",
                                   data={"meta": json.dumps(meta), "attachment": [
                                       (io.BytesIO(b), "a.sealed") for b in blobs]})
        else:
            response = client.post("/api/reports", headers=headers, json=meta)
        elapsed = time.perf_counter() - start
        assert response.status_code == 201, response.get_json()
        return elapsed * 1000

    for label, with_images in (("text only", False),
                               (f"2 screenshots ({sum(map(len, images)) // 1024} KB)", True)):
        times = sorted(post(with_images) for _ in range(n))
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"POST /api/reports, {label}: median {statistics.median(times):.1f} ms, "
              f"p95 {p95:.1f} ms (n={n})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
