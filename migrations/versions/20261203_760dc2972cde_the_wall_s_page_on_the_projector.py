"""The wall's page on the projector, set by the facilitator (none: its pages turn on
their own) when an event has more topics than fit.

Revision ID: 760dc2972cde
Revises: bc9e71d1941b
Create Date: 2026-12-03 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "760dc2972cde"
down_revision = "bc9e71d1941b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("screen_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wall_page", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("screen_state", schema=None) as batch_op:
        batch_op.drop_column("wall_page")
