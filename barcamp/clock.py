"""The projector's clock, which a setting may set to another hour.

`CLOCK=HH:MM` shows now and next as if the server had started at that time of day
on the event's day (in the event's time zone); the clock then runs on from there.
For a demo or a rehearsal at any hour; unset, the projector keeps the real time."""

import re
import time
from datetime import datetime
from datetime import time as time_of_day
from zoneinfo import ZoneInfo

from config import ConfigError

_HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def register_clock(app):
    """Read CLOCK once, at start; a value that is not a time of day stops the start."""
    value = app.config.get("CLOCK")
    app.extensions["barcamp_clock"] = None
    if not value:
        return
    match = _HH_MM.match(value.strip())
    if match is None:
        raise ConfigError(f"CLOCK must be a time of day as HH:MM (00:00 to 23:59), not {value!r}")
    hours, minutes = (int(part) for part in match.groups())
    app.extensions["barcamp_clock"] = (time_of_day(hours, minutes), time.time())


def clock_offset(app, event):
    """Seconds to add to the real time to get the projector's time for this event."""
    setting = app.extensions.get("barcamp_clock")
    if setting is None:
        return 0
    hour, started_at = setting
    shown = datetime.combine(event.starts_on, hour, tzinfo=ZoneInfo(event.timezone))
    return round(shown.timestamp() - started_at)
