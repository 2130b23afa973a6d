"""Who can reach what: signed-out people nowhere, officers not the audit log, and unknown
reports or attachments are 404 with nothing leaked. Officers' pages are never cached."""
import re

import pytest

from officers_support import clock, make_officer, make_report, sign_in  # noqa: F401

OFFICER = "officer@example.police.uk"
SUPERVISOR = "supervisor@example.police.uk"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def officer_urls(app, reference):
    """Every URL of the officers' blueprint, its arguments filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("officers."):
            continue
        values = {"reference": reference, "n": 1}
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        urls += [(method, path, rule.endpoint) for method in methods]
    return urls


def test_signed_out_people_are_sent_to_sign_in_from_every_officer_url(make_app):
    # CSRF off so POST routes reach the sign-in check instead of failing on the token first.
    app = make_app(WTF_CSRF_ENABLED=False)
    reference = make_report(app, images=[PNG])
    client = app.test_client()
    urls = officer_urls(app, reference)
    assert len({e for _, _, e in urls}) >= 12
    for method, path, endpoint in urls:
        if endpoint == "officers.sign_in":
            continue
        response = client.open(path, method=method)
        assert response.status_code == 302, (method, path)
        assert response.location.endswith("/officers/sign-in"), (method, path)
        assert response.headers["Cache-Control"] == "no-store"
        assert reference not in response.get_data(as_text=True)


@pytest.fixture
def signed_in(app, clock):
    _, secret = make_officer(app, OFFICER)
    client = app.test_client()
    sign_in(client, OFFICER, secret, clock)
    return client


def test_an_officer_cannot_read_the_audit_log(signed_in):
    response = signed_in.get("/officers/audit")
    assert response.status_code == 403
    assert "Audit log" not in signed_in.get("/officers/").get_data(as_text=True)


def test_a_supervisor_can_read_the_audit_log(app, clock):
    _, secret = make_officer(app, SUPERVISOR, role="supervisor")
    client = app.test_client()
    sign_in(client, SUPERVISOR, secret, clock)
    response = client.get("/officers/audit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Signed in" in html and SUPERVISOR in html


@pytest.mark.parametrize("path", [
    "/officers/reports/SX-AAAA-BBBB",
    "/officers/reports/SX-AAAA-BBBB/attachments/1",
    "/officers/reports/SX-AAAA-BBBB/export.json",
    "/officers/reports/SX-AAAA-BBBB/print",
    "/officers/reports/../../etc/passwd",
])
def test_missing_report_urls_are_404(signed_in, path):
    response = signed_in.get(path)
    assert response.status_code == 404
    assert response.headers["Cache-Control"] == "no-store"


def test_attachment_numbers_out_of_range_are_404(app, signed_in):
    with_one = make_report(app, images=[PNG])
    with_none = make_report(app)
    assert signed_in.get(f"/officers/reports/{with_one}/attachments/1").status_code == 200
    for path in (f"/officers/reports/{with_one}/attachments/0",
                 f"/officers/reports/{with_one}/attachments/2",
                 f"/officers/reports/{with_one}/attachments/-1",
                 f"/officers/reports/{with_none}/attachments/1"):
        assert signed_in.get(path).status_code == 404, path


def test_attachments_are_served_safely(app, signed_in):
    reference = make_report(app, images=[PNG, b"<html><script>alert(1)</script>"])
    image = signed_in.get(f"/officers/reports/{reference}/attachments/1")
    assert image.data == PNG
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["Content-Disposition"].startswith("inline;")
    download = signed_in.get(f"/officers/reports/{reference}/attachments/1?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    # Not an image by its bytes: never rendered, only downloaded.
    other = signed_in.get(f"/officers/reports/{reference}/attachments/2")
    assert other.headers["Content-Type"] == "application/octet-stream"
    assert other.headers["Content-Disposition"].startswith("attachment;")
    for response in (image, download, other):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        csp = response.headers["Content-Security-Policy"]
        assert csp.startswith("default-src 'none'; sandbox")
        assert response.headers["Cache-Control"] == "no-store"


def test_officers_pages_are_never_cached(app, signed_in):
    reference = make_report(app)
    for path in ("/officers/sign-in", "/officers/", "/officers/api/summary",
                 f"/officers/reports/{reference}", f"/officers/reports/{reference}/print"):
        assert signed_in.get(path).headers["Cache-Control"] == "no-store", path


def test_officers_pages_are_not_precached(app):
    from pwa.offline_app import precache_list

    assert not any(p.startswith("/officers") for p in precache_list.registered_pages(app))
