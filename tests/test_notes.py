"""Shared session notes in the app: the session page and its note, co-writing over
Socket.IO with pycrdt documents on both sides, what is stored (and what is refused),
revisions, and the roles people take in a session."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from pycrdt import Doc, Text, merge_updates
from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import Note, NoteRevision, NoteUpdate, Session, Topic
from barcamp.services import notes
from barcamp.services.note_documents import documents
from barcamp.unit_of_work import unit_of_work
from tests.conftest import join, new_event, text_of
from tests.test_routes_schedule import camp  # noqa: F401  (fixture)


@pytest.fixture
def grid(app, camp):  # noqa: F811
    """The camp's grid built and published; returns (event, browsers, first topic id)."""
    event, facilitator, amelie, baptiste, ids = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    facilitator.post(f"/e/{event.code}/schedule/publish")
    return event, facilitator, amelie, baptiste, ids[0]


def note_row(app, topic_id):
    with app.app_context():
        return db.session.scalar(select(Note).where(Note.topic_id == topic_id))


def stored_text(app, topic_id):
    """The note rebuilt from its stored updates alone, in a fresh context."""
    with app.app_context():
        return notes.stored_text(note_row(app, topic_id))


class Writer:
    """A pycrdt document behind a test socket, speaking the editor's protocol."""

    def __init__(self, socket, note_id):
        self.socket = socket
        self.note_id = note_id
        self.doc = Doc()
        self.body = self.doc.get("body", type=Text)
        self.outbox = []
        self.doc.observe(lambda event: self.outbox.append(event.update))

    def join(self):
        ack = self.socket.emit(
            "note_join", {"note": self.note_id, "sv": self.doc.get_state()}, callback=True
        )
        assert ack["ok"], ack
        self.doc.apply_update(ack["update"])
        self.outbox = []
        return ack, self.send(self.doc.get_update(ack["sv"]))

    def send(self, update):
        return self.socket.emit(
            "note_update", {"note": self.note_id, "update": update}, callback=True
        )

    def flush(self):
        acks = [self.send(update) for update in self.outbox]
        self.outbox = []
        return acks

    def hear(self):
        """Apply the updates others sent (as the editor does on `note_update`)."""
        for event in self.socket.get_received():
            if event["name"] == "note_update":
                self.doc.apply_update(event["args"][0]["update"])

    def text(self):
        return str(self.body)

    def insert(self, before, text):
        """Type `text` just before the first `before` in the note."""
        insert_at(self.body, self.text().index(before), text)

    def remove(self, text):
        """Delete the first `text` in the note."""
        remove_at(self.body, self.text().index(text), len(text))


def insert_at(body, index, text):
    """Insert at a character index (pycrdt counts UTF-8 bytes)."""
    body.insert(len(str(body)[:index].encode()), text)


def remove_at(body, index, length):
    old = str(body)
    start = len(old[:index].encode())
    del body[start : start + len(old[index : index + length].encode())]


@pytest.fixture
def writers(app, grid, socket_client):
    event, _facilitator, amelie, baptiste, topic_id = grid
    page = amelie.get(f"/e/{event.code}/sessions/{topic_id}")
    assert page.status_code == 200
    note_id = note_row(app, topic_id).id

    def open_writer(browser):
        return Writer(
            socket_client(browser, event, auth={"event": event.code, "notes": True}), note_id
        )

    return open_writer(amelie), open_writer(baptiste), topic_id


def test_the_session_page_shows_where_who_and_a_note_started_from_the_template(app, grid):
    event, _facilitator, amelie, _baptiste, topic_id = grid
    page = text_of(amelie.get(f"/e/{event.code}/sessions/{topic_id}"))
    assert "Résistance au changement" in page
    assert "Porté par Paul" in page
    assert "Animateur" in page
    assert "Rapporteur" in page
    for heading in ("Participants", "Points clés", "Décisions", "À faire", "À lire"):
        assert heading in page
    grid_page = amelie.get(f"/e/{event.code}/schedule").get_data(as_text=True)
    assert f"/e/{event.code}/sessions/{topic_id}" in grid_page
    editor = amelie.get(f"/e/{event.code}/sessions/{topic_id}/note").get_data(as_text=True)
    note = note_row(app, topic_id)
    assert f'data-note="{note.id}"' in editor
    assert f'data-epoch="{note.epoch}"' in editor
    assert "js/notes.min.js" in editor


