"""The exact MIP, solved with HiGHS: the optimum on small instances (a test oracle).

x[t, c] = 1 if topic t is in cell c; a[p, t, s] = how much participant p attends t in
slot s (fractional is fine: for a fixed grid the attendance problem has an integral
optimum). A host presenting u in slot s attends nothing else there:
a[h, t, s] <= 1 - (x of u in slot s) for every topic u hosted by h, t != u.
"""

from collections import defaultdict

import highspy

from barcamp.scheduling.model import Cell


def solve_exact(problem, *, time_limit=60.0, threads=1):
    """Return (grid, value, proven_optimal) of the exact model within the time limit."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", threads)
    h.setOptionValue("mip_rel_gap", 0.0)

    cells = problem.cells()
    x = {}
    for topic in problem.topics:
        for cell in cells:
            pinned = problem.pins.get(topic.id)
            if pinned is not None and pinned != cell:
                continue
            if not problem.fits(topic, problem.room(cell.room)):
                continue
            x[topic.id, cell] = h.addBinary()
    for topic_id, cell in problem.pins.items():
        h.addConstr(x[topic_id, cell] == 1)
    for cell in cells:  # one topic per cell
        here = [x[t.id, cell] for t in problem.topics if (t.id, cell) in x]
        if here:
            h.addConstr(sum(here) <= 1)
    in_slot = defaultdict(list)  # (topic, slot) -> its cell variables in that slot
    for (topic_id, cell), variable in x.items():
        in_slot[topic_id, cell.slot].append(variable)
    for topic in problem.topics:  # each topic at most once
        mine = [v for (t, _), v in x.items() if t == topic.id]
        if mine:
            h.addConstr(sum(mine) <= 1)
    hosted = defaultdict(list)
    for topic in problem.topics:
        for host in topic.hosts:
            hosted[host].append(topic.id)
    for topics in hosted.values():  # a host in one place at a time
        for slot in problem.slots:
            here = [v for t in topics for v in in_slot.get((t, slot), [])]
            if len(here) > 1:
                h.addConstr(sum(here) <= 1)

    attend = {}
    objective = []
    for topic in problem.topics:
        for slot in problem.slots:
            placed = in_slot.get((topic.id, slot))
            if not placed:
                continue
            seats = [
                problem.room(cell.room).capacity * x[topic.id, cell]
                for cell in cells
                if cell.slot == slot and (topic.id, cell) in x
            ]
            here = []
            for person in topic.voters:
                variable = h.addVariable(lb=0, ub=1)
                attend[person, topic.id, slot] = variable
                h.addConstr(variable <= sum(placed))
                here.append(variable)
                objective.append(variable)
            h.addConstr(sum(here) <= sum(seats))
    by_person_slot = defaultdict(list)
    for (person, _, slot), variable in attend.items():
        by_person_slot[person, slot].append(variable)
    for variables in by_person_slot.values():  # one session per slot
        if len(variables) > 1:
            h.addConstr(sum(variables) <= 1)
    for (person, topic_id, slot), variable in attend.items():  # a host is at their session
        presenting = [
            v for u in hosted.get(person, ()) if u != topic_id for v in in_slot.get((u, slot), [])
        ]
        if presenting:
            # Their topics are never two in one slot, so one constraint holds for all.
            h.addConstr(variable + sum(presenting) <= 1)
    if not objective:
        return {}, 0, True
    h.maximize(sum(objective))
    values = h.getSolution().col_value
    grid = {
        cell: topic_id for (topic_id, cell), variable in x.items() if values[variable.index] > 0.5
    }
    status = h.getModelStatus()
    optimal = status == highspy.HighsModelStatus.kOptimal
    value = h.getInfo().objective_function_value
    return grid, round(value), optimal


__all__ = ["Cell", "solve_exact"]
