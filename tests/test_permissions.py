"""Nobody acts beyond their role: every route and every socket event, called by every
role of barcamp/permissions.py.

One day is set up once (an event with its people, topics, published grid, notes, a
talk and its question, and a second event beside it); each call starts from it. A
refused call is refused plainly (403, 404, a redirect with the reason, an error ack)
and changes nothing in the database, and nobody hears a broadcast; an allowed one is
not refused for lack of permission. Objects of the other event do not exist here, and
no broadcast crosses from one event to the other. A facilitator demoted while their
page is open loses their powers at the next event they send.
"""

import shutil
import sqlite3
from dataclasses import dataclass, replace
from datetime import time

import pytest
from pycrdt import Doc, Text

from barcamp import permissions
from barcamp.extensions import db, socketio
from barcamp.identity import Visitor
from barcamp.models import Event, Participant, Role, Session
from barcamp.permissions import ROUTES, SOCKET_EVENTS
from barcamp.ratelimit import limiter
from barcamp.routes import views
from barcamp.security import digest, new_token
from barcamp.services import (
    facilitation,
    moderation,
    notes,
    questions,
    schedule,
    seating,
    talk_revisions,
    topics,
    voting,
)
from barcamp.services import participants as participant_service
from barcamp.services import screen as screen_service
from barcamp.services import talks as talk_service
from barcamp.services.events import RoomRow, SlotRow, rotate_key
from barcamp.sockets import HANDLERS
from barcamp.unit_of_work import unit_of_work
from tests.conftest import app_on, join, new_event
from tests.test_routes_events import event_form

COOKIE = "barcamp_session"


# ---------------------------------------------------------------- the day, made once


@dataclass(frozen=True)
class Ids:
    """What the calls name in one event: its code, the objects each acts on, and the
    secrets of its capability links."""

    code: str
    topic_alice: int  # proposed by Alice (the attendee): she may edit and withdraw it
    topic_zoe: int  # proposed by Zoé: voted for by everyone joined
    topic_dup: int  # a duplicate of Zoé's, to merge
    topic_hidden: int
    topic_cohosted: int  # Zoé's, co-hosted by everyone joined
    topic_unplaced: int
    topic_placed: int  # on the grid, first workshop slot: its session has free seats
    topic_seated: int  # second workshop slot, where everyone joined sits
    session_free: int
    session_mine: int
    room_free: int
    slot_free: int
    talk: int  # published, in the plenary; the speaker's link is for it
    question: int
    note: int  # the note of topic_placed's session, with one revision
    participant: int  # Zoé, an attendee, whom facilitators may remove
    ban: int  # someone removed and kept out
    role_secret: str  # the facilitator link's
    resume_secret: str  # Zoé's personal link
    screen_secret: str
    speaker_secret: str
    calendar_secret: str  # Alice's calendar feed


@dataclass
class World:
    template: object  # the database file every call starts from
    mine: Ids
    theirs: Ids  # the other event's
    cookies: dict  # role -> session cookie (None: no cookie at all)
    observer: str  # the cookie of a member of this event who only listens
    elsewhere: str  # the cookie of an attendee of the other event
    paul: str  # the cookie of an attendee made facilitator by hand (no link)


def opened(app, *paths, name=None, event=None):
    """A browser that joined (with `name`) and opened these links: its cookie."""
    client = app.test_client()
    if name:
        join(client, event, name)
    for path in paths:
        assert client.get(path).status_code in {302, 303}, path
    return client.get_cookie(COOKIE).value


