"""HTTP routes: thin views that parse input, call one service, and render."""

from flask import current_app, g

from barcamp.services.events import get_event


def register_blueprints(app):
    from barcamp.routes import (
        events,
        exports,
        facilitation,
        main,
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
