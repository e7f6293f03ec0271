"""What the marketplace templates need, built from the same snapshot live.js receives."""

from types import SimpleNamespace

from flask import url_for

from barcamp.models import Role
from barcamp.templating import ui_labels


def wall_view(snapshot, visitor, action_form=None):
    """The wall as a template renders it: names, counts, my votes, what I may do."""
    event = snapshot["event"]
    me = snapshot.get("me") or {"votes": [], "left": 0, "budget": event["vote_budget"]}
    tallies = snapshot["tallies"]
    return SimpleNamespace(
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
