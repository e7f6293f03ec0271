"""What the proceedings say: the day's grid, each session with its people and notes,
each testimony, and the actions and readings gathered across the day. Read once, in
a few queries, then written out as Markdown files (bundle.py) or one HTML page (the
proceedings template). Everything here is plain text: the writers escape it."""

import re
import unicodedata
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from barcamp.extensions import db
from barcamp.models import Note, Participant, Room, Session, Slot, SlotKind, Topic, Vote
from barcamp.models.question import Question, QuestionStatus
from barcamp.services import talks as talk_service
from barcamp.services.exports import pause
from barcamp.services.notes import roles_by_topic
from barcamp.services.report_back import extract

# Who does an action, where a line says so: "@Name", "Name: action", "action — Name, when".
_AT = re.compile(r"(?<![\w.])@([\w][\w.\-]*(?:\s[A-Z][\w.\-]*)?)")
_LEADING = re.compile(r"^([^:—–\-]{1,40}?)\s*:\s+(.+)$")
_TRAILING = re.compile(r"^(.+?)\s+[—–]\s+([^,—–]{1,40})(?:,.*)?$")


def owner_of(line):
    """(owner, action) from a "to do" line: the owner written with @, before a colon,
    or after a dash ("action — Name, when" gives "action, when"); (None, line) where
    none is written."""
    found = _AT.search(line)
    if found:
        return found.group(1).rstrip("."), line
    leading = _LEADING.match(line)
    if leading and not leading.group(1).lower().startswith(("http", "www")):
        return leading.group(1).strip(), leading.group(2).strip()
    trailing = _TRAILING.match(line)
    if trailing:
        when = line[trailing.end(2) :].lstrip(", ").strip()
        return trailing.group(2).strip(), ", ".join(p for p in (trailing.group(1), when) if p)
    return None, line


