"""The whole event as one JSON document, and back (docs/exports.md).

The dump is read off the tables themselves (SQLAlchemy's metadata), so a column added
by a migration is in the next dump without a line here. Ids are the dump's own: each
table's rows numbered from 1 in the order of their ids, and every reference rewritten
to those numbers; so two dumps of the same content are the same text, whatever ids the
database gave, and an import gives new ids without clashing with another event's.
Secrets are left out (the digests of the role, resume, calendar and speaker links): an
imported event gets new role links, and its people join again or are sent new links.
"""

import base64
import json
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, LargeBinary, String, select

from barcamp.extensions import db
from barcamp.models import Event, Role
from barcamp.security import digest, new_token
from barcamp.services.exports import paced, pause

FORMAT = "barcamp-event"
VERSION = 1

# Not part of an event's content: the stored acks of client operations (a cache of
# answers to retries) and the schema's own bookkeeping.
SKIPPED_TABLES = {"applied_operation", "alembic_version"}
# Secrets, never written out; what an import puts in their place.
SECRETS = {
    ("event", "organizer_key_digest"),
    ("event", "facilitator_key_digest"),
    ("participant", "resume_key_digest"),
    ("participant", "calendar_key_digest"),
    ("talk", "speaker_key_digest"),
    ("event", "screen_key_digest"),
    # Who is kept out, by the digest of a personal link: a copy keeps the list (the
    # names, for the organizers), not the means to recognise the browsers.
    ("ban", "key_digest"),
}
# How a table's rows belong to an event, when not by an `event_id` column of their own.
PARENTS = {
    "note_update": "note",
    "note_editor": "note",
    "note_revision": "note",
    "talk_revision": "talk",
    "talk_topic": "talk",
    "topic_cohost": "topic",
}


class DumpRefused(Exception):
    """A file that is not a dump this version can import; `message` says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def tables():
    """The event's tables, each after the ones it refers to."""
    return [table for table in db.metadata.sorted_tables if table.name not in SKIPPED_TABLES]


def _single_id(table):
    keys = list(table.primary_key.columns)
    return keys[0] if len(keys) == 1 and keys[0].name == "id" else None


def _references(table):
    """{column name: referred table name} for the table's foreign keys."""
    return {
        column.name: next(iter(column.foreign_keys)).column.table.name
        for column in table.columns
        if column.foreign_keys
    }


def _rows_of(table, event_id, kept):
    """The table's rows that belong to the event, in the order of their keys."""
    if table.name == "event":
        query = select(table).where(table.c.id == event_id)
    elif "event_id" in table.c:
        query = select(table).where(table.c.event_id == event_id)
    else:
        parent = PARENTS[table.name]
        column = next(name for name, target in _references(table).items() if target == parent)
        ids = kept.get(parent, {})
        query = select(table).where(table.c[column].in_(list(ids)))
    query = query.order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in db.session.execute(query)]


def _encode(column, value):
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


# --- export ----------------------------------------------------------------------


def dump(event):
    """The event as a JSON-ready dict (see docs/exports.md)."""
    local = {}  # table name -> {database id: dump id}
    out = {}
    for table in tables():
        rows = _rows_of(table, event.id, local)
        ident = _single_id(table)
        if ident is not None:
            local[table.name] = {row["id"]: n for n, row in enumerate(rows, start=1)}
        references = _references(table)
        written = []
        for row in rows:
            pause()  # under gevent: a big event holds no page meanwhile
            item = {}
            for column in table.columns:
                if (table.name, column.name) in SECRETS:
                    continue
                value = row[column.name]
                if column.name in references and value is not None:
                    value = local[references[column.name]].get(value)
                elif column is ident:
                    value = local[table.name][value]
                item[column.name] = _encode(column, value)
            written.append(item)
        if ident is None:  # association tables: in the order of the dump's ids
            written.sort(key=lambda item: [item[c.name] for c in table.primary_key.columns])
        out[table.name] = written
    report = out["event"][0].get("schedule_report")
    if report and report.get("unplaced"):  # topic ids inside a JSON column
        topics = local.get("topic", {})
        report["unplaced"] = [[topics.get(tid), why] for tid, why in report["unplaced"]]
    return {
        "format": FORMAT,
        "version": VERSION,
        "event": event.code,
        "tables": out,
    }


def dump_pieces(event):
    """The dump's text in pieces, the live server let run in between: keys sorted, so
    the same content gives the same text."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=1, sort_keys=True)
    yield from paced(encoder.iterencode(dump(event)))
    yield "\n"


def dump_json(event):
    """The dump as one string (dump_pieces())."""
    return "".join(dump_pieces(event))


# --- import ----------------------------------------------------------------------


def parse(text):
    """The dump in a file's text, checked for its format and version."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise DumpRefused(_l("This file is not valid JSON (%(error)s).", error=error)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DumpRefused(_l("This file is not a Barcamp event export."))
    if data.get("version") != VERSION:
        raise DumpRefused(
            _l(
                "This export is of version %(version)s; this Barcamp reads version %(expected)s.",
                version=data.get("version"),
                expected=VERSION,
            )
        )
    content = data.get("tables")
    if not isinstance(content, dict) or not _is_rows(content.get("event")):
        raise DumpRefused(_l("This export has no event in it."))
    if len(content["event"]) != 1:
        raise DumpRefused(_l("An export holds exactly one event."))
    return data


def _damaged(why):
    return DumpRefused(_l("This export is damaged: %(why)s", why=why))


