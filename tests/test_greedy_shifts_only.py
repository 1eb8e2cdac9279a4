"""The greedy start chooses shifts without the rules that only place things inside shifts (breaks). That is
sound only if every shift choice an agent's own rules allow without them is still allowed with them: checked
on planted sites (tests/planted_site.py), for each agent, against random shift choices."""
from __future__ import annotations

import dataclasses
import random

from ortools.sat.python import cp_model

from scheduler.roster.greedy import _shifts_only
from scheduler.roster.lns import pin
from scheduler.roster.model import RosterModel
from tests.planted_site import planted_site

SEEDS = range(8)
CHOICES_PER_AGENT = 3


def _agent_model(problem, agent) -> RosterModel:
    rm = RosterModel(problem, agents=[agent])
    rm.add_rules(site_wide=False)
    return rm


def _solve(model: cp_model.CpModel) -> cp_model.CpSolver | None:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    status = solver.Solve(model)
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def test_a_shift_choice_without_the_placement_rules_keeps_a_placement(tmp_path):
    rng = random.Random(3)
    checked, dropped = 0, set()
    for seed in SEEDS:
        problem = planted_site(seed, tmp_path / str(seed)).problem()
        chooser = _shifts_only(problem)
        dropped |= {r.kind for r in problem.rules} - {r.kind for r in chooser.rules}
        for agent in problem.agents:
            alone, full = _agent_model(chooser, agent), _agent_model(problem, agent)
            for _ in range(CHOICES_PER_AGENT):
                options = [var for date in alone.dates for _, var in alone.options(agent.agent_id, date)]
                alone.model.Maximize(sum(rng.randint(-5, 5) * var for var in options))
                solver = _solve(alone.model)
                if solver is None:
                    continue
                pinned = full.model.clone()
                for date in full.dates:
                    mine = dict(alone.options(agent.agent_id, date))
                    for shift, var in full.options(agent.agent_id, date):
                        pin(pinned.proto, var.Index(), int(solver.BooleanValue(mine[shift])))
                assert _solve(pinned) is not None, (seed, agent.agent_id)
                checked += 1
    assert "breaks" in dropped
    assert checked >= 100


def test_a_re_plan_keeps_every_rule(tmp_path):
    """With a frozen past, a break published before the freeze holds its shift: nothing is left out."""
    problem = planted_site(0, tmp_path).problem()
    assert len(_shifts_only(problem).rules) < len(problem.rules)
    frozen = dataclasses.replace(problem, fixed=object())
    assert _shifts_only(frozen).rules == problem.rules