def test_two_writers_converge_and_an_acknowledged_edit_is_stored(app, writers):
    amelie, baptiste, topic_id = writers
    (join_ack, sent) = amelie.join()
    assert sent["ok"]
    assert join_ack["epoch"] == note_row(app, topic_id).epoch
    assert "## Décisions" in amelie.text()
    baptiste.join()
    amelie.insert("\n\n## À faire", "Tester ")
    assert all(ack["ok"] for ack in amelie.flush())
    assert "## Décisions\n- Tester \n" in stored_text(app, topic_id)
    baptiste.hear()
    assert baptiste.text() == amelie.text()
    baptiste.body += "Fin.\n"
    baptiste.flush()
    amelie.hear()
    assert amelie.text() == baptiste.text() == stored_text(app, topic_id)


def test_writing_while_away_is_merged_on_reconnect_without_duplicates(app, writers):
    amelie, baptiste, topic_id = writers
    amelie.join()
    baptiste.join()
    amelie.body += "Écrit hors ligne\n"  # not sent: the connection dropped
    amelie.outbox = []
    baptiste.body.insert(0, "En ligne\n")
    baptiste.flush()
    amelie.join()  # the handshake of a reconnect sends what the server lacks
    baptiste.hear()
    text = stored_text(app, topic_id)
    assert text.count("Écrit hors ligne") == 1
    assert text.count("En ligne") == 1
    assert amelie.text() == baptiste.text() == text


def test_a_deletion_alone_is_stored_and_survives_a_restart(app, writers):
    amelie, _baptiste, topic_id = writers
    amelie.join()
    amelie.remove("## Participants\n- \n\n")
    [ack] = amelie.flush()
    assert ack["ok"]
    with app.app_context():
        documents().forget(note_row(app, topic_id).id)  # as after a restart
    assert "## Participants" not in stored_text(app, topic_id)
    assert stored_text(app, topic_id) == amelie.text()


def test_garbage_and_oversized_updates_are_refused_and_nothing_is_stored(app, writers):
    amelie, _baptiste, topic_id = writers
    amelie.join()
    with app.app_context():
        rows = notes.stored_rows(note_row(app, topic_id))
    before = stored_text(app, topic_id)
    for junk in (b"\x00\x01garbage", b"\xff" * 100, "du texte", None, 42):
        ack = amelie.send(junk)
        assert not ack["ok"]
        assert ack["error"]["code"] == "invalid_update"
        assert "n’a pas été enregistrée" in ack["error"]["message"]
    too_big = amelie.send(b"\x00" * (app.config["NOTE_UPDATE_MAX"] + 1))
    assert too_big["error"]["code"] == "note_too_large"
    with app.app_context():
        assert notes.stored_rows(note_row(app, topic_id)) == rows
    assert stored_text(app, topic_id) == before


@pytest.mark.parametrize("config_overrides", [{"NOTE_TEXT_MAX": 2000}])
def test_a_note_cannot_grow_past_its_size_limit(app, writers, config_overrides):
    amelie, baptiste, topic_id = writers
    amelie.join()
    amelie.body += "x" * 2500
    [ack] = amelie.flush()
    assert ack["error"]["code"] == "note_too_large"
    assert "trop longue" in ack["error"]["message"]
    assert "xxx" not in stored_text(app, topic_id)
    # The server's document was not left with the refused text either.
    baptiste.join()
    assert "xxx" not in baptiste.text()


def test_another_events_note_is_out_of_reach(app, grid, make_event, socket_client):
    event, _facilitator, amelie, _baptiste, topic_id = grid
    amelie.get(f"/e/{event.code}/sessions/{topic_id}")
    note_id = note_row(app, topic_id).id
    other_event, _ = make_event(name="Autre camp")
    outsider = app.test_client()
    join(outsider, other_event, "Zoé")
    # Zoé's socket is bound to her own event: the note of another event does not exist.
    zoe = Writer(socket_client(outsider, other_event), note_id)
    ack = zoe.socket.emit("note_join", {"note": note_id, "sv": b"\x00"}, callback=True)
    assert ack["error"]["code"] == "not_found"
    ack = zoe.send(Doc().get_update())
    assert ack["error"]["code"] == "not_found"
    # Nor can she connect to that event without joining it.
    stranger = socket_client(outsider, event)
    assert not stranger.is_connected()
    assert outsider.get(f"/e/{event.code}/sessions/{topic_id}/note").status_code == 303


