"""Moderation: who was removed and kept out of an event (the digest of their personal
link), when a participant's personal data was erased, and who wrote each revision of a
note or a testimony page by participant id (so that erasing finds their old names).

Revision ID: 8f08354de156
Revises: 760dc2972cde
Create Date: 2026-12-04 23:59:42.821434

"""

import sqlalchemy as sa
from alembic import op

revision = "8f08354de156"
down_revision = "760dc2972cde"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ban",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("key_digest", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_ban_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ban")),
        sa.UniqueConstraint("event_id", "key_digest", name=op.f("uq_ban_event_id_key_digest")),
    )
    with op.batch_alter_table("ban", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ban_event_id"), ["event_id"], unique=False)

    with op.batch_alter_table("note_revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_ids", sa.JSON(), nullable=True))

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("talk_revision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("author_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_talk_revision_author_id_participant"),
            "participant",
            ["author_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("talk_revision", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_talk_revision_author_id_participant"), type_="foreignkey"
        )
        batch_op.drop_column("author_id")

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("erased_at")

    with op.batch_alter_table("note_revision", schema=None) as batch_op:
        batch_op.drop_column("author_ids")

    with op.batch_alter_table("ban", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ban_event_id"))

    op.drop_table("ban")
