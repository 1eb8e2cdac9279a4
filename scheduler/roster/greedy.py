"""A quick, deterministic first roster: agents one at a time, each covering what is still short.

Each agent's own rules are small enough to solve exactly in milliseconds, so
the greedy roster always satisfies every hard rule. It is used as a solution
hint for the full model, which then only has to improve it.

Given the aggregate LP's roster in counts (scheduler/roster/bound.py: how many
agents of each group work each shift), each agent first takes the shifts its
group still has to fill there, and coverage only breaks ties: the LP sees the
whole week at once, which an agent-at-a-time choice cannot. The plan's shifts
count as cover before their agents are placed, and each agent weighs its own
soft costs (a weekend's fairness price, a denied request), so the agents a
weekend costs least are the ones who take the plan's weekend shifts.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections import defaultdict

from ortools.sat.python import cp_model

from rules.base import RosterShift, Shift
from scheduler.roster.bound import AggregateBound
from scheduler.roster.model import RosterModel, RosterProblem, epoch_min

log = logging.getLogger(__name__)

GAIN_SHORT = 100      # value of an agent-interval that fills a gap
COST_SPARE = 1        # cost of an agent-interval nobody needs
SHORT_CAP = 4         # an interval short by more agents is worth more, up to this many
PLAN_GAIN = 100_000   # value of a shift the aggregate plan still wants filled: above any coverage value


def agent_models(problem: RosterProblem) -> list[RosterModel]:
    """Each agent's own model (its shift choices and its own rules, without the rules that only place things
    inside shifts), in the order the greedy places them: scarcest agents first (fewest skills), file order
    for ties. They do not depend on the plan, so a caller can build them while the aggregate LP solves."""
    chooser = _shifts_only(problem)
    models = []
    for agent in sorted(problem.agents, key=lambda a: (len(a.skills), )):
        rm = RosterModel(chooser, agents=[agent])
        rm.add_rules(site_wide=False)
        models.append(rm)
    return models


def greedy_roster(problem: RosterProblem, det_limit_per_agent_s: float = 2.0,
                  plan: AggregateBound | None = None, models: list[RosterModel] | None = None) -> list[RosterShift]:
    """`models`: agent_models(problem), when the caller built them already."""
    interval_min = problem.site.interval_min
    short: dict[tuple[str, int], int] = defaultdict(int)
    for row in problem.requirements.itertuples(index=False):
        short[(row.queue, epoch_min(row.start.to_pydatetime()))] += int(row.agents)
    models = agent_models(problem) if models is None else models
    order = [rm.agents[0] for rm in models]
    wanted = dict(plan.shift_counts) if plan is not None else {}
    # Agents of each group still to come: a shift the plan wants for most of them is the most urgent.
    to_come: dict[int, int] = defaultdict(int)
    for agent in order:
        if plan is not None and agent.agent_id in plan.group_of:
            to_come[plan.group_of[agent.agent_id]] += 1
    # The plan's shifts count as present before anyone takes them: an agent placed early must not take an
    # extra shift to fill a gap that the plan's later agents cover (sample site: 35 agents on Saturday against
    # the plan's 26). A shift the plan wants and nobody takes gives its cover back once its group is done.
    promised: dict[tuple[int, dt.date, Shift], list[list[tuple[str, int]]]] = defaultdict(list)
    skills_of = {plan.group_of[a.agent_id]: a.skills for a in order if plan is not None and a.agent_id in plan.group_of}
    for (group, date, shift), count in sorted(wanted.items(), key=lambda item: repr(item[0])):
        for _ in range(max(0, round(count))):
            promised[(group, date, shift)].append(_take(short, skills_of[group], shift, interval_min))
    shifts: list[RosterShift] = []
    for agent, rm in zip(order, models):
        group = plan.group_of.get(agent.agent_id) if plan is not None else None
        terms = []
        for date in rm.dates:
            for shift, var in rm.options(agent.agent_id, date):
                value = 0
                for t in range(epoch_min(shift.start), epoch_min(shift.end), interval_min):
                    most_short = max(short.get((q, t), 0) for q in agent.skills)
                    value += GAIN_SHORT * min(most_short, SHORT_CAP) if most_short > 0 else -COST_SPARE
                if group is not None:
                    share = max(0.0, wanted.get((group, date, shift), 0.0)) / to_come[group]
                    value += round(PLAN_GAIN * min(1.0, share))
                terms.append(value * var)
        # The agent's own soft costs (fairness, preferences) weigh against a shift, so of a group's agents the
        # ones a weekend costs least take the weekend shifts the plan wants.
        own_cost = sum(term.coefficient * term.variable for term in rm.terms)
        rm.model.Maximize(sum(terms) - own_cost)
        if group is not None:
            to_come[group] -= 1
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        # Deterministic time, so the greedy roster does not depend on the machine's load (a wall-clock limit
        # here made scenario runs differ between local processes and Dask); the wall cap is only a backstop.
        solver.parameters.max_deterministic_time = det_limit_per_agent_s
        solver.parameters.max_time_in_seconds = 60.0
        # An agent's week is a few hundred variables: presolve took longer than the search (300-agent site:
        # greedy 18 s with it, 12 s without, the same plan realised).
        solver.parameters.cp_model_presolve = False
        status = solver.Solve(rm.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            for date in rm.dates:
                for shift, var in rm.options(agent.agent_id, date):
                    if solver.BooleanValue(var):
                        shifts.append(RosterShift(agent.agent_id, shift))
                        key = (group, date, shift)
                        if group is not None and key in wanted:
                            wanted[key] -= 1
                        if promised.get(key):
                            promised[key].pop()     # its cover was counted already
                        else:
                            _take(short, agent.skills, shift, interval_min)
        if group is not None and to_come[group] == 0:
            for key in [key for key in promised if key[0] == group]:
                for taken in promised.pop(key):
                    for cell in taken:
                        short[cell] += 1
    return shifts


def _take(short: dict[tuple[str, int], int], skills, shift: Shift, interval_min: int) -> list[tuple[str, int]]:
    """Count a shift's agent on the shortest of its skills' queues in each interval it spans; returns the
    (queue, interval) cells it filled."""
    taken = []
    for t in range(epoch_min(shift.start), epoch_min(shift.end), interval_min):
        open_queues = [q for q in skills if short.get((q, t), 0) > 0]
        if open_queues:
            best = max(open_queues, key=lambda q: short[(q, t)])
            short[(best, t)] -= 1
            taken.append((best, t))
    return taken


def _shifts_only(problem: RosterProblem) -> RosterProblem:
    """The problem without the rules that only place things inside shifts: an agent's shift choice is the same
    without them, and their variables were most of the agent's model (sample site: greedy 4.0 s with the
    breaks, 0.9 s without). A re-plan keeps them, since a break published before the freeze holds its shift."""
    if problem.fixed is not None:
        return problem
    return dataclasses.replace(problem, rules=[rule for rule in problem.rules if not rule.places_inside_shifts])
