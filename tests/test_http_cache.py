"""Which responses a shared cache (the shipped nginx) and the browser may keep.

Public pages are the same for everyone: `Cache-Control: public` with a short max-age and
stale-while-revalidate, an ETag, and 304 to a matching conditional request. Nothing with a
session, a form token or an officer is ever public, and no public response sets a cookie.
The walk covers every GET route in the app's URL map, so a new route has to fit the rule.
"""
import pytest
from flask import session

from pwa import assets, site
from pwa.page_cache import PRIVATE, PUBLIC, cached_page
from pwa.report import steps

# Endpoints whose 200 answer is public (their own GET, as a stranger sends it).
PUBLIC_ENDPOINTS = {
    "pages.home", "pages.cookies", "pages.privacy", "pages.notes", "pages.offline",
    "advice.page", "offline_app.web_manifest", "offline_app.neutral_manifest", "report.start",
    # The private replies page is a shell the device fills from its own mailboxes.
    "report.replies",
}
# The force's public key: the same for everyone, but an API answer (nginx passes /api/ on
# uncached; the browser may keep it a few minutes).
OTHER_PUBLIC_PATHS = {"/api/report-key"}
IMMUTABLE = "public, max-age=31536000, immutable"


def sample_url(app, rule):
    """A URL for the rule, its arguments filled with values that exist where that matters."""
    values = {}
    for arg in rule.arguments:
        if arg == "slug":
            values[arg] = next(iter(site.advice_pages(app)))
        elif arg == "filename":
            values[arg] = "css/app.css"
        elif arg == "step" or arg == "step_id":
            values[arg] = steps.STEPS[0].id
        elif rule._converters[arg].__class__.__name__ == "IntegerConverter":
            values[arg] = 1
        else:
            values[arg] = "SX-AAAA-AAAA"
    with app.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **values)


def get_routes(app):
    return sorted((r for r in app.url_map.iter_rules() if "GET" in r.methods),
                  key=lambda r: r.rule)


def check_public(client, url, response, expected=PUBLIC):
    assert response.status_code == 200, url
    assert response.headers["Cache-Control"] == expected, url
    assert "Set-Cookie" not in response.headers, url
    etag = response.headers.get("ETag")
    assert etag, f"{url}: no validator"
    again = client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert again.status_code == 304, url
    assert again.get_data() == b""
    assert "Set-Cookie" not in again.headers, url


def test_every_get_route_follows_the_caching_rule(app, client):
    seen_public = set()
    for rule in get_routes(app):
        url = sample_url(app, rule)
        # Compressed, as a browser asks: the ETag must survive Flask-Compress.
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        cache_control = response.headers.get("Cache-Control", "")
        if rule.endpoint == "static":
            check_public(client, url, response, expected="no-cache")
            versioned = assets.static_files(app).url.__self__  # the Assets object
            with app.test_request_context():
                hashed = versioned.url("css/app.css")
            check_public(client, hashed, client.get(hashed), expected=IMMUTABLE)
            seen_public.add("static")
        elif rule.endpoint == "offline_app.service_worker":
            # Its own rule: always revalidated (update checks), with an ETag.
            check_public(client, url, response, expected="no-cache")
        elif rule.endpoint in PUBLIC_ENDPOINTS:
            check_public(client, url, response)
            seen_public.add(rule.endpoint)
        else:
            if rule.rule in OTHER_PUBLIC_PATHS:
                assert "Set-Cookie" not in response.headers
                continue
            assert "public" not in cache_control, f"{rule.rule} ({rule.endpoint}) is public"
            if "Set-Cookie" in response.headers or rule.rule.startswith("/officers"):
                assert "no-store" in cache_control or "private" in cache_control \
                    or response.status_code in (301, 302, 303, 308, 404, 405), \
                    f"{rule.rule}: {response.status_code} {cache_control!r}"
    assert seen_public == PUBLIC_ENDPOINTS | {"static"}


def test_public_pages_stay_public_for_a_visitor_with_a_session(client):
    with client.session_transaction() as held:
        held["report_progress"] = "something of theirs"
    for url in ("/", "/advice/what-to-do-now", "/report/", "/manifest.webmanifest"):
        response = client.get(url)
        # The page reads nothing of the session, so it is the same page for them.
        assert response.headers["Cache-Control"] == PUBLIC, url
        assert "Set-Cookie" not in response.headers, url


def test_step_pages_with_a_form_token_are_never_kept(client):
    response = client.get(f"/report/{steps.STEPS[0].id}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


def test_a_cached_page_that_touches_the_session_is_made_private(make_app):
    app = make_app()

    @app.get("/_test/leaky")
    @cached_page
    def leaky():
        return f"hello {session.get('name', 'stranger')}"

    response = app.test_client().get("/_test/leaky")
    assert response.headers["Cache-Control"] == PRIVATE
    assert "Cookie" in response.headers["Vary"]


def test_a_conditional_request_for_a_changed_page_gets_the_page(client):
    stale = client.get("/cookies", headers={"If-None-Match": 'W/"not-the-current-one"'})
    assert stale.status_code == 200 and stale.get_data()
