"""Every response carries the security headers; production forces HTTPS and HSTS."""
import pytest

from pwa import assets, create_app

PATHS = ["/", "/advice/what-to-do-now", "/cookies", "/missing", "/api/missing",
         "/static/css/app.css"]


def csp(response):
    return dict(
        (part.split(" ", 1) + [""])[:2]
        for part in (p.strip() for p in response.headers["Content-Security-Policy"].split(";"))
        if part
    )


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    policy = csp(response)
    # Mozilla Observatory's best CSP: nothing by default, each need listed.
    assert policy["default-src"] == "'none'"
    for directive in ("script-src", "style-src", "connect-src", "manifest-src", "worker-src"):
        assert policy[directive] == "'self'", directive
    assert policy["img-src"] == "'self' blob:"
    assert policy["font-src"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions
    # Development and testing run on plain http: no HSTS, no redirect.
    assert "Strict-Transport-Security" not in response.headers
    assert response.status_code != 302


def test_production_forces_https_and_sends_hsts(make_config, monkeypatch, report_key_file):
    from pwa.config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "4f1c9a7be2d83065af19c7d2e80b4a6f")
    monkeypatch.setenv("REPORT_KEY_FILE", str(report_key_file))
    config = ProductionConfig()
    base = make_config()  # the test's database, without a pool that would outlive the test
    config.SQLALCHEMY_DATABASE_URI = base.SQLALCHEMY_DATABASE_URI
    config.SQLALCHEMY_ENGINE_OPTIONS = base.SQLALCHEMY_ENGINE_OPTIONS
    app = create_app(config)
    client = app.test_client()
    plain = client.get("/")
    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")
    secure = client.get("/", base_url="https://localhost")
    assert secure.status_code == 200
    assert "max-age=" in secure.headers["Strict-Transport-Security"]


def test_production_refuses_to_start_without_its_secrets(monkeypatch):
    from pwa.config import ProductionConfig

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig()
    monkeypatch.setenv("SECRET_KEY", "4f1c9a7be2d83065af19c7d2e80b4a6f")
    monkeypatch.delenv("REPORT_KEY_FILE", raising=False)
    with pytest.raises(RuntimeError, match="REPORT_KEY_FILE"):
        ProductionConfig()


def test_hashed_static_files_are_immutable_others_revalidate(app, client):
    url = assets.static_files(app).url
    with app.test_request_context():
        hashed = url("css/app.css")
    assert "?v=" in hashed
    assert "immutable" in client.get(hashed).headers["Cache-Control"]
    assert client.get("/static/css/app.css").headers["Cache-Control"] == "no-cache"
    assert client.get("/static/css/app.css?v=stale").headers["Cache-Control"] == "no-cache"


def test_responses_are_compressed(client):
    for encoding in ("br", "gzip"):
        response = client.get("/advice/what-to-do-now", headers={"Accept-Encoding": encoding})
        assert response.headers.get("Content-Encoding") == encoding
