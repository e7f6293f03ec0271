"""The optimizer: exact scoring of what can happen, hard constraints always kept, grids
as good as the proven optimum on small instances, the true reason for each topic left
out, and the same grid every time for the same event."""

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barcamp.scheduling import Cell, Problem, ProblemError, Room, Topic, check_grid, scoring, solve
from barcamp.scheduling.exact import solve_exact
from barcamp.scheduling.generate import generate
from barcamp.scheduling.search import Search, fill_free_places, step_budget
from barcamp.scheduling.solve import why_unplaced
from barcamp.scheduling.worker import problem_from_json, problem_to_json


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
    result = solve(problem, seed=seed, steps=2000)
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
            # Hosts are participants: most of them vote too.
            hosts=draw(st.frozensets(st.integers(1, 14), max_size=2)),
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
    result = solve(problem, steps=300)
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
    result = solve(problem)
    assert check_grid(problem, result.grid) == []
    assert result.score > result.by_hand
    assert result.steps == result.step_budget  # its whole budget, well within the guard


# ---- A host presents their own session: they attend no other one of that slot ----

ADA, BOB, CY, DEE, EVE, AL = 1, 2, 3, 4, 5, 6


def ada_hosts_a_and_wants_b(*, ada_wants_a=False):
    """Ada hosts A (topic 1) and voted for B (topic 2); Bob and Cy want A, Dee wants B."""
    return Problem(
        topics=(
            Topic(1, frozenset({BOB, CY} | ({ADA} if ada_wants_a else set())), frozenset({ADA})),
            Topic(2, frozenset({ADA, DEE})),
        ),
        rooms=(Room(1, 10), Room(2, 10)),
        slots=(1, 2),
    )


TOGETHER = {Cell(1, 1): 1, Cell(2, 1): 2}
APART = {Cell(1, 1): 1, Cell(1, 2): 2}


def test_a_host_cannot_attend_another_session_of_the_slot_they_present_in():
    problem = ada_hosts_a_and_wants_b()
    assert scoring.score(problem, TOGETHER) == 3  # Bob and Cy at A, Dee at B: Ada presents
    assert scoring.score(problem, APART) == 4  # Ada hears B in the other slot


def test_a_host_who_voted_for_their_own_topic_counts_at_it_only():
    problem = ada_hosts_a_and_wants_b(ada_wants_a=True)
    assert scoring.score(problem, TOGETHER) == 4  # Ada counts once, at A
    assert scoring.score(problem, APART) == 5  # at A, then at B


def ada_and_al_need_a_free_slot_for_b():
    """Two rooms in slot 1, one in slot 2. Ada and Al host A and want B; C shares voters
    with A and B. Counting Ada and Al at B while they present A, the grid with A and B
    together would seem to seat 9; it seats 7. The best grid puts A alone in slot 2,
    where Ada and Al present it after hearing B: 8."""
    return Problem(
        topics=(
            Topic(1, frozenset({BOB, CY}), frozenset({ADA, AL})),  # A
            Topic(2, frozenset({ADA, AL, DEE})),  # B
            Topic(3, frozenset({BOB, CY, DEE, EVE})),  # C
        ),
        rooms=(Room(1, 10), Room(2, 10)),
        slots=(1, 2),
        blocked=frozenset({Cell(2, 2)}),
    )


def slot_of(grid, topic_id):
    return next(cell.slot for cell, t in grid.items() if t == topic_id)


def test_the_search_leaves_hosts_free_for_the_session_they_want():
    problem = ada_and_al_need_a_free_slot_for_b()
    together = {Cell(1, 1): 1, Cell(2, 1): 2, Cell(1, 2): 3}
    assert scoring.score(problem, together) == 7
    result = solve(problem, steps=300)
    assert result.score == 8
    assert slot_of(result.grid, 1) == 2  # A alone, after B


