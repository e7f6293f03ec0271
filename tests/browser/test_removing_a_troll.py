"""A facilitator removes a disruptive attendee of the demo barcamp, with the keyboard
alone: the attendee's open phone says at once that they are no longer in the event,
and, kept out, cannot join again."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_a_removed_attendees_phone_says_so_at_once_and_cannot_join_again(new_context, demo):
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto("/e/BERCY")
    phone.get_by_label(re.compile(r"^\s*Votre nom")).fill("Vendeur")
    phone.locator("section.join button[type=submit]").click()
    status = phone.locator("[data-live-status]")
    expect(status).to_have_attribute("data-state", "connected")

    laptop = new_context(viewport={"width": 1280, "height": 900}).new_page()
    laptop.goto(demo["facilitator"])
    laptop.goto("/e/BERCY/facilitate#people")
    laptop.locator("#people summary").focus()
    laptop.keyboard.press("Enter")
    remove = laptop.get_by_role("link", name=re.compile(r"Retirer de l’événement…\s*\(Vendeur\)"))
    remove.focus()
    laptop.keyboard.press("Enter")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Retirer Vendeur\u00a0?")
    laptop.get_by_label(re.compile("Tenir à l’écart")).check()
    laptop.get_by_role("button", name="Retirer Vendeur").focus()
    laptop.keyboard.press("Enter")
    expect(laptop.get_by_text("Vendeur ne fait plus partie de l’événement.")).to_be_visible()

    expect(status).to_have_attribute("data-state", "removed")
    expect(status).to_contain_text("Vous ne faites plus partie de cet événement")
    phone.reload()
    expect(phone.get_by_text(re.compile("Les animateurs vous ont retiré"))).to_be_visible()
    expect(phone.locator("section.join form")).to_have_count(0)
