"""The projector in the plenaries: the facilitator puts a talk on stage, a question
large, or steps the report-back through the workshops; what each workshop produced is
read from its notes."""

import pytest

from barcamp.services.report_back import extract
from tests.conftest import received, text_of
from tests.test_talks import plenary, token, write  # noqa: F401

FRENCH_NOTE = """\
# Résistance au changement

## Participants
- Une quinzaine d'agents

## Points clés
- Ceux qui veulent faire bouger les lignes se sentent seuls

## Décisions
- Créer un groupe d'entraide
- <script>alert(1)</script> reste du texte
-

## À faire (action, qui s’en charge, pour quand)
- [ ] Ouvrir un espace d'échange — Amélie, fin mai
- [x] Prévenir les RH — Baptiste
- [ ]

## À lire (liens, références)
- https://example.org
"""


def test_the_decisions_and_actions_are_read_from_a_french_note(app):
    # The headings are looked for in the event's language (and in English).
    with app.test_request_context():
        found = extract(FRENCH_NOTE, "fr")
    assert found["decisions"] == [
        "Créer un groupe d'entraide",
        "<script>alert(1)</script> reste du texte",
    ]
    assert found["todo"] == [
        {"text": "Ouvrir un espace d'échange — Amélie, fin mai", "done": False},
        {"text": "Prévenir les RH — Baptiste", "done": True},
    ]
    # And what must be read, apart (the proceedings list it on its own).
    assert found["reading"] == ["https://example.org"]


def test_english_headings_and_other_list_marks_are_understood_too(app):
    note = "## Decisions\n* Keep it small\n1. Meet again\n\n### To do\n+ [ ] Write the charter\n"
    with app.test_request_context():
        found = extract(note, "fr")
    assert found["decisions"] == ["Keep it small", "Meet again"]
    assert found["todo"] == [{"text": "Write the charter", "done": False}]


def test_an_empty_template_gives_nothing_to_report(app):
    with app.test_request_context():
        found = extract("## Décisions\n- \n\n## À faire\n- [ ] \n", "fr")
    assert found == {"decisions": [], "todo": [], "reading": []}


@pytest.fixture
def stage(app, plenary, socket_client):  # noqa: F811
    event, slot_id, facilitator, attendee = plenary
    page = write(facilitator, event, slot_id).headers["Location"]
    facilitator.post(
        f"{page}/publish", data={"csrf_token": token(facilitator, page), "published": "1"}
    )
    talk_id = int(page.rsplit("/", 1)[1])
    return event, talk_id, facilitator, attendee, socket_client(facilitator, event)


def test_the_facilitator_puts_a_talk_on_stage_and_every_page_hears_it(app, stage, socket_client):
    event, talk_id, facilitator, attendee, projector = stage
    phone = socket_client(attendee, event)
    received(phone)
    ack = projector.emit("screen_set", {"op_id": "p", "mode": "plenary"}, callback=True)
    assert ack["ok"], ack
    # No talk chosen: the one of the programme is put on stage.
    assert ack["screen"]["talk_id"] == talk_id
    [heard] = [m["args"][0] for m in received(phone, "screen_updated")]
    assert heard["screen"]["mode"] == "plenary"
    screen = text_of(facilitator.get(f"/e/{event.code}/screen"))
    assert "Un réseau social" in screen
    assert "Utilisateurs après 5 mois" in screen  # its key figures, large
    assert "6 000" in screen


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"mode": "cinema"}, "mode"),
        ({"talk_id": 999999}, "talk_id"),
        ({"question_id": "x"}, "question_id"),
        ({"step": "beaucoup"}, "step"),
    ],
)
def test_a_bad_screen_change_is_refused_plainly(app, stage, payload, field):
    _event, _talk_id, _facilitator, _attendee, projector = stage
    ack = projector.emit("screen_set", {"op_id": f"bad-{field}", **payload}, callback=True)
    assert not ack["ok"]
    assert field in ack["error"].get("fields", {}) or ack["error"]["code"] == "invalid"


def test_attendees_cannot_drive_the_projector_even_without_javascript(app, stage):
    event, _talk_id, _facilitator, attendee, _projector = stage
    refused = attendee.post(f"/e/{event.code}/screen/state", data={"mode": "report"})
    assert refused.status_code == 404


def test_without_javascript_the_facilitator_switches_the_projector(app, stage):
    event, _talk_id, facilitator, _attendee, _projector = stage
    path = f"/e/{event.code}/facilitate"
    done = facilitator.post(
        f"/e/{event.code}/screen/state",
        data={"csrf_token": token(facilitator, path), "mode": "report", "step": "3"},
        headers={"Referer": f"http://localhost{path}"},
    )
    assert done.status_code == 303
    assert done.headers["Location"].endswith(path)
    screen = facilitator.get(f"/e/{event.code}/screen").get_data(as_text=True)
    assert 'data-mode="report"' in screen
    # No workshop on the grid: the step stays at the first, and the screen says so.
    assert "Aucun atelier sur la grille" in text_of(facilitator.get(f"/e/{event.code}/screen"))
