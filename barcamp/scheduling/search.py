"""The fast search: a conflict-aware greedy start, then simulated annealing over moves
and swaps, judged by a close, cheap estimate of each slot's attendance; the best grids
found are then judged exactly (scoring.score) and the best is kept.

The estimate of a slot: a participant whose only voted topic in the slot is t must go
to t (up to its room's seats); participants with several choices fill the seats left.
It never underestimates much and is computed from per-slot counters updated in place.
"""

import math
import random
import time

import numpy as np
from scipy.optimize import linear_sum_assignment

from barcamp.scheduling import scoring
from barcamp.scheduling.model import Cell

FREE, BLOCKED = -1, -2


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
        self.capacity = np.array([r.capacity for r in self.rooms])
        n_topics, n_rooms, n_slots = len(self.topics), len(self.rooms), len(self.slots)
        self.fits = np.array(
            [[problem.fits(t, r) for r in self.rooms] for t in self.topics], dtype=bool
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
        self.n_people = len(people)
        self.exact = False
        self.reset()

    # ---- state ----

    def reset(self):
        n_slots = len(self.slots)
        self.slot_of = np.full(len(self.topics), -1)
        self.room_of = np.full(len(self.topics), -1)
        self.members = [[] for _ in range(n_slots)]
        self.count = np.zeros((n_slots, self.n_people), dtype=np.int32)
        self.busy = {}
        self.value = np.zeros(n_slots)

    def _enter(self, t, s):
        self.slot_of[t] = s
        self.members[s].append(t)
        self.count[s, self.voters[t]] += 1
        for h in self.hosts[t]:
            self.busy[h, s] = self.busy.get((h, s), 0) + 1

    def _leave(self, t):
        s = self.slot_of[t]
        self.members[s].remove(t)
        self.count[s, self.voters[t]] -= 1
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
        topics = self.members[s]
        fixed = {self.pinned[t][0] for t in topics if t in self.pinned}
        rooms = [r for r in range(len(self.rooms)) if self.open_cells[s, r] and r not in fixed]
        free = [t for t in topics if t not in self.pinned]
        for t in topics:
            if t in self.pinned:
                self.room_of[t] = self.pinned[t][0]
        if not free:
            return True
        if len(free) > len(rooms):
            return False
        gain = np.array(
            [
                [
                    min(self.capacity[r], self.demand[t]) * 1000 + self.capacity[r]
                    if self.fits[t, r]
                    else -1e9
                    for r in rooms
                ]
                for t in free
            ]
        )
        rows, cols = linear_sum_assignment(gain, maximize=True)
        if (gain[rows, cols] < 0).any():
            return False
        for i, j in zip(rows, cols, strict=True):
            self.room_of[free[i]] = rooms[j]
        return True

    def estimate(self, s):
        """The attendance of slot s: exact (a max-flow) or estimated (see the module's
        docstring), as `self.exact` says."""
        if self.exact:
            return scoring.slot_attendance(
                [
                    (self.topics[t].voters, int(self.capacity[self.room_of[t]]))
                    for t in self.members[s]
                ]
            )
        count = self.count[s]
        seated, spare = 0, 0
        for t in self.members[s]:
            only_here = int(np.count_nonzero(count[self.voters[t]] == 1))
            seats = int(self.capacity[self.room_of[t]])
            seated += min(seats, only_here)
            spare += max(0, seats - only_here)
        several = int(np.count_nonzero(count >= 2))
        return seated + min(several, spare)

    def total(self):
        return float(self.value.sum())

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
            self.value[s] = self.estimate(s)

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
        open_rooms = int(self.open_cells[s].sum())
        return used < open_rooms and any(
            self.fits[t, r] for r in range(len(self.rooms)) if self.open_cells[s, r]
        )

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
        movable = [t for t in range(len(self.topics)) if t not in self.pinned]
        if not movable:
            return None
        t = self.rng.choice(movable)
        n_slots = len(self.slots)
        if self.slot_of[t] < 0:
            # Bring an unplaced topic in, in place of a placed one or into a free cell.
            s = self.rng.randrange(n_slots)
            room_for_more = len(self.members[s]) < int(self.open_cells[s].sum())
            out = [u for u in self.members[s] if u not in self.pinned]
            if room_for_more and (not out or self.rng.random() < 0.5):
                return [(t, s)]
            if not out:
                return None
            return [(self.rng.choice(out), -1), (t, s)]
        s = self.rng.randrange(n_slots)
        if s == self.slot_of[t]:
            return None
        room_for_more = len(self.members[s]) < int(self.open_cells[s].sum())
        if room_for_more and self.rng.random() < 0.3:
            return [(t, s)]
        others = [u for u in self.members[s] if u not in self.pinned]
        if not others:
            return [(t, s)] if room_for_more else None
        u = self.rng.choice(others)
        return [(t, s), (u, self.slot_of[t])]

    def anneal(self, deadline, start_temperature=2.0):
        """Improve the current grid until the deadline; return the best grids seen."""
        best_value, best = self.total(), [self.grid()]
        begin = time.monotonic()
        span = max(deadline - begin, 1e-6)
        steps = 0
        while True:
            steps += 1
            if steps % 64 == 0 and time.monotonic() >= deadline:
                break
            progress = min((time.monotonic() - begin) / span, 1.0) if steps % 64 == 0 else None
            if progress is not None:
                self.temperature = start_temperature * (1 - progress) ** 2
            change = self._random_change()
            if change is None:
                continue
            delta = self._try(change, getattr(self, "temperature", start_temperature))
            if delta is not None and self.total() > best_value:
                best_value = self.total()
                best = [self.grid(), *best[:4]]
        self.steps = steps
        return best


def search(problem, *, time_limit=1.5, seed=0, rounds=3):
    """The best grid found within the time limit, judged exactly: the by-hand grid,
    the greedy grid, then rounds of annealing from the greedy grid or the best so far."""
    deadline = time.monotonic() + time_limit
    state = Search(problem, seed)
    state.greedy()
    candidates = [scoring.by_hand(problem), state.grid()]
    for round_ in range(rounds):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        if round_ % 2:
            state.load(max(candidates, key=lambda grid: scoring.score(problem, grid)))
        elif round_:
            state.greedy()
        state.rng = random.Random(seed * 1000 + round_)
        candidates += state.anneal(time.monotonic() + remaining / (rounds - round_))
    return max(candidates, key=lambda grid: scoring.score(problem, grid))
