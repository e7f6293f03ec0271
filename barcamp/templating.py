"""Template globals and filters shared by every page."""

import hashlib
import secrets
from functools import cache
from pathlib import Path

from flask import current_app, g, request, url_for
from flask_babel import get_locale, get_translations, gettext
from markupsafe import Markup

from barcamp.models import Phase, Role, SlotKind


@cache
def _fingerprint(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def asset(filename):
    """The URL of a static file, with a fingerprint so browsers refetch it after a change."""
    path = Path(current_app.static_folder) / filename
    version = _fingerprint(str(path)) if not current_app.debug else path.stat().st_mtime_ns
    return url_for("static", filename=filename, v=version)


_LABELS = {}


def ui_labels():
    """Words the live pages need, in the page's language, for Jinja and live.js alike.
    Placeholders stay in: `plural()` here and live.js fill them. Read once per
    language."""
    locale = str(get_locale())
    labels = _LABELS.get(locale)
    if labels is None:
        labels = _LABELS[locale] = _ui_labels()
    return labels


def _ui_labels():
    from barcamp.forms.topics import FORMATS, NEEDS

    ngettext = get_translations().ngettext  # the raw text, not yet formatted

    return {
        "formats": {choice.value: str(choice.label) for choice in FORMATS},
        "needs": {choice.value: str(choice.label) for choice in NEEDS},
        "needs_title": gettext("Needs:"),
        "hosts": gettext("Hosted by %(names)s"),
        "no_host": gettext("Its proposer has left"),
        "votes_one": ngettext("%(num)d vote", "%(num)d votes", 1),
        "votes_other": ngettext("%(num)d vote", "%(num)d votes", 2),
        "mine": gettext("Your votes: %(num)d"),
        "left_one": ngettext(
            "You have %(num)d vote left out of %(budget)d",
            "You have %(num)d votes left out of %(budget)d",
            1,
        ),
        "left_other": ngettext(
            "You have %(num)d vote left out of %(budget)d",
            "You have %(num)d votes left out of %(budget)d",
            2,
        ),
        "blind": gettext("Counts are hidden until voting closes."),
        "ranking_page": gettext("%(first)d–%(last)d of %(total)d"),
        "total_one": ngettext("%(num)d vote cast", "%(num)d votes cast", 1),
        "total_other": ngettext("%(num)d vote cast", "%(num)d votes cast", 2),
        "proposals_open": gettext("Proposals open"),
        "proposals_closed": gettext("Proposals closed"),
        "voting_open": gettext("Voting open"),
        "voting_closed": gettext("Voting closed"),
        "similar": gettext("Similar topics already on the wall:"),
        "network": gettext("No answer from the server: your action was not saved. Try again."),
        "seated_one": ngettext(
            "%(num)d seat taken in a session you voted for.",
            "%(num)d seats taken in sessions you voted for.",
            1,
        ),
        "seated_other": ngettext(
            "%(num)d seat taken in a session you voted for.",
            "%(num)d seats taken in sessions you voted for.",
            2,
        ),
        "seated_none": gettext("No free seat in a session you voted for: choose below."),
    }


def plural(labels, key, num, **values):
    """`labels[key_one]` or `labels[key_other]` as the page's language counts `num`."""
    form = "one" if get_locale().plural_form(num) == "one" else "other"
    return labels[f"{key}_{form}"] % dict(values, num=num)


def format_named(text, **values):
    """Fill %(name)s placeholders of a translated text."""
    return text % values


def walltime(value):
    """A slot's wall-clock time (already in the event's time zone), as 09:30: the same on
    every page and on the projector, in both languages."""
    return value.strftime("%H:%M")


def extract(key, mapping):
    """For `ids | map("extract", names)`: the value a mapping holds for a key."""
    return mapping.get(key, "")


def _hosted_ids(participant):
    """Ids of the open topics a participant hosts."""
    from barcamp.models import TopicStatus

    topics = participant.event.topics
    return [t.id for t in topics if t.status == TopicStatus.OPEN and participant.id in t.host_ids()]


def register_asset_caching(app):
    """Fingerprinted static files (`?v=…`) can be cached for a year; others revalidate."""
    default = app.get_send_file_max_age

    def max_age(filename):
        return 31_536_000 if request.args.get("v") else default(filename)

    app.get_send_file_max_age = max_age


def optimizer_labels():
    """What the grid page says while the optimizer works, for live.js (placeholders
    left in: it fills them); how a run ends, as its refusal says it."""
    from barcamp.services.optimizer import ScheduleCancelled, ScheduleFailed
    from barcamp.services.schedule import ScheduleStale

    return {
        "starting": gettext("The optimizer is reading the votes…"),
        "running": gettext(
            "Searching: so far, %(best)d of the %(bound)d votes that could at best be "
            "attended (%(share)d%%)."
        ).replace("%%", "%"),
        "done": gettext("Grid built: %(best)d of %(bound)d possible votes can be attended."),
        "cancelled": str(ScheduleCancelled.default_message),
        "stale": str(ScheduleStale.default_message),
        "failed": str(ScheduleFailed.default_message),
    }


def operation_field():
    """A hidden operation id for a plain form whose repeat must not act twice (a double
    click, a resent POST): each rendering gets a fresh one (see routes/actions.py)."""
    return Markup('<input type="hidden" name="op_id" value="%s">') % secrets.token_hex(16)


def content_lang():
    """` lang="fr"` on what people wrote (titles, pitches, notes) in an event in French
    seen in English, or the reverse: the event's language is theirs; nothing when the
    page speaks it already (WCAG 3.1.2)."""
    event = g.get("event")
    locale = getattr(event, "locale", None)
    if not locale or locale == str(get_locale()):
        return Markup("")
    return Markup(' lang="%s"') % locale


def register_template_helpers(app):
    register_asset_caching(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    from barcamp.routes.views import (
        cached_fragment,
        cached_people,
        cached_wall,
        ranked,
        schedule_view_for,
        wall_view,
    )
    from barcamp.services.notes import ROLE_LABELS

    app.jinja_env.globals.update(
        asset=asset,
        plural=plural,
        wall_view=wall_view,
        cached_wall=cached_wall,
        cached_people=cached_people,
        cached_fragment=cached_fragment,
        schedule_view_for=schedule_view_for,
        ranked=ranked,
        Role=Role,
        Phase=Phase,
        SlotKind=SlotKind,
        role_labels=ROLE_LABELS,
        operation_field=operation_field,
        optimizer_labels=optimizer_labels,
        content_lang=content_lang,
        # "Who is here" on the event page lists the newest arrivals, not all 2,000: its
        # count says how many are here (and rendering every name on every join made a
        # ramp of arrivals quadratic).
        PEOPLE_SHOWN=100,
    )
    app.jinja_env.filters.update(format_named=format_named, extract=extract, walltime=walltime)
    app.jinja_env.globals["hosted_ids"] = lambda visitor: (
        _hosted_ids(visitor.participant) if visitor.participant else []
    )

    @app.context_processor
    def inject_request_globals():
        return {
            "current_locale": str(get_locale()),
            "current_path": request.full_path.rstrip("?"),
        }
