"""The one column type for times: aware UTC in, aware UTC out, on SQLite and PostgreSQL."""
import datetime

from pwa.clock import UTC
from pwa.extensions import db
from pwa.officers.models import Officer

PARIS_NOON = datetime.datetime(2026, 11, 24, 12, 0, tzinfo=datetime.timezone(
    datetime.timedelta(hours=1)))


def test_times_come_back_aware_in_utc_whatever_zone_went_in(app):
    with app.app_context():
        officer = Officer(email="clock@example.police.uk", password_hash="x", totp_sealed=b"x",
                          created_at=PARIS_NOON,
                          last_sign_in_at=datetime.datetime(2026, 11, 24, 9, 30))  # naive: UTC
        db.session.add(officer)
        db.session.commit()
        officer_id = officer.id
        db.session.remove()
        officer = db.session.get(Officer, officer_id)
        assert officer.created_at == PARIS_NOON
        assert officer.created_at.tzinfo == UTC and officer.created_at.hour == 11
        assert officer.last_sign_in_at == datetime.datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
        assert officer.created_at.tzinfo == UTC
        # Compared in the database as instants, not as wall-clock text.
        found = db.session.execute(db.select(Officer.id).where(
            Officer.created_at > datetime.datetime(2026, 11, 24, 10, 59, tzinfo=UTC))).all()
        assert found == [(officer_id,)]
