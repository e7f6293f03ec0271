"""Migrations: upgrading an empty database gives exactly the models, on SQLite and
PostgreSQL, and every revision downgrades cleanly."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from barcamp import create_app
from barcamp.extensions import db
from tests.conftest import make_config


def differences(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def check_upgrade_equals_models_then_downgrade(database_url):
    app = create_app(make_config(database_url))
    with app.app_context():
        upgrade()
        assert differences(app) == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"event", "room", "slot", "participant", "applied_operation"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert differences(app) == []
        db.engine.dispose()


def test_migrations_on_sqlite(tmp_path):
    check_upgrade_equals_models_then_downgrade(f"sqlite:///{tmp_path / 'migrated.db'}")


@pytest.mark.postgres
def test_migrations_on_postgresql(postgres_database):
    check_upgrade_equals_models_then_downgrade(postgres_database)


def test_every_revision_has_a_title_and_a_downgrade():
    from pathlib import Path

    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    for path in versions.glob("*.py"):
        source = path.read_text()
        title = source.split('"""')[1].strip().splitlines()[0]
        assert title, path.name
        assert not title.startswith("empty message"), path.name
        assert "def downgrade():" in source, path.name
        assert "pass\n" not in source.split("def downgrade():")[1], path.name


def test_upgrading_keeps_existing_events_and_opens_their_marketplace(tmp_path):
    from sqlalchemy import text

    app = create_app(make_config(f"sqlite:///{tmp_path / 'old.db'}"))
    with app.app_context():
        upgrade(revision="5903997c761a")  # before topics existed
        db.session.execute(
            text(
                "INSERT INTO event (code, name, starts_on, venue, timezone, locale, phase, "
                "version, organizer_key_digest, facilitator_key_digest, created_at) VALUES "
                "('BERCY', 'Barcamp', '2027-04-11', '', 'Europe/Paris', 'fr', 'proposals', 3, "
                "'x', 'y', '2027-01-01 00:00:00')"
            )
        )
        db.session.commit()
        upgrade()
        row = db.session.execute(
            text(
                "SELECT proposals_open, voting_open, vote_budget, max_votes_per_topic, version "
                "FROM event WHERE code = 'BERCY'"
            )
        ).one()
        assert tuple(row) == (1, 0, 3, 1, 3)
        db.engine.dispose()
