"""Creating an event, the organizer's page, and the role links (open, renew)."""

import hmac

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from barcamp import identity
from barcamp.errors import Forbidden, NotFound, ValidationFailed
from barcamp.forms import ConfirmForm
from barcamp.forms.events import EventForm, new_event_form
from barcamp.forms.exports import ProceedingsAccessForm
from barcamp.forms.topics import VotingRulesForm
from barcamp.models import Role
from barcamp.ratelimit import limiter
from barcamp.routes.links import external_url, leave_secret_link
from barcamp.security import matches
from barcamp.services import events as event_service
from barcamp.services.facilitation import set_voting_rules
from barcamp.services.participants import grant_role
from barcamp.unit_of_work import unit_of_work

bp = Blueprint("events", __name__)

_ADMIN_OK = "instance_admin"


def _creation_needs_code():
    return current_app.config["EVENT_CREATION"] == "admin" and not session.get(_ADMIN_OK)


def _check_admin_code(form):
    if not _creation_needs_code():
        return True
    expected = current_app.config.get("ADMIN_TOKEN") or ""
    given = form.admin_token.data or ""
    if expected and hmac.compare_digest(given.encode(), expected.encode()):
        session[_ADMIN_OK] = True
        return True
    form.admin_token.errors = [_("This access code is not the right one.")]
    return False


def _edit_rows_requested(form):
    """Handle the no-JavaScript "add a row" buttons; True if one was pressed."""
    if "add_room" in request.form:
        form.add_blank_rows(rooms=1)
    elif "add_slot" in request.form:
        form.add_blank_rows(slots=1)
    else:
        return False
    return True


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Create an event; its creator becomes its organizer in this browser."""
    form = new_event_form()
    needs_code = _creation_needs_code()
    if not needs_code:
        del form.admin_token
    if form.is_submitted() and not _edit_rows_requested(form):
        valid = form.validate()
        if valid:
            # Counted before the access code is checked, so it cannot be guessed fast.
            limiter.enforce("30/hour", "create", request.remote_addr)
        if valid and _check_admin_code(form):
            try:
                with unit_of_work():
                    event, keys = event_service.create_event(
                        form.settings(), form.room_rows(), form.slot_rows()
                    )
            except ValidationFailed as failure:
                form.apply_errors(failure)
            else:
                for role, secret in keys.items():
                    identity.remember_role_link(event, role, secret)
                flash(
                    _(
                        "Your event is ready. Keep the organizer link safe: it is the "
                        "only way to manage the event from another device."
                    ),
                    "success",
                )
                return redirect(url_for("events.organize", code=event.code))
        return render_template(
            "events/new.html", form=form, needs_code=needs_code
        ), form.failure_status
    return render_template("events/new.html", form=form, needs_code=needs_code)


def _require_organizer():
    visitor = identity.visitor(g.event)
    if not visitor.can(Role.ORGANIZER):
        # Same answer as an unknown event: a wrong secret reveals nothing.
        raise NotFound()
    return visitor


def _render_organize(visitor, *, form=None, rules_form=None, status=200):
    if form is None:
        form = EventForm(formdata=None)
        del form.admin_token
        form.fill_from(visitor.event)
    return render_template(
        "events/organize.html",
        form=form,
        visitor=visitor,
        links=_links(visitor.event),
        rotate_form=ConfirmForm(formdata=None),
        rules_form=rules_form or VotingRulesForm(formdata=None, obj=visitor.event),
        access_form=ProceedingsAccessForm(formdata=None, access=visitor.event.proceedings_access),
    ), status


@bp.route("/e/<code>/organize", methods=["GET", "POST"])
def organize():
    """The organizer's page: share links, edit the event, its rooms and slots."""
    visitor = _require_organizer()
    if request.method == "GET":
        return _render_organize(visitor)
    form = EventForm()
    del form.admin_token
    if _edit_rows_requested(form):
        return _render_organize(visitor, form=form)
    if form.validate():
        try:
            with unit_of_work():
                event_service.update_event(
                    visitor.event, form.settings(), form.room_rows(), form.slot_rows()
                )
        except ValidationFailed as failure:
            form.apply_errors(failure)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("events.organize"))
    return _render_organize(visitor, form=form, status=form.failure_status)


def _links(event):
    links = {"join": external_url("participants.home")}
    for role in (Role.ORGANIZER, Role.FACILITATOR):
        secret = identity.role_link_secret(event, role)
        links[role.value] = external_url("events.open_role_link", secret=secret) if secret else None
    return links


ROTATED = {
    Role.ORGANIZER: _l("New organizer link made: the old one no longer works."),
    Role.FACILITATOR: _l("New facilitator link made: the old one no longer works."),
}


@bp.post("/e/<code>/organize/links/<role>")
def rotate_link(role):
    """Renew the organizer or facilitator link; the old one stops working."""
    visitor = _require_organizer()
    if role not in (Role.ORGANIZER, Role.FACILITATOR):
        raise NotFound()
    form = ConfirmForm()
    if not form.validate():
        raise Forbidden(form.csrf_token.errors[0])
    with unit_of_work():
        secret = event_service.rotate_key(g.event, role, keep=visitor.participant)
    identity.remember_role_link(g.event, role, secret)
    flash(ROTATED[Role(role)], "success")
    return redirect(url_for("events.organize") + "#links")


@bp.get("/e/<code>/key/<secret>")
def open_role_link(secret):
    """Grant the link's role in this browser, then leave the secret out of the address."""
    event = g.event
    role = next(
        (
            r
            for r in (Role.ORGANIZER, Role.FACILITATOR)
            if matches(secret, getattr(event, f"{r.value}_key_digest"))
        ),
        None,
    )
    if role is None:
        raise NotFound(_l("This link is not valid, or it has been replaced by a new one."))
    identity.remember_role_link(event, role, secret)
    visitor = identity.visitor(event)
    if visitor.participant is not None:
        with unit_of_work():
            grant_role(visitor.participant, role)
    return leave_secret_link("events.organize" if role is Role.ORGANIZER else "facilitation.page")


@bp.post("/e/<code>/organize/voting")
def voting_rules():
    """Set the votes per person, the maximum per topic, and blind voting."""
    visitor = _require_organizer()
    form = VotingRulesForm()
    if form.validate():
        try:
            with unit_of_work():
                set_voting_rules(
                    visitor,
                    budget=form.vote_budget.data,
                    max_per_topic=form.max_votes_per_topic.data,
                    blind=form.blind_voting.data,
                )
        except ValidationFailed as failure:
            form.apply_errors(failure)
        else:
            flash(_("Voting rules saved."), "success")
            return redirect(url_for("events.organize") + "#voting", code=303)
    return _render_organize(visitor, rules_form=form, status=form.failure_status)
