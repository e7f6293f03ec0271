"""Building the grid as the facilitator lives it: the optimizer searches outside any
transaction while its best score so far shows on the page, and what it found is
written only if votes and the grid are still what it worked from."""

import uuid

import pytest
from sqlalchemy import func, select

from barcamp.database import WaitedInsideUnitOfWork
from barcamp.extensions import db
from barcamp.models import AppliedOperation, Participant, Role, Session, Topic
from barcamp.scheduling.worker import SearchRun
from barcamp.services import optimizer, voting
from barcamp.unit_of_work import unit_of_work
from tests.conftest import received
from tests.test_routes_schedule import camp, sessions  # noqa: F401 (fixture)


@pytest.fixture
def console(camp, socket_client):  # noqa: F811
    event, facilitator, *_ = camp
    sio = socket_client(facilitator, event)
    received(sio)
    return sio


def ask_for_the_grid(console, op_id=None):
    return console.emit(
        "schedule_optimize", {"op_id": op_id or f"grid-{uuid.uuid4()}"}, callback=True
    )


def test_the_facilitator_sees_the_optimizer_at_work_then_its_grid(app, console):
    ack = ask_for_the_grid(console)
    assert ack["ok"] is True, ack
    progress = [message["args"][0] for message in received(console, "schedule_progress")]
    assert progress[0]["state"] == "running"
    assert progress[0]["best"] is None  # reading the votes
    searching = [p for p in progress if p["state"] == "running" and p["best"] is not None]
    assert searching, progress
    assert all(0 <= p["done"] <= 1 for p in searching)
    assert [p["best"] for p in searching] == sorted(p["best"] for p in searching)
    assert progress[-1] == {
        "run": progress[0]["run"],
        "state": "done",
        "best": ack["report"]["score"],
        "upper_bound": ack["report"]["upper_bound"],
        "done": 1.0,
    }
    assert len(sessions(app)) == 3


def test_attendees_do_not_hear_the_optimizer_at_work(app, camp, console, socket_client):  # noqa: F811
    event, _, amelie, *_ = camp
    phone = socket_client(amelie, event)
    received(phone)
    assert ask_for_the_grid(console)["ok"]
    heard = [message["name"] for message in received(phone)]
    assert "schedule_updated" in heard
    assert "schedule_progress" not in heard


def test_a_vote_cast_during_the_search_is_not_overwritten(app, camp, console, monkeypatch):  # noqa: F811
    """Votes change while the optimizer searches: its grid would ignore them, so it is
    not written; the facilitator is told and builds again."""
    *_, ids = camp
    search = SearchRun.run

    def search_while_someone_votes(self, on_progress=None):
        answer = search(self, on_progress)
        with unit_of_work():  # Paul votes for the third topic meanwhile
            paul = db.session.scalar(select(Participant).where(Participant.display_name == "Paul"))
            voting.cast_vote(paul, ids[2])
        return answer

    monkeypatch.setattr(SearchRun, "run", search_while_someone_votes)
    op_id = f"grid-{uuid.uuid4()}"
    stale = ask_for_the_grid(console, op_id)
    assert stale["ok"] is False
    assert stale["error"]["code"] == "schedule_stale"
    assert "nothing was changed" in stale["error"]["message"] or "rien" in stale["error"]["message"]
    assert sessions(app) == {}
    assert received(console, "schedule_progress")[-1]["args"][0]["state"] == "stale"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AppliedOperation)) == 0

    monkeypatch.setattr(SearchRun, "run", search)
    again = ask_for_the_grid(console, op_id)  # the stale try stored nothing: it runs again
    assert again["ok"] is True, again
    assert len(sessions(app)) == 3


def test_a_pin_placed_by_hand_during_the_search_is_kept(app, camp, console, monkeypatch):  # noqa: F811
    event, facilitator, *_, ids = camp
    facilitator.post(f"/e/{event.code}/schedule/optimize")
    before = sessions(app)
    search = SearchRun.run

    def search_while_a_session_is_pinned(self, on_progress=None):
        answer = search(self, on_progress)
        assert console.emit(
            "schedule_pin", {"op_id": f"pin-{uuid.uuid4()}", "topic_id": ids[0]}, callback=True
        )["ok"]
        return answer

    monkeypatch.setattr(SearchRun, "run", search_while_a_session_is_pinned)
    assert ask_for_the_grid(console)["error"]["code"] == "schedule_stale"
    assert sessions(app) == before
    with app.app_context():
        assert db.session.scalar(select(Session.pinned).where(Session.topic_id == ids[0]))


def test_a_grid_built_twice_under_one_operation_id_is_built_once(app, console):
    op_id = f"grid-{uuid.uuid4()}"
    first = ask_for_the_grid(console, op_id)
    assert first["ok"]
    assert ask_for_the_grid(console, op_id) == first
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AppliedOperation)) == 1


def test_the_search_never_runs_inside_a_unit_of_work(app, camp):  # noqa: F811
    """A unit of work holds every other writer up: the optimizer refuses to wait there."""
    with app.app_context():
        from barcamp.identity import Visitor

        paul = db.session.scalar(select(Participant).where(Participant.display_name == "Paul"))
        facilitator = Visitor(db.session.get(Topic, 1).event, paul, Role.FACILITATOR)
        with pytest.raises(WaitedInsideUnitOfWork), unit_of_work():
            optimizer.optimize(facilitator)
    assert sessions(app) == {}


def test_nothing_that_waits_runs_inside_a_unit_of_work_in_tests(app):
    import time

    with app.app_context(), pytest.raises(WaitedInsideUnitOfWork), unit_of_work():
        time.sleep(0.01)


def test_the_same_event_gives_the_same_grid(app, camp, console):  # noqa: F811
    """Built again with nothing changed, the grid stays as it is, session for session."""
    assert ask_for_the_grid(console)["ok"]
    first = sessions(app)
    again = ask_for_the_grid(console)
    assert again["ok"]
    assert sessions(app) == first  # same cells, same session rows (nothing moved)
