"""Cleaning of texts typed by people: names and titles (one line), pitches (a few lines)."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l

from barcamp.errors import ValidationFailed

_SPACES = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{3,}")
# Control and format characters (bidi overrides included) have no place in such texts.
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp"}


def _as_text(value, field):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed.on(field, _l("This field must be text."))
    return unicodedata.normalize("NFC", value)


def _checked(text, field, max_length, required):
    if required and not text:
        raise ValidationFailed.on(field, _l("This field is required."))
    if len(text) > max_length:
        raise ValidationFailed.on(
            field,
            _l(
                "At most %(max)d characters, please (this one has %(count)d).",
                max=max_length,
                count=len(text),
            ),
        )
    return text


def clean_line(value, *, field, max_length, required=True):
    """Return a one-line text normalized and checked, or raise ValidationFailed."""
    text = "".join(
        " " if unicodedata.category(char) in _INVISIBLE else char for char in _as_text(value, field)
    )
    return _checked(_SPACES.sub(" ", text).strip(), field, max_length, required)


def clean_text(value, *, field, max_length, required=False):
    """Return a short text of a few lines normalized and checked."""
    lines = _as_text(value, field).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [
        _SPACES.sub(
            " ",
            "".join(" " if unicodedata.category(c) in _INVISIBLE else c for c in line),
        ).strip()
        for line in lines
    ]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return _checked(text, field, max_length, required)


def clean_markdown(value, *, field, max_length, required=False):
    """Return a Markdown text with its line breaks and indentation kept, invisible
    characters (bidi overrides…) removed, checked."""
    text = _as_text(value, field).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in _INVISIBLE)
    return _checked(
        _BLANK_LINES.sub("\n\n", text).strip("\n").rstrip(), field, max_length, required
    )
