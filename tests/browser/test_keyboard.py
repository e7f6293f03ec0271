"""The day with a keyboard and a screen reader, in the demo barcamp (French, 60 people).

After each action the focus stays on a sensible control (never the page's <body>, and
never under the sticky bar of votes on a phone), the outcome is said once by a polite
status, and a form's error is tied to its field.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.server]

LIVE = re.compile(r"^\s*(En direct|Live)\s*$")
# Records in window.__spoken what changes inside the page's live regions (what a screen
# reader would say).
RECORD_LIVE_REGIONS = """() => {
  window.__spoken = [];
  const observer = new MutationObserver(records => records.forEach(record => {
    const region = (record.target.nodeType === 1 ? record.target : record.target.parentNode)
      .closest('[aria-live], [role=status], [role=alert]');
    if (region) window.__spoken.push(region.outerHTML.slice(0, 120));
  }));
  observer.observe(document.body, {childList: true, characterData: true, subtree: true});
}"""


def wait_until_live(page: Page):
    expect(page.locator("[data-live-status]").first).to_have_text(LIVE)


def join(page: Page, name):
    page.locator("section.join input[name=display_name]").fill(name)
    page.locator("section.join button[type=submit]").click()
    expect(page.locator("[data-live=my-name]")).to_have_text(name)
    wait_until_live(page)


def hidden_under_the_bar(page: Page):
    """How much of the focused control the sticky bar covers (0: none), in CSS px."""
    return page.evaluate(
        """() => {
          const bar = document.querySelector('.market-bar').getBoundingClientRect();
          const node = document.activeElement;
          if (node.closest('.market-bar')) return 0;
          const box = node.getBoundingClientRect();
          return Math.max(0, Math.min(box.bottom, bar.bottom) - Math.max(box.top, bar.top));
        }"""
    )


def test_the_focused_control_never_hides_under_the_sticky_bar_of_votes(new_context, demo):
    """WCAG 2.4.11: going back up the wall with Shift+Tab on a 360 px phone, each
    control reached is in sight, below the bar that stays at the top."""
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto("/e/BERCY")
    join(phone, "Clavier Seul")
    phone.locator("#people summary").focus()  # below the wall
    covered = []
    for _ in range(40):
        phone.keyboard.press("Shift+Tab")
        if phone.evaluate("document.activeElement.closest('#wall .topics') === null"):
            continue
        covered.append(hidden_under_the_bar(phone))
    assert len(covered) >= 15, "Shift+Tab did not go back up the wall"
    assert max(covered) == 0, covered


def focused(page: Page, script="node => node"):
    """Evaluate `script` on the focused element (document.activeElement)."""
    return page.evaluate(f"({script})(document.activeElement)")


def on_body(page: Page):
    return focused(page, "node => node === document.body || node === null")


def said(page: Page):
    """The polite status that says what an action did."""
    return page.locator("[data-live=announce]")


def test_an_attendee_proposes_and_votes_with_the_keyboard_alone(new_context, demo):
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto("/e/BERCY")
    join(phone, "Clavier Seul")
    title = phone.locator("#propose input[name=title]")
    # Required, and said so: by the browser's semantics and in the label.
    expect(title).to_have_attribute("required", "")
    expect(phone.locator("#propose label[for=title] + .required")).to_have_text("(obligatoire)")

    phone.locator("#propose summary").focus()
    phone.keyboard.press("Enter")
    phone.keyboard.press("Tab")
    assert focused(phone, "node => node.name") == "title"
    # An empty proposal: the field says what is wrong, and the focus is on it.
    phone.keyboard.press("Enter")
    expect(title).to_have_attribute("aria-invalid", "true")
    error = phone.locator("#title-error")
    expect(error).not_to_be_empty()
    assert "title-error" in title.get_attribute("aria-describedby").split()
    assert focused(phone, "node => node.id") == "title"

    phone.keyboard.type("Écrire pour être lu : le clavier seul")
    phone.keyboard.press("Enter")
    expect(said(phone)).to_have_text("Votre sujet est sur le mur.")
    card = phone.locator("li[data-topic-id]", has_text="Écrire pour être lu : le clavier seul")
    expect(card).to_have_count(1)
    # The error is gone, and the keyboard goes on in the new topic's card.
    expect(title).not_to_have_attribute("aria-invalid", "true")
    expect(error).to_have_count(0)
    card_id = card.get_attribute("id")
    expect(card.get_by_role("button", name=re.compile("^Voter")).first).to_be_focused()

    phone.keyboard.press("Enter")  # a vote
    expect(card.locator("[data-slot=mine]")).to_be_visible()
    assert focused(phone, "node => node.closest('li[data-topic-id]')?.id") == card_id
    assert not on_body(phone)


def test_the_facilitator_spotlights_and_merges_with_the_keyboard_alone(new_context, demo):
    laptop = new_context(viewport={"width": 1280, "height": 900}).new_page()
    laptop.goto(demo["facilitator"])
    laptop.goto("/e/BERCY/facilitate")
    wait_until_live(laptop)
    topics = laptop.locator(".facilitate-list > li[id^=topic-]")
    first, second, third = (topics.nth(n).get_attribute("id") for n in range(3))
    title = laptop.locator(f"#{first} .topic-line strong").inner_text()

    laptop.locator(f"#{first} form[data-live-action=topic_spotlight] button").focus()
    laptop.keyboard.press("Enter")
    expect(laptop.locator(f"#{first}")).to_have_class("spotlit")
    expect(said(laptop)).to_have_text(f"À l’écran\u00a0: {title}")
    # The page was drawn again: the focus is back on the same button, now done.
    spotlight = laptop.locator(f"#{first} form[data-live-action=topic_spotlight] button")
    expect(spotlight).to_be_focused()
    expect(spotlight).to_have_attribute("aria-disabled", "true")

    # Merge the third topic into the second: choose with the arrows, Tab, Enter, confirm.
    laptop.on("dialog", lambda dialog: dialog.accept())
    laptop.locator(f"#{third} select[name=target_id]").focus()
    target = laptop.locator(f"#{third} select[name=target_id] option[value='{second[6:]}']")
    while laptop.locator(f"#{third} select[name=target_id]").input_value() != second[6:]:
        laptop.keyboard.press("ArrowDown")
    assert target.count() == 1
    laptop.keyboard.press("Tab")
    laptop.keyboard.press("Enter")
    expect(laptop.locator(f"#{third}")).to_have_count(0)
    expect(said(laptop)).to_have_text(re.compile(r"^Fusionné\s: porteurs et votes .* conservé\.$"))
    # The keyboard goes on in the topic kept.
    expect(laptop.locator(f"#{second} button").first).to_be_focused()


def test_the_facilitator_places_publishes_and_takes_a_seat_with_the_keyboard_alone(
    new_context, demo
):
    laptop = new_context(viewport={"width": 1280, "height": 900}).new_page()
    laptop.goto(demo["facilitator"])
    laptop.goto("/e/BERCY")
    join(laptop, "Animatrice au clavier")
    laptop.goto("/e/BERCY/schedule")
    wait_until_live(laptop)
    laptop.on("dialog", lambda dialog: dialog.accept())

    place = laptop.locator("form.place select").first
    place.focus()
    laptop.keyboard.press("ArrowDown")  # the first topic
    laptop.keyboard.press("Tab")
    laptop.keyboard.press("Enter")
    publish = laptop.locator("form[data-live-action=schedule_publish] button")
    expect(publish).to_be_visible()

    publish.focus()
    laptop.keyboard.press("Enter")
    expect(said(laptop)).to_have_text(re.compile(r"^La grille est publiée\s: tout le monde"))
    expect(publish).to_have_count(0)
    # Its button is gone: the keyboard stays in the section that built the grid.
    expect(laptop.locator("#build")).to_be_visible()
    assert focused(laptop, "node => node.closest('#build') !== null")

    take = laptop.locator("form[data-control=take]:visible button").first
    session = take.evaluate("node => node.closest('li[data-session-id]').dataset.sessionId")
    cell = laptop.locator(f"li[data-session-id='{session}']")
    take.focus()
    laptop.keyboard.press("Enter")
    expect(said(laptop)).to_have_text(re.compile(r"^Votre place est réservée\u00a0: "))
    give_back = cell.locator("form[data-control=leave] button")
    expect(give_back).to_be_focused()


def test_live_regions_stay_quiet_while_others_arrive_and_vote(new_context, demo, server):
    """A screen reader on the event page hears the budget when it changes, not the
    same text again at every broadcast, nor every arrival."""
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto("/e/BERCY")
    join(phone, "Lectrice d'écran")
    phone.evaluate(RECORD_LIVE_REGIONS)
    other = new_context(viewport=PHONE).new_page()
    for n in range(3):
        other.context.clear_cookies()
        other.goto("/e/BERCY")
        join(other, f"Arrivée {n}")
    vote = other.locator("form[data-control=vote] button").first
    vote.click()
    expect(other.locator("[data-slot=mine]:visible")).to_have_count(1)
    expect(phone.locator("[data-live=present]")).to_have_text("64")  # 60, her and 3
    assert phone.evaluate("window.__spoken") == []
