"""Headers, forged forms, oversized bodies and floods get a clear, safe answer."""

import pytest
from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import (
    Event,
    NoteRevision,
    Participant,
    Question,
    Role,
    ScreenState,
    Session,
    SessionRole,
    Talk,
    Topic,
    Vote,
)
from barcamp.services import participants as participant_service
from barcamp.services import talks as talk_service
from barcamp.services import topics as topic_service
from barcamp.unit_of_work import unit_of_work
from tests.conftest import text_of
from tests.test_routes_events import event_form


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "connect-src 'self' ws://localhost wss://localhost" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "screen-wake-lock=(self)" in response.headers["Permissions-Policy"]


def test_no_page_uses_inline_script(client, make_event):
    event, keys = make_event()
    client.get(f"/e/{event.code}/key/{keys[Role.ORGANIZER]}")
    for path in (
        "/",
        "/new",
        f"/e/{event.code}",
        f"/e/{event.code}/screen",
        f"/e/{event.code}/organize",
    ):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html, path
        assert " on" + "click=" not in html, path


class TestFormsWithoutTheirSecurityToken:
    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_every_form_post_needs_its_token(self, client, app, make_event):
        event, keys = make_event()
        with app.app_context(), unit_of_work():
            stored = db.session.get(Event, event.id)
            stored.proposals_open = stored.voting_open = True
            claire, claires_link = participant_service.join(stored, "Claire", role="organizer")
            topic = topic_service.propose(claire, "Sujet")
            # On the grid, so that its session's page and note exist.
            workshops = next(slot for slot in stored.slots if slot.kind == "sessions")
            room = stored.rooms[0]
            db.session.add(
                Session(
                    event_id=stored.id,
                    topic_id=topic.id,
                    room_id=room.id,
                    slot_id=workshops.id,
                    capacity=room.capacity,
                )
            )
            talk = talk_service.create_talk(
                stored, talk_service.TalkFields(speaker_name="Claire", title="Témoignage")
            )
            question = Question(
                event_id=stored.id, talk_id=talk.id, participant_id=claire.id, text="Une question"
            )
            db.session.add(question)
            db.session.flush()
        client.get(f"/e/{event.code}/key/{keys[Role.ORGANIZER]}")
        posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
        assert len(posts) >= 17
        forged = {
            "display_name": "Mallory",
            "name": "Forged",
            "title": "Forged",
            "topic_id": str(topic.id),
            "source_id": str(topic.id),
            "target_id": str(topic.id),
            "proposals_open": "false",
            "vote_budget": "9",
        }
        for rule in posts:
            path = (
                rule.rule.replace("<code>", event.code)
                .replace("<role>", "facilitator")
                .replace("<int:topic_id>", str(topic.id))
                .replace("<int:number>", "1")
                .replace("<int:talk_id>", str(talk.id))
                .replace("<int:question_id>", str(question.id))
                .replace("<int:participant_id>", str(claire.id))
                .replace("<int:ban_id>", "1")
                .replace("<secret>", claires_link)
            )
            response = client.post(path, data=forged)
            assert response.status_code in {302, 303, 400, 403}, path
        with app.app_context():
            assert [p.display_name for p in db.session.scalars(select(Participant))] == ["Claire"]
            stored = db.session.get(Event, event.id)
            assert stored.name == "Barcamp de test"
            assert stored.facilitator_key_digest == event.facilitator_key_digest
            assert (stored.proposals_open, stored.vote_budget) == (True, 3)
            assert [t.title for t in db.session.scalars(select(Topic))] == ["Sujet"]
            assert db.session.scalars(select(Vote)).all() == []
            assert db.session.scalars(select(SessionRole)).all() == []
            assert db.session.scalars(select(NoteRevision)).all() == []
            [kept] = db.session.scalars(select(Talk)).all()
            assert (kept.title, kept.published_at) == ("Témoignage", None)
            [asked] = db.session.scalars(select(Question)).all()
            assert (asked.status, asked.upvotes) == ("open", 0)
            assert db.session.get(ScreenState, stored.id) is None

    def test_a_forged_continue_as_someone_else_changes_nobody(self, client, app, event):
        with app.app_context(), unit_of_work():
            stored = db.session.get(Event, event.id)
            _, mallorys_link = participant_service.join(stored, "Mallory")
        page = client.get(f"/e/{event.code}")
        token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
        client.post(
            f"/e/{event.code}/join",
            data={"display_name": "Amélie", "csrf_token": token.split('"')[0]},
        )
        forged = client.post(f"/e/{event.code}/resume/{mallorys_link}")  # no token
        assert forged.status_code == 400
        page = client.get(f"/e/{event.code}")
        assert 'data-live="my-name">Amélie<' in page.get_data(as_text=True)

    def test_a_form_without_token_says_why_and_keeps_the_text(self, client, event):
        response = client.post(f"/e/{event.code}/join", data={"display_name": "Amélie"})
        assert response.status_code == 400
        assert "Ce formulaire a expiré" in text_of(response)
        assert 'value="Amélie"' in response.get_data(as_text=True)

    def test_the_creation_form_keeps_everything_typed(self, client, app):
        response = client.post("/new", data=event_form(name="Mon barcamp"))
        assert response.status_code == 400
        assert 'value="Mon barcamp"' in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.scalars(select(Event)).all() == []


def test_an_oversized_request_is_refused_clearly(client, event):
    response = client.post(f"/e/{event.code}/join", data={"display_name": "x" * 2_000_000})
    assert response.status_code == 413
    assert "trop volumineux" in text_of(response)


def test_creating_events_in_a_flood_is_slowed_down(client, app):
    statuses = [client.post("/new", data=event_form()).status_code for _ in range(31)]
    assert statuses[:30] == [302] * 30
    assert statuses[30] == 429
    with app.app_context():
        assert len(db.session.scalars(select(Event)).all()) == 30


def test_a_forged_forwarded_address_does_not_escape_the_limit(client):
    """With no proxy declared, X-Forwarded-For is anybody's to write: ignored."""
    for n in range(30):
        client.post("/new", data=event_form(), headers={"X-Forwarded-For": f"198.51.100.{n}"})
    response = client.post("/new", data=event_form(), headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.status_code == 429


class TestBehindAProxy:
    """nginx in front (TRUSTED_PROXIES=1): each visitor counts under their own address,
    not all under the proxy's 127.0.0.1."""

    @pytest.fixture
    def config_overrides(self):
        return {"TRUSTED_PROXIES": 1}

    def test_each_visitor_has_their_own_limit(self, client):
        venue = {"X-Forwarded-For": "198.51.100.20"}
        statuses = [
            client.post("/new", data=event_form(), headers=venue).status_code for _ in range(31)
        ]
        assert statuses[30] == 429
        elsewhere = {"X-Forwarded-For": "203.0.113.7"}
        assert client.post("/new", data=event_form(), headers=elsewhere).status_code == 302


def test_a_forged_host_header_cannot_inject_policy(client):
    csp = client.get("/", headers={"Host": "evil.example; script-src *"}).headers.get(
        "Content-Security-Policy", ""
    )
    assert "script-src *" not in csp
