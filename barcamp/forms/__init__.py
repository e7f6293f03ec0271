"""WTForms forms: the shape of what people type. The rules live in the services."""

from babel import support
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField
from wtforms.i18n import messages_path

CSRF_MESSAGE = _l(
    "This form has expired or was sent from another site. "
    "Your text is kept below: please send it again."
)


# WTForms messages that its own French catalog lacks: translated in ours.
WTFORMS_MESSAGES = (
    _l("Not a valid integer value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid choice."),
)


_wtforms_catalogs = {}


def _wtforms_catalog():
    """WTForms' own catalog in the visitor's language, read from disk once per
    language (Flask-WTF's reads it again for every request)."""
    locale = str(get_locale())
    catalog = _wtforms_catalogs.get(locale)
    if catalog is None:
        catalog = support.Translations.load(messages_path(), [locale], domain="wtforms")
        _wtforms_catalogs[locale] = catalog
    return catalog


class _Translations:
    """Our catalog first, then WTForms' own, for the messages fields produce."""

    def gettext(self, string):
        ours = gettext(string)
        return ours if ours != string else _wtforms_catalog().ugettext(string)

    def ngettext(self, singular, plural, n):
        return _wtforms_catalog().ungettext(singular, plural, n)


class _TranslatedMeta:
    def get_translations(self, form):
        return _Translations()


class SubForm(Form):
    """A group of fields repeated inside a form (a room, a slot)."""

    Meta = _TranslatedMeta


class BaseForm(FlaskForm):
    """A form whose every message, security token included, speaks the visitor's language."""

    Meta = _TranslatedMeta

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Service errors that belong to no single field ("rooms": none given).
        self.extra_errors = {}

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if "csrf_token" in self and self.csrf_token.errors:
            self.csrf_token.errors = [CSRF_MESSAGE]
        return valid

    @property
    def csrf_failed(self):
        return "csrf_token" in self and bool(self.csrf_token.errors)

    @property
    def failure_status(self):
        """The HTTP status of a refused submission: 400 for a bad token, else 422."""
        return 400 if self.csrf_failed else 422

    def apply_errors(self, failure):
        """Attach a service's ValidationFailed ("rooms.0.name": …) to this form's fields."""
        if not failure.errors:
            self.extra_errors[""] = failure.message
        for path, message in failure.errors.items():
            field = self
            for part in path.split("."):
                try:
                    field = field[int(part)] if part.isdigit() else field[part]
                except (KeyError, IndexError, TypeError):
                    field = None
                    break
            if field is None or field is self or isinstance(field, FieldList | FormField):
                self.extra_errors[path] = message
            else:
                field.errors = [*field.errors, message]


class ConfirmForm(BaseForm):
    """A button-only form: carries nothing but its security token."""
