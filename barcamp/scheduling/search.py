"""The fast search: a conflict-aware greedy start, then simulated annealing over moves
and swaps, judged by a close, cheap estimate of each slot's attendance; the best grids
found are then judged exactly (scoring.score) and the best is kept.

The estimate of a slot: a participant whose only voted topic in the slot is t must go
to t (up to its room's seats); participants with several choices fill the seats left;
a participant who hosts one of the slot's sessions is at it (counting there if they
voted for it) and nowhere else. It never underestimates much and is computed from
per-slot counters updated in place.

The search is deterministic: its budget is a number of annealing steps (step_budget
sizes it by the instance), its temperature falls with the steps taken, and its random
choices come from the seed, so the same problem and seed give the same grid. The clock
is only a guard, stopping a search that runs far too long.
"""

import math
import random
import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from barcamp.scheduling import scoring
from barcamp.scheduling.model import Cell

FREE, BLOCKED = -1, -2
PRESENTING = 1 << 20  # in a slot's vote counts: this participant hosts a session there


class Search:
    def __init__(self, problem, seed=0):
        self.problem = problem
        self.rng = random.Random(seed)
        self.topics = list(problem.topics)
        self.rooms = list(problem.rooms)
        self.slots = list(problem.slots)
        people = sorted({p for t in self.topics for p in t.voters})
        person = {p: i for i, p in enumerate(people)}
        hosts = sorted({h for t in self.topics for h in t.hosts})
        host = {h: i for i, h in enumerate(hosts)}
        self.voters = [np.array([person[p] for p in t.voters], dtype=np.int64) for t in self.topics]
        self.demand = np.array([len(t.voters) for t in self.topics])
        self.hosts = [[host[h] for h in t.hosts] for t in self.topics]
        # Hosts who voted somewhere, as participants: presenting, they attend nothing else.
        self.host_people = [
            np.array([person[h] for h in sorted(t.hosts) if h in person], dtype=np.int64)
            for t in self.topics
        ]
        self.presents = [len(people) > 0 for people in self.host_people]
        self.self_votes = [len(t.hosts & t.voters) for t in self.topics]
        self.capacity = np.array([r.capacity for r in self.rooms])
        n_topics, n_rooms, n_slots = len(self.topics), len(self.rooms), len(self.slots)
        self.fits = np.array(
            [[problem.fits(t, r) for r in self.rooms] for t in self.topics], dtype=bool
        ).reshape(n_topics, n_rooms)
        # How well a room suits a topic: seats for its voters first, then the room's size.
        self.suits = np.where(
            self.fits,
            np.minimum(self.capacity[None, :], self.demand[:, None]) * 1000
            + self.capacity[None, :],
            -1e9,
        ).reshape(n_topics, n_rooms)
        topic_index = {t.id: i for i, t in enumerate(self.topics)}
        room_index = {r.id: i for i, r in enumerate(self.rooms)}
        slot_index = {s: i for i, s in enumerate(self.slots)}
        self.pinned = {
            topic_index[t]: (room_index[c.room], slot_index[c.slot])
            for t, c in problem.pins.items()
        }
        self.open_cells = np.full((n_slots, n_rooms), True)
        for cell in problem.blocked:
            if cell.room in room_index and cell.slot in slot_index:
                self.open_cells[slot_index[cell.slot], room_index[cell.room]] = False
        self.open_cells &= self.capacity[None, :] > 0
        # Plain Python copies of what every step reads, much faster to index one by one.
        self.seats = [int(c) for c in self.capacity]
        self.open_rooms = [
            [r for r in range(n_rooms) if self.open_cells[s, r]] for s in range(n_slots)
        ]
        self.n_open = [len(rooms) for rooms in self.open_rooms]
        self.n_people = len(people)
        self.movable = [t for t in range(n_topics) if t not in self.pinned]
        self.rooms_for = {}  # (slot, its topics) -> [(topic, room)], or False
        self.value_for = {}  # (slot, its topics) -> its estimate, in those rooms
        self.exact = False
        self.reset()

    # ---- state ----

    def reset(self):
        n_slots = len(self.slots)
        self.slot_of = [-1] * len(self.topics)
        self.room_of = [-1] * len(self.topics)
        self.members = [[] for _ in range(n_slots)]
        # For each slot and participant: how many of the slot's topics they voted for,
        # plus PRESENTING if they host one of them.
        self.count = np.zeros((n_slots, self.n_people), dtype=np.int32)
        self.rows = list(self.count)  # the slots' rows, as views
        self.busy = {}
        self.value = [0] * n_slots

    def _enter(self, t, s):
        self.slot_of[t] = s
        self.members[s].append(t)
        row = self.rows[s]
        row[self.voters[t]] += 1
        if self.presents[t]:
            row[self.host_people[t]] += PRESENTING
        for h in self.hosts[t]:
            self.busy[h, s] = self.busy.get((h, s), 0) + 1

    def _leave(self, t):
        s = self.slot_of[t]
        self.members[s].remove(t)
        row = self.rows[s]
        row[self.voters[t]] -= 1
        if self.presents[t]:
            row[self.host_people[t]] -= PRESENTING
        for h in self.hosts[t]:
            self.busy[h, s] -= 1
        self.slot_of[t] = -1
        self.room_of[t] = -1
        return s

    def host_free(self, t, s):
        return all(self.busy.get((h, s), 0) == 0 for h in self.hosts[t])

    def assign_rooms(self, s):
        """Give the slot's topics the rooms that seat them best; False if needs can't
        all be met. Pinned topics keep their rooms."""
        key = (s, tuple(sorted(self.members[s])))
        rooms = self.rooms_for.get(key)
        if rooms is None:  # the same topics come back together often: remember
            rooms = self.rooms_for[key] = self._best_rooms(s, key[1])
        if rooms is False:
            return False
        for t, r in rooms:
            self.room_of[t] = r
        return True

    def _best_rooms(self, s, topics):
        """[(topic, room)] for the topics of slot s, or False if they do not fit."""
        fixed = {self.pinned[t][0] for t in topics if t in self.pinned}
        rooms = [r for r in self.open_rooms[s] if r not in fixed] if fixed else self.open_rooms[s]
        free = [t for t in topics if t not in self.pinned]
        given = [(t, self.pinned[t][0]) for t in topics if t in self.pinned]
        if not free:
            return given
        if len(free) > len(rooms):
            return False
        gain = self.suits[free][:, rooms]
        rows, cols = linear_sum_assignment(gain, maximize=True)
        if (gain[rows, cols] < 0).any():
            return False
        return given + [(free[i], rooms[j]) for i, j in zip(rows, cols, strict=True)]

    def estimate(self, s, *, rooms_given=False):
        """The attendance of slot s: exact (a max-flow) or estimated (see the module's
        docstring), as `self.exact` says. Unless its rooms were given (load), they are
        assign_rooms' for its topics, so the estimate is theirs too: remembered."""
        if self.exact:
            return scoring.slot_attendance(
                scoring.slot_sessions(
                    [(self.topics[t], self.seats[self.room_of[t]]) for t in self.members[s]]
                )
            )
        if rooms_given:
            return self._estimate(s)
        key = (s, tuple(sorted(self.members[s])))
        value = self.value_for.get(key)
        if value is None:
            value = self.value_for[key] = self._estimate(s)
        return value

    def _estimate(self, s):
        # Hosts presenting here attend their own session only: they count (when they
        # voted for it) as its own voters, never as someone choosing.
        count = self.rows[s]
        seated, spare = 0, 0
        for t in self.members[s]:
            only_here = int(np.count_nonzero(count[self.voters[t]] == 1)) + self.self_votes[t]
            seats = self.seats[self.room_of[t]]
            seated += min(seats, only_here)
            spare += max(0, seats - only_here)
        several = int(np.count_nonzero((count >= 2) & (count < PRESENTING)))
        return seated + min(several, spare)

    def total(self):
        return sum(self.value)

    def grid(self):
        return {
            Cell(self.rooms[self.room_of[t]].id, self.slots[self.slot_of[t]]): self.topics[t].id
            for t in range(len(self.topics))
            if self.slot_of[t] >= 0
        }

    def load(self, grid):
        """Set the state to a given grid (for instance the previous one, or by hand)."""
        self.reset()
        topic_index = {t.id: i for i, t in enumerate(self.topics)}
        room_index = {r.id: i for i, r in enumerate(self.rooms)}
        slot_index = {s: i for i, s in enumerate(self.slots)}
        for cell, topic_id in grid.items():
            t, s = topic_index[topic_id], slot_index[cell.slot]
            self._enter(t, s)
            self.room_of[t] = room_index[cell.room]
        for s in range(len(self.slots)):
            self.value[s] = self.estimate(s, rooms_given=True)

    # ---- building ----

    def greedy(self):
        """Pins first; then the most-voted topics, each into the slot where it reaches
        the most people not yet served there (a room must fit, its hosts be free)."""
        self.reset()
        for t, (r, s) in self.pinned.items():
            self._enter(t, s)
            self.room_of[t] = r
        order = sorted(
            (t for t in range(len(self.topics)) if t not in self.pinned),
            key=lambda t: (-self.demand[t], t),
        )
        for t in order:
            best, best_gain = None, -math.inf
            for s in range(len(self.slots)):
                if not self.host_free(t, s) or not self._room_left(t, s):
                    continue
                # Its voters not yet served in the slot, nor presenting there.
                reached = int(np.count_nonzero(self.count[s, self.voters[t]] == 0))
                gain = reached * 1000 - len(self.members[s])
                if gain > best_gain:
                    best, best_gain = s, gain
            if best is None:
                continue
            self._enter(t, best)
            if not self.assign_rooms(best):
                self._leave(t)
                self.assign_rooms(best)
        for s in range(len(self.slots)):
            self.assign_rooms(s)
            self.value[s] = self.estimate(s)

    def _room_left(self, t, s):
        used = len(self.members[s])
        return used < self.n_open[s] and any(self.fits[t, r] for r in self.open_rooms[s])

    # ---- local search ----

    def _try(self, changes, temperature):
        """Apply moves [(topic, new slot or -1)], keep them if the annealing accepts."""
        touched = {self.slot_of[t] for t, _ in changes if self.slot_of[t] >= 0}
        touched |= {s for _, s in changes if s >= 0}
        # Everything the move may change, to put back as it was if it is refused.
        saved = {
            t: (self.slot_of[t], self.room_of[t])
            for t in {t for t, _ in changes} | {u for s in touched for u in self.members[s]}
        }
        old = sum(self.value[s] for s in touched)
        for t, _ in changes:
            if self.slot_of[t] >= 0:
                self._leave(t)
        feasible = True
        for t, s in changes:
            if s < 0:
                continue
            feasible = feasible and self.host_free(t, s)
            self._enter(t, s)
        if feasible:
            feasible = all(self.assign_rooms(s) for s in touched)
        if feasible:
            new = {s: self.estimate(s) for s in touched}
            delta = sum(new.values()) - old
            if delta >= 0 or (
                temperature > 0 and self.rng.random() < math.exp(delta / temperature)
            ):
                for s, value in new.items():
                    self.value[s] = value
                return delta
        for t, _ in changes:
            if self.slot_of[t] >= 0:
                self._leave(t)
        for t, (s, r) in saved.items():
            if s >= 0 and self.slot_of[t] != s:
                self._enter(t, s)
            self.room_of[t] = r
        return None

    def _random_change(self):
        movable = self.movable
        if not movable:
            return None
        t = self.rng.choice(movable)
        n_slots = len(self.slots)
        if self.slot_of[t] < 0:
            # Bring an unplaced topic in, in place of a placed one or into a free cell.
            s = self.rng.randrange(n_slots)
            room_for_more = len(self.members[s]) < self.n_open[s]
            out = [u for u in self.members[s] if u not in self.pinned]
            if room_for_more and (not out or self.rng.random() < 0.5):
                return [(t, s)]
            if not out:
                return None
            return [(self.rng.choice(out), -1), (t, s)]
        s = self.rng.randrange(n_slots)
        if s == self.slot_of[t]:
            return None
        room_for_more = len(self.members[s]) < self.n_open[s]
        if room_for_more and self.rng.random() < 0.3:
            return [(t, s)]
        others = [u for u in self.members[s] if u not in self.pinned]
        if not others:
            return [(t, s)] if room_for_more else None
        u = self.rng.choice(others)
        return [(t, s), (u, self.slot_of[t])]

    def anneal(self, steps, *, deadline=math.inf, start_temperature=2.0, on_step=None):
        """Improve the current grid for `steps` steps, the temperature falling with the
        steps taken, never with the clock; stop early only if the deadline passes (a
        guard). Return the best grids seen, best first; `self.steps` says how many
        steps ran. `on_step(step, best)`, if given, is called after every step."""
        best_value, best = self.total(), [self.grid()]
        self.steps = 0
        for step in range(steps):
            if step % 64 == 63 and time.monotonic() >= deadline:
                break
            temperature = start_temperature * (1 - step / steps) ** 2
            change = self._random_change()
            if change is not None:
                delta = self._try(change, temperature)
                if delta is not None and self.total() > best_value:
                    best_value = self.total()
                    best = [self.grid(), *best[:4]]
            self.steps = step + 1
            if on_step is not None:
                on_step(self.steps, best)
        return best


