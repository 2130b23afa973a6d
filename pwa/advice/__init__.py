"""Advice pages, one per topic, from the content files."""
from flask import Blueprint, Flask, abort, redirect, render_template, url_for
from werkzeug.wrappers import Response

from ..page_cache import cached_page
from ..site import advice_pages

bp = Blueprint("advice", __name__, url_prefix="/advice")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/")
def index() -> Response:
    return redirect(url_for("pages.home"))


@bp.get("/<slug>")
def page(slug: str) -> Response:
    if slug not in advice_pages():
        abort(404)
    return _render(slug)


@cached_page
def _render(slug: str) -> str:
    return render_template("advice/page.html", page=advice_pages()[slug])
