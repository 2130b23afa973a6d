"""Fixtures: `app`, `client` and `runner` as in the Flask tutorial, plus a force-file factory.

Browser fixtures (a live server and Chromium driven by Playwright) are in
tests/browser/conftest.py.
"""
import os
from pathlib import Path

import pytest
import yaml

from pwa import create_app, sealing
from pwa.config import ROOT, TestingConfig
from pwa.extensions import db

DEFAULT_FORCE = ROOT / "content" / "force.yaml"


@pytest.fixture(scope="session")
def report_key_file(tmp_path_factory):
    """One throwaway report key pair for the whole run (RSA key generation is slow)."""
    path = tmp_path_factory.mktemp("keys") / "report-key.pem"
    sealing.write_private_key(path)
    return path


@pytest.fixture
def make_config(tmp_path, report_key_file):
    """Build a TestingConfig with overrides: make_config(FORCE_FILE=..., ...)."""

    def make(**overrides):
        config = TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'test.sqlite'}"
        config.REPORT_KEY_FILE = str(report_key_file)
        config.ATTACHMENT_DIR = str(tmp_path / "attachments")
        for key, value in overrides.items():
            setattr(config, key, value)
        return config

    return make


@pytest.fixture
def make_app(make_config):
    """Create an app with its tables: make_app(FORCE_FILE=...)."""

    def make(**overrides):
        app = create_app(make_config(**overrides))
        with app.app_context():
            db.create_all()
        return app

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def force_file(tmp_path):
    """Write a force file: the shipped default with some values changed.

    force_file({"force": {"name": "Test Police"}}) deep-merges the changes; a value of
    `None` deletes that key. Returns the path.
    """

    def write(changes=None, name="force.yaml"):
        data = yaml.safe_load(DEFAULT_FORCE.read_text())
        _merge(data, changes or {})
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return write


def _merge(data, changes):
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        elif isinstance(value, dict) and isinstance(data.get(key), dict):
            _merge(data[key], value)
        else:
            data[key] = value
