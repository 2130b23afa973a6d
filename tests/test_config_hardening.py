"""Deployment settings that protect the officers' side: production refuses weak keys and
ignores FLASK_DEBUG; development's instance folder and the files the app makes there are
private to their owner."""
import os
import stat

import pytest
from flask.cli import ScriptInfo

from pwa import config, create_app
from pwa.config import DevelopmentConfig, ProductionConfig, StartupError, weak_key_reason
from pwa.extensions import db

GOOD_KEY = "4f1c9a7be2d83065af19c7d2e80b4a6f91d3c5e7a0b2f48c6e1d9a3b57c0e2f4"


@pytest.fixture
def production_env(monkeypatch, report_key_file, tmp_path):
    monkeypatch.setenv("REPORT_KEY_FILE", str(report_key_file))
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.sqlite'}")
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)


@pytest.mark.parametrize("key, reason", [
    ("x" * 64, "only 1 different characters"),
    ("ab" * 32, "only 2 different characters"),
    ("0123456789abcdef" * 4, "the same 16 characters repeated"),
    ("changeme" * 5, "only 7 different characters"),
    ("short-but-varied-key", "it is 20 characters"),
])
def test_production_refuses_keys_without_real_entropy(production_env, monkeypatch, key, reason):
    monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(StartupError) as raised:
        ProductionConfig()
    message = str(raised.value)
    assert reason in message
    # The rule is explained, and how to make a good key.
    assert "at least 32 characters" in message and "12 different" in message
    assert "secrets.token_hex(32)" in message


def test_production_checks_a_separate_audit_key_too(production_env, monkeypatch):
    monkeypatch.setenv("AUDIT_KEY", "a" * 40)
    with pytest.raises(StartupError, match="AUDIT_KEY is too weak"):
        ProductionConfig()


@pytest.mark.parametrize("key", [GOOD_KEY, "Tr0ub4dor&3-correct-horse-battery-staple-91"])
def test_random_keys_pass(key):
    assert weak_key_reason(key) is None


def test_production_ignores_flask_debug(production_env, monkeypatch, capsys):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    # As `flask run` loads it: the CLI sets the debug flag from the environment afterwards.
    app = ScriptInfo(create_app=lambda: create_app(ProductionConfig())).load_app()
    assert app.debug is False and os.environ["FLASK_DEBUG"] == "0"
    assert "FLASK_DEBUG is ignored in production" in capsys.readouterr().err


def test_development_keeps_flask_debug(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE", tmp_path / "instance")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REPORT_KEY_FILE", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = ScriptInfo(create_app=lambda: create_app(DevelopmentConfig())).load_app()
    assert app.debug is True
    with app.app_context():
        db.engine.dispose()


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_development_instance_folder_and_files_are_private(monkeypatch, tmp_path):
    instance = tmp_path / "instance"
    monkeypatch.setattr(config, "INSTANCE", instance)
    for name in ("SECRET_KEY", "DATABASE_URL", "REPORT_KEY_FILE", "ATTACHMENT_DIR"):
        monkeypatch.delenv(name, raising=False)
    old = os.umask(0o022)  # a usual umask: by default files would be world-readable
    try:
        app = create_app(DevelopmentConfig())
        with app.app_context():
            db.create_all()
            db.engine.dispose()
    finally:
        os.umask(old)
    assert mode(instance) == 0o700
    for name in ("dev-secret", "report-key.pem", "app.sqlite"):
        assert mode(instance / name) == 0o600, name


def test_an_existing_instance_folder_is_made_private(monkeypatch, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    (instance / "dev-secret").write_text(GOOD_KEY)
    (instance / "dev-secret").chmod(0o644)
    monkeypatch.setattr(config, "INSTANCE", instance)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    DevelopmentConfig()
    assert mode(instance) == 0o700 and mode(instance / "dev-secret") == 0o600
