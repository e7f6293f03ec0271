"""The marketplace without JavaScript: every action is a plain form that works."""

import re

import pytest
from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import Event, Role, Topic, Vote
from tests.conftest import join, text_of


@pytest.fixture
def camp(app, make_event):
    """An event with proposals and voting open; an attendee browser and a facilitator's."""
    event, keys = make_event()
    with app.app_context():
        stored = db.session.get(Event, event.id)
        stored.proposals_open = stored.voting_open = True
        db.session.commit()
    attendee, facilitator = app.test_client(), app.test_client()
    join(attendee, event, "Amélie")
    facilitator.get(f"/e/{event.code}/key/{keys[Role.FACILITATOR]}")
    join(facilitator, event, "Paul")
    return event, attendee, facilitator, keys


def topics(app):
    with app.app_context():
        found = db.session.scalars(select(Topic).order_by(Topic.id)).all()
        for topic in found:
            topic.hosts = topic.host_ids()  # read while attached
        return {t.title: t for t in found}


def votes(app):
    with app.app_context():
        return [(v.topic_id, v.dots) for v in db.session.scalars(select(Vote))]


def propose(browser, event, title, **fields):
    return browser.post(
        f"/e/{event.code}/topics", data={"title": title, "format": "discussion", **fields}
    )


def flashes(page):
    return re.findall(r'class="flash flash-\w+"[^>]*>([^<]+)<', page.get_data(as_text=True))


def test_a_topic_is_proposed_with_the_form(app, camp):
    event, attendee, _, _ = camp
    response = propose(
        attendee,
        event,
        "Résistance au changement",
        pitch="Comment convaincre ?",
        format="workshop",
        needs=["whiteboard", "projector"],
    )
    assert response.status_code == 303
    topic = topics(app)["Résistance au changement"]
    assert response.headers["Location"] == f"/e/{event.code}#topic-{topic.id}"
    assert topic.needs == ["projector", "whiteboard"]
    page = attendee.get(f"/e/{event.code}")
    assert "Résistance au changement" in text_of(page)
    assert "Votre sujet est sur le mur." in flashes(page)


def test_a_proposal_sent_twice_is_proposed_once(app, camp):
    """A double click, or a phone resending the form after no answer came: the form's
    operation id makes the second post land on the topic the first one made."""
    event, attendee, _, _ = camp
    page = attendee.get(f"/e/{event.code}").get_data(as_text=True)
    form = re.search(r"<form[^>]*data-propose-form.*?</form>", page, re.S).group(0)
    op_id = re.search(r'name="op_id" value="([0-9a-f]+)"', form).group(1)
    fields = {"op_id": op_id, "pitch": "Comment convaincre ?"}
    first = propose(attendee, event, "Résistance au changement", **fields)
    again = propose(attendee, event, "Résistance au changement", **fields)
    assert again.headers["Location"] == first.headers["Location"]
    assert list(topics(app)) == ["Résistance au changement"]
    other = propose(attendee, event, "Diplomatie 2.0", op_id=op_id + "0")  # a new form
    assert other.status_code == 303
    assert len(topics(app)) == 2


def test_a_near_duplicate_is_shown_before_it_is_proposed(app, camp):
    event, attendee, facilitator, _ = camp
    propose(facilitator, event, "Le cloud pour tester les usages")
    page = propose(attendee, event, "Cloud et usages")
    assert page.status_code == 409
    assert "Sujets proches déjà sur le mur" in text_of(page)
    assert 'name="allow_similar"' in page.get_data(as_text=True)
    assert 'value="Cloud et usages"' in page.get_data(as_text=True)  # the text is kept
    assert propose(attendee, event, "Cloud et usages", allow_similar="1").status_code == 303
    assert list(topics(app)) == ["Le cloud pour tester les usages", "Cloud et usages"]


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Ce champ est obligatoire."),
        ("x" * 500, "120 caractères au maximum"),
    ],
)
def test_a_bad_proposal_is_explained_and_nothing_is_saved(app, camp, title, message):
    event, attendee, _, _ = camp
    page = propose(attendee, event, title, pitch="Mon pitch gardé")
    assert page.status_code == 422
    assert message in text_of(page)
    assert "Mon pitch gardé" in page.get_data(as_text=True)
    assert topics(app) == {}


