"""The marketplace of the demo barcamp, live: propose, vote, merge, spotlight.

Each test starts from a fresh demo event (French, 60 people, 8 topics, proposals and
voting open, 3 votes each, at most 1 per topic). Phones join with a name; the laptop
on the projector opened the facilitator link, then the screen; the facilitator page
is a second tab on that laptop. Everything must change without a page reload, except
on the phone without JavaScript, which uses the plain forms.
Text is matched in French or English, as the catalogs may still be partly untranslated.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.server]

KEPT = "Résistance au changement et désarroi"  # a demo topic
NEAR_DUPLICATE = "résistance au changement"
SIMILAR_REFUSAL = re.compile(r"proche|existe|doublon|similar|already|duplicate", re.I)


def exactly(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def budget_left(left, budget=3):
    """The budget line: 'Il vous reste 2 votes sur 3' or 'You have 2 votes left out of 3'."""
    return re.compile(rf"^\D*\b{left}\b\D+\b{budget}\b\D*$")


def votes(num):
    """A card's tally: '1 vote', '12 votes'."""
    return re.compile(rf"^\s*{num}\s+votes?\s*$")


# ---- pages and people ----


def wait_until_live(page: Page):
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "connected")


def mark_page(page: Page):
    """Tag this document: the tag survives anything but a reload or a navigation."""
    page.evaluate("window.__sameDocument = true")


def assert_same_page(page: Page, what):
    assert page.evaluate("window.__sameDocument === true"), f"{what} reloaded instead of live"


def open_phone(new_context, **options):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True, **options).new_page()
    page.goto("/e/BERCY")
    return page


def join(phone: Page, name):
    phone.locator("section.join input[name=display_name]").fill(name)
    phone.locator("section.join button[type=submit]").click()
    expect(phone.locator("[data-live=my-name]")).to_have_text(exactly(name))


def join_live(phone: Page, name):
    join(phone, name)
    wait_until_live(phone)
    mark_page(phone)


def open_facilitation(projector: Page):
    """The facilitator page, in a second tab of the projector's laptop."""
    page = projector.context.new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/e/BERCY/facilitate")
    wait_until_live(page)
    mark_page(page)
    return page


# ---- the wall, the ranking, the facilitator's list ----


def budget(phone: Page):
    return phone.locator("[data-live=budget]")


def card(phone: Page, title):
    """A card of the wall, by its exact title."""
    return phone.locator("ul[data-live=topics] > li[data-topic-id]").filter(
        has=phone.locator("[data-slot=title]", has_text=exactly(title))
    )


def card_by_id(phone: Page, topic_id):
    return phone.locator(f"ul[data-live=topics] > li[data-topic-id='{topic_id}']")


def vote_buttons(phone: Page):
    return phone.locator("ul[data-live=topics] form[data-control=vote] button:visible")


def ranked(projector: Page, topic_id):
    return projector.locator(f"ol[data-live=ranking] > li[data-topic-id='{topic_id}']")


def ranked_count(projector: Page, topic_id):
    return ranked(projector, topic_id).locator("[data-slot=count]")


def listed(facilitation: Page, title):
    """A topic of the facilitator's list, by its exact title."""
    return facilitation.locator("ol.facilitate-list > li").filter(
        has=facilitation.locator(".topic-line strong", has_text=exactly(title))
    )


def topic_id_of(facilitation: Page, title):
    return int(listed(facilitation, title).get_attribute("id").removeprefix("topic-"))


# ---- the stories ----


