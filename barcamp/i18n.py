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


def page_translations():
    """The catalogue of this request's language, looked up once per request.

    Flask-Babel finds it again for each string (its context, the locale, the domain,
    the cache): 55 strings on the event page cost 3 ms. The catalogue is kept beside
    the locale it was found for, so `force_locale` and `refresh` still switch it.
    """
    from flask_babel import get_translations

    context = g.get("_flask_babel")
    kept = getattr(context, "barcamp_translations", None)
    locale = getattr(context, "babel_locale", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    context = g.get("_flask_babel")
    if context is not None:
        context.barcamp_translations = (getattr(context, "babel_locale", None), translations)
    return translations


def install_template_gettext(app):
    """Jinja's `_`, `gettext` and `ngettext` through page_translations()."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: page_translations().ugettext(s),
        ngettext=lambda s, p, n: page_translations().ungettext(s, p, n),
        pgettext=lambda c, s: page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: page_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
