"""The home page and the site's own pages: cookies, privacy, offline."""
from flask import Blueprint, render_template

from ..site import cached_page

bp = Blueprint("pages", __name__)


def init_app(app):
    app.register_blueprint(bp)


@bp.get("/")
@cached_page
def home():
    return render_template("pages/home.html")


@bp.get("/cookies")
@cached_page
def cookies():
    return render_template("pages/cookies.html")


@bp.get("/privacy")
@cached_page
def privacy():
    return render_template("pages/privacy.html")


@bp.get("/offline")
@cached_page
def offline():
    return render_template("pages/offline.html")