@pytest.mark.parametrize("config_overrides", [{"NOTE_COMPACT_AFTER": 5}])
def test_the_log_is_compacted_keeping_text_and_updates_still_waiting(
    app, writers, config_overrides
):
    amelie, _baptiste, topic_id = writers
    amelie.join()
    for n in range(12):
        amelie.body += f"ligne {n}\n"
        amelie.flush()
    # An update whose predecessor the server has not seen yet waits, and is kept.
    amelie.body += "avant\n"
    first = amelie.outbox.pop()
    amelie.body += "après\n"
    [ack] = amelie.flush()
    assert ack["ok"]
    with app.app_context():
        note = note_row(app, topic_id)
        assert notes.stored_rows(note) <= 6
        documents().forget(note.id)
    assert "après" not in stored_text(app, topic_id)
    for n in range(4):  # more compactions while it waits
        amelie.body += f"encore {n}\n"
        amelie.flush()
    amelie.send(first)
    assert stored_text(app, topic_id) == amelie.text()
    assert "avant\naprès\n" in amelie.text()


def note_of_a_new_topic(event, title):
    """A note of a topic made directly (the grid is not what is tested with it)."""
    with unit_of_work():
        topic = Topic(event_id=event.id, title=title)
        db.session.add(topic)
        db.session.flush()
        topic.event = event
        return notes.create_note(topic)


@pytest.fixture
def bare_note(app):
    with app.app_context():
        return note_of_a_new_topic(new_event()[0], "Diplomatie 2.0").id


