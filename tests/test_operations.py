"""One operation, one answer: a phone on bad Wi-Fi sends its vote again when no answer
came within seconds, sometimes while the first copy is still being handled. Both copies
get the first one's answer and the vote counts once; a try that was refused stored
nothing, so sending it again does it. On SQLite and on PostgreSQL."""

import threading
import time
import uuid

import pytest
from sqlalchemy import func, select

from barcamp.extensions import db
from barcamp.identity import Visitor
from barcamp.models import AppliedOperation, Participant, Role, Topic, Vote
from barcamp.services import facilitation, operations, topics, voting
from barcamp.services import participants as participant_service
from barcamp.services.voting import VotingClosed
from barcamp.unit_of_work import unit_of_work
from tests.conftest import app_on, new_event

PEOPLE = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_app(request, tmp_path):
    """An app on a database file that several threads use at once."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'operations.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    with app_on(url) as app:
        yield app


@pytest.fixture
def wall(shared_app):
    """Voting open, a topic on the wall, and people ready to vote for it."""
    with shared_app.app_context():
        event, _ = new_event()
        with unit_of_work():
            people = [participant_service.join(event, f"Personne {n}")[0].id for n in range(PEOPLE)]
            host = participant_service.join(event, "Paul", role=Role.FACILITATOR)[0]
        facilitator = Visitor(event, host, Role.FACILITATOR)
        with unit_of_work():
            facilitation.set_marketplace(facilitator, proposals_open=True, voting_open=True)
        with unit_of_work():
            topic = topics.propose(host, "Le réseau social d'entreprise").id
    return shared_app, people, topic


def cast(app, participant_id, topic_id, op_id, *, inside=None, release=None):
    """What the live server does with a `vote_cast`: answer a committed try from
    storage, else vote under the operation id. With `inside`/`release`, the vote waits
    mid-transaction (a slow server) until released."""
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        visitor = Visitor(participant.event, participant, Role.ATTENDEE)
        previous = operations.stored(participant.event_id, visitor.actor, op_id)
        if previous is not None:
            return previous

        def vote():
            voting.cast_vote(participant, topic_id)
            if inside is not None:
                inside.set()
                assert release.wait(10)
            return {"me": voting.my_votes(participant)}

        try:
            return operations.run(visitor, op_id, vote)
        except VotingClosed as refusal:
            return refusal.as_ack()


def stored_rows(app, op_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(AppliedOperation)
            .where(AppliedOperation.op_id == op_id)
        )


def dots(app, topic_id):
    with app.app_context():
        return db.session.scalar(select(func.count(Vote.id)).where(Vote.topic_id == topic_id))


def first_and_retry_together(app, person, topic):
    """Send a vote, and its retry while the first copy is mid-transaction; return both
    answers and the operation id."""
    op_id = f"vote-{uuid.uuid4()}"
    inside, release, answers = threading.Event(), threading.Event(), {}

    def first():
        answers["first"] = cast(app, person, topic, op_id, inside=inside, release=release)

    def retry():
        answers["retry"] = cast(app, person, topic, op_id)

    slow = threading.Thread(target=first)
    slow.start()
    assert inside.wait(10)  # the first copy is mid-transaction…
    again = threading.Thread(target=retry)
    again.start()
    time.sleep(0.2)  # …when the retry arrives and finds nothing committed yet
    release.set()
    slow.join(10)
    again.join(10)
    return answers["first"], answers["retry"], op_id


def test_a_retry_sent_while_the_first_try_is_handled_gets_the_same_answer(wall):
    app, people, topic = wall
    for person in people:
        first, retry, op_id = first_and_retry_together(app, person, topic)
        assert first["ok"] is True, first
        assert retry == first
        assert stored_rows(app, op_id) == 1
    assert dots(app, topic) == PEOPLE


def test_a_refused_try_stores_nothing_and_its_retry_is_done(wall):
    app, people, topic = wall
    with app.app_context():
        event = db.session.get(Topic, topic).event
        paul = db.session.scalar(select(Participant).where(Participant.display_name == "Paul"))
        with unit_of_work():
            facilitation.set_marketplace(Visitor(event, paul, Role.FACILITATOR), voting_open=False)
    op_id = f"vote-{uuid.uuid4()}"
    refused = cast(app, people[0], topic, op_id)
    assert refused["ok"] is False
    assert refused["error"]["code"] == "voting_closed"
    assert stored_rows(app, op_id) == 0

    with app.app_context():
        event = db.session.get(Topic, topic).event
        paul = db.session.merge(paul)
        with unit_of_work():
            facilitation.set_marketplace(Visitor(event, paul, Role.FACILITATOR), voting_open=True)
    done = cast(app, people[0], topic, op_id)
    assert done["ok"] is True
    assert cast(app, people[0], topic, op_id) == done
    assert dots(app, topic) == 1
