"""The grid without JavaScript: facilitators build, edit and publish it with plain
forms; participants take seats; calendars and printouts come out right."""

import re
from datetime import time

import pytest
from icalendar import Calendar
from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import Role, Seat, Session, Topic
from barcamp.services.events import SlotRow
from tests.conftest import join, received, text_of


@pytest.fixture
def camp(app, make_event):
    """An event with three topics voted for, a facilitator, and two attendees."""
    event, keys = make_event(
        slots=[
            SlotRow(time(9, 30), time(10, 30), "plenary", "Ouverture"),
            SlotRow(time(10, 45), time(11, 45), "sessions"),
            SlotRow(time(12, 0), time(13, 0), "sessions"),
        ]
    )
    facilitator, amelie, baptiste = (app.test_client() for _ in range(3))
    facilitator.get(f"/e/{event.code}/key/{keys[Role.FACILITATOR]}")
    facilitator.post(f"/e/{event.code}/facilitate/marketplace", data={"proposals_open": "true"})
    facilitator.post(f"/e/{event.code}/facilitate/marketplace", data={"voting_open": "true"})
    join(facilitator, event, "Paul")
    for browser, name in ((amelie, "Amélie"), (baptiste, "Baptiste")):
        join(browser, event, name)
    for browser, title in (
        (facilitator, "Résistance au changement"),
        (amelie, "Diplomatie 2.0"),
        (baptiste, "Open data"),
    ):
        browser.post(
            f"/e/{event.code}/topics",
            data={"title": title, "format": "discussion", "allow_similar": "1"},
        )
    with app.app_context():
        ids = [t.id for t in db.session.scalars(select(Topic).order_by(Topic.id))]
    for browser in (amelie, baptiste):
        for topic_id in ids[:2]:
            browser.post(f"/e/{event.code}/topics/vote", data={"topic_id": topic_id})
    return event, facilitator, amelie, baptiste, ids


def sessions(app):
    with app.app_context():
        return {
            s.topic_id: (s.id, s.room_id, s.slot_id, s.seats_taken, s.capacity)
            for s in db.session.scalars(select(Session))
        }


def test_the_grid_is_built_by_the_facilitator_and_hidden_until_published(app, camp):
    event, facilitator, amelie, _, ids = camp
    page = facilitator.get(f"/e/{event.code}/schedule")
    assert "Construire la grille" in text_of(page)
    response = facilitator.post(f"/e/{event.code}/schedule/optimize")
    assert response.status_code == 303
    built = sessions(app)
    assert set(built) == set(ids)  # two rooms, two workshop rounds: room for all three
    assert "Grille construite" in text_of(facilitator.get(response.headers["Location"]))
    # Before publication, attendees don't see it, nor can they act on it.
    attendee_page = amelie.get(f"/e/{event.code}/schedule")
    assert "pas encore publiée" in text_of(attendee_page)
    assert "Résistance au changement" not in text_of(attendee_page)
    assert amelie.post(f"/e/{event.code}/schedule/optimize").status_code == 404
    facilitator.post(f"/e/{event.code}/schedule/publish")
    assert "Résistance au changement" in text_of(amelie.get(f"/e/{event.code}/schedule"))


def test_publishing_is_offered_only_once_something_is_on_the_grid(app, camp):
    event, facilitator, _, _, _ = camp
    page = facilitator.get(f"/e/{event.code}/schedule")
    assert "schedule/publish" not in page.get_data(as_text=True)
    assert "Rien n’est encore sur la grille" in text_of(page)
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    page = facilitator.get(f"/e/{event.code}/schedule").get_data(as_text=True)
    assert "schedule/publish" in page
    assert "Rien n’est encore sur la grille" not in page


def test_building_again_names_the_seats_it_may_give_back(app, camp):
    """After publication people take seats; building the grid again would move
    sessions and give those seats back: the facilitator is told which, before."""
    event, facilitator, amelie, baptiste, ids = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    facilitator.post(f"/e/{event.code}/schedule/publish")
    page = facilitator.get(f"/e/{event.code}/schedule").get_data(as_text=True)
    assert "rebuild-warning" not in page  # nobody seated yet: nothing to lose
    for browser in (amelie, baptiste):
        browser.post(f"/e/{event.code}/seats/take", data={"session_id": sessions(app)[ids[0]][0]})
    amelie.post(f"/e/{event.code}/seats/take", data={"session_id": sessions(app)[ids[1]][0]})

    page = facilitator.get(f"/e/{event.code}/schedule").get_data(as_text=True)
    warning = (
        "3 places sont prises dans des ateliers non épinglés. Reconstruire la grille peut les"
        " déplacer et rendre leurs places (Résistance au changement (2), Diplomatie 2.0 (1))."
        " Épinglez les ateliers à garder."
    )
    assert f'id="rebuild-warning">{warning}</p>' in page
    assert f'data-confirm="{warning} La reconstruire ?"' in page
    # A pinned session stays where it is: its seats are not at stake.
    facilitator.post(f"/e/{event.code}/schedule/pin", data={"topic_id": ids[0], "pinned": "true"})
    page = facilitator.get(f"/e/{event.code}/schedule").get_data(as_text=True)
    assert "1 place est prise dans des ateliers non épinglés." in page
    assert "Résistance au changement (2)" not in page
    # Attendees never see it.
    assert "rebuild-warning" not in amelie.get(f"/e/{event.code}/schedule").get_data(as_text=True)


