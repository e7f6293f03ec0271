"""The projector screen, the join QR code, and the public state as JSON."""

import io
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from barcamp import identity
from barcamp.clock import clock_offset
from barcamp.errors import BarcampError, NotFound
from barcamp.forms import ConfirmForm
from barcamp.models import Role
from barcamp.routes.links import external_url, leave_secret_link
from barcamp.security import matches
from barcamp.services import screen as screen_service
from barcamp.services.report_back import workshop_reports
from barcamp.services.snapshots import event_snapshot
from barcamp.sockets.screen import changes_of
from barcamp.unit_of_work import unit_of_work

bp = Blueprint("screen", __name__, url_prefix="/e/<code>")


@bp.get("/screen")
def screen():
    """Big type for the back of the room: name, QR code, code, who is here; in the
    plenaries the talk on stage and the room's questions, or the report-back."""
    visitor = identity.visitor(g.event)
    snapshot = event_snapshot(g.event)
    return render_template(
        "screen/screen.html",
        visitor=visitor,
        snapshot=snapshot,
        join_url=external_url("participants.home"),
        reports=workshop_reports(g.event) if snapshot["screen"]["mode"] == "report" else [],
        controls=visitor.can(Role.FACILITATOR),
        clock_offset=clock_offset(current_app, g.event),
        form=ConfirmForm(formdata=None),
    )


def _facilitator():
    visitor = identity.visitor(g.event)
    if not visitor.can(Role.FACILITATOR):
        raise NotFound()  # like a wrong secret: reveals nothing
    return visitor


@bp.post("/screen/link")
def new_link():
    """Make the screen link (a new one stops the old): shown this once, to open on the
    projector's own computer."""
    visitor = _facilitator()
    form = ConfirmForm()
    if not form.validate():
        flash(form.csrf_token.errors[0], "error")
        return redirect(url_for("facilitation.page") + "#projector", code=303)
    with unit_of_work():
        secret = screen_service.new_screen_link(visitor)
    link = external_url("screen.open_link", secret=secret)
    qr = segno.make(link, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    page = render_template("screen/link.html", visitor=visitor, link=link, qr=Markup(qr))
    return page, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.get("/screen/key/<secret>")
def open_link(secret):
    """The screen link: this browser shows the event's projector live, and only that."""
    if not matches(secret, g.event.screen_key_digest):
        raise NotFound(_l("This screen link is not valid, or it has been replaced by a new one."))
    identity.remember_screen_link(g.event, secret)
    return leave_secret_link("screen.screen")


@bp.get("/screen/report.json")
def report():
    """The report-back as it reads now: each workshop's decisions and actions, from its
    notes (which change without the event's version: read fresh)."""
    if not (g.event.schedule_published_at or identity.visitor(g.event).can(Role.FACILITATOR)):
        raise NotFound()
    response = jsonify({"workshops": workshop_reports(g.event)})
    response.cache_control.no_store = True
    return response


def _number(value):
    if value == "":
        return None
    return int(value) if value.lstrip("-").isdigit() and len(value) < 10 else value


@bp.post("/screen/state")
def set_state():
    """What the projector shows, without JavaScript: mode, talk, question, step (an
    empty value clears it). Back to the page the form was on."""
    visitor = _facilitator()
    form = ConfirmForm()
    if not form.validate():
        flash(form.csrf_token.errors[0], "error")
    else:
        fields = {
            key: (value if key == "mode" else _number(value))
            for key, value in request.form.items()
            if key in ("mode", "talk_id", "question_id", "step", "page")
        }
        try:
            with unit_of_work():
                screen_service.set_screen(visitor, **changes_of(fields))
        except BarcampError as refusal:
            flash(refusal.message, "error")
        else:
            flash(_("The projector shows it now."), "success")
    return redirect(_back_here(), code=303)


def _back_here():
    """The page of this event the form was sent from, else the facilitator's page."""
    referrer = urlsplit(request.referrer or "")
    prefix = f"/e/{g.event.code}/"
    if referrer.netloc == request.host and referrer.path.startswith(prefix):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("facilitation.page")


@bp.get("/qr.svg")
def qr_code():
    """The QR code of the event's join address."""
    qr = segno.make(external_url("participants.home"), error="m")
    buffer = io.BytesIO()
    qr.save(
        buffer,
        kind="svg",
        scale=10,
        border=2,
        dark="#000",
        light="#fff",
        omitsize=True,
        title=g.event.name,
    )
    response = Response(buffer.getvalue(), mimetype="image/svg+xml")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/state.json")
def state():
    """The public snapshot: the same data a connecting socket receives."""
    response = jsonify(event_snapshot(g.event))
    response.cache_control.no_store = True
    return response
