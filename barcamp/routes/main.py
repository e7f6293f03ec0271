"""The front page: join an event by its code, or go and create one; language choice."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import text

from barcamp.extensions import db
from barcamp.i18n import LANGUAGE_KEY
from barcamp.live import load
from barcamp.services.events import normalize_code

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Offer to join an event by its code, or to create one."""
    return render_template("main/index.html")


@bp.get("/go")
def go():
    """Open the event whose code was typed on the front page."""
    code = normalize_code(request.args.get("code"))
    if not code:
        return render_template(
            "main/index.html", code_error=_("Type the code shown on the screen.")
        ), 400
    return redirect(url_for("participants.home", code=code))


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement (déclaration d'accessibilité), in the visitor's
    language or the one asked for (`?lang=fr`: the legal version)."""
    lang = request.args.get("lang")
    if lang not in current_app.config["LANGUAGES"]:
        lang = str(get_locale())
    contact = current_app.config.get("ACCESSIBILITY_CONTACT") or ""
    contact_href = contact if "://" in contact else f"mailto:{contact}"
    with force_locale(lang):
        return render_template(
            f"main/accessibility_{lang}.html", contact=contact, contact_href=contact_href
        )


@bp.get("/healthz")
def healthz():
    """For the proxy, systemd or a monitor: 200 when the database answers, 503 if not;
    with how late this process's event loop runs (its worst stall of the last 10 and
    60 seconds) and how long a writer would wait for its turn."""
    try:
        db.session.execute(text("SELECT 1"))
        database = True
    except Exception:  # any failure to reach the database is the answer here
        database = False
    finally:
        db.session.rollback()
    body = {"ok": database, "database": database, **load.health()}
    return jsonify(body), 200 if database else 503


@bp.get("/lang/<lang>")
def set_language(lang):
    """Remember the visitor's language and go back to the page they were on."""
    if lang in current_app.config["LANGUAGES"]:
        session[LANGUAGE_KEY] = lang
        session.permanent = True
    return redirect(_local_path(request.args.get("next")))


def _local_path(target):
    """Only follow redirects to a path on this site."""
    target = target or "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or "\\" in target:
        return url_for("main.index")
    if target.startswith("//"):
        return url_for("main.index")
    return target