def build_event(app, code, people):
    """An event in full swing: proposals and voting open, the grid published with its
    seats taken, a note, a published talk with its question. `people` names who joins
    through the join form (their cookies are returned)."""
    event, keys = new_event(
        name=f"Barcamp {code}",
        code=code,
        locale="en",
        rooms=[RoomRow("Main hall", 60), RoomRow("Side room", 20)],
        slots=[
            SlotRow(time(9, 30), time(10, 30), "plenary", "Opening"),
            SlotRow(time(10, 45), time(11, 45), "sessions", ""),
            SlotRow(time(12, 0), time(13, 0), "sessions", ""),
        ],
    )
    cookies = {name: opened(app, name=name, event=event) for name in people}
    with unit_of_work():
        event = db.session.get(Event, event.id)
        event.vote_budget, event.max_votes_per_topic = 6, 3
        zoe, resume_secret = participant_service.join(event, "Zoé")
        mallory, _ = participant_service.join(event, "Mallory")
        staff = Visitor(event, None, Role.ORGANIZER)
        facilitation.set_marketplace(staff, proposals_open=True, voting_open=True)
    joined = db.session.scalars(
        db.select(Participant).where(
            Participant.event_id == event.id, Participant.id.not_in([zoe.id, mallory.id])
        )
    ).all()
    by_name = {p.display_name: p for p in joined}
    with unit_of_work():
        alice = by_name.get("Alice", zoe)
        made = {
            "alice": topics.propose(alice, "Open data in public procurement", allow_similar=True),
            "zoe": topics.propose(zoe, "A sovereign cloud for ministries", allow_similar=True),
            "dup": topics.propose(zoe, "Sovereign clouds, again", allow_similar=True),
            "hidden": topics.propose(zoe, "Something off-topic", allow_similar=True),
            "cohosted": topics.propose(zoe, "Writing plainly to be read", allow_similar=True),
            "unplaced": topics.propose(zoe, "Enterprise social networks", allow_similar=True),
            "placed": topics.propose(zoe, "Diplomacy 2.0", allow_similar=True),
            "seated": topics.propose(zoe, "Managers and networks", allow_similar=True),
        }
    with unit_of_work():
        facilitation.hide(staff, made["hidden"].id)
        for person in joined:
            topics.join_as_cohost(person, made["cohosted"])
            voting.cast_vote(person, made["zoe"].id)
    slots = sorted(event.slots, key=lambda slot: slot.starts_at)
    plenary, first, second = slots
    main_hall, side_room = sorted(event.rooms, key=lambda room: room.capacity, reverse=True)
    with unit_of_work():
        schedule.place(staff, made["placed"].id, main_hall.id, first.id)
        schedule.place(staff, made["seated"].id, main_hall.id, second.id)
    with unit_of_work():
        schedule.publish(staff)
    sessions = {
        s.topic_id: s.id
        for s in db.session.scalars(db.select(Session).where(Session.event_id == event.id))
    }
    with unit_of_work():
        for person in joined:
            seating.take_seat(person, sessions[made["seated"].id])
        note = notes.create_note(made["placed"])
        notes.save_revision(note, zoe)
        talk = talk_service.create_talk(
            event,
            talk_service.TalkFields(
                speaker_name="Inès", title="A testimony", slot_id=plenary.id, minutes=20
            ),
        )
        talk_service.set_published(talk, True)
        talk_revisions.keep(talk, "Inès")
        speaker_secret = new_token()
        talk_service.set_speaker_key(talk, digest(speaker_secret))
        talk_note = notes.create_note(talk)
        notes.save_revision(talk_note, zoe)
        question = questions.ask(Visitor(event, zoe, Role.ATTENDEE), talk.id, "How?")
        screen_secret = screen_service.new_screen_link(staff)
        calendar_secret = new_token()
        alice.calendar_key_digest = digest(calendar_secret)
        moderation.remove(staff, mallory.id, ban=True)
    [ban] = moderation.bans(event)
    ids = Ids(
        code=code,
        **{f"topic_{name}": topic.id for name, topic in made.items()},
        session_free=sessions[made["placed"].id],
        session_mine=sessions[made["seated"].id],
        room_free=side_room.id,
        slot_free=first.id,
        talk=talk.id,
        question=question.id,
        note=note.id,
        participant=zoe.id,
        ban=ban.id,
        role_secret=keys[Role.FACILITATOR],
        resume_secret=resume_secret,
        screen_secret=screen_secret,
        speaker_secret=speaker_secret,
        calendar_secret=calendar_secret,
    )
    return event, keys, ids, cookies


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    path = tmp_path_factory.mktemp("permissions") / "day.db"
    with app_on(f"sqlite:///{path}") as app, app.app_context():
        event, keys, mine, cookies = build_event(app, "HOME", ["Alice", "Paul", "Olga", "Observer"])
        _, _, theirs, elsewhere = build_event(app, "AWAY", ["Bea"])
        home = f"/e/{event.code}"
        facilitator_link = f"{home}/key/{keys[Role.FACILITATOR]}"
        organizer_link = f"{home}/key/{keys[Role.ORGANIZER]}"
        roles = {
            permissions.ANONYMOUS: None,
            permissions.PROJECTOR: opened(app, f"{home}/screen/key/{mine.screen_secret}"),
            permissions.SPEAKER: opened(
                app, f"{home}/testimonies/{mine.talk}/speaker/{mine.speaker_secret}"
            ),
            permissions.ATTENDEE: cookies["Alice"],
            # Joined first, then opened the link: the participant holds the role.
            permissions.FACILITATOR: opened(app, facilitator_link, name="Paul 2", event=event),
            permissions.ORGANIZER: opened(app, organizer_link, name="Olga 2", event=event),
            permissions.FACILITATOR_LINK: opened(app, facilitator_link),
            permissions.ORGANIZER_LINK: opened(app, organizer_link),
        }
    # Paul 2 and Olga 2 joined after the votes and seats were handed out: give them
    # theirs as well, through the same services, so that they may take them back.
    with app_on(f"sqlite:///{path}") as app, app.app_context(), unit_of_work():
        for name in ("Paul 2", "Olga 2"):
            person = db.session.scalar(db.select(Participant).filter_by(display_name=name))
            topics.join_as_cohost(person, db.session.get(topics.Topic, mine.topic_cohosted))
            voting.cast_vote(person, mine.topic_zoe)
            seating.take_seat(person, mine.session_mine)
    with sqlite3.connect(path) as connection:  # one file to copy, no WAL beside it
        connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    return World(path, mine, theirs, roles, cookies["Observer"], elsewhere["Bea"], cookies["Paul"])


