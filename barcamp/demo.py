"""The demo event, modelled on the founding barcamp: a day of public-sector
workshops on professional social networks, in Paris, about sixty people."""

import base64
import hashlib
import hmac
import random
import secrets
from datetime import date, time

from flask import current_app
from sqlalchemy import select

from barcamp.demo_testimonies import TALKS
from barcamp.extensions import db
from barcamp.models import Event, Phase, Role, SlotKind
from barcamp.security import digest, matches
from barcamp.services import events as event_service
from barcamp.services import participants as participant_service
from barcamp.services import talks as talk_service
from barcamp.services import topics as topic_service
from barcamp.services import voting
from barcamp.services.events import EventSettings, RoomRow, SlotRow

DEMO_CODE = "BERCY"

ROOMS = [("Grande salle", 70), ("Salle Colbert", 20), ("Salle Turgot", 15), ("Salle Necker", 12)]

SLOTS = [
    (time(9, 0), time(9, 30), SlotKind.BREAK, "Accueil café"),
    (
        time(9, 30),
        time(10, 30),
        SlotKind.PLENARY,
        "Ouverture : où en sont les réseaux sociaux professionnels ? Puis les pitchs",
    ),
    (time(10, 45), time(11, 45), SlotKind.SESSIONS, "Ateliers, 1er tour"),
    (time(12, 0), time(13, 0), SlotKind.SESSIONS, "Ateliers, 2e tour"),
    (time(13, 0), time(14, 0), SlotKind.BREAK, "Déjeuner"),
    (time(14, 0), time(15, 0), SlotKind.SESSIONS, "Ateliers, 3e tour"),
    (
        time(15, 15),
        time(16, 30),
        SlotKind.PLENARY,
        "Témoignages de trois porteurs de projet et restitution",
    ),
]

# Fictional people: about three in four from the administration, the rest from
# companies and associations, as on the day.
ORGANIZER = "Claire (bureau des partenariats)"
FACILITATOR = "Paul (animation)"
PEOPLE = [
    "Amélie B.", "Antoine D.", "Aurélie M.", "Baptiste L.", "Bénédicte R.", "Camille T.",
    "Céline G.", "Christophe P.", "Damien V.", "Delphine C.", "Élodie F.", "Emmanuel H.",
    "Fabienne J.", "Florian K.", "Françoise N.", "Gaëlle S.", "Guillaume A.", "Hélène Q.",
    "Hugo W.", "Isabelle Y.", "Jean-Marc Z.", "Julie B.", "Karim D.", "Laurence M.",
    "Léa L.", "Luc R.", "Magali T.", "Marc G.", "Marie-Claire P.", "Mathieu V.", "Nadia C.",
    "Nathalie F.", "Nicolas H.", "Odile J.", "Olivier K.", "Pascale N.", "Patrick S.",
    "Pauline A.", "Philippe Q.", "Rachid W.", "Raphaël Y.", "Sabine Z.", "Samuel B.",
    "Sandrine D.", "Sébastien M.", "Sophie L.", "Stéphanie R.", "Sylvie T.", "Thierry G.",
    "Thomas P.", "Valérie V.", "Vincent C.", "Virginie F.", "Xavier H.", "Yann J.",
    "Yasmine K.", "Zoé N.", "Anne-Sophie S.",
]  # fmt: skip


# Topics proposed on the spot, as on the day (the themes the account of it tells).
TOPICS = [
    (
        "Résistance au changement et désarroi",
        "workshop",
        ["whiteboard"],
        "Ceux qui veulent faire bouger les lignes se sentent seuls. Comment convaincre ?",
    ),
    (
        "La parole de l'agent : droit de réserve et poids de la hiérarchie",
        "discussion",
        [],
        "S'exprimer publiquement dans son administration sans se faire taper dessus.",
    ),
    (
        "Réseau social d'entreprise : le nom qui fait tousser",
        "discussion",
        [],
        "Faut-il mettre en place un RSE sans l'appeler ainsi ?",
    ),
    (
        "Faire pour voir et apprendre, plutôt qu'un projet à la Merise",
        "workshop",
        ["flipchart"],
        "Tester les usages d'abord, écrire le cahier des charges ensuite.",
    ),
    ("Le cloud pour travailler les usages sans projet informatique", "talk", ["projector"], ""),
    (
        "Distinguer ce qui doit être fait de ce qui doit être lu",
        "workshop",
        ["projector"],
        "1000 câbles par jour, 5 lus par le Président : hiérarchiser l'information.",
    ),
    (
        "Porteurs de changement : se rencontrer et se fédérer",
        "discussion",
        [],
        "Trop seuls dans nos organisations : créer un réseau entre administrations.",
    ),
    (
        "Curation : faire remonter le meilleur des communautés",
        "demo",
        ["projector"],
        "L'exemple d'un portail où cohabitent des communautés professionnelles.",
    ),
]


