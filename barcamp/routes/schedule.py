"""The grid: facilitators build and edit it, everybody sees it once published, and
participants take their seats. Plain forms here; the live page sends the same actions
over Socket.IO."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from barcamp import identity
from barcamp.errors import BarcampError, NotFound
from barcamp.extensions import db
from barcamp.forms import ConfirmForm
from barcamp.forms.topics import GridActionForm
from barcamp.models import Participant, Role, Seat, Session
from barcamp.routes.actions import form_op_id, run_button
from barcamp.routes.links import external_url
from barcamp.routes.views_schedule import grid_rows, seats_of, unplaced_topics
from barcamp.security import digest, matches, new_token
from barcamp.services import optimizer, seating
from barcamp.services import schedule as schedule_service
from barcamp.services import talks as talk_service
from barcamp.services.exports import pause
from barcamp.services.notes import ROLE_LABELS as role_labels
from barcamp.services.notes import roles_by_topic
from barcamp.services.optimizer import ScheduleCancelled
from barcamp.services.snapshots import event_snapshot
from barcamp.unit_of_work import unit_of_work

bp = Blueprint("schedule", __name__, url_prefix="/e/<code>")


def _flag(value):
    return value != "false"


@bp.get("/schedule")
def page():
    """The grid: live occupancy and seats for everybody, editing for facilitators."""
    visitor = identity.visitor(g.event)
    editing = visitor.can(Role.FACILITATOR)
    conflicts = schedule_service.conflicts(g.event) if editing else None
    rows = grid_rows(g.event, draft=editing, conflicts=conflicts)
    return render_template(
        "schedule/page.html",
        placed_count=sum(1 for row in rows for cell in row.cells if cell.session),
        rebuild_warning=_rebuild_warning(g.event) if editing else None,
        visitor=visitor,
        snapshot=event_snapshot(g.event, visitor.participant),
        rows=rows,
        unplaced=unplaced_topics(g.event) if editing else [],
        my_seats=seats_of(visitor.participant),
        editing=editing,
        form=GridActionForm(formdata=None),
    )


# How many sessions the rebuild warning names; the others are counted.
NAMED_AT_STAKE = 5


def _rebuild_warning(event):
    """What building the grid again would cost the people already seated, named; or
    None when nobody sits in a session the optimizer may move."""
    at_stake = schedule_service.seats_at_stake(event)
    if not at_stake:
        return None
    named = [f"{title} ({seats})" for title, seats in at_stake[:NAMED_AT_STAKE]]
    if len(at_stake) > NAMED_AT_STAKE:
        others = len(at_stake) - NAMED_AT_STAKE
        named.append(ngettext("%(num)d other session", "%(num)d other sessions", others))
    taken = sum(count for _title, count in at_stake)
    seats = ngettext(
        "%(num)d seat is taken in sessions that are not pinned.",
        "%(num)d seats are taken in sessions that are not pinned.",
        taken,
    )
    cost = _(
        "Building the grid again may move them and give their seats back (%(sessions)s)."
        " Pin the sessions to keep.",
        sessions=", ".join(named),
    )
    return f"{seats} {cost}"


def _back(anchor=""):
    return redirect(url_for("schedule.page") + anchor, code=303)


def _grid_action(action, done=None):
    visitor = identity.visitor(g.event)
    form = GridActionForm()
    run_button(form, lambda: action(visitor, form), done=done)
    anchor = f"#slot-{form.slot_id.data}" if form.slot_id.data else ""
    return _back(anchor)


def _facilitator_action(action, done=None):
    if not identity.visitor(g.event).can(Role.FACILITATOR):
        raise NotFound()
    return _grid_action(action, done)


@bp.post("/schedule/optimize")
def optimize():
    """Build the grid with the optimizer, around the pinned sessions. It searches outside
    any transaction, then writes the grid unless votes or the grid changed meanwhile."""
    visitor = identity.visitor(g.event)
    if not visitor.can(Role.FACILITATOR):
        raise NotFound()
    form = GridActionForm()
    if not form.validate():
        flash(form.csrf_token.errors[0], "error")
        return _back()
    try:
        ack = optimizer.optimize(visitor, form_op_id())
    except BarcampError as refusal:
        flash(refusal.message, "error")
        return _back()
    report = ack["report"]
    flash(
        _(
            "Grid built: %(score)d of %(bound)d possible votes can be attended "
            "(%(by_hand)d by hand).",
            score=report["score"],
            bound=report["upper_bound"],
            by_hand=report["by_hand"],
        ),
        "success",
    )
    return _back()


@bp.post("/schedule/optimize/cancel")
def cancel_optimize():
    """Stop the optimizer's run under way (from another tab, without live updates)."""
    visitor = identity.visitor(g.event)
    if not visitor.can(Role.FACILITATOR):
        raise NotFound()
    if ConfirmForm().validate():
        stopped = optimizer.cancel(visitor)
        flash(ScheduleCancelled.default_message if stopped else _("Nothing to stop."), "info")
    return _back()


