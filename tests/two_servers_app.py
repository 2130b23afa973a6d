"""The app as deployed, plus one rate-limited test route, for tests/test_two_servers.py
(served by gunicorn: `gunicorn 'two_servers_app:create_app()'` with tests/ on PYTHONPATH).
main has no rate-limited route of its own yet; this one shows the limits are shared."""
import pwa
from pwa.extensions import limiter

LIMIT = 5


def create_app():
    app = pwa.create_app()

    @app.get("/_test/limited")
    @limiter.limit(f"{LIMIT} per hour")
    def limited():
        return "ok"

    return app
