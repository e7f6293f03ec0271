"""Security headers on every response (CSP without inline scripts, and friends)."""

from flask import request


def register_security_headers(app):
    @app.after_request
    def set_security_headers(response):
        host = request.host
        # WebKit does not match ws:/wss: with 'self', so the socket origin is listed.
        csp = "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                "img-src 'self' data:",
                f"connect-src 'self' ws://{host} wss://{host}",
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
