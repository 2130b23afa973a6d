"""Quick exit markup on every page (the behaviour is tested in tests/browser/test_exit.py)."""
import re
from html.parser import HTMLParser

import pytest

from pwa.site import advice_pages


class Page(HTMLParser):
    """Collects what these tests look at: focusable controls in order, head scripts, and the
    breadcrumb / back links."""

    def __init__(self):
        super().__init__()
        self.focusable = []
        self.head_scripts = []
        self.in_head = False
        self.has_way_back = False
        self.exit_links = []
        self.tags = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "head":
            self.in_head = True
        if tag == "script" and self.in_head:
            self.head_scripts.append((a.get("type"), a.get("src")))
        if tag in ("a", "button") and "hidden" not in a:
            self.focusable.append(a)
        if tag == "a" and "data-quick-exit" in a:
            self.exit_links.append(a)
        if tag == "nav" and a.get("aria-label") == "Breadcrumb":
            self.has_way_back = True

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False


def parse(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, path
    page = Page()
    page.feed(response.get_data(as_text=True))
    return page


def site_paths(app):
    with app.app_context():
        slugs = list(advice_pages())
    return ["/", "/cookies", "/privacy", "/offline"] + [f"/advice/{s}" for s in slugs]


def test_exit_link_is_first_after_skip_link_everywhere(app, client):
    for path in site_paths(app) + ["/no-such-page"]:
        page = parse(client, path, 404 if path == "/no-such-page" else 200)
        first, second = page.focusable[:2]
        assert first["href"] == "#main", path
        assert "data-quick-exit" in second, path
        assert second["rel"] == "noreferrer nofollow"
        assert second["href"] == "https://www.bbc.co.uk/weather"
        assert ("module", None) not in page.head_scripts
        srcs = [src for kind, src in page.head_scripts if kind == "module"]
        for name in ("exit.js", "nav.js", "exit-intro.js"):
            assert any(re.match(rf"/static/js/{name}\?v=\w+$", s) for s in srcs), (path, name)


def test_every_page_but_home_has_a_visible_way_back(app, client):
    # Moving between pages replaces the history entry, so Back cannot be the way back.
    for path in site_paths(app) + ["/no-such-page"]:
        page = parse(client, path, 404 if path == "/no-such-page" else 200)
        assert page.has_way_back or path == "/", path


def test_first_visit_explanation_is_in_the_page_hidden(client):
    html = client.get("/").get_data(as_text=True)
    intro = re.search(r"<section[^>]*data-exit-intro[^>]*>.*?</section>", html, re.S).group(0)
    assert " hidden" in intro.split(">")[0]
    assert 'aria-labelledby="exit-intro-heading"' in intro
    assert "does not delete your browsing history" in intro
    assert "<button" in intro and "Esc" in intro


@pytest.mark.parametrize("escape, attr", [(True, "on"), (False, "off")])
def test_force_file_turns_escape_on_or_off(make_app, force_file, escape, attr):
    app = make_app(FORCE_FILE=str(force_file({"quick_exit": {"escape_key": escape}})))
    html = app.test_client().get("/").get_data(as_text=True)
    assert f'data-exit-escape="{attr}"' in html
    # The explanation only mentions the keys that work.
    assert ("<kbd>Esc</kbd>" in html) is escape


def test_staying_safe_page_offers_to_remove_data_and_explains_history(client):
    html = client.get("/advice/staying-safe-on-this-device").get_data(as_text=True)
    head = html.split("</head>")[0]
    assert re.search(r'<script type="module" src="/static/js/remove-data.js\?v=\w+"></script>', head)
    assert "Remove this app&#39;s data from this phone" in html or \
        "Remove this app's data from this phone" in html
    for browser in ("Chrome on Android", "Safari on iPhone", "Samsung Internet"):
        assert f"<h3>{browser}</h3>" in html
    # Without JavaScript the page says the button cannot work; the button panel starts hidden.
    assert "JavaScript is turned off" in html
    assert re.search(r"<div data-remove-data-start-panel hidden>", html)


def test_other_advice_pages_do_not_load_remove_data(client):
    html = client.get("/advice/what-to-do-now").get_data(as_text=True)
    assert "remove-data.js" not in html


def test_cover_is_plain_css():
    from pwa.config import ROOT

    css = (ROOT / "static" / "css" / "app.css").read_text()
    assert re.search(r"html\.sx-exiting body\s*\{\s*visibility:\s*hidden;", css)
    assert re.search(r"html\.sx-exiting::after\s*\{[^}]*position:\s*fixed;\s*inset:\s*0;", css)
