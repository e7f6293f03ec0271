"""The whole event as one JSON file, and back: an organizer keeps the day's data, moves
it to another instance, and gets the same event there."""

import json

import pytest
from pycrdt import Doc, Text
from sqlalchemy import func, select

from barcamp.demo import create_demo, publish_demo_grid
from barcamp.extensions import db
from barcamp.models import Event, Note, NoteUpdate, Participant
from barcamp.services.exports.dump import VERSION, DumpRefused, dump, dump_json, load, parse
from barcamp.services.note_documents import BODY
from barcamp.unit_of_work import unit_of_work
from tests.conftest import app_on_copy, database_template, terminal_language


def build_afternoon():
    """The demo barcamp with its grid published and its workshops' notes written."""
    with unit_of_work():
        event, _ = create_demo()
    publish_demo_grid(event)
    return event.code


@pytest.fixture(scope="module")
def afternoon_database(tmp_path_factory):
    return database_template(tmp_path_factory, build_afternoon)  # built once: ~2 s


@pytest.fixture
def app(tmp_path, afternoon_database):
    """Each test starts from its own copy of the afternoon."""
    with app_on_copy(afternoon_database[0], tmp_path) as app:
        yield app


@pytest.fixture
def afternoon(afternoon_database):
    return afternoon_database[1]


def events_count():
    return db.session.scalar(select(func.count()).select_from(Event))


def test_export_then_import_into_an_empty_instance_then_export_gives_the_same_dump(
    app, afternoon, tmp_path, monkeypatch
):
    terminal_language(monkeypatch, "fr_FR.UTF-8")  # the operator's terminal
    path = tmp_path / "bercy.json"
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["export-event", afternoon, "-o", str(path)])
    assert exported.exit_code == 0, exported.output
    first = path.read_text(encoding="utf-8")
    data = json.loads(first)
    assert data["format"] == "barcamp-event"
    assert data["version"] == VERSION
    tables = data["tables"]
    # Everything the day made is in it.
    assert len(tables["participant"]) == 60
    assert {"room", "slot", "topic", "vote", "session", "note", "note_update", "talk"} <= set(
        tables
    )
    assert tables["question"]
    assert tables["question_upvote"]
    assert tables["session_role"]
    assert all(note["text"] for note in tables["note"])
    # No secret leaves: neither the role links' nor anybody's resume link.
    assert "organizer_key_digest" not in tables["event"][0]
    assert all("resume_key_digest" not in person for person in tables["participant"])

    with app.app_context():  # the instance emptied, as a new one would be
        with unit_of_work():
            db.session.delete(db.session.scalar(select(Event)))
        assert events_count() == 0

    imported = runner.invoke(args=["import-event", str(path)])
    assert imported.exit_code == 0, imported.output
    assert "Événement importé" in imported.output
    assert "lien d’organisation :" in imported.output
    again = runner.invoke(args=["export-event", afternoon])
    assert again.exit_code == 0
    assert again.output == first


def test_an_imported_note_is_the_same_live_document_not_only_its_text(app, afternoon):
    with app.app_context():
        data = dump(db.session.scalar(select(Event)))
        with unit_of_work():
            copy, _ = load(data, code="BERCY2")
        original = db.session.scalar(select(Event).where(Event.code == afternoon))
        for event in (original, copy):
            notes = db.session.scalars(
                select(Note).where(Note.event_id == event.id).order_by(Note.id)
            ).all()
            texts = []
            for note in notes:
                doc = Doc()
                for update in db.session.scalars(
                    select(NoteUpdate.data).where(NoteUpdate.note_id == note.id)
                ):
                    doc.apply_update(update)
                texts.append(str(doc.get(BODY, type=Text)))
                assert texts[-1] == note.text
            event.texts = texts
        assert original.texts == copy.texts
        assert len(copy.texts) == 8
        # Ids are the database's own: the copy shares none of the original's rows.
        people = select(Participant.id).where(Participant.event_id == original.id)
        assert not set(db.session.scalars(people)) & set(
            db.session.scalars(select(Participant.id).where(Participant.event_id == copy.id))
        )
        # And its dump is the original's under the new code.
        assert dump_json(copy).replace('"BERCY2"', f'"{afternoon}"') == dump_json(original)


def damaged(data, change):
    data = json.loads(json.dumps(data))
    change(data["tables"])
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "pas du JSON valide"),
        ('{"hello": "world"}', "pas un export d'événement Barcamp"),
        ('{"format": "barcamp-event", "version": 99, "tables": {}}', "version 99"),
        ('{"format": "barcamp-event", "version": 1, "tables": {}}', "aucun événement"),
    ],
)
def test_a_foreign_or_broken_file_is_refused_plainly(app, text, message):
    with app.app_context(), pytest.raises(DumpRefused) as refused:
        parse(text)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t["participant"][5].update(display_name="x" * 500),
            "participant.display_name a une valeur impossible",
        ),
        (lambda t: t["vote"][0].update(dots="beaucoup"), "vote.dots"),
        (lambda t: t["vote"][3].update(topic_id=999), "vote.topic_id renvoie à une ligne"),
        (lambda t: t["note_update"][0].update(data="%%% pas du base64"), "note_update.data"),
        (lambda t: t["seat"].append({"id": 1, "secret": "x"}), "seat.secret"),
        (lambda t: t.update(passwords=[]), "passwords"),
        (lambda t: t["slot"][0].pop("starts_at"), "slot.starts_at manque"),
    ],
)
def test_a_damaged_export_is_refused_and_nothing_is_half_imported(app, afternoon, change, message):
    with app.app_context():
        original = dump(db.session.scalar(select(Event)))
        text = damaged(original, change)
        before = events_count()
        people = db.session.scalar(select(func.count()).select_from(Participant))
        with pytest.raises(DumpRefused) as refused, unit_of_work():
            load(parse(text), code="COPIE")
        assert message in str(refused.value)
        assert events_count() == before
        assert db.session.scalar(select(func.count()).select_from(Participant)) == people


def test_an_event_is_not_imported_over_one_with_its_code(app, afternoon, tmp_path, monkeypatch):
    terminal_language(monkeypatch, "fr_FR.UTF-8")
    path = tmp_path / "bercy.json"
    runner = app.test_cli_runner()
    runner.invoke(args=["export-event", afternoon, "-o", str(path)])
    refused = runner.invoke(args=["import-event", str(path)])
    assert refused.exit_code == 1
    assert "porte déjà le code BERCY" in refused.output
    accepted = runner.invoke(args=["import-event", str(path), "--code", "bercy-2"])
    assert accepted.exit_code == 0, accepted.output
    assert "(BERCY2)" in accepted.output
    missing = runner.invoke(args=["export-event", "NOPE"])
    assert missing.exit_code == 1
    assert "NOPE" in missing.output
