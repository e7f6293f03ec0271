"""Absolute links to share: from BASE_URL when configured, else from this request."""

from flask import current_app, url_for


def external_url(endpoint, **values):
    base = current_app.config.get("BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