def test_a_topic_proposed_on_a_phone_is_voted_for_then_merged_live(projector, phone, new_context):
    wait_until_live(projector)
    mark_page(projector)
    facilitation = open_facilitation(projector)
    join_live(phone, "Zélie Martin")
    other = open_phone(new_context)
    join_live(other, "Gaspard")
    kept_id = topic_id_of(facilitation, KEPT)
    kept_before = int(ranked_count(projector, kept_id).inner_text())

    # Zélie starts typing a title close to one on the wall: it is suggested at once.
    phone.locator("#propose > summary").click()
    form = phone.locator("[data-propose-form]")
    title = form.locator("input[name=title]")
    expect(title).to_be_visible()
    title.press_sequentially(NEAR_DUPLICATE)
    similar = form.locator("[data-live=similar]")
    expect(similar).to_be_visible()
    expect(similar.locator("a")).to_have_text([exactly(KEPT)])
    form.locator("textarea[name=pitch]").fill("Comment embarquer les collègues qui freinent ?")
    form.locator("select[name=format]").select_option("workshop")
    form.locator("input[name=needs][value=flipchart]").check()

    # Submitting is refused, with the way to propose it anyway.
    form.locator(".propose-buttons button.primary").click()
    expect(form.locator("[data-similar-hint]")).to_be_visible()
    expect(form.locator("[data-similar-hint]")).to_have_text(SIMILAR_REFUSAL)
    anyway = form.locator("button[name=allow_similar]")
    expect(anyway).to_be_visible()
    expect(card(other, NEAR_DUPLICATE)).to_have_count(0)
    anyway.click()

    # It is on the wall of both phones and on the projector, without a reload.
    new = card(phone, NEAR_DUPLICATE)
    expect(new).to_have_count(1)
    expect(form).to_be_hidden()  # the form closed once the topic was on the wall
    new_id = new.get_attribute("data-topic-id")
    theirs = card_by_id(other, new_id)
    expect(theirs.locator("[data-slot=title]")).to_have_text(exactly(NEAR_DUPLICATE))
    expect(theirs.locator("[data-slot=pitch]")).to_have_text(
        "Comment embarquer les collègues qui freinent ?"
    )
    expect(theirs.locator("[data-slot=format]")).to_have_text(re.compile(r"Atelier|Workshop"))
    expect(theirs.locator("[data-slot=needs]")).to_have_text(
        re.compile(r"Paperboard|Tableau de papier|Flipchart", re.I)
    )
    expect(theirs.locator("[data-slot=hosts]")).to_contain_text("Zélie Martin")
    expect(other.locator("[data-live=topic-count]")).to_have_text("9")
    expect(ranked(projector, new_id).locator("[data-slot=title]")).to_have_text(
        exactly(NEAR_DUPLICATE)
    )
    expect(ranked_count(projector, new_id)).to_have_text("0")

    # Gaspard votes for it: one vote less for him, one more on the projector.
    expect(budget(other)).to_have_text(budget_left(3))
    theirs.locator("[data-control=vote] button").click()
    expect(budget(other)).to_have_text(budget_left(2))
    expect(theirs.locator("[data-control=unvote]")).to_be_visible()
    expect(ranked_count(projector, new_id)).to_have_text("1")
    expect(new.locator("[data-slot=tally]")).to_have_text(votes(1))

    # The facilitator merges it into the topic it duplicates, once their page shows the
    # vote (it fetches itself again after each change; not while a list is being chosen).
    duplicate = listed(facilitation, NEAR_DUPLICATE)
    expect(duplicate.locator(".tally")).to_have_text(votes(1))
    merge = duplicate.locator("form[data-live-action=topic_merge]")
    target = merge.locator("select[name=target_id]")
    target.focus()  # as a person choosing: the page does not refresh under them
    target.select_option(label=KEPT)
    facilitation.once("dialog", lambda dialog: dialog.accept())  # "cannot be undone"
    merge.locator("button[type=submit]").click()

    for page in (phone, other):
        expect(card_by_id(page, new_id)).to_have_count(0)
        expect(page.locator("[data-live=topic-count]")).to_have_text("8")
    expect(ranked(projector, new_id)).to_have_count(0)
    expect(ranked_count(projector, kept_id)).to_have_text(str(kept_before + 1))
    # Gaspard's vote moved with it; the proposer now co-hosts the topic kept.
    kept = card_by_id(other, kept_id)
    expect(kept.locator("[data-slot=tally]")).to_have_text(votes(kept_before + 1))
    expect(kept.locator("[data-slot=mine]")).to_be_visible()
    expect(kept.locator("[data-control=unvote]")).to_be_visible()
    expect(budget(other)).to_have_text(budget_left(2))
    expect(card_by_id(phone, kept_id).locator("[data-slot=hosts]")).to_contain_text("Zélie Martin")
    expect(listed(facilitation, NEAR_DUPLICATE)).to_have_count(0)

    assert_same_page(projector, "the projector")
    assert_same_page(phone, "the proposer's phone")
    assert_same_page(facilitation, "the facilitator page")
    # The voter's phone: see the next test (a card that arrived live).