def slug(text, fallback):
    """A file name part: the title's letters without accents, lower case, words joined
    by dashes (no slash, dot or emoji), at most 60 characters."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).encode("ascii", "ignore")
    words = re.sub(r"[^a-z0-9]+", "-", text.decode().lower()).strip("-")
    return (words[:60].rstrip("-")) or fallback


@dataclass
class SessionPart:
    file: str
    title: str
    room: str
    starts_at: object
    ends_at: object
    hosts: list
    facilitators: list
    note_takers: list
    seats_taken: int
    capacity: int
    dots: int
    notes: str


@dataclass
class TalkPart:
    file: str
    kind: str
    title: str
    speaker: str
    role: str
    organisation: str
    link: str
    summary: str
    figures: list
    lessons: list
    body: str
    starts_at: object
    ends_at: object
    workshops: list
    questions: list
    notes: str


@dataclass
class Proceedings:
    event: object
    slots: list
    rooms: list
    sessions: list = field(default_factory=list)
    talks: list = field(default_factory=list)
    topics: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    readings: list = field(default_factory=list)

    def grid(self):
        """[(slot, [(room, session or None)…], talks of the slot)] in time order."""
        placed = {(s.starts_at, s.room): s for s in self.sessions}
        rows = []
        for slot in self.slots:
            cells = []
            if slot.kind == SlotKind.SESSIONS:
                cells = [(room, placed.get((slot.starts_at, room.name))) for room in self.rooms]
            talks = [
                t
                for t in self.talks
                if t.starts_at and slot.starts_at <= t.starts_at < slot.ends_at
            ]
            rows.append((slot, cells, talks))
        return rows


def gather(event):
    """The event's proceedings, read in a few queries."""
    slots = db.session.scalars(
        select(Slot).where(Slot.event_id == event.id).order_by(Slot.starts_at, Slot.id)
    ).all()
    rooms = db.session.scalars(
        select(Room).where(Room.event_id == event.id).order_by(Room.position, Room.id)
    ).all()
    names = dict(
        db.session.execute(
            select(Participant.id, Participant.display_name).where(Participant.event_id == event.id)
        ).all()
    )
    votes = {
        topic_id: (dots, voters)
        for topic_id, dots, voters in db.session.execute(
            select(Vote.topic_id, func.sum(Vote.dots), func.count())
            .where(Vote.event_id == event.id)
            .group_by(Vote.topic_id)
        )
    }
    texts = {
        (topic_id, talk_id): text
        for topic_id, talk_id, text in db.session.execute(
            select(Note.topic_id, Note.talk_id, Note.text).where(Note.event_id == event.id)
        )
    }
    roles = roles_by_topic(event)
    topics = db.session.scalars(
        select(Topic)
        .where(Topic.event_id == event.id)
        .options(selectinload(Topic.cohosts))
        .order_by(Topic.id)
    ).all()
    proceedings = Proceedings(event=event, slots=slots, rooms=rooms, topics=[])
    for topic in topics:
        dots, voters = votes.get(topic.id, (0, 0))
        hosts = [names[i] for i in topic.host_ids() if i in names]
        proceedings.topics.append((topic, hosts, dots, voters))
    published = event.schedule_published_at is not None
    rows = (
        db.session.execute(
            select(Session, Topic, Room, Slot)
            .join(Topic, Topic.id == Session.topic_id)
            .join(Room, Room.id == Session.room_id)
            .join(Slot, Slot.id == Session.slot_id)
            .where(Session.event_id == event.id)
            .order_by(Slot.starts_at, Room.position, Room.id)
        ).all()
        if published
        else []
    )
    hosts_of = {topic.id: hosts for topic, hosts, _dots, _voters in proceedings.topics}
    pause()
    for number, (session, topic, room, slot) in enumerate(rows, start=1):
        pause()
        people = roles.get(topic.id, {})
        dots, _voters = votes.get(topic.id, (0, 0))
        proceedings.sessions.append(
            SessionPart(
                file=f"{number:02d}-{slug(topic.title, 'session')}.md",
                title=topic.title,
                room=room.name,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                hosts=hosts_of.get(topic.id, []),
                facilitators=people.get("facilitator", []),
                note_takers=people.get("note_taker", []),
                seats_taken=session.seats_taken,
                capacity=session.capacity,
                dots=dots,
                notes=texts.get((topic.id, None), ""),
            )
        )
    talks = talk_service.event_talks(event)
    times = talk_service.programmes(talks)
    asked = {}
    for question, author in db.session.execute(
        select(Question, Participant.display_name)
        .join(Participant, Participant.id == Question.participant_id)
        .where(Question.event_id == event.id, Question.status != QuestionStatus.HIDDEN)
        .order_by(Question.upvotes.desc(), Question.created_at, Question.id)
    ):
        asked.setdefault(question.talk_id, []).append(
            {
                "text": question.text,
                "author": None if question.anonymous else author,
                "upvotes": question.upvotes,
                "answered": question.status == QuestionStatus.ANSWERED,
            }
        )
    for number, talk in enumerate(talks, start=1):
        pause()
        when = times.get(talk.id, (None, None))
        proceedings.talks.append(
            TalkPart(
                file=f"{number:02d}-{slug(talk.title, 'testimony')}.md",
                kind=talk.kind,
                title=talk.title,
                speaker=talk.speaker_name,
                role=talk.speaker_role,
                organisation=talk.organisation,
                link=talk.link,
                summary=talk.summary,
                figures=list(talk.figures or []),
                lessons=list(talk.lessons or []),
                body=talk.body,
                starts_at=when[0],
                ends_at=when[1],
                workshops=[topic.title for topic in talk.topics],
                questions=asked.get(talk.id, []),
                notes=texts.get((None, talk.id), ""),
            )
        )
    pause()
    _follow_ups(proceedings)
    return proceedings


def _follow_ups(proceedings):
    """Every "to do" line of every session and talk, with its owner, apart from every
    "to read" line."""
    locale = proceedings.event.locale
    parts = [(s.title, s.notes) for s in proceedings.sessions]
    parts += [(t.title, t.notes) for t in proceedings.talks]
    for source, text in parts:
        pause()
        found = extract(text, locale)
        for item in found["todo"]:
            owner, action = owner_of(item["text"])
            proceedings.actions.append(
                {"action": action, "owner": owner, "done": item["done"], "source": source}
            )
        for line in found["reading"]:
            proceedings.readings.append({"reference": line, "source": source})


def labels(event):
    """The words of the exports, in the event's language."""
    with force_locale(event.locale):
        return {
            "programme": _("Programme"),
            "sessions": _("Workshops"),
            "talks": _("Plenary talks"),
            "follow_up": _("Actions and readings"),
            "actions": _("Actions to follow up"),
            "readings": _("To read"),
            "room": _("Room"),
            "time": _("Time"),
            "hosts": _("Proposed by"),
            "facilitators": _("Facilitated by"),
            "note_takers": _("Notes by"),
            "seats": _("Seats taken"),
            "votes": _("Votes"),
            "owner": _("Who"),
            "source": _("From"),
            "nobody": _("nobody yet"),
            "no_notes": _("No notes were written."),
            "questions": _("Questions from the room"),
            "figures": _("Key figures"),
            "lessons": _("Lessons"),
            "workshops": _("Workshops it echoes"),
            "live_notes": _("Notes taken during the talk"),
            "contents": _("Contents"),
            "done": _("done"),
            "anonymous": _("Anonymous"),
            "answered": _("answered"),
            "not_published": _("The grid is not published yet."),
        }
