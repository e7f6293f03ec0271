"""A screen link per event: a live projector on any computer, read-only (its digest;
none until a facilitator makes one).

Revision ID: bc9e71d1941b
Revises: b4cf514304ec
Create Date: 2026-12-03 10:08:56.785475

"""

import sqlalchemy as sa
from alembic import op

revision = "bc9e71d1941b"
down_revision = "b4cf514304ec"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("screen_key_digest", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("screen_key_digest")