def test_a_card_that_arrived_live_votes_without_a_reload(phone):
    join_live(phone, "Léon")
    phone.locator("#propose > summary").click()
    form = phone.locator("[data-propose-form]")
    form.locator("input[name=title]").fill("Ouvrir les données de la mairie")
    form.locator(".propose-buttons button.primary").click()
    new = card(phone, "Ouvrir les données de la mairie")
    expect(new).to_have_count(1)

    new.locator("[data-control=vote] button").click()
    expect(budget(phone)).to_have_text(budget_left(2))
    expect(new.locator("[data-slot=tally]")).to_have_text(votes(1))
    assert_same_page(phone, "the phone")


def vote_with_the_keyboard(phone: Page):
    """Tab to the first "Vote" button, remember its card, press Enter."""
    for _ in range(60):
        phone.keyboard.press("Tab")
        if phone.evaluate("!!document.activeElement.closest('form[data-control=vote]')"):
            break
    expect(phone.locator("form[data-control=vote] button:focus")).to_have_count(1)
    topic_id = phone.evaluate(
        "(window.__card = document.activeElement.closest('li[data-topic-id]')).dataset.topicId"
    )
    phone.keyboard.press("Enter")
    expect(budget(phone)).to_have_text(budget_left(2))
    expect(card_by_id(phone, topic_id).locator("[data-slot=mine]")).to_be_visible()
    assert phone.evaluate("window.__card.isConnected"), "the card voted for was re-created"
    return topic_id


def test_a_vote_with_the_keyboard_is_counted_and_the_next_tab_stays_on_its_card(phone):
    join_live(phone, "Inès au clavier")
    expect(budget(phone)).to_have_text(budget_left(3))
    topic_id = vote_with_the_keyboard(phone)

    # "Take my vote back" replaces "Vote"; the next Tab goes on from the card voted for.
    expect(card_by_id(phone, topic_id).locator("[data-control=unvote] button")).to_be_visible()
    phone.keyboard.press("Tab")
    assert phone.evaluate(
        "document.activeElement.closest('li[data-topic-id]') === window.__card"
    ), "the next Tab left the card voted for"
    assert_same_page(phone, "the phone")


def test_the_keyboard_focus_stays_on_the_card_right_after_a_vote(phone):
    join_live(phone, "Inès au clavier")
    vote_with_the_keyboard(phone)
    assert phone.evaluate(
        "document.activeElement.closest('li[data-topic-id]') === window.__card"
    ), "the keyboard focus left the card voted for"


