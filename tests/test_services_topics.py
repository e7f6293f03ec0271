"""The marketplace: people propose topics, join them as co-hosts, and facilitators
keep the wall tidy (hide, merge, spotlight) and open and close its phases."""

import pytest
from sqlalchemy import select

from barcamp.changes import take_recorded
from barcamp.errors import Forbidden, ValidationFailed
from barcamp.extensions import db
from barcamp.identity import Visitor
from barcamp.models import Role, Topic, Vote
from barcamp.services import facilitation, topics, voting
from barcamp.services import participants as participant_service
from barcamp.services.similarity import similarity
from barcamp.services.topics import ProposalsClosed, SimilarTopics
from barcamp.unit_of_work import unit_of_work
from tests.conftest import new_event

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.fixture
def camp():
    """An event with proposals and voting open, a facilitator and three attendees."""
    event, _ = new_event()
    with unit_of_work():
        people = {
            name: participant_service.join(event, name, role=role)[0]
            for name, role in [
                ("Paul", Role.FACILITATOR),
                ("Amélie", Role.ATTENDEE),
                ("Baptiste", Role.ATTENDEE),
                ("Céline", Role.ATTENDEE),
            ]
        }
    facilitator = Visitor(event, people["Paul"], Role.FACILITATOR)
    with unit_of_work():
        facilitation.set_marketplace(facilitator, proposals_open=True, voting_open=True)
    take_recorded()

    class Camp:
        pass

    camp = Camp()
    camp.event, camp.people, camp.facilitator = event, people, facilitator
    camp.organizer = Visitor(event, people["Paul"], Role.ORGANIZER)
    camp.as_ = lambda name: Visitor(event, people[name], Role(people[name].role))
    return camp


def propose(person, title, **kwargs):
    with unit_of_work():
        return topics.propose(person, title, **kwargs)


def vote(person, topic, times=1):
    for _ in range(times):
        with unit_of_work():
            voting.cast_vote(person, topic.id)


def dots(topic):
    return db.session.scalar(
        select(db.func.coalesce(db.func.sum(Vote.dots), 0)).where(Vote.topic_id == topic.id)
    )


def test_a_participant_proposes_a_topic_with_a_pitch_format_and_needs(camp):
    topic = propose(
        camp.people["Amélie"],
        "  Résistance au changement   et désarroi ",
        pitch="Comment convaincre\r\n\r\n\r\nquand on porte le changement seul ?",
        format="workshop",
        needs=["whiteboard", "projector"],
    )
    assert topic.title == "Résistance au changement et désarroi"
    assert topic.pitch == "Comment convaincre\n\nquand on porte le changement seul ?"
    assert topic.needs == ["projector", "whiteboard"]
    assert topic.host_ids() == [camp.people["Amélie"].id]


@pytest.mark.parametrize(
    ("title", "kwargs", "field"),
    [
        ("", {}, "title"),
        ("   ", {}, "title"),
        ("x" * 500, {}, "title"),
        ("Titre", {"pitch": "x" * 1001}, "pitch"),
        ("Titre", {"format": "keynote"}, "format"),
        ("Titre", {"needs": ["jacuzzi"]}, "needs"),
        ("Titre", {"needs": "projector"}, "needs"),
        (42, {}, "title"),
    ],
)
def test_bad_proposals_are_refused_and_nothing_is_stored(camp, title, kwargs, field):
    with pytest.raises(ValidationFailed) as failure:
        propose(camp.people["Amélie"], title, **kwargs)
    assert field in failure.value.errors
    assert db.session.scalars(select(Topic)).all() == []


def test_markup_in_a_topic_is_kept_as_text(camp):
    topic = propose(
        camp.people["Amélie"], "<script>alert(1)</script>", pitch="<img src=x onerror=alert(1)>"
    )
    assert topic.title == "<script>alert(1)</script>"
    assert topic.pitch == "<img src=x onerror=alert(1)>"


def test_no_proposals_once_they_are_closed(camp):
    with unit_of_work():
        facilitation.set_marketplace(camp.facilitator, proposals_open=False)
    with pytest.raises(ProposalsClosed):
        propose(camp.people["Amélie"], "Trop tard")


def test_a_near_duplicate_is_caught_and_its_author_can_join_instead(camp):
    original = propose(camp.people["Amélie"], "La parole de l'agent et le droit de réserve")
    with pytest.raises(SimilarTopics) as caught:
        propose(camp.people["Baptiste"], "Droit de réserve et parole des agents")
    assert caught.value.topics == [original]
    with unit_of_work():
        topics.join_as_cohost(camp.people["Baptiste"], original)
    assert original.host_ids() == [camp.people["Amélie"].id, camp.people["Baptiste"].id]
    # Or they insist, and the topic is proposed anyway.
    other = propose(
        camp.people["Baptiste"], "Droit de réserve et parole des agents", allow_similar=True
    )
    assert other.id != original.id


@pytest.mark.parametrize(
    ("first", "second", "alike"),
    [
        ("Réseau social d'entreprise", "reseau social entreprise", True),
        ("Le cloud pour tester les usages", "Cloud et usages", True),
        ("Résistance au changement", "Diplomatie 2.0 et câbles", False),
        ("Open data", "Données ouvertes et RGPD", False),
    ],
)
def test_similarity_of_titles(first, second, alike):
    assert (similarity(first, second) >= 0.6) is alike


