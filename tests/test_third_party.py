"""No page, stylesheet or script makes a request to another origin."""
import re
from html.parser import HTMLParser
from pathlib import Path

from pwa import site
from pwa.config import ROOT

# Attributes that make the browser fetch something (links people follow are not requests).
FETCHING = {("script", "src"), ("img", "src"), ("img", "srcset"), ("source", "src"),
            ("source", "srcset"), ("iframe", "src"), ("video", "src"), ("audio", "src"),
            ("video", "poster"), ("embed", "src"), ("object", "data"), ("form", "action")}
FETCHING_LINK_RELS = {"stylesheet", "icon", "apple-touch-icon", "manifest", "preload",
                      "prefetch", "preconnect", "dns-prefetch", "modulepreload"}


class Resources(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if (tag, name) in FETCHING and value:
                self.urls.append(value)
        if tag == "link" and set((attrs.get("rel") or "").split()) & FETCHING_LINK_RELS:
            self.urls.append(attrs.get("href", ""))


def is_external(url):
    return bool(re.match(r"^(https?:)?//", url.strip()))


def test_no_page_loads_anything_from_another_origin(app, client):
    paths = ["/", "/cookies", "/privacy", "/offline", "/missing"]
    paths += [f"/advice/{slug}" for slug in site.advice_pages(app)]
    for path in paths:
        parser = Resources()
        parser.feed(client.get(path).get_data(as_text=True))
        assert parser.urls, path  # the parser sees at least the stylesheet
        external = [u for u in parser.urls if is_external(u)]
        assert external == [], path


def test_no_stylesheet_or_script_refers_to_another_origin():
    files = [p for p in (ROOT / "static").rglob("*") if p.suffix in (".css", ".js", ".mjs")]
    files += list((ROOT / "service_worker").rglob("*.js"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), path
        assert not re.search(r"@import\s+['\"]?(url\()?['\"]?(https?:)?//", text), path
        assert not re.search(r"import[^;]*from\s*['\"](https?:)?//", text), path
        assert not re.search(r"importScripts\(\s*['\"](https?:)?//", text), path


def test_the_detector_finds_an_external_resource():
    parser = Resources()
    parser.feed('<link rel="stylesheet" href="https://fonts.example/x.css">'
                '<a href="https://www.samaritans.org/">a link is not a request</a>')
    assert [u for u in parser.urls if is_external(u)] == ["https://fonts.example/x.css"]
