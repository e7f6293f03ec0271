"""The notes' editor for people who have never written Markdown: a toolbar reachable
by keyboard, to-dos as real checkboxes, Markdown styled as it is typed, the other
writers' carets with their names, and pasting from a word processor. Whatever the
editor shows, what is stored is the Markdown text, and the export says so."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_note_editor import (
    CODE,
    editor_text,
    expect_editor_match,
    expect_editor_text,
    open_first_session,
)
from tests.test_server import Browser

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def grid_demo(server):
    """The afternoon demo (grid published), made once for this module's stories."""
    return server.demo(reset=True, grid=True)


def open_note(new_context, server, name):
    """A person joins, opens the first session's note and waits until it is saved;
    returns (page, the session's path)."""
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    topic_path = open_first_session(page, server, name)
    page.goto(f"{topic_path}/note")
    expect(page.locator("#note-status")).to_have_attribute("data-state", "saved")
    return page, topic_path


def stored(server, topic_path):
    return Browser(server).get(f"{topic_path}/note.md").text


def focused_id(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_a_writer_who_knows_no_markdown_formats_with_the_toolbar_by_keyboard(
    server, grid_demo, new_context
):
    page, topic_path = open_note(new_context, server, "Odile R.")
    editor = page.locator("#note-content")
    # A screen reader hears a labelled, multi-line text box described by its status.
    expect(editor).to_have_attribute("role", "textbox")
    expect(editor).to_have_attribute("aria-multiline", "true")
    expect(editor).to_have_attribute("aria-labelledby", "note-label")
    expect(editor).to_have_attribute("aria-describedby", re.compile(r"\bnote-status\b"))
    toolbar = page.get_by_role("toolbar", name=re.compile("Mise en forme"))
    expect(toolbar).to_be_visible()
    before = editor_text(page)

    # A heading: type it, Shift+Tab to the toolbar (one stop), Enter on "Titre".
    editor.click()
    # Where the keyboard is shows as everywhere in the app (WCAG 2.4.7).
    outline = page.locator(".cm-editor").evaluate("e => getComputedStyle(e).outlineWidth")
    assert outline == "3px"
    editor.press("Control+End")
    editor.press_sequentially("Budget voté", delay=5)
    page.keyboard.press("Shift+Tab")
    expect(toolbar.get_by_role("button", name="Titre")).to_be_focused()
    page.keyboard.press("Enter")
    assert focused_id(page) == "note-content"  # the focus is back in the text
    expect_editor_match(page, "\n## Budget voté$")
    heading = page.locator(".cm-line", has_text="Budget voté")
    sizes = heading.evaluate(
        "line => [...line.querySelectorAll('span')]"
        ".map(span => parseFloat(getComputedStyle(span).fontSize))"
    )
    body = editor.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert max(sizes) > body * 1.2, (sizes, body)  # it looks like a heading

    # A to-do: arrows move along the toolbar; Enter on "À faire".
    editor.press("End")
    editor.press("Enter")
    editor.press_sequentially("Relire le compte rendu", delay=5)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="À faire")).to_be_focused()
    page.keyboard.press("Enter")
    expect_editor_match(page, "\n- \\[ \\] Relire le compte rendu$")
    # Enter continues the to-do list, as in a word processor.
    editor.press("End")
    editor.press("Enter")
    editor.press_sequentially("Envoyer le lien", delay=5)
    expect_editor_match(page, "\n- \\[ \\] Relire le compte rendu\n- \\[ \\] Envoyer le lien$")

    # The to-do is a real checkbox: a click ticks it in the text.
    box = page.locator(".cm-line", has_text="Relire le compte rendu").locator("input.cm-task")
    expect(box).not_to_be_checked()
    box.click()
    expect(box).to_be_checked()
    expect_editor_match(page, "\n- \\[x\\] Relire le compte rendu\n")

    # Bold with the office suites' shortcut, on the selected word.
    editor.press("Control+End")
    editor.press("Enter")
    editor.press("Enter")
    editor.press_sequentially("très important", delay=5)
    editor.press("Control+Shift+ArrowLeft")
    editor.press("Control+b")
    expect_editor_match(page, "\ntrès \\*\\*important\\*\\*$")

    # What is stored is that Markdown, after what was there before.
    expect(page.locator("#note-status")).to_have_attribute("data-state", "saved")
    text = stored(server, topic_path)
    assert text == editor_text(page)
    assert text.startswith(before.rstrip("\n"))
    assert "## Budget voté\n- [x] Relire le compte rendu\n- [ ] Envoyer le lien\n" in text


