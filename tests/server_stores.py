"""PostgreSQL and Redis for the test run, kept apart from everyone else's.

Each test run gets its own PostgreSQL database `sx_test_<run id>` (made through the admin
database, `test` by default, and dropped at the end), each test its own schema in it (found
through `search_path`), and each test its own Redis key prefix `sx_test_<run id>:<n>:`; the
run's keys are deleted at the end. Nothing else on the servers is touched: no FLUSHALL, no
DROP of any database this run did not create.

Where they are: TEST_POSTGRES_URL (default postgresql://127.0.0.1:5432/test) and
TEST_REDIS_URL (default redis://127.0.0.1:6379/0).
"""
import itertools
import os
import secrets

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Unreachable(Exception):
    """PostgreSQL or Redis cannot be reached; the message says which and where."""


class ServerStores:
    def __init__(self, admin_url=ADMIN_URL, redis_url=REDIS_URL):
        import psycopg
        import redis
        from psycopg.conninfo import conninfo_to_dict

        self.admin_url = admin_url
        self.redis_url = redis_url
        self.run_id = secrets.token_hex(4)
        self.database = f"sx_test_{self.run_id}"
        self._counter = itertools.count(1)
        params = conninfo_to_dict(admin_url)
        where = f"{params.get('host', 'localhost')}:{params.get('port', 5432)}"
        try:
            self._admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
        except psycopg.Error as err:
            raise Unreachable(f"PostgreSQL not reachable at {where}: skipped "
                              f"({type(err).__name__}; set TEST_POSTGRES_URL)") from None
        self.redis = redis.Redis.from_url(redis_url, socket_timeout=3, socket_connect_timeout=3)
        try:
            self.redis.ping()
        except redis.RedisError as err:
            self._admin.close()
            raise Unreachable(f"Redis not reachable at {redis_url}: skipped "
                              f"({type(err).__name__}; set TEST_REDIS_URL)") from None
        self._admin.execute(f'CREATE DATABASE "{self.database}"')
        self._params = {**params, "dbname": self.database}
        self._run = psycopg.connect(autocommit=True, **self._params)

    # PostgreSQL ---------------------------------------------------------------------------
    def new_schema(self):
        schema = f"t{next(self._counter)}"
        self._run.execute(f'CREATE SCHEMA "{schema}"')
        return schema

    def drop_schema(self, schema):
        self._run.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def sqlalchemy_url(self, schema=None):
        """A URL for the run's database (psycopg 3), in `schema` if given."""
        from sqlalchemy.engine import URL

        query = {"options": f"-csearch_path={schema}"} if schema else {}
        return URL.create(
            "postgresql+psycopg", username=self._params.get("user"),
            password=self._params.get("password"), host=self._params.get("host"),
            port=int(self._params["port"]) if self._params.get("port") else None,
            database=self.database, query=query,
        ).render_as_string(hide_password=False)

    # Redis --------------------------------------------------------------------------------
    def new_prefix(self):
        return f"{self.database}:{next(self._counter)}:"

    def redis_keys(self):
        # Flask-Limiter (through `limits`) puts its own words before our prefix, so match
        # the run id anywhere in the key.
        return list(self.redis.scan_iter(match=f"*{self.database}*", count=1000))

    # --------------------------------------------------------------------------------------
    def close(self):
        keys = self.redis_keys()
        if keys:
            self.redis.delete(*keys)
        self.redis.close()
        self._run.close()
        self._admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self._admin.close()
