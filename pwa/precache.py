"""The one list of what the service worker keeps for offline use.

Features register the pages that must work offline (they must carry no per-session secret)
and the scripts the worker itself loads; the service-worker feature builds the precache list,
each entry versioned by a hash of its content, from these plus the advice pages and the
static files.
"""


def _registry(app):
    return app.extensions.setdefault("precache", {"pages": [], "worker_scripts": []})


def register_page(app, path):
    """A page (by path) that must load offline once the app has been opened once."""
    pages = _registry(app)["pages"]
    if path not in pages:
        pages.append(path)


def register_worker_script(app, filename):
    """A static file (e.g. "js/outbox-core.js") the service worker loads with importScripts.
    It must be a classic script (no import/export) so a page can also `import` it."""
    scripts = _registry(app)["worker_scripts"]
    if filename not in scripts:
        scripts.append(filename)


def registered_pages(app):
    return list(_registry(app)["pages"])


def worker_scripts(app):
    return list(_registry(app)["worker_scripts"])
