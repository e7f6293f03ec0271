"""Forms that say what is wrong where it is wrong, without JavaScript too: a required
field is marked required (in its label and to assistive technologies), and a refused
one carries aria-invalid and its message, tied to it by aria-describedby."""

import re

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
