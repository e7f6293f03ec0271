"""During a talk the room asks questions and upvotes them, live; the facilitator hides
abusive ones, marks one answered, shows one on the projector. Anonymous questions keep
their author's name from the room, never from the facilitators."""

import html

import pytest
from sqlalchemy import func, select

from barcamp.extensions import db
from barcamp.models import Question, QuestionUpvote
from barcamp.ratelimit import limiter
from tests.conftest import join, received, text_of
from tests.test_talks import plenary, token, write  # noqa: F401


@pytest.fixture
def room(app, plenary, socket_client):  # noqa: F811
    """A published testimony; the facilitator's and two attendees' live connections."""
    event, slot_id, facilitator, amelie = plenary
    page = write(facilitator, event, slot_id).headers["Location"]
    facilitator.post(
        f"{page}/publish", data={"csrf_token": token(facilitator, page), "published": "1"}
    )
    baptiste = app.test_client()
    join(baptiste, event, "Baptiste")

    class Room:
        pass

    room = Room()
    room.event, room.page, room.slot_id = event, page, slot_id
    room.talk_id = int(page.rsplit("/", 1)[1])
    room.browsers = {"facilitator": facilitator, "amelie": amelie, "baptiste": baptiste}
    room.sockets = {name: socket_client(b, event) for name, b in room.browsers.items()}
    for sio in room.sockets.values():
        received(sio)
    return room


def ask(room, who, text, *, op_id=None, anonymous=False):
    return room.sockets[who].emit(
        "question_ask",
        {
            "op_id": op_id or f"ask-{who}-{hash(text)}",
            "talk_id": room.talk_id,
            "text": text,
            "anonymous": anonymous,
        },
        callback=True,
    )


def upvote(room, who, question_id, up=True, op_id=None):
    return room.sockets[who].emit(
        "question_upvote",
        {"op_id": op_id or f"up-{who}-{question_id}-{up}", "question_id": question_id, "up": up},
        callback=True,
    )


def latest_questions(sio):
    """The last `questions` state a connection heard."""
    heard = [m["args"][0] for m in received(sio, "questions")]
    assert heard, "no questions state heard"
    return heard[-1]


def stored(app, model=Question):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_question_asked_reaches_the_room_and_its_upvotes_are_counted(app, room):
    asked = ask(room, "amelie", "Comment avez-vous convaincu sans budget ?")
    assert asked["ok"], asked
    state = latest_questions(room.sockets["baptiste"])
    [question] = state["questions"]
    assert question["text"] == "Comment avez-vous convaincu sans budget ?"
    assert question["author"] == "Amélie"
    assert question["upvotes"] == 0

    answer = upvote(room, "baptiste", asked["question_id"])
    assert answer["ok"], answer
    assert answer["upvotes"] == 1
    assert answer["upvoted"] == [asked["question_id"]]
    assert latest_questions(room.sockets["amelie"])["questions"][0]["upvotes"] == 1
    # Baptiste's other tabs hear what he upvoted.
    [mine] = [m["args"][0] for m in received(room.sockets["baptiste"], "my_upvotes")]
    assert mine["upvoted"] == [asked["question_id"]]
    # Twice is once; taken back, it is gone.
    assert upvote(room, "baptiste", asked["question_id"], op_id="again")["upvotes"] == 1
    assert upvote(room, "baptiste", asked["question_id"], up=False)["upvotes"] == 0
    assert stored(app, QuestionUpvote) == 0


def test_a_retried_question_is_asked_once(app, room):
    first = ask(room, "amelie", "Combien d'utilisateurs actifs ?", op_id="same")
    again = ask(room, "amelie", "Combien d'utilisateurs actifs ?", op_id="same")
    assert first == again
    assert stored(app) == 1


def test_two_tabs_upvoting_at_once_count_one(app, room, socket_client):
    question_id = ask(room, "amelie", "Et la sécurité ?")["question_id"]
    second_tab = socket_client(room.browsers["baptiste"], room.event)
    acks = [
        upvote(room, "baptiste", question_id, op_id="tab-1"),
        second_tab.emit(
            "question_upvote",
            {"op_id": "tab-2", "question_id": question_id, "up": True},
            callback=True,
        ),
    ]
    assert all(ack["ok"] for ack in acks)
    assert stored(app, QuestionUpvote) == 1
    with app.app_context():
        assert db.session.get(Question, question_id).upvotes == 1


def test_anonymous_questions_hide_their_author_from_the_room_only(app, room):
    asked = ask(room, "amelie", "Qui a payé la licence ?", anonymous=True)
    seen = latest_questions(room.sockets["baptiste"])["questions"][0]
    assert seen["author"] is None
    assert "Amélie" not in str(latest_questions(room.sockets["facilitator"]))
    # The room's page does not carry the name; the facilitator's does.
    assert "Amélie" not in room.browsers["baptiste"].get(room.page).get_data(as_text=True)
    facilitator_page = text_of(room.browsers["facilitator"].get(room.page))
    assert "Amélie" in facilitator_page
    assert asked["ok"]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "obligatoire"), ("x" * 2000, "280"), (5, "texte")],
    ids=["empty", "2000-characters", "not-text"],
)
def test_a_bad_question_gets_a_clear_error_and_stores_nothing(app, room, text, message):
    refused = ask(room, "amelie", text)
    assert not refused["ok"]
    assert message in str(refused["error"])
    assert stored(app) == 0


def test_markup_in_a_question_is_shown_as_text(app, room):
    ask(room, "amelie", "<script>alert(1)</script> <b>gras</b>")
    page = room.browsers["baptiste"].get(room.page).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert html.escape("<script>alert(1)</script>") in page


