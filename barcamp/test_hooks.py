"""Hooks for the tests of the real server, on only with BARCAMP_TEST_HOOKS=1 (production
refuses to start with it)."""

import time

from flask import Blueprint, jsonify, request

from barcamp.database import WaitedInsideUnitOfWork
from barcamp.extensions import socketio
from barcamp.unit_of_work import unit_of_work

bp = Blueprint("test_hooks", __name__, url_prefix="/_test")


@bp.post("/hold-write-turn")
def hold_write_turn():
    """Hold the write turn for `seconds`, sleeping cooperatively inside a unit of work:
    what a unit of work must never do. Answers how long it held it and whether the
    unit of work was caught waiting (then rolled back)."""
    seconds = min(float(request.args.get("seconds", "1")), 10.0)
    began = time.monotonic()
    caught = False
    try:
        with unit_of_work():
            socketio.sleep(seconds)
    except WaitedInsideUnitOfWork:
        caught = True
    return jsonify(held=round(time.monotonic() - began, 3), caught=caught)
