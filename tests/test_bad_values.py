"""Bad values in addresses and forms get a clear error, never a server error: every
route of the app, as the event's organizer (who may reach them all), with ids beyond
64 bits, ids that exist nowhere, and POSTs without their fields."""

import pytest
from werkzeug.routing import IntegerConverter

from barcamp.extensions import db
from barcamp.models import Participant
from tests.conftest import app_on, join, new_event

TOO_BIG = 2**63  # one more than SQLite's and PostgreSQL's largest integer


def urls(app, code, number):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {}
        for name in rule.arguments:
            if isinstance(rule._converters[name], IntegerConverter):
                values[name] = number
            else:
                values[name] = code if name == "code" else "nothing"
        path = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


FIELDS = [
    "topic_id",
    "slot_id",
    "room_id",
    "kind",
    "topic_ids",
    "display_name",
    "vote_budget",
    "title",
    "text",
    "target_id",
    "taking",
    "summary",
    "speaker_role",
    "speaker_name",
    "source_id",
    "organisation",
    "minutes",
    "max_votes_per_topic",
    "link",
    "lessons",
    "figures",
    "body",
    "blind_voting",
    "anonymous",
    "allow_similar",
    "action",
    "access",
    "op_id",
    "offset",
    "published",
    "number",
]
JUNK_FORMS = {
    "no fields": {},
    "ids beyond 64 bits": {name: str(TOO_BIG) for name in FIELDS},
    "negative numbers": {name: "-1" for name in FIELDS},
    "words where numbers go": {name: "douze" for name in FIELDS},
    "NUL bytes": {name: "a\x00b" for name in FIELDS},
    "10,000 characters": {name: "é" * 10_000 for name in FIELDS},
}


@pytest.fixture
def on_postgres(postgres_database):
    with app_on(postgres_database) as app:
        yield app


@pytest.mark.parametrize("form", JUNK_FORMS, ids=list(JUNK_FORMS))
@pytest.mark.parametrize("number", [TOO_BIG, 123456])
def test_no_route_answers_a_server_error_to_bad_values(app, event, number, form):
    crawl(app, event, number, form)


@pytest.mark.postgres
@pytest.mark.parametrize("form", ["ids beyond 64 bits", "NUL bytes"])
def test_no_route_answers_a_server_error_to_bad_values_on_postgres(on_postgres, form):
    with on_postgres.app_context():
        event, _ = new_event()
    crawl(on_postgres, event, TOO_BIG, form)


def promoted_organizer(app, event):
    """A browser joined to the event, made its organizer (who may reach every page)."""
    client = app.test_client()
    join(client, event, "Organisatrice")
    with app.app_context():
        person = db.session.query(Participant).filter_by(event_id=event.id).one()
        person.role = "organizer"
        db.session.commit()
    return client


def crawl(app, event, number, form):
    client = promoted_organizer(app, event)
    failures = []
    for method, path in urls(app, event.code, number):
        try:
            response = client.open(path, method=method, data=JUNK_FORMS[form])
        except Exception as error:
            failures.append((method, path, repr(error)[:120]))
            continue
        if response.status_code >= 500:
            failures.append((method, path, response.status_code))

    assert not failures, failures


JUNK_VALUES = {
    "a number": 1,
    "a negative number": -1,
    "an id beyond 64 bits": TOO_BIG,
    "beyond 64 bits, twice": 2**64 + 5,
    "a fraction": 1.5,
    "true": True,
    "null": None,
    "an empty text": "",
    "a lone surrogate": "Am\ud800lie",
    "a NUL byte": "a\x00b",
    "a list": [1, [2, "x"]],
    "an object": {"x": {"y": 1}},
    "a long text": "é" * 20_000,
}
SOCKET_FIELDS = [
    "action",
    "allow_similar",
    "anonymous",
    "blocked",
    "client",
    "clock",
    "cursor",
    "format",
    "join",
    "name",
    "needs",
    "note",
    "participant",
    "pinned",
    "pitch",
    "question_id",
    "room_id",
    "session_id",
    "slot_id",
    "source_id",
    "sv",
    "talk_id",
    "target_id",
    "text",
    "title",
    "topic_id",
    "up",
    "update",
    "visible",
    "voting_open",
]


def test_no_socket_event_answers_a_server_error_to_bad_values(app, event, socket_client):
    fuzz_sockets(app, socket_client(promoted_organizer(app, event), event))


@pytest.mark.postgres
def test_no_socket_event_answers_a_server_error_to_bad_values_on_postgres(on_postgres):
    from barcamp.extensions import socketio

    with on_postgres.app_context():
        event, _ = new_event()
    client = promoted_organizer(on_postgres, event)
    sio = socketio.test_client(on_postgres, flask_test_client=client, auth={"event": event.code})
    try:
        fuzz_sockets(on_postgres, sio)
    finally:
        sio.disconnect()


def fuzz_sockets(app, sio):
    from barcamp.extensions import socketio

    names = sorted(set(socketio.server.handlers["/"]) - {"connect", "disconnect"})
    failures = []
    for name in names:
        payloads = [5, "texte", [1, 2], None]
        for label, junk in JUNK_VALUES.items():
            payloads.append({field: junk for field in SOCKET_FIELDS} | {"op_id": f"{name}-{label}"})
            payloads.append({"op_id": junk})
        for payload in payloads:
            ack = sio.emit(name, payload, callback=True)
            error = ack.get("error") if isinstance(ack, dict) else None
            if not isinstance(ack, dict) or (error or {}).get("code") == "server_error":
                failures.append((name, repr(payload)[:80], ack))
    assert not failures, f"{len(failures)} calls failed, e.g. {failures[:8]}"


TRICKY_NAMES = {
    "bidi override": ("\u202eAmélie\u202c", "Amélie"),
    "zero-width space inside": ("Amé\u200blie", "Amé lie"),
    "byte order mark": ("\ufeffAmélie", "Amélie"),
    "decomposed accent": ("Ame\u0301lie", "Amélie"),
    "line break": ("Amélie\nB.", "Amélie B."),
}


@pytest.mark.parametrize("case", TRICKY_NAMES, ids=list(TRICKY_NAMES))
def test_a_name_is_cleaned_the_same_by_the_form_and_by_the_live_page(
    app, event, socket_client, case
):
    typed, shown = TRICKY_NAMES[case]
    by_form, by_socket = app.test_client(), app.test_client()
    join(by_form, event, typed)
    join(by_socket, event, "Quelqu’un")
    ack = socket_client(by_socket, event).emit(
        "participant_rename", {"op_id": "rename-1", "name": typed}, callback=True
    )
    assert ack["ok"], ack
    with app.app_context():
        names = db.session.scalars(
            db.select(Participant.display_name).order_by(Participant.id)
        ).all()
    assert names == [shown, shown]
