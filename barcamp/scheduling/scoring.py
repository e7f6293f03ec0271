"""The exact score of a grid, an upper bound, and the "by hand" baseline.

A grid's score is the number of (participant, voted topic) pairs that can actually
happen: in each slot a participant attends at most one session, a room seats at most
its capacity, and a participant who hosts one of the slot's sessions is at that one (it
counts if they voted for it; the slot's other sessions lose them). With the grid fixed,
each slot is a bipartite b-matching, solved exactly as a maximum flow.
"""

from collections import defaultdict

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from barcamp.scheduling.model import Cell


def slot_attendance(sessions):
    """Most (participant, session) pairs one slot can seat. `sessions`: [(voters, seats)]."""
    sessions = [(voters, seats) for voters, seats in sessions if voters and seats > 0]
    if not sessions:
        return 0
    people = set().union(*(voters for voters, _ in sessions))
    if all(len(voters) <= seats for voters, seats in sessions):
        return len(people)  # nobody is turned away: everyone with a choice gets a seat
    index = {person: i + 1 for i, person in enumerate(people)}
    first_session = len(people) + 1
    sink = first_session + len(sessions)
    rows, cols, caps = [], [], []
    for i in index.values():
        rows.append(0)
        cols.append(i)
        caps.append(1)
    for k, (voters, seats) in enumerate(sessions):
        node = first_session + k
        for person in voters:
            rows.append(index[person])
            cols.append(node)
            caps.append(1)
        rows.append(node)
        cols.append(sink)
        caps.append(seats)
    graph = csr_matrix(
        (np.array(caps, dtype=np.int32), (np.array(rows), np.array(cols))),
        shape=(sink + 1, sink + 1),
    )
    return int(maximum_flow(graph, 0, sink).flow_value)


def slot_sessions(placed):
    """One slot's sessions as slot_attendance takes them, from [(topic, seats)]: a
    participant who hosts one of them is at that one, so the slot's other sessions
    lose them as voters."""
    presenting = set().union(*(topic.hosts for topic, _ in placed)) if placed else set()
    return [(topic.voters - (presenting - topic.hosts), seats) for topic, seats in placed]


def slot_score(problem, grid, slot):
    """The exact number of (participant, voted topic) pairs one slot of the grid seats."""
    placed = [
        (problem.topic(topic_id), problem.room(cell.room).capacity)
        for cell, topic_id in grid.items()
        if cell.slot == slot
    ]
    return slot_attendance(slot_sessions(placed))


def score(problem, grid):
    """The exact number of (participant, voted topic) pairs the grid lets happen."""
    by_slot = defaultdict(list)
    for cell, topic_id in grid.items():
        by_slot[cell.slot].append((problem.topic(topic_id), problem.room(cell.room).capacity))
    return sum(slot_attendance(slot_sessions(placed)) for placed in by_slot.values())


def upper_bound(problem):
    """No grid can do better: the fewer of (a) each participant seeing each of their
    topics, one per slot, and (b) the most-voted topics in the biggest places. Both
    count every vote, hosts' too: that a host is at their own session only takes pairs
    away, so they stay bounds."""
    placeable = [
        topic
        for topic in problem.topics
        if any(problem.fits(topic, room) for room in problem.rooms)
    ]
    votes_of = defaultdict(int)
    for topic in placeable:
        for person in topic.voters:
            votes_of[person] += 1
    per_person = sum(min(count, len(problem.slots)) for count in votes_of.values())
    demands = sorted((len(t.voters) for t in placeable), reverse=True)
    seats = sorted((problem.room(c.room).capacity for c in problem.cells()), reverse=True)
    per_place = sum(min(d, s) for d, s in zip(demands, seats, strict=False))
    return min(per_person, per_place)


def by_hand(problem):
    """What an organizer does by hand: pins first, then the most-voted topics dealt
    over the slots back and forth, most votes into the biggest free room that fits."""
    grid = {cell: topic_id for topic_id, cell in problem.pins.items()}
    busy = {(host, cell.slot) for cell, t in grid.items() for host in problem.topic(t).hosts}
    free = {slot: [] for slot in problem.slots}
    for cell in problem.cells():
        if cell not in grid:
            free[cell.slot].append(problem.room(cell.room))
    for rooms in free.values():
        rooms.sort(key=lambda room: -room.capacity)
    order = list(problem.slots) + list(reversed(problem.slots))
    turn = 0
    rest = sorted(
        (t for t in problem.topics if t.id not in problem.pins),
        key=lambda t: (-len(t.voters), t.id),
    )
    for topic in rest:
        for attempt in range(len(order)):
            slot = order[(turn + attempt) % len(order)]
            if any((host, slot) in busy for host in topic.hosts):
                continue
            room = next((r for r in free[slot] if problem.fits(topic, r)), None)
            if room is None:
                continue
            free[slot].remove(room)
            grid[Cell(room.id, slot)] = topic.id
            busy.update((host, slot) for host in topic.hosts)
            turn = (turn + attempt + 1) % len(order)
            break
    return grid
