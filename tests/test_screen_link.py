"""A live projector on its own computer: the facilitator makes a screen link and opens it
on the projector's machine, which then follows the event live (the wall, the spotlight,
the plenary) and can do nothing else; a new link stops the old one, saying why."""

import re

import pytest

from barcamp.extensions import db
from barcamp.models import Event
from barcamp.services import participants as participant_service
from barcamp.services import topics
from barcamp.sockets import HANDLERS
from barcamp.unit_of_work import unit_of_work
from tests.conftest import received, text_of

LINK = re.compile(r'value="http://localhost(/e/\w+/screen/key/[\w-]+)"')


@pytest.fixture
def room(app, make_event, client):
    """An event with one topic; the facilitator's laptop (client) holds the facilitator
    link."""
    event, keys = make_event()
    with app.app_context(), unit_of_work():
        event = db.session.merge(event)
        event.proposals_open = True
        person, _ = participant_service.join(event, "Amélie")
        topic_id = topics.propose(person, "Le cloud souverain").id
    client.get(f"/e/{event.code}/key/{keys['facilitator']}")
    return event, topic_id


def make_screen_link(client, event):
    page = client.post(f"/e/{event.code}/screen/link")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Ouvrez ce lien sur l’ordinateur du vidéoprojecteur" in text_of(page)
    assert "<svg" in page.get_data(as_text=True)  # its QR code, inline
    return LINK.search(page.get_data(as_text=True)).group(1)


def test_the_projector_opened_by_screen_link_follows_the_spotlight(
    room, client, other_client, socket_client
):
    event, topic_id = room
    link = make_screen_link(client, event)

    # On the projector's computer: the link lands on the screen, its secret gone.
    landed = other_client.get(link)
    assert landed.status_code == 303
    assert landed.headers["Location"] == f"/e/{event.code}/screen"
    assert landed.headers["Referrer-Policy"] == "no-referrer"
    screen = other_client.get(f"/e/{event.code}/screen")
    assert "data-live-page" in screen.get_data(as_text=True)
    assert "pas en direct" not in text_of(screen)

    projector = socket_client(other_client, event)
    assert projector.is_connected()
    assert received(projector, "snapshot")
    client.post(f"/e/{event.code}/facilitate/spotlight", data={"topic_id": topic_id})
    [lit] = received(projector, "spotlight")
    assert lit["args"][0]["topic_id"] == topic_id
    # It may ask for a fresh snapshot after a gap.
    ack = projector.emit("snapshot", {}, callback=True)
    assert ack["ok"]
    assert ack["snapshot"]["spotlight"] == topic_id


@pytest.mark.parametrize("name", sorted(set(HANDLERS) - {"connect", "disconnect", "snapshot"}))
def test_a_screen_link_cannot_act(app, room, client, other_client, socket_client, name):
    event, topic_id = room
    other_client.get(make_screen_link(client, event))
    projector = socket_client(other_client, event)
    with app.app_context():
        before = db.session.get(Event, event.id).version
    ack = projector.emit(
        name,
        {"op_id": f"{name}-1", "topic_id": topic_id, "mode": "plenary", "text": "Bonjour"},
        callback=True,
    )
    assert ack["ok"] is False
    assert ack["error"]["code"] in ("forbidden", "not_found", "validation_failed")
    with app.app_context():
        assert db.session.get(Event, event.id).version == before


def test_a_new_screen_link_stops_the_open_projector(room, client, other_client, socket_client):
    event, _ = room
    old = make_screen_link(client, event)
    other_client.get(old)
    projector = socket_client(other_client, event)
    received(projector)

    make_screen_link(client, event)
    # It heard why, then the server closed it; it cannot connect again, nor open the
    # old link.
    assert [m["name"] for m in projector.queue] == ["screen_link_renewed"]
    assert not projector.is_connected()
    assert not socket_client(other_client, event).is_connected()
    assert other_client.get(old).status_code == 404
    assert "pas en direct" in text_of(other_client.get(f"/e/{event.code}/screen"))


def test_only_facilitators_make_screen_links(room, other_client):
    event, _ = room
    assert other_client.post(f"/e/{event.code}/screen/link").status_code == 404
    assert other_client.get(f"/e/{event.code}/screen/key/nothing").status_code == 404


def test_the_public_screen_stays_not_live(room, other_client, socket_client):
    event, _ = room
    assert "pas en direct" in text_of(other_client.get(f"/e/{event.code}/screen"))
    assert not socket_client(other_client, event).is_connected()


def test_the_facilitator_sets_the_walls_page_or_lets_it_turn(app, room, client):
    event, _ = room

    def page_now():
        return client.get(f"/e/{event.code}/state.json").json["screen"]["page"]

    assert page_now() is None  # pages turn on their own
    client.post(f"/e/{event.code}/screen/state", data={"page": "2"})
    assert page_now() == 2
    refused = client.post(
        f"/e/{event.code}/screen/state", data={"page": "deux"}, follow_redirects=True
    )
    assert "nombre entier" in text_of(refused)
    assert page_now() == 2  # nothing lost
    client.post(f"/e/{event.code}/screen/state", data={"page": "-5"})
    assert page_now() == 0
    client.post(f"/e/{event.code}/screen/state", data={"page": ""})
    assert page_now() is None