edit = st.tuples(
    st.integers(0, 2),  # who
    st.integers(0, 1000),  # where
    st.text("abé \n", max_size=4),  # what to insert (nothing: delete two characters)
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=st.lists(edit, min_size=1, max_size=25), order=st.randoms(use_true_random=False))
def test_edits_arriving_in_any_order_twice_or_late_converge(app, bare_note, edits, order):
    """Three people edit their copies; their updates reach the server shuffled, some
    twice. Once everybody has everything, the stored note equals every copy."""
    with app.app_context():
        documents().forget(bare_note)
        start = merge_updates(
            *db.session.scalars(select(NoteUpdate.data).where(NoteUpdate.note_id == bare_note))
        )
    peers, logs = [], []
    for _ in range(3):
        peer, log = Doc(), []
        peer.get("body", type=Text)
        peer.apply_update(start)
        peer.observe(lambda event, log=log: log.append(event.update))
        peers.append(peer)
        logs.append(log)
    for who, where, inserted in edits:
        body = peers[who].get("body", type=Text)
        at = where % (len(str(body)) + 1)
        if inserted:
            insert_at(body, at, inserted)
        else:
            remove_at(body, at, 2)
    deliveries = [update for log in logs for update in log]
    deliveries += order.sample(deliveries, len(deliveries) // 3)
    order.shuffle(deliveries)
    with app.app_context():
        for update in deliveries:
            with unit_of_work():
                notes.receive(db.session.get(Note, bare_note), None, update)
        documents().forget(bare_note)  # as after a restart: from the log alone
        stored = notes.stored_text(db.session.get(Note, bare_note))
    for peer in peers:  # (merged: pycrdt applying them one by one may drop some)
        peer.apply_update(merge_updates(*deliveries))
    assert {str(peer.get("body", type=Text)) for peer in peers} == {stored}


def test_revisions_are_kept_listed_with_authors_and_restored_as_a_new_one(app, writers, grid):
    event, _facilitator, amelie_browser, _baptiste, _ = grid
    amelie, _baptiste_writer, topic_id = writers
    amelie.join()
    amelie.body += "Première idée\n"
    amelie.flush()
    history = f"/e/{event.code}/sessions/{topic_id}/note/history"
    amelie_browser.post(f"/e/{event.code}/sessions/{topic_id}/note/revisions")
    amelie.remove("Première idée\n")
    amelie.body += "Tout effacé par erreur\n"
    amelie.flush()
    page = text_of(amelie_browser.get(history))
    assert "Révision 1" in page
    assert "Amélie" in page
    response = amelie_browser.post(f"/e/{event.code}/sessions/{topic_id}/note/revisions/1/restore")
    assert response.status_code == 303
    assert "Révision 1 rétablie" in text_of(amelie_browser.get(response.headers["Location"]))
    text = stored_text(app, topic_id)
    assert "Première idée" in text
    assert "Tout effacé par erreur" not in text
    with app.app_context():
        kept = db.session.scalars(
            select(NoteRevision)
            .join(Note)
            .where(Note.topic_id == topic_id)
            .order_by(NoteRevision.number)
        ).all()
    assert [r.reason for r in kept] == ["manual", "auto", "restore"]
    assert "Tout effacé par erreur" in kept[1].text  # what was replaced stays in the history
    assert kept[2].restored_from == 1
    # The people writing get the restore like any other change.
    amelie.hear()
    assert amelie.text() == text


@pytest.mark.parametrize("config_overrides", [{"NOTE_REVISION_INTERVAL": 0}])
def test_revisions_are_kept_as_people_write(app, writers, config_overrides):
    amelie, _baptiste, _topic_id = writers
    amelie.join()
    amelie.body += "Un\n"
    amelie.flush()
    amelie.body += "Deux\n"
    amelie.flush()
    with app.app_context():
        kept = db.session.scalars(select(NoteRevision).order_by(NoteRevision.number)).all()
    assert [r.reason for r in kept] == ["auto", "auto"]
    assert kept[0].authors == ["Amélie"]
    assert kept[1].text.endswith("Un\nDeux\n")


def test_the_reading_view_renders_markdown_without_the_writers_html(app, writers, grid):
    event, *_ = grid
    amelie, _baptiste, topic_id = writers
    amelie.join()
    amelie.body += "**Important** <script>alert('x')</script> [lien](javascript:alert(1))\n"
    amelie.flush()
    page = grid[2].get(f"/e/{event.code}/sessions/{topic_id}").get_data(as_text=True)
    assert "<strong>Important</strong>" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript' not in page
    assert "<li></li>" not in page  # the template's empty bullets are not content
    assert "[ ]" not in text_of(grid[2].get(f"/e/{event.code}/sessions/{topic_id}"))
    markdown = grid[2].get(f"/e/{event.code}/sessions/{topic_id}/note.md")
    assert markdown.mimetype == "text/markdown"
    assert "**Important**" in markdown.get_data(as_text=True)


def test_who_is_writing_now_is_shown(app, writers, grid):
    event, *_ = grid
    amelie, baptiste, topic_id = writers
    amelie.join()
    baptiste.join()
    presence = [e for e in amelie.socket.get_received() if e["name"] == "note_presence"]
    assert {e["name"] for e in presence[-1]["args"][0]["editors"]} == {"Amélie", "Baptiste"}
    page = text_of(grid[2].get(f"/e/{event.code}/sessions/{topic_id}"))
    assert "Amélie" in page
    assert "Baptiste" in page
    baptiste.socket.disconnect()
    presence = [e for e in amelie.socket.get_received() if e["name"] == "note_presence"]
    assert [e["name"] for e in presence[-1]["args"][0]["editors"]] == ["Amélie"]


def test_people_take_the_facilitator_and_note_taker_roles(app, grid):
    event, _facilitator, amelie, baptiste, topic_id = grid
    roles = f"/e/{event.code}/sessions/{topic_id}/roles"
    amelie.post(roles, data={"kind": "facilitator", "taking": "true"})
    baptiste.post(roles, data={"kind": "note_taker", "taking": "true"})
    baptiste.post(roles, data={"kind": "note_taker", "taking": "true"})  # twice: once
    page = text_of(amelie.get(f"/e/{event.code}/sessions/{topic_id}"))
    assert "Animateur Amélie" in page
    assert "Rapporteur Baptiste" in page
    grid_page = text_of(amelie.get(f"/e/{event.code}/schedule"))
    assert "Animateur : Amélie" in grid_page
    assert "Rapporteur : Baptiste" in grid_page
    # In the exports too: the printed grid, and the calendar with a link to the notes.
    printed = text_of(amelie.get(f"/e/{event.code}/schedule/print"))
    assert "Rapporteur : Baptiste" in printed
    calendar = Calendar.from_ical(amelie.get(f"/e/{event.code}/schedule.ics").get_data())
    [session] = [e for e in calendar.walk("VEVENT") if "Animateur" in str(e.get("DESCRIPTION"))]
    assert "Animateur\u00a0: Amélie\nRapporteur\u00a0: Baptiste\n" in str(session["DESCRIPTION"])
    assert str(session["DESCRIPTION"]).endswith(f"/e/{event.code}/sessions/{topic_id}")
    amelie.post(roles, data={"kind": "facilitator", "taking": "false"})
    assert "Animateur : Amélie" not in text_of(amelie.get(f"/e/{event.code}/schedule"))
    refused = amelie.post(roles, data={"kind": "king", "taking": "true"})
    assert refused.status_code == 303


def test_a_note_stays_with_its_session_when_the_session_moves(app, grid):
    event, facilitator, amelie, _baptiste, topic_id = grid
    amelie.get(f"/e/{event.code}/sessions/{topic_id}")
    before = note_row(app, topic_id)
    with app.app_context():
        free = next(s for s in db.session.scalars(select(Session)) if s.topic_id != topic_id)
        target = (free.room_id, free.slot_id)
    facilitator.post(
        f"/e/{event.code}/schedule/place",
        data={"topic_id": topic_id, "room_id": target[0], "slot_id": target[1]},
    )
    after = note_row(app, topic_id)
    assert (after.id, after.epoch) == (before.id, before.epoch)
    assert amelie.get(f"/e/{event.code}/sessions/{topic_id}").status_code == 200


def test_a_note_made_again_under_the_same_id_is_not_served_from_memory(app, bare_note):
    """A demo reset deletes the event and makes it again while the server runs: the
    new note may get the old one's id, and must not show the old one's text."""
    with app.app_context():
        old = db.session.get(Note, bare_note)
        doc = Doc()
        doc.get("body", type=Text).insert(0, "Ancien texte\n")
        with unit_of_work():
            notes.receive(db.session.get(Note, bare_note), None, doc.get_update())
        assert "Ancien texte" in str(documents().current(old).body)
        with unit_of_work():
            db.session.delete(db.session.get(Topic, old.topic_id))
        again = note_of_a_new_topic(new_event(code="AUTRE1")[0], "Open data")
        assert again.id == old.id  # SQLite gives the id back
        answer = notes.join(again, Doc().get_state())
    fresh = Doc()
    fresh.apply_update(answer["update"])
    text = str(fresh.get("body", type=Text))
    assert text.startswith("# Open data")
    assert "Ancien texte" not in text


CARET = {
    "anchor": {"type": {"client": 7, "clock": 3}, "tname": None, "item": None, "assoc": 0},
    "head": {"type": None, "tname": "body", "item": {"client": 7, "clock": 12}, "assoc": -1},
}


def carets_heard(writer):
    return [e["args"][0] for e in writer.socket.get_received() if e["name"] == "note_cursor"]


def test_a_writers_caret_reaches_the_others_with_the_name_the_server_knows(app, writers):
    amelie, baptiste, topic_id = writers
    amelie.join()
    baptiste.join()
    carets_heard(baptiste)
    # Amélie's page claims nothing about her name: the server says who she is.
    ack = amelie.socket.emit(
        "note_cursor",
        {"note": amelie.note_id, "client": 41, "clock": 2, "cursor": CARET, "name": "Paul"},
        callback=True,
    )
    assert ack == {"ok": True}
    (caret,) = carets_heard(baptiste)
    colour = caret.pop("colour")
    assert caret == {
        "note": amelie.note_id,
        "client": 41,
        "clock": 2,
        "cursor": CARET,
        "name": "Amélie",
    }
    assert 0 <= colour < 8
    assert carets_heard(amelie) == []  # not sent back to herself

    # She closes the page: the others drop her caret at once.
    amelie.socket.disconnect()
    assert carets_heard(baptiste) == [{"note": amelie.note_id, "client": 41, "gone": True}]
    assert "Amélie" not in stored_text(app, topic_id)  # nothing of it is stored


@pytest.mark.parametrize(
    "payload",
    [
        {"client": "41", "clock": 2, "cursor": None},
        {"client": 41, "clock": -1, "cursor": None},
        {"client": 2**53, "clock": 2, "cursor": None},
        {"client": True, "clock": 2, "cursor": None},
        {"client": 41, "clock": 2, "cursor": {"anchor": CARET["anchor"]}},
        {"client": 41, "clock": 2, "cursor": {**CARET, "extra": 1}},
        {"client": 41, "clock": 2, "cursor": {"anchor": "x" * 10_000, "head": None}},
        {"client": 41, "clock": 2, "cursor": {"anchor": {"tname": "x" * 100}, "head": {}}},
        {"client": 41, "clock": 2, "cursor": {"anchor": {"type": {"client": 1}}, "head": {}}},
        {"client": 41, "clock": 2, "cursor": {"anchor": {"assoc": 5}, "head": {}}},
        {"client": 41, "clock": 2, "cursor": [1, 2]},
    ],
)
def test_an_odd_caret_is_refused_and_reaches_nobody(writers, payload):
    amelie, baptiste, _ = writers
    amelie.join()
    baptiste.join()
    carets_heard(baptiste)
    ack = amelie.socket.emit("note_cursor", {"note": amelie.note_id, **payload}, callback=True)
    assert (ack["ok"], ack["error"]["code"]) == (False, "invalid"), ack
    assert carets_heard(baptiste) == []


def test_a_caret_on_a_note_one_has_not_opened_is_refused(writers):
    amelie, baptiste, _ = writers
    baptiste.join()
    carets_heard(baptiste)
    payload = {"note": amelie.note_id, "client": 41, "clock": 1, "cursor": None}
    ack = amelie.socket.emit("note_cursor", payload, callback=True)
    assert (ack["ok"], ack["error"]["code"]) == (False, "not_found"), ack
    assert carets_heard(baptiste) == []
