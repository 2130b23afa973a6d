"""The home page and the site's own pages: cookies, privacy, offline."""
from flask import Blueprint, render_template

from ..site import cached_page

bp = Blueprint("pages", __name__)


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


@bp.get("/notes")
@cached_page
def notes():
    """The neutral look's plain first screen (when the force turns it on): a page that looks
    like an empty notes app, with a discreet way into the real one."""
    return render_template("pages/notes.html")


@bp.get("/offline")
@cached_page
def offline():
    return render_template("pages/offline.html")
