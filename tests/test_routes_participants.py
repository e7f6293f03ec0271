"""Attendees join with a name, without an account, and can come back on another device."""

import io
import re

import pytest
import segno
from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import Participant, Role
from tests.conftest import join, text_of


def participants(app, event):
    with app.app_context():
        return db.session.scalars(
            select(Participant).where(Participant.event_id == event.id).order_by(Participant.id)
        ).all()


def resume_link(page):
    return re.search(
        r'id="resume-url" readonly value="http://localhost([^"]+)"', page.get_data(as_text=True)
    ).group(1)


def test_an_unknown_code_is_not_found(client):
    response = client.get("/e/NOPE42")
    assert response.status_code == 404
    assert "NOPE42" in text_of(response)


def test_a_visitor_joins_with_a_name_and_sees_who_is_here(client, app, event, add_participant):
    add_participant(event, "Claire")
    page = client.get(f"/e/{event.code}")
    assert 'name="display_name"' in page.get_data(as_text=True)

    response = join(client, event, "  Amélie  ")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/e/{event.code}"

    page = client.get(f"/e/{event.code}")
    assert 'data-live="my-name">Amélie<' in page.get_data(as_text=True)
    assert [p.display_name for p in participants(app, event)] == ["Claire", "Amélie"]
    assert 'data-live="present">2<' in page.get_data(as_text=True)


@pytest.mark.parametrize("name", ["", "    ", "x" * 200])
def test_an_unusable_name_gets_a_clear_message_and_nothing_is_saved(client, app, event, name):
    response = join(client, event, name)
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert participants(app, event) == []


def test_markup_in_a_name_is_shown_as_text(client, other_client, event):
    join(client, event, '<img src=x onerror="alert(1)">')
    for browser in (client, other_client):
        html = browser.get(f"/e/{event.code}").get_data(as_text=True)
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


def test_a_participant_renames_themselves(client, app, event):
    join(client, event, "Amelie")
    response = client.post(f"/e/{event.code}/me/name", data={"display_name": "Amélie B."})
    assert response.status_code == 303
    assert [p.display_name for p in participants(app, event)] == ["Amélie B."]
    bad = client.post(f"/e/{event.code}/me/name", data={"display_name": " "})
    assert bad.status_code == 422
    assert [p.display_name for p in participants(app, event)] == ["Amélie B."]


def test_the_resume_link_continues_on_another_device_and_hides_its_secret(
    client, other_client, app, event
):
    join(client, event, "Amélie")
    link = resume_link(client.get(f"/e/{event.code}"))
    response = other_client.get(link)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/e/{event.code}"
    page = other_client.get(f"/e/{event.code}")
    assert 'data-live="my-name">Amélie<' in page.get_data(as_text=True)
    assert len(participants(app, event)) == 1


def test_someone_elses_link_asks_before_this_browser_changes_who_it_is(
    client, other_client, app, event
):
    join(client, event, "Amélie")
    amelies_link = resume_link(client.get(f"/e/{event.code}"))
    join(other_client, event, "Bruno")

    asked = other_client.get(amelies_link)  # sent by anyone, opened by Bruno
    assert asked.status_code == 200
    assert "Continuer sous le nom « Amélie » ?" in text_of(asked)
    assert "vous participez sous le nom « Bruno »" in text_of(asked)
    assert asked.headers["Referrer-Policy"] == "no-referrer"
    page = other_client.get(f"/e/{event.code}")
    assert 'data-live="my-name">Bruno<' in page.get_data(as_text=True)

    other_client.post(amelies_link)  # Bruno presses "Continue as Amélie"
    page = other_client.get(f"/e/{event.code}")
    assert 'data-live="my-name">Amélie<' in page.get_data(as_text=True)
    assert sorted(p.display_name for p in participants(app, event)) == ["Amélie", "Bruno"]


def test_a_renewed_resume_link_replaces_the_old_one(client, other_client, event):
    join(client, event, "Amélie")
    old = resume_link(client.get(f"/e/{event.code}"))
    client.post(f"/e/{event.code}/me/resume-link")
    new = resume_link(client.get(f"/e/{event.code}"))
    assert new != old
    assert other_client.get(old).status_code == 404
    assert other_client.get(new).status_code == 303


def test_leaving_removes_the_participant(client, app, event):
    join(client, event, "Amélie")
    response = client.post(f"/e/{event.code}/me/leave")
    assert response.status_code == 303
    assert participants(app, event) == []
    assert 'name="display_name"' in client.get(f"/e/{event.code}").get_data(as_text=True)


def test_a_participant_of_one_event_is_a_stranger_to_another(client, app, make_event):
    first, _ = make_event(name="First")
    second, _ = make_event(name="Second")
    join(client, first, "Amélie")
    page = client.get(f"/e/{second.code}")
    assert 'name="display_name"' in page.get_data(as_text=True)  # asked to join
    client.post(f"/e/{second.code}/me/name", data={"display_name": "Hijack"})
    client.post(f"/e/{second.code}/me/leave")
    assert [p.display_name for p in participants(app, first)] == ["Amélie"]
    assert participants(app, second) == []
    # A resume secret of the first event opens nothing in the second.
    link = resume_link(client.get(f"/e/{first.code}"))
    assert client.get(link.replace(first.code, second.code)).status_code == 404


def test_joining_after_opening_the_facilitator_link_makes_a_facilitator(client, app, make_event):
    event, keys = make_event()
    client.get(f"/e/{event.code}/key/{keys[Role.FACILITATOR]}")
    join(client, event, "Paul")
    assert [p.role for p in participants(app, event)] == ["facilitator"]


def test_the_qr_code_encodes_the_join_address(client, event):
    response = client.get(f"/e/{event.code}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    expected = io.BytesIO()
    segno.make(f"http://localhost/e/{event.code}", error="m").save(expected, kind="svg", border=2)
    modules = re.compile(r' d="([^"]+)"')
    # The dark modules drawn are exactly those of a QR code of the join address.
    assert (
        modules.findall(response.get_data(as_text=True))[-1]
        == modules.findall(expected.getvalue().decode())[-1]
    )


def test_state_json_is_the_same_snapshot_a_socket_receives(client, event, add_participant):
    add_participant(event, "Claire", role="organizer")
    state = client.get(f"/e/{event.code}/state.json").get_json()
    assert state["event"]["code"] == event.code
    assert state["present"] == 1
    assert state["participants"] == [
        {"id": state["participants"][0]["id"], "name": "Claire", "role": "organizer"}
    ]
    assert [room["name"] for room in state["rooms"]] == ["Grande salle", "Salle Colbert"]
    assert state["version"] >= 1
    assert client.get("/e/NOPE42/state.json").status_code == 404