def test_two_writers_see_each_others_caret_with_a_name(server, grid_demo, new_context):
    amelie, _ = open_note(new_context, server, "Amélie P.")
    baptiste, _ = open_note(new_context, server, "Baptiste P.")
    editor = amelie.locator("#note-content")
    editor.click()
    editor.press("Control+End")
    editor.press_sequentially("Amélie écrit ici", delay=5)

    caret = baptiste.locator(".cm-writer-caret")
    expect(caret).to_have_count(1)
    expect(caret.locator(".cm-writer-name")).to_have_text("Amélie P.")
    # The caret follows her text (Baptiste sees it at the end of her line).
    her_line = baptiste.locator(".cm-line", has_text="Amélie écrit ici")
    expect(her_line.locator(".cm-writer-caret")).to_have_count(1)
    # Both are listed as writing now.
    expect(baptiste.locator("#note-editors li")).to_contain_text(["Amélie P.", "Baptiste P."])

    amelie.close()  # she leaves: her caret goes at once
    expect(caret).to_have_count(0)


PASTED_HTML = (
    '<meta charset="utf-8"><h1 style="color:red">Ordre du jour</h1>'
    "<p><b>Budget</b> <i>2027</i> <script>alert(1)</script></p>"
    "<ul><li>Relire</li><li>Envoyer</li></ul>"
)


def paste(page, html, plain=None):
    """Paste into the editor what a word processor puts on the clipboard."""
    page.locator("#note-content").evaluate(
        """(editor, [html, plain]) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            if (plain !== null) data.setData("text/plain", plain);
            editor.dispatchEvent(new ClipboardEvent("paste", {
                clipboardData: data, bubbles: true, cancelable: true,
            }));
        }""",
        [html, plain],
    )


def test_text_pasted_from_a_word_processor_is_kept_as_plain_text(server, grid_demo, new_context):
    page, topic_path = open_note(new_context, server, "Chloé P.")
    editor = page.locator("#note-content")
    editor.click()
    editor.press("Control+End")
    editor.press("Enter")

    # A word processor gives both: the plain text is what is kept.
    paste(page, PASTED_HTML, "Ordre du jour\n\nBudget 2027\n\nRelire\nEnvoyer\n")
    expect_editor_match(page, "\nOrdre du jour\n\nBudget 2027\n\nRelire\nEnvoyer\n$")
    # Some give only HTML: its text is kept as lines (a list as a list), never a tag.
    paste(page, PASTED_HTML)
    expect_editor_match(page, "Envoyer\nOrdre du jour\n\nBudget 2027\n\n- Relire\n- Envoyer$")

    expect(page.locator("#note-status")).to_have_attribute("data-state", "saved")
    text = stored(server, topic_path)
    assert text == editor_text(page)
    for html in ("<", "alert", "color"):
        assert html not in text
    expect_editor_text(page, text)


def test_the_text_box_is_still_there_without_javascript(server, grid_demo, new_context):
    """Without JavaScript the note reads in its box (the editor needs JavaScript)."""
    page = new_context(java_script_enabled=False).new_page()
    Browser(server)  # the server is up
    page.goto(f"/e/{CODE}")
    page.get_by_label(re.compile("nom|name", re.I)).first.fill("Sans JS")
    page.get_by_role("button", name=re.compile("Rejoindre|Join", re.I)).click()
    page.goto(f"/e/{CODE}/schedule")
    page.locator(".cell-title a").first.click()
    page.goto(page.url + "/note")
    box = page.locator("textarea#note-text")
    expect(box).to_be_visible()
    expect(box).to_have_value(re.compile("## Décisions"))
    expect(page.get_by_role("toolbar")).to_be_hidden()