def test_the_facilitator_spotlights_a_topic_on_the_projector(projector):
    wait_until_live(projector)
    mark_page(projector)
    spotlight = projector.locator("[data-live=spotlight]")
    expect(spotlight).to_be_hidden()
    facilitation = open_facilitation(projector)

    title = "Curation : faire remonter le meilleur des communautés"
    topic = listed(facilitation, title)
    topic.locator("form[data-live-action=topic_spotlight] button").click()

    expect(spotlight).to_be_visible()
    expect(spotlight.locator("[data-slot=title]")).to_have_text(exactly(title))
    # Large: most of the screen, the title in letters readable from the back of the room.
    box = spotlight.bounding_box()
    assert box["width"] > 1920 / 2, box
    assert box["height"] > 1080 / 2, box
    size = spotlight.locator("[data-slot=title]").evaluate("e => getComputedStyle(e).fontSize")
    assert float(size.removesuffix("px")) >= 60, size
    expect(spotlight.locator("[data-slot=pitch]")).to_contain_text("communautés professionnelles")
    # The facilitator page follows: this topic's button is off (aria-disabled, so that the
    # keyboard's focus may stay on it), "clear" is offered.
    expect(topic.locator("form[data-live-action=topic_spotlight] button")).to_have_attribute(
        "aria-disabled", "true"
    )
    clear = facilitation.locator(
        "section form[data-live-action=topic_spotlight]:not(:has(input[name=topic_id])) button"
    )
    expect(clear).to_be_visible()
    clear.click()

    expect(spotlight).to_be_hidden()
    expect(clear).to_have_count(0)
    assert_same_page(projector, "the projector")
    assert_same_page(facilitation, "the facilitator page")


def test_the_vote_buttons_go_once_the_budget_is_spent_and_come_back(phone):
    join_live(phone, "Hugo trois votes")
    cards = phone.locator("ul[data-live=topics] > li[data-topic-id]")
    expect(cards).to_have_count(8)
    expect(vote_buttons(phone)).to_have_count(8)

    for n in range(3):
        cards.nth(n).locator("[data-control=vote] button").click()
        expect(budget(phone)).to_have_text(budget_left(2 - n))
        expect(cards.nth(n).locator("[data-control=unvote]")).to_be_visible()

    expect(vote_buttons(phone)).to_have_count(0)
    expect(phone.locator("ul[data-live=topics] [data-control=unvote]:visible")).to_have_count(3)

    cards.nth(1).locator("[data-control=unvote] button").click()
    expect(budget(phone)).to_have_text(budget_left(1))
    expect(vote_buttons(phone)).to_have_count(6)
    expect(cards.nth(1).locator("[data-control=vote]")).to_be_visible()
    expect(cards.nth(1).locator("[data-control=unvote]")).to_be_hidden()
    assert_same_page(phone, "the phone")


def test_without_javascript_the_plain_forms_join_propose_and_vote(projector, new_context):
    wait_until_live(projector)
    mark_page(projector)
    phone = open_phone(new_context, java_script_enabled=False)
    join(phone, "Odette sans script")

    # A near-duplicate is refused by the server, with the similar topic and "anyway".
    phone.locator("#propose > summary").click()
    form = phone.locator("[data-propose-form]")
    form.locator("input[name=title]").fill(NEAR_DUPLICATE)
    form.locator("textarea[name=pitch]").fill("Sans JavaScript, mais avec conviction.")
    form.locator("select[name=format]").select_option("talk")
    form.locator("input[name=needs][value=projector]").check()
    form.locator(".propose-buttons button.primary").click()

    form = phone.locator("[data-propose-form]")
    expect(form.locator("[data-live=similar]")).to_be_visible()
    expect(form.locator("[data-live=similar] a")).to_have_text([exactly(KEPT)])
    # What was typed is still there.
    expect(form.locator("textarea[name=pitch]")).to_have_value(
        "Sans JavaScript, mais avec conviction."
    )
    expect(form.locator("input[name=needs][value=projector]")).to_be_checked()
    form.locator("button[name=allow_similar]").click()

    expect(phone).to_have_url(re.compile(r"/e/BERCY#topic-\d+$"))
    new = card(phone, NEAR_DUPLICATE)
    expect(new).to_have_count(1)
    expect(new.locator("[data-slot=pitch]")).to_have_text("Sans JavaScript, mais avec conviction.")
    expect(new.locator("[data-slot=tally]")).to_have_text(votes(0))
    new_id = new.get_attribute("data-topic-id")
    expect(ranked(projector, new_id)).to_have_count(1)

    # Voting reloads the page, on the card voted for.
    expect(budget(phone)).to_have_text(budget_left(3))
    new.locator("[data-control=vote] button").click()
    expect(phone).to_have_url(re.compile(rf"/e/BERCY#topic-{new_id}$"))
    new = card_by_id(phone, new_id)
    expect(new.locator("[data-slot=tally]")).to_have_text(votes(1))
    expect(new.locator("[data-control=vote]")).to_be_hidden()
    expect(new.locator("[data-control=unvote]")).to_be_visible()
    expect(budget(phone)).to_have_text(budget_left(2))
    expect(ranked_count(projector, new_id)).to_have_text("1")
    assert_same_page(projector, "the projector")


