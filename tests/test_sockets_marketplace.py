"""The live marketplace over Socket.IO: every action acknowledged, every change heard
by everybody, failures heard by nobody, retries applied once."""

import pytest
from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import Role, Topic, Vote
from tests.conftest import join, received


@pytest.fixture
def market(app, make_event, socket_client):
    """An event with proposals and voting open; a facilitator's projector and a helper
    to bring in people, each with a browser and a live connection."""
    event, keys = make_event()
    browsers = {}

    def person(name):
        browser = app.test_client()
        join(browser, event, name)
        sio = socket_client(browser, event)
        received(sio)
        browsers[name] = sio
        return sio

    projector_browser = app.test_client()
    projector_browser.get(f"/e/{event.code}/key/{keys[Role.FACILITATOR]}")
    projector = socket_client(projector_browser, event)
    ack = projector.emit(
        "marketplace_set",
        {"op_id": "open", "proposals_open": True, "voting_open": True},
        callback=True,
    )
    assert ack["ok"], ack
    received(projector)

    class Market:
        pass

    market = Market()
    market.event, market.person, market.projector = event, person, projector
    market.people = browsers
    market.app = app
    return market


def emit(sio, name, **payload):
    return sio.emit(name, payload, callback=True)


def names(messages):
    return [m["name"] for m in messages]


def dots_in_db(app):
    with app.app_context():
        return dict(
            db.session.execute(
                select(Vote.topic_id, db.func.sum(Vote.dots)).group_by(Vote.topic_id)
            ).all()
        )


def test_a_proposal_appears_live_for_everybody(market):
    amelie, baptiste = market.person("Amélie"), market.person("Baptiste")
    received(market.projector)
    ack = emit(
        amelie,
        "topic_propose",
        op_id="p1",
        title="Résistance au changement",
        pitch="Comment convaincre ?",
        format="workshop",
        needs=["whiteboard"],
    )
    assert ack["ok"], ack
    for sio in (baptiste, market.projector):
        [message] = received(sio)
        assert message["name"] == "topic_created"
        topic = message["args"][0]["topic"]
        assert topic["id"] == ack["topic_id"]
        assert topic["title"] == "Résistance au changement"
        assert topic["needs"] == ["whiteboard"]


def test_a_near_duplicate_is_suggested_before_it_is_proposed(market):
    amelie, baptiste = market.person("Amélie"), market.person("Baptiste")
    first = emit(amelie, "topic_propose", op_id="p1", title="Le cloud pour tester les usages")
    found = emit(baptiste, "topic_similar", title="cloud et usages")
    assert found == {"ok": True, "topics": [first["topic_id"]]}
    refused = emit(baptiste, "topic_propose", op_id="p2", title="Cloud et usages")
    assert refused["error"]["code"] == "similar_topics"
    assert refused["error"]["topics"] == [first["topic_id"]]
    received(market.projector)
    joined = emit(baptiste, "topic_cohost", op_id="c1", topic_id=first["topic_id"])
    assert joined["ok"]
    [update] = received(market.projector)
    assert len(update["args"][0]["topic"]["host_ids"]) == 2


def test_votes_are_acknowledged_with_the_budget_left_and_tallied_for_all(market):
    amelie, baptiste = market.person("Amélie"), market.person("Baptiste")
    topic_id = emit(amelie, "topic_propose", op_id="p1", title="Diplomatie 2.0")["topic_id"]
    received(amelie), received(baptiste), received(market.projector)

    ack = emit(baptiste, "vote_cast", op_id="v1", topic_id=topic_id)

    assert ack["ok"]
    assert ack["me"]["votes"] == [[topic_id, 1]]
    assert ack["me"]["left"] == 2
    [tallies] = received(market.projector)
    assert tallies["name"] == "tallies"
    assert tallies["args"][0]["counts"] == [[topic_id, 1]]
    assert tallies["args"][0]["total"] == 1
    assert "my_votes" in names(received(baptiste))  # the voter's other pages hear it
    assert names(received(amelie)) == ["tallies"]  # others only hear the tallies
    assert dots_in_db(market.app) == {topic_id: 1}


