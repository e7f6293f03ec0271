"""Absolute links to share: from BASE_URL when configured, else from this request."""

from flask import current_app, redirect, url_for


def external_url(endpoint, **values):
    base = current_app.config.get("BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def leave_secret_link(endpoint, **values):
    """Redirect away from an address that carries a secret, leaving no trace of it:
    not cached, and not sent on as a Referer."""
    return without_trace(redirect(url_for(endpoint, **values), code=303))


def without_trace(response):
    """A response to an address carrying a secret: not cached, no Referer sent on."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.cache_control.no_store = True
    return response