def wall_titles(phone: Page):
    """The titles the wall shows, in order (cards filtered out are not shown)."""
    return phone.locator("ul[data-live=topics] > li[data-topic-id]:visible [data-slot=title]")


def test_an_attendee_ranks_searches_and_finds_their_own_topics(phone, new_context):
    """The demo's wall on a phone: most voted first, a word or a format narrows the wall,
    and "only mine" keeps what I proposed or voted for; the choice lasts a reload."""
    join_live(phone, "Margaux cherche")
    controls = phone.get_by_role("search", name="Trier et filtrer les sujets")
    expect(controls).to_be_visible()
    state = phone.request.get("/e/BERCY/state.json").json()
    total = len(state["topics"])
    counts = dict(state["tallies"]["counts"])

    controls.get_by_label("Ordre").select_option(label="Les plus votés d’abord")
    shown = [
        int(t)
        for t in phone.locator("ul[data-live=topics] > li[data-topic-id]").evaluate_all(
            "cards => cards.map(card => card.dataset.topicId)"
        )
    ]
    tallies = [counts.get(topic_id, 0) for topic_id in shown]
    assert tallies == sorted(tallies, reverse=True), tallies
    assert tallies[0] > tallies[-1]

    # A word, accents and case aside, narrows the wall; the count says so.
    title = next(t["title"] for t in state["topics"] if "é" in t["title"])
    word = max(title.split(), key=len)
    search = controls.get_by_label("Chercher")
    search.fill(word.upper().replace("É", "E"))
    expect(wall_titles(phone).first).to_be_visible()
    for text in wall_titles(phone).all_inner_texts():
        folded = text.lower()
        assert word.lower() in folded or word.lower().replace("é", "e") in folded, text
    expect(controls.get_by_role("status")).to_have_text(
        re.compile(rf"^\d+ sujets? affichés? sur {total}$")
    )
    search.fill("zzz introuvable")
    expect(wall_titles(phone)).to_have_count(0)
    search.fill("")
    expect(wall_titles(phone)).to_have_count(total)
    expect(controls.locator("[data-slot=shown]")).to_be_empty()  # nothing left out

    # By format.
    formats = {t["format"] for t in state["topics"]}
    assert "workshop" in formats or "discussion" in formats
    controls.get_by_label("Format").select_option(label="Atelier")
    expected = sum(1 for t in state["topics"] if t["format"] == "workshop")
    expect(wall_titles(phone)).to_have_count(expected)
    controls.get_by_label("Format").select_option(label="Tous les formats")

    # Only mine: what I voted for (and propose, later) stays.
    vote_buttons(phone).first.click()
    expect(budget(phone)).to_have_text(budget_left(2))
    controls.get_by_label(re.compile("Seulement les miens")).check()
    expect(wall_titles(phone)).to_have_count(1)
    phone.reload()  # the choice is kept for this tab
    wait_until_live(phone)
    expect(controls.get_by_label(re.compile("Seulement les miens"))).to_be_checked()
    expect(wall_titles(phone)).to_have_count(1)
