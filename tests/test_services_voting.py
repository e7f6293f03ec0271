"""Dot voting: a budget per person, a maximum per topic, votes moved and taken back
while voting is open, and blind voting that hides tallies until it closes."""

import pytest
from sqlalchemy import select

from barcamp.changes import take_recorded
from barcamp.errors import ValidationFailed
from barcamp.extensions import db
from barcamp.models import Vote
from barcamp.services import facilitation, voting
from barcamp.services.snapshots import tallies_view
from barcamp.services.voting import OverBudget, VotingClosed
from barcamp.unit_of_work import unit_of_work
from tests.test_services_topics import camp, propose, vote  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def wall(camp):  # noqa: F811
    """Four topics on the wall."""
    camp.topics = [
        propose(camp.people["Amélie"], title)
        for title in ("Réseau social d'entreprise", "Diplomatie 2.0", "Le cloud", "Open data")
    ]
    return camp


def counts(event):
    return dict(tallies_view(event)["counts"] or [])


def test_three_votes_each_by_default_and_the_budget_left_is_told(wall):
    amelie = wall.people["Amélie"]
    assert voting.my_votes(amelie) == {
        "votes": [],
        "left": 3,
        "budget": 3,
        "votes_version": wall.event.votes_version,
    }
    for topic in wall.topics[:3]:
        vote(amelie, topic)
    assert voting.my_votes(amelie)["left"] == 0
    with pytest.raises(OverBudget):
        vote(amelie, wall.topics[3])
    assert db.session.scalar(select(db.func.count(Vote.id))) == 3


def test_one_vote_per_topic_by_default(wall):
    vote(wall.people["Amélie"], wall.topics[0])
    with pytest.raises(OverBudget) as refusal:
        vote(wall.people["Amélie"], wall.topics[0])
    assert refusal.value.code == "topic_maximum"
    assert counts(wall.event) == {wall.topics[0].id: 1}


def test_a_vote_is_moved_or_taken_back(wall):
    amelie = wall.people["Amélie"]
    first, second = wall.topics[:2]
    vote(amelie, first)
    with unit_of_work():
        voting.move_vote(amelie, first.id, second.id)
    assert counts(wall.event) == {second.id: 1}
    with unit_of_work():
        voting.withdraw_vote(amelie, second.id)
    with unit_of_work():
        voting.withdraw_vote(amelie, second.id)  # nothing left there: a no-op
    assert counts(wall.event) == {}
    assert voting.my_votes(amelie)["left"] == 3


def test_a_move_to_a_full_topic_changes_nothing(wall):
    amelie = wall.people["Amélie"]
    first, second = wall.topics[:2]
    vote(amelie, first)
    vote(amelie, second)
    with pytest.raises(OverBudget), unit_of_work():
        voting.move_vote(amelie, first.id, second.id)
    assert counts(wall.event) == {first.id: 1, second.id: 1}


def test_with_more_dots_per_topic_people_can_stack_them(wall):
    with unit_of_work():
        facilitation.set_voting_rules(wall.organizer, budget=5, max_per_topic=3, blind=False)
    vote(wall.people["Amélie"], wall.topics[0], times=3)
    with pytest.raises(OverBudget):
        vote(wall.people["Amélie"], wall.topics[0])
    vote(wall.people["Amélie"], wall.topics[1], times=2)
    assert voting.my_votes(wall.people["Amélie"])["left"] == 0
    assert counts(wall.event) == {wall.topics[0].id: 3, wall.topics[1].id: 2}


def test_no_voting_while_it_is_closed(wall):
    vote(wall.people["Amélie"], wall.topics[0])
    with unit_of_work():
        facilitation.set_marketplace(wall.facilitator, voting_open=False)
    with pytest.raises(VotingClosed):
        vote(wall.people["Amélie"], wall.topics[1])
    with pytest.raises(VotingClosed), unit_of_work():
        voting.withdraw_vote(wall.people["Amélie"], wall.topics[0].id)
    assert counts(wall.event) == {wall.topics[0].id: 1}


@pytest.mark.parametrize("topic_id", [None, "1", 10**9, -1, 1.5])
def test_voting_for_a_topic_that_is_not_there_is_refused(wall, topic_id):
    with pytest.raises(ValidationFailed), unit_of_work():
        voting.cast_vote(wall.people["Amélie"], topic_id)


def test_blind_voting_hides_counts_until_voting_closes(wall):
    organizer = wall.organizer
    with unit_of_work():
        facilitation.set_voting_rules(organizer, budget=3, max_per_topic=1, blind=True)
    take_recorded()
    vote(wall.people["Amélie"], wall.topics[0])
    view = tallies_view(wall.event)
    assert view["counts"] is None
    assert view["total"] == 1  # how many votes, not where
    with unit_of_work():
        facilitation.set_marketplace(wall.facilitator, voting_open=False)
    assert counts(wall.event) == {wall.topics[0].id: 1}


def test_rules_cannot_shrink_below_votes_already_cast(wall):
    organizer = wall.organizer
    for topic in wall.topics[:3]:
        vote(wall.people["Amélie"], topic)
    with pytest.raises(ValidationFailed), unit_of_work():
        facilitation.set_voting_rules(organizer, budget=2, max_per_topic=1, blind=False)
    with pytest.raises(ValidationFailed), unit_of_work():
        facilitation.set_voting_rules(organizer, budget=3, max_per_topic=4, blind=False)
    assert wall.event.vote_budget == 3


def test_each_vote_bumps_the_votes_version_not_the_event_version(wall):
    version, votes_version = wall.event.version, wall.event.votes_version
    take_recorded()
    vote(wall.people["Amélie"], wall.topics[0])
    assert wall.event.version == version
    assert wall.event.votes_version == votes_version + 1
