"""Production refuses to start without what officers' sign-in and reports depend on."""
import pytest

from pwa import create_app
from pwa.config import ProductionConfig, StartupError


def test_production_needs_a_long_secret_key(monkeypatch, report_key_file):
    monkeypatch.setenv("REPORT_KEY_FILE", str(report_key_file))
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(StartupError, match="at least 32 characters"):
        ProductionConfig()


def test_production_refuses_a_missing_report_key_file_clearly(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "4f1c9a7be2d83065af19c7d2e80b4a6f")
    monkeypatch.setenv("REPORT_KEY_FILE", str(tmp_path / "missing.pem"))
    config = ProductionConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'db.sqlite'}"
    with pytest.raises(StartupError, match="report key file not found"):
        create_app(config)
    assert not (tmp_path / "missing.pem").exists()  # never made up in production