def step_budget(problem):
    """The annealing steps an instance gets: BASE_STEPS, which even small events need
    for the annealing to settle, and STEPS_PER_MOVE more for each move the instance
    offers (a topic to place times a slot to try it in). People do not count: more of
    them make each step dearer, not more steps needed (docs/benchmarks.md)."""
    movable = sum(1 for t in problem.topics if t.id not in problem.pins)
    if not movable or not problem.slots:
        return 0  # nothing to move
    return BASE_STEPS + STEPS_PER_MOVE * movable * len(problem.slots)


BASE_STEPS = 6_000
STEPS_PER_MOVE = 10
REPORTS = 16  # progress reports in a search, at evenly spaced step counts


class Candidates:
    """The grids found so far, each completed (fill_free_places) and judged exactly;
    the best one is kept, the first found among equals."""

    def __init__(self, problem):
        self.problem = problem
        self.grid, self.score = {}, -1
        self.seen = set()

    def add(self, grid):
        key = frozenset(grid.items())
        if key in self.seen:
            return
        self.seen.add(key)
        grid = fill_free_places(self.problem, grid)
        value = scoring.score(self.problem, grid)
        if value > self.score:
            self.grid, self.score = grid, value


@dataclass
class Outcome:
    grid: dict  # Cell -> topic id, free places filled
    score: int
    steps: int  # annealing steps run
    budget: int  # annealing steps planned; more than `steps` if the guard stopped it


