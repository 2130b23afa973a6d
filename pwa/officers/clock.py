"""The time, in one place, so tests can move it (idle timeout, lockout, TOTP)."""
import datetime


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def aware(value):
    """SQLite returns naive datetimes even for timezone-aware columns; they are UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=datetime.timezone.utc)
    return value
