"""Every page renders with its content and the force's numbers as tap-to-call links."""
from html.parser import HTMLParser

import pytest

from pwa import site
from pwa.content import load_pages

PAGES = ["/", "/cookies", "/privacy", "/offline"]


def advice_slugs(app):
    return list(site.advice_pages(app))


def test_every_advice_page_renders_with_title_summary_and_numbers(app, client):
    slugs = advice_slugs(app)
    assert len(slugs) >= 9
    for slug in slugs:
        page = site.advice_pages(app)[slug]
        response = client.get(f"/advice/{slug}")
        assert response.status_code == 200, slug
        html = response.get_data(as_text=True)
        assert f"<h1>{page.title}</h1>" in html
        assert page.summary.replace("'", "&#39;") in html or page.summary in html
        assert f'datetime="{page.reviewed.isoformat()}"' in html
        # The footer carries the force's numbers on every page, as tap-to-call links.
        assert '<a class="tel" href="tel:999">999</a>' in html
        assert 'href="tel:101"' in html and 'href="tel:18001101"' in html


def test_required_topics_and_helplines_are_present(client):
    expect = {
        "what-to-do-now": ["pay", "block", "deactivate"],
        "keeping-evidence": ["MTCN", "Western Union", "MoneyGram"],
        "not-your-fault": ["tel:116123", "tel:08001111", "tel:03456000459"],
        "under-18": ["Report Remove", "CEOP", "Take It Down"],
        "getting-images-removed": ["StopNCII", "Take It Down"],
        "already-paid": ["bank"],
        "how-to-report": ["tel:999", "tel:101", "tel:18001101", 'href="/report/"'],
        "staying-safe-on-this-device": ["history"],
        "what-is-sextortion": ["crime"],
    }
    for slug, words in expect.items():
        html = client.get(f"/advice/{slug}").get_data(as_text=True)
        for word in words:
            assert word.lower() in html.lower(), f"{slug} should mention {word!r}"


@pytest.mark.parametrize("path", PAGES)
def test_site_pages_render(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "Leave this site" in response.get_data(as_text=True)


def test_home_lists_every_advice_page(app, client):
    html = client.get("/").get_data(as_text=True)
    for slug in advice_slugs(app):
        assert f'href="/advice/{slug}"' in html


def test_unknown_pages_get_a_friendly_404_with_helplines(client):
    response = client.get("/advice/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and 'href="tel:116123"' in html


def test_api_errors_are_json_with_a_stable_code(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_server_error_page(app):
    app.testing = False  # show the friendly page instead of raising

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Sorry, there was a technical problem" in html and 'href="tel:999"' in html


def test_reading_advice_sets_no_cookie(client):
    for path in ["/", "/advice/what-to-do-now", "/cookies"]:
        assert "Set-Cookie" not in client.get(path).headers


def test_pages_are_cached_and_the_cache_holds_no_per_request_state(app, client):
    first = client.get("/advice/what-to-do-now").get_data()
    second = app.test_client().get("/advice/what-to-do-now").get_data()
    assert first == second
    assert b"csrf" not in first.lower() and b"nonce" not in first


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            self.inline.append("inline <script>")
        if tag == "style":
            self.inline.append("<style>")
        if "style" in attrs:
            self.inline.append(f"style= on <{tag}>")
        self.inline += [f"{name}= on <{tag}>" for name in attrs if name.startswith("on")]


def test_no_inline_scripts_styles_or_handlers(app, client):
    for path in PAGES + [f"/advice/{s}" for s in advice_slugs(app)] + ["/missing"]:
        parser = _Parser()
        parser.feed(client.get(path).get_data(as_text=True))
        assert parser.inline == [], path


def test_content_files_load_on_their_own(app):
    with app.app_context(), app.test_request_context():
        pages = load_pages(app.config["ADVICE_DIR"], app.jinja_env,
                           {"force": site.force(app)})
    assert list(pages)[0] == "what-to-do-now"
