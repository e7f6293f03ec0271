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
