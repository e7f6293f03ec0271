"""Barcamp: run a barcamp live, from the first pitch to the proceedings.

Nothing heavy is imported here: the optimizer's child process (barcamp.scheduling.worker)
imports this package too, and starts faster without Flask and its extensions.
"""


def create_app(config_class=None):
    """Build the app; the list below is a table of contents of what it is made of."""
    from flask import Flask

    if config_class is None:
        from config import config_from_env

        config_class = config_from_env()
    app = Flask(__name__, instance_path=None)
    app.config.from_object(config_class)
    config_class.init_app(app)
    register_logs(app)
    register_clock(app)

    register_extensions(app)
    register_database_pragmas(app)
    register_blueprints(app)
    register_sockets(app)
    register_proxies(app)
    register_templates(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_logs(app):
    from barcamp import logs

    logs.init_app(app)


def register_clock(app):
    from barcamp.clock import register_clock as read_clock

    read_clock(app)


def register_extensions(app):
    from barcamp import live, models  # noqa: F401 (models: tables for Alembic)
    from barcamp.extensions import babel, db, migrate, socketio
    from barcamp.i18n import select_locale, select_timezone
    from barcamp.live import closing, fanout
    from barcamp.live.packets import Packet
    from barcamp.ratelimit import limiter

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_project_path("migrations")))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)
    live.init_app(app)
    socketio.init_app(
        app,
        async_mode="gevent",
        serializer=Packet,
        cors_allowed_origins=app.config["SOCKETIO_CORS_ALLOWED_ORIGINS"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        max_http_buffer_size=app.config["SOCKETIO_MAX_PAYLOAD"],
        ping_interval=app.config["SOCKETIO_PING_INTERVAL"],
        ping_timeout=app.config["SOCKETIO_PING_TIMEOUT"],
    )
    fanout.install(socketio)
    closing.install(socketio)


def register_database_pragmas(app):
    from barcamp.database import configure_sqlite, init_write_turns
    from barcamp.extensions import db

    with app.app_context():
        configure_sqlite(db.engine)
        init_write_turns(app, db.engine)


def register_blueprints(app):
    from barcamp.routes import register_blueprints as register

    register(app)
    if app.config.get("TEST_HOOKS"):
        from barcamp.test_hooks import bp

        app.register_blueprint(bp)


def register_sockets(app):
    from barcamp.extensions import socketio
    from barcamp.live import vote_queue
    from barcamp.sockets import register_socket_handlers
    from barcamp.sockets.context import SocketAwareSessions

    app.session_interface = SocketAwareSessions()
    register_socket_handlers(socketio)
    vote_queue.init_app(app)


def register_proxies(app):
    """Behind TRUSTED_PROXIES proxies, read the visitor's address and scheme from their
    headers, for pages and sockets alike (so this wraps Flask-SocketIO's middleware)."""
    count = app.config.get("TRUSTED_PROXIES", 0)
    if count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_templates(app):
    from barcamp.templating import register_template_helpers

    register_template_helpers(app)


def register_error_handlers(app):
    from barcamp.errors import register_error_handlers as register

    register(app)


def register_security_headers(app):
    from barcamp.headers import register_security_headers as register

    register(app)


def register_commands(app):
    from barcamp.cli import register_commands as register

    register(app)


def _project_path(name):
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / name
