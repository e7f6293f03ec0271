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
