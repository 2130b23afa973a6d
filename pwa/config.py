"""Configuration classes, read from the environment when instantiated.

`APP_CONFIG` picks one: development (the default), testing or production. Everything a
deployment changes comes from an environment variable (see the README's table); everything a
force changes comes from its force file (see pwa/force.py).
"""
import os
from pathlib import Path
from typing import overload

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


SIDES = ("all", "public", "officers")


class StartupError(RuntimeError):
    """A deployment mistake found at start-up; the message says what to fix."""


@overload
def _env(name: str) -> str | None: ...
@overload
def _env(name: str, default: str) -> str: ...
def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


class Config:
    # Sessions: only essential cookies, never readable by scripts.
    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_HTTPONLY = True
    # Strict: the cookie is only ever needed on our own pages (the no-JS form, officers).
    SESSION_COOKIE_SAMESITE = "Strict"
    # Only officers' sessions are permanent; they end after 15 idle minutes (the officers
    # blueprint also checks a last-seen time on each request).
    PERMANENT_SESSION_LIFETIME = 15 * 60
    SESSION_COOKIE_SECURE = False
    FORCE_HTTPS = False
    HSTS = False
    # Pages cached by the service worker carry no token; forms fetch one when needed.
    WTF_CSRF_TIME_LIMIT = 3600
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    CACHE_DEFAULT_TIMEOUT = 300
    RATELIMIT_HEADERS_ENABLED = True
    REPORT_KEY_AUTOCREATE = False
    COMPRESS_ALGORITHM = ["br", "gzip"]
    # Static files are streamed; Flask-Compress leaves gzip out for streams by default, and
    # Chromium offers only gzip (not br) over plain http.
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]
    COMPRESS_MIMETYPES = [
        "text/html", "text/css", "text/javascript", "application/javascript",
        "application/json", "application/manifest+json", "image/svg+xml",
    ]
    COMPRESS_MIN_SIZE = 256
    # Officers (pwa/officers): a session ends after OFFICER_IDLE_MINUTES without activity
    # and OFFICER_SESSION_HOURS after sign-in whatever happens (a working shift). Sign-in
    # failures slow down one account from one address (OFFICER_THROTTLE_*: free attempts,
    # then a delay doubling from BASE seconds to at most MAX), never lock the account for
    # everyone; each address is also held to OFFICER_SIGNIN_RATE across accounts.
    OFFICER_IDLE_MINUTES = 15
    OFFICER_SESSION_HOURS: float = 10
    OFFICER_THROTTLE_FREE = 3
    OFFICER_THROTTLE_BASE_SECONDS = 2
    OFFICER_THROTTLE_MAX_SECONDS = 15 * 60
    OFFICER_SIGNIN_RATE = "5 per minute; 20 per hour"
    OFFICER_POLL_SECONDS = 10

    def __init__(self) -> None:
        self.SECRET_KEY = _env("SECRET_KEY")
        self.FORCE_FILE = _env("FORCE_FILE", str(ROOT / "content" / "force.yaml"))
        self.ADVICE_DIR = _env("ADVICE_DIR", str(ROOT / "content" / "advice"))
        # The embedded default is a SQLite file; DATABASE_URL switches to PostgreSQL.
        self.SQLALCHEMY_DATABASE_URI = database_url(
            _env("DATABASE_URL", f"sqlite:///{INSTANCE / 'app.sqlite'}"))
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
            # An unreachable server should fail a request (and /readyz) in seconds, not hang
            # a worker until gunicorn kills it.
            self.SQLALCHEMY_ENGINE_OPTIONS = {**self.SQLALCHEMY_ENGINE_OPTIONS,
                                              "connect_args": {"connect_timeout": 5}}
        # REDIS_URL moves the page cache and the rate limits to Redis, shared by all processes.
        self.use_redis(_env("REDIS_URL"), _env("REDIS_PREFIX", "sx:"))
        # Behind a reverse proxy: how many proxies to trust for X-Forwarded-* (0 = none).
        self.PROXY_FIX = int(_env("PROXY_FIX", "0"))
        # Which side this process serves: `public` (advice, the offline app, the report form
        # and API, health; holds only the public key), `officers` (sign-in, dashboard,
        # opening reports, the report commands; holds the private key) or `all` (both, the
        # embedded default). See the README's "Two sides".
        self.APP_SIDE = _env("APP_SIDE", "all")
        if self.APP_SIDE not in SIDES:
            raise StartupError(f"APP_SIDE={self.APP_SIDE!r} is not known; use one of "
                               f"{', '.join(SIDES)}.")
        # The force's report key pair (RSA private key, PEM). Reports are sealed to its public
        # half on the device; the private half opens them on the officers' side only. Older
        # keys, comma-separated, still open reports sealed before a rotation.
        self.REPORT_KEY_FILE = _env("REPORT_KEY_FILE", str(INSTANCE / "report-key.pem"))
        self.REPORT_OLD_KEY_FILES = [p for p in _env("REPORT_OLD_KEY_FILES", "").split(",") if p]
        # The public side's only key: the public half (PEM). Elsewhere it is derived from the
        # private key. Key ids (comma-separated) intake still accepts after a rotation.
        self.REPORT_PUBLIC_KEY_FILE = _env("REPORT_PUBLIC_KEY_FILE")
        self.REPORT_ACCEPTED_KEY_IDS = [
            k.strip() for k in _env("REPORT_ACCEPTED_KEY_IDS", "").split(",") if k.strip()]
        if self.APP_SIDE == "public" and (_env("REPORT_KEY_FILE") or
                                          _env("REPORT_OLD_KEY_FILES")):
            raise StartupError("The public side (APP_SIDE=public) must not be given a private "
                               "key: unset REPORT_KEY_FILE and REPORT_OLD_KEY_FILES and set "
                               "REPORT_PUBLIC_KEY_FILE.")
        # Sealed attachments live here, outside the web root.
        self.ATTACHMENT_DIR = _env("ATTACHMENT_DIR", str(INSTANCE / "attachments"))
        # Days a report is kept after it is closed; then the retention command deletes it.
        self.REPORT_RETENTION_DAYS = int(_env("REPORT_RETENTION_DAYS", "365"))
        # New reports per client address (a replay of a stored report is never limited), and
        # all report posts.
        self.REPORT_RATE_LIMIT = _env("REPORT_RATE_LIMIT", "10 per minute;100 per day")
        self.REPORT_ATTEMPT_LIMIT = _env("REPORT_ATTEMPT_LIMIT", "30 per minute")
        # Retries of a report already stored, per report (they skip the two above).
        self.REPORT_REPLAY_LIMIT = _env("REPORT_REPLAY_LIMIT", "60 per minute")
        # Private replies (pwa/report/mailbox.py): fetches and closing per mailbox, new
        # answers per mailbox, and every mailbox request per client address.
        self.MAILBOX_RATE_LIMIT = _env("MAILBOX_RATE_LIMIT", "30 per minute;300 per hour")
        self.MAILBOX_ANSWER_LIMIT = _env("MAILBOX_ANSWER_LIMIT", "10 per minute;50 per day")
        self.MAILBOX_ATTEMPT_LIMIT = _env("MAILBOX_ATTEMPT_LIMIT", "60 per minute")
        # Hours a no-JS report in progress is kept after its last change.
        self.REPORT_PROGRESS_HOURS = int(_env("REPORT_PROGRESS_HOURS", "4"))
        # Hours an officer's session lasts at most after sign-in, active or not.
        self.OFFICER_SESSION_HOURS = float(_env("OFFICER_SESSION_HOURS", "10"))
        # The audit log's chain key (pwa/officers/audit.py); unset, one derived from SECRET_KEY.
        self.AUDIT_KEY = _env("AUDIT_KEY")

    def use_redis(self, url: str | None, prefix: str = "sx:") -> None:
        """Point the page cache and the rate limits at Redis (or, with no URL, at this
        process's memory). The prefix keeps apps that share one Redis apart."""
        self.REDIS_URL = url
        if url:
            self.CACHE_TYPE = "RedisCache"
            self.CACHE_REDIS_URL = url
            self.CACHE_KEY_PREFIX = prefix
            # A Redis that stops answering must not hang the pages: give up quickly, and
            # flask-caching then renders the page uncached.
            self.CACHE_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1}
            self.RATELIMIT_STORAGE_URI = url
            self.RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1}
            self.RATELIMIT_KEY_PREFIX = prefix.rstrip(":")
            # If Redis is down, count in this process rather than refuse a victim's report.
            self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
            self.RATELIMIT_SWALLOW_ERRORS = True
        else:
            self.CACHE_TYPE = "SimpleCache"
            self.CACHE_OPTIONS = {}
            self.RATELIMIT_STORAGE_URI = "memory://"
            self.RATELIMIT_STORAGE_OPTIONS = {}
            self.RATELIMIT_KEY_PREFIX = ""


