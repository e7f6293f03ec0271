"""HTTP routes: thin views that parse input, call one service, and render."""

from flask import current_app, g
from werkzeug.routing import IntegerConverter

from barcamp.services.events import get_event
from barcamp.services.lookup import LARGEST_ID


class IdConverter(IntegerConverter):
    """`<int:…>` in our addresses: an id the database can hold, so that a made-up one
    beyond 64 bits is a page not found, not an overflow in the database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app):
    app.url_map.converters["int"] = IdConverter
    from barcamp.routes import (
        events,
        exports,
        facilitation,
        main,
        moderation,
        notes,
        participants,
        questions,
        schedule,
        screen,
        talk_notes,
        talks,
        topics,
    )

    for module in (
        main,
        events,
        participants,
        topics,
        facilitation,
        moderation,
        schedule,
        notes,
        talks,
        talk_notes,
        questions,
        screen,
        exports,
    ):
        app.register_blueprint(module.bp)

    @app.url_value_preprocessor
    def pull_event(endpoint, values):
        """Load the event named by `<code>` into `g.event`, or answer 404."""
        if values and "code" in values:
            g.event = get_event(values.pop("code"))

    @app.url_defaults
    def add_event_code(endpoint, values):
        """Let `url_for` inside an event's pages omit the code."""
        if "code" in values or g.get("event") is None:
            return
        if current_app.url_map.is_endpoint_expecting(endpoint, "code"):
            values["code"] = g.event.code
