"""A plenary talk has live notes like a workshop's (same editor, same guarantees), and
its page keeps every save with who made it: the speaker through their link, the
facilitator, each named in the history."""

import pytest
from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import Note, NoteRevision, Talk, TalkRevision
from tests.conftest import join, text_of
from tests.test_notes import Writer
from tests.test_talks import plenary, speaker_link, token, write  # noqa: F401


@pytest.fixture
def talk(app, plenary):  # noqa: F811
    """A published testimony in the opening plenary; its page's path."""
    event, slot_id, facilitator, attendee = plenary
    page = write(facilitator, event, slot_id).headers["Location"]
    facilitator.post(
        f"{page}/publish", data={"csrf_token": token(facilitator, page), "published": "1"}
    )
    talk_id = int(page.rstrip("/").rsplit("/", 1)[1])
    return event, talk_id, page, facilitator, attendee, slot_id


def note_of_talk(app, talk_id):
    with app.app_context():
        return db.session.scalar(select(Note).where(Note.talk_id == talk_id))


def test_note_takers_write_the_talks_notes_together_and_the_room_reads_them(
    app, talk, socket_client
):
    event, talk_id, page, _facilitator, amelie, _slot = talk
    baptiste = app.test_client()
    join(baptiste, event, "Baptiste")
    # Nothing written yet: the page says so, and offers to write.
    before = text_of(amelie.get(page))
    assert "Personne n'a encore écrit dans les notes" in before
    editor = amelie.get(f"{page}/notes")
    assert editor.status_code == 200
    note = note_of_talk(app, talk_id)
    assert note.topic_id is None
    assert note.text.startswith("# Un réseau social d'entreprise déployé sur le terrain")
    assert "## Questions de la salle, et les réponses" in note.text  # the event's language

    auth = {"event": event.code, "notes": True}
    first = Writer(socket_client(amelie, event, auth=auth), note.id)
    second = Writer(socket_client(baptiste, event, auth=auth), note.id)
    first.join()
    second.join()
    first.body += "- 6 000 utilisateurs en **5 mois**\n"
    assert all(ack["ok"] for ack in first.flush())
    second.hear()
    assert "6 000 utilisateurs" in second.text()

    shown = amelie.get(page)
    assert "<strong>5 mois</strong>" in shown.get_data(as_text=True)
    assert "6 000 utilisateurs" in text_of(shown)
    markdown = amelie.get(f"{page}/notes.md")
    assert "6 000 utilisateurs en **5 mois**" in markdown.get_data(as_text=True)


def test_the_talks_notes_keep_revisions_with_authors_and_bring_one_back(app, talk, socket_client):
    event, talk_id, page, _facilitator, amelie, _slot = talk
    amelie.get(f"{page}/notes")
    note = note_of_talk(app, talk_id)
    writer = Writer(
        socket_client(amelie, event, auth={"event": event.code, "notes": True}), note.id
    )
    writer.join()
    writer.body += "Première version\n"
    writer.flush()
    assert amelie.post(f"{page}/notes/revisions").status_code == 303
    writer.remove("Première version\n")
    writer.flush()
    history = text_of(amelie.get(f"{page}/notes/history"))
    assert "Révision 1" in history
    assert "Amélie" in history
    restored = amelie.post(f"{page}/notes/revisions/1/restore")
    assert restored.status_code == 303
    with app.app_context():
        assert "Première version" in db.session.get(Note, note.id).text
        reasons = db.session.scalars(
            select(NoteRevision.reason)
            .where(NoteRevision.note_id == note.id)
            .order_by(NoteRevision.number)
        ).all()
    assert reasons[0] == "manual"
    assert reasons[-1] == "restore"


def test_a_drafts_notes_are_not_open_to_the_room(app, plenary):  # noqa: F811
    event, slot_id, facilitator, attendee = plenary
    page = write(facilitator, event, slot_id).headers["Location"]
    assert attendee.get(f"{page}/notes").status_code == 404
    assert attendee.get(f"{page}/notes.md").status_code == 404
    assert facilitator.get(f"{page}/notes/history").status_code == 200


def test_someone_who_has_not_joined_is_asked_to_join_before_writing(app, talk):
    event, _talk_id, page, _facilitator, _attendee, _slot = talk
    stranger = app.test_client()
    answer = stranger.get(f"{page}/notes")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/e/{event.code}")


def test_every_save_of_the_page_is_kept_with_who_saved_it(app, talk):
    event, talk_id, page, facilitator, attendee, slot_id = talk
    speaker = app.test_client()
    link = speaker_link(facilitator, page)
    assert speaker.get(link).status_code in (302, 303)
    edit = f"{page}/edit"
    saved = write(
        speaker,
        event,
        slot_id,
        path=edit,
        summary="Déployé sur le terrain, sans budget de communication interne.",
    )
    assert saved.status_code == 303
    history = text_of(facilitator.get(f"{page}/history"))
    assert "Révision 2" in history
    assert "Enregistrée par Responsable du projet (intervenant)" in history
    with app.app_context():
        kept = db.session.scalars(
            select(TalkRevision)
            .where(TalkRevision.talk_id == talk_id)
            .order_by(TalkRevision.number)
        ).all()
        assert [r.number for r in kept] == [1, 2]
        assert kept[0].fields["summary"] == "Déployé sans budget de communication interne."
        # Saving the page unchanged keeps no new revision.
    write(speaker, event, slot_id, path=edit, summary=kept[1].fields["summary"])
    with app.app_context():
        assert (
            db.session.scalar(
                select(db.func.count(TalkRevision.id)).where(TalkRevision.talk_id == talk_id)
            )
            == 2
        )

    # The facilitator brings the first text back: a third revision, by them.
    restored = facilitator.post(
        f"{page}/history/1/restore", data={"csrf_token": token(facilitator, f"{page}/history")}
    )
    assert restored.status_code == 303
    with app.app_context():
        talk_row = db.session.get(Talk, talk_id)
        assert talk_row.summary == "Déployé sans budget de communication interne."
        last = db.session.scalar(
            select(TalkRevision)
            .where(TalkRevision.talk_id == talk_id)
            .order_by(TalkRevision.number.desc())
            .limit(1)
        )
        assert last.number == 3
    # The room does not see the history; a speaker's page history is theirs and the organizers'.
    assert attendee.get(f"{page}/history").status_code == 404
    assert attendee.post(f"{page}/history/1/restore").status_code == 404
