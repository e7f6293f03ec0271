"""Template globals and filters shared by every page."""

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, request, url_for
from flask_babel import get_locale

from barcamp.models import Phase, Role, SlotKind


@cache
def _fingerprint(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def asset(filename):
    """The URL of a static file, with a fingerprint so browsers refetch it after a change."""
    path = Path(current_app.static_folder) / filename
    version = _fingerprint(str(path)) if not current_app.debug else path.stat().st_mtime_ns
    return url_for("static", filename=filename, v=version)


def register_asset_caching(app):
    """Fingerprinted static files (`?v=…`) can be cached for a year; others revalidate."""
    default = app.get_send_file_max_age

    def max_age(filename):
        return 31_536_000 if request.args.get("v") else default(filename)

    app.get_send_file_max_age = max_age


def register_template_helpers(app):
    register_asset_caching(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(asset=asset, Role=Role, Phase=Phase, SlotKind=SlotKind)

    @app.context_processor
    def inject_request_globals():
        return {
            "current_locale": str(get_locale()),
            "current_path": request.full_path.rstrip("?"),
        }
