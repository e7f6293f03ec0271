"""Language and time zone of each page: the visitor's choice, else the event's."""

from flask import current_app, g, has_request_context, request, session

LANGUAGE_KEY = "lang"


def select_locale():
    """The visitor's chosen language, else the event's, else the browser's, else French."""
    languages = current_app.config["LANGUAGES"]
    chosen = session.get(LANGUAGE_KEY) if has_request_context() else None
    if chosen in languages:
        return chosen
    event = g.get("event")
    if event is not None:
        return event.locale
    if g.get("event_locale"):  # the event's, read elsewhere (a batch of votes)
        return g.event_locale
    if has_request_context():
        return request.accept_languages.best_match(languages) or languages[0]
    return languages[0]


def select_timezone():
    event = g.get("event")
    return event.timezone if event is not None else None
