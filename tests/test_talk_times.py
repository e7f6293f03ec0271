"""The plenaries' talks on every view of the day: each at its own times within its
slot, in the order the organizers set, on the grid, "my day", the printed grid, the
calendars and the live state the projector's board draws from."""

import re

from icalendar import Calendar
from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import Talk
from barcamp.services import talks as talk_service
from tests.conftest import received, text_of
from tests.test_talks import plenary, token, write  # noqa: F401


def published_talk(facilitator, event, slot_id, **fields):
    page = write(facilitator, event, slot_id, **fields).headers["Location"]
    facilitator.post(
        f"{page}/publish", data={"csrf_token": token(facilitator, page), "published": "1"}
    )
    return int(page.rsplit("/", 1)[1])


def test_a_plenary_programme_runs_talk_after_talk_read_at_once(app, plenary):  # noqa: F811
    event, slot_id, facilitator, _ = plenary
    first = published_talk(facilitator, event, slot_id, title="Ouverture", minutes="20")
    second = published_talk(facilitator, event, slot_id, title="Témoignage", minutes="15")
    with app.app_context():
        talks = talk_service.event_talks(db.session.merge(event))
        times = talk_service.programmes(talks)
    assert [t.strftime("%H:%M") for t in times[first]] == ["09:30", "09:50"]
    assert [t.strftime("%H:%M") for t in times[second]] == ["09:50", "10:05"]


def test_the_grid_print_and_my_day_show_the_talks_in_order(app, plenary):  # noqa: F811
    event, slot_id, facilitator, attendee = plenary
    published_talk(facilitator, event, slot_id, title="Planter le décor", minutes="20")
    published_talk(facilitator, event, slot_id, title="Trois porteurs de projet", minutes="30")
    write(facilitator, event, slot_id, title="Encore en brouillon", minutes="10")
    # The plenaries' programme shows before the workshops' grid is published.
    grid = text_of(attendee.get(f"/e/{event.code}/schedule"))
    assert re.search(r"09:30–09:50 Témoignage Planter le décor.*09:50–10:20", grid)
    assert "Encore en brouillon" not in grid  # drafts are the facilitators'
    facilitators_grid = text_of(facilitator.get(f"/e/{event.code}/schedule"))
    assert re.search(r"Encore en brouillon .*Brouillon", facilitators_grid)
    printed = text_of(attendee.get(f"/e/{event.code}/schedule/print"))
    assert "09:50–10:20 · Trois porteurs de projet — Responsable du projet" in printed
    day = text_of(attendee.get(f"/e/{event.code}/me"))
    assert "Planter le décor" in day
    assert day.index("Planter le décor") < day.index("Trois porteurs de projet")


def test_the_calendars_carry_each_talk_at_its_own_times(app, plenary, client):  # noqa: F811
    event, slot_id, facilitator, attendee = plenary
    talk_id = published_talk(facilitator, event, slot_id, title="Planter le décor")
    published_talk(facilitator, event, slot_id, title="Le réseau de L'Oréal", minutes="25")
    calendar = Calendar.from_ical(attendee.get(f"/e/{event.code}/schedule.ics").get_data())
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    opening = events["Planter le décor — Responsable du projet"]
    assert opening["DTSTART"].dt.isoformat() == "2027-04-11T09:30:00+02:00"
    assert opening["DTEND"].dt.isoformat() == "2027-04-11T09:50:00+02:00"
    assert str(opening["UID"]) == f"talk-{talk_id}@{event.code}"
    assert f"/testimonies/{talk_id}" in str(opening["DESCRIPTION"])
    following = events["Le réseau de L'Oréal — Responsable du projet"]
    assert following["DTSTART"].dt.isoformat() == "2027-04-11T09:50:00+02:00"
    assert "Ouverture" not in events  # the slot itself gives way to its talks
    # The personal calendar too.
    attendee.post(f"/e/{event.code}/me/calendar-link")
    page = attendee.get(f"/e/{event.code}/me").get_data(as_text=True)
    link = re.search(r'id="calendar-url" readonly value="http://localhost([^"]+)"', page)
    mine = Calendar.from_ical(client.get(link.group(1)).get_data())
    assert "Planter le décor — Responsable du projet" in {
        str(e["SUMMARY"]) for e in mine.walk("VEVENT")
    }


def test_the_organizers_reorder_a_plenary_and_every_live_page_hears_it(
    app,
    plenary,  # noqa: F811
    socket_client,
):
    event, slot_id, facilitator, attendee = plenary
    first = published_talk(facilitator, event, slot_id, title="Premier", minutes="20")
    second = published_talk(facilitator, event, slot_id, title="Second", minutes="10")
    phone = socket_client(attendee, event)
    [snapshot] = [m["args"][0] for m in received(phone, "snapshot")]
    assert [t["title"] for t in snapshot["talks"]] == ["Premier", "Second"]
    listing = f"/e/{event.code}/testimonies"
    moved = facilitator.post(
        f"{listing}/{second}/move", data={"csrf_token": token(facilitator, listing), "offset": "-1"}
    )
    assert moved.status_code == 303
    [heard] = [m["args"][0] for m in received(phone, "talks_updated")]
    assert [(t["title"], t["starts_at"][11:]) for t in heard["talks"]] == [
        ("Second", "09:30"),
        ("Premier", "09:40"),
    ]
    assert heard["version"] > snapshot["version"]
    # Attendees cannot reorder.
    assert attendee.post(f"{listing}/{first}/move", data={"offset": "-1"}).status_code == 404
    with app.app_context():
        order = db.session.scalars(select(Talk.title).order_by(Talk.position)).all()
    assert order == ["Second", "Premier"]
