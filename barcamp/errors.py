"""Domain errors raised by services, and the HTTP error pages."""

from flask import current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import exc as database_errors
from werkzeug.exceptions import HTTPException


class BarcampError(Exception):
    """A refusal with a message meant for the person who asked."""

    status = 400
    code = "bad_request"

    def __init__(self, message=None, *, code=None, errors=None):
        # Kept lazy: translated once, when shown (a refusal may be sent a thousand
        # times a second to a client that floods).
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.code = code or self.code
        # Field path -> message, e.g. {"rooms.0.capacity": "..."}.
        self.errors = errors or {}

    default_message = _l("This request could not be handled.")

    def as_ack(self):
        """The error as a Socket.IO acknowledgement payload."""
        return {
            "ok": False,
            "error": {
                "code": self.code,
                "message": str(self.message),
                "fields": {key: str(value) for key, value in self.errors.items()},
            },
        }


class ValidationFailed(BarcampError):
    status = 422
    code = "invalid"
    default_message = _l("Please correct the highlighted fields.")

    @classmethod
    def on(cls, field, message):
        """A validation failure about a single field."""
        return cls(message, errors={field: message})


class NotFound(BarcampError):
    status = 404
    code = "not_found"
    default_message = _l("This page does not exist, or the link is no longer valid.")


class Forbidden(BarcampError):
    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do this.")


class RateLimited(BarcampError):
    status = 429
    code = "rate_limited"
    default_message = _l("Too many requests in a short time. Please wait a moment.")


HTTP_MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    403: _l("You are not allowed to do this."),
    404: _l("This page does not exist, or the link is no longer valid."),
    405: _l("This address cannot be used this way."),
    413: _l("What you sent is too large."),
    429: _l("Too many requests in a short time. Please wait a moment."),
    500: _l("Something went wrong on our side. Nothing you saved before is lost."),
    503: _l(
        "The server cannot reach its database right now. Nothing you saved before is lost: "
        "try again in a minute."
    ),
}

# Failures of the database itself, not of the request: it is down, unreachable, its
# file cannot be opened, its pool is exhausted. Answered 503 ("try again"), not 500.
DATABASE_DOWN = (
    database_errors.OperationalError,
    database_errors.InterfaceError,
    database_errors.TimeoutError,
)
RETRY_AFTER = 30  # seconds


def database_down(error):
    """Whether this exception says the database does not answer; logs it once, short
    (no traceback: the cause is outside the app)."""
    down = isinstance(error, DATABASE_DOWN) or (
        isinstance(error, database_errors.DBAPIError) and error.connection_invalidated
    )
    if down:
        current_app.logger.error(
            "Database unavailable: %s",
            type(getattr(error, "orig", None) or error).__name__,
            extra={"cause": str(getattr(error, "orig", error)).splitlines()[0][:200]},
        )
    return down


def _wants_json():
    return request.path.endswith(".json") or request.accept_mimetypes.best == ("application/json")


def _render(status, message):
    if _wants_json():
        return jsonify(error={"code": status, "message": str(message)}), status
    return render_template("errors/error.html", status=status, message=message), status


def register_error_handlers(app):
    """Render every error in the visitor's language, as a page or as JSON."""

    @app.errorhandler(BarcampError)
    def handle_domain_error(error):
        return _render(error.status, error.message)

    @app.errorhandler(HTTPException)
    def handle_http_error(error):
        message = HTTP_MESSAGES.get(error.code, error.description)
        return _render(error.code, message)

    @app.errorhandler(Exception)
    def handle_unexpected_error(error):
        if database_down(error):
            body, status = _render(503, HTTP_MESSAGES[503])
            return body, status, {"Retry-After": str(RETRY_AFTER)}
        app.logger.exception("Unhandled error")
        return _render(500, HTTP_MESSAGES[500])
