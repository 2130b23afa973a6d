"""The home page and the site's own pages: cookies, privacy, offline."""
from flask import Blueprint, Flask, render_template

from ..page_cache import cached_page

bp = Blueprint("pages", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/")
@cached_page
def home() -> str:
    return render_template("pages/home.html")


@bp.get("/cookies")
@cached_page
def cookies() -> str:
    return render_template("pages/cookies.html")


@bp.get("/privacy")
@cached_page
def privacy() -> str:
    return render_template("pages/privacy.html")


@bp.get("/notes")
@cached_page
def notes() -> str:
    """The neutral look's plain first screen (when the force turns it on): a page that looks
    like an empty notes app, with a discreet way into the real one."""
    return render_template("pages/notes.html")


@bp.get("/offline")
@cached_page
def offline() -> str:
    return render_template("pages/offline.html")