def test_my_votes_and_the_vote_acks_are_ordered_by_votes_version(market):
    amelie, baptiste = market.person("Amélie"), market.person("Baptiste")
    first = emit(amelie, "topic_propose", op_id="p1", title="Diplomatie 2.0")["topic_id"]
    second = emit(amelie, "topic_propose", op_id="p2", title="Open data")["topic_id"]
    received(amelie), received(baptiste)

    cast = emit(baptiste, "vote_cast", op_id="v1", topic_id=first)
    emit(amelie, "vote_cast", op_id="a1", topic_id=first)  # moves votes_version on too
    moved = emit(baptiste, "vote_move", op_id="v2", from_topic_id=first, to_topic_id=second)

    # Each message is the `me` of an ack at the same votes_version (a move sends the
    # state between its two steps too); the versions only grow, with gaps.
    heard = [m["args"][0] for m in received(baptiste) if m["name"] == "my_votes"]
    assert (heard[0], heard[-1]) == (cast["me"], moved["me"])
    versions = [me["votes_version"] for me in heard]
    assert versions == sorted(set(versions))
    assert versions[1] > versions[0] + 1
    # The stored ack of a retry is older than what the page holds: it is ignored.
    retry = emit(baptiste, "vote_cast", op_id="v1", topic_id=first)
    assert retry == cast
    assert retry["me"]["votes_version"] < moved["me"]["votes_version"]


def test_the_same_vote_from_two_tabs_counts_once(market, app, socket_client):
    amelie = market.person("Amélie")
    topic_id = emit(amelie, "topic_propose", op_id="p1", title="Open data")["topic_id"]
    # A second tab of the same browser: the same cookie.
    second_tab = socket_client(amelie.flask_test_client, market.event)
    first = emit(amelie, "vote_cast", op_id="tab-1", topic_id=topic_id)
    second = emit(second_tab, "vote_cast", op_id="tab-2", topic_id=topic_id)
    assert first["ok"]
    assert second["ok"] is False
    assert second["error"]["code"] == "topic_maximum"
    assert dots_in_db(app) == {topic_id: 1}


def test_a_retried_vote_is_applied_once(market, app):
    amelie = market.person("Amélie")
    topic_id = emit(amelie, "topic_propose", op_id="p1", title="Open data")["topic_id"]
    received(market.projector)
    first = emit(amelie, "vote_cast", op_id="same", topic_id=topic_id)
    retry = emit(amelie, "vote_cast", op_id="same", topic_id=topic_id)
    assert first == retry
    assert dots_in_db(app) == {topic_id: 1}
    assert names(received(market.projector)) == ["tallies"]


@pytest.mark.parametrize("topic_id", [None, "1", True, 0, -3, 10**9])
def test_a_vote_for_no_topic_is_refused_and_nobody_hears_of_it(market, app, topic_id):
    amelie = market.person("Amélie")
    emit(amelie, "topic_propose", op_id="p1", title="Open data")
    received(market.projector), received(amelie)
    ack = emit(amelie, "vote_cast", op_id="bad", topic_id=topic_id)
    assert ack["ok"] is False
    assert received(market.projector) == []
    assert received(amelie) == []
    assert dots_in_db(app) == {}


def test_votes_over_budget_or_when_closed_are_refused(market, app):
    amelie = market.person("Amélie")
    ids = [
        emit(amelie, "topic_propose", op_id=f"p{i}", title=title, allow_similar=True)["topic_id"]
        for i, title in enumerate(["Un", "Deux", "Trois", "Quatre"])
    ]
    for i, topic_id in enumerate(ids[:3]):
        assert emit(amelie, "vote_cast", op_id=f"v{i}", topic_id=topic_id)["ok"]
    over = emit(amelie, "vote_cast", op_id="v9", topic_id=ids[3])
    assert over["error"]["code"] == "over_budget"
    assert over["error"]["message"] == (
        "Il ne vous reste aucun vote\u00a0: retirez-en un pour voter pour ce sujet."
    )
    emit(market.projector, "marketplace_set", op_id="close", voting_open=False)
    closed = emit(amelie, "vote_withdraw", op_id="w1", topic_id=ids[0])
    assert closed["error"]["code"] == "voting_closed"
    assert dots_in_db(app) == {ids[0]: 1, ids[1]: 1, ids[2]: 1}


