"""Running it: when the database does not answer, people get a clear page (and the
live pages a clear answer) rather than a crash; the logs are structured, one JSON
object per line in production, and never carry a link's secret."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest

from barcamp import logs
from barcamp.extensions import db, socketio
from tests.conftest import app_on, join, text_of


@pytest.fixture
def running(tmp_path, event, app):
    """The event's app on a database file, with a way to make the database go away
    (its file can no longer be opened: a full disk, a removed volume; for PostgreSQL, a
    stopped server)."""
    database = tmp_path / "test.db"
    with app_on(f"sqlite:///{database}") as running:

        def database_goes_away():
            database.rename(tmp_path / "gone.db")
            database.mkdir()  # where the file was, something no database opens
            with running.app_context():
                db.engine.dispose()

        yield running, database_goes_away


def test_a_page_says_the_database_does_not_answer_and_to_try_again(running, event, caplog):
    app, database_goes_away = running
    client = app.test_client()
    join(client, event, "Amélie")
    assert client.get(f"/e/{event.code}").status_code == 200

    database_goes_away()
    page = client.get(f"/e/{event.code}")

    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    text = text_of(page)
    assert "Indisponible un instant" in text
    assert "n’arrive pas à joindre sa base de données" in text
    assert "Rien de ce que vous avez enregistré n’est perdu" in text
    # One short line in the logs, no traceback: the cause is outside the app.
    down = [r for r in caplog.records if r.getMessage().startswith("Database unavailable")]
    assert len(down) == 1
    assert down[0].exc_info is None
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["database"] is False


def test_a_live_page_is_told_to_try_again_and_a_new_one_is_refused_for_now(running, event):
    app, database_goes_away = running
    client = app.test_client()
    join(client, event, "Amélie")
    page = socketio.test_client(app, flask_test_client=client, auth={"event": event.code})
    assert page.is_connected()

    database_goes_away()
    ack = page.emit("participant_rename", {"op_id": "r1", "name": "Amélie L."}, callback=True)

    assert ack["ok"] is False
    assert ack["error"]["code"] == "unavailable"
    assert "try again" not in ack["error"]["message"]  # in the page's language
    assert "réessayez dans une minute" in ack["error"]["message"]
    later = socketio.test_client(app, flask_test_client=client, auth={"event": event.code})
    assert not later.is_connected()
    page.disconnect()


def test_a_json_record_is_one_line_with_its_fields():
    out = io.StringIO()
    logger = logging.getLogger("barcamp.test.json")
    logger.propagate = False
    logger.addHandler(logs.handler("json", out))
    try:
        logger.warning("Seat refused for %s", "Amélie", extra={"event": 7, "slot": "10:45"})
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("Unhandled error")
    finally:
        logger.handlers.clear()

    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["level"] == "warning"
    assert first["logger"] == "barcamp.test.json"
    assert first["message"] == "Seat refused for Amélie"
    assert (first["event"], first["slot"]) == (7, "10:45")
    assert first["time"].endswith("+00:00")
    assert second["level"] == "error"
    assert "ValueError: boom" in second["exception"]


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_no_link_secret_reaches_the_logs(log_format):
    out = io.StringIO()
    logger = logging.getLogger(f"barcamp.test.secrets.{log_format}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(logs.handler(log_format, out))
    secret = "Zq3xW9-kP_2mVb7LtR8c"
    addresses = [
        f"/e/BERCY/key/{secret}",
        f"/e/BERCY/resume/{secret}",
        f"/e/BERCY/calendar/{secret}.ics",
        f"/e/BERCY/screen/key/{secret}",
        f"/e/BERCY/talks/3/speaker/{secret}",
    ]
    try:
        for address in addresses:
            logger.info("GET %s 303", address)
        try:
            raise RuntimeError(f"failed on {addresses[1]}")
        except RuntimeError:
            logger.exception("Unhandled error on %s", addresses[0])
    finally:
        logger.handlers.clear()

    written = out.getvalue()
    assert secret not in written
    assert written.count("[secret]") >= len(addresses) + 2
    assert "/e/BERCY/resume/[secret]" in written


def test_in_production_the_server_writes_json_lines_without_secrets(tmp_path):
    """The app built as in production (BARCAMP_ENV=production), logging as a request
    for a personal link fails: standard error holds JSON lines, and no secret."""
    script = (
        "import logging\n"
        "from barcamp import create_app\n"
        "app = create_app()\n"
        "app.logger.warning('Refused /e/BERCY/resume/Zq3xW9kP2mVb7LtR8c', extra={'event': 1})\n"
    )
    environment = {
        **os.environ,
        "BARCAMP_ENV": "production",
        "SECRET_KEY": "k" * 40,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
        "SOCKETIO_CORS_ALLOWED_ORIGINS": "https://barcamp.example.org",
    }
    environment.pop("LOG_FORMAT", None)
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    lines = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert lines, done.stderr
    refused = [line for line in lines if line["message"].startswith("Refused")]
    assert refused == [{**refused[0], "message": "Refused /e/BERCY/resume/[secret]", "event": 1}]
    assert "Zq3xW9kP2mVb7LtR8c" not in done.stderr