def create_demo(day=None):
    """Create the demo event (French, 60 people, 4 rooms, 7 slots, 8 topics with votes,
    proposals and voting open, the plenaries' four talks); return it and its role
    links' secrets."""
    day = day or date.today()
    settings = EventSettings(
        name="Barcamp Bercy — les réseaux sociaux dans l'administration",
        starts_on=day,
        venue="La Cantine, Paris 2e",
        timezone="Europe/Paris",
        locale="fr",
    )
    rooms = [RoomRow(name, capacity) for name, capacity in ROOMS]
    slots = [SlotRow(start, end, kind, label) for start, end, kind, label in SLOTS]
    event, keys = event_service.create_event(settings, rooms, slots, code=DEMO_CODE)
    event.phase = Phase.VOTING
    event.proposals_open = event.voting_open = True
    participant_service.join(event, ORGANIZER, role=Role.ORGANIZER)
    participant_service.join(event, FACILITATOR, role=Role.FACILITATOR)
    people = [participant_service.join(event, name)[0] for name in PEOPLE]
    topics = [
        topic_service.propose(proposer, title, pitch, format, needs, allow_similar=True)
        for proposer, (title, format, needs, pitch) in zip(people[::7], TOPICS, strict=False)
    ]
    # About two in three have voted already; some topics draw more than others.
    chance = random.Random(2013)
    weights = [9, 6, 5, 4, 3, 4, 5, 2]
    for person in people[:40]:
        for topic in set(chance.choices(topics, weights=weights, k=3)):
            voting.cast_vote(person, topic.id)
    _add_talks(event, topics)
    db.session.flush()  # its creation time, which its lasting links are made from
    keys = lasting_keys(event)
    for role, secret in keys.items():
        setattr(event, f"{role.value}_key_digest", digest(secret))
    return event, keys


GENERATIONS = 1000  # how many times the demo's links can be renewed on purpose


def lasting_keys(event, generation=0):
    """The demo's role secrets, the same at every start: made from the instance's
    SECRET_KEY, the demo's creation time and how many times they were renewed, so the
    links `flask demo` printed keep working until `--reset` or `--renew-links`."""
    key = current_app.config["SECRET_KEY"].encode()
    made = event.created_at.isoformat()
    keys = {}
    for role in (Role.ORGANIZER, Role.FACILITATOR):
        message = f"demo-link:{event.code}:{made}:{generation}:{role.value}".encode()
        mac = hmac.new(key, message, hashlib.sha256).digest()
        keys[role] = base64.urlsafe_b64encode(mac[:18]).decode()
    return keys


def lasting_generation(event):
    """Which generation of lasting links the demo holds now; None if an organizer
    replaced them from the app (their secrets are then known to nobody here)."""
    for generation in range(GENERATIONS):
        keys = lasting_keys(event, generation)
        if all(matches(keys[r], getattr(event, f"{r.value}_key_digest")) for r in keys):
            return generation
    return None


def renew_lasting_keys(event):
    """The next generation of lasting links (the current ones stop); return them."""
    current = lasting_generation(event)
    generation = current + 1 if current is not None else secrets.randbelow(GENERATIONS)
    keys = lasting_keys(event, generation % GENERATIONS)
    for role, secret in keys.items():
        setattr(event, f"{role.value}_key_digest", digest(secret))
    return keys


def _add_talks(event, topics):
    """The opening talk and the three closing testimonies, published, in their plenary."""
    plenaries = sorted(
        (slot for slot in event.slots if slot.kind == SlotKind.PLENARY),
        key=lambda slot: slot.starts_at,
    )
    slots = {"opening": plenaries[0], "closing": plenaries[-1]}
    by_title = {topic.title: topic.id for topic in topics}
    for talk in TALKS:
        fields = talk_service.TalkFields(
            kind=talk["kind"],
            speaker_name=talk["speaker_name"],
            speaker_role=talk["speaker_role"],
            organisation=talk["organisation"],
            link=talk["link"],
            title=talk["title"],
            summary=talk["summary"],
            figures=talk["figures"],
            lessons=talk["lessons"],
            body=talk["body"],
            minutes=talk["minutes"],
            slot_id=slots[talk["plenary"]].id,
            topic_ids=[by_title[title] for title in talk["workshops"] if title in by_title],
        )
        created = talk_service.set_published(talk_service.create_talk(event, fields), True)
        _ask(event, created, talk["questions"])


