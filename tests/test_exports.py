"""After the day: the organizer downloads everything in one click, hands over the
proceedings (a page, its PDF), and follows up the actions apart from the readings."""

import csv
import io
import re
import zipfile

import pytest
from icalendar import Calendar
from sqlalchemy import select

from barcamp.demo import create_demo, publish_demo_grid
from barcamp.extensions import db
from barcamp.models import Event, NoteUpdate, Participant, Session, Topic
from barcamp.services import notes
from barcamp.services.exports.proceedings import owner_of, slug
from barcamp.services.note_documents import new_document
from barcamp.unit_of_work import unit_of_work
from tests.conftest import IN_CI, app_on_copy, database_template, text_of

TRAP = "<script>alert('x')</script>"
NASTY_NOTE = (
    f"## Décisions\n- {TRAP}\n- ![espion](http://127.0.0.1:9/pixel.png) "
    "[secret](file:///etc/passwd) [interne](http://10.0.0.1/admin)\n"
)


def build_afternoon():
    """The demo barcamp with its grid published and its workshops' notes; a formula
    as a topic title, and a note that tries markup, an image and local links."""
    with unit_of_work():
        event, keys = create_demo()
    publish_demo_grid(event)
    with unit_of_work():
        topic = db.session.scalar(
            select(Topic).join(Session, Session.topic_id == Topic.id).limit(1)
        )
        topic.pitch = '=HYPERLINK("http://evil.example","clic")'
        writer = db.session.scalar(select(Participant).limit(1))
        write_at_the_end(notes.note_of(topic) or notes.create_note(topic), writer, NASTY_NOTE)
    return {"code": event.code, "organizer": f"/e/{event.code}/key/{keys['organizer']}"}


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


def write_at_the_end(note, writer, text):
    """Type `text` at the end of a note, as a browser's update would."""
    db.session.flush()
    doc, body = new_document()
    for data in db.session.scalars(
        select(NoteUpdate.data).where(NoteUpdate.note_id == note.id).order_by(NoteUpdate.id)
    ):
        doc.apply_update(data)
    before = doc.get_state()
    notes.replace_text(body, str(body) + "\n" + text)
    notes.receive(note, writer, doc.get_update(before))


def as_organizer(client, afternoon):
    client.get(afternoon["organizer"])
    return client


