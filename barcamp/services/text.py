"""Cleaning of short texts typed by people (names, titles)."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l

from barcamp.errors import ValidationFailed

_SPACES = re.compile(r"\s+")


def clean_line(value, *, field, max_length, required=True):
    """Return a one-line text normalized and checked, or raise ValidationFailed."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed.on(field, _l("This field must be text."))
    text = unicodedata.normalize("NFC", value)
    # Control and format characters (including bidi overrides) have no place in a name.
    text = "".join(
        " " if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} else char for char in text
    )
    text = _SPACES.sub(" ", text).strip()
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