@pytest.mark.parametrize(
    ("problem", "grids"),
    [
        (ada_hosts_a_and_wants_b(), [TOGETHER, APART]),
        (ada_hosts_a_and_wants_b(ada_wants_a=True), [TOGETHER, APART]),
        (
            ada_and_al_need_a_free_slot_for_b(),
            [
                {Cell(1, 1): 1, Cell(2, 1): 2, Cell(1, 2): 3},
                {Cell(1, 2): 1, Cell(1, 1): 2, Cell(2, 1): 3},
            ],
        ),
    ],
)
def test_the_search_estimates_what_hosts_can_attend_as_the_score_counts_it(problem, grids):
    # Rooms never fill up here, where the search's estimate is exact.
    state = Search(problem)
    for grid in grids:
        state.load(grid)
        assert state.total() == scoring.score(problem, grid)


def test_the_exact_model_counts_hosts_as_the_score_does():
    problem = ada_and_al_need_a_free_slot_for_b()
    grid, value, proven = solve_exact(problem, time_limit=30)
    assert proven
    assert value == scoring.score(problem, grid) == 8
    assert slot_of(grid, 1) == 2


def test_a_topic_left_out_fills_a_free_place_where_its_host_misses_nothing():
    # Ada wants A, in slot 1; her topic X, without votes, still runs, in slot 2.
    problem = Problem(
        topics=(Topic(1, frozenset({ADA, BOB})), Topic(2, frozenset(), frozenset({ADA}))),
        rooms=(Room(1, 10), Room(2, 10)),
        slots=(1, 2),
    )
    grid = fill_free_places(problem, {Cell(1, 1): 1})
    assert slot_of(grid, 2) == 2
    assert scoring.score(problem, grid) == 2


def best_by_brute_force(problem):
    """The best score of every grid that keeps the hard constraints."""
    cells = problem.cells()
    best = 0
    for places in itertools.product([None, *cells], repeat=len(problem.topics)):
        chosen = [cell for cell in places if cell is not None]
        if len(set(chosen)) < len(chosen):
            continue
        grid = {cell: t.id for cell, t in zip(places, problem.topics, strict=True) if cell}
        if check_grid(problem, grid) == []:
            best = max(best, scoring.score(problem, grid))
    return best


def tiny_problem(draw):
    """Up to four topics on up to four places, hosted by five participants who vote too."""
    rooms = tuple(
        Room(id=r + 1, capacity=draw(st.integers(1, 3))) for r in range(draw(st.integers(1, 2)))
    )
    slots = tuple(range(1, draw(st.integers(1, 2)) + 1))
    people = st.integers(1, 5)
    topics = tuple(
        Topic(
            id=t + 1,
            voters=draw(st.frozensets(people, max_size=4)),
            hosts=frozenset({draw(people)}),
        )
        for t in range(draw(st.integers(1, 4)))
    )
    return Problem(topics=topics, rooms=rooms, slots=slots)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_exact_model_the_search_and_the_bound_agree_with_trying_every_grid(data):
    problem = tiny_problem(data.draw)
    optimum = best_by_brute_force(problem)
    grid, value, proven = solve_exact(problem, time_limit=30)
    assert proven
    assert value == scoring.score(problem, grid) == optimum
    result = solve(problem, steps=300)
    assert result.score <= optimum <= result.upper_bound


# ---- Why a topic was left out: the true reason ----


def test_a_topic_waits_on_its_host_presenting_elsewhere_even_when_the_grid_is_full():
    problem = Problem(
        topics=(
            Topic(1, frozenset({1, 2, 3}), frozenset({100})),
            Topic(2, frozenset({4, 5}), frozenset({100})),  # the same host as topic 1
            Topic(3, frozenset({6}), frozenset({101})),
        ),
        rooms=(Room(1, 10), Room(2, 10)),
        slots=(1,),
    )
    result = solve(problem, steps=200)
    assert sorted(result.grid.values()) == [1, 3]
    assert result.unplaced == {2: "hosts_busy"}


