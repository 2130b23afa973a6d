"""The officers' area: sign-in with a second factor, the dashboard of received reports, the
report page, and the audit log. Never cached, never precached, every view signed-in only
(except sign-in itself), enforced once for the whole blueprint."""
import secrets

from flask import Blueprint, redirect, url_for
from flask_login import LoginManager

from ..extensions import db
from ..report import maintenance

bp = Blueprint("officers", __name__, url_prefix="/officers")
login_manager = LoginManager()
login_manager.session_protection = "strong"

from . import views  # noqa: E402,F401  (routes)
from . import replies  # noqa: E402,F401  (routes: replies in the app, issue 17)


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
    _keep_notes_with_reports()


def _keep_notes_with_reports():
    """Notes are sealed with the report key and belong to a report: the report feature's
    rotation and retention take them along, and what they did goes in the audit log."""
    from .models import Note

    maintenance.register_sealed_rows("notes", Note)
    maintenance.keys_rotated.connect(_audit("rotate_keys"), weak=False)
    maintenance.expired_purged.connect(_audit("purge_expired"), weak=False)


_receivers: dict[str, object] = {}


def _audit(action):
    # One receiver per action for the process (blinker keeps one connection per receiver).
    if action not in _receivers:
        def receiver(app, counts):
            from . import audit

            audit.record(action, detail=maintenance.describe_counts(counts))
        _receivers[action] = receiver
    return _receivers[action]
