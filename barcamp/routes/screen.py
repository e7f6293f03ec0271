"""The projector screen, the join QR code, and the public state as JSON."""

import io

import segno
from flask import Blueprint, Response, g, jsonify, render_template

from barcamp import identity
from barcamp.routes.links import external_url
from barcamp.services.snapshots import event_snapshot

bp = Blueprint("screen", __name__, url_prefix="/e/<code>")


@bp.get("/screen")
def screen():
    """Big type for the back of the room: name, QR code, code, who is here."""
    return render_template(
        "screen/screen.html",
        visitor=identity.visitor(g.event),
        snapshot=event_snapshot(g.event),
        join_url=external_url("participants.home"),
    )


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