@pytest.fixture(scope="module")
def day(world, tmp_path_factory):
    """The app on a working copy of the day, put back before a call when the one
    before changed it."""
    path = tmp_path_factory.mktemp("calls") / "day.db"
    shutil.copyfile(world.template, path)
    with app_on(f"sqlite:///{path}") as app:
        with app.app_context():
            pristine = dump()
        app.day = (path, pristine)
        yield app


def fresh(day, world):
    """The day as it was made, with fresh counters and caches."""
    path, pristine = day.day
    with day.app_context():
        if dump() != pristine:
            db.session.remove()
            db.engine.dispose()
            for extra in ("-wal", "-shm"):
                path.with_name(path.name + extra).unlink(missing_ok=True)
            shutil.copyfile(world.template, path)
            assert dump() == pristine
        db.session.remove()
    limiter.reset()
    views.fragments._entries.clear()
    return day


@pytest.fixture
def app(day, world, monkeypatch):
    # Making a PDF takes seconds and is tested elsewhere: who may ask is tested here.
    monkeypatch.setattr("barcamp.routes.exports.make_pdf", lambda html: b"%PDF-")
    return fresh(day, world)


def dump():
    """Every row of every table, in a comparable form."""
    return {
        table.name: sorted((tuple(row) for row in db.session.execute(table.select())), key=repr)
        for table in db.metadata.sorted_tables
    }


def database(app):
    with app.app_context():
        try:
            return dump()
        finally:
            db.session.remove()


# --------------------------------------------------------------------- how to call


def browser(app, cookie):
    client = app.test_client()
    if cookie is not None:
        client.set_cookie(COOKIE, cookie)
    return client


