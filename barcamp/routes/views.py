"""What the marketplace templates need, built from the same snapshot live.js receives."""

from collections import OrderedDict
from types import SimpleNamespace

from flask import g, url_for
from flask_babel import get_locale
from markupsafe import Markup

from barcamp.models import Role
from barcamp.services.snapshots import wall_digest
from barcamp.templating import ui_labels


def wall_view(snapshot, visitor, action_form=None):
    """The wall as a template renders it: names, counts, my votes, what I may do."""
    event = snapshot["event"]
    me = snapshot.get("me") or {"votes": [], "left": 0, "budget": event["vote_budget"]}
    tallies = snapshot["tallies"]
    view = SimpleNamespace(
        labels=ui_labels(),
        names={p["id"]: p["name"] for p in snapshot["participants"]},
        counts=dict(tallies["counts"] or []),
        visible=tallies["counts"] is not None,
        total=tallies["total"],
        mine=dict(me["votes"]),
        left=me["left"],
        budget=me["budget"],
        me_id=visitor.participant.id if visitor.participant else None,
        participant=visitor.participant is not None,
        can_facilitate=visitor.can(Role.FACILITATOR),
        voting_open=event["voting_open"],
        proposals_open=event["proposals_open"],
        max_per_topic=event["max_votes_per_topic"],
        action_form=action_form,
        # Rendered once for every card's forms, not once per form (a wall of 15
        # topics has 75 of them).
        csrf=action_form.csrf_token() if action_form and "csrf_token" in action_form else "",
        actions={
            name: url_for(f"topics.{name}")
            for name in ("vote", "unvote", "cohost", "leave_cohosts", "withdraw")
        },
    )
    view.wall_key = _impersonal_wall_key(snapshot, view)
    return view


def _impersonal_wall_key(snapshot, view):
    """What the wall's rendering depends on when it shows nothing of the viewer's own
    (no dot given, no topic hosted: everyone arriving), or None. Its topics and their
    hosts' names are summed up by a digest (the event's version moves with every
    arrival, which changes no card), its counts by the votes' version."""
    event = g.get("event")
    if event is None or view.mine:
        return None
    if any(view.me_id in topic["host_ids"] for topic in snapshot["topics"]):
        return None
    return (
        event.id,
        event.created_at,
        wall_digest(event, snapshot),
        snapshot["tallies"]["votes_version"],
        str(get_locale()),
        event.locale,  # the language its titles are marked in (templating.content_lang)
        view.participant,
        view.can_facilitate,
        view.visible,
        view.voting_open,
        view.proposals_open,
        view.max_per_topic,
        view.left,
        view.budget,
    )


class FragmentCache:
    """Rendered HTML shared by every viewer with the same key, the few latest kept.

    A page arriving in a ramp of joins renders the same wall and the same list of
    people as the one before it: each is rendered once per change of the event
    instead. What is the viewer's own (their security token, their line in the list)
    is left out of the stored HTML and put in each copy."""

    def __init__(self, size=64):
        self.size = size
        self._entries = OrderedDict()

    def render(self, key, render):
        """The fragment for `key` (with the page's language), rendered by `render()`
        if it is not kept; `key` None renders it every time."""
        if key is None:
            return str(render())
        key = (str(get_locale()), *key)
        html = self._entries.get(key)
        if html is None:
            html = self._entries[key] = str(render())
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        return html


fragments = FragmentCache()

# Stands for the viewer's security token in a kept fragment.
_TOKEN = Markup("<!--csrf-->")


def cached_wall(view, caller):
    """`{% call cached_wall(view) %}…{% endcall %}`: the wall inside, rendered once for
    every viewer it shows nothing personal to."""

    def render():
        own, view.csrf = view.csrf, _TOKEN
        try:
            return caller()
        finally:
            view.csrf = own

    if view.wall_key is None:
        return caller()
    return Markup(fragments.render(("wall", *view.wall_key), render).replace(_TOKEN, view.csrf))


def cached_people(snapshot, me, caller):
    """`{% call cached_people(snapshot, me) %}{{ people_list(…, none, …) }}{% endcall %}`:
    "Who is here" rendered once per version of the event, the viewer's line marked in
    each copy."""
    event = g.get("event")
    key = ("people", event.id, event.created_at, snapshot["version"]) if event else None
    html = fragments.render(key, caller)
    if me is not None:
        line = f'<li data-id="{me.id}">'
        html = html.replace(line, f'<li data-id="{me.id}" class="me">', 1)
    return Markup(html)


def cached_fragment(key, caller):
    """`{% call cached_fragment(key) %}…{% endcall %}`: a fragment that depends only on
    `key` and the page's language (a blank form's fields)."""
    return Markup(fragments.render(("fragment", *key), caller))


def ranked(snapshot):
    """Topics by votes (most first), then oldest first; by age alone when counts are hidden."""
    counts = dict(snapshot["tallies"]["counts"] or [])
    return sorted(snapshot["topics"], key=lambda topic: (-counts.get(topic["id"], 0), topic["id"]))


def schedule_view_for(snapshot, visitor):
    """What the grid template needs besides the rows: names, who I am, the topics."""
    return SimpleNamespace(
        names={p["id"]: p["name"] for p in snapshot["participants"]},
        participant=visitor.participant is not None,
        published=snapshot["schedule"]["published"],
        topics=snapshot["topics"],
    )
