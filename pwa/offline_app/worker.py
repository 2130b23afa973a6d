"""The service worker as served: service_worker/sw.js with the server's facts put in.

The source starts with one `const CONFIG = {...};` line; the server replaces it with the
version, the precache list and the scripts to import. The version is a hash of all three and
of the source, so the worker's bytes change whenever anything it keeps changes, and the
browser installs the new version.
"""
import hashlib
import json
import threading
from typing import Any

from flask import Flask

from .. import i18n
from ..config import ROOT
from . import precache_list
from .precache_list import Entry

SOURCE = ROOT / "service_worker" / "sw.js"
CONFIG_LINE = "const CONFIG = "


def render(source: str, entries: list[Entry], scripts: list[str],
           languages: tuple[str, ...] = ("en",)) -> tuple[str, str]:
    """(body, version) for the worker source with CONFIG filled in. `languages`: the codes
    offered, English first (the others are URL prefixes)."""
    version = hashlib.sha256(
        json.dumps([entries, scripts, source], sort_keys=True).encode()).hexdigest()[:12]
    config = json.dumps({"version": version, "precache": entries, "scripts": scripts,
                         "languages": list(languages)}, separators=(",", ":"))
    lines = source.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if line.startswith(CONFIG_LINE)]
    if len(found) != 1:
        raise RuntimeError(f"{SOURCE} must have exactly one line starting {CONFIG_LINE!r}")
    lines[found[0]] = f"{CONFIG_LINE}{config};\n"
    return "".join(lines), version


_lock = threading.Lock()


def current(app: Flask) -> dict[str, Any]:
    """The served worker for this app: {"body", "version", "precache", "scripts"}. Built at
    the first request for it and kept: pages, files and content only change on restart."""
    state = app.extensions.setdefault("offline_app", {})
    with _lock:
        if "worker" not in state:
            entries = precache_list.build(app)
            scripts = precache_list.worker_script_urls(app)
            body, version = render(SOURCE.read_text(encoding="utf-8"), entries, scripts,
                                   tuple(lang.code for lang in i18n.offered(app)))
            state["worker"] = {"body": body, "version": version, "precache": entries,
                               "scripts": scripts}
        return state["worker"]
