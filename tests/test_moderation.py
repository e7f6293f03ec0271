"""Moderation: a facilitator removes a disruptive participant (their pages close at once,
and they may be kept out); an organizer erases someone's personal data on request
(GDPR) and lets a removed person back in. Nobody acts beyond their role."""

import re

from sqlalchemy import func, select

from barcamp.extensions import db
from barcamp.models import (
    AppliedOperation,
    Ban,
    NoteRevision,
    Participant,
    Role,
    Seat,
    Slot,
    SlotKind,
    Topic,
    TopicStatus,
    Vote,
)
from barcamp.services import events as event_service
from barcamp.services import notes
from barcamp.unit_of_work import unit_of_work
from tests.conftest import join, received, text_of
from tests.test_notes import Writer, note_row
from tests.test_routes_schedule import camp, sessions  # noqa: F401  (fixture)
from tests.test_talks import write


def person(app, name):
    with app.app_context():
        return db.session.scalar(select(Participant).where(Participant.display_name == name))


def count(app, model, **where):
    with app.app_context():
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return db.session.scalar(query)


def heard_before_closing(sio, name):
    """What a socket the server closed had received (the test client keeps it, but
    answers only connected sockets)."""
    return [message["args"][0] for message in sio.queue if message["name"] == name]


def remove(browser, event, participant, **form):
    return browser.post(
        f"/e/{event.code}/people/{participant.id}/remove", data={"topics": "keep", **form}
    )


def organizer_browser(app, event):
    """A browser that opened the event's organizer link (made anew here)."""
    with app.app_context(), unit_of_work():
        secret = event_service.rotate_key(
            db.session.merge(event), Role.ORGANIZER, demote_holders=False
        )
    browser = app.test_client()
    browser.get(f"/e/{event.code}/key/{secret}")
    return browser


def test_a_removed_attendee_leaves_the_event_and_their_pages_close_at_once(
    app,
    camp,  # noqa: F811
    socket_client,
):
    event, facilitator, amelie, baptiste, ids = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    facilitator.post(f"/e/{event.code}/schedule/publish")
    amelie.post(f"/e/{event.code}/seats/take", data={"session_id": sessions(app)[ids[0]][0]})
    amelie_page = socket_client(amelie, event)
    baptiste_page = socket_client(baptiste, event)
    received(baptiste_page)
    amelie_id = person(app, "Amélie").id
    assert count(app, Vote, participant_id=amelie_id) == 2
    assert count(app, Seat, participant_id=amelie_id) == 1

    page = facilitator.get(f"/e/{event.code}/facilitate")
    assert f"/people/{amelie_id}/remove" in page.get_data(as_text=True)
    asked = facilitator.get(f"/e/{event.code}/people/{amelie_id}/remove")
    assert "Retirer Amélie ?" in text_of(asked)
    response = remove(facilitator, event, person(app, "Amélie"))

    assert response.status_code == 303
    assert "Amélie ne fait plus partie de l’événement." in text_of(
        facilitator.get(response.location)
    )
    assert person(app, "Amélie") is None
    assert count(app, Vote, participant_id=amelie_id) == 0
    assert count(app, Seat, participant_id=amelie_id) == 0
    # Her topic stays on the wall, without her as host.
    with app.app_context():
        topic = db.session.get(Topic, ids[1])
        assert topic.status == TopicStatus.OPEN
        assert topic.proposer_id is None
    # Her page heard why, then the server closed it; the others heard she left, and
    # the tallies and seats changed.
    assert heard_before_closing(amelie_page, "removed") == [{"banned": False}]
    assert not amelie_page.is_connected()
    heard = {m["name"] for m in received(baptiste_page)}
    assert {"participant_left", "tallies", "occupancy"} <= heard
    assert baptiste_page.is_connected()
    # Her browser is no longer in: not live, no actions, but she may join again.
    assert not socket_client(amelie, event).is_connected()
    assert "Rejoindre ce barcamp" in text_of(amelie.get(f"/e/{event.code}"))
    assert join(amelie, event, "Amélie B.").status_code == 303
    assert person(app, "Amélie B.") is not None


def test_a_note_editor_of_the_removed_person_is_closed_too(app, camp, socket_client):  # noqa: F811
    event, facilitator, amelie, _baptiste, ids = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    facilitator.post(f"/e/{event.code}/schedule/publish")
    amelie.get(f"/e/{event.code}/sessions/{ids[0]}")
    editor = socket_client(amelie, event, auth={"event": event.code, "notes": True})
    writer = Writer(editor, note_row(app, ids[0]).id)
    writer.join()

    remove(facilitator, event, person(app, "Amélie"))

    assert not editor.is_connected()


