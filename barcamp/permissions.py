"""Who may call what: every HTTP route and every Socket.IO event, by role, as data.

The routes and handlers check who calls themselves (barcamp/identity.py, each view's
guard, the services' `require`); this table says what those checks must give, and
tests/test_permissions.py calls every entry as every role to hold them to it. A route
or event missing from here fails that test: a new one is added here, with who may
call it. docs/security.md explains the roles.

The roles are browsers, as they stand in one event:

- `anonymous`: no link opened, not joined (a visitor who found the event's code);
- `projector`: opened the event's screen link (a projector on its own computer);
- `speaker`: opened a talk's speaker link, not joined (the entry concerns that talk);
- `attendee`: joined with a display name;
- `facilitator`, `organizer`: joined, and opened that role's link (which made the
  participant a facilitator or organizer);
- `facilitator_link`, `organizer_link`: holding that role's link without having
  joined (the organizer who created the event, the facilitator's laptop on the
  projector): the role's powers, but no name to vote, propose or sit with.

Where an entry names objects (a topic, a talk, a question), "allowed" is for the
objects that role acts on: the attendee's own topic for editing or withdrawing it, the
speaker's own talk. What the phase allows (voting open, the grid published) is the
services' business: a refusal for that is not a matter of permission.
"""

from dataclasses import dataclass

ANONYMOUS = "anonymous"
PROJECTOR = "projector"
SPEAKER = "speaker"
ATTENDEE = "attendee"
FACILITATOR = "facilitator"
ORGANIZER = "organizer"
FACILITATOR_LINK = "facilitator_link"
ORGANIZER_LINK = "organizer_link"

ROLES = (
    ANONYMOUS,
    PROJECTOR,
    SPEAKER,
    ATTENDEE,
    FACILITATOR,
    ORGANIZER,
    FACILITATOR_LINK,
    ORGANIZER_LINK,
)

EVERYONE = frozenset(ROLES)
# Joined with a name: may vote, propose, take a seat, ask a question.
PARTICIPANTS = frozenset({ATTENDEE, FACILITATOR, ORGANIZER})
# Joined, or holding a role link: members of the event (live pages, notes).
MEMBERS = PARTICIPANTS | {FACILITATOR_LINK, ORGANIZER_LINK}
# Members and the projector: may follow the event live.
LIVE = MEMBERS | {PROJECTOR}
FACILITATORS = frozenset({FACILITATOR, ORGANIZER, FACILITATOR_LINK, ORGANIZER_LINK})
ORGANIZERS = frozenset({ORGANIZER, ORGANIZER_LINK})
NOT_JOINED = EVERYONE - PARTICIPANTS


@dataclass(frozen=True)
class Rule:
    """Who may call an entry, and why (what it is, and what decides)."""

    who: frozenset
    why: str
    # The address carries a secret (a capability link): holding it is the permission,
    # whoever the browser is; a made-up or another event's secret is a 404.
    capability: bool = False


