"""The audit log is tamper-evident: each entry is linked to the one before by an HMAC, the
head row says where it ends, and `flask --app pwa audit verify` names the first broken link.
Here the log is rewritten, cut and emptied the ways someone with the database could, on
SQLite and PostgreSQL, and `verify` must fail each time."""
import threading

import pytest
from sqlalchemy import text

from officers_support import clock, make_officer, sign_in  # noqa: F401

from pwa.extensions import db
from pwa.officers import audit
from pwa.officers.models import AuditEntry


def fill(app, n=5):
    with app.app_context():
        for i in range(n):
            audit.record("rotate_keys", detail=f"entry {i + 1}")


def verify(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def raw(app, *statements):
    """Run SQL as the database's owner would, with the append-only triggers out of the way."""
    with app.app_context():
        dialect = db.engine.dialect.name
        with db.engine.begin() as connection:
            if dialect == "sqlite":
                connection.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_update"))
                connection.execute(text("DROP TRIGGER IF EXISTS audit_entries_no_delete"))
            else:
                connection.execute(text(
                    "ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
            for statement in statements:
                connection.execute(text(statement))
        return dialect


def test_an_untouched_log_verifies(app):
    fill(app)
    code, output = verify(app)
    assert code == 0 and "whole: 5 entries" in output


def test_an_empty_log_verifies(app):
    assert verify(app)[0] == 0


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entries SET detail = 'nothing to see' WHERE seq = 3",
    "UPDATE audit_entries SET officer_id = NULL, action = 'sign_in' WHERE seq = 3",
    "UPDATE audit_entries SET at = at - INTERVAL '1 hour' WHERE seq = 3",
])
def test_a_rewritten_entry_breaks_the_chain_there(app, backend, statement):
    if "INTERVAL" in statement and backend == "sqlite":
        statement = "UPDATE audit_entries SET at = '2020-01-01 00:00:00.000000' WHERE seq = 3"
    fill(app)
    raw(app, statement)
    code, output = verify(app)
    assert code == 1 and "Broken at entry 3" in output


def test_insert_or_replace_on_sqlite_is_found(app, backend):
    if backend != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's")
    fill(app)
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).filter_by(seq=2)).one()
        # The triggers stay: REPLACE deletes the old row without firing them.
        db.session.execute(text(
            "INSERT OR REPLACE INTO audit_entries (id, seq, mac, at, action, detail) "
            "VALUES (:id, 2, :mac, :at, 'rotate_keys', 'rewritten')"),
            {"id": entry.id, "mac": entry.mac, "at": entry.at.isoformat(" ")})
        db.session.commit()
    code, output = verify(app)
    assert code == 1 and "Broken at entry 2" in output


def test_a_deleted_entry_breaks_the_chain_there(app):
    fill(app)
    raw(app, "DELETE FROM audit_entries WHERE seq = 2")
    code, output = verify(app)
    assert code == 1 and "Broken at entry 2: it is missing" in output


def test_a_renumbered_log_after_a_deletion_is_found(app):
    fill(app)
    raw(app, "DELETE FROM audit_entries WHERE seq = 2",
        "UPDATE audit_entries SET seq = seq - 1 WHERE seq > 2")
    code, output = verify(app)
    assert code == 1 and "Broken at entry 2" in output


def test_entries_cut_from_the_end_are_found(app):
    fill(app)
    raw(app, "DELETE FROM audit_entries WHERE seq >= 4")
    code, output = verify(app)
    assert code == 1 and "Broken after entry 3" in output and "ends at entry 5" in output


def test_an_emptied_log_is_found(app, backend):
    fill(app)
    raw(app, "DELETE FROM audit_entries" if backend == "sqlite"
        else "TRUNCATE audit_entries")
    code, output = verify(app)
    assert code == 1 and "Broken after entry 0" in output


def test_a_removed_head_is_found_and_stops_further_entries(app):
    fill(app)
    raw(app, "DELETE FROM audit_head")
    code, output = verify(app)
    assert code == 1 and "head row" in output
    with app.app_context(), pytest.raises(RuntimeError, match="head row is missing"):
        audit.record("rotate_keys")


def test_a_forged_entry_without_the_key_is_found(app):
    fill(app)
    with app.app_context():
        # Appended as the app would, but linked with a key guessed by the forger.
        head = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        forged = audit.entry_mac(b"k" * 32, 6, head.at, None, "rotate_keys", None, None,
                                 "forged", head.mac)
        db.session.add(AuditEntry(seq=6, mac=forged, at=head.at, action="rotate_keys",
                                  detail="forged"))
        db.session.execute(text(f"UPDATE audit_head SET seq = 6, mac = '{forged}'"))
        db.session.commit()
    code, output = verify(app)
    assert code == 1 and "Broken at entry 6" in output


def test_a_separate_audit_key_is_used_when_set(make_app):
    app = make_app(AUDIT_KEY="a separate key for the audit log, kept apart")
    fill(app, 2)
    assert verify(app)[0] == 0
    app.config["AUDIT_KEY"] = None  # the SECRET_KEY-derived key does not verify it
    assert verify(app)[0] == 1


def test_concurrent_writers_never_fork_the_chain(app, backend):
    if backend != "postgres":
        pytest.skip("SQLite takes one writer at a time by itself")
    errors = []

    def write(n):
        try:
            with app.app_context():
                for i in range(15):
                    audit.record("rotate_keys", detail=f"writer {n} entry {i}")
        except Exception as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    code, output = verify(app)
    assert code == 0 and "whole: 90 entries" in output


def test_sign_in_writes_verifiable_entries(app, clock):
    officer = make_officer(app, "chain@example.police.uk")
    client = app.test_client()
    sign_in(client, "chain@example.police.uk", officer[1], clock)
    sign_in(app.test_client(), "chain@example.police.uk", officer[1], clock, password="nope")
    assert verify(app)[0] == 0


@pytest.mark.parametrize("page", ["99999999999999999999999", "9223372036854775807",
                                  "-5", "0", "abc"])
def test_any_page_number_of_the_audit_log_gets_a_page(make_app, clock, page):
    app = make_app(OFFICER_SIGNIN_RATE="1000 per minute")
    officer = make_officer(app, "super@example.police.uk", role="supervisor")
    client = app.test_client()
    sign_in(client, "super@example.police.uk", officer[1], clock)
    response = client.get(f"/officers/audit?page={page}")
    assert response.status_code == 200
    assert "Audit log" in response.get_data(as_text=True)
