"""Fixtures: `app`, `client` and `runner` as in the Flask tutorial, plus a force-file factory.

Browser fixtures (a live server and Chromium driven by Playwright) are in
tests/browser/conftest.py.

Stores: every test built on `make_config` (and so `make_app`, `app`, `client`) runs on the
embedded stores (a SQLite file, in-process cache and limits) and again on PostgreSQL + Redis
(`[sqlite]` and `[postgres]` in the test ids); browser tests run on SQLite only unless marked
`@pytest.mark.stores`. `--backend=sqlite|postgres|all` (or SX_TEST_BACKEND) narrows this;
the default is `all`. Where PostgreSQL or Redis cannot be reached, the `[postgres]` variants
are skipped with a message saying which. See tests/server_stores.py for how runs are kept
apart.
"""
import os
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient
from sqlalchemy.pool import NullPool

from pwa import create_app, sealing
from pwa.config import ROOT, TestingConfig
from pwa.extensions import db

from server_stores import ServerStores, Unreachable

DEFAULT_FORCE = ROOT / "content" / "force.yaml"
BACKENDS = ("sqlite", "postgres", "all")


def pytest_addoption(parser):
    parser.addoption(
        "--backend", choices=BACKENDS, default=os.environ.get("SX_TEST_BACKEND", "all"),
        help="stores for tests built on make_config: sqlite (embedded), postgres "
             "(PostgreSQL + Redis), or all (default: both, browser tests on SQLite only)")
    parser.addoption(
        "--schemathesis-examples", type=int, default=None,
        help="examples per operation and generation mode for tests/test_schemathesis.py "
             "(default: a small, fixed-seed run; more for a longer, randomised search)")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "stores: also run this browser test on PostgreSQL + Redis")


def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames:
        return
    choice = metafunc.config.getoption("backend")
    if choice == "sqlite":
        return  # the `backend` fixture defaults to sqlite
    if choice == "postgres":
        params = ["postgres"]
    else:
        browser = "browser" in metafunc.definition.path.parts
        if browser and not metafunc.definition.get_closest_marker("stores"):
            return
        params = ["sqlite", "postgres"]
    metafunc.parametrize("backend", params, indirect=True)


@pytest.fixture
def backend(request):
    """Which stores this test runs on: "sqlite" or "postgres" (PostgreSQL + Redis)."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def server_stores():
    """The run's PostgreSQL database and Redis prefix (tests/server_stores.py); skips the
    test, saying why, when either server is unreachable."""
    try:
        stores = ServerStores()
    except Unreachable as err:
        pytest.skip(str(err))
    yield stores
    stores.close()


@pytest.fixture
def stores(request, backend):
    """For a [postgres] test: (SQLAlchemy URL of a fresh schema, Redis URL, key prefix),
    shared by every app the test makes; None for [sqlite]."""
    if backend != "postgres":
        yield None
        return
    server = request.getfixturevalue("server_stores")
    schema = server.new_schema()
    yield server.sqlalchemy_url(schema), server.redis_url, server.new_prefix()
    server.drop_schema(schema)


@pytest.fixture(scope="session")
def report_key_file(tmp_path_factory):
    """One throwaway report key pair for the whole run (RSA key generation is slow)."""
    path = tmp_path_factory.mktemp("keys") / "report-key.pem"
    sealing.write_private_key(path)
    return path


@pytest.fixture
def make_config(tmp_path, report_key_file, backend, stores):
    """Build a TestingConfig with overrides: make_config(FORCE_FILE=..., ...)."""

    def make(**overrides):
        config = TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'test.sqlite'}"
        if stores:
            database_url, redis_url, prefix = stores
            config.SQLALCHEMY_DATABASE_URI = database_url
            # No pool: a test's connections close with it, whatever the test leaves behind.
            config.SQLALCHEMY_ENGINE_OPTIONS = {"poolclass": NullPool}
            config.use_redis(redis_url, prefix)
        config.REPORT_KEY_FILE = str(report_key_file)
        config.ATTACHMENT_DIR = str(tmp_path / "attachments")
        for key, value in overrides.items():
            setattr(config, key, value)
        return config

    return make


class BufferedClient(FlaskClient):
    """Flask's test client, reading each response whole and closing it, as a server does
    once it has sent it (a static file is streamed from an open file)."""

    def open(self, *args, buffered=True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture
def make_app(make_config):
    """Create an app with its tables: make_app(FORCE_FILE=...)."""

    apps = []

    def make(**overrides):
        app = create_app(make_config(**overrides))
        app.test_client_class = BufferedClient
        with app.app_context():
            db.create_all()
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


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


@pytest.fixture
def database_bytes():
    """database_bytes(app): everything the database holds, as bytes, to search for plaintext.
    The SQLite file itself, or for PostgreSQL every row of every table (bytes as stored)."""

    def dump(app):
        with app.app_context():
            db.session.remove()
            url = db.engine.url
            if url.get_backend_name() == "sqlite":
                db.engine.dispose()  # everything written to the file
                return Path(url.database).read_bytes()
            chunks = []
            with db.engine.connect() as connection:
                for table in db.metadata.sorted_tables:
                    for row in connection.execute(table.select()):
                        for value in row:
                            chunks.append(value if isinstance(value, bytes)
                                          else str(value).encode())
            return b"\n".join(chunks)

    return dump