def test_a_full_grid_is_the_reason_only_where_the_hosts_are_free():
    # One room, two slots. Topic 2's host presents topic 1 in one slot; in the other
    # slot, topic 3 has more votes than topic 2.
    problem = Problem(
        topics=(
            Topic(1, frozenset({1, 2, 3, 4, 5}), frozenset({100})),
            Topic(2, frozenset({6, 7}), frozenset({100})),
            Topic(3, frozenset({8, 9, 10, 11}), frozenset({101})),
        ),
        rooms=(Room(1, 10),),
        slots=(1, 2),
    )
    result = solve(problem, steps=200)
    assert sorted(result.grid.values()) == [1, 3]
    assert result.unplaced == {2: "grid_full"}


def test_a_topic_whose_voters_are_better_served_by_the_sessions_at_that_time_says_so():
    # One slot, two rooms. All of topic 2's voters want topic 1 too, and can attend one
    # session only: topic 3, with fewer votes, reaches two more people.
    problem = Problem(
        topics=(
            Topic(1, frozenset({1, 2, 3, 4, 5})),
            Topic(2, frozenset({1, 2, 3, 4})),
            Topic(3, frozenset({6, 7})),
        ),
        rooms=(Room(1, 10), Room(2, 10)),
        slots=(1,),
    )
    result = solve(problem, steps=200)
    assert sorted(result.grid.values()) == [1, 3]
    assert result.unplaced == {2: "voters_elsewhere"}
    # Had it taken topic 3's place, it would have had a full grid to blame.
    assert why_unplaced(problem, {Cell(1, 1): 1, Cell(2, 1): 2}) == {3: "grid_full"}


def test_a_topic_nobody_voted_for_gives_way_to_topics_with_votes():
    problem = Problem(
        topics=(Topic(1, frozenset({1})), Topic(2, frozenset())),
        rooms=(Room(1, 10),),
        slots=(1,),
    )
    result = solve(problem, steps=50)
    assert result.grid == {Cell(1, 1): 1}
    assert result.unplaced == {2: "no_votes"}


# ---- The same event gives the same grid ----


def medium(seed=0):
    return generate(topics=24, rooms=[40, 30, 20], slots=5, people=150, votes=4, seed=seed)


def test_the_same_event_gives_the_same_grid_even_after_a_trip_to_the_worker():
    problem = medium()
    first = solve(problem, seed=3, steps=1500)
    again = solve(problem, seed=3, steps=1500)
    # The worker gets the problem as JSON: sets come back built in another order.
    travelled = problem_from_json(json.loads(json.dumps(problem_to_json(problem))))
    in_the_worker = solve(travelled, seed=3, steps=1500)
    assert first.grid == again.grid == in_the_worker.grid
    assert first.score == again.score == in_the_worker.score
    assert first.steps == 1500


def test_bigger_events_get_more_steps():
    small_event, big_event = (
        medium(),
        generate(topics=60, rooms=[150, 120, 100, 80, 60, 40], slots=8, people=500, votes=6),
    )
    assert step_budget(big_event) > step_budget(small_event)
    result = solve(small_event)
    assert result.steps == result.step_budget == step_budget(small_event)


def test_the_time_limit_only_guards_a_search_that_would_run_too_long():
    problem = medium()
    result = solve(problem, steps=100_000_000, time_limit=0.3)
    assert 0 < result.steps < result.step_budget
    assert check_grid(problem, result.grid) == []


def test_progress_is_told_at_step_counts_and_its_best_never_falls():
    problem = medium()
    reports = []
    result = solve(problem, steps=1600, progress=reports.append)
    assert 10 <= len(reports) <= 20
    done = [report["done"] for report in reports]
    assert done == sorted(set(done))  # increasing
    assert done[0] > 0
    assert done[-1] == 1.0
    best = [report["best"] for report in reports]
    assert best == sorted(best)
    assert best[-1] == result.score
    assert {report["upper_bound"] for report in reports} == {result.upper_bound}
    # The same reports every time, and the grid is the one found without listening.
    again = []
    assert solve(problem, steps=1600, progress=again.append).grid == result.grid
    assert again == reports
    assert solve(problem, steps=1600).grid == result.grid
