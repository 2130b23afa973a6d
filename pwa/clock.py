"""The time, in one place: `now()` (tests move it) and the column type that keeps it aware.

Every timestamp the app stores or compares is an aware datetime in UTC. PostgreSQL's
`timestamptz` gives those back; SQLite keeps no zone and gives back naive values, so
`UTCDateTime` fixes that once, for every column, instead of each reader patching it.
"""
import datetime

from sqlalchemy.engine import Dialect
from sqlalchemy.types import DateTime, TypeDecorator

UTC = datetime.timezone.utc


def now() -> datetime.datetime:
    return datetime.datetime.now(UTC)


def as_utc(value: datetime.datetime | None) -> datetime.datetime | None:
    """The same instant in UTC; a naive value is taken to be UTC already (SQLite's)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(value: datetime.datetime | None) -> str | None:
    """The API's form of a time: UTC, to the second, with a Z (`2026-11-25T09:30:00Z`)."""
    value = as_utc(value)
    return None if value is None else value.isoformat(timespec="seconds").replace("+00:00", "Z")


class UTCDateTime(TypeDecorator[datetime.datetime]):
    """`DateTime(timezone=True)` that takes and gives aware datetimes in UTC. The schema is
    the plain type's (migrations render it as `sa.DateTime(timezone=True)`)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime.datetime | None,
                           dialect: Dialect) -> datetime.datetime | None:
        # Aware values are converted, as SQLite would otherwise store their wall-clock time
        # and drop the offset.
        return as_utc(value)

    def process_result_value(self, value: datetime.datetime | None,
                             dialect: Dialect) -> datetime.datetime | None:
        return as_utc(value)
