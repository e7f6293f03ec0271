"""Small helpers shared by the models."""

from datetime import UTC, datetime

from sqlalchemy import CheckConstraint


def utcnow():
    """Return the current UTC time without tzinfo (stored the same on every database)."""
    return datetime.now(UTC).replace(tzinfo=None)


def one_of(column, enum, name):
    """A CHECK constraint keeping a string column within an enum's values."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=name)