SECRETS = {
    "events.open_role_link": "role_secret",
    "participants.resume": "resume_secret",
    "screen.open_link": "screen_secret",
    "talks.open_speaker_link": "speaker_secret",
    "schedule.personal_calendar": "calendar_secret",
}


def path_of(app, endpoint, ids):
    [rule] = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    values = {}
    for name in rule.arguments:
        values[name] = {
            "code": ids.code,
            "topic_id": ids.topic_alice if endpoint == "topics.edit" else ids.topic_placed,
            "talk_id": ids.talk,
            "question_id": ids.question,
            "number": 1,
            "participant_id": ids.participant,
            "ban_id": ids.ban,
            "secret": getattr(ids, SECRETS.get(endpoint, "role_secret")),
            "role": "facilitator",
            "lang": "en",
            "filename": "css/app.css",
        }[name]
    return rule.build(values, append_unknown=False)[1]


def form_of(endpoint, ids):
    """What the page's form would send: a call that works when it is allowed."""
    talk_form = {
        "kind": "testimony",
        "title": "A new title",
        "speaker_name": "Inès",
        "minutes": "20",
        "slot_id": "",
    }
    forms = {
        "events.create": event_form(),
        "participants.join": {"display_name": "Newcomer"},
        "participants.rename": {"display_name": "Renamed"},
        "topics.propose": {"title": "A topic nobody proposed yet", "format": "discussion"},
        "topics.edit": {"title": "Open data, edited", "format": "discussion"},
        "topics.vote": {"topic_id": ids.topic_zoe},
        "topics.unvote": {"topic_id": ids.topic_zoe},
        "topics.cohost": {"topic_id": ids.topic_zoe},
        "topics.leave_cohosts": {"topic_id": ids.topic_cohosted},
        "topics.withdraw": {"topic_id": ids.topic_alice},
        "facilitation.marketplace": {"proposals_open": "false"},
        "facilitation.spotlight": {"topic_id": ids.topic_zoe},
        "facilitation.hide": {"topic_id": ids.topic_zoe},
        "facilitation.unhide": {"topic_id": ids.topic_hidden},
        "facilitation.merge": {"source_id": ids.topic_dup, "target_id": ids.topic_zoe},
        "schedule.place": {
            "topic_id": ids.topic_unplaced,
            "room_id": ids.room_free,
            "slot_id": ids.slot_free,
        },
        "schedule.unplace": {"topic_id": ids.topic_placed},
        "schedule.pin": {"topic_id": ids.topic_placed, "pinned": "true"},
        "schedule.block": {"room_id": ids.room_free, "slot_id": ids.slot_free, "blocked": "true"},
        "schedule.take_seat": {"session_id": ids.session_free},
        "schedule.leave_seat": {"session_id": ids.session_mine},
        "notes.role": {"kind": "note_taker", "taking": "true"},
        "talks.new": talk_form,
        "talks.edit": talk_form,
        "talks.move": {"offset": "1"},
        "talks.publish": {"published": "0"},
        "questions.ask": {"text": "And the budget?"},
        "questions.upvote": {"up": "1"},
        "questions.moderate": {"action": "answered"},
        "screen.set_state": {"mode": "plenary", "talk_id": str(ids.talk)},
        "events.voting_rules": {"vote_budget": "5", "max_votes_per_topic": "2"},
        "exports.set_access": {"access": "participants"},
        "moderation.remove": {"topics": "keep"},
    }
    return forms.get(endpoint, {})


@dataclass
class Outcome:
    refused: bool  # 403, 404, the reason said, an error ack `forbidden`, no connection
    sent_home: bool  # sent back to the event's page (to join it)
    succeeded: bool  # the page said it was done
    changed: bool  # the database is not as it was
    heard_here: list  # broadcasts an onlooker of this event heard
    heard_elsewhere: list  # and one of the other event
    how: str  # for the failure message


# How a page says "not you": the messages of a refusal for lack of permission.
REFUSALS = ("Join the event", "Only ", "You are not allowed")
PAGE_REFUSALS = ("Join the event", "Only the", "You are not allowed")


