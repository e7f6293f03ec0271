"""An organizer backs the database up while the event runs: a consistent copy, even
with a write under way, that opens as the app's database."""

import sqlite3

from sqlalchemy import func, select

from barcamp.extensions import db
from barcamp.models import Event
from tests.conftest import new_event, terminal_language


def test_a_backup_taken_during_a_write_holds_what_was_committed_and_opens(
    app, tmp_path, monkeypatch
):
    terminal_language(monkeypatch, "fr_FR.UTF-8")  # the operator's terminal
    with app.app_context():
        new_event("Barcamp Bercy", code="BERCY")
        source = db.engine.url.database
    # Another process is half-way through a write: its row must not be in the copy.
    writer = sqlite3.connect(source, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE event SET name = 'à moitié écrit'")
    runner = app.test_cli_runner()
    copy = tmp_path / "copie.db"
    done = runner.invoke(args=["backup", str(copy)])
    writer.execute("ROLLBACK")
    writer.close()
    assert done.exit_code == 0, done.output
    assert "1 événement" in done.output
    backup = sqlite3.connect(copy)
    assert backup.execute("SELECT name FROM event").fetchall() == [("Barcamp Bercy",)]
    assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert not (tmp_path / "copie.db.partial").exists()
    backup.close()
    # Twice to the same name needs --force: an old backup is not lost by a typo.
    again = runner.invoke(args=["backup", str(copy)])
    assert again.exit_code == 1
    assert "existe déjà" in again.output
    # In the operator's language: an English terminal reads English.
    terminal_language(monkeypatch, "en_GB.UTF-8")
    again = runner.invoke(args=["backup", str(copy)])
    assert "exists: give another name, or --force." in again.output
    assert runner.invoke(args=["backup", str(copy), "--force"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Event)) == 1
