"""After the day, in Chromium: the organizer downloads everything from the organizer page
(the ZIP, the proceedings as a page and as PDF, the data), opens the proceedings to the
participants, and a participant's phone reaches them from the day's actions.
"""

import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_marketplace import join_live, open_phone

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture
def grid_demo(server):
    """A fresh demo event with its grid published and workshops' notes written."""
    return server.demo(reset=True, grid=True)


def download(page: Page, link_name):
    """Click a link of the exports card; return the downloaded file's name and bytes."""
    with page.expect_download() as arriving:
        page.locator("#exports").get_by_role("link", name=link_name).click()
    file = arriving.value
    assert file.failure() is None, file.failure()
    with open(file.path(), "rb") as body:
        return file.suggested_filename, body.read()


def test_the_organizer_takes_the_day_away_and_opens_the_proceedings(grid_demo, new_context):
    laptop = new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    organizer = laptop.new_page()
    organizer.goto(grid_demo["organizer"])
    organizer.goto("/e/BERCY/organize")
    card = organizer.locator("#exports")
    expect(card.get_by_role("heading", level=2)).to_be_visible()

    # Everything, as a ZIP: an index, a file per workshop of the grid, the data.
    name, body = download(organizer, "Tout, en ZIP")
    assert name == "BERCY-export.zip"
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert {"BERCY/README.md", "BERCY/schedule.ics", "BERCY/event.json"} <= set(names)
    assert len([n for n in names if n.startswith("BERCY/sessions/")]) == 8

    name, body = download(organizer, "Les données, en JSON")
    assert (name, json.loads(body)["format"]) == ("BERCY.json", "barcamp-event")
    name, body = download(organizer, "en PDF")
    assert name == "BERCY-proceedings.pdf"
    assert body.startswith(b"%PDF-")

    # The proceedings as a page: its contents lead to each workshop.
    organizer.locator("#exports").get_by_role("link", name=re.compile("^Les actes")).click()
    expect(organizer.get_by_role("heading", level=1)).to_contain_text("Barcamp Bercy")
    contents = organizer.locator("nav.contents")
    first = contents.locator("a[href^='#session-']").first
    title = first.inner_text()
    first.click()
    expect(organizer).to_have_url(re.compile("#session-1$"))
    expect(organizer.locator("#session-1 h3").first).to_contain_text(title)

    # A participant cannot read them yet; the organizer opens them to everyone who joined,
    # with the keyboard.
    phone = open_phone(new_context)
    join_live(phone, "Inès")
    phone.get_by_role("link", name="Actions", exact=True).click()
    expect(phone.get_by_role("link", name="Les actes complets")).to_have_count(0)

    organizer.goto("/e/BERCY/organize")
    choice = organizer.get_by_label("Toutes les personnes inscrites à l'événement")
    choice.focus()
    organizer.keyboard.press("Space")
    expect(choice).to_be_checked()
    organizer.get_by_role("button", name="Enregistrer qui peut les lire").press("Enter")
    expect(organizer.locator(".flash, [role=status], [role=alert]").first).to_contain_text(
        "Enregistré"
    )
    expect(organizer.get_by_label("Toutes les personnes inscrites à l'événement")).to_be_checked()

    # The phone finds them from the day's actions.
    phone.reload()
    phone.get_by_role("link", name="Les actes complets").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Barcamp Bercy")
    expect(phone.locator("nav.contents a[href^='#session-']")).to_have_count(8)
