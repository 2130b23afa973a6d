"""The report rate limits, one definition each (their defaults are in pwa/config.py).

Flask-Limiter calls these per request, so a test or deployment changes them through the
configuration alone."""
from flask import current_app


def new_reports():
    """New reports per client address: `REPORT_RATE_LIMIT`."""
    return current_app.config["REPORT_RATE_LIMIT"]


def attempts():
    """Every report post per client address: `REPORT_ATTEMPT_LIMIT`."""
    return current_app.config["REPORT_ATTEMPT_LIMIT"]


def replays():
    """Retries of one stored report: `REPORT_REPLAY_LIMIT`."""
    return current_app.config["REPORT_REPLAY_LIMIT"]
