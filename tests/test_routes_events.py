"""Organizers create an event from the front page and manage it from their own page."""

import re

import pytest
from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import Event, Role
from tests.conftest import text_of


def event_form(**overrides):
    """What the creation form sends for a small barcamp."""
    data = {
        "name": "Barcamp Bercy",
        "starts_on": "2027-04-11",
        "venue": "La Cantine",
        "timezone": "Europe/Paris",
        "locale": "fr",
        "rooms-0-name": "Grande salle",
        "rooms-0-capacity": "60",
        "rooms-1-name": "Salle Colbert",
        "rooms-1-capacity": "20",
        "rooms-2-name": "",
        "rooms-2-capacity": "",
        "slots-0-starts": "09:30",
        "slots-0-ends": "10:30",
        "slots-0-kind": "plenary",
        "slots-0-label": "Ouverture",
        "slots-1-starts": "10:45",
        "slots-1-ends": "11:45",
        "slots-1-kind": "sessions",
        "slots-1-label": "",
    }
    data.update(overrides)
    return data


def links_on(page):
    html = page.get_data(as_text=True)
    return dict(re.findall(r'id="(join|facilitator|organizer)-url" readonly value="([^"]+)"', html))


def stored_events(app):
    with app.app_context():
        return db.session.scalars(select(Event)).all()


def test_the_front_page_offers_to_join_by_code_or_to_create(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'name="code"' in page.get_data(as_text=True)
    assert 'href="/new"' in page.get_data(as_text=True)


def test_a_typed_code_leads_to_the_event(client, make_event):
    make_event(code="BERCY")
    response = client.get("/go?code=bercy")
    assert response.status_code == 302
    assert response.headers["Location"] == "/e/BERCY"
    assert client.get("/go?code=").status_code == 400


def test_creating_an_event_gives_the_creator_its_links_and_the_organizer_page(client, app):
    response = client.post("/new", data=event_form())
    assert response.status_code == 302
    [event] = stored_events(app)
    assert response.headers["Location"] == f"/e/{event.code}/organize"

    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    links = links_on(page)
    assert links["join"] == f"http://localhost/e/{event.code}"
    assert links["organizer"].startswith(f"http://localhost/e/{event.code}/key/")
    assert links["facilitator"].startswith(f"http://localhost/e/{event.code}/key/")
    assert links["organizer"] != links["facilitator"]
    assert "Grande salle" in page.get_data(as_text=True)


def test_a_creation_form_with_mistakes_keeps_what_was_typed_and_saves_nothing(client, app):
    response = client.post(
        "/new",
        data=event_form(
            **{
                "name": "",
                "rooms-1-capacity": "0",
                "slots-1-ends": "10:00",
                "venue": "<b>La Cantine</b>",
            }
        ),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count('class="error"') >= 3
    assert 'value="&lt;b&gt;La Cantine&lt;/b&gt;"' in html
    assert 'value="Salle Colbert"' in html
    assert stored_events(app) == []


def test_the_add_a_room_button_adds_a_row_without_saving(client, app):
    response = client.post("/new", data=event_form(add_room="1"))
    assert response.status_code == 200
    assert 'name="rooms-3-name"' in response.get_data(as_text=True)
    assert stored_events(app) == []


def test_the_organizer_page_is_hidden_from_everyone_else(
    client, other_client, make_event, add_participant
):
    event, keys = make_event()
    assert other_client.get(f"/e/{event.code}/organize").status_code == 404
    other_client.get(f"/e/{event.code}/key/{keys[Role.FACILITATOR]}")
    assert other_client.get(f"/e/{event.code}/organize").status_code == 404


def test_opening_the_organizer_link_grants_the_role_and_hides_the_secret(client, make_event):
    event, keys = make_event()
    response = client.get(f"/e/{event.code}/key/{keys[Role.ORGANIZER]}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/e/{event.code}/organize"
    assert keys[Role.ORGANIZER] not in response.headers["Location"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    assert client.get(f"/e/{event.code}/organize").status_code == 200


def test_opening_the_facilitator_link_leads_to_the_facilitation_page(client, make_event):
    event, keys = make_event()
    response = client.get(f"/e/{event.code}/key/{keys[Role.FACILITATOR]}")
    assert response.headers["Location"] == f"/e/{event.code}/facilitate"
    page = client.get(f"/e/{event.code}/facilitate")
    assert page.status_code == 200
    assert "Écran de projection" in text_of(page)


@pytest.mark.parametrize("secret", ["wrong", "x" * 24, "../organize"])
def test_a_wrong_secret_is_just_not_found(client, make_event, secret):
    event, _ = make_event()
    assert client.get(f"/e/{event.code}/key/{secret}").status_code == 404


def test_renewing_a_link_makes_the_old_one_useless_everywhere(client, other_client, make_event):
    event, keys = make_event()
    client.get(f"/e/{event.code}/key/{keys[Role.ORGANIZER]}")
    other_client.get(f"/e/{event.code}/key/{keys[Role.FACILITATOR]}")

    response = client.post(f"/e/{event.code}/organize/links/facilitator")
    assert response.status_code == 302
    new_link = links_on(client.get(f"/e/{event.code}/organize"))["facilitator"]
    assert keys[Role.FACILITATOR] not in new_link

    assert client.get(f"/e/{event.code}/key/{keys[Role.FACILITATOR]}").status_code == 404
    # The browser that had opened the old link is no longer a facilitator.
    assert f'href="/e/{event.code}/screen"' not in other_client.get(f"/e/{event.code}").get_data(
        as_text=True
    )
    assert client.get(new_link.replace("http://localhost", "")).status_code == 303


def test_the_organizer_edits_the_event_from_the_organizer_page(client, app, make_event):
    event, keys = make_event()
    client.get(f"/e/{event.code}/key/{keys[Role.ORGANIZER]}")
    with app.app_context():
        rooms = db.session.get(Event, event.id).rooms
        room_ids = [room.id for room in rooms]
    data = event_form(
        **{
            "name": "Barcamp renommé",
            "rooms-0-id": str(room_ids[0]),
            "rooms-1-id": str(room_ids[1]),
            "rooms-1-remove": "y",
            "rooms-2-name": "Salle Necker",
            "rooms-2-capacity": "12",
        }
    )
    response = client.post(f"/e/{event.code}/organize", data=data)
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(Event, event.id)
        assert stored.name == "Barcamp renommé"
        assert [(r.name, r.capacity) for r in stored.rooms] == [
            ("Grande salle", 60),
            ("Salle Necker", 12),
        ]


class TestAnInstanceWhereOnlyAdminsCreateEvents:
    @pytest.fixture
    def config_overrides(self):
        return {"EVENT_CREATION": "admin", "ADMIN_TOKEN": "s3cret-admin-code"}

    def test_the_form_asks_for_the_access_code(self, client, app):
        assert 'name="admin_token"' in client.get("/new").get_data(as_text=True)
        response = client.post("/new", data=event_form(admin_token="guess"))
        assert response.status_code == 422
        assert stored_events(app) == []

    def test_the_right_code_creates_the_event_and_is_remembered(self, client, app):
        response = client.post("/new", data=event_form(admin_token="s3cret-admin-code"))
        assert response.status_code == 302
        assert 'name="admin_token"' not in client.get("/new").get_data(as_text=True)
        assert len(stored_events(app)) == 1
