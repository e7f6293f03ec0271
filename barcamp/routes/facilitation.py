"""The facilitator's page without JavaScript: phases, spotlight, hide, merge."""

from flask import Blueprint, g, redirect, render_template, url_for
from flask_babel import gettext as _

from barcamp import identity
from barcamp.errors import NotFound
from barcamp.extensions import db
from barcamp.forms import ConfirmForm
from barcamp.forms.topics import MarketplaceForm, MergeForm, TopicActionForm
from barcamp.models import Role, Topic, TopicStatus
from barcamp.routes.actions import run_button
from barcamp.services import facilitation, moderation
from barcamp.services.report_back import workshop_reports
from barcamp.services.snapshots import event_snapshot

bp = Blueprint("facilitation", __name__, url_prefix="/e/<code>/facilitate")


def _facilitator():
    visitor = identity.visitor(g.event)
    if not visitor.can(Role.FACILITATOR):
        raise NotFound()  # like a wrong secret: reveals nothing
    return visitor


@bp.get("")
def page():
    """Run the marketplace: open and close its phases, tidy the wall."""
    visitor = _facilitator()
    hidden = db.session.scalars(
        db.select(Topic)
        .where(Topic.event_id == g.event.id, Topic.status == TopicStatus.HIDDEN)
        .order_by(Topic.id)
    ).all()
    return render_template(
        "facilitation/page.html",
        visitor=visitor,
        snapshot=event_snapshot(g.event),
        hidden=hidden,
        marketplace_form=MarketplaceForm(formdata=None),
        action_form=TopicActionForm(formdata=None),
        merge_form=MergeForm(formdata=None),
        screen_form=ConfirmForm(formdata=None),
        report_count=len(workshop_reports(g.event)),
        removable={
            person.id for person in g.event.participants if moderation.may_remove(visitor, person)
        },
        erased={person.id for person in g.event.participants if person.erased_at is not None},
        bans=moderation.bans(g.event) if visitor.can(Role.ORGANIZER) else (),
    )


def _back(anchor=""):
    return redirect(url_for("facilitation.page") + anchor, code=303)


def _run(form, action, done=None):
    visitor = _facilitator()
    run_button(form, lambda: action(visitor), done=done)
    return _back()


@bp.post("/marketplace")
def marketplace():
    """Open or close proposals and voting."""
    form = MarketplaceForm()

    def flag(field):
        return None if field.data not in ("true", "false") else field.data == "true"

    return _run(
        form,
        lambda v: facilitation.set_marketplace(
            v, proposals_open=flag(form.proposals_open), voting_open=flag(form.voting_open)
        ),
        _("Done: everybody sees the change."),
    )


@bp.post("/spotlight")
def spotlight():
    """Show a topic large on the projector (or nothing, without a topic)."""
    form = TopicActionForm()
    return _run(form, lambda v: facilitation.spotlight(v, form.topic_id.data))


@bp.post("/hide")
def hide():
    """Take a topic off the wall; its votes go back to the voters."""
    form = TopicActionForm()
    return _run(
        form,
        lambda v: facilitation.hide(v, form.topic_id.data),
        _("The topic is hidden; its votes were given back."),
    )


@bp.post("/unhide")
def unhide():
    form = TopicActionForm()
    return _run(
        form,
        lambda v: facilitation.unhide(v, form.topic_id.data),
        _("The topic is back on the wall."),
    )


@bp.post("/merge")
def merge():
    """Merge a duplicate into another topic."""
    form = MergeForm()
    return _run(
        form,
        lambda v: facilitation.merge(v, form.source_id.data, form.target_id.data),
        _("Merged: hosts and votes moved to the topic kept."),
    )