def test_blind_voting_sends_totals_but_not_counts_until_voting_closes(market, app):
    with app.app_context():
        from barcamp.models import Event

        db.session.get(Event, market.event.id).blind_voting = True
        db.session.commit()
    amelie = market.person("Amélie")
    topic_id = emit(amelie, "topic_propose", op_id="p1", title="Open data")["topic_id"]
    received(market.projector)
    emit(amelie, "vote_cast", op_id="v1", topic_id=topic_id)
    [tallies] = received(market.projector)
    assert tallies["args"][0]["counts"] is None
    assert tallies["args"][0]["total"] == 1
    emit(market.projector, "marketplace_set", op_id="close", voting_open=False)
    revealed = [m for m in received(market.projector) if m["name"] == "tallies"]
    assert revealed[-1]["args"][0]["counts"] == [[topic_id, 1]]


def test_attendees_cannot_facilitate(market, app):
    amelie = market.person("Amélie")
    topic_id = emit(amelie, "topic_propose", op_id="p1", title="Open data")["topic_id"]
    received(market.projector)
    for name, payload in [
        ("topic_hide", {"topic_id": topic_id}),
        ("topic_spotlight", {"topic_id": topic_id}),
        ("marketplace_set", {"voting_open": False}),
        ("topic_merge", {"source_id": topic_id, "target_id": topic_id}),
    ]:
        ack = emit(amelie, name, op_id=f"x-{name}", **payload)
        assert ack["error"]["code"] == "forbidden", name
    assert received(market.projector) == []


def test_the_facilitator_merges_duplicates_live(market, app):
    amelie, baptiste, celine = (market.person(n) for n in ("Amélie", "Baptiste", "Céline"))
    kept = emit(amelie, "topic_propose", op_id="p1", title="Résistance au changement")
    dup = emit(baptiste, "topic_propose", op_id="p2", title="Convaincre sa hiérarchie")
    emit(celine, "vote_cast", op_id="v1", topic_id=kept["topic_id"])
    emit(celine, "vote_cast", op_id="v2", topic_id=dup["topic_id"])
    received(celine), received(market.projector)

    ack = emit(
        market.projector,
        "topic_merge",
        op_id="m1",
        source_id=dup["topic_id"],
        target_id=kept["topic_id"],
    )

    assert ack["ok"]
    heard = {m["name"]: m["args"][0] for m in received(market.projector)}
    assert set(heard) == {"topic_removed", "topic_updated", "tallies"}
    assert heard["topic_removed"] == {
        "topic_id": dup["topic_id"],
        "reason": "merged",
        "merged_into": kept["topic_id"],
        "version": heard["topic_removed"]["version"],
    }
    assert len(heard["topic_updated"]["topic"]["host_ids"]) == 2
    assert heard["tallies"]["counts"] == [[kept["topic_id"], 1]]
    mine = [m for m in received(celine) if m["name"] == "my_votes"]
    assert mine[-1]["args"][0]["left"] == 2  # one vote back to spend


def test_the_spotlight_is_heard_by_the_projector(market):
    amelie = market.person("Amélie")
    topic_id = emit(amelie, "topic_propose", op_id="p1", title="Open data")["topic_id"]
    received(market.projector)
    emit(market.projector, "topic_spotlight", op_id="s1", topic_id=topic_id)
    [message] = received(market.projector)
    assert message["name"] == "spotlight"
    assert message["args"][0]["topic_id"] == topic_id


def test_a_flood_of_proposals_is_slowed_per_person_not_per_address(market, app):
    amelie, baptiste = market.person("Amélie"), market.person("Baptiste")
    acks = [
        emit(amelie, "topic_propose", op_id=f"f{i}", title=f"Sujet {i}", allow_similar=True)
        for i in range(11)
    ]
    assert all(ack["ok"] for ack in acks[:10])
    assert acks[10]["error"]["code"] == "rate_limited"
    # Baptiste shares Amélie's address (the same ministry) and is not slowed down.
    assert emit(baptiste, "topic_propose", op_id="b1", title="Autre sujet")["ok"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Topic.id))) == 11


def test_a_reconnecting_page_gets_the_whole_marketplace(market, app, socket_client):
    amelie = market.person("Amélie")
    topic_id = emit(amelie, "topic_propose", op_id="p1", title="Open data")["topic_id"]
    emit(amelie, "vote_cast", op_id="v1", topic_id=topic_id)
    again = socket_client(amelie.flask_test_client, market.event)
    [snapshot] = [m["args"][0] for m in received(again) if m["name"] == "snapshot"]
    assert [t["id"] for t in snapshot["topics"]] == [topic_id]
    assert snapshot["tallies"]["counts"] == [[topic_id, 1]]
    assert snapshot["me"]["left"] == 2
    assert snapshot["event"]["voting_open"] is True
