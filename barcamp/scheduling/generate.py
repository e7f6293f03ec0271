"""Generated instances, for tests and benchmarks: topics whose popularity follows a
lognormal law, participants with interests clustered in tracks, hosts among them."""

import random

from barcamp.scheduling.model import Problem, Room, Topic


def generate(*, topics, rooms, slots, people, votes, seed=0, tracks=6, hosts=True):
    """A random problem. `rooms` is a list of capacities."""
    rng = random.Random(seed)
    track_of = [rng.randrange(tracks) for _ in range(topics)]
    weight = [rng.lognormvariate(0, 0.8) for _ in range(topics)]
    voters = {t: set() for t in range(topics)}
    for person in range(people):
        home = rng.randrange(tracks)
        pool = list(range(topics))
        bias = [weight[t] * (4 if track_of[t] == home else 1) for t in pool]
        chosen = set()
        while len(chosen) < min(votes, topics):
            chosen.add(rng.choices(pool, weights=bias)[0])
        for t in chosen:
            voters[t].add(person)
    # Hosts are participants, who vote like the others; a quarter of them host two topics.
    proposers = rng.sample(range(people), k=min(people, max(1, topics * 3 // 4)))
    return Problem(
        topics=tuple(
            Topic(
                id=t + 1,
                voters=frozenset(voters[t]),
                hosts=frozenset({proposers[t % len(proposers)]} if hosts and proposers else ()),
            )
            for t in range(topics)
        ),
        rooms=tuple(Room(id=r + 1, capacity=c) for r, c in enumerate(rooms)),
        slots=tuple(range(1, slots + 1)),
    )
