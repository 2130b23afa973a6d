"""PostgreSQL least privilege, for real: migrations run as the owner, then the app connects as
a role granted only what deploy/postgres/app-role.sql grants, does its work, and cannot
UPDATE, DELETE or TRUNCATE the audit log or turn off its trigger. Skipped, saying why, where
PostgreSQL is not reachable."""
import secrets
import shutil
import subprocess

import psycopg
import pytest
from flask_migrate import upgrade
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from officers_support import clock, make_officer, make_report, sign_in  # noqa: F401

from pwa import create_app
from pwa import config as app_config
from pwa.config import ROOT
from pwa.extensions import db
from pwa.officers import audit

SCRIPT = ROOT / "deploy" / "postgres" / "app-role.sql"


def apply_grants(conninfo, role, schema):
    """As the README says: psql with two variables. Without psql, the same substitution."""
    if shutil.which("psql"):
        subprocess.run(["psql", conninfo, "-v", "ON_ERROR_STOP=1", "-q", "-v",
                        f"app_role={role}", "-v", f"schema={schema}", "-f", str(SCRIPT)],
                       check=True, capture_output=True, text=True)
        return
    sql = SCRIPT.read_text().replace(':"app_role"', f'"{role}"').replace(':"schema"', f'"{schema}"')
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(sql)


def config_for(url, report_key_file, tmp_path):
    config = app_config.TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    config.SQLALCHEMY_ENGINE_OPTIONS = {"poolclass": NullPool}
    config.REPORT_KEY_FILE = str(report_key_file)
    config.ATTACHMENT_DIR = str(tmp_path / "attachments")
    config.OFFICER_SIGNIN_RATE = "1000 per minute"
    return config


@pytest.fixture
def app_role(server_stores, report_key_file, tmp_path):
    """(owner's app, the app as the least-privilege role, the role's psycopg conninfo)."""
    schema = server_stores.new_schema()
    owner_url = server_stores.sqlalchemy_url(schema)
    role = f"sx_app_{secrets.token_hex(4)}"
    run = server_stores._run
    run.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        owner = create_app(config_for(owner_url, report_key_file, tmp_path))
        with owner.app_context():
            upgrade()  # the migrations, as the owner
            db.engine.dispose()
        params = server_stores._params
        conninfo = psycopg.conninfo.make_conninfo(**params)
        apply_grants(conninfo, role, schema)
        role_url = make_url(owner_url).set(username=role, password=None)
        app = create_app(config_for(role_url.render_as_string(hide_password=False),
                                    report_key_file, tmp_path))
        role_conninfo = psycopg.conninfo.make_conninfo(
            **{**params, "user": role, "password": None}, options=f"-csearch_path={schema}")
        yield owner, app, role_conninfo
        with app.app_context():
            db.engine.dispose()
    finally:
        server_stores.drop_schema(schema)
        run.execute(f'DROP OWNED BY "{role}"')
        run.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_the_app_works_as_the_least_privilege_role(app_role, clock):
    _, app, _ = app_role
    officer = make_officer(app, "role@example.police.uk", role="supervisor")
    reference = make_report(app)
    client = app.test_client()
    assert sign_in(client, "role@example.police.uk", officer[1], clock).status_code == 302
    assert client.get(f"/officers/reports/{reference}").status_code == 200
    assert client.get("/officers/audit").status_code == 200
    assert app.test_client().get("/readyz").status_code == 200
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "whole" in result.output


@pytest.mark.parametrize("statement, words", [
    ("UPDATE audit_entries SET detail = 'x'", "permission denied"),
    ("DELETE FROM audit_entries", "permission denied"),
    ("TRUNCATE audit_entries", "permission denied"),
    ("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only", "must be owner"),
    ("DELETE FROM audit_head", "permission denied"),
    ("DROP TABLE audit_entries", "must be owner"),
    ("UPDATE alembic_version SET version_num = '0001'", "permission denied"),
])
def test_the_role_cannot_rewrite_the_audit_log(app_role, statement, words):
    _, app, role_conninfo = app_role
    with app.app_context():
        audit.record("rotate_keys", detail="before")
    with psycopg.connect(role_conninfo) as connection:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=words):
            connection.execute(statement)
    with app.app_context():
        assert audit.verify().ok