def run(problem, *, seed=0, steps=None, time_limit=20.0, rounds=3, progress=None):
    """The search (see search()), with how it went."""
    deadline = time.monotonic() + time_limit
    budget = step_budget(problem) if steps is None else max(0, int(steps))
    bound = scoring.upper_bound(problem)
    state = Search(problem, seed)
    found = Candidates(problem)
    found.add(scoring.by_hand(problem))
    state.greedy()
    found.add(state.grid())
    # Reports fall at step counts, so that a run and its reports are the same every time.
    marks = {budget * k // REPORTS for k in range(1, REPORTS + 1)} - {0}
    reported = [None]  # the step count last reported

    def report(done):
        if progress is not None and done != reported[0]:
            reported[0] = done
            share = done / budget if budget else 1.0
            progress({"best": found.score, "upper_bound": bound, "done": share})

    used = 0
    for round_ in range(rounds):
        length = budget * (round_ + 1) // rounds - used
        if length <= 0:
            continue
        if round_ % 2:
            state.load(found.grid)
        elif round_:
            state.greedy()
        state.rng = random.Random(seed * 1000 + round_)

        def on_step(step, best, offset=used):
            # At each mark the best grid so far is judged exactly, with or without
            # anyone listening, so that the result never depends on `progress`.
            if offset + step in marks:
                found.add(best[0])
                report(offset + step)

        for grid in state.anneal(length, deadline=deadline, on_step=on_step):
            found.add(grid)
        used += state.steps
        if state.steps < length:  # the guard: out of time
            break
    report(used if budget else 0)
    return Outcome(grid=found.grid, score=found.score, steps=used, budget=budget)


def search(problem, *, seed=0, steps=None, time_limit=20.0, rounds=3, progress=None):
    """The best grid found, judged exactly: the by-hand grid, the greedy grid, then
    `rounds` rounds of annealing from the greedy grid or the best so far, sharing a
    budget of `steps` steps (None: sized by the instance, step_budget). The same
    problem and seed give the same grid; `time_limit` (seconds) is only a guard that
    stops the search early. `progress`, if given, gets {"best", "upper_bound", "done"}
    about REPORTS times, at step counts."""
    return run(
        problem, seed=seed, steps=steps, time_limit=time_limit, rounds=rounds, progress=progress
    ).grid


def fill_free_places(problem, grid):
    """Give places nobody uses to topics left out, most votes first: every topic runs
    when there is room, even without votes. Each goes to the free place where it adds
    the most pairs (a host presenting leaves the slot's other sessions, so it may cost
    some); among equals, the biggest room, then the earliest slot."""
    grid = dict(grid)
    placed = set(grid.values())
    busy = {
        (host, cell.slot)
        for cell, topic_id in grid.items()
        for host in problem.topic(topic_id).hosts
    }
    free = sorted(
        (c for c in problem.cells() if c not in grid),
        key=lambda c: -problem.room(c.room).capacity,
    )
    slot_value = {}
    for topic in sorted(problem.topics, key=lambda t: (-len(t.voters), t.id)):
        if topic.id in placed or not free:
            continue
        places = [
            cell
            for cell in free
            if problem.fits(topic, problem.room(cell.room))
            and not any((h, cell.slot) in busy for h in topic.hosts)
        ]
        if not places:
            continue

        gains = {}  # (slot, seats) -> pairs gained: which room of a size does not matter

        def gain(cell, topic=topic, gains=gains):
            key = (cell.slot, problem.room(cell.room).capacity)
            if key not in gains:
                if cell.slot not in slot_value:
                    slot_value[cell.slot] = scoring.slot_score(problem, grid, cell.slot)
                with_it = scoring.slot_score(problem, grid | {cell: topic.id}, cell.slot)
                gains[key] = with_it - slot_value[cell.slot]
            return gains[key]

        cell = places[0] if len(places) == 1 else max(places, key=gain)
        grid[cell] = topic.id
        slot_value.pop(cell.slot, None)
        free.remove(cell)
        busy.update((h, cell.slot) for h in topic.hosts)
    return grid
