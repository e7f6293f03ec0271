"""The app's logs: one JSON object per line in production (LOG_FORMAT=json), plain
text while developing, and never a secret.

Capability links carry their secret in the address (a role link, a personal link, a
calendar feed, a screen link, a speaker's link): every record passing through the
app's handler has such secrets replaced by `[secret]`, in its message and its
arguments, tracebacks included. Records may carry fields of their own
(`logger.warning("...", extra={"event": 3})`): the JSON line has them too.
"""

import json
import logging
import re
import sys
from datetime import UTC, datetime

# The addresses that carry a secret (the routes with a `<secret>` part), and the
# socket's `auth` (never logged whole, but a message might quote it).
_SECRET_PATHS = re.compile(
    r"(?P<head>/(?:key|resume|speaker)/|/calendar/)(?P<secret>[A-Za-z0-9_\-]{8,})"
)
REDACTED = "[secret]"

# What every LogRecord has: the rest are the caller's `extra` fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(text):
    """`text` with the secrets of capability links replaced."""
    return _SECRET_PATHS.sub(lambda match: match["head"] + REDACTED, text)


class RedactSecrets(logging.Filter):
    """Replace link secrets in a record's message (formatted with its arguments)."""

    def filter(self, record):
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time (UTC, ISO 8601), level, logger, message, the
    caller's extra fields, and the exception's traceback when there is one."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if _is_plain(value) else repr(value)
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record):
        return redact(super().format(record))


def _is_plain(value):
    return value is None or isinstance(value, str | int | float | bool | list | dict)


def handler(log_format, stream=None):
    """A handler writing records in `log_format` ("json" or "text"), secrets removed."""
    out = logging.StreamHandler(stream or sys.stderr)
    if log_format == "json":
        out.setFormatter(JsonFormatter())
    else:
        out.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    out.addFilter(RedactSecrets())
    return out


def init_app(app):
    """Send the app's records (and the libraries' warnings) through one handler of
    the configured format. Tests keep pytest's own capture instead."""
    if app.testing:
        return
    root = logging.getLogger()
    if not any(getattr(h, "_barcamp", False) for h in root.handlers):
        out = handler(app.config.get("LOG_FORMAT", "text"))
        out._barcamp = True
        root.addHandler(out)
        root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    # Flask's own default handler would print each record a second time, unredacted.
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
    app.logger.propagate = True
