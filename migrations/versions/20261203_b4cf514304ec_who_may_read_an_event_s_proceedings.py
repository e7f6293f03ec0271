"""Who may read an event's proceedings: its organizers (the default), its participants,
or everyone with the address.

Revision ID: b4cf514304ec
Revises: 4acd1d704656
Create Date: 2026-12-03 06:17:51.437945

"""

import sqlalchemy as sa
from alembic import op

revision = "b4cf514304ec"
down_revision = "4acd1d704656"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "proceedings_access",
                sa.String(length=16),
                server_default="organizers",
                nullable=False,
            )
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_event_proceedings_access"),
            "proceedings_access IN ('organizers', 'participants', 'everyone')",
        )


def downgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_event_proceedings_access"), type_="check")
        batch_op.drop_column("proceedings_access")
