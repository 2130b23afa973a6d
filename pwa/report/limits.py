"""The report (and mailbox) rate limits, one definition each (their defaults are in pwa/config.py).

Flask-Limiter calls these per request, so a test or deployment changes them through the
configuration alone."""
from flask import current_app


def new_reports() -> str:
    """New reports per client address: `REPORT_RATE_LIMIT`."""
    return current_app.config["REPORT_RATE_LIMIT"]


def attempts() -> str:
    """Every report post per client address: `REPORT_ATTEMPT_LIMIT`."""
    return current_app.config["REPORT_ATTEMPT_LIMIT"]


def replays() -> str:
    """Retries of one stored report: `REPORT_REPLAY_LIMIT`."""
    return current_app.config["REPORT_REPLAY_LIMIT"]


def mailbox_fetches() -> str:
    """Fetches and closing, per mailbox: `MAILBOX_RATE_LIMIT`."""
    return current_app.config["MAILBOX_RATE_LIMIT"]


def mailbox_answers() -> str:
    """New answers from the person, per mailbox: `MAILBOX_ANSWER_LIMIT`."""
    return current_app.config["MAILBOX_ANSWER_LIMIT"]


def mailbox_attempts() -> str:
    """Every mailbox request per client address: `MAILBOX_ATTEMPT_LIMIT`."""
    return current_app.config["MAILBOX_ATTEMPT_LIMIT"]
