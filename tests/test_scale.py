"""Scale-out: configuration switches the stores, health checks, migrations, gunicorn settings."""
import runpy

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from pwa import create_app
from pwa.config import ROOT, ProductionConfig, database_url
from pwa.extensions import db


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@db:5432/sx", "postgresql+psycopg://u:p@db:5432/sx"),
    ("postgresql://db/sx?sslmode=require", "postgresql+psycopg://db/sx?sslmode=require"),
    ("postgresql+psycopg://db/sx", "postgresql+psycopg://db/sx"),
    ("sqlite:////srv/app.sqlite", "sqlite:////srv/app.sqlite"),
])
def test_database_url_means_psycopg_3(given, expected):
    assert database_url(given) == expected


def test_configuration_alone_switches_the_stores(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://db.internal/sx")
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    monkeypatch.setenv("SECRET_KEY", "4f1c9a7be2d83065af19c7d2e80b4a6f")
    monkeypatch.setenv("REPORT_KEY_FILE", "/run/secrets/report-key.pem")
    config = ProductionConfig()
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://db.internal/sx"
    assert config.CACHE_TYPE == "RedisCache"
    assert config.CACHE_REDIS_URL == config.RATELIMIT_STORAGE_URI == "redis://cache.internal:6379/2"
    assert config.CACHE_KEY_PREFIX == "sx:"

    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.delenv("REDIS_URL")
    config = ProductionConfig()
    assert config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert config.CACHE_TYPE == "SimpleCache" and config.RATELIMIT_STORAGE_URI == "memory://"


def test_the_app_uses_the_configured_stores(app, backend):
    from pwa.extensions import cache, limiter

    with app.app_context():
        dialect = db.engine.dialect.name
    assert dialect == {"sqlite": "sqlite", "postgres": "postgresql"}[backend]
    expected_cache = {"sqlite": "SimpleCache", "postgres": "RedisCache"}[backend]
    assert type(app.extensions["cache"][cache]).__name__ == expected_cache
    assert type(limiter.storage).__name__ == {"sqlite": "MemoryStorage",
                                              "postgres": "RedisStorage"}[backend]


def test_healthz_says_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_checks_the_database_and_redis(client, backend):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    checks = {"database": "ok"}
    if backend == "postgres":
        checks["redis"] = "ok"
    assert response.get_json() == {"status": "ok", "checks": checks}


def test_readyz_is_503_when_the_database_does_not_answer(make_config, tmp_path):
    app = create_app(make_config(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'no-such-dir' / 'x.sqlite'}"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["checks"]["database"] == "failed"


def test_with_redis_down_pages_still_serve_and_readyz_says_so(make_config):
    config = make_config(RATELIMIT_DEFAULT="2 per minute")
    config.use_redis("redis://127.0.0.1:1/0", "sx_down:")  # nothing listens on port 1
    app = create_app(config)
    client = app.test_client()
    assert client.get("/advice/what-to-do-now").status_code == 200
    # Limits are then counted in this process until Redis is back.
    assert [client.get("/cookies").status_code for _ in range(3)] == [200, 200, 429]
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["redis"] == "failed"


def test_health_checks_are_exempt_from_rate_limits(make_app):
    app = make_app(RATELIMIT_DEFAULT="2 per minute")
    client = app.test_client()
    assert [client.get("/cookies").status_code for _ in range(3)] == [200, 200, 429]
    for path in ["/healthz", "/readyz"]:
        assert {client.get(path).status_code for _ in range(4)} == {200}


def test_health_checks_answer_plain_http_in_production(make_config, monkeypatch, report_key_file):
    # Probes usually speak plain HTTP inside the network; pages are still redirected.
    monkeypatch.setenv("SECRET_KEY", "4f1c9a7be2d83065af19c7d2e80b4a6f")
    monkeypatch.setenv("REPORT_KEY_FILE", str(report_key_file))
    config = ProductionConfig()
    base = make_config()  # the test's database, without a pool that would outlive the test
    config.SQLALCHEMY_DATABASE_URI = base.SQLALCHEMY_DATABASE_URI
    config.SQLALCHEMY_ENGINE_OPTIONS = base.SQLALCHEMY_ENGINE_OPTIONS
    client = create_app(config).test_client()
    assert client.get("/").status_code == 302
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_migrations_build_the_models_schema_and_undo_it(make_config):
    app = create_app(make_config())
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diffs == [], "models and migrations differ: run `flask --app pwa db migrate`"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_init_db_applies_the_migrations(make_config):
    app = create_app(make_config())
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert {"reports", "attachments", "alembic_version"} <= set(
            inspect(db.engine).get_table_names())
        db.engine.dispose()


def _gunicorn_settings(monkeypatch, **env):
    for name in ["WEB_CONCURRENCY", "GUNICORN_ACCESS_LOG", "GUNICORN_BIND"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_logs_no_address_user_agent_or_query(monkeypatch):
    settings = _gunicorn_settings(monkeypatch)
    assert settings["accesslog"] is None  # off unless asked for
    assert 3 <= settings["workers"] <= 9
    settings = _gunicorn_settings(monkeypatch, GUNICORN_ACCESS_LOG="-", WEB_CONCURRENCY="4")
    assert settings["accesslog"] == "-" and settings["workers"] == 4
    # gunicorn's atoms: h/{...}e remote address, a user agent, f referrer, q query string,
    # r and U... only U (the path alone) is allowed.
    fmt = settings["access_log_format"]
    for atom in ["%(h)s", "%(a)s", "%(f)s", "%(q)s", "%(r)s", "%(u)s", "%({"]:
        assert atom not in fmt
