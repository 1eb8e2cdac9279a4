"""A neighbourhood step that keeps some of its agents' days as they are builds those days with their current
shift alone (scheduler/roster/neighbourhood.py). Its variables must still mean what their namesakes in the
full model mean, or a step's roster written back breaks the full model: the fairness rule once scaled an
agent's paid-hours counter by the gcd of the options present, so a sub-model with fewer options counted in
other units (the sample week's search stopped on an infeasible roster).

On planted sites (every rule kind, tests/planted_site.py), from the planted week, random steps with random
kept days: the full model, the independent judge, accepts each step's roster at the cost the step reports.
"""
from __future__ import annotations

import random

from scheduler.roster import lns
from scheduler.roster.model import RosterModel, hinted_values
from scheduler.roster.neighbourhood import Neighbourhoods, agent_costs
from tests.planted_site import planted_site

SEEDS = range(12)
STEPS_PER_SITE = 3


def test_a_step_that_keeps_days_writes_back_a_full_roster_at_its_own_cost(tmp_path):
    rng = random.Random(5)
    checked = 0
    for seed in SEEDS:
        ps = planted_site(seed, tmp_path / str(seed))
        full = RosterModel(ps.problem())
        full.add_rules()
        full.add_coverage()
        full.minimize()
        start = lns.complete(full.model, hinted_values(full, ps.planted))
        assert start is not None, ps.describe()
        neighbourhoods = Neighbourhoods(full)
        ids = [a.agent_id for a in full.agents]
        for _ in range(STEPS_PER_SITE):
            free = set(rng.sample(ids, min(len(ids), rng.randint(1, 4))))
            kept = {(a, d) for a in free for d in full.dates if rng.random() < 0.6}
            sub = neighbourhoods.build(free, start, agent_costs(full, start), kept)
            solver = lns._single_thread(5.0, 0, 30.0)
            status = solver.StatusName(solver.Solve(sub.model))
            assert status in ("OPTIMAL", "FEASIBLE"), ps.describe()    # the current roster is one solution
            values = list(start)
            for i, j in sub.to_full:
                values[j] = solver.ResponseProto().solution[i]
            judged = lns.fixed_solver(full.model, values)      # raises if the full model refuses the roster
            assert round(judged.ObjectiveValue()) == round(solver.ObjectiveValue()) + sub.fixed_cost, ps.describe()
            checked += 1
    assert checked == len(SEEDS) * STEPS_PER_SITE