# (endpoint, method) -> Rule, for every route of app.url_map (HEAD and OPTIONS aside).
ROUTES = {
    # Public pages: no link needed.
    ("static", "GET"): Rule(EVERYONE, "styles, scripts, images"),
    ("main.index", "GET"): Rule(EVERYONE, "the front page: type a code, create an event"),
    ("main.go", "GET"): Rule(EVERYONE, "the code typed on the front page"),
    ("main.accessibility", "GET"): Rule(EVERYONE, "the accessibility statement"),
    ("main.healthz", "GET"): Rule(EVERYONE, "the health check: no data of any event"),
    ("main.set_language", "GET"): Rule(EVERYONE, "the visitor's language"),
    ("events.create", "GET"): Rule(EVERYONE, "EVENT_CREATION=admin asks for ADMIN_TOKEN"),
    ("events.create", "POST"): Rule(EVERYONE, "EVENT_CREATION=admin asks for ADMIN_TOKEN"),
    ("participants.home", "GET"): Rule(EVERYONE, "the join form, or the event once joined"),
    ("participants.join", "POST"): Rule(
        NOT_JOINED, "joining; someone already joined is sent back to the event"
    ),
    ("screen.screen", "GET"): Rule(EVERYONE, "the projector page (live only with a link)"),
    ("screen.qr_code", "GET"): Rule(EVERYONE, "the join link's QR code"),
    ("screen.state", "GET"): Rule(EVERYONE, "the public snapshot, what a projector shows"),
    ("screen.report", "GET"): Rule(EVERYONE, "the report-back, once the grid is published"),
    ("schedule.page", "GET"): Rule(EVERYONE, "the grid, once published (drafts: facilitators)"),
    ("schedule.print_grid", "GET"): Rule(EVERYONE, "the printable grid and door signs"),
    ("schedule.event_calendar", "GET"): Rule(EVERYONE, "the whole day as .ics"),
    ("talks.index", "GET"): Rule(EVERYONE, "the published talks (drafts: facilitators)"),
    ("talks.page", "GET"): Rule(
        EVERYONE, "a published talk (a draft: facilitators and its speaker)"
    ),
    ("notes.page", "GET"): Rule(EVERYONE, "a session and its notes, once the grid is published"),
    ("notes.markdown", "GET"): Rule(EVERYONE, "a session's notes as Markdown"),
    ("notes.html", "GET"): Rule(EVERYONE, "a session's notes as a page of its own"),
    ("notes.history", "GET"): Rule(EVERYONE, "a session's notes' revisions"),
    ("talk_notes.markdown", "GET"): Rule(EVERYONE, "a published talk's notes as Markdown"),
    ("talk_notes.html", "GET"): Rule(EVERYONE, "a published talk's notes as a page"),
    ("talk_notes.history", "GET"): Rule(EVERYONE, "a published talk's notes' revisions"),
    # Capability links: the secret in the address is the permission.
    ("events.open_role_link", "GET"): Rule(
        EVERYONE, "the organizer or facilitator link", capability=True
    ),
    ("participants.resume", "GET"): Rule(
        EVERYONE,
        "a personal link: continue as that participant (asked first if joined as another)",
        capability=True,
    ),
    ("participants.resume", "POST"): Rule(
        EVERYONE, "the confirmation of a personal link", capability=True
    ),
    ("screen.open_link", "GET"): Rule(EVERYONE, "the screen link", capability=True),
    ("talks.open_speaker_link", "GET"): Rule(EVERYONE, "a talk's speaker link", capability=True),
    ("schedule.personal_calendar", "GET"): Rule(
        EVERYONE, "a participant's calendar feed (calendar apps send no cookie)", capability=True
    ),
    # A participant's own things.
    ("participants.rename", "POST"): Rule(PARTICIPANTS, "one's own name"),
    ("participants.renew_resume_link", "POST"): Rule(PARTICIPANTS, "one's own personal link"),
    ("participants.leave", "POST"): Rule(PARTICIPANTS, "leaving the event"),
    ("schedule.agenda", "GET"): Rule(PARTICIPANTS, "my day"),
    ("schedule.make_calendar_link", "POST"): Rule(PARTICIPANTS, "my calendar link"),
    ("topics.propose", "POST"): Rule(PARTICIPANTS, "proposing a topic"),
    ("topics.vote", "POST"): Rule(PARTICIPANTS, "a dot on a topic"),
    ("topics.unvote", "POST"): Rule(PARTICIPANTS, "a dot back"),
    ("topics.cohost", "POST"): Rule(PARTICIPANTS, "hosting a topic with its proposer"),
    ("topics.leave_cohosts", "POST"): Rule(PARTICIPANTS, "no longer hosting it"),
    ("topics.withdraw", "POST"): Rule(
        PARTICIPANTS | FACILITATORS, "its proposer (the attendee's own topic), or facilitators"
    ),
    ("topics.edit", "GET"): Rule(
        PARTICIPANTS | FACILITATORS, "its hosts while proposals are open, or facilitators"
    ),
    ("topics.edit", "POST"): Rule(
        PARTICIPANTS | FACILITATORS, "its hosts while proposals are open, or facilitators"
    ),
    ("schedule.take_seat", "POST"): Rule(PARTICIPANTS, "a seat in a session"),
    ("schedule.leave_seat", "POST"): Rule(PARTICIPANTS, "giving one's seat back"),
    ("schedule.seat_me", "POST"): Rule(PARTICIPANTS, "seats in sessions one voted for"),
    ("notes.role", "POST"): Rule(PARTICIPANTS, "facilitating or taking notes of a session"),
    ("questions.ask", "POST"): Rule(PARTICIPANTS, "a question to a talk"),
    ("questions.upvote", "POST"): Rule(PARTICIPANTS, "upvoting a question"),
    # Members: joined, or holding a role link.
    ("exports.actions", "GET"): Rule(MEMBERS, "the day's actions and readings"),
    ("notes.editor", "GET"): Rule(MEMBERS, "writing a session's notes"),
    ("notes.save_revision", "POST"): Rule(MEMBERS, "keeping a revision of a session's notes"),
    ("notes.restore", "POST"): Rule(MEMBERS, "bringing a revision back"),
    ("talk_notes.editor", "GET"): Rule(MEMBERS, "writing a talk's notes"),
    ("talk_notes.save_revision", "POST"): Rule(MEMBERS, "keeping a revision of a talk's notes"),
    ("talk_notes.restore", "POST"): Rule(MEMBERS, "bringing a revision back"),
    # A talk's page: facilitators, and its speaker through their link.
    ("talks.edit", "GET"): Rule(FACILITATORS | {SPEAKER}, "the speaker writes their own page"),
    ("talks.edit", "POST"): Rule(
        FACILITATORS | {SPEAKER}, "the speaker writes their page; only facilitators place it"
    ),
    ("talks.history", "GET"): Rule(FACILITATORS | {SPEAKER}, "the page's revisions"),
    ("talks.restore", "POST"): Rule(FACILITATORS | {SPEAKER}, "bringing a revision back"),
    # Facilitators (and organizers).
    ("facilitation.page", "GET"): Rule(FACILITATORS, "the facilitation page"),
    ("facilitation.marketplace", "POST"): Rule(FACILITATORS, "opening, closing the phases"),
    ("facilitation.spotlight", "POST"): Rule(FACILITATORS, "the topic on the projector"),
    ("facilitation.hide", "POST"): Rule(FACILITATORS, "taking a topic off the wall"),
    ("facilitation.unhide", "POST"): Rule(FACILITATORS, "putting it back"),
    ("facilitation.merge", "POST"): Rule(FACILITATORS, "merging duplicates"),
    ("schedule.optimize", "POST"): Rule(FACILITATORS, "building the grid"),
    ("schedule.cancel_optimize", "POST"): Rule(FACILITATORS, "stopping the optimizer"),
    ("schedule.place", "POST"): Rule(FACILITATORS, "placing a session by hand"),
    ("schedule.unplace", "POST"): Rule(FACILITATORS, "taking a session off the grid"),
    ("schedule.pin", "POST"): Rule(FACILITATORS, "pinning a session"),
    ("schedule.block", "POST"): Rule(FACILITATORS, "keeping a place free"),
    ("schedule.publish", "POST"): Rule(FACILITATORS, "publishing the grid"),
    ("screen.new_link", "POST"): Rule(FACILITATORS, "a new screen link (the old one stops)"),
    ("screen.set_state", "POST"): Rule(FACILITATORS, "what the projector shows"),
    ("talks.new", "GET"): Rule(FACILITATORS, "a new talk"),
    ("talks.new", "POST"): Rule(FACILITATORS, "a new talk"),
    ("talks.move", "POST"): Rule(FACILITATORS, "a talk's place in its plenary"),
    ("talks.publish", "POST"): Rule(FACILITATORS, "publishing a talk, or back to a draft"),
    ("talks.new_speaker_link", "POST"): Rule(FACILITATORS, "a talk's speaker link"),
    ("questions.moderate", "POST"): Rule(FACILITATORS, "hiding, answering a question"),
    ("moderation.remove", "GET"): Rule(FACILITATORS, "asking before removing someone"),
    ("moderation.remove", "POST"): Rule(
        FACILITATORS,
        "removing someone (and keeping them out); a facilitator or organizer: organizers only",
    ),
    # Organizers only.
    ("moderation.erase", "GET"): Rule(ORGANIZERS, "asking before erasing someone's data"),
    ("moderation.erase", "POST"): Rule(ORGANIZERS, "erasing someone's personal data"),
    ("moderation.lift_ban", "POST"): Rule(ORGANIZERS, "letting a removed person back in"),
    ("events.organize", "GET"): Rule(ORGANIZERS, "the organizer's page and the links"),
    ("events.organize", "POST"): Rule(ORGANIZERS, "the event's settings, rooms and slots"),
    ("events.rotate_link", "POST"): Rule(ORGANIZERS, "renewing the role links"),
    ("events.voting_rules", "POST"): Rule(ORGANIZERS, "the voting rules"),
    ("exports.set_access", "POST"): Rule(ORGANIZERS, "who may read the proceedings"),
    ("exports.export_zip", "GET"): Rule(ORGANIZERS, "everything, as a ZIP"),
    ("exports.export_json", "GET"): Rule(ORGANIZERS, "everything, as JSON to import"),
    ("exports.proceedings_html", "GET"): Rule(
        ORGANIZERS, "the proceedings: organizers by default; the organizer may open them"
    ),
    ("exports.proceedings_pdf", "GET"): Rule(ORGANIZERS, "the proceedings as PDF, likewise"),
}

