from datetime import time

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import Optional

from barcamp.forms import BaseForm, SubForm
from barcamp.forms.topics import NEEDS, CheckboxesField
from barcamp.models import SlotKind
from barcamp.models.event import NAME_MAX, ROOM_NAME_MAX, SLOT_LABEL_MAX, VENUE_MAX
from barcamp.services.events import EventSettings, RoomRow, SlotRow, time_zones

SLOT_KINDS = [
    SelectChoice(SlotKind.SESSIONS.value, _l("Workshops")),
    SelectChoice(SlotKind.PLENARY.value, _l("Plenary")),
    SelectChoice(SlotKind.BREAK.value, _l("Break")),
]
LANGUAGES = [
    SelectChoice("fr", "Français", {"lang": "fr"}),
    SelectChoice("en", "English", {"lang": "en"}),
]


def _id(value):
    return int(value) if value and str(value).isdigit() else None


class RoomForm(SubForm):
    id = HiddenField()
    name = StringField(_l("Room"), render_kw={"maxlength": ROOM_NAME_MAX})
    capacity = IntegerField(
        _l("Seats"),
        validators=[Optional()],
        render_kw={"min": 1, "inputmode": "numeric"},
    )
    features = CheckboxesField(_l("It has"), choices=NEEDS, validate_choice=False)
    remove = BooleanField(_l("Remove"))

    def row(self):
        return RoomRow(
            self.name.data or "",
            self.capacity.data,
            _id(self.id.data),
            self.remove.data,
            tuple(self.features.data or ()),
        )


class SlotForm(SubForm):
    id = HiddenField()
    starts = TimeField(_l("Start"), validators=[Optional()])
    ends = TimeField(_l("End"), validators=[Optional()])
    kind = SelectField(_l("What happens"), choices=SLOT_KINDS, default=SlotKind.SESSIONS)
    label = StringField(_l("Label (optional)"), render_kw={"maxlength": SLOT_LABEL_MAX})
    remove = BooleanField(_l("Remove"))

    def row(self):
        return SlotRow(
            self.starts.data,
            self.ends.data,
            self.kind.data,
            self.label.data or "",
            _id(self.id.data),
            self.remove.data,
        )


class EventForm(BaseForm):
    """An event's settings with its rooms and slots, for creating and for editing."""

    name = StringField(_l("Name of the event"), render_kw={"maxlength": NAME_MAX, "required": True})
    starts_on = DateField(_l("Date"), validators=[Optional()], render_kw={"required": True})
    venue = StringField(
        _l("Venue"),
        description=_l("Optional: where it takes place."),
        render_kw={"maxlength": VENUE_MAX},
    )
    timezone = SelectField(_l("Time zone"), default="Europe/Paris", render_kw={"required": True})
    locale = SelectField(
        _l("Language of the event"),
        choices=LANGUAGES,
        description=_l("Participants see the event in this language unless they choose another."),
        render_kw={"required": True},
    )
    rooms = FieldList(FormField(RoomForm), min_entries=1)
    slots = FieldList(FormField(SlotForm), min_entries=1)
    admin_token = PasswordField(
        _l("Instance access code"),
        description=_l(
            "On this instance, creating events needs the code given by its administrator."
        ),
        render_kw={"required": True},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [
            SelectChoice(
                zone, zone.replace("_", " "), optgroup=zone.split("/")[0] if "/" in zone else None
            )
            for zone in time_zones()
        ]

    def settings(self):
        return EventSettings(
            name=self.name.data or "",
            starts_on=self.starts_on.data,
            venue=self.venue.data or "",
            timezone=self.timezone.data,
            locale=self.locale.data,
        )

    def room_rows(self):
        return [entry.form.row() for entry in self.rooms]

    def slot_rows(self):
        return [entry.form.row() for entry in self.slots]

    def fill_from(self, event):
        """Show an existing event's values, with one blank row to add a room or slot."""
        self.name.data, self.starts_on.data = event.name, event.starts_on
        self.venue.data, self.timezone.data = event.venue, event.timezone
        self.locale.data = event.locale
        _replace_entries(
            self.rooms,
            [{"id": room.id, "name": room.name, "capacity": room.capacity} for room in event.rooms]
            + [{}],
        )
        _replace_entries(
            self.slots,
            [
                {
                    "id": slot.id,
                    "starts": slot.starts_at.time(),
                    "ends": slot.ends_at.time(),
                    "kind": slot.kind,
                    "label": slot.label,
                }
                for slot in event.slots
            ]
            + [{}],
        )

    def add_blank_rows(self, rooms=0, slots=0):
        for _ in range(rooms):
            self.rooms.append_entry()
        for _ in range(slots):
            self.slots.append_entry()


def _replace_entries(field_list, rows):
    while field_list.entries:
        field_list.pop_entry()
    for row in rows:
        field_list.append_entry(row)


# A typical barcamp day, offered when creating an event.
DEFAULT_ROOMS = [
    {"name": _l("Main room"), "capacity": 80},
    {"name": _l("Room A"), "capacity": 20},
    {"name": _l("Room B"), "capacity": 20},
    {"name": "", "capacity": None},
]
DEFAULT_SLOTS = [
    {
        "starts": time(9, 30),
        "ends": time(10, 15),
        "kind": SlotKind.PLENARY,
        "label": _l("Welcome and pitches"),
    },
    {"starts": time(10, 30), "ends": time(11, 30), "kind": SlotKind.SESSIONS, "label": ""},
    {"starts": time(11, 45), "ends": time(12, 45), "kind": SlotKind.SESSIONS, "label": ""},
    {"starts": time(12, 45), "ends": time(14, 0), "kind": SlotKind.BREAK, "label": _l("Lunch")},
    {"starts": time(14, 0), "ends": time(15, 0), "kind": SlotKind.SESSIONS, "label": ""},
    {
        "starts": time(15, 15),
        "ends": time(16, 0),
        "kind": SlotKind.PLENARY,
        "label": _l("Closing testimonies"),
    },
]


def new_event_form(**kwargs):
    """An empty event form prefilled with a typical day."""
    form = EventForm(**kwargs)
    if not form.is_submitted():
        _replace_entries(form.rooms, [dict(row, name=str(row["name"])) for row in DEFAULT_ROOMS])
        _replace_entries(form.slots, [dict(row, label=str(row["label"])) for row in DEFAULT_SLOTS])
    return form