def test_the_organizer_downloads_everything_and_each_file_reads_without_barcamp(
    app, client, afternoon
):
    as_organizer(client, afternoon)
    page = client.get("/e/BERCY/organize")
    assert "Tout, en ZIP" in text_of(page)
    response = client.get("/e/BERCY/export.zip")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    # Safe, readable names: no slash but the folders', no dot but the extension's.
    for name in names:
        assert re.fullmatch(
            r"BERCY/(README\.md|(sessions/|testimonies/)?[a-z0-9-]+\.(md|csv|ics|json))", name
        )
    sessions = [n for n in names if n.startswith("BERCY/sessions/")]
    assert len(sessions) == 8
    assert len([n for n in names if n.startswith("BERCY/testimonies/")]) == 4
    # Every link of the index and the programme opens a file of the ZIP.
    for index in ("BERCY/README.md", "BERCY/schedule.md", "BERCY/actions.md"):
        text = archive.read(index).decode()
        for target in re.findall(r"\]\(([^)]+)\)", text):
            assert f"BERCY/{target}" in names, (index, target)
    readme = archive.read("BERCY/README.md").decode()
    assert "Barcamp Bercy" in readme
    assert "Ateliers" in readme
    # A session's file: its facts up front, then its notes.
    first = archive.read(sorted(sessions)[0]).decode()
    front, body = first.split("---\n")[1:3]
    assert re.search(r'^room: "[^"]+"$', front, re.M)
    assert re.search(r"^seats_taken: \d+$", front, re.M)
    assert re.search(r'^facilitator: \["[^"]+"\]$', front, re.M)
    assert "## Décisions" in body
    # Spreadsheets: formulas defused, accents kept (a BOM for Excel), French separators.
    topics = archive.read("BERCY/topics.csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(topics), delimiter=";"))
    assert rows[0][0] == "Titre"
    pitches = [row[-1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","clic")' in pitches
    assert not any(cell.startswith("=") for row in rows for cell in row)
    actions = list(
        csv.reader(
            io.StringIO(archive.read("BERCY/actions.csv").decode("utf-8-sig")), delimiter=";"
        )
    )
    kinds = {row[0] for row in actions[1:]}
    assert kinds == {"À faire", "À lire"}
    # The calendar is valid iCalendar, one event per session, talk and break.
    calendar = Calendar.from_ical(archive.read("BERCY/schedule.ics"))
    entries = calendar.walk("VEVENT")
    assert len(entries) >= 8 + 4
    for entry in entries:
        assert entry["UID"]
        assert entry["SUMMARY"]
        assert entry["DTSTART"]
        assert entry["DTEND"]
    # And the data to import elsewhere.
    assert archive.read("BERCY/event.json").decode() == client.get("/e/BERCY/export.json").text


def test_people_other_than_the_organizers_cannot_download_the_full_export(
    app, client, other_client, afternoon
):
    other_client.post("/e/BERCY/join", data={"display_name": "Zoé curieuse"})
    for path in ("/e/BERCY/export.zip", "/e/BERCY/export.json", "/e/BERCY/proceedings.html"):
        refused = other_client.get(path)
        assert refused.status_code == 403, path
    assert "Seuls les organisateurs" in text_of(other_client.get("/e/BERCY/export.zip"))
    assert "ne vous ont pas ouvert les actes" in text_of(
        other_client.get("/e/BERCY/proceedings.html")
    )


@pytest.mark.parametrize(
    ("access", "joined", "anonymous"),
    [("organizers", 403, 403), ("participants", 200, 403), ("everyone", 200, 200)],
)
def test_the_organizer_chooses_who_reads_the_proceedings(
    app, client, other_client, afternoon, access, joined, anonymous
):
    as_organizer(client, afternoon)
    saved = client.post("/e/BERCY/organize/proceedings", data={"access": access})
    assert saved.status_code == 303
    attendee = other_client
    attendee.post("/e/BERCY/join", data={"display_name": "Zoé curieuse"})
    assert attendee.get("/e/BERCY/proceedings.html").status_code == joined
    stranger = app.test_client()
    assert stranger.get("/e/BERCY/proceedings.html").status_code == anonymous
    assert stranger.get("/e/BERCY/export.zip").status_code == 403  # never public


def test_a_bad_access_choice_is_refused_and_changes_nothing(app, client, afternoon):
    as_organizer(client, afternoon)
    client.post("/e/BERCY/organize/proceedings", data={"access": "world"})
    with app.app_context():
        assert db.session.scalar(select(Event.proceedings_access)) == "organizers"
    page = client.get("/e/BERCY/organize")
    assert "Choisissez qui peut lire les actes." in text_of(page)


def test_the_proceedings_are_one_page_that_fetches_nothing(app, client, afternoon):
    as_organizer(client, afternoon)
    response = client.get("/e/BERCY/proceedings.html")
    html = response.text
    assert response.status_code == 200
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert '<html lang="fr">' in html
    assert '<h2 id="contents-title">Sommaire</h2>' in html
    # Nothing to load: no stylesheet, script, image or frame, however the notes were written.
    assert not re.search(r"<(link|script|img|iframe|object)\b", html)
    assert "src=" not in html
    assert "&lt;script&gt;alert" in html
    assert 'href="file:' not in html
    assert "http://127.0.0.1:9" not in html
    # The grid, every workshop's notes, the testimonies with their figures, the follow-up.
    assert html.count('<article id="session-') == 8
    assert html.count('<article id="talk-') == 4
    assert "6 000" in html
    assert "Actions à suivre" in html
    assert "Aurélie M." in html


def test_the_pdf_is_made_from_the_same_page_and_reads_well(app, client, afternoon):
    pdfium = pytest.importorskip("pypdfium2")
    try:
        import weasyprint  # noqa: F401
    except OSError as missing:  # pragma: no cover - a machine without pango
        if IN_CI:
            raise
        pytest.skip(f"WeasyPrint cannot run here: {missing}")
    as_organizer(client, afternoon)
    response = client.get("/e/BERCY/proceedings.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    pdf = pdfium.PdfDocument(response.data)
    assert len(pdf) >= 5
    first = pdf[0].get_textpage().get_text_range()
    assert "Barcamp Bercy" in first
    assert "Sommaire" in first
    text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Résistance au changement" in text
    assert "Actions à suivre" in text
    # Each page drawn: ink on it, not a blank sheet.
    for index in range(len(pdf)):
        image = pdf[index].render(scale=0.5).to_pil().convert("L")
        assert image.getextrema()[0] < 100, f"page {index + 1} is blank"


def test_without_pango_the_pdf_says_what_is_missing(app, client, afternoon, monkeypatch):
    from barcamp.routes import exports
    from barcamp.services.exports.pdf import PdfUnavailable

    def no_pango(html):
        raise PdfUnavailable("libpango-1.0-0", "cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(exports, "make_pdf", no_pango)
    as_organizer(client, afternoon)
    response = client.get("/e/BERCY/proceedings.pdf")
    assert response.status_code == 503
    assert "bibliothèque système libpango-1.0-0" in text_of(response)


def test_actions_are_gathered_with_their_owners_apart_from_the_readings(app, client, afternoon):
    client.post("/e/BERCY/join", data={"display_name": "Rapporteuse"})
    page = text_of(client.get("/e/BERCY/actions"))
    assert "Actions à suivre 10" in page
    assert "espace d&#39;échange interministériel, fin mai" in page
    assert "Aurélie M." in page
    assert "Le statut général des fonctionnaires" in page
    assert "Rejoignez l'événement" in text_of(app.test_client().get("/e/BERCY/actions"))


@pytest.mark.parametrize(
    ("line", "owner", "action"),
    [
        ("Ouvrir un espace — Aurélie M., fin mai", "Aurélie M.", "Ouvrir un espace, fin mai"),
        (
            "Relancer @Paul.D la semaine prochaine",
            "Paul.D",
            "Relancer @Paul.D la semaine prochaine",
        ),
        ("Camille : envoyer le lien", "Camille", "envoyer le lien"),
        ("Lire https://example.org: la suite", None, "Lire https://example.org: la suite"),
        ("Personne n'est nommé ici", None, "Personne n'est nommé ici"),
    ],
)
def test_an_actions_owner_is_read_from_the_line(line, owner, action):
    assert owner_of(line) == (owner, action)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("../../etc/passwd", "etc-passwd"),
        ("Réunion v2.final / à revoir 🎉", "reunion-v2-final-a-revoir"),
        ("🎉🎉", "session"),
    ],
)
def test_file_names_are_safe_and_readable(title, expected):
    assert slug(title, "session") == expected


def test_anyone_in_the_event_downloads_a_sessions_notes(app, client, afternoon):
    client.post("/e/BERCY/join", data={"display_name": "Rapporteuse"})
    with app.app_context():
        topic_id = db.session.scalar(select(Session.topic_id).limit(1))
    markdown = client.get(f"/e/BERCY/sessions/{topic_id}/note.md")
    assert markdown.status_code == 200
    page = client.get(f"/e/BERCY/sessions/{topic_id}/note.html")
    assert page.status_code == 200
    assert "attachment" in page.headers["Content-Disposition"]
    assert "<style>" in page.text
    assert "src=" not in page.text
