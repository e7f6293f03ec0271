"""The demo event, modelled on the founding barcamp: a day of public-sector
workshops on professional social networks, in Paris, about sixty people."""

from datetime import date, time

from sqlalchemy import select

from barcamp.extensions import db
from barcamp.models import Event, Phase, Role, SlotKind
from barcamp.services import events as event_service
from barcamp.services import participants as participant_service
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


def create_demo(day=None):
    """Create the demo event (French, 60 people, 4 rooms, 7 slots); return it and its keys."""
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
    event.phase = Phase.PROPOSALS
    participant_service.join(event, ORGANIZER, role=Role.ORGANIZER)
    participant_service.join(event, FACILITATOR, role=Role.FACILITATOR)
    for name in PEOPLE:
        participant_service.join(event, name)
    return event, keys


def existing_demo():
    return db.session.scalar(select(Event).where(Event.code == DEMO_CODE))