def test_hosts_edit_their_topic_while_proposals_are_open_others_cannot(camp):
    topic = propose(camp.people["Amélie"], "Travailler en réseau")
    with unit_of_work():
        topics.edit(camp.as_("Amélie"), topic, "Travailler en réseau à Bercy", format="talk")
    assert (topic.title, topic.format) == ("Travailler en réseau à Bercy", "talk")
    with pytest.raises(Forbidden), unit_of_work():
        topics.edit(camp.as_("Baptiste"), topic, "Hijacked")
    with unit_of_work():
        facilitation.set_marketplace(camp.facilitator, proposals_open=False)
    with pytest.raises(ProposalsClosed), unit_of_work():
        topics.edit(camp.as_("Amélie"), topic, "Trop tard")
    with unit_of_work():  # facilitators can still fix a title
        topics.edit(camp.facilitator, topic, "Travailler en réseau (Bercy)")
    assert topic.title == "Travailler en réseau (Bercy)"


def test_withdrawing_a_topic_gives_its_votes_back(camp):
    topic = propose(camp.people["Amélie"], "Le mail est abêtissant")
    vote(camp.people["Baptiste"], topic)
    with pytest.raises(Forbidden), unit_of_work():
        topics.withdraw(camp.as_("Baptiste"), topic)
    with unit_of_work():
        topics.withdraw(camp.as_("Amélie"), topic)
    assert topic.status == "withdrawn"
    assert voting.my_votes(camp.people["Baptiste"])["left"] == 3
    with pytest.raises(ValidationFailed):
        vote(camp.people["Céline"], topic)


def test_a_merge_moves_hosts_and_votes_and_gives_back_double_votes(camp):
    kept = propose(camp.people["Amélie"], "Résistance au changement")
    duplicate = propose(camp.people["Baptiste"], "Comment convaincre sa hiérarchie")
    vote(camp.people["Céline"], kept)
    vote(camp.people["Céline"], duplicate)  # voted for both
    vote(camp.people["Paul"], duplicate)  # voted for the duplicate only

    with unit_of_work():
        facilitation.merge(camp.facilitator, duplicate.id, kept.id)

    assert duplicate.status == "merged"
    assert duplicate.merged_into_id == kept.id
    assert kept.host_ids() == [camp.people["Amélie"].id, camp.people["Baptiste"].id]
    assert dots(kept) == 2  # Céline once, Paul once
    assert dots(duplicate) == 0
    assert voting.my_votes(camp.people["Céline"])["left"] == 2  # one vote back to spend
    assert voting.my_votes(camp.people["Paul"])["left"] == 2


def test_only_facilitators_hide_merge_spotlight_and_open_phases(camp):
    topic = propose(camp.people["Amélie"], "Sujet")
    other = propose(camp.people["Baptiste"], "Autre chose")
    attendee = camp.as_("Amélie")
    for action in (
        lambda: facilitation.hide(attendee, topic.id),
        lambda: facilitation.merge(attendee, topic.id, other.id),
        lambda: facilitation.spotlight(attendee, topic.id),
        lambda: facilitation.set_marketplace(attendee, voting_open=False),
        lambda: facilitation.set_voting_rules(
            camp.facilitator, budget=5, max_per_topic=1, blind=False
        ),
    ):
        with pytest.raises(Forbidden), unit_of_work():
            action()


def test_hiding_takes_a_topic_off_the_wall_and_unhiding_brings_it_back(camp):
    topic = propose(camp.people["Amélie"], "Spam")
    vote(camp.people["Baptiste"], topic)
    with unit_of_work():
        facilitation.hide(camp.facilitator, topic.id)
    assert topic.status == "hidden"
    assert dots(topic) == 0
    with unit_of_work():
        facilitation.unhide(camp.facilitator, topic.id)
    assert topic.status == "open"


def test_one_topic_in_the_spotlight_at_a_time(camp):
    first = propose(camp.people["Amélie"], "Premier")
    second = propose(camp.people["Baptiste"], "Second")
    with unit_of_work():
        facilitation.spotlight(camp.facilitator, first.id)
    with unit_of_work():
        facilitation.spotlight(camp.facilitator, second.id)
    assert (first.spotlight, second.spotlight) == (False, True)
    with unit_of_work():
        facilitation.spotlight(camp.facilitator, None)
    assert not second.spotlight


def test_topics_of_another_event_are_out_of_reach(camp):
    elsewhere, _ = new_event(name="Ailleurs")
    with unit_of_work():
        stranger, _ = participant_service.join(elsewhere, "Zoé")
    foreign = Topic(event=elsewhere, title="Ailleurs", proposer=stranger)
    db.session.add(foreign)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        vote(camp.people["Amélie"], foreign)
    with pytest.raises(ValidationFailed), unit_of_work():
        facilitation.hide(camp.facilitator, foreign.id)
    assert foreign.status == "open"


def test_leaving_takes_a_person_off_their_topics_and_votes(camp):
    topic = propose(camp.people["Amélie"], "Sujet d'Amélie")
    vote(camp.people["Amélie"], topic)
    with unit_of_work():
        participant_service.leave(camp.people["Amélie"])
    db.session.expire_all()
    assert topic.proposer_id is None
    assert topic.status == "open"
    assert dots(topic) == 0


def test_an_event_with_merged_topics_can_be_deleted(camp):
    kept = propose(camp.people["Amélie"], "Résistance au changement")
    duplicate = propose(camp.people["Baptiste"], "Convaincre sa hiérarchie")
    vote(camp.people["Céline"], duplicate)
    with unit_of_work():
        facilitation.merge(camp.facilitator, duplicate.id, kept.id)
    with unit_of_work():
        db.session.delete(camp.event)
    assert db.session.scalars(select(Topic)).all() == []
    assert db.session.scalars(select(Vote)).all() == []
