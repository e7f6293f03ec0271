"""Security headers on every response (CSP without inline scripts, and friends)."""

import re
import secrets

from flask import g, request

_PLAIN_HOST = re.compile(r"^[A-Za-z0-9.:\[\]-]+$")


def style_nonce():
    """A nonce for this response's style-src, made when a page asks for one: the notes'
    editor (CodeMirror) writes its styles into a <style> element that carries it."""
    if "style_nonce" not in g:
        g.style_nonce = secrets.token_urlsafe(16)
    return g.style_nonce


def register_security_headers(app):
    app.jinja_env.globals["style_nonce"] = style_nonce

    @app.after_request
    def set_security_headers(response):
        # WebKit does not match ws:/wss: with 'self', so the socket origin is listed
        # (only for a plain host name: the Host header comes from the client).
        host = request.host if _PLAIN_HOST.match(request.host) else None
        sockets = f" ws://{host} wss://{host}" if host else ""
        nonce = g.get("style_nonce")
        styles = f" 'nonce-{nonce}'" if nonce else ""
        csp = "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                f"style-src 'self'{styles}",
                "img-src 'self' data:",
                f"connect-src 'self'{sockets}",
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault(
            "Permissions-Policy",
            "screen-wake-lock=(self), camera=(), microphone=(), geolocation=()",
        )
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