@bp.post("/schedule/place")
def place():
    return _facilitator_action(
        lambda v, f: schedule_service.place(v, f.topic_id.data, f.room_id.data, f.slot_id.data)
    )


@bp.post("/schedule/unplace")
def unplace():
    return _facilitator_action(lambda v, f: schedule_service.unplace(v, f.topic_id.data))


@bp.post("/schedule/pin")
def pin():
    return _facilitator_action(
        lambda v, f: schedule_service.pin(v, f.topic_id.data, _flag(f.pinned.data))
    )


@bp.post("/schedule/block")
def block():
    return _facilitator_action(
        lambda v, f: schedule_service.block(
            v, f.room_id.data, f.slot_id.data, _flag(f.blocked.data)
        )
    )


@bp.post("/schedule/publish")
def publish():
    return _facilitator_action(
        lambda v, f: schedule_service.publish(v), _("The grid is published: everybody sees it now.")
    )


def _participant(visitor):
    if visitor.participant is None:
        raise seating.NotPublished(_("Join the event first: type the name others will see."))
    return visitor.participant


@bp.post("/seats/take")
def take_seat():
    """Sit in a session (leaving one's seat in the same slot)."""
    return _grid_action(lambda v, f: seating.take_seat(_participant(v), f.session_id.data))


@bp.post("/seats/leave")
def leave_seat():
    return _grid_action(lambda v, f: seating.leave_seat(_participant(v), f.session_id.data))


@bp.post("/seats/me")
def seat_me():
    """Fill my free slots with sessions I voted for."""

    def run(visitor, form):
        taken = seating.seat_me(_participant(visitor))
        flash(
            ngettext(
                "%(num)d seat taken in a session you voted for.",
                "%(num)d seats taken in sessions you voted for.",
                taken,
            )
            if taken
            else _("No free seat in a session you voted for: choose below."),
            "info",
        )

    return _grid_action(run)


