"""The organizer's one-click export: a ZIP that reads well without our app, in a file
browser and any Markdown viewer (docs/exports.md lists what is in it)."""

import csv
import io
import json
import re
import zipfile

from flask_babel import force_locale
from flask_babel import gettext as _

from barcamp.services.exports import pause
from barcamp.services.exports.dump import dump_pieces
from barcamp.services.exports.proceedings import gather, labels

# A spreadsheet runs a cell starting with one of these as a formula: "=HYPERLINK(…)".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def defused(value):
    """A cell a spreadsheet shows as typed: text that would start a formula gets a
    leading apostrophe (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def md(text):
    """Plain text inside Markdown: its marks shown as typed, on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text or "").split()))


def _front_matter(fields):
    """YAML front matter; each value written as JSON, which YAML reads as is."""
    lines = ["---"]
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields]
    return "\n".join([*lines, "---", ""])


def _when(starts, ends):
    if starts is None:
        return ""
    return f"{starts:%Y-%m-%d %H:%M}–{ends:%H:%M}"


def _csv(rows, locale):
    """CSV text for a spreadsheet of the event's language: `;` between cells in
    French (what a French Excel expects), `,` in English; a BOM so accents show."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if locale == "fr" else ",", lineterminator="\r\n")
    for row in rows:
        writer.writerow([defused(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def session_markdown(part, words):
    fields = [
        ("title", part.title),
        ("room", part.room),
        ("slot", _when(part.starts_at, part.ends_at)),
        ("starts", part.starts_at.isoformat(timespec="minutes")),
        ("ends", part.ends_at.isoformat(timespec="minutes")),
        ("hosts", part.hosts),
        ("facilitator", part.facilitators),
        ("note_taker", part.note_takers),
        ("seats_taken", part.seats_taken),
        ("capacity", part.capacity),
        ("votes", part.dots),
    ]
    notes = part.notes.strip() or f"# {md(part.title)}\n\n_{words['no_notes']}_"
    return _front_matter(fields) + "\n" + notes + "\n"


def talk_markdown(part, words):
    fields = [
        ("title", part.title),
        ("kind", part.kind),
        ("speaker", part.speaker),
        ("role", part.role),
        ("organisation", part.organisation),
        ("link", part.link),
        ("slot", _when(part.starts_at, part.ends_at)),
        ("workshops", part.workshops),
    ]
    lines = [f"# {md(part.title)}", ""]
    who = ", ".join(p for p in (part.speaker, part.role, part.organisation) if p)
    lines += [f"**{md(who)}**", ""]
    if part.summary:
        lines += [md(part.summary), ""]
    if part.figures:
        lines += [f"## {words['figures']}", ""]
        lines += [f"- {md(label)} : **{md(value)}**" for label, value in part.figures]
        lines.append("")
    if part.lessons:
        lines += [f"## {words['lessons']}", ""] + [f"- {md(lesson)}" for lesson in part.lessons]
        lines.append("")
    if part.body.strip():
        lines += [part.body.strip(), ""]
    if part.workshops:
        lines += [f"## {words['workshops']}", ""] + [f"- {md(t)}" for t in part.workshops]
        lines.append("")
    if part.questions:
        lines += [f"## {words['questions']}", ""]
        for question in part.questions:
            author = question["author"] or words["anonymous"]
            done = f" ({words['answered']})" if question["answered"] else ""
            lines.append(f"- {md(question['text'])} — {md(author)}, ▲ {question['upvotes']}{done}")
        lines.append("")
    if part.notes.strip():
        lines += [f"## {words['live_notes']}", "", part.notes.strip(), ""]
    return _front_matter(fields) + "\n" + "\n".join(lines)


def schedule_markdown(proceedings, words):
    event = proceedings.event
    lines = [f"# {md(event.name)} — {words['programme']}", ""]
    for slot, cells, talks in proceedings.grid():
        label = f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}"
        lines.append(f"## {label}" + (f" · {md(slot.label)}" if slot.label else ""))
        lines.append("")
        for talk in talks:
            link = f"[{md(talk.title)}](testimonies/{talk.file})"
            lines.append(f"- {talk.starts_at:%H:%M} {link} — {md(talk.speaker)}")
        if cells:
            lines += [f"| {words['room']} | {words['sessions']} |", "|---|---|"]
            for room, part in cells:
                title = f"[{md(part.title)}](sessions/{part.file})" if part else "—"
                lines.append(f"| {md(room.name)} | {title} |")
        lines.append("")
    if not proceedings.sessions and any(slot.kind == "sessions" for slot in proceedings.slots):
        lines += [f"_{words['not_published']}_", ""]
    return "\n".join(lines)


def follow_up_markdown(proceedings, words):
    lines = [f"# {words['follow_up']}", "", f"## {words['actions']}", ""]
    for item in proceedings.actions:
        box = "[x]" if item["done"] else "[ ]"
        owner = md(item["owner"]) if item["owner"] else f"_{words['nobody']}_"
        lines.append(f"- {box} {md(item['action'])} — **{owner}** ({md(item['source'])})")
    lines += ["", f"## {words['readings']}", ""]
    lines += [f"- {md(r['reference'])} ({md(r['source'])})" for r in proceedings.readings]
    return "\n".join(lines) + "\n"


def readme(proceedings, words):
    event = proceedings.event
    with force_locale(event.locale):
        calendar = _("and in a calendar: schedule.ics")
        lines = [
            f"# {md(event.name)}",
            "",
            " · ".join(part for part in (event.starts_on.isoformat(), md(event.venue)) if part),
            "",
            _("The proceedings of the day, exported by Barcamp. Each file opens without it:"),
            "",
            f"- [{words['programme']}](schedule.md) ({calendar})",
            f"- [{words['follow_up']}](actions.md)",
            "- " + _("Spreadsheets: topics.csv, sessions.csv, actions.csv"),
            "- " + _("Everything, to import into another Barcamp: event.json"),
            "",
            f"## {words['sessions']}",
            "",
        ]
    for part in proceedings.sessions:
        when = f"{part.starts_at:%H:%M}"
        lines.append(f"- {when} · {md(part.room)} · [{md(part.title)}](sessions/{part.file})")
    if not proceedings.sessions:
        lines.append(f"_{words['not_published']}_")
    lines += ["", f"## {words['talks']}", ""]
    for part in proceedings.talks:
        lines.append(f"- [{md(part.title)}](testimonies/{part.file}) — {md(part.speaker)}")
    return "\n".join(lines) + "\n"


def tables(proceedings, words):
    """topics.csv, sessions.csv and actions.csv."""
    locale = proceedings.event.locale
    with force_locale(locale):
        topics = [
            [
                _("Title"),
                _("Format"),
                _("Status"),
                words["votes"],
                _("Voters"),
                _("Hosts"),
                _("Pitch"),
            ]
        ]
        sessions = [
            [
                _("Starts"),
                _("Ends"),
                words["room"],
                _("Title"),
                words["facilitators"],
                words["note_takers"],
                words["seats"],
                _("Seats"),
                words["votes"],
            ]
        ]
        actions = [[_("Kind"), _("Text"), words["owner"], _("Done"), words["source"]]]
        todo, read = _("To do"), _("To read")
    for topic, hosts, dots, voters in proceedings.topics:
        topics.append(
            [topic.title, topic.format, topic.status, dots, voters, ", ".join(hosts), topic.pitch]
        )
    for part in proceedings.sessions:
        sessions.append(
            [
                part.starts_at.isoformat(sep=" ", timespec="minutes"),
                part.ends_at.isoformat(sep=" ", timespec="minutes"),
                part.room,
                part.title,
                ", ".join(part.facilitators),
                ", ".join(part.note_takers),
                part.seats_taken,
                part.capacity,
                part.dots,
            ]
        )
    for item in proceedings.actions:
        actions.append(
            [todo, item["action"], item["owner"] or "", "x" if item["done"] else "", item["source"]]
        )
    for item in proceedings.readings:
        actions.append([read, item["reference"], "", "", item["source"]])
    return {
        name: _csv(rows, locale)
        for name, rows in (
            ("topics.csv", topics),
            ("sessions.csv", sessions),
            ("actions.csv", actions),
        )
    }


def build_zip(event, calendar):
    """The ZIP's bytes: `calendar` is the day's iCalendar file (schedule.ics)."""
    proceedings = gather(event)
    words = labels(event)
    folder = f"{event.code}/"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name, text):
            archive.writestr(folder + name, text)
            pause()

        add("README.md", readme(proceedings, words))
        add("schedule.md", schedule_markdown(proceedings, words))
        add("actions.md", follow_up_markdown(proceedings, words))
        for part in proceedings.sessions:
            add(f"sessions/{part.file}", session_markdown(part, words))
        for part in proceedings.talks:
            add(f"testimonies/{part.file}", talk_markdown(part, words))
        for name, text in tables(proceedings, words).items():
            add(name, text)
        add("schedule.ics", calendar)
        # The dump is the biggest part: written and compressed as it is encoded.
        with archive.open(folder + "event.json", "w") as file:
            buffer = []
            for piece in dump_pieces(event):
                buffer.append(piece)
                if len(buffer) >= 4096:
                    file.write("".join(buffer).encode())
                    buffer = []
                    pause()
            file.write("".join(buffer).encode())
    return out.getvalue()