def test_voting_and_taking_a_vote_back_with_buttons(app, camp):
    event, attendee, facilitator, _ = camp
    propose(facilitator, event, "Diplomatie 2.0")
    topic = topics(app)["Diplomatie 2.0"]
    attendee.post(f"/e/{event.code}/topics/vote", data={"topic_id": topic.id})
    assert votes(app) == [(topic.id, 1)]
    page = attendee.get(f"/e/{event.code}")
    assert "Il vous reste 2 votes sur 3" in text_of(page)
    assert "1 vote" in text_of(page)
    again = attendee.post(f"/e/{event.code}/topics/vote", data={"topic_id": topic.id})
    assert "Vous avez déjà voté pour ce sujet." in flashes(attendee.get(again.headers["Location"]))
    attendee.post(f"/e/{event.code}/topics/unvote", data={"topic_id": topic.id})
    assert votes(app) == []


def test_votes_are_refused_once_voting_is_closed(app, camp):
    event, attendee, facilitator, _ = camp
    propose(facilitator, event, "Open data")
    topic = topics(app)["Open data"]
    facilitator.post(f"/e/{event.code}/facilitate/marketplace", data={"voting_open": "false"})
    response = attendee.post(f"/e/{event.code}/topics/vote", data={"topic_id": topic.id})
    assert "Le vote n’est pas ouvert." in flashes(attendee.get(response.headers["Location"]))
    assert votes(app) == []


def test_joining_a_topic_as_co_host_and_leaving_it(app, camp):
    event, attendee, facilitator, _ = camp
    propose(facilitator, event, "Travailler en réseau")
    topic = topics(app)["Travailler en réseau"]
    attendee.post(f"/e/{event.code}/topics/cohost", data={"topic_id": topic.id})
    assert len(topics(app)["Travailler en réseau"].hosts) == 2
    attendee.post(f"/e/{event.code}/topics/cohost/leave", data={"topic_id": topic.id})
    assert len(topics(app)["Travailler en réseau"].hosts) == 1


def test_the_proposer_edits_and_withdraws_others_cannot(app, camp, other_client):
    event, attendee, _, _ = camp
    propose(attendee, event, "Mon sujet")
    topic = topics(app)["Mon sujet"]
    edit = f"/e/{event.code}/topics/{topic.id}/edit"
    assert attendee.get(edit).status_code == 200
    attendee.post(edit, data={"title": "Mon sujet précisé", "format": "talk"})
    assert topics(app)["Mon sujet précisé"].format == "talk"
    join(other_client, event, "Baptiste")
    assert other_client.get(edit).status_code == 303
    other_client.post(edit, data={"title": "Volé", "format": "talk"})
    other_client.post(f"/e/{event.code}/topics/withdraw", data={"topic_id": topic.id})
    assert topics(app)["Mon sujet précisé"].status == "open"
    attendee.post(f"/e/{event.code}/topics/withdraw", data={"topic_id": topic.id})
    assert topics(app)["Mon sujet précisé"].status == "withdrawn"


def test_the_facilitator_page_is_for_facilitators(app, camp):
    event, attendee, facilitator, _ = camp
    assert attendee.get(f"/e/{event.code}/facilitate").status_code == 404
    assert facilitator.get(f"/e/{event.code}/facilitate").status_code == 200
    response = attendee.post(
        f"/e/{event.code}/facilitate/marketplace", data={"proposals_open": "false"}
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Event, event.id).proposals_open