# Socket.IO event -> Rule, for every handler registered (barcamp/sockets/__init__.py).
# Refused: the connection (`connect_error`), or an ack {ok: false, error: {code:
# "forbidden"}}; each mutating event reads who calls from the database again, inside
# its write transaction (barcamp/sockets/context.py).
SOCKET_EVENTS = {
    "connect": Rule(LIVE, "a live page: members and the projector's screen link"),
    "disconnect": Rule(LIVE, "leaving: the notes one had open"),
    "snapshot": Rule(LIVE, "the event's state again"),
    "participant_rename": Rule(PARTICIPANTS, "one's own name"),
    "topic_propose": Rule(PARTICIPANTS, "proposing a topic"),
    "topic_similar": Rule(MEMBERS, "near-duplicates of a title being typed"),
    "topic_edit": Rule(
        PARTICIPANTS | FACILITATORS, "its hosts while proposals are open, or facilitators"
    ),
    "topic_withdraw": Rule(PARTICIPANTS | FACILITATORS, "its proposer, or facilitators"),
    "topic_cohost": Rule(PARTICIPANTS, "hosting a topic, or no longer"),
    "vote_cast": Rule(PARTICIPANTS, "a dot on a topic"),
    "vote_withdraw": Rule(PARTICIPANTS, "a dot back"),
    "vote_move": Rule(PARTICIPANTS, "a dot moved"),
    "marketplace_set": Rule(FACILITATORS, "opening, closing the phases"),
    "topic_hide": Rule(FACILITATORS, "taking a topic off the wall"),
    "topic_unhide": Rule(FACILITATORS, "putting it back"),
    "topic_merge": Rule(FACILITATORS, "merging duplicates"),
    "topic_spotlight": Rule(FACILITATORS, "the topic on the projector"),
    "schedule_optimize": Rule(FACILITATORS, "building the grid"),
    "schedule_cancel": Rule(FACILITATORS, "stopping the optimizer"),
    "schedule_place": Rule(FACILITATORS, "placing a session by hand"),
    "schedule_unplace": Rule(FACILITATORS, "taking a session off the grid"),
    "schedule_pin": Rule(FACILITATORS, "pinning a session"),
    "schedule_block": Rule(FACILITATORS, "keeping a place free"),
    "schedule_publish": Rule(FACILITATORS, "publishing the grid"),
    "seat_take": Rule(PARTICIPANTS, "a seat in a session"),
    "seat_leave": Rule(PARTICIPANTS, "giving one's seat back"),
    "seat_me": Rule(PARTICIPANTS, "seats in sessions one voted for"),
    "note_join": Rule(MEMBERS, "opening a note to write"),
    "note_update": Rule(MEMBERS, "an edit of a note"),
    "note_cursor": Rule(MEMBERS, "one's caret in a note"),
    "note_leave": Rule(MEMBERS, "closing a note"),
    "question_ask": Rule(PARTICIPANTS, "a question to a talk"),
    "question_upvote": Rule(PARTICIPANTS, "upvoting a question"),
    "question_moderate": Rule(FACILITATORS, "hiding, answering a question"),
    "screen_set": Rule(FACILITATORS, "what the projector shows"),
}


def allowed(entry, role):
    """May `role` call `entry` (an (endpoint, method) pair, or a socket event's name)?"""
    table = ROUTES if isinstance(entry, tuple) else SOCKET_EVENTS
    return role in table[entry].who
