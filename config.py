"""Configuration, read from environment variables (and a `.env` file if present).

Three configurations: development (the default: SQLite in `instance/`, one process),
testing, and production, which refuses to start with insecure settings.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("BARCAMP_INSTANCE_PATH", BASE_DIR / "instance"))

load_dotenv(BASE_DIR / ".env")


class ConfigError(RuntimeError):
    """A setting the app cannot start with; its message says which and why."""


class InsecureConfigError(ConfigError):
    """Raised when the production configuration would run with unsafe settings."""


def _env_list(name):
    value = os.environ.get(name, "").strip()
    return [item.strip() for item in value.split(",") if item.strip()] or None


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret_key():
    """Keep one random key per instance folder, so sessions survive a restart."""
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


class Config:
    """Settings shared by every configuration."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'barcamp.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # The public address of this instance, used in QR codes and shared links.
    # Without it, links are built from the address the visitor used.
    BASE_URL = os.environ.get("BASE_URL", "").rstrip("/") or None
    TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS")
    # How many reverse proxies (nginx…) stand in front of the app: their
    # X-Forwarded-For/-Proto/-Host are then believed, so rate limits count each
    # visitor's own address, not the proxy's (0: none, trust no such header).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # The projector's now/next as if the server had started at this time of day
    # (HH:MM) on the event's day: a demo or a rehearsal at any hour (barcamp/clock.py).
    CLOCK = os.environ.get("CLOCK") or None

    # Who may create events: "anyone", or "admin" (holders of ADMIN_TOKEN).
    EVENT_CREATION = os.environ.get("EVENT_CREATION", "anyone")
    ADMIN_TOKEN = os.environ.get("ADMIN_TOKEN")

    # Socket.IO: same-origin only unless a list of origins is given.
    SOCKETIO_CORS_ALLOWED_ORIGINS = _env_list("SOCKETIO_CORS_ALLOWED_ORIGINS")
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    # Engine.IO's heartbeat (seconds): the server pings every interval and drops a
    # socket that has not answered within the timeout (a phone gone to sleep, a client
    # that never answers), freeing what it held.
    SOCKETIO_PING_INTERVAL = float(os.environ.get("SOCKETIO_PING_INTERVAL", "25"))
    SOCKETIO_PING_TIMEOUT = float(os.environ.get("SOCKETIO_PING_TIMEOUT", "20"))
    # Large enough for a whole note sent at once after an offline spell.
    SOCKETIO_MAX_PAYLOAD = 1024 * 1024
    # Tallies (and seat counts) go out at most this often per event (seconds), always
    # the latest counts, once the process falls behind; the first change after a quiet
    # spell goes out at once.
    TALLY_INTERVAL = float(os.environ.get("TALLY_INTERVAL", "0.1"))
    # While the process used less than this share of its core over the last second,
    # every change of tallies and seat counts goes out at once instead (0: never).
    SPARE_CPU = float(os.environ.get("SPARE_CPU", "0.9"))
    # The room's questions to a talk (the whole list, with upvotes) go out at most this
    # often: a plenary of a thousand upvoting does not need them ten times a second.
    QUESTIONS_INTERVAL = float(os.environ.get("QUESTIONS_INTERVAL", "0.5"))
    # In a burst of arrivals, the `participant_joined` that follow the first within this
    # many seconds go out together, as one `changes` message (see docs/protocol.md).
    BATCH_INTERVAL = float(os.environ.get("BATCH_INTERVAL", "0.25"))
    # When the process's event loop runs this late (seconds), actions are refused as
    # `busy` before any work, and clients retry after a back-off (0: never).
    LOAD_SHED_LAG = float(os.environ.get("LOAD_SHED_LAG", "0.3"))
    # How long the grid optimizer may search at most (seconds; a guard: its work is
    # counted in steps, sized by the event, so the same event gives the same grid). It
    # runs in a process of its own, outside any transaction.
    SCHEDULE_TIME_LIMIT = float(os.environ.get("SCHEDULE_TIME_LIMIT", "20"))
    # Steps of the search (None: sized by the event).
    SCHEDULE_STEPS = int(os.environ["SCHEDULE_STEPS"]) if os.environ.get("SCHEDULE_STEPS") else None

    # Writers of one process take turns (on SQLite, one writer at a time): how long one
    # may wait for its turn before being told the server is busy (seconds), and whether
    # a unit of work that waits on something while holding its turn fails (it is
    # logged otherwise). See barcamp/database.py.
    WRITE_TURN_TIMEOUT = 10.0
    WRITE_TURN_STRICT = _env_bool("WRITE_TURN_STRICT", False)
    # Routes for the tests of the real server only (tests/live_server.py).
    TEST_HOOKS = _env_bool("BARCAMP_TEST_HOOKS", False)

    # Shared notes: the largest update accepted (bytes), the longest note (characters),
    # the largest stored document (bytes), how often a revision is kept while people
    # write (seconds), and how many stored updates are merged into one.
    NOTE_UPDATE_MAX = 512 * 1024
    NOTE_TEXT_MAX = 100_000
    NOTE_STATE_MAX = 2 * 1024 * 1024
    NOTE_REVISION_INTERVAL = 300
    NOTE_COMPACT_AFTER = 200

    # Rate limits: memory:// for one process, redis://… when several share the work.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")

    # Anonymous identity lives in the session cookie for the whole event and after.
    SESSION_COOKIE_NAME = "barcamp_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(days=90)
    # Set the cookie only when the session changed: a slow response (a favicon, the QR
    # code) must never overwrite a cookie that a later response changed (a join).
    SESSION_REFRESH_EACH_REQUEST = False
    # A form left open over lunch must still submit: the token lives as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 1024 * 1024

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "Europe/Paris"
    LANGUAGES = ("fr", "en")
    # Where people report an accessibility problem (an e-mail address or a web address),
    # named by the accessibility statement (/accessibility); empty: "the organizers".
    ACCESSIBILITY_CONTACT = os.environ.get("ACCESSIBILITY_CONTACT", "")

    # The app's logs on standard error: "text" lines, or one JSON object per line
    # ("json", the production default), link secrets always removed (barcamp/logs.py).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()

    @classmethod
    def init_app(cls, app):
        """Last checks and defaults once the app holds this configuration."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = _env_bool("FLASK_DEBUG", False)

    @classmethod
    def init_app(cls, app):
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = _development_secret_key()


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite:///:memory:")
    RATELIMIT_STORAGE_URI = "memory://"
    SOCKETIO_MESSAGE_QUEUE = None
    SERVER_NAME = None
    # The test client runs no background tasks: send tallies at once (the coalescer
    # itself is tested on its own, and against the real server).
    TALLY_INTERVAL = 0
    QUESTIONS_INTERVAL = 0
    BATCH_INTERVAL = 0
    LOAD_SHED_LAG = 0
    SCHEDULE_TIME_LIMIT = 5.0
    SCHEDULE_STEPS = 3000
    WRITE_TURN_STRICT = True


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEBUG = False
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    PREFERRED_URL_SCHEME = "https"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")

    @classmethod
    def init_app(cls, app):
        """Refuse to run with settings that would make the instance unsafe."""
        config = app.config
        problems = []
        if len(config.get("SECRET_KEY") or "") < 32:
            problems.append("SECRET_KEY must be a random value of 32+ characters")
        if config.get("DEBUG") or _env_bool("FLASK_DEBUG"):
            problems.append("DEBUG must be off")
        origins = config.get("SOCKETIO_CORS_ALLOWED_ORIGINS")
        if origins is not None and ("*" in origins or not origins):
            problems.append("SOCKETIO_CORS_ALLOWED_ORIGINS must not be a wildcard")
        if config.get("TEST_HOOKS"):
            problems.append("BARCAMP_TEST_HOOKS must be off")
        if config.get("EVENT_CREATION") not in {"anyone", "admin"}:
            problems.append('EVENT_CREATION must be "anyone" or "admin"')
        if config.get("EVENT_CREATION") == "admin" and not config.get("ADMIN_TOKEN"):
            problems.append('EVENT_CREATION="admin" needs an ADMIN_TOKEN')
        if config.get("LOG_FORMAT") not in {"json", "text"}:
            problems.append('LOG_FORMAT must be "json" or "text"')
        if problems:
            raise InsecureConfigError("; ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env():
    """Pick the configuration named by BARCAMP_ENV (default: development)."""
    name = os.environ.get("BARCAMP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"BARCAMP_ENV={name!r} is not one of {', '.join(CONFIGS)}") from None