def database_url(url: str) -> str:
    """SQLAlchemy URL for DATABASE_URL. Hosting platforms hand out `postgres://` and
    `postgresql://`; both mean PostgreSQL through psycopg 3, the driver we ship."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def weak_key_reason(key: str) -> str | None:
    """Why a secret key is too weak to protect sessions, second factors and the audit chain
    (None if it is not). A key made by a random generator passes easily; what is refused is
    what a person types: too short, a few characters used over and over, or a short piece
    repeated ("aaaa…", "abcabcabc…", "changemechangeme…")."""
    if len(key) < MIN_KEY_LENGTH:
        return f"it is {len(key)} characters; it must be at least {MIN_KEY_LENGTH}"
    distinct = len(set(key))
    if distinct < MIN_KEY_DISTINCT:
        return (f"it uses only {distinct} different characters; a random key uses at least "
                f"{MIN_KEY_DISTINCT}")
    for size in range(1, len(key) // 2 + 1):
        if key == (key[:size] * (len(key) // size + 1))[:len(key)]:
            return f"it is the same {size} characters repeated"
    return None


MIN_KEY_LENGTH = 32
MIN_KEY_DISTINCT = 12
KEY_ADVICE = ("Make one with: python -c 'import secrets; print(secrets.token_hex(32))'")


class DevelopmentConfig(Config):
    REPORT_KEY_AUTOCREATE = True  # a throwaway key for local runs, made on first start

    def __init__(self) -> None:
        super().__init__()
        # The instance folder holds the development secret, report key and database: only
        # this user may read it, whatever the umask.
        private_dir(INSTANCE)
        if self.SQLALCHEMY_DATABASE_URI == f"sqlite:///{INSTANCE / 'app.sqlite'}":
            private_file(INSTANCE / "app.sqlite")  # SQLite keeps these modes for its journals
        # A development secret that survives restarts, so sign-in and forms keep working.
        self.SECRET_KEY = self.SECRET_KEY or _dev_secret()


class TestingConfig(Config):
    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "testing-secret"
        self.SQLALCHEMY_DATABASE_URI = "sqlite://"
        self.use_redis(None)


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    FORCE_HTTPS = True
    HSTS = True
    # Never the debugger in production, whatever FLASK_DEBUG says (create_app enforces it).
    DEBUG = False
    PRODUCTION = True

    def __init__(self) -> None:
        super().__init__()
        if not self.SECRET_KEY:
            raise StartupError("SECRET_KEY must be set in production (a long random string).")
        if self.APP_SIDE == "public":
            if not self.REPORT_PUBLIC_KEY_FILE:
                raise StartupError("REPORT_PUBLIC_KEY_FILE must be set on the public side in "
                                   "production: the path of the force's report public key.")
        elif not _env("REPORT_KEY_FILE"):
            raise StartupError("REPORT_KEY_FILE must be set in production: the path of the "
                               "force's report private key (`flask --app pwa keys generate`).")
        for name in ("SECRET_KEY", "AUDIT_KEY"):
            value = getattr(self, name)
            reason = value is not None and weak_key_reason(value)
            if reason:
                raise StartupError(
                    f"{name} is too weak for production ({reason}): it signs sessions and "
                    f"protects officers' second factors and the audit log. Use a random key "
                    f"of at least {MIN_KEY_LENGTH} characters with at least "
                    f"{MIN_KEY_DISTINCT} different ones, not a short piece repeated. "
                    f"{KEY_ADVICE}")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load(name: str | None = None) -> Config:
    name = name or _env("APP_CONFIG", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise StartupError(
            f"APP_CONFIG={name!r} is not known; use one of {', '.join(CONFIGS)}."
        ) from None


def private_dir(path: Path) -> None:
    """A folder only its owner can open (0700), made so from the start."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)


def private_file(path: Path, content: str | None = None) -> None:
    """Create a file readable only by its owner (0600) if it is missing; never a moment when
    it is readable by others."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        path.chmod(0o600)
        return
    with os.fdopen(fd, "w") as handle:
        if content is not None:
            handle.write(content)


def _dev_secret() -> str:
    private_dir(INSTANCE)
    path = INSTANCE / "dev-secret"
    private_file(path, os.urandom(32).hex())
    return path.read_text().strip()
