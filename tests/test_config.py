"""Configuration: safe defaults, and a production mode that refuses unsafe settings."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import config
from barcamp import create_app
from barcamp.extensions import db, socketio
from config import InsecureConfigError, ProductionConfig

ROOT = Path(__file__).resolve().parents[1]

GOOD_KEY = "k" * 64


def production(tmp_path, **overrides):
    values = {
        "SECRET_KEY": GOOD_KEY,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
        "SOCKETIO_CORS_ALLOWED_ORIGINS": None,
        "EVENT_CREATION": "anyone",
    }
    return type("Production", (ProductionConfig,), values | overrides)


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "changeme"}, "SECRET_KEY"),
        ({"DEBUG": True}, "DEBUG"),
        ({"SOCKETIO_CORS_ALLOWED_ORIGINS": ["*"]}, "wildcard"),
        ({"SOCKETIO_CORS_ALLOWED_ORIGINS": []}, "wildcard"),
        ({"EVENT_CREATION": "admin"}, "ADMIN_TOKEN"),
        ({"EVENT_CREATION": "everybody"}, "EVENT_CREATION"),
    ],
)
def test_production_refuses_to_start_with_unsafe_settings(tmp_path, overrides, complaint):
    with pytest.raises(InsecureConfigError, match=complaint):
        create_app(production(tmp_path, **overrides))


def test_production_starts_with_safe_settings_and_secure_cookies(tmp_path):
    app = create_app(production(tmp_path, SOCKETIO_CORS_ALLOWED_ORIGINS=["https://camp.example"]))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with app.app_context():
        db.create_all()
    response = app.test_client().get("/lang/en", base_url="https://camp.example")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_development_keeps_one_secret_key_across_restarts(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = type(
        "Dev",
        (config.DevelopmentConfig,),
        {"SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.db"},
    )
    first = create_app(settings).config["SECRET_KEY"]
    second = create_app(settings).config["SECRET_KEY"]
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_an_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("BARCAMP_ENV", "staging")
    with pytest.raises(RuntimeError, match="staging"):
        config.config_from_env()


def test_the_live_server_runs_in_gevent_mode(app):
    assert socketio.server.eio.async_mode == "gevent"


def test_every_sqlite_connection_gets_wal_busy_timeout_and_foreign_keys(app):
    with app.app_context():
        for _ in range(3):  # fresh pool connections each time
            with db.engine.connect() as connection:
                pragmas = {
                    name: connection.execute(text(f"PRAGMA {name}")).scalar()
                    for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")
                }
                assert pragmas == {
                    "journal_mode": "wal",
                    "busy_timeout": 5000,
                    "foreign_keys": 1,
                    "synchronous": 1,
                }
            db.engine.dispose()


def test_foreign_keys_are_enforced(app):
    orphan = text(
        "INSERT INTO room (event_id, name, capacity, position, features) "
        "VALUES (999, 'x', 1, 0, '[]')"
    )
    with app.app_context():
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            db.session.execute(orphan)
        db.session.rollback()


def test_the_database_file_is_a_plain_sqlite_file(app, tmp_path):
    connection = sqlite3.connect(tmp_path / "test.db")
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"event", "room", "slot", "participant"} <= tables


def test_a_missing_secret_key_is_answered_in_one_line_with_the_command_that_makes_one(
    tmp_path,
):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "BARCAMP_ENV", "FLASK_DEBUG")
    }
    env.update(BARCAMP_ENV="production", BARCAMP_INSTANCE_PATH=str(tmp_path))
    started = subprocess.run(
        [sys.executable, "wsgi.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    [line] = started.stderr.strip().splitlines()
    assert line.startswith("Barcamp cannot start: SECRET_KEY must be")
    assert "secrets.token_hex(32)" in line


def test_a_clock_that_is_not_a_time_of_day_is_answered_in_one_line(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "BARCAMP_ENV"}
    env.update(BARCAMP_INSTANCE_PATH=str(tmp_path), CLOCK="25:00")
    started = subprocess.run(
        [sys.executable, "wsgi.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert started.returncode == 1
    [line] = started.stderr.strip().splitlines()
    assert line == (
        "Barcamp cannot start: CLOCK must be a time of day as HH:MM (00:00 to 23:59), not '25:00'."
    )


@pytest.mark.parametrize("value", ["7:00", "12h30", "24:00", "noon", "11:60"])
def test_odd_clocks_are_refused(tmp_path, value):
    with pytest.raises(config.ConfigError, match="CLOCK must be a time of day"):
        create_app(production(tmp_path, CLOCK=value))
