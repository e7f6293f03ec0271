"""The scheduling problem and its hard constraints."""

from dataclasses import dataclass, field


class ProblemError(ValueError):
    """The problem cannot be solved as stated (for example a pin on a blocked cell)."""

    def __init__(self, problems):
        super().__init__("; ".join(code for code, _ in problems))
        # [(code, details)], for callers to explain in the user's language.
        self.problems = problems


@dataclass(frozen=True)
class Room:
    id: int
    capacity: int
    features: frozenset = frozenset()


@dataclass(frozen=True)
class Topic:
    id: int
    voters: frozenset = frozenset()
    hosts: frozenset = frozenset()
    needs: frozenset = frozenset()


@dataclass(frozen=True)
class Cell:
    room: int
    slot: int


@dataclass(frozen=True)
class Problem:
    """Topics to place into (room, slot) cells.

    `slots` are the ids of the slots that hold workshops, in time order. `pins` keeps a
    topic in a cell; `blocked` cells take no topic. A topic's needs must be met by its
    room's features, when any room declares features at all.
    """

    topics: tuple
    rooms: tuple
    slots: tuple
    pins: dict = field(default_factory=dict)  # topic id -> Cell
    blocked: frozenset = frozenset()  # of Cell

    @property
    def enforce_needs(self):
        return any(room.features for room in self.rooms)

    def room(self, room_id):
        return next(room for room in self.rooms if room.id == room_id)

    def topic(self, topic_id):
        return next(topic for topic in self.topics if topic.id == topic_id)

    def cells(self):
        """Every cell that may hold a topic, slot by slot."""
        return [
            Cell(room.id, slot)
            for slot in self.slots
            for room in self.rooms
            if Cell(room.id, slot) not in self.blocked and room.capacity > 0
        ]

    def fits(self, topic, room):
        """Whether the room has what the topic needs."""
        return not self.enforce_needs or topic.needs <= room.features

    def validate(self):
        """Raise ProblemError if the problem, its pins above all, cannot hold."""
        problems = []
        topic_ids = {t.id for t in self.topics}
        room_ids = {r.id for r in self.rooms}
        if len(topic_ids) != len(self.topics) or len(room_ids) != len(self.rooms):
            problems.append(("duplicate_ids", None))
        if len(set(self.slots)) != len(self.slots):
            problems.append(("duplicate_slots", None))
        for room in self.rooms:
            if room.capacity <= 0:
                problems.append(("room_without_seats", room.id))
        taken = {}
        for topic_id, cell in self.pins.items():
            if topic_id not in topic_ids:
                problems.append(("pin_of_unknown_topic", topic_id))
                continue
            if cell.room not in room_ids or cell.slot not in self.slots:
                problems.append(("pin_outside_grid", topic_id))
                continue
            if cell in self.blocked:
                problems.append(("pin_on_blocked_cell", topic_id))
            if cell in taken:
                problems.append(("two_pins_in_one_cell", topic_id))
            taken[cell] = topic_id
            if not self.fits(self.topic(topic_id), self.room(cell.room)):
                problems.append(("pin_in_room_without_needs", topic_id))
        grid = {cell: topic_id for topic_id, cell in self.pins.items() if topic_id in topic_ids}
        for code, details in check_grid(self, grid, pins=False):
            if code == "host_in_two_places":
                problems.append(("pinned_host_in_two_places", details))
        if problems:
            raise ProblemError(problems)


def check_grid(problem, grid, *, pins=True):
    """The hard constraints a grid ({Cell: topic id}) breaks, as [(code, details)]."""
    broken = []
    cells = set(problem.cells())
    placed = {}
    for cell, topic_id in grid.items():
        if cell not in cells:
            broken.append(("cell_not_available", cell))
        if topic_id in placed:
            broken.append(("topic_placed_twice", topic_id))
        placed[topic_id] = cell
        topic = problem.topic(topic_id)
        if cell.room in {r.id for r in problem.rooms} and not problem.fits(
            topic, problem.room(cell.room)
        ):
            broken.append(("needs_not_met", topic_id))
    busy = {}
    for topic_id, cell in placed.items():
        for host in problem.topic(topic_id).hosts:
            key = (host, cell.slot)
            if key in busy:
                broken.append(("host_in_two_places", (host, cell.slot)))
            busy[key] = topic_id
    if pins:
        for topic_id, cell in problem.pins.items():
            if placed.get(topic_id) != cell:
                broken.append(("pin_not_kept", topic_id))
    return broken
