"""Forms that say what is wrong where it is wrong, without JavaScript too: a required
field is marked required (in its label and to assistive technologies), and a refused
one carries aria-invalid and its message, tied to it by aria-describedby."""

import re

from barcamp.models import Role
from tests.conftest import join, open_wall


def field_tag(html, name):
    return re.search(rf"<(?:input|textarea)[^>]*name=\"{name}\"[^>]*>", html).group(0)


def test_the_fields_to_fill_are_marked_required(app, client, event):
    html = client.get(f"/e/{event.code}").get_data(as_text=True)
    assert "required" in field_tag(html, "display_name").split()
    label = re.search(r'<p class="label-line"><label for="display_name">.*?</p>', html).group(0)
    assert '<span class="required" aria-hidden="true">(obligatoire)</span>' in label


def test_an_empty_proposal_marks_its_title_and_says_why_next_to_it(app, client):
    event, _ = open_wall(app)
    join(client, event, "Inès")
    answer = client.post(f"/e/{event.code}/topics", data={"title": "  ", "format": "discussion"})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    title = field_tag(html, "title")
    assert 'aria-invalid="true"' in title
    assert "required" in title.split()
    described = re.search(r'aria-describedby="([^"]+)"', title).group(1).split()
    assert "title-error" in described
    message = re.search(r'<p class="error" id="title-error">([^<]+)</p>', html)
    assert message
    assert message.group(1).strip()


def required_marks(html):
    """The names of the fields marked required, and those whose label says so."""
    tags = re.findall(r"<(?:input|textarea|select)\b[^>]*>", html)
    marked = {
        re.search(r'name="([^"]+)"', tag).group(1)
        for tag in tags
        if "required" in re.split(r"[\s>]", tag) and 'name="' in tag
    }
    labelled = set(
        re.findall(
            r'<p class="label-line"><label for="([^"]+)">[^<]*</label> '
            r'<span class="required" aria-hidden="true">',
            html,
        )
    )
    return marked, labelled


def test_the_organizers_forms_mark_what_they_cannot_do_without(app, client, make_event):
    app.config.update(EVENT_CREATION="admin", ADMIN_TOKEN="code-du-ministere")
    marked, labelled = required_marks(client.get("/new").get_data(as_text=True))
    must = {"name", "starts_on", "timezone", "locale", "admin_token"}
    assert must <= marked
    assert must <= labelled
    assert not {"venue", "rooms-0-name", "slots-0-label"} & (marked | labelled)

    event, keys = make_event()
    client.get(f"/e/{event.code}/key/{keys[Role.ORGANIZER]}")
    marked, labelled = required_marks(
        client.get(f"/e/{event.code}/organize").get_data(as_text=True)
    )
    must = {"name", "starts_on", "timezone", "locale", "vote_budget", "max_votes_per_topic"}
    assert must <= marked
    assert must <= labelled
    assert "admin_token" not in marked  # asked only to create an event

    marked, labelled = required_marks(
        client.get(f"/e/{event.code}/testimonies/new").get_data(as_text=True)
    )
    assert {"title", "speaker_name"} <= marked
    assert {"title", "speaker_name"} <= labelled
    assert not {"speaker_role", "organisation", "link", "summary"} & (marked | labelled)
