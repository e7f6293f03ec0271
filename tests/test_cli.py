"""The `flask demo` command: the founding barcamp, ready at once, again and again."""

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from barcamp.extensions import db
from barcamp.identity import Visitor
from barcamp.models import Event, Role, Topic
from barcamp.services import facilitation
from barcamp.unit_of_work import unit_of_work
from tests.conftest import terminal_language

LINK = re.compile(
    r"(facilitator link|organizer link|lien d’animation|lien d’organisation)\s?:\s+(\S+)"
)


def other_client_lands(app, link):
    """Where a fresh browser lands opening a printed link (None: refused)."""
    response = app.test_client().get(urlsplit(link).path)
    return response.headers.get("Location") if response.status_code == 303 else None


def test_the_demo_is_created_then_its_links_renewed_then_reset(app, monkeypatch):
    runner = app.test_cli_runner()
    terminal_language(monkeypatch, "fr_FR.UTF-8")
    first = runner.invoke(args=["demo", "--base-url", "http://camp.example"])
    assert first.exit_code == 0, first.output
    assert "Événement de démonstration créé" in first.output
    assert "rejoindre (code BERCY) : http://camp.example/e/BERCY" in first.output
    assert len(LINK.findall(first.output)) == 2
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.code == "BERCY"))
        assert len(event.participants) == 60
        assert len(event.rooms) == 4
        assert len(event.topics) == 8
        assert (event.proposals_open, event.voting_open, event.locale) == (True, True, "fr")

    # The next start prints the same links: the ones already sent keep working.
    terminal_language(monkeypatch, "en_GB.UTF-8")  # the operator's terminal speaks English
    again = runner.invoke(args=["demo", "--base-url", "http://camp.example"])
    assert again.exit_code == 0, again.output
    assert "its links are unchanged" in again.output
    assert list(dict(LINK.findall(again.output)).values()) == [
        url for _, url in LINK.findall(first.output)
    ]
    organizer_link = dict(LINK.findall(again.output))["organizer link"]
    assert other_client_lands(app, organizer_link) == "/e/BERCY/organize"

    # Renewed on purpose: new links, which last in their turn; the old ones stop.
    renewed = runner.invoke(args=["demo", "--renew-links"])
    assert "its role links were renewed" in renewed.output
    assert dict(LINK.findall(renewed.output)) != dict(LINK.findall(again.output))
    assert other_client_lands(app, organizer_link) is None
    after = runner.invoke(args=["demo"])
    assert "its links are unchanged" in after.output
    assert dict(LINK.findall(after.output)) == dict(LINK.findall(renewed.output))

    # Merge two topics, then start over: nothing stands in the way.
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.code == "BERCY"))
        paul = next(p for p in event.participants if p.role == "facilitator")
        first_topic, second_topic = event.topics[:2]
        with unit_of_work():
            facilitation.merge(
                Visitor(event, paul, Role.FACILITATOR), second_topic.id, first_topic.id
            )
    reset = runner.invoke(args=["demo", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert not set(dict(LINK.findall(reset.output)).values()) & set(
        dict(LINK.findall(after.output)).values()
    )
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Topic.id))) == 8