def flashes(client):
    with client.session_transaction() as session:
        return [(category, str(message)) for category, message in session.get("_flashes", [])]


def call_route(app, world, role, endpoint, method, ids):
    client = browser(app, world.cookies[role])
    path = path_of(app, endpoint, ids)
    response = client.open(
        path, method=method, data=form_of(endpoint, ids) if method == "POST" else None
    )
    said = flashes(client)
    refusal = [m for c, m in said if c != "success" and m.startswith(REFUSALS)]
    status = response.status_code
    # A form shown again with the reason on it (a question asked without joining).
    if 400 <= status < 500 and any(words in response.text for words in PAGE_REFUSALS):
        refusal.append(f"the page says: {status}")
    response.close()
    assert status < 500, (path, status)
    home = f"/e/{world.mine.code}"
    sent_home = status in {302, 303} and response.headers["Location"].split("#")[0] == home
    refused = status in {403, 404} or bool(refusal)
    how = f"{method} {path} → {status} {response.headers.get('Location', '')} {said}"
    return refused, sent_home, how, said


def listening(app, cookie, code):
    sio = socketio.test_client(app, flask_test_client=browser(app, cookie), auth={"event": code})
    assert sio.is_connected()
    sio.get_received()
    return sio


def note_update():
    doc = Doc()
    body = doc.get("body", type=Text)
    body += "A line written by this call.\n"
    return doc.get_update()


def payload_of(event, ids):
    payloads = {
        "participant_rename": {"name": "Renamed"},
        "topic_propose": {"title": "A topic nobody proposed yet"},
        "topic_similar": {"title": "cloud"},
        "topic_edit": {"topic_id": ids.topic_alice, "title": "Open data, edited"},
        "topic_withdraw": {"topic_id": ids.topic_alice},
        "topic_cohost": {"topic_id": ids.topic_zoe},
        "vote_cast": {"topic_id": ids.topic_zoe},
        "vote_withdraw": {"topic_id": ids.topic_zoe},
        "vote_move": {"from_topic_id": ids.topic_zoe, "to_topic_id": ids.topic_alice},
        "marketplace_set": {"proposals_open": False},
        "topic_hide": {"topic_id": ids.topic_zoe},
        "topic_unhide": {"topic_id": ids.topic_hidden},
        "topic_merge": {"source_id": ids.topic_dup, "target_id": ids.topic_zoe},
        "topic_spotlight": {"topic_id": ids.topic_zoe},
        "schedule_place": {
            "topic_id": ids.topic_unplaced,
            "room_id": ids.room_free,
            "slot_id": ids.slot_free,
        },
        "schedule_unplace": {"topic_id": ids.topic_placed},
        "schedule_pin": {"topic_id": ids.topic_placed, "pinned": True},
        "schedule_block": {"room_id": ids.room_free, "slot_id": ids.slot_free, "blocked": True},
        "seat_take": {"session_id": ids.session_free},
        "seat_leave": {"session_id": ids.session_mine},
        "note_join": {"note": ids.note, "sv": b"\x00"},
        "note_update": {"note": ids.note, "update": note_update()},
        "note_cursor": {"note": ids.note, "client": 7, "clock": 1, "cursor": None},
        "note_leave": {"note": ids.note},
        "question_ask": {"talk_id": ids.talk, "text": "And the budget?"},
        "question_upvote": {"question_id": ids.question},
        "question_moderate": {"question_id": ids.question, "action": "answered"},
        "screen_set": {"mode": "plenary", "talk_id": ids.talk},
    }
    return {"op_id": f"op-{event}", **payloads.get(event, {})}