def test_removing_someone_another_facilitator_just_removed_says_so(app, camp):  # noqa: F811
    """Two facilitators' tabs ask to remove the same person: the second goes back to
    the list with why, not to a page not found."""
    event, facilitator, _amelie, _baptiste, _ids = camp
    amelie = person(app, "Amélie")
    assert remove(facilitator, event, amelie).status_code == 303
    again = remove(facilitator, event, amelie)
    assert again.status_code == 303
    assert again.location.endswith("/facilitate#people")
    assert "Cette personne ne fait pas, ou plus, partie de l’événement." in text_of(
        facilitator.get(again.location)
    )
    # Asking about someone not there stays a page not found.
    assert facilitator.get(f"/e/{event.code}/people/{amelie.id}/remove").status_code == 404


def test_hiding_the_removed_persons_topics_gives_their_votes_back(app, camp):  # noqa: F811
    event, facilitator, amelie, _baptiste, ids = camp
    baptiste_topic = ids[2]
    amelie.post(f"/e/{event.code}/topics/vote", data={"topic_id": baptiste_topic})
    assert count(app, Vote, topic_id=baptiste_topic) == 1

    remove(facilitator, event, person(app, "Baptiste"), topics="hide")

    with app.app_context():
        assert db.session.get(Topic, baptiste_topic).status == TopicStatus.HIDDEN
        # The other topics keep their votes.
        assert db.session.get(Topic, ids[0]).status == TopicStatus.OPEN
    assert count(app, Vote, topic_id=baptiste_topic) == 0
    hidden = text_of(facilitator.get(f"/e/{event.code}/facilitate"))
    assert "Open data" in hidden


def test_someone_kept_out_cannot_join_again_from_that_browser_or_with_their_link(
    app,
    camp,  # noqa: F811
    other_client,
):
    event, facilitator, amelie, _baptiste, _ids = camp
    home = amelie.get(f"/e/{event.code}")
    resume = next(
        line.split('value="')[1].split('"')[0]
        for line in home.get_data(as_text=True).splitlines()
        if "/resume/" in line and 'value="' in line
    )

    remove(facilitator, event, person(app, "Amélie"), ban="y")

    assert count(app, Ban, event_id=event.id) == 1
    refused = join(amelie, event, "Amélie 2")
    assert refused.status_code == 403
    assert "Les animateurs vous ont retiré de cet événement" in text_of(refused)
    assert person(app, "Amélie 2") is None
    # Her personal link opened in another browser keeps that browser out as well.
    opened = other_client.get(resume.split("localhost", 1)[-1])
    assert opened.status_code == 303
    assert join(other_client, event, "Quelqu'un").status_code == 403
    # The organizer lets her back in.
    organizer = organizer_browser(app, event)
    page = text_of(organizer.get(f"/e/{event.code}/facilitate"))
    assert "Tenus à l'écart de l'événement Amélie" in page.replace("’", "'")
    with app.app_context():
        ban_id = db.session.scalar(select(Ban.id))
    organizer.post(f"/e/{event.code}/people/bans/{ban_id}/lift")
    assert count(app, Ban) == 0
    assert join(amelie, event, "Amélie 2").status_code == 303


def test_a_facilitator_removes_attendees_only_and_an_attendee_nobody(app, camp, make_event):  # noqa: F811
    event, facilitator, amelie, _baptiste, _ids = camp
    paul = person(app, "Paul")
    before = count(app, Participant)
    # An attendee cannot even see the page, nor remove anyone.
    assert (
        amelie.get(f"/e/{event.code}/people/{person(app, 'Baptiste').id}/remove").status_code == 404
    )
    assert remove(amelie, event, person(app, "Baptiste")).status_code == 404
    # A facilitator cannot remove themselves, nor another facilitator.
    assert "personne ne se retire soi-même" in text_of(
        facilitator.get(f"/e/{event.code}/people/{paul.id}/remove")
    )
    remove(facilitator, event, paul)
    assert person(app, "Paul") is not None
    with app.app_context(), unit_of_work():
        db.session.get(Participant, person(app, "Baptiste").id).role = Role.FACILITATOR
    remove(facilitator, event, person(app, "Baptiste"))
    assert person(app, "Baptiste") is not None
    # Someone of another event is not found.
    other, _keys = make_event(code="AUTRE")
    with app.app_context(), unit_of_work():
        from barcamp.services import participants as participant_service

        stranger, _secret = participant_service.join(db.session.merge(other), "Zoé")
    assert remove(facilitator, event, stranger).status_code == 404
    assert count(app, Participant) == before + 1