def _bad_value(field):
    return _damaged(_l("%(field)s has a value it cannot have.", field=field))


def _is_rows(value):
    return isinstance(value, list) and all(isinstance(row, dict) for row in value)


def _decode(table, column, value):
    """The stored value of one field, or DumpRefused naming the field."""

    def refuse():
        return _bad_value(f"{table.name}.{column.name}")

    if value is None:
        if not column.nullable:
            raise refuse()
        return None
    kind = column.type
    try:
        if isinstance(kind, LargeBinary):
            return base64.b64decode(value, validate=True)
        if isinstance(kind, DateTime):
            return datetime.fromisoformat(value)
        if isinstance(kind, Date):
            return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise refuse() from None
    if isinstance(kind, JSON):
        return value
    if isinstance(kind, Boolean):
        ok = isinstance(value, bool)
    elif isinstance(kind, Integer):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(kind, String):
        ok = isinstance(value, str) and (kind.length is None or len(value) <= kind.length)
    else:
        ok = True
    if not ok:
        raise refuse()
    return value


def _ordered(rows, table, references):
    """Rows that refer to rows of their own table (a topic merged into another) after
    the ones they refer to; None if they go round in a circle."""
    own = [name for name, target in references.items() if target == table.name]
    if not own:
        return rows
    by_id = {row.get("id"): row for row in rows}
    done, ordered = set(), []

    def visit(row, path):
        key = row.get("id")
        if key in done:
            return
        if key in path:
            raise _damaged(_l("its references go round in a circle."))
        for name in own:
            target = by_id.get(row.get(name))
            if target is not None:
                visit(target, path | {key})
        done.add(key)
        ordered.append(row)

    for row in rows:
        visit(row, frozenset())
    return ordered


def load(data, *, code=None):
    """Add the dump's event to the database, under `code` if given (else its own);
    returns (event, {role: new secret}) for the organizer and facilitator links.
    Call inside a unit of work: on any refusal nothing is kept."""
    from barcamp.services.events import normalize_code

    content = data["tables"]
    known = {table.name for table in tables()}
    unknown = sorted(set(content) - known)
    if unknown:
        raise DumpRefused(
            _l(
                "This export has tables this Barcamp does not know: %(names)s.",
                names=", ".join(unknown),
            )
        )
    event_row = dict(content["event"][0])
    if code is not None:
        event_row["code"] = normalize_code(code)
    if not isinstance(event_row.get("code"), str) or not event_row["code"]:
        raise DumpRefused(_l("This export's event has no code."))
    if db.session.scalar(select(Event.id).where(Event.code == event_row["code"])) is not None:
        raise DumpRefused(
            _l(
                "An event with the code %(code)s is already here: give the import another code.",
                code=event_row["code"],
            )
        )
    keys = {role: new_token() for role in (Role.ORGANIZER, Role.FACILITATOR)}
    filled = {
        ("event", "organizer_key_digest"): lambda: digest(keys[Role.ORGANIZER]),
        ("event", "facilitator_key_digest"): lambda: digest(keys[Role.FACILITATOR]),
        ("participant", "resume_key_digest"): lambda: digest(new_token()),
        ("ban", "key_digest"): lambda: digest(new_token()),
    }
    new_ids = {}  # table name -> {dump id: database id}
    for table in tables():
        rows = [event_row] if table.name == "event" else content.get(table.name, [])
        if not _is_rows(rows):
            raise _damaged(_l("%(field)s is not a list of rows.", field=table.name))
        references = _references(table)
        ident = _single_id(table)
        columns = {column.name: column for column in table.columns}
        new_ids[table.name] = mapping = {}
        for row in _ordered(rows, table, references):
            strange = set(row) - set(columns)
            if strange:
                raise DumpRefused(
                    _l(
                        "This export has fields this Barcamp does not know: %(names)s.",
                        names=", ".join(f"{table.name}.{name}" for name in sorted(strange)),
                    )
                )
            values = {}
            for name, column in columns.items():
                if (table.name, name) in SECRETS:
                    if (table.name, name) in filled:
                        values[name] = filled[(table.name, name)]()
                    continue
                if column is ident:
                    continue
                if name not in row:
                    if column.nullable or column.default is not None or column.server_default:
                        continue
                    raise _damaged(_l("%(field)s is missing.", field=f"{table.name}.{name}"))
                value = _decode(table, column, row[name])
                if name in references and value is not None:
                    target = new_ids.get(references[name], {})
                    if value not in target:
                        raise _damaged(
                            _l(
                                "%(field)s refers to a row it does not hold.",
                                field=f"{table.name}.{name}",
                            )
                        )
                    value = target[value]
                values[name] = value
            if ident is not None:
                key = row.get("id")
                if not isinstance(key, int) or isinstance(key, bool) or key in mapping:
                    raise _bad_value(f"{table.name}.id")
                new_id = db.session.execute(table.insert().values(values).returning(table.c.id))
                mapping[key] = new_id.scalar_one()
            else:
                db.session.execute(table.insert().values(values))
    event = db.session.get(Event, new_ids["event"][event_row.get("id")])
    report = event.schedule_report
    if isinstance(report, dict) and isinstance(report.get("unplaced"), list):
        # Topic ids inside a JSON column, written before the topics were.
        topics = new_ids.get("topic", {})
        event.schedule_report = dict(
            report,
            unplaced=[[topics.get(entry[0]), *entry[1:]] for entry in report["unplaced"] if entry],
        )
    db.session.flush()
    return event, keys
