"""The report-back: what each workshop produced, taken from its notes — the lines under
its "Decisions" and "To do" headings — with its room, time and people. The projector
steps through it at the closing plenary; the proceedings reuse it."""

import re
import unicodedata
from functools import cache

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import Note, Room, Session, Slot, Topic
from barcamp.services.notes import roles_by_topic

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[([ xX])\]\s*)?(.*)$")


def _key(heading):
    """A heading as compared: its first words, without accents, case or punctuation
    ("À faire (action, qui…)" and "a faire" are the same section)."""
    text = unicodedata.normalize("NFKD", heading.split("(")[0])
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


@cache
def _sections(locale):
    """The keys of the headings looked for, in the event's language and in English (the
    catalogs do not change while the app runs: read once per language)."""
    keys = {"decisions": set(), "todo": set(), "reading": set()}
    for language in {locale, "en"}:
        with force_locale(language):
            keys["decisions"].add(_key(_("Decisions")))
            keys["todo"].add(_key(_("To do (action, who does it, by when)")))
            keys["reading"].add(_key(_("To read (links, references)")))
    return keys


def extract(text, locale="en"):
    """{"decisions": [line…], "todo": [{"text", "done"}…], "reading": [line…]}: the list
    items written under a note's "Decisions", "To do" and "To read" headings (empty
    template items skipped). Plain text: never rendered as HTML by the callers."""
    keys = _sections(locale)
    found = {"decisions": [], "todo": [], "reading": []}
    current = None
    for line in (text or "").splitlines():
        heading = _HEADING.match(line)
        if heading:
            key = _key(heading.group(2))
            current = next((name for name, names in keys.items() if key in names), None)
            continue
        item = _ITEM.match(line)
        if current is None or item is None:
            continue
        content = item.group(2).strip()
        if not content:
            continue
        if current == "todo":
            found["todo"].append({"text": content, "done": (item.group(1) or " ") in "xX"})
        else:
            found[current].append(content)
    return found


def workshop_reports(event):
    """One entry per workshop on the grid, in slot then room order: title, room, times,
    facilitators, note-takers, decisions and actions from its notes."""
    rows = db.session.execute(
        select(Session, Topic, Room, Slot, Note.text)
        .join(Topic, Topic.id == Session.topic_id)
        .join(Room, Room.id == Session.room_id)
        .join(Slot, Slot.id == Session.slot_id)
        .outerjoin(Note, Note.topic_id == Topic.id)
        .where(Session.event_id == event.id)
        .order_by(Slot.starts_at, Room.position, Room.id)
    ).all()
    roles = roles_by_topic(event)
    reports = []
    for _session, topic, room, slot, text in rows:
        people = roles.get(topic.id, {})
        reports.append(
            {
                "topic_id": topic.id,
                "title": topic.title,
                "room": room.name,
                "starts_at": slot.starts_at.strftime("%H:%M"),
                "ends_at": slot.ends_at.strftime("%H:%M"),
                "facilitators": people.get("facilitator", []),
                "note_takers": people.get("note_taker", []),
                **extract(text, event.locale),
            }
        )
    return reports
