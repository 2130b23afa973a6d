"""What a page costs to load: its HTML plus every stylesheet and script it pulls in.

Used by the budget tests and the page-weight benchmark, through Flask's test client, so the
numbers are the bytes the server really sends (compressed as a browser would ask).
"""
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

IMPORT = re.compile(r"""(?:import|export)\s*(?:[^'"();]*?\sfrom\s*)?['"]([^'"]+)['"]"""
                    r"""|import\(\s*['"]([^'"]+)['"]\s*\)""")


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.css, self.js, self.blocking = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split():
            self.css.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.js.append(attrs["src"])
            deferred = attrs.get("type") == "module" or "defer" in attrs or "async" in attrs
            if not deferred:
                self.blocking.append(attrs["src"])


@dataclass
class Weight:
    path: str
    raw: dict = field(default_factory=dict)  # url -> bytes uncompressed
    compressed: dict = field(default_factory=dict)  # url -> bytes as sent
    kinds: dict = field(default_factory=dict)  # url -> "html" | "css" | "js"
    blocking_scripts: list = field(default_factory=list)

    def total(self, kinds=("html", "css", "js"), compressed=True):
        sizes = self.compressed if compressed else self.raw
        return sum(size for url, size in sizes.items() if self.kinds[url] in kinds)


def _fetch(client, url, encoding):
    # Closed after reading: a static file is streamed from an open file.
    with client.get(url) as plain, \
            client.get(url, headers={"Accept-Encoding": encoding}) as packed:
        assert plain.status_code == 200, f"{url} answered {plain.status_code}"
        return plain.get_data(), len(packed.get_data())


def measure(client, path, encoding="gzip"):
    """Fetch a page and everything it loads (scripts followed through their imports)."""
    weight = Weight(path)
    html, size = _fetch(client, path, encoding)
    weight.raw[path], weight.compressed[path], weight.kinds[path] = len(html), size, "html"
    refs = _Refs()
    refs.feed(html.decode("utf-8"))
    weight.blocking_scripts = refs.blocking
    for href in refs.css:
        url = urljoin(path, href)
        body, size = _fetch(client, url, encoding)
        weight.raw[url], weight.compressed[url], weight.kinds[url] = len(body), size, "css"
    queue = [urljoin(path, src) for src in refs.js]
    while queue:
        url = queue.pop()
        key = urlsplit(url).path
        if any(urlsplit(u).path == key for u in weight.raw):
            continue
        body, size = _fetch(client, url, encoding)
        weight.raw[url], weight.compressed[url], weight.kinds[url] = len(body), size, "js"
        for match in IMPORT.finditer(body.decode("utf-8")):
            target = match.group(1) or match.group(2)
            if target.startswith((".", "/")):
                queue.append(urljoin(url, target))
    return weight
