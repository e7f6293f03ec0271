"""Writing a session's note in Chromium with a Python writer at the same time, then
through a server crash: every keystroke ends up in the stored note, once.

The server is killed with SIGKILL while the page is open; what is typed while it is
down waits in the page (and its IndexedDB copy) and is sent when it is back. The
editor is CodeMirror 6 on the note's Y.Text (frontend/notes/editor.js); its
toolbar, checkboxes, other writers' carets and pasting are in test_note_formatting.py.
"""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.notes_client import NoteWriter
from tests.test_server import Browser

pytestmark = [pytest.mark.browser, pytest.mark.server]

CODE = "BERCY"
SAVE_TIMEOUT = 30_000  # the page reconnects with a growing delay, up to a few seconds


def note_lines(text, prefix):
    return [line for line in text.split("\n") if line.startswith(prefix)]


def editor_text(page):
    """The text in the page's editor, as the person sees it (Markdown)."""
    return page.evaluate("window.barcampNote.editorText()")


def expect_editor_text(page, text):
    """Wait until the page's editor holds exactly `text`."""
    page.wait_for_function("text => window.barcampNote.editorText() === text", arg=text)


def expect_editor_match(page, pattern):
    """Wait until the page's editor text matches the regular expression `pattern`."""
    try:
        page.wait_for_function(
            "pattern => new RegExp(pattern).test(window.barcampNote.editorText() || '')",
            arg=pattern,
        )
    except PlaywrightTimeout:
        tail = (editor_text(page) or "")[-300:]
        message = f"the editor never matched {pattern!r}; it ends with {tail!r}"
        raise AssertionError(message) from None


def type_at_the_end(editor, line):
    """Click in the text, go to its end and type `line` then Enter, key by key."""
    editor.click()
    editor.press("Control+End")
    editor.press_sequentially(line + "\n", delay=5)


def open_first_session(page, server, name):
    """Join the event with a name, then open the first session of the grid from it;
    return the session page's path."""
    page.goto(f"/e/{CODE}")
    page.get_by_label(re.compile("nom|name", re.I)).first.fill(name)
    page.get_by_role("button", name=re.compile("Rejoindre|Join", re.I)).click()
    page.goto(f"/e/{CODE}/schedule")
    page.locator(".cell-title a").first.click()
    return page.url.removeprefix(server.base_url)


@pytest.fixture
def grid_demo(server):
    """A fresh demo event with its grid published."""
    return server.demo(reset=True, grid=True)


@pytest.fixture
def python_writer(server):
    opened = []

    def open_writer(note_id):
        browser = Browser(server)
        browser.join("Baptiste P.")
        writer = NoteWriter(server.base_url, browser.cookie, CODE, note_id, seed=11)
        writer.browser = browser
        opened.append(writer)
        return writer.connect()

    yield open_writer
    for writer in opened:
        writer.close()
        writer.browser.close()


def test_every_keystroke_reaches_the_stored_note_through_a_crash(
    server, grid_demo, new_context, python_writer
):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    topic_path = open_first_session(page, server, "Amélie P.")
    page.get_by_role("link", name=re.compile("Écrire dans les notes|Write in the notes")).click()
    status = page.locator("#note-status")
    editor = page.locator("#note-content")
    expect(status).to_have_attribute("data-state", "saved")
    expect_editor_match(page, "## Décisions")
    note_id = int(page.locator("#note-editor").get_attribute("data-note"))

    def export():
        return Browser(server).get(f"{topic_path}/note.md").text

    def type_in_chromium(line):
        type_at_the_end(editor, line)

    # Both write at once: Chromium at the end, Python between earlier lines.
    writer = python_writer(note_id)
    writer.sync()
    for n in range(8):
        type_in_chromium(f"chromium-{n:02d}")
        writer.type_line(f"python-{n:02d}", not_last=True)
        writer.flush()
    expect(status).to_have_attribute("data-state", "saved")
    writer.sync()
    writer.handshake()
    stored = export()
    expect_editor_text(page, stored)
    assert writer.text() == stored
    assert note_lines(stored, "chromium-") == [f"chromium-{n:02d}" for n in range(8)]
    assert sorted(note_lines(stored, "python-")) == [f"python-{n:02d}" for n in range(8)]

    # The server crashes; people keep typing; it comes back.
    server.kill()
    expect(status).to_have_attribute("data-state", "offline")
    # Screen readers are told (and not of every "saving… saved" while typing).
    announce = page.locator("#note-announce")
    expect(announce).to_have_text(re.compile("^(Hors ligne|Offline)"))
    for n in range(4):
        type_in_chromium(f"offline-{n:02d}")
    expect(status).to_have_attribute("data-state", "offline")
    server.start()
    expect(status).to_have_attribute("data-state", "saved", timeout=SAVE_TIMEOUT)
    expect(announce).to_have_text(re.compile("Tout est enregistré|Everything is saved"))
    stored = export()
    assert note_lines(stored, "offline-") == [f"offline-{n:02d}" for n in range(4)]
    assert note_lines(stored, "chromium-") == [f"chromium-{n:02d}" for n in range(8)]
    assert sorted(note_lines(stored, "python-")) == [f"python-{n:02d}" for n in range(8)]
    writer.sync()
    writer.handshake()
    assert writer.text() == stored
    expect_editor_text(page, stored)

    # A reload shows the same note, saved, with nothing twice.
    page.reload()
    expect(status).to_have_attribute("data-state", "saved")
    expect_editor_text(page, stored)
    assert export() == stored


def test_edits_made_offline_survive_a_reload_and_are_sent_later(server, grid_demo, new_context):
    """The venue's Wi-Fi lets pages load but not stay connected: what is typed is kept
    in the browser (IndexedDB), still there after a reload, and sent once the live
    connection works again."""
    page = new_context().new_page()
    topic_path = open_first_session(page, server, "Chloé P.")
    page.goto(f"{topic_path}/note")
    status = page.locator("#note-status")
    editor = page.locator("#note-content")
    expect(status).to_have_attribute("data-state", "saved")

    page.route("**/socket.io/**", lambda route: route.abort())
    page.reload()  # a page whose live connection cannot get through
    expect(status).to_have_attribute("data-state", "offline", timeout=SAVE_TIMEOUT)
    type_at_the_end(editor, "kept-on-device-1\nkept-on-device-2")
    expect(status).to_have_attribute("data-state", "offline")
    # A reload aborts the device's writes still under way (a person reloading at once
    # is warned first: the page asks before leaving unsent text).
    assert page.evaluate("window.barcampNote.writtenOnDevice()") is True

    page.reload()  # still no live connection: the text comes back from IndexedDB
    expect_editor_match(page, "kept-on-device-1\\nkept-on-device-2\\n$")
    assert "kept-on-device" not in Browser(server).get(f"{topic_path}/note.md").text

    page.unroute("**/socket.io/**")
    expect(status).to_have_attribute("data-state", "saved", timeout=SAVE_TIMEOUT)
    stored = Browser(server).get(f"{topic_path}/note.md").text
    assert note_lines(stored, "kept-on-device-") == ["kept-on-device-1", "kept-on-device-2"]
    expect_editor_text(page, stored)