@bp.get("/me")
def agenda():
    """My sessions, slot by slot, and my calendar link."""
    visitor = identity.visitor(g.event)
    if visitor.participant is None:
        return redirect(url_for("participants.home"))
    secret = identity.calendar_secret(g.event)
    if not matches(secret, visitor.participant.calendar_key_digest):
        secret = None  # renewed from another device
    return render_template(
        "schedule/agenda.html",
        visitor=visitor,
        rows=grid_rows(g.event),
        my_seats=seats_of(visitor.participant),
        calendar_url=external_url("schedule.personal_calendar", secret=secret) if secret else None,
        event_calendar_url=external_url("schedule.event_calendar"),
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.post("/me/calendar-link")
def make_calendar_link():
    """Make (or renew) my personal calendar link; the old one stops working."""
    visitor = identity.visitor(g.event)
    form = ConfirmForm()
    if visitor.participant is None:
        flash(_("Join the event first: type the name others will see."), "info")
        return redirect(url_for("participants.home"), code=303)
    if form.validate():
        secret = new_token()
        with unit_of_work():
            visitor.participant.calendar_key_digest = digest(secret)
        identity.remember_calendar_secret(g.event, secret)
        flash(
            _("Here is your calendar link. Add it to your calendar app as a subscription."),
            "success",
        )
    return redirect(url_for("schedule.agenda") + "#calendar", code=303)


def _entries(sessions_by_slot, *, all_sessions=()):
    """(starts, ends, title, room name, uid, description) for each thing to put in a
    calendar: a session when there is one; each published talk of a plenary, at its own
    times; else the slot itself (breaks, workshops not chosen). A session's description
    names its facilitators and note-takers and links to its page and shared notes; a
    talk's gives its summary and links to its page."""
    roles = roles_by_topic(g.event)
    talks = talk_service.event_talks(g.event)
    times = talk_service.programmes(talks)
    entries = []
    for slot in g.event.slots:
        pause()
        here = [s for s in all_sessions if s.slot_id == slot.id]
        mine = sessions_by_slot.get(slot.id)
        if mine is not None:
            here = [mine]
        programme = [talk for talk in talks if talk.slot_id == slot.id and talk.id in times]
        if here:
            entries += [
                (
                    slot.starts_at,
                    slot.ends_at,
                    s.topic.title,
                    s.room.name,
                    f"session-{s.id}",
                    _about(s, roles),
                )
                for s in here
            ]
        elif programme:
            entries += [
                (
                    *times[talk.id],
                    f"{talk.title} — {talk.speaker_name}",
                    "",
                    f"talk-{talk.id}",
                    "\n".join(
                        part
                        for part in (talk.summary, external_url("talks.page", talk_id=talk.id))
                        if part
                    ),
                )
                for talk in programme
            ]
        else:
            entries.append(
                (
                    slot.starts_at,
                    slot.ends_at,
                    slot.label or g.event.name,
                    "",
                    f"slot-{slot.id}",
                    "",
                )
            )
    return entries


def _about(session, roles):
    lines = [
        _("%(role)s: %(names)s", role=role_labels[kind], names=", ".join(names))
        for kind, names in roles.get(session.topic_id, {}).items()
    ]
    lines.append(external_url("notes.page", topic_id=session.topic_id))
    return "\n".join(lines)


def _calendar(entries, name):
    """An iCalendar file in the event's time zone (with its VTIMEZONE)."""
    event = g.event
    zone = ZoneInfo(event.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//Barcamp//barcamp//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", event.timezone)
    stamp = datetime.now(ZoneInfo("UTC"))
    for starts, ends, title, room, uid, description in entries:
        pause()
        item = CalendarEvent()
        item.add("uid", f"{uid}@{event.code}")
        item.add("summary", title)
        item.add("dtstart", starts.replace(tzinfo=zone))
        item.add("dtend", ends.replace(tzinfo=zone))
        item.add("dtstamp", stamp)
        location = ", ".join(part for part in (room, event.venue) if part)
        if location:
            item.add("location", location)
        if description:
            item.add("description", description)
        calendar.add_component(item)
    calendar.add_missing_timezones()
    response = Response(b"".join(_ical_pieces(calendar)), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{event.code}.ics"'
    return response


def _ical_pieces(calendar):
    """calendar.to_ical(), a component at a time, the live server let run in between:
    a hundred sessions' file would hold every page for ~30 ms."""
    components, calendar.subcomponents = calendar.subcomponents, []
    end = b"END:VCALENDAR\r\n"
    head = calendar.to_ical()
    calendar.subcomponents = components
    yield head.removesuffix(end)
    for component in components:
        yield component.to_ical()
        pause()
    yield end


@bp.get("/schedule.ics")
def event_calendar():
    """The whole day: plenaries, breaks, and every session once the grid is published."""
    event = g.event
    sessions = []
    if event.schedule_published_at is not None:
        sessions = db.session.scalars(
            select(Session)
            .where(Session.event_id == event.id)
            .options(selectinload(Session.topic), selectinload(Session.room))
        ).all()
    return _calendar(_entries({}, all_sessions=sessions), event.name)


@bp.get("/calendar/<secret>.ics")
def personal_calendar(secret):
    """A participant's own day, for calendar apps (they send no cookie: a secret link)."""
    participant = db.session.scalar(
        select(Participant).where(
            Participant.event_id == g.event.id, Participant.calendar_key_digest == digest(secret)
        )
    )
    if participant is None:
        raise NotFound()
    seats = db.session.scalars(select(Seat).where(Seat.participant_id == participant.id)).all()
    by_slot = {seat.slot_id: db.session.get(Session, seat.session_id) for seat in seats}
    response = _calendar(_entries(by_slot), f"{g.event.name} — {participant.display_name}")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/schedule/print")
def print_grid():
    """The grid on one page, to print and pin up."""
    return render_template(
        "schedule/print.html",
        event=g.event,
        rows=grid_rows(g.event),
        signs=request.args.get("signs") == "1",
    )