def call_event(app, world, role, event, ids):
    """Connect as `role` and send `event`: (refused, acknowledged, how)."""
    sio = socketio.test_client(
        app, flask_test_client=browser(app, world.cookies[role]), auth={"event": world.mine.code}
    )
    try:
        if not sio.is_connected():
            return True, False, "connection refused"
        if event in {"connect", "disconnect"}:
            return False, True, "connected"
        sio.get_received()
        if event == "note_cursor":  # a caret is shown only in a note one opened
            sio.emit("note_join", payload_of("note_join", ids), callback=True)
        ack = sio.emit(event, payload_of(event, ids), callback=True)
        assert isinstance(ack, dict), ack
        code = (ack.get("error") or {}).get("code")
        assert code != "server_error", ack
        return code == "forbidden", ack.get("ok") is True, f"{event} → ack {ack}"
    finally:
        if sio.is_connected():
            sio.disconnect()


def perform(app, world, role, entry, ids=None):
    """Call `entry` as `role` (on objects `ids`, this event's by default), with
    onlookers in this event and in the other one listening."""
    ids = ids or world.mine
    here = listening(app, world.observer, world.mine.code)
    elsewhere = listening(app, world.elsewhere, world.theirs.code)
    before = database(app)
    sent_home = False
    if isinstance(entry, tuple):
        refused, sent_home, how, said = call_route(app, world, role, *entry, ids)
        succeeded = any(category == "success" for category, _ in said)
    else:
        refused, succeeded, how = call_event(app, world, role, entry, ids)
    changed = database(app) != before
    heard = [[m["name"] for m in sio.get_received()] for sio in (here, elsewhere)]
    for sio in (here, elsewhere):
        sio.disconnect()
    return Outcome(refused, sent_home, succeeded, changed, *heard, how)


# ------------------------------------------------------------------------ the tests


def entries(app):
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_and_socket_event_is_in_the_matrix(day):
    """A new route or socket event must say who may call it (barcamp/permissions.py)."""
    routes = entries(day)
    assert sorted(routes - ROUTES.keys()) == [], "routes missing from barcamp/permissions.py"
    assert sorted(ROUTES.keys() - routes) == [], "entries of no route"
    handlers = set(socketio.server.handlers["/"])
    assert handlers == set(HANDLERS)
    assert sorted(handlers - SOCKET_EVENTS.keys()) == [], "events missing from permissions.py"
    assert sorted(SOCKET_EVENTS.keys() - handlers) == [], "entries of no event"


def matrix():
    for entry in sorted(ROUTES, key=str):
        for role in permissions.ROLES:
            yield pytest.param(role, entry, id=f"{role}-{entry[1]}-{entry[0]}")
    for event in sorted(SOCKET_EVENTS):
        for role in permissions.ROLES:
            yield pytest.param(role, event, id=f"{role}-socket-{event}")


@pytest.mark.parametrize(("role", "entry"), list(matrix()))
def test_each_role_may_do_what_the_matrix_allows_and_nothing_else(app, world, role, entry):
    outcome = perform(app, world, role, entry)
    if permissions.allowed(entry, role):
        assert not outcome.refused, f"{role} refused: {outcome.how}"
        # Whatever it did stays in its event.
        assert outcome.heard_elsewhere == [], outcome.how
    else:
        assert outcome.refused or outcome.sent_home, f"{role} not refused: {outcome.how}"
        assert not outcome.succeeded, outcome.how
        assert not outcome.changed, f"{role} changed the database: {outcome.how}"
        assert outcome.heard_here == outcome.heard_elsewhere == [], outcome.how


CAPABILITIES = [entry for entry, rule in ROUTES.items() if rule.capability]


@pytest.mark.parametrize("entry", CAPABILITIES, ids=[f"{m}-{e}" for e, m in CAPABILITIES])
@pytest.mark.parametrize("role", [permissions.ANONYMOUS, permissions.ATTENDEE])
def test_a_made_up_secret_opens_nothing(app, world, role, entry):
    """A capability link is its secret: a guessed one is a page not found."""
    guessed = replace(world.mine, **{SECRETS[entry[0]]: new_token()})
    outcome = perform(app, world, role, entry, guessed)
    assert outcome.refused, outcome.how
    assert not outcome.changed, outcome.how


