"""The plenaries' talks: a facilitator writes a testimony's page, places it in the
closing plenary and publishes it; attendees read it; bad input is refused plainly."""

import html
import re

import pytest

from barcamp.extensions import db
from barcamp.models import Role, Slot, SlotKind, Talk
from tests.conftest import join, text_of

FIGURES = "Utilisateurs après 5 mois: 6 000\nBudget de communication interne: 0 €"
LESSONS = "Partir du terrain\nNe pas attendre un budget"


@pytest.fixture
def plenary(app, make_event):
    """An event with a 60-minute opening plenary; a facilitator's and an attendee's
    browsers."""
    event, keys = make_event()
    facilitator, attendee = app.test_client(), app.test_client()
    facilitator.get(f"/e/{event.code}/key/{keys[Role.FACILITATOR]}")
    join(attendee, event, "Amélie")
    with app.app_context():
        slot = db.session.scalars(
            db.select(Slot).filter_by(event_id=event.id, kind=SlotKind.PLENARY)
        ).one()
    return event, slot.id, facilitator, attendee


def token(client, path):
    """The form's security token, if the configuration asks for one."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return found.group(1) if found else ""


def write(client, event, slot_id, path=None, **overrides):
    path = path or f"/e/{event.code}/testimonies/new"
    form = {
        "csrf_token": token(client, path),
        "kind": "testimony",
        "title": "Un réseau social d'entreprise déployé sur le terrain",
        "speaker_name": "Responsable du projet",
        "speaker_role": "chef de projet",
        "organisation": "Une grande entreprise",
        "summary": "Déployé sans budget de communication interne.",
        "figures": FIGURES,
        "lessons": LESSONS,
        "body": "Il a **6 000** utilisateurs.\n\n<script>alert(1)</script>",
        "minutes": "20",
        "slot_id": str(slot_id),
    }
    form.update(overrides)
    return client.post(path, data=form)


def test_a_testimony_is_written_placed_published_and_read(app, plenary):
    event, slot_id, facilitator, attendee = plenary
    written = write(facilitator, event, slot_id)
    assert written.status_code == 303
    page = written.headers["Location"]
    # A draft: the facilitator sees it, the room does not yet.
    assert "Brouillon" in text_of(facilitator.get(page))
    assert attendee.get(page).status_code == 404
    assert "Un réseau social" not in text_of(attendee.get(f"/e/{event.code}/testimonies"))

    publish = facilitator.post(
        f"{page}/publish", data={"csrf_token": token(facilitator, page), "published": "1"}
    )
    assert publish.status_code == 303
    shown = attendee.get(page)
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    text = text_of(shown)
    assert "Utilisateurs après 5 mois" in text
    assert "6 000" in text
    assert "Partir du terrain" in text
    assert "<strong>6 000</strong>" in html  # the Markdown rendered
    assert "<script>alert(1)</script>" not in html  # user HTML shown as text, never run
    assert "09:30" in text  # first in the opening plenary
    assert "Un réseau social" in text_of(attendee.get(f"/e/{event.code}/testimonies"))


def test_attendees_cannot_write_a_talk(plenary):
    event, _, _, attendee = plenary
    assert attendee.get(f"/e/{event.code}/testimonies/new").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field_text"),
    [
        ({"figures": ": 6 000"}, "libellé"),
        ({"figures": "Utilisateurs: " + "9" * 500}, "60"),
        ({"title": ""}, "obligatoire"),
        ({"link": "javascript:alert(1)"}, "https://"),
        ({"minutes": "61"}, "60"),  # the plenary lasts 60 minutes
        ({"slot_id": "999999"}, "option de la liste"),
    ],
    ids=["figure-without-label", "long-value", "no-title", "bad-link", "overflow", "no-slot"],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(app, plenary, overrides, field_text):
    event, slot_id, facilitator, _ = plenary
    overrides = dict(overrides)
    refused = write(facilitator, event, overrides.pop("slot_id", slot_id), **overrides)
    assert refused.status_code == 422
    assert field_text in text_of(refused)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Talk.id))) == 0


def test_a_programme_cannot_run_past_its_slot(app, plenary):
    event, slot_id, facilitator, _ = plenary
    assert write(facilitator, event, slot_id, minutes="40").status_code == 303
    refused = write(facilitator, event, slot_id, title="Deuxième", minutes="30")
    assert refused.status_code == 422
    assert "40" in text_of(refused)  # minutes already taken, said in the error
    assert write(facilitator, event, slot_id, title="Deuxième", minutes="20").status_code == 303
    with app.app_context():
        talks = db.session.scalars(db.select(Talk).order_by(Talk.position)).all()
        assert [t.title for t in talks][1] == "Deuxième"


def test_editing_keeps_the_figures_and_lessons_as_typed(app, plenary):
    event, slot_id, facilitator, _ = plenary
    page = write(facilitator, event, slot_id).headers["Location"]
    form = facilitator.get(f"{page}/edit").get_data(as_text=True)
    assert "Utilisateurs après 5 mois: 6 000" in form
    edited = write(facilitator, event, slot_id, path=f"{page}/edit", lessons="Un seul conseil")
    assert edited.status_code == 303
    assert "Un seul conseil" in text_of(facilitator.get(page))
    assert "Partir du terrain" not in text_of(facilitator.get(page))


def test_the_demo_has_the_founding_barcamps_talks(app):
    from barcamp.demo import create_demo
    from barcamp.unit_of_work import unit_of_work

    with app.app_context():
        with unit_of_work():
            event, _ = create_demo()
        talks = db.session.scalars(db.select(Talk).filter_by(event_id=event.id)).all()
    assert len(talks) == 4
    assert sorted(t.kind for t in talks) == ["keynote", "testimony", "testimony", "testimony"]
    assert all(t.published for t in talks)
    assert all(t.slot_id is not None for t in talks)
    client = app.test_client()
    listing = html.unescape(text_of(client.get("/e/BERCY/testimonies")))
    for talk in talks:
        assert talk.title in listing


def test_a_workshop_page_links_back_to_the_testimony_that_echoes_it(app):
    from barcamp.demo import create_demo, publish_demo_grid
    from barcamp.unit_of_work import unit_of_work

    with app.app_context():
        with unit_of_work():
            event, _ = create_demo()
        publish_demo_grid(event)  # the workshops get their pages
        [diplomacy] = db.session.scalars(db.select(Talk).filter_by(title="Diplomatie 2.0")).all()
        echoed = diplomacy.topics[0]
        talk_id, topic_id = diplomacy.id, echoed.id
    page = app.test_client().get(f"/e/BERCY/sessions/{topic_id}")
    assert page.status_code == 200
    assert f'href="/e/BERCY/testimonies/{talk_id}"' in page.get_data(as_text=True)
    assert "En écho en plénière" in text_of(page)


def speaker_link(facilitator, page):
    made = facilitator.post(f"{page}/speaker-link", data={"csrf_token": token(facilitator, page)})
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    return re.search(r"http://localhost(/e/\w+/testimonies/\d+/speaker/[\w-]+)", made.text).group(1)


def test_the_speaker_writes_their_page_through_a_secret_link(app, plenary):
    event, slot_id, facilitator, _ = plenary
    page = write(facilitator, event, slot_id).headers["Location"]
    link = speaker_link(facilitator, page)
    speaker = app.test_client()
    assert speaker.get(f"{page}/edit").status_code == 404  # not without the link
    opened = speaker.get(link)
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"{page}/edit")  # the secret left behind
    # The draft is theirs to read and write; its place in the programme is not.
    assert speaker.get(page).status_code == 200
    edited = write(speaker, event, slot_id, path=f"{page}/edit", title="Mon projet", minutes="60")
    assert edited.status_code == 303
    with app.app_context():
        [talk] = db.session.scalars(db.select(Talk)).all()
        assert (talk.title, talk.minutes) == ("Mon projet", 20)
    # Another talk stays closed to them.
    other = write(facilitator, event, slot_id, title="Une autre").headers["Location"]
    assert speaker.get(f"{other}/edit").status_code == 404


def test_a_new_speaker_link_replaces_the_old_one(app, plenary, make_event):
    event, slot_id, facilitator, _ = plenary
    page = write(facilitator, event, slot_id).headers["Location"]
    old = speaker_link(facilitator, page)
    new = speaker_link(facilitator, page)
    assert old != new
    late = app.test_client()
    refused = late.get(old)
    assert refused.status_code == 404
    assert "remplacé" in text_of(refused)
    assert late.get(f"{page}/edit").status_code == 404
    # The same secret on another event's address opens nothing either.
    elsewhere, _ = make_event(name="Un autre barcamp")
    moved = old.replace(f"/e/{event.code}/", f"/e/{elsewhere.code}/")
    assert app.test_client().get(moved).status_code == 404
    assert app.test_client().get(new).status_code == 303


def test_every_mistake_of_a_form_is_shown_at_once(app, plenary):
    event, slot_id, facilitator, _ = plenary
    refused = write(facilitator, event, slot_id, figures=": 6 000", link="javascript:x", title="")
    assert refused.status_code == 422
    text = text_of(refused)
    assert "libellé" in text
    assert "https://" in text
    assert "obligatoire" in text