def test_a_topic_is_moved_by_hand_pinned_and_kept(app, camp):
    event, facilitator, _, _, ids = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    other = next(v for k, v in sessions(app).items() if k != ids[0])
    facilitator.post(
        f"/e/{event.code}/schedule/place",
        data={"topic_id": ids[0], "room_id": other[1], "slot_id": other[2]},
    )
    assert sessions(app)[ids[0]][1:3] == other[1:3]
    facilitator.post(f"/e/{event.code}/schedule/pin", data={"topic_id": ids[0], "pinned": "true"})
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    assert sessions(app)[ids[0]][1:3] == other[1:3]


def test_seats_with_plain_forms(app, camp):
    event, facilitator, amelie, baptiste, ids = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    facilitator.post(f"/e/{event.code}/schedule/publish")
    session_id = sessions(app)[ids[0]][0]
    response = amelie.post(f"/e/{event.code}/seats/take", data={"session_id": session_id})
    assert response.status_code == 303
    page = amelie.get(f"/e/{event.code}/schedule")
    assert "Vous y allez." in text_of(page)
    assert sessions(app)[ids[0]][3] == 1
    amelie.post(f"/e/{event.code}/seats/leave", data={"session_id": session_id})
    assert sessions(app)[ids[0]][3] == 0
    baptiste.post(f"/e/{event.code}/seats/me")
    with app.app_context():
        mine = db.session.scalars(select(Seat)).all()
    assert len(mine) >= 1


def test_a_full_session_says_so(app, camp, make_event):
    event, facilitator, amelie, baptiste, ids = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    facilitator.post(f"/e/{event.code}/schedule/publish")
    session_id = sessions(app)[ids[0]][0]
    with app.app_context():
        db.session.get(Session, session_id).capacity = 1
        db.session.commit()
    amelie.post(f"/e/{event.code}/seats/take", data={"session_id": session_id})
    refused = baptiste.post(f"/e/{event.code}/seats/take", data={"session_id": session_id})
    page = baptiste.get(refused.headers["Location"])
    assert "Cet atelier est complet" in text_of(page)
    assert sessions(app)[ids[0]][3] == 1


def test_the_whole_day_calendar_is_valid_icalendar_in_the_events_time_zone(app, camp):
    event, facilitator, amelie, _, _ = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    facilitator.post(f"/e/{event.code}/schedule/publish")
    response = amelie.get(f"/e/{event.code}/schedule.ics")
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.get_data())
    events = calendar.walk("VEVENT")
    assert {str(e["SUMMARY"]) for e in events} >= {"Résistance au changement", "Ouverture"}
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    opening = next(e for e in events if str(e["SUMMARY"]) == "Ouverture")
    assert opening["DTSTART"].dt.isoformat() == "2027-04-11T09:30:00+02:00"
    # Written one event at a time, it is the very file icalendar writes in one go.
    assert calendar.to_ical() == response.get_data()


def test_a_personal_calendar_link_follows_my_seats_and_can_be_renewed(app, camp, client):
    event, facilitator, amelie, _, ids = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    facilitator.post(f"/e/{event.code}/schedule/publish")
    amelie.post(f"/e/{event.code}/seats/take", data={"session_id": sessions(app)[ids[1]][0]})
    amelie.post(f"/e/{event.code}/me/calendar-link")
    page = amelie.get(f"/e/{event.code}/me")
    link = re.search(
        r'id="calendar-url" readonly value="http://localhost([^"]+)"', page.get_data(as_text=True)
    ).group(1)
    feed = client.get(link)  # a calendar app: no cookie
    assert feed.status_code == 200
    assert "Diplomatie 2.0" in feed.get_data(as_text=True)
    assert feed.headers["Referrer-Policy"] == "no-referrer"
    amelie.post(f"/e/{event.code}/me/calendar-link")
    assert client.get(link).status_code == 404


def test_the_printed_grid_and_door_signs(app, camp):
    event, facilitator, _, _, _ = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    facilitator.post(f"/e/{event.code}/schedule/publish")
    grid = facilitator.get(f"/e/{event.code}/schedule/print")
    assert "<table>" in grid.get_data(as_text=True)
    assert "Résistance au changement" in text_of(grid)
    assert "Proposé par" in text_of(grid)  # with who proposed each workshop
    assert 'name="viewport"' in grid.get_data(as_text=True)  # it reads on a phone too
    signs = text_of(facilitator.get(f"/e/{event.code}/schedule/print?signs=1"))
    assert "Grande salle" in signs
    assert "Salle Colbert" in signs


def test_seats_over_the_socket_are_acknowledged_and_occupancy_is_heard(app, camp, socket_client):
    event, facilitator, amelie, baptiste, ids = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    facilitator.post(f"/e/{event.code}/schedule/publish")
    session_id = sessions(app)[ids[0]][0]
    mine, theirs = socket_client(amelie, event), socket_client(baptiste, event)
    received(mine), received(theirs)
    ack = mine.emit("seat_take", {"op_id": "s1", "session_id": session_id}, callback=True)
    assert ack["ok"]
    assert ack["seats"] == [[sessions(app)[ids[0]][2], session_id]]
    heard = {m["name"]: m["args"][0] for m in received(theirs)}
    assert [session_id, 1] in heard["occupancy"]["counts"]
    refused = theirs.emit("seat_take", {"op_id": "s2", "session_id": 10**6}, callback=True)
    assert refused["ok"] is False
    forbidden = theirs.emit("schedule_publish", {"op_id": "p"}, callback=True)
    assert forbidden["error"]["code"] == "forbidden"
