"""Joining the demo barcamp from a phone while the projector shows who is here.

Each test starts from a fresh demo event (French, 60 people): a laptop on the projector
opened the facilitator link, then the screen; a person opens the event on a phone.
Text is matched in French or English, as the catalogs may still be partly untranslated.
"""

import re
import threading

import pytest
import requests
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.server]

LIVE = re.compile(r"^\s*(En direct|Live)\s*$")


def exactly(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def count(page: Page):
    return page.locator("[data-live=present]")


def people(page: Page):
    return page.locator("[data-live=people]")


def person(page: Page, name):
    """The entries of the people list showing exactly this name."""
    return people(page).locator(".name").filter(has_text=exactly(name))


def name_field(phone: Page):
    return phone.get_by_label(re.compile(r"^\s*(Votre nom|Your name)\s*$"))


def join_button(phone: Page):
    return phone.locator("section.join button[type=submit]")


def wait_until_live(page: Page):
    status = page.locator("[data-live-status]")
    expect(status).to_have_attribute("data-state", "connected")
    expect(status).to_have_text(LIVE)


def mark_page(page: Page):
    """Tag this document: the tag survives anything but a reload or a navigation."""
    page.evaluate("window.__sameDocument = true")


def still_same_page(page: Page):
    return page.evaluate("window.__sameDocument === true")


def join(phone: Page, name):
    name_field(phone).fill(name)
    join_button(phone).click()
    expect(phone.locator("[data-live=my-name]")).to_have_text(exactly(name))


def test_the_projector_counts_a_person_who_joins_from_a_phone(projector, phone):
    expect(count(projector)).to_have_text("60")
    wait_until_live(projector)
    mark_page(projector)

    expect(name_field(phone)).to_be_visible()
    join(phone, "Zélie Martin")

    expect(count(projector)).to_have_text("61")
    expect(person(projector, "Zélie Martin")).to_have_count(1)
    # The newest arrival is at the top of the screen's list.
    expect(people(projector).locator(".name").first).to_have_text(exactly("Zélie Martin"))
    assert still_same_page(projector), "the projector reloaded instead of updating live"
    # The phone counts the newcomer too.
    expect(count(phone)).to_have_text("61")


def arrive_by_http(base_url, name):
    """Someone joins from their own phone (plain HTTP: the form and its token)."""
    with requests.Session() as browser:
        page = browser.get(f"{base_url}/e/BERCY", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        answer = browser.post(
            f"{base_url}/e/BERCY/join",
            data={"csrf_token": token, "display_name": name},
            timeout=10,
        )
        assert answer.status_code == 200, answer.status_code  # after the redirect


def test_a_crowd_at_the_doors_shows_on_the_projector_without_a_reload(projector, server):
    """Fifteen people join in the same second: their arrivals reach the projector in a
    few batches, each applied in order; the screen's list (the 12 newest) shows only
    them."""
    expect(count(projector)).to_have_text("60")
    wait_until_live(projector)
    mark_page(projector)
    names = [f"Porte {n:02d}" for n in range(15)]
    doors = [threading.Thread(target=arrive_by_http, args=(server.base_url, n)) for n in names]
    for door in doors:
        door.start()
    for door in doors:
        door.join()

    expect(count(projector)).to_have_text("75")
    shown = people(projector).locator(".name")
    expect(shown).to_have_count(12)
    assert len(set(shown.all_inner_texts()) & set(names)) == 12
    # Every arrival came in its turn: the screen never had to read everything again.
    assert projector.evaluate("window.barcampLive.stream.resyncs") == 0
    assert still_same_page(projector), "the projector reloaded instead of updating live"


def test_a_new_name_chosen_on_the_phone_shows_at_once_on_the_projector(projector, phone):
    wait_until_live(projector)
    join(phone, "Gaspard")
    expect(person(projector, "Gaspard")).to_have_count(1)
    wait_until_live(phone)
    mark_page(projector)
    mark_page(phone)

    phone.locator("details.rename summary").click()
    form = phone.locator("[data-rename-form]")
    field = form.locator("input[name=display_name]")
    expect(field).to_be_visible()
    field.fill("Gaspard (mairie de Lyon)")
    form.locator("button[type=submit]").click()

    expect(phone.locator("[data-live=my-name]")).to_have_text(exactly("Gaspard (mairie de Lyon)"))
    expect(person(projector, "Gaspard (mairie de Lyon)")).to_have_count(1)
    expect(person(projector, "Gaspard")).to_have_count(0)
    expect(count(projector)).to_have_text("61")
    assert still_same_page(projector), "the projector reloaded instead of updating live"
    assert still_same_page(phone), "the rename went through a page reload, not live"


def test_a_name_with_markup_is_shown_as_text_and_never_runs(projector, phone):
    markup = "<img src=x onerror=window.__xss=1>"
    wait_until_live(projector)
    join(phone, markup)

    expect(person(projector, markup)).to_have_count(1)
    expect(count(projector)).to_have_text("61")
    for page in (projector, phone):
        expect(page.locator("img[src=x]")).to_have_count(0)
        assert page.evaluate("typeof window.__xss") == "undefined"


def test_a_person_can_join_with_the_keyboard_only(projector, phone):
    wait_until_live(projector)
    field = phone.locator("input[name=display_name]")

    for _ in range(20):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.name") == "display_name":
            break
    expect(field).to_be_focused()
    phone.keyboard.type("Inès au clavier")
    phone.keyboard.press("Tab")
    expect(join_button(phone)).to_be_focused()
    phone.keyboard.press("Enter")

    expect(phone.locator("[data-live=my-name]")).to_have_text(exactly("Inès au clavier"))
    expect(count(projector)).to_have_text("61")
    expect(person(projector, "Inès au clavier")).to_have_count(1)


@pytest.mark.parametrize("typed", ["", "   "], ids=["empty", "spaces"])
def test_joining_without_a_name_explains_why_and_adds_no_one(projector, phone, typed):
    wait_until_live(projector)
    name_field(phone).fill(typed)
    join_button(phone).click()

    error = phone.locator("section.join .error")
    expect(error).to_be_visible()
    # French (the event's language), or English while the catalog is unfinished.
    expect(error).to_have_text(
        re.compile(r"obligatoire|requis|vide|indiquez|saisissez|tapez|required|empty", re.I)
    )
    expect(phone.locator("html")).to_have_attribute("lang", "fr")
    field = name_field(phone)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile(r"-error\b"))

    # Broadcasts arrive in order: if the empty name had been added, the count would
    # reach 62 once a real name joins after it.
    join(phone, "Noé")
    expect(count(projector)).to_have_text("61")
    expect(people(projector).locator(".name").first).to_have_text(exactly("Noé"))
    expect(people(projector).locator(".name").filter(has_text=re.compile(r"^\s*$"))).to_have_count(
        0
    )


def test_the_projector_says_it_is_live(projector):
    status = projector.locator("[data-live-status]")
    expect(status).to_be_visible()
    wait_until_live(projector)
    expect(projector.locator(".screen-notice")).to_have_count(0)
