"""The optimizer: exact scoring, hard constraints always kept, and grids as good as the
proven optimum on small instances."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barcamp.scheduling import Cell, Problem, ProblemError, Room, Topic, check_grid, scoring, solve
from barcamp.scheduling.exact import solve_exact
from barcamp.scheduling.generate import generate


def brute_force_attendance(sessions):
    """Try every way for each person to pick one of their sessions (or none)."""
    people = sorted(set().union(*(voters for voters, _ in sessions))) if sessions else []
    options = [[None] + [k for k, (v, _) in enumerate(sessions) if p in v] for p in people]
    best = 0
    for picks in itertools.product(*options):
        seated = [sum(1 for pick in picks if pick == k) for k in range(len(sessions))]
        if all(n <= seats for n, (_, seats) in zip(seated, sessions, strict=True)):
            best = max(best, sum(pick is not None for pick in picks))
    return best


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.frozensets(st.integers(0, 5), max_size=6), st.integers(0, 4)), max_size=3)
)
def test_a_slot_is_scored_exactly(sessions):
    assert scoring.slot_attendance(sessions) == brute_force_attendance(sessions)


def small(seed):
    return generate(topics=8, rooms=[12, 8], slots=3, people=30, votes=3, seed=seed)


@pytest.mark.parametrize("seed", range(4))
def test_the_search_finds_the_proven_optimum_on_small_instances(seed):
    problem = small(seed)
    exact_grid, optimum, proven = solve_exact(problem, time_limit=60)
    assert proven
    assert scoring.score(problem, exact_grid) == optimum
    result = solve(problem, time_limit=0.5, seed=seed)
    assert result.score >= 0.99 * optimum
    assert result.by_hand <= result.score <= optimum <= result.upper_bound


def random_problem(draw):
    n_rooms = draw(st.integers(1, 3))
    n_slots = draw(st.integers(1, 3))
    features = st.frozensets(st.sampled_from(["projector", "whiteboard"]), max_size=2)
    rooms = tuple(
        Room(id=r + 1, capacity=draw(st.integers(1, 6)), features=draw(features))
        for r in range(n_rooms)
    )
    n_topics = draw(st.integers(0, 8))
    topics = tuple(
        Topic(
            id=t + 1,
            voters=draw(st.frozensets(st.integers(1, 12), max_size=6)),
            hosts=draw(st.frozensets(st.integers(100, 104), max_size=2)),
            needs=draw(st.frozensets(st.sampled_from(["projector", "whiteboard"]), max_size=1)),
        )
        for t in range(n_topics)
    )
    slots = tuple(range(1, n_slots + 1))
    cells = [Cell(r.id, s) for s in slots for r in rooms]
    blocked = frozenset(draw(st.lists(st.sampled_from(cells), max_size=2)))
    problem = Problem(topics=topics, rooms=rooms, slots=slots, blocked=blocked)
    # Pin a topic where it can go, sometimes.
    if topics and draw(st.booleans()):
        topic = topics[0]
        free = [c for c in cells if c not in blocked and problem.fits(topic, problem.room(c.room))]
        if free:
            problem = Problem(
                topics=topics,
                rooms=rooms,
                slots=slots,
                blocked=blocked,
                pins={topic.id: draw(st.sampled_from(free))},
            )
    return problem


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_grid_ever_breaks_a_hard_constraint(data):
    problem = random_problem(data.draw)
    result = solve(problem, time_limit=0.05)
    assert check_grid(problem, result.grid) == []
    assert result.score == scoring.score(problem, result.grid)
    assert result.score <= result.upper_bound
    placed = set(result.grid.values())
    assert placed | set(result.unplaced) == {t.id for t in problem.topics}
    assert placed.isdisjoint(result.unplaced)


def two_rooms(**kwargs):
    values = dict(
        topics=(
            Topic(1, frozenset({1, 2}), frozenset({100})),
            Topic(2, frozenset({3}), frozenset({100})),
        ),
        rooms=(Room(1, 10), Room(2, 5)),
        slots=(1, 2),
    )
    return Problem(**(values | kwargs))


def test_a_host_is_never_in_two_places():
    result = solve(two_rooms(slots=(1,)))
    assert len(result.grid) == 1  # one slot: the shared host can hold one session only
    assert result.unplaced == {2: "hosts_busy"}


def test_pins_and_blocked_cells_are_kept():
    problem = two_rooms(pins={2: Cell(2, 1)}, blocked=frozenset({Cell(1, 2)}))
    result = solve(problem)
    assert result.grid[Cell(2, 1)] == 2
    assert Cell(1, 2) not in result.grid


@pytest.mark.parametrize(
    ("problem", "code"),
    [
        (two_rooms(pins={1: Cell(1, 1)}, blocked=frozenset({Cell(1, 1)})), "pin_on_blocked_cell"),
        (two_rooms(rooms=(Room(1, 10), Room(2, 0))), "room_without_seats"),
        (two_rooms(pins={1: Cell(1, 1), 2: Cell(2, 1)}), "pinned_host_in_two_places"),
        (two_rooms(pins={1: Cell(1, 9)}), "pin_outside_grid"),
        (two_rooms(pins={1: Cell(1, 1), 2: Cell(1, 1)}), "two_pins_in_one_cell"),
    ],
)
def test_impossible_problems_are_refused_with_the_reason(problem, code):
    with pytest.raises(ProblemError) as refusal:
        solve(problem)
    assert code in [c for c, _ in refusal.value.problems]


def test_needs_are_met_when_rooms_declare_features():
    problem = Problem(
        topics=(
            Topic(1, frozenset({1}), needs=frozenset({"projector"})),
            Topic(2, frozenset({2}), needs=frozenset({"sound"})),
        ),
        rooms=(Room(1, 10), Room(2, 10, frozenset({"projector"}))),
        slots=(1,),
    )
    result = solve(problem)
    assert result.grid == {Cell(2, 1): 1}
    assert result.unplaced == {2: "no_room_fits"}


def test_more_topics_than_places_leaves_the_least_wanted_out():
    problem = Problem(
        topics=tuple(Topic(t, frozenset(range(t))) for t in range(1, 5)),
        rooms=(Room(1, 10),),
        slots=(1, 2),
    )
    result = solve(problem)
    assert sorted(result.grid.values()) == [3, 4]
    assert result.unplaced == {1: "grid_full", 2: "grid_full"}


def test_the_optimizer_beats_the_grid_made_by_hand_at_full_size():
    problem = generate(
        topics=60, rooms=[150, 120, 100, 80, 60, 40], slots=8, people=500, votes=6, seed=0
    )
    result = solve(problem, time_limit=1.0)
    assert check_grid(problem, result.grid) == []
    assert result.score > result.by_hand
    assert result.seconds < 2.0
