"""Static files versioned by a hash of their content.

`asset_url("css/app.css")` gives `/static/css/app.css?v=<hash>`; a request carrying the
current hash is served as immutable for a year, anything else is revalidated. The same hashes
version the service worker's precache, so any change to a file yields a new worker.
"""
import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, has_request_context, request, url_for


def file_hash(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


class Assets:
    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.hashes = {
            p.relative_to(self.folder).as_posix(): file_hash(p)
            for p in sorted(self.folder.rglob("*")) if p.is_file()
        }

    def url(self, filename: str) -> str:
        try:
            version = self.hashes[filename]
        except KeyError:
            raise KeyError(f"no static file {filename!r}") from None
        url = url_for("static", filename=filename, v=version)
        # One URL for every language: drop a language prefix (pwa/i18n.py) url_for added.
        lang = request.environ.get("sx.lang") if has_request_context() else None
        if lang and url.startswith(f"/{lang}/"):
            url = url[len(lang) + 1:]
        return url


def static_files(app: Flask | None = None) -> Assets:
    """The app's static files and their hashes (the current app's by default)."""
    return (app or current_app).extensions["assets"]


def init_app(app: Flask) -> None:
    assert app.static_folder is not None  # create_app names it
    assets = Assets(app.static_folder)
    app.extensions["assets"] = assets
    app.jinja_env.globals["asset_url"] = assets.url

    @app.after_request
    def cache_static(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            filename = (request.view_args or {}).get("filename", "")
            if request.args.get("v") and request.args["v"] == assets.hashes.get(filename):
                response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            else:
                response.headers["Cache-Control"] = "no-cache"
            # Weak, so Flask-Compress leaves it as it is and a revalidation of a compressed
            # copy still matches (it appends ":gzip" to a strong one, which then never does).
            etag, weak = response.get_etag()
            if etag and not weak:
                response.set_etag(etag, weak=True)
            # Flask-Compress (its after_request runs after this one) swaps the open file for
            # a compressing generator, and nothing closes the file then: close it with the
            # response.
            if hasattr(response.response, "close"):
                response.call_on_close(response.response.close)
        return response
