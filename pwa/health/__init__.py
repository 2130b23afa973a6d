"""Health checks for load balancers and orchestrators.

`/healthz`: the process is up and serving (touches nothing else). `/readyz`: it can do its
work: the database answers `SELECT 1` and, when REDIS_URL is set, Redis answers PING.
Both are JSON, never cached, exempt from rate limits (a prober polls them often from one
address) and from the HTTPS redirect (probes usually speak plain HTTP inside the network).
The failure's detail goes to the log, never to the response.
"""
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response, current_app, jsonify
from sqlalchemy import text

from ..extensions import db, limiter, talisman
from ..responses import no_store

if TYPE_CHECKING:
    import redis

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
@talisman(force_https=False)
def healthz() -> Response:
    return no_store(jsonify(status="ok"))


@bp.get("/readyz")
@limiter.exempt
@talisman(force_https=False)
def readyz() -> Response:
    checks = {"database": check_database()}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = check_redis()
    ready = all(value == "ok" for value in checks.values())
    response = no_store(jsonify(status="ok" if ready else "unavailable", checks=checks))
    response.status_code = 200 if ready else 503
    return response


def check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as err:  # any driver error means "not ready"
        current_app.logger.warning("readyz: database check failed: %s", type(err).__name__)
        db.session.rollback()
        return "failed"
    finally:
        db.session.remove()


def check_redis() -> str:
    try:
        _redis_client().ping()
        return "ok"
    except Exception as err:
        current_app.logger.warning("readyz: Redis check failed: %s", type(err).__name__)
        return "failed"


def _redis_client() -> "redis.Redis":
    """One small client per app (its own pool), with short timeouts so a dead Redis makes
    the check fail fast instead of hanging the prober."""
    client = current_app.extensions.get("health_redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=1,
                                      socket_connect_timeout=1)
        current_app.extensions["health_redis"] = client
    return client


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
