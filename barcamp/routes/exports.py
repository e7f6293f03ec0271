"""Exports: the organizers' ZIP and JSON dump, the proceedings (HTML and PDF, for whom
the organizers choose), and the actions and readings gathered across the day."""

from datetime import date
from pathlib import Path

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from barcamp import identity
from barcamp.errors import BarcampError, Forbidden
from barcamp.forms.exports import ProceedingsAccessForm
from barcamp.markdown import render
from barcamp.models import ProceedingsAccess, Role
from barcamp.services.events import set_proceedings_access
from barcamp.services.exports import joined, pause
from barcamp.services.exports.bundle import build_zip
from barcamp.services.exports.dump import dump_json
from barcamp.services.exports.pdf import PdfUnavailable, make_pdf
from barcamp.services.exports.proceedings import gather, labels
from barcamp.unit_of_work import end_read, unit_of_work

bp = Blueprint("exports", __name__, url_prefix="/e/<code>")

_CSS = Path(__file__).resolve().parents[1] / "static" / "css" / "proceedings.css"


class PdfNotAvailable(BarcampError):
    status = 503
    code = "pdf_unavailable"
    default_message = _l("The PDF cannot be made on this server.")


def _organizer():
    visitor = identity.visitor(g.event)
    if not visitor.can(Role.ORGANIZER):
        raise Forbidden(_l("Only the event's organizers can download its full export."))
    return visitor


def may_read_proceedings(visitor):
    access = g.event.proceedings_access
    if access == ProceedingsAccess.EVERYONE:
        return True
    if access == ProceedingsAccess.PARTICIPANTS:
        return visitor.is_member
    return visitor.can(Role.ORGANIZER)


def _reader():
    visitor = identity.visitor(g.event)
    if not may_read_proceedings(visitor):
        raise Forbidden(_l("The organizers have not opened the proceedings to you."))
    return visitor


def _download(body, mimetype, name):
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/export.zip")
def export_zip():
    """Everything, as files people open without Barcamp (docs/exports.md)."""
    _organizer()
    from barcamp.routes.schedule import event_calendar

    calendar = event_calendar().get_data()
    body = build_zip(g.event, calendar)
    end_read()
    return _download(body, "application/zip", f"{g.event.code}-export.zip")


@bp.get("/export.json")
def export_json():
    """The whole event as one JSON file, for `flask import-event` elsewhere."""
    _organizer()
    body = dump_json(g.event)
    end_read()
    return _download(body, "application/json", f"{g.event.code}.json")


def _notes_html(text, title):
    """A note in the proceedings: its first heading (the title again) left out,
    headings moved under the part's, no images (the page fetches nothing)."""
    lines = (text or "").strip().splitlines()
    if lines and lines[0].lstrip("# ").strip() == title.strip() and lines[0].startswith("#"):
        lines = lines[1:]
    return render("\n".join(lines), images=False, shift=2)


def proceedings_page(event):
    """The proceedings' self-contained HTML, in the event's language."""
    p = gather(event)
    # Rendered one at a time, letting the server's other greenlets run in between:
    # a hundred workshops' notes in one go would hold every page for ~0.3 s.
    rendered = {}
    for part in [*p.sessions, *p.talks]:
        for text in (part.notes, getattr(part, "body", "")):
            if text.strip():
                rendered[(text, part.title)] = _notes_html(text, part.title)
                pause()
    with force_locale(event.locale):
        return _render_paced(
            "exports/proceedings.html",
            p=p,
            words=labels(event),
            css=Markup(_CSS.read_text(encoding="utf-8")),
            notes_html=lambda text, title: rendered.get((text, title)) or _notes_html(text, title),
            exported_on=date.today(),
        )


def _render_paced(name, **context):
    """render_template() for a big page: its text put together in pieces, the live
    server let run in between (a hundred workshops' page is 1.4 MB)."""
    app = current_app._get_current_object()
    app.update_template_context(context)
    return joined(app.jinja_env.get_template(name).generate(context))


def note_download(title, about, text, name):
    """A note as a self-contained HTML file, in the event's language."""
    event = g.event
    with force_locale(event.locale):
        html = render_template(
            "exports/note.html",
            event=event,
            title=title,
            about=about,
            html=_notes_html(text, title),
            css=Markup(_CSS.read_text(encoding="utf-8")),
        )
    return _self_contained(_download(html, "text/html", name))


def _self_contained(response):
    # Its styles are inside it; nothing else may load.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
    )
    return response


@bp.get("/proceedings.html")
def proceedings_html():
    _reader()
    html = proceedings_page(g.event)
    end_read()
    return _self_contained(Response(html, mimetype="text/html"))


@bp.get("/proceedings.pdf")
def proceedings_pdf():
    _reader()
    html = proceedings_page(g.event)
    end_read()  # the PDF takes seconds: hold no read transaction meanwhile
    try:
        body = make_pdf(html)
    except PdfUnavailable as missing:
        current_app.logger.warning("no PDF: %s", missing)
        raise PdfNotAvailable(
            _l(
                "The PDF cannot be made on this server: WeasyPrint needs the system "
                "library %(library)s (on Debian: apt install libpango-1.0-0 "
                "libpangoft2-1.0-0). The HTML proceedings work meanwhile: print them "
                "from your browser.",
                library=missing.library or "pango",
            )
        ) from None
    return _download(body, "application/pdf", f"{g.event.code}-proceedings.pdf")


@bp.get("/actions")
def actions():
    """Every "to do" line of the day with its owner, apart from what must be read."""
    visitor = identity.visitor(g.event)
    if not visitor.is_member:
        raise Forbidden(_l("Join the event to see its actions and readings."))
    p = gather(g.event)
    return render_template(
        "exports/actions.html",
        visitor=visitor,
        p=p,
        may_read=may_read_proceedings(visitor),
    )


@bp.post("/organize/proceedings")
def set_access():
    """The organizer chooses who may read the proceedings."""
    visitor = _organizer()
    form = ProceedingsAccessForm()
    if form.validate():
        try:
            with unit_of_work():
                set_proceedings_access(visitor, form.access.data)
        except BarcampError as refusal:
            flash(refusal.message, "error")
        else:
            flash(_("Saved: who may read the proceedings."), "success")
    elif "csrf_token" in form.errors:
        flash(form.csrf_token.errors[0], "error")
    else:
        flash(_("Choose who may read the proceedings."), "error")
    return redirect(url_for("events.organize") + "#exports", code=303)