def test_erasing_a_persons_data_keeps_their_contributions_anonymous(app, camp, socket_client):  # noqa: F811
    event, facilitator, amelie, _baptiste, ids = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    facilitator.post(f"/e/{event.code}/schedule/publish")
    amelie_id = person(app, "Amélie").id
    amelie.post(f"/e/{event.code}/seats/take", data={"session_id": sessions(app)[ids[0]][0]})
    amelie.get(f"/e/{event.code}/sessions/{ids[0]}")
    writer = Writer(
        socket_client(amelie, event, auth={"event": event.code, "notes": True}),
        note_row(app, ids[0]).id,
    )
    writer.join()
    writer.body.insert(0, "Ce que nous avons appris. ")
    assert all(ack["ok"] for ack in writer.flush())
    with app.app_context(), unit_of_work():
        note = note_row(app, ids[0])
        notes.save_revision(db.session.merge(note), db.session.get(Participant, amelie_id))
    home = amelie.get(f"/e/{event.code}")
    resume = home.get_data(as_text=True).split("/resume/")[1].split('"')[0]
    page = socket_client(amelie, event)
    renamed = page.emit("participant_rename", {"op_id": "r1", "name": "Amélie L."}, callback=True)
    assert renamed["ok"]
    assert count(app, AppliedOperation, actor=f"participant:{amelie_id}") >= 1

    organizer = organizer_browser(app, event)
    asked = organizer.get(f"/e/{event.code}/people/{amelie_id}/erase")
    assert "Amélie L. : effacer ses données personnelles ?" in text_of(asked)
    done = organizer.post(f"/e/{event.code}/people/{amelie_id}/erase")
    assert done.status_code == 303
    assert f"sous le nom Anonyme {amelie_id}" in text_of(organizer.get(done.location))

    anonymous = f"Anonyme {amelie_id}"
    with app.app_context():
        erased = db.session.get(Participant, amelie_id)
        assert erased.display_name == anonymous
        assert erased.erased_at is not None
        # What she contributed stays: her topic, votes, seat, note text.
        assert db.session.get(Topic, ids[1]).proposer_id == amelie_id
        revision = db.session.scalars(select(NoteRevision)).all()[-1]
        assert revision.authors == [anonymous]
        assert "Ce que nous avons appris." in revision.text
    assert count(app, Vote, participant_id=amelie_id) == 2
    assert count(app, Seat, participant_id=amelie_id) == 1
    assert count(app, AppliedOperation, actor=f"participant:{amelie_id}") == 0
    # Her name is nowhere in the pages any more; her links are dead; her pages closed.
    wall = organizer.get(f"/e/{event.code}").get_data(as_text=True)
    assert "Amélie" not in wall
    assert anonymous in wall
    assert "Amélie" not in facilitator.get(f"/e/{event.code}/sessions/{ids[0]}/history").get_data(
        as_text=True
    )
    assert not page.is_connected()
    assert app.test_client().get(f"/e/{event.code}/resume/{resume}").status_code == 404
    assert "Rejoindre ce barcamp" in text_of(amelie.get(f"/e/{event.code}"))
    # Only once, and only by an organizer.
    assert organizer.post(f"/e/{event.code}/people/{amelie_id}/erase").status_code == 303
    assert "déjà été effacées" in text_of(organizer.get(f"/e/{event.code}/facilitate"))
    baptiste_id = person(app, "Baptiste").id
    assert facilitator.post(f"/e/{event.code}/people/{baptiste_id}/erase").status_code == 404
    assert person(app, "Baptiste") is not None


def test_erasing_finds_their_old_name_in_a_testimonys_history(app, make_event):
    event, keys = make_event()
    facilitator = app.test_client()
    facilitator.get(f"/e/{event.code}/key/{keys[Role.FACILITATOR]}")
    join(facilitator, event, "Sophie")
    with app.app_context():
        slot = db.session.scalars(
            select(Slot).filter_by(event_id=event.id, kind=SlotKind.PLENARY)
        ).one()
    page = write(facilitator, event, slot.id).headers["Location"]
    facilitator.post(f"/e/{event.code}/me/name", data={"display_name": "Sophie M."})
    write(facilitator, event, slot.id, path=f"{page}/edit", lessons="Un seul conseil")
    history = text_of(facilitator.get(f"{page}/history"))
    assert "Sophie M." in history
    assert re.search(r"Sophie(?! M\.)", history)  # the first save, under her name then

    sophie = person(app, "Sophie M.")
    organizer_browser(app, event).post(f"/e/{event.code}/people/{sophie.id}/erase")

    organizer = organizer_browser(app, event)
    history = text_of(organizer.get(f"{page}/history"))
    assert "Sophie" not in history
    assert history.count(f"Anonyme {sophie.id}") == 2
