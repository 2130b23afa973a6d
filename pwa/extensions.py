"""Extensions, created once here and bound to the app in create_app()."""
from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect

db = SQLAlchemy()
migrate = Migrate()
cache = Cache()
csrf = CSRFProtect()
talisman = Talisman()
compress = Compress()
# The client address is used only as a rate-limit key, in memory or Redis, never stored
# with a report. Behind a proxy, PROXY_FIX makes it the real client's.
limiter = Limiter(key_func=get_remote_address)
