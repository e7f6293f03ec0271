"""The `flask demo` command: the founding barcamp, ready at once, again and again."""

import re

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

    terminal_language(monkeypatch, "en_GB.UTF-8")  # the operator's terminal speaks English
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert "its role links were renewed" in again.output
    assert "organizer link:" in again.output
    assert dict(LINK.findall(again.output)) != dict(LINK.findall(first.output))

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
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Topic.id))) == 8