def other_events_objects(world):
    """This event's code with every object (and secret) of the other event."""
    return replace(world.theirs, code=world.mine.code)


def naming_objects(app, world):
    """The entries whose call names an object or a secret."""
    crossed = other_events_objects(world)
    for entry in sorted(ROUTES, key=str):
        endpoint, _method = entry
        if (path_of(app, endpoint, world.mine), form_of(endpoint, world.mine)) != (
            path_of(app, endpoint, crossed),
            form_of(endpoint, crossed),
        ):
            yield entry
    for event in sorted(SOCKET_EVENTS):
        # Leaving a note one never opened is nothing to refuse (no room to leave).
        if event in {"note_update", "note_leave"}:
            continue
        if payload_of(event, world.mine) != payload_of(event, crossed):
            yield event
    yield "note_update"  # its update differs at every call


def test_another_events_objects_do_not_exist_here(app, world):
    """The organizer of this event names, in each call, the topics, sessions, talks,
    questions, notes and links of the other event: each is not found, or refused, and
    nothing changes in either event."""
    crossed = other_events_objects(world)
    failures = []
    named = list(naming_objects(app, world))
    assert len(named) > 40
    for entry in named:
        fresh(app, world)
        outcome = perform(app, world, permissions.ORGANIZER, entry, crossed)
        if isinstance(entry, tuple) and entry[1] == "GET":
            if "404" not in outcome.how.split("→")[1][:5]:
                failures.append(("not a 404", outcome.how))
        elif outcome.changed or outcome.succeeded:
            failures.append(("done", outcome.how))
        if outcome.heard_elsewhere:
            failures.append(("heard in the other event", outcome.how))
    assert not failures, "\n".join(map(str, failures))


FACILITATOR_EVENTS = sorted(
    event for event, rule in SOCKET_EVENTS.items() if rule.who == permissions.FACILITATORS
)


def set_role(app, name, role):
    with app.app_context(), unit_of_work():
        person = db.session.scalar(db.select(Participant).filter_by(display_name=name))
        person.role = role


def renew_facilitator_link(app, world):
    with app.app_context(), unit_of_work():
        event = db.session.scalar(db.select(Event).filter_by(code=world.mine.code))
        rotate_key(event, Role.FACILITATOR)


DEMOTIONS = {
    # Paul joined, opened the facilitator link; the organizer renews it.
    "link renewed": (
        permissions.FACILITATOR,
        lambda app, world: renew_facilitator_link(app, world),
    ),
    # The projector's laptop holds the facilitator link alone; it is renewed.
    "link alone renewed": (
        permissions.FACILITATOR_LINK,
        lambda app, world: renew_facilitator_link(app, world),
    ),
    # Paul was made facilitator without a link; his role is lowered again.
    "role lowered": ("paul", lambda app, world: set_role(app, "Paul", Role.ATTENDEE)),
}


@pytest.mark.parametrize("event", FACILITATOR_EVENTS)
@pytest.mark.parametrize("how", DEMOTIONS)
def test_a_demoted_facilitators_open_page_loses_its_powers_at_once(app, world, how, event):
    """A facilitator's page is open; they are demoted meanwhile. The very next action
    it sends is refused and changes nothing: each event reads who calls from the
    database, not from what the socket knew when it connected."""
    role, demote = DEMOTIONS[how]
    if role == "paul":
        set_role(app, "Paul", Role.FACILITATOR)
        cookie = world.paul
    else:
        cookie = world.cookies[role]
    page = listening(app, cookie, world.mine.code)
    here = listening(app, world.observer, world.mine.code)
    try:
        assert page.emit("schedule_cancel", {}, callback=True)["ok"]  # a facilitator now
        demote(app, world)
        page.get_received(), here.get_received()
        before = database(app)
        ack = page.emit(event, payload_of(event, world.mine), callback=True)
        assert ack["ok"] is False, ack
        assert ack["error"]["code"] == "forbidden", ack
        assert database(app) == before
        assert here.get_received() == []
    finally:
        page.disconnect()
        here.disconnect()
