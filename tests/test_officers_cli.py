"""Command-line tasks: accounts (password from standard input only), key rotation and
retention."""
import datetime

import pyotp
import pytest

from officers_support import PASSWORD, clock, make_officer, make_report, sign_in  # noqa: F401

from pwa import sealing
from pwa.extensions import db
from pwa.models import Attachment, Report
from pwa.officers import reports
from pwa.report import sealed_files
from pwa.officers.models import AuditEntry, Note, Officer

EMAIL = "new.officer@example.police.uk"
IMAGE = b"\x89PNG\r\n\x1a\n" + b"Pangolin-99812" * 10


def secret_from(output):
    uri = next(line for line in output.splitlines() if line.startswith("otpauth://"))
    return pyotp.parse_uri(uri).secret


def test_create_reads_the_password_from_stdin_and_prints_the_enrolment(app, runner, clock):
    result = runner.invoke(args=["officers", "create", EMAIL, "--role", "supervisor"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "otpauth://totp/" in result.output
    assert "█" in result.output or "▀" in result.output  # the QR code, drawn in the terminal
    assert PASSWORD not in result.output
    with app.app_context():
        officer = Officer.query.filter_by(email=EMAIL).one()
        assert officer.role == "supervisor"
        assert officer.password_hash.startswith("$argon2id$")
        assert AuditEntry.query.filter_by(action="officer_create").count() == 1
    client = app.test_client()
    assert sign_in(client, EMAIL, secret_from(result.output), clock).status_code == 302


@pytest.mark.parametrize("args", [
    ["officers", "create", EMAIL, PASSWORD],
    ["officers", "create", EMAIL, "--password", PASSWORD],
    ["officers", "create", EMAIL, "--password=" + PASSWORD],
])
def test_create_refuses_a_password_as_an_argument(app, runner, args):
    result = runner.invoke(args=args, input=PASSWORD + "\n")
    assert result.exit_code != 0
    assert "never taken as an argument" in result.output
    with app.app_context():
        assert Officer.query.count() == 0


def test_create_refuses_a_short_password_and_a_second_account(app, runner):
    assert runner.invoke(args=["officers", "create", EMAIL], input="short\n").exit_code != 0
    assert runner.invoke(args=["officers", "create", EMAIL], input=PASSWORD + "\n").exit_code == 0
    again = runner.invoke(args=["officers", "create", EMAIL.upper()], input=PASSWORD + "\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_disable_ends_the_session_and_stops_sign_in(app, runner, clock):
    _, secret = make_officer(app, EMAIL)
    client = app.test_client()
    sign_in(client, EMAIL, secret, clock)
    assert client.get("/officers/").status_code == 200
    assert runner.invoke(args=["officers", "disable", EMAIL]).exit_code == 0
    assert client.get("/officers/").status_code == 302
    assert sign_in(client, EMAIL, secret, clock).status_code == 400


def test_reset_2fa_replaces_the_second_factor(app, runner, clock):
    _, old_secret = make_officer(app, EMAIL)
    result = runner.invoke(args=["officers", "reset-2fa", EMAIL])
    assert result.exit_code == 0
    new_secret = secret_from(result.output)
    client = app.test_client()
    assert sign_in(client, EMAIL, old_secret, clock).status_code == 400
    assert sign_in(client, EMAIL, new_secret, clock).status_code == 302


def store_everything(app, clock):
    """A report with an attachment and a note, all sealed under the app's current key."""
    officer_id, secret = make_officer(app, "officer@example.police.uk")
    reference = make_report(app, answers={"v": 1, "what_happened": "Aardvark-31337"},
                            images=[IMAGE])
    with app.app_context():
        report = Report.query.filter_by(reference=reference).one()
        reports.add_note(report, db.session.get(Officer, officer_id), "Ibis-4242 note")
        db.session.commit()
    return reference, secret


def test_rotation_keeps_every_report_readable_with_only_the_new_key(
        make_app, report_key_file, tmp_path, clock):
    old_app = make_app()
    reference, secret = store_everything(old_app, clock)
    new_key = tmp_path / "new-key.pem"
    new_id = sealing.key_id(sealing.write_private_key(new_key).public_key())

    rotating = make_app(REPORT_KEY_FILE=str(new_key), REPORT_OLD_KEY_FILES=[str(report_key_file)])
    result = rotating.test_cli_runner().invoke(args=["report", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "1 reports, 0 mailbox messages, 1 notes, 1 attachments" in result.output

    only_new = make_app(REPORT_KEY_FILE=str(new_key))
    with only_new.app_context():
        assert {r.key_id for r in Report.query} == {new_id}
        assert {n.key_id for n in Note.query} == {new_id}
        assert {a.key_id for a in Attachment.query} == {new_id}
        assert AuditEntry.query.filter_by(action="rotate_keys").count() == 1
    client = only_new.test_client()
    sign_in(client, "officer@example.police.uk", secret, clock)
    page = client.get(f"/officers/reports/{reference}").get_data(as_text=True)
    assert "Aardvark-31337" in page and "Ibis-4242 note" in page
    assert client.get(f"/officers/reports/{reference}/attachments/1").data == IMAGE
    # Run again: nothing left to do.
    again = rotating.test_cli_runner().invoke(args=["report", "rotate-keys"])
    assert "0 reports, 0 mailbox messages, 0 notes, 0 attachments" in again.output


def test_retention_deletes_expired_reports_with_their_files_and_records_it(app, runner, clock):
    now = clock.now()
    expired, _ = store_everything(app, clock)
    recent = make_report(app, images=[IMAGE], status="closed",
                         closed_at=now - datetime.timedelta(days=10))
    still_open = make_report(app, received_at=now - datetime.timedelta(days=900))
    with app.app_context():
        report = Report.query.filter_by(reference=expired).one()
        report.status = "closed"
        report.closed_at = now - datetime.timedelta(days=app.config["REPORT_RETENTION_DAYS"] + 1)
        db.session.commit()
        expired_file = sealed_files.path(app, report.attachments[0].stored_name)
        recent_file = sealed_files.path(
            app, Report.query.filter_by(reference=recent).one().attachments[0].stored_name)
    assert expired_file.exists()

    result = runner.invoke(args=["report", "purge-expired"])
    assert result.exit_code == 0, result.output
    assert "1 reports, 0 mailbox messages, 1 notes, 1 attachments" in result.output
    assert not expired_file.exists() and recent_file.exists()
    with app.app_context():
        assert {r.reference for r in Report.query} == {recent, still_open}
        assert Note.query.count() == 0
        entry = AuditEntry.query.filter_by(action="purge_expired").one()
        assert entry.detail == "1 reports, 0 mailbox messages, 1 notes, 1 attachments"
        assert entry.officer_id is None


def test_report_commands_are_one_group_and_the_old_name_still_works(runner):
    listed = runner.invoke(args=["report", "--help"]).output
    assert all(name in listed for name in ("clean", "rotate-keys", "purge-expired"))
    assert "reports" not in runner.invoke(args=["--help"]).output.split()
    old = runner.invoke(args=["reports", "purge-expired"])
    assert old.exit_code == 0, old.output
    assert "Deleted 0 reports, 0 mailbox messages, 0 notes, 0 attachments." in old.output