def test_the_facilitator_tidies_the_wall(app, camp):
    event, attendee, facilitator, _ = camp
    propose(attendee, event, "Résistance au changement")
    propose(facilitator, event, "Convaincre sa hiérarchie")
    kept, duplicate = topics(app).values()
    attendee.post(f"/e/{event.code}/topics/vote", data={"topic_id": duplicate.id})
    base = f"/e/{event.code}/facilitate"

    facilitator.post(f"{base}/spotlight", data={"topic_id": kept.id})
    assert topics(app)["Résistance au changement"].spotlight
    facilitator.post(f"{base}/merge", data={"source_id": duplicate.id, "target_id": kept.id})
    assert topics(app)["Convaincre sa hiérarchie"].status == "merged"
    assert votes(app) == [(kept.id, 1)]
    facilitator.post(f"{base}/hide", data={"topic_id": kept.id})
    assert topics(app)["Résistance au changement"].status == "hidden"
    assert votes(app) == []
    page = facilitator.get(base)
    assert "Sujets masqués" in text_of(page)
    facilitator.post(f"{base}/unhide", data={"topic_id": kept.id})
    assert topics(app)["Résistance au changement"].status == "open"


def test_the_organizer_sets_the_voting_rules(app, camp, client):
    event, _, _, keys = camp
    client.get(f"/e/{event.code}/key/{keys[Role.ORGANIZER]}")
    path = f"/e/{event.code}/organize/voting"
    ok = client.post(
        path, data={"vote_budget": "5", "max_votes_per_topic": "2", "blind_voting": "y"}
    )
    assert ok.status_code == 303
    bad = client.post(path, data={"vote_budget": "0", "max_votes_per_topic": "1"})
    assert bad.status_code == 422
    assert "Indiquez un nombre de votes entre 1 et 20." in text_of(bad)
    with app.app_context():
        stored = db.session.get(Event, event.id)
        assert (stored.vote_budget, stored.max_votes_per_topic, stored.blind_voting) == (5, 2, True)


def test_the_projector_ranks_topics_by_votes(app, camp, other_client):
    event, attendee, facilitator, _ = camp
    for title in ("Un sujet peu suivi", "Le sujet du jour"):
        propose(facilitator, event, title, allow_similar="1")
    favourite = topics(app)["Le sujet du jour"]
    attendee.post(f"/e/{event.code}/topics/vote", data={"topic_id": favourite.id})
    page = facilitator.get(f"/e/{event.code}/screen").get_data(as_text=True)
    ranking = re.findall(r'data-slot="title">([^<]+)<', page.split('data-live="ranking"')[1])
    assert ranking[:2] == ["Le sujet du jour", "Un sujet peu suivi"]
    assert 'data-mode="wall"' in page


def test_plain_forms_have_the_same_budget_as_the_live_page(app, camp, socket_client):
    """Proposing and voting through plain forms is limited as through the socket (10
    proposals, 60 vote changes a minute), and a vote's cast and withdraw, on either
    path, count against one budget."""
    event, attendee, _, _ = camp
    for n in range(10):
        propose(attendee, event, f"Sujet numéro {n}", allow_similar="y")
    eleventh = propose(attendee, event, "Un sujet de trop", allow_similar="y")
    assert eleventh.status_code == 429
    assert "Trop de demandes en peu de temps" in text_of(eleventh)
    assert 'value="Un sujet de trop"' in eleventh.get_data(as_text=True)  # kept
    assert len(topics(app)) == 10

    topic = topics(app)["Sujet numéro 0"]
    sio = socket_client(attendee, event)
    for n in range(30):  # 30 changes on the live page, cast and withdraw alternately
        name = "vote_cast" if n % 2 == 0 else "vote_withdraw"
        ack = sio.emit(name, {"op_id": f"live-{n}", "topic_id": topic.id}, callback=True)
        assert ack["ok"], ack
    for n in range(30):  # then 30 through the buttons: the budget is now spent
        path = "vote" if n % 2 == 0 else "unvote"
        attendee.post(f"/e/{event.code}/topics/{path}", data={"topic_id": topic.id})
    refused = attendee.post(f"/e/{event.code}/topics/vote", data={"topic_id": topic.id})
    assert flashes(attendee.get(refused.headers["Location"])) == [
        "Trop de demandes en peu de temps. Merci de patienter un instant."
    ]
    assert votes(app) == []
    ack = sio.emit("vote_cast", {"op_id": "live-last", "topic_id": topic.id}, callback=True)
    assert ack["error"]["code"] == "rate_limited"
