"""The officers' area: sign-in with a second factor, the dashboard of received reports, the
report page, and the audit log. Never cached, never precached, every view signed-in only
(except sign-in itself), enforced once for the whole blueprint."""
import secrets

from flask import Blueprint, redirect, url_for
from flask_login import LoginManager

from ..extensions import db

bp = Blueprint("officers", __name__, url_prefix="/officers")
login_manager = LoginManager()
login_manager.session_protection = "strong"

from . import views  # noqa: E402,F401  (routes)


@login_manager.user_loader
def load_officer(user_id):
    """The session holds "<id>:<login id>"; the login id must still be the account's, so a
    session ends everywhere at sign-out, disabling or second-factor reset."""
    from .models import Officer

    officer_id, _, login_id = (user_id or "").partition(":")
    if not officer_id.isdigit() or not login_id:
        return None
    officer = db.session.get(Officer, int(officer_id))
    if officer is None or not officer.active or not officer.login_id:
        return None
    if not secrets.compare_digest(officer.login_id, login_id):
        return None
    return officer


@login_manager.unauthorized_handler
def to_sign_in():
    return redirect(url_for("officers.sign_in"))


def init_app(app):
    from . import cli

    login_manager.init_app(app)
    app.register_blueprint(bp)
    cli.init_app(app)