def test_an_upvote_flood_is_refused_and_counts_nothing_more(app, room):
    limiter.reset()
    question_id = ask(room, "amelie", "Une question populaire")["question_id"]
    codes = [
        upvote(room, "baptiste", question_id, up=n % 2 == 0, op_id=f"flood-{n}").get("error", {})
        for n in range(70)
    ]
    assert {"code": "rate_limited"}.items() <= codes[-1].items()
    with app.app_context():
        count = db.session.get(Question, question_id).upvotes
        rows = db.session.scalar(select(func.count()).select_from(QuestionUpvote))
    assert count == rows
    assert count in (0, 1)


def test_only_facilitators_moderate_and_a_hidden_question_leaves_the_room(app, room):
    question_id = ask(room, "amelie", "Un message déplacé")["question_id"]
    refused = room.sockets["baptiste"].emit(
        "question_moderate",
        {"op_id": "m-1", "question_id": question_id, "action": "hide"},
        callback=True,
    )
    assert not refused["ok"]
    hidden = room.sockets["facilitator"].emit(
        "question_moderate",
        {"op_id": "m-2", "question_id": question_id, "action": "hide"},
        callback=True,
    )
    assert hidden["ok"], hidden
    assert latest_questions(room.sockets["baptiste"])["questions"] == []
    assert "Un message déplacé" not in text_of(room.browsers["baptiste"].get(room.page))
    assert "Un message déplacé" in text_of(room.browsers["facilitator"].get(room.page))
    # A hidden question cannot be upvoted.
    assert not upvote(room, "baptiste", question_id)["ok"]
    answered = room.sockets["facilitator"].emit(
        "question_moderate",
        {"op_id": "m-3", "question_id": question_id, "action": "answered"},
        callback=True,
    )
    assert answered["ok"]
    assert latest_questions(room.sockets["amelie"])["questions"][0]["status"] == "answered"


def test_a_draft_or_another_events_talk_takes_no_question(app, room, make_event, socket_client):
    draft = write(room.browsers["facilitator"], room.event, room.slot_id, title="Brouillon")
    draft_id = int(draft.headers["Location"].rsplit("/", 1)[1])
    refused = room.sockets["amelie"].emit(
        "question_ask", {"op_id": "d", "talk_id": draft_id, "text": "Déjà ?"}, callback=True
    )
    assert refused["error"]["code"] == "questions_closed"
    other, _keys = make_event(name="Un autre barcamp")
    stranger = app.test_client()
    join(stranger, other, "Zoé")
    outsider = socket_client(stranger, other)
    elsewhere = outsider.emit(
        "question_ask", {"op_id": "z", "talk_id": room.talk_id, "text": "Bonjour"}, callback=True
    )
    assert elsewhere["error"]["code"] == "not_found"
    assert stored(app) == 0


def test_without_javascript_people_ask_upvote_and_moderate_with_plain_forms(app, room):
    amelie, baptiste = room.browsers["amelie"], room.browsers["baptiste"]
    facilitator = room.browsers["facilitator"]
    sent = amelie.post(
        f"{room.page}/questions",
        data={"csrf_token": token(amelie, room.page), "text": "Par où commencer ?"},
    )
    assert sent.status_code == 303
    assert "Par où commencer ?" in text_of(baptiste.get(room.page))
    with app.app_context():
        question_id = db.session.scalar(select(Question.id))
    up = baptiste.post(
        f"{room.page}/questions/{question_id}/upvote",
        data={"csrf_token": token(baptiste, room.page), "up": "true"},
    )
    assert up.status_code == 303
    assert 'aria-pressed="true"' in baptiste.get(room.page).get_data(as_text=True)
    done = facilitator.post(
        f"{room.page}/questions/{question_id}/moderate",
        data={"csrf_token": token(facilitator, room.page), "action": "answered"},
    )
    assert done.status_code == 303
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert (question.upvotes, question.status) == (1, "answered")
    # Too long: refused on the page, what was typed still there, nothing stored.
    long_text = "Une très longue question " * 100
    refused = amelie.post(
        f"{room.page}/questions",
        data={"csrf_token": token(amelie, room.page), "text": long_text},
    )
    assert refused.status_code == 422
    assert "280" in text_of(refused)
    assert "Une très longue question" in refused.get_data(as_text=True)
    assert stored(app) == 1
    # An attendee's moderation is refused.
    baptiste.post(
        f"{room.page}/questions/{question_id}/moderate",
        data={"csrf_token": token(baptiste, room.page), "action": "hide"},
    )
    with app.app_context():
        assert db.session.get(Question, question_id).status == "answered"


def test_the_projector_shows_a_question_chosen_by_the_facilitator(app, room):
    question_id = ask(room, "amelie", "Quel budget pour la suite ?")["question_id"]
    shown = room.sockets["facilitator"].emit(
        "screen_set",
        {"op_id": "s-1", "mode": "plenary", "question_id": question_id},
        callback=True,
    )
    assert shown["ok"], shown
    assert shown["screen"] == {
        "mode": "plenary",
        "talk_id": room.talk_id,
        "question_id": question_id,
        "step": 0,
        "page": None,  # the wall's pages turn on their own
    }
    [heard] = [m["args"][0] for m in received(room.sockets["baptiste"], "screen_updated")]
    assert heard["screen"]["question_id"] == question_id
    facilitator = room.browsers["facilitator"]
    screen = text_of(facilitator.get(f"/e/{room.event.code}/screen"))
    assert "Quel budget pour la suite ?" in screen
    assert "Un réseau social" in screen  # the talk on stage
    # Attendees cannot drive the projector.
    refused = room.sockets["baptiste"].emit(
        "screen_set", {"op_id": "s-2", "mode": "auto"}, callback=True
    )
    assert not refused["ok"]
