"""People join with a display name only; names are cleaned, never interpreted."""

import pytest
from sqlalchemy import select

from barcamp.changes import take_recorded
from barcamp.errors import ValidationFailed
from barcamp.extensions import db
from barcamp.models import Participant
from barcamp.security import matches
from barcamp.services import participants as participant_service
from barcamp.unit_of_work import unit_of_work
from tests.conftest import new_event

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Amélie", "Amélie"),
        ("  Jean   Marc  ", "Jean Marc"),
        ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
        ("Zoé\u202e\u0007 N.", "Zoé N."),  # bidi override and bell removed
        ("Ame\u0301lie", "Amélie"),  # composed to NFC
        ("x" * 60, "x" * 60),
    ],
)
def test_a_display_name_is_cleaned_but_kept_as_typed(typed, stored):
    event, _ = new_event()
    with unit_of_work():
        participant, secret = participant_service.join(event, typed)
    assert participant.display_name == stored
    assert secret
    assert participant.resume_key_digest != secret


@pytest.mark.parametrize("typed", ["", "   ", "\u200b\u0007", "x" * 61, "x" * 200, None, 42])
def test_an_unusable_display_name_is_refused_and_nothing_is_saved(typed):
    event, _ = new_event()
    with pytest.raises(ValidationFailed) as failure, unit_of_work():
        participant_service.join(event, typed)
    assert "display_name" in failure.value.errors
    assert db.session.scalar(select(db.func.count(Participant.id))) == 0


def test_joining_renaming_and_leaving_are_each_recorded_for_the_live_pages():
    event, _ = new_event()
    start = event.version
    with unit_of_work():
        alice, _ = participant_service.join(event, "Alice")
    with unit_of_work():
        participant_service.rename(alice, "Alice B.")
    with unit_of_work():
        participant_service.rename(alice, "Alice B.")  # same name: nothing to tell
    with unit_of_work():
        participant_service.leave(alice)
    assert event.version == start + 3
    assert db.session.scalar(select(db.func.count(Participant.id))) == 0


def test_a_rolled_back_change_is_never_published():
    event, _ = new_event()

    def join_then_fail():
        with unit_of_work():
            participant_service.join(event, "Alice")
            raise RuntimeError("boom after the write")

    with pytest.raises(RuntimeError):
        join_then_fail()
    assert take_recorded() == []
    assert db.session.scalar(select(db.func.count(Participant.id))) == 0
    db.session.refresh(event)
    assert event.version == 0


def test_a_new_resume_link_replaces_the_old_one():
    event, _ = new_event()
    with unit_of_work():
        alice, old = participant_service.join(event, "Alice")
    with unit_of_work():
        new = participant_service.renew_resume_link(alice)
    assert new != old
    assert matches(new, alice.resume_key_digest)
    assert not matches(old, alice.resume_key_digest)
