"""The projector's clock set to another hour (CLOCK=HH:MM), for a demo at any hour."""

import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from barcamp.clock import clock_offset, register_clock


class Event:
    starts_on = date(2026, 6, 11)
    timezone = "Europe/Paris"


class App:
    def __init__(self, clock):
        self.config = {"CLOCK": clock}
        self.extensions = {}


def test_the_projector_keeps_the_real_time_unless_told():
    app = App(None)
    register_clock(app)
    assert clock_offset(app, Event()) == 0


def test_the_clock_shows_the_hour_set_on_the_events_day_then_runs_on(monkeypatch):
    started = time.time()
    monkeypatch.setattr(time, "time", lambda: started)
    app = App("11:15")
    register_clock(app)
    shown = started + clock_offset(app, Event())  # whole seconds: within one
    wanted = datetime(2026, 6, 11, 11, 15, tzinfo=ZoneInfo("Europe/Paris")).timestamp()
    assert abs(shown - wanted) <= 0.5
