"""Exports of a big event, timed, and what they do to the live server meanwhile.

Builds an event of 100 workshops (20 rounds in 5 rooms) with about five pages of notes
each (~12,500 characters of Markdown: headings, lists, decisions, actions, readings),
60 people and their votes, on SQLite; starts the real server on it (`python wsgi.py`,
BARCAMP_ENV=production, gevent); then, as the organizer, downloads `export.zip`,
`proceedings.html` and `proceedings.pdf` N times each while another client asks
`/healthz` every 20 ms: its latency during each download, against before, is how much
the export held the server's loop.

    .venv/bin/python bench/exports.py [--runs 3] [--sessions 100] [--out result.json]

Figures and the machine are in docs/benchmarks.md ("Exports").
"""

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from datetime import time as wall
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PARAGRAPH = (
    "Les participants ont comparé leurs expériences : ce qui a marché, ce qui a freiné, "
    "et ce qu'ils referaient autrement. Plusieurs ministères ont cité des essais menés "
    "sans budget, avec un petit groupe volontaire et des résultats visibles vite."
)


def note_text(title, number):
    """About five printed pages of notes, as a note-taker writes them."""
    parts = [f"# {title}", "", "## Participants", "- Une vingtaine d'agents de huit ministères"]
    parts += ["", "## Points clés"]
    for point in range(40):
        parts.append(f"- Point {point + 1} : {PARAGRAPH}")
    parts += ["", "## Décisions"]
    parts += [f"- Décision {d + 1} de l'atelier {number} : {PARAGRAPH[:90]}" for d in range(5)]
    parts += ["", "## À faire (action, qui s’en charge, pour quand)"]
    parts += [f"- [ ] Action {a + 1} de l'atelier {number} — Personne {a}, juin" for a in range(4)]
    parts += ["", "## À lire (liens, références)"]
    parts += [f"- https://example.org/atelier-{number}/lecture-{r}" for r in range(3)]
    return "\n".join(parts) + "\n"


def build(env, sessions):
    """The big event, written through the services; returns its organizer secret."""
    os.environ.update(env)
    from barcamp import create_app
    from barcamp.extensions import db
    from barcamp.models import Participant, Role, Session, Topic, Vote
    from barcamp.services import events as event_service
    from barcamp.services import notes
    from barcamp.services.events import EventSettings, RoomRow, SlotRow
    from barcamp.services.note_documents import new_document
    from barcamp.unit_of_work import unit_of_work

    app = create_app()
    rooms = 5
    rounds = -(-sessions // rooms)
    with app.app_context():
        slots = []
        for n in range(rounds):
            start = 8 * 60 + n * 25
            slots.append(
                SlotRow(
                    wall(start // 60, start % 60),
                    wall((start + 20) // 60, (start + 20) % 60),
                    "sessions",
                    "",
                )
            )
        with unit_of_work():
            event, keys = event_service.create_event(
                EventSettings(
                    name="Grand barcamp des exports",
                    starts_on=date.today(),
                    venue="Bercy",
                    timezone="Europe/Paris",
                    locale="fr",
                ),
                [RoomRow(f"Salle {r + 1}", 60) for r in range(rooms)],
                slots,
                code="EXPORT",
            )
            secret = keys[Role.ORGANIZER]
            people = []
            for p in range(60):
                person = Participant(
                    event_id=event.id,
                    display_name=f"Personne {p}",
                    resume_key_digest=secrets.token_hex(32),
                )
                db.session.add(person)
                people.append(person)
            db.session.flush()
            topics = []
            for t in range(sessions):
                topic = Topic(
                    event_id=event.id,
                    title=f"Atelier {t + 1} : les usages",
                    proposer_id=people[t % 60].id,
                )
                db.session.add(topic)
                topics.append(topic)
            db.session.flush()
            for t, topic in enumerate(topics):
                db.session.add(
                    Session(
                        event_id=event.id,
                        topic_id=topic.id,
                        room_id=event.rooms[t % rooms].id,
                        slot_id=event.slots[t // rooms].id,
                        capacity=60,
                    )
                )
                for v in range(3):
                    db.session.add(
                        Vote(
                            event_id=event.id,
                            topic_id=topic.id,
                            participant_id=people[(t + v * 7) % 60].id,
                        )
                    )
            event.schedule_published_at = event.created_at
        for number, topic in enumerate(topics, start=1):
            with unit_of_work():
                note = notes.create_note(topic)
                db.session.flush()
                doc, body = new_document()
                for data in db.session.scalars(
                    db.select(notes.NoteUpdate.data).where(notes.NoteUpdate.note_id == note.id)
                ):
                    doc.apply_update(data)
                before = doc.get_state()
                notes.replace_text(body, note_text(topic.title, number))
                notes.receive(note, people[number % 60], doc.get_update(before))
    return secret


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Pinger(threading.Thread):
    """GET /healthz every 20 ms; keeps (time sent, latency) pairs."""

    def __init__(self, base):
        super().__init__(daemon=True)
        self.base = base
        self.samples = []
        self.running = True

    def run(self):
        http = requests.Session()
        while self.running:
            sent = time.perf_counter()
            http.get(self.base + "/healthz", timeout=30)
            self.samples.append((sent, (time.perf_counter() - sent) * 1000))
            time.sleep(0.02)

    def between(self, start, end):
        return [lat for sent, lat in self.samples if start <= sent <= end]


def summary(values):
    if not values:
        return {}
    values = sorted(values)
    return {
        "n": len(values),
        "p50": round(statistics.median(values), 1),
        "p99": round(values[min(len(values) - 1, int(len(values) * 0.99))], 1),
        "max": round(values[-1], 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="barcamp-bench-exports-"))
    port = free_port()
    env = {
        "BARCAMP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "SESSION_COOKIE_SECURE": "0",
        "DATABASE_URL": f"sqlite:///{workdir / 'barcamp.db'}",
        "BARCAMP_INSTANCE_PATH": str(workdir),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    full_env = {**os.environ, **env}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=full_env,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    secret = build(env, args.sessions)
    print(f"event built in {time.perf_counter() - started:.1f} s", flush=True)
    server = subprocess.Popen(
        [sys.executable, "wsgi.py"],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.get(base + "/healthz", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        organizer = requests.Session()
        organizer.get(f"{base}/e/EXPORT/key/{secret}", timeout=30)
        pinger = Pinger(base)
        pinger.start()
        time.sleep(2)
        quiet = summary(pinger.between(0, time.perf_counter()))
        results = {"sessions": args.sessions, "healthz_before_ms": quiet, "downloads": {}}
        for path in ("export.zip", "proceedings.html", "proceedings.pdf"):
            seconds, stalls, worst, size = [], [], [], 0
            for _ in range(args.runs):
                start = time.perf_counter()
                response = organizer.get(f"{base}/e/EXPORT/{path}", timeout=300)
                end = time.perf_counter()
                response.raise_for_status()
                size = len(response.content)
                seconds.append(round(end - start, 2))
                during = pinger.between(start, end)
                stalls += during
                worst.append(round(max(during, default=0), 1))
                time.sleep(0.5)
            results["downloads"][path] = {
                "seconds": seconds,
                "bytes": size,
                "healthz_during_ms": summary(stalls),
                "healthz_worst_per_run_ms": worst,
            }
            print(path, json.dumps(results["downloads"][path]), flush=True)
        pinger.running = False
        results["notes_chars"] = len(note_text("Atelier 1 : les usages", 1))
        print(json.dumps(results, indent=1))
        if args.out:
            args.out.write_text(json.dumps(results, indent=1) + "\n")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
