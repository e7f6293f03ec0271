"""Fifty people a second at the doors: the event page is put together from fragments
shared by everyone it shows nothing personal to (the wall, "Who is here", the blank
proposal form), and the shared snapshot follows arrivals without reading everyone
again. Each shortcut must give exactly the page and the snapshot read afresh."""

import re

import pytest
from sqlalchemy import event as sqlalchemy_event

from barcamp.extensions import db
from barcamp.routes import views
from barcamp.services import snapshots
from tests.conftest import join, open_wall, received

# What differs between two renderings of the same page: the security token and the
# operation ids of plain forms.
VOLATILE = re.compile(r'(name="(?:csrf_token|op_id)"[^>]*value=")[^"]*(")')


def normalized(response):
    assert response.status_code == 200
    return VOLATILE.sub(r"\1…\2", response.get_data(as_text=True))


@pytest.fixture
def wall(app):
    return open_wall(app)


@pytest.fixture
def uncached(monkeypatch):
    """Render every fragment afresh (and read every snapshot part again)."""

    def render_afresh():
        monkeypatch.setattr(views.FragmentCache, "render", lambda self, key, render: str(render()))
        snapshots._shared._parts.clear()

    return render_afresh


def page(client, event):
    return normalized(client.get(f"/e/{event.code}"))


def test_the_page_of_someone_arriving_is_the_page_rendered_afresh(
    app, client, other_client, socket_client, wall, uncached
):
    event, _ = wall
    join(client, event, "Amélie")
    page(client, event)  # the fragments are kept now
    cached = [page(client, event), page(other_client, event)]
    uncached()
    assert [page(client, event), page(other_client, event)] == cached
    assert 'class="me"' in cached[0]  # her own line in "Who is here", marked
    assert 'class="me"' not in cached[1]  # a visitor not yet in: nobody's line marked


def test_what_is_personal_never_comes_from_someone_else(
    app, client, other_client, socket_client, wall, uncached
):
    event, ids = wall
    join(other_client, event, "Baptiste")
    page(other_client, event)  # Baptiste, with no vote yet, fills the cache
    join(client, event, "Amélie")
    sio = socket_client(client, event)
    assert sio.emit("vote_cast", {"op_id": "v-1", "topic_id": ids[0]}, callback=True)["ok"]
    with_her_vote = page(client, event)
    assert '<span class="dots" aria-hidden="true">●</span>' in with_her_vote
    kept = page(other_client, event)
    uncached()
    assert page(client, event) == with_her_vote
    assert page(other_client, event) == kept


def test_a_host_renamed_shows_on_every_card_at_once(app, client, other_client, wall):
    event, _ = wall
    before = page(other_client, event)
    assert "Personne 0" in before
    join(client, event, "Amélie")
    # Personne 0, who proposed the first topic, changes her name on her own page.
    with app.app_context():
        from barcamp.models import Participant
        from barcamp.services import participants as participant_service
        from barcamp.unit_of_work import unit_of_work

        with unit_of_work():
            host = db.session.scalars(
                db.select(Participant).filter_by(event_id=event.id, display_name="Personne 0")
            ).one()
            participant_service.rename(host, "Pauline Zéro")
    after = page(other_client, event)
    assert "Pauline Zéro" in after
    assert "Personne 0" not in after


def test_an_arrival_does_not_make_the_next_page_read_everyone_again(
    app, client, other_client, wall
):
    event, _ = wall
    page(other_client, event)
    join(client, event, "Amélie")  # one more arrival: the snapshot follows it
    read = []

    def count(_connection, _cursor, statement, *_args):
        read.append(statement)

    with app.app_context():
        engine = db.engine
    sqlalchemy_event.listen(engine, "before_cursor_execute", count)
    try:
        assert "Amélie" in page(other_client, event)
    finally:
        sqlalchemy_event.remove(engine, "before_cursor_execute", count)
    assert not [s for s in read if "FROM participants" in s and "event_id" in s], read


def test_the_followed_snapshot_is_the_snapshot_read_afresh(
    app, client, other_client, socket_client, wall, uncached
):
    event, _ = wall
    state = f"/e/{event.code}/state.json"
    assert other_client.get(state).status_code == 200  # kept, then followed
    for n in range(5):
        join(app.test_client(), event, f"Arrivée {n}")
    join(client, event, "Amélie")
    sio = socket_client(client, event)
    received(sio)
    sio.emit("participant_rename", {"op_id": "r-1", "name": "Amélie B."}, callback=True)
    join(app.test_client(), event, "Dernière")
    followed = other_client.get(state).json
    uncached()
    assert other_client.get(state).json == followed
    names = [p["name"] for p in followed["participants"]]
    assert names[-3:] == ["Arrivée 4", "Amélie B.", "Dernière"]
    assert followed["present"] == len(names)
