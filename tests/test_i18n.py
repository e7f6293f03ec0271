"""French first, English too: every string translated, the right language on each page."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import join, received, text_of

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "barcamp/translations/fr/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def french_catalog():
    with CATALOG.open("rb") as file:
        return read_po(file)


def test_every_message_has_a_french_translation():
    untranslated = [
        m.id
        for m in french_catalog()
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert untranslated == []


def test_translations_keep_every_placeholder():
    for message in french_catalog():
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        translations = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(set(PLACEHOLDER.findall(sources[-1])))
        for translation in translations:
            assert sorted(set(PLACEHOLDER.findall(translation))) == expected, message.id


def test_the_catalog_holds_every_message_of_the_code(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--ignore-dirs=.* node_modules",
            "-o",
            str(template),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as file:
        in_code = {m.id for m in read_po(file) if m.id}
    in_catalog = {m.id for m in french_catalog() if m.id}
    assert in_code - in_catalog == set(), "run scripts/translations update, then translate"


def test_a_french_event_speaks_french(client, make_event):
    event, _ = make_event(locale="fr")
    page = client.get(f"/e/{event.code}")
    assert '<html lang="fr">' in page.get_data(as_text=True)
    assert "Rejoindre ce barcamp" in text_of(page)


def test_an_english_event_speaks_english(client, make_event):
    event, _ = make_event(locale="en")
    page = client.get(f"/e/{event.code}", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in page.get_data(as_text=True)
    assert "Join this barcamp" in text_of(page)


def test_the_front_page_follows_the_browser_and_defaults_to_french(client, other_client):
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    english = other_client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.get_data(as_text=True)


def test_the_visitors_choice_wins_and_is_kept(client, make_event):
    event, _ = make_event(locale="fr")
    response = client.get(f"/lang/en?next=/e/{event.code}")
    assert response.headers["Location"] == f"/e/{event.code}"
    assert "Join this barcamp" in text_of(client.get(f"/e/{event.code}"))
    client.get("/lang/fr?next=/")
    assert "Rejoindre ce barcamp" in text_of(client.get(f"/e/{event.code}"))


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_the_language_switch_never_leaves_the_site(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


def test_errors_are_told_in_the_visitors_language(client, other_client):
    assert "Aucun événement n’a le code « NOPE42 »." in text_of(client.get("/e/NOPE42"))
    client.get("/lang/en")
    assert "No event has the code “NOPE42”." in text_of(client.get("/e/NOPE42"))


def test_a_name_too_long_is_explained_in_french(client, event):
    response = join(client, event, "x" * 200)
    assert "60 caractères au maximum" in text_of(response)


def test_socket_errors_speak_the_events_language(client, event, socket_client):
    join(client, event, "Amélie")
    sio = socket_client(client, event)
    received(sio)
    ack = sio.emit("participant_rename", {"name": ""}, callback=True)
    assert ack["error"]["message"] == "Ce champ est obligatoire."


def test_form_field_messages_are_french_too(client):
    from tests.test_routes_events import event_form

    response = client.post(
        "/new",
        data=event_form(
            **{"starts_on": "garbage", "rooms-0-capacity": "abc", "slots-0-starts": "25:99"}
        ),
    )
    messages = text_of(response)
    assert "Saisissez une date valide." in messages
    assert "Saisissez un nombre entier." in messages
    assert "Saisissez une heure valide" in messages
    assert "Not a valid" not in messages
