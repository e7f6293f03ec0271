"""`flask` commands for operators: the demo event, exports and imports, backups."""

import functools
import os
import sqlite3
from datetime import date
from pathlib import Path

import click
from flask import current_app, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from barcamp.demo import (
    create_demo,
    existing_demo,
    lasting_generation,
    lasting_keys,
    publish_demo_grid,
    renew_lasting_keys,
)
from barcamp.errors import NotFound
from barcamp.extensions import db
from barcamp.models import Role
from barcamp.services.events import get_event
from barcamp.services.exports.dump import DumpRefused, dump_json, load, parse
from barcamp.unit_of_work import end_read, unit_of_work


def operator_language():
    """The language of the terminal (LC_ALL, LC_MESSAGES, LANG) if the app speaks it,
    else the app's first (French)."""
    languages = current_app.config["LANGUAGES"]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            language = value[:2].lower()
            return language if language in languages else languages[0]
    return languages[0]


def in_operator_language(command):
    """Run a command's messages (its refusals included) in the operator's language."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with force_locale(operator_language()):
            return command(*args, **kwargs)

    return wrapper


def register_commands(app):
    @app.cli.command("demo")
    @click.option("--reset", is_flag=True, help="Delete the demo event and make it again.")
    @click.option(
        "--date",
        "day",
        type=click.DateTime(["%Y-%m-%d"]),
        default=None,
        help="Date of the demo event (default: today).",
    )
    @click.option(
        "--grid",
        is_flag=True,
        help="The afternoon: voting closed, the grid built and published, the workshops' "
        "notes written, everybody seated.",
    )
    @click.option(
        "--base-url",
        default=None,
        help="Address to print links with (default: BASE_URL or localhost).",
    )
    @click.option(
        "--renew-links",
        is_flag=True,
        help="Replace the demo's organizer and facilitator links (the old ones stop).",
    )
    @in_operator_language
    def demo(reset, day, grid, base_url, renew_links):
        """Create the demo barcamp (or find it again) and print its links: the same at
        every start, until --reset or --renew-links."""
        event = existing_demo()
        if event is not None and reset:
            with unit_of_work():
                db.session.delete(event)
            event = None
        created = event is None
        with unit_of_work():
            if created:
                event, keys = create_demo(day.date() if day else date.today())
                click.echo(_("Demo event created: %(name)s", name=event.name))
            else:
                generation = None if renew_links else lasting_generation(event)
                if generation is not None:
                    keys = lasting_keys(event, generation)
                    message = _("Demo event exists; its links are unchanged: %(name)s")
                else:  # on purpose, or an organizer replaced them from the app
                    keys = renew_lasting_keys(event)
                    message = _("Demo event exists; its role links were renewed: %(name)s")
                click.echo(message % {"name": event.name})
        if created and grid:
            publish_demo_grid(event)
            click.echo(_("Its grid is built and published."))
        print_links(app, event, keys, base_url)

    @app.cli.command("export-event")
    @in_operator_language
    @click.argument("code")
    @click.option(
        "-o",
        "--output",
        type=click.File("w", encoding="utf-8"),
        default="-",
        help="File to write (default: standard output).",
    )
    def export_event(code, output):
        """Write the whole event CODE as JSON (docs/exports.md)."""
        try:
            event = get_event(code)
        except NotFound as missing:
            raise click.ClickException(str(missing.message)) from None
        output.write(dump_json(event))
        end_read()

    @app.cli.command("import-event")
    @in_operator_language
    @click.argument("path", type=click.File("rb"))
    @click.option("--code", default=None, help="Import under this code (default: the export's).")
    @click.option(
        "--base-url",
        default=None,
        help="Address to print links with (default: BASE_URL or localhost).",
    )
    def import_event(path, code, base_url):
        """Add the event of an export (`flask export-event` or the organizer's
        export.json) to this instance, with new role links; nothing is kept on error."""
        try:
            data = parse(path.read())
            with unit_of_work():
                event, keys = load(data, code=code)
        except DumpRefused as refused:
            raise click.ClickException(str(refused.message)) from None
        click.echo(_("Event imported: %(name)s (%(code)s)", name=event.name, code=event.code))
        print_links(app, event, keys, base_url)

    @app.cli.command("backup")
    @in_operator_language
    @click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Replace DESTINATION if it exists.")
    def backup(destination, force):
        """Copy the SQLite database to DESTINATION while the app runs (SQLite's backup
        API: a consistent copy, never half a write). On PostgreSQL, use pg_dump."""
        url = db.engine.url
        if db.engine.dialect.name != "sqlite":
            raise click.ClickException(
                _(
                    "This instance runs on PostgreSQL: back it up with pg_dump, for example "
                    "`pg_dump --format=custom --file=barcamp.dump <database URL>` "
                    "(docs/exports.md, Backups)."
                )
            )
        if not url.database or url.database == ":memory:":
            raise click.ClickException(
                _("This database lives in memory: there is nothing to copy.")
            )
        if destination.exists() and not force:
            raise click.ClickException(
                _("%(path)s exists: give another name, or --force.", path=destination)
            )
        copied = backup_sqlite(Path(url.database), destination)
        click.echo(
            ngettext(
                "Backed up to %(path)s: %(num)d event, %(size)s bytes.",
                "Backed up to %(path)s: %(num)d events, %(size)s bytes.",
                copied["events"],
                path=destination,
                size=f"{copied['bytes']:,}",
            )
        )


def backup_sqlite(source, destination):
    """A consistent copy of a live SQLite file, written next to `destination` then moved
    into place, and checked; returns what it holds."""
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    reading = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    writing = sqlite3.connect(partial)
    try:
        reading.backup(writing)  # all pages in one step: one snapshot, writers go on (WAL)
        writing.execute("PRAGMA journal_mode=DELETE")  # one file, nothing beside it
        if writing.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException(_("The copy failed its integrity check: it was not kept."))
        events = writing.execute("SELECT count(*) FROM event").fetchone()[0]
    except BaseException:
        writing.close()
        partial.unlink(missing_ok=True)
        raise
    finally:
        writing.close()
        reading.close()
    os.replace(partial, destination)
    return {"events": events, "bytes": destination.stat().st_size}


def print_links(app, event, keys, base_url):
    """Print an event's public and role links (`keys`: the role secrets just made)."""
    base = (base_url or app.config.get("BASE_URL") or "http://localhost:5000").rstrip("/")
    with app.test_request_context():
        join = url_for("participants.home", code=event.code)
        screen = url_for("screen.screen", code=event.code)
        organizer = url_for("events.open_role_link", code=event.code, secret=keys[Role.ORGANIZER])
        facilitator = url_for(
            "events.open_role_link", code=event.code, secret=keys[Role.FACILITATOR]
        )
    rows = [
        (_("join (code %(code)s)", code=event.code), join),
        (_("projector screen"), screen),
        (_("facilitator link"), facilitator),
        (_("organizer link"), organizer),
    ]
    rows = [(_("%(label)s:", label=label), path) for label, path in rows]
    width = max(len(label) for label, _path in rows)
    for label, path in rows:
        click.echo(f"  {label:<{width}} {base}{path}")
