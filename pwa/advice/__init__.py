"""Advice pages, one per topic, from the content files."""
from flask import Blueprint, abort, redirect, render_template, url_for

from ..site import advice_pages, cached_page

bp = Blueprint("advice", __name__, url_prefix="/advice")


def init_app(app):
    app.register_blueprint(bp)


@bp.get("/")
def index():
    return redirect(url_for("pages.home"))


@bp.get("/<slug>")
def page(slug):
    if slug not in advice_pages():
        abort(404)
    return _render(slug)


@cached_page
def _render(slug):
    return render_template("advice/page.html", page=advice_pages()[slug])