def _ask(event, talk, asked):
    """The room's questions to a talk, a few upvotes each (the first one the most), the
    last one of the opening talk answered."""
    from barcamp.identity import Visitor
    from barcamp.services import questions

    people = sorted((p for p in event.participants if p.role == Role.ATTENDEE), key=lambda p: p.id)
    chance = random.Random(talk.title)
    facilitator = Visitor(event, None, Role.FACILITATOR)
    for number, question in enumerate(asked):
        author = people[(7 * talk.id + 5 * number) % len(people)]
        made = questions.ask(
            Visitor(event, author, Role.ATTENDEE),
            talk.id,
            question["text"],
            question.get("anonymous", False),
        )
        for voter in chance.sample(people, k=max(9 - 3 * number, 1)):
            if voter.id != author.id:
                questions.upvote(Visitor(event, voter, Role.ATTENDEE), made.id)
        if question.get("answered"):
            questions.moderate(facilitator, made.id, "answered")


# What the note-takers had written by the closing plenary: each workshop's roles, and
# the lines of its notes that the report-back shows ("Décisions", "À faire").
WORKSHOP_NOTES = {
    "Résistance au changement et désarroi": {
        "roles": ("Aurélie M.", "Antoine D."),
        "decisions": [
            "Créer un groupe d'entraide entre porteurs de projet des ministères",
            "Commencer petit : un groupe, un usage, des résultats visibles",
        ],
        "todo": [
            "[ ] Ouvrir un espace d'échange interministériel — Aurélie M., fin mai",
            "[ ] Recenser les projets en cours dans chaque ministère — Antoine D., juin",
        ],
        "read": ["Le compte rendu du premier barcamp des porteurs de projet"],
    },
    "La parole de l'agent : droit de réserve et poids de la hiérarchie": {
        "roles": ("Céline G.", "Christophe P."),
        "decisions": ["Une charte d'usage courte plutôt qu'un règlement"],
        "todo": [
            "[ ] Partager les chartes de la Défense et des Affaires étrangères — Céline G., "
            "30 avril",
        ],
        "read": [
            "Les chartes d'usage des réseaux sociaux de la Défense et des Affaires étrangères",
            "Le statut général des fonctionnaires : l'obligation de réserve",
        ],
    },
    "Réseau social d'entreprise : le nom qui fait tousser": {
        "roles": ("Damien V.", "Delphine C."),
        "decisions": ["Parler d'usages et de communautés, pas d'outil ni de « social »"],
        "todo": ["[ ] Proposer trois noms au comité de pilotage — Damien V."],
    },
    "Distinguer ce qui doit être fait de ce qui doit être lu": {
        "roles": ("Élodie F.", "Emmanuel H."),
        "decisions": ["Séparer le flux « à traiter » du flux « pour information »"],
        "todo": [
            "[x] Présenter l'exemple de Diplomatie 2.0 — Élodie F.",
            "[ ] Tester un fil « à lire » dans un service pilote — Emmanuel H., septembre",
        ],
        "read": ["La présentation de Diplomatie 2.0 (témoignage de clôture)"],
    },
    "Faire pour voir et apprendre, plutôt qu'un projet à la Merise": {
        "roles": ("Florian K.", "Françoise N."),
        "decisions": ["Tester un usage pendant trois mois avant d'écrire un cahier des charges"],
        "todo": ["[ ] Choisir un service volontaire pour l'essai — Florian K., juin"],
    },
    "Le cloud pour travailler les usages sans projet informatique": {
        "roles": ("Hélène Q.", "Hugo W."),
        "decisions": ["Un outil en ligne pour l'essai, des données non sensibles seulement"],
        "todo": ["[ ] Demander l'avis du RSSI sur l'essai — Hélène Q., 31 mai"],
    },
    "Curation : faire remonter le meilleur des communautés": {
        "roles": ("Isabelle Y.", "Jean-Marc Z."),
        "decisions": ["Un animateur par communauté, qui choisit chaque semaine trois contenus"],
        "todo": ["[ ] Publier la première sélection — Isabelle Y., lundi prochain"],
    },
    "Porteurs de changement : se rencontrer et se fédérer": {
        "roles": ("Gaëlle S.", "Guillaume A."),
        "decisions": ["Se retrouver à l'automne pour un deuxième barcamp"],
        "todo": ["[ ] Créer la liste de diffusion des porteurs de changement — Gaëlle S., 15 mai"],
    },
}

# What the note-taker of the first workshop had written by mid-morning.
FIRST_NOTE_LINES = {
    "## Participants\n- ": (
        "## Participants\n- Une quinzaine d'agents de six ministères, deux associations"
    ),
    "## Points clés\n- ": (
        "## Points clés\n- Ceux qui veulent faire bouger les lignes se sentent seuls\n"
        "- Commencer petit : un groupe, un usage, des résultats visibles"
    ),
}


def publish_demo_grid(event):
    """The afternoon, as Paul leaves it after the pitches: proposals and voting closed,
    the grid built by the optimizer and published, the workshops' roles and notes
    written (each with a revision kept), and everybody seated in what they voted for.
    Runs its own units of work (the search must run outside any)."""
    from barcamp.identity import Visitor
    from barcamp.models import Participant
    from barcamp.services import facilitation, optimizer, seating
    from barcamp.unit_of_work import unit_of_work

    paul = db.session.scalar(
        select(Participant).where(
            Participant.event_id == event.id, Participant.display_name == FACILITATOR
        )
    )
    facilitator = Visitor(event, paul, Role.FACILITATOR)
    # The pitches are over: no more proposals or votes, as Paul closes them.
    with unit_of_work():
        facilitation.set_marketplace(facilitator, proposals_open=False, voting_open=False)
    optimizer.optimize(facilitator)  # searches outside any transaction, then writes
    with unit_of_work():
        _publish_with_a_note_under_way(facilitator)
    # Everybody takes a seat in what they voted for, as the room does after publication.
    for person in db.session.scalars(
        select(Participant).where(Participant.event_id == event.id).order_by(Participant.id)
    ).all():
        with unit_of_work():
            seating.seat_me(db.session.get(Participant, person.id))


def _publish_with_a_note_under_way(facilitator):
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from barcamp.models import Session, Slot
    from barcamp.services import notes, schedule

    event = facilitator.event
    schedule.publish(facilitator)
    db.session.flush()
    first = db.session.scalar(
        select(Session)
        .join(Slot, Slot.id == Session.slot_id)
        .where(Session.event_id == event.id)
        .order_by(Slot.starts_at, Session.capacity.desc())
        .limit(1)
    )
    people = {p.display_name: p for p in event.participants}
    sessions = db.session.scalars(select(Session).where(Session.event_id == event.id)).all()
    with force_locale(event.locale):
        decisions = "## " + _("Decisions") + "\n- "
        todo = "## " + _("To do (action, who does it, by when)") + "\n- "
        reading = "## " + _("To read (links, references)") + "\n- "
    for session in sessions:
        written = WORKSHOP_NOTES.get(session.topic.title)
        is_first = session.id == first.id
        if written is None and not is_first:
            continue
        # The first workshop of the day: Amélie and Baptiste, its note under way.
        roles = ("Amélie B.", "Baptiste L.") if is_first else written["roles"]
        lines = dict(FIRST_NOTE_LINES) if is_first else {}
        if written is not None:
            lines[decisions] = decisions + "\n- ".join(written["decisions"])
            lines[todo + "[ ] "] = todo + "\n- ".join(written["todo"])
            if written.get("read"):
                lines[reading] = reading + "\n- ".join(written["read"])
        notes.take_role(session.topic, people[roles[0]], "facilitator")
        notes.take_role(session.topic, people[roles[1]], "note_taker")
        note = _write_note(session.topic, people[roles[1]], lines)
        notes.save_revision(note, people[roles[1]])  # its history is not empty


def _write_note(topic, writer, replacements):
    """Start a workshop's note from its template and write into it, as its note-taker."""
    from barcamp.services import notes
    from barcamp.services.note_documents import new_document

    note = notes.create_note(topic)
    db.session.flush()
    doc, body = new_document()
    for data in db.session.scalars(
        select(notes.NoteUpdate.data).where(notes.NoteUpdate.note_id == note.id)
    ):
        doc.apply_update(data)
    before = doc.get_state()
    text = str(body)
    for old, new in replacements.items():
        text = text.replace(old, new, 1)
    notes.replace_text(body, text)
    notes.receive(note, writer, doc.get_update(before))
    return note


def existing_demo():
    return db.session.scalar(select(Event).where(Event.code == DEMO_CODE))
