"""The greedy start follows the aggregate plan (scheduler/roster/greedy.py): agents one at a time, each taking
the shifts its group still has to fill. Two ways an agent-at-a-time choice goes wrong, each on a week small
enough to say what the right roster is:

- an agent placed early takes an extra shift for a gap that the plan's later agents fill (the sample week's
  start had 35 agents on Saturday against the plan's 26);
- of a group's agents, whoever comes first takes the weekend, whatever it costs them.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter

import pandas as pd

from rules.catalogue import site_rules
from rules.fairness import Fairness
from rules.service_goal import ServiceGoal
from rules.site import Agent, Contract, ObjectiveWeights, OpeningHours, Queue, RuleSpec, ShiftTemplate, Site, SolverSettings
from scheduler.roster.bound import AggregateBound
from scheduler.roster.greedy import greedy_roster
from scheduler.roster.model import RosterModel, RosterProblem
from scheduler.roster.week import open_interval_starts, planning_dates

WEEK = dt.date(2026, 3, 2)     # a Monday
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _site(days: int, template: ShiftTemplate, contracts: tuple[Contract, ...], specs: tuple[RuleSpec, ...]) -> Site:
    hours = {d: OpeningHours(9 * 60, 17 * 60) for d in WEEKDAYS[:days]}
    return Site("plan", "Europe/London", 60, "mon", hours, (Queue("voice", "Voice", "voice", ServiceGoal(0.8, 20.0)),),
                (template,), contracts, specs, ObjectiveWeights((1000.0, 2000.0, 4000.0), 20.0, 1.0),
                SolverSettings(5, 2, 1))


def _problem(site: Site, agents: list[Agent], days: int, need) -> RosterProblem:
    dates = planning_dates(WEEK, days)
    tz = zoneinfo.ZoneInfo(site.timezone)
    rows = [{"queue": "voice", "start": pd.Timestamp(s), "agents": need(s)}
            for s in open_interval_starts(site.opening_hours, dates, 60, tz)]
    return RosterProblem(site, agents, [], dates, site_rules(site, []), pd.DataFrame(rows))


def _shift(problem: RosterProblem, agent_id: str, day: int, hour: int):
    rm = RosterModel(problem, agents=[a for a in problem.agents if a.agent_id == agent_id])
    date = problem.dates[day]
    return next(shift for shift, _ in rm.options(agent_id, date) if shift.start.hour == hour)


def _plan(counts: dict, group_of: dict[str, int]) -> AggregateBound:
    return AggregateBound(bound=0, objective=0, status="LP_OPTIMAL", groups=len(set(group_of.values())),
                          variables=0, floor_of_dropped=0, wall_s=0.0, shift_counts=counts, group_of=group_of)


def test_an_early_agent_leaves_the_plans_gaps_to_the_plans_agents():
    """P0 comes first and may work a third shift; the requirement is exactly what the plan covers. It must
    not take Wednesday's or Thursday's cover from the full-timers the plan puts there."""
    four_hours = ShiftTemplate("D4", "Day 4h", 240, 9 * 60, 13 * 60, 60)
    contracts = (Contract("P", "Part", 8, 12, ("D4",), 20.0), Contract("F", "Full", 12, 12, ("D4",), 20.0))
    site = _site(5, four_hours, contracts, ())
    agents = [Agent("P0", "P0", "P", ("voice",)), Agent("F0", "F0", "F", ("voice",)), Agent("F1", "F1", "F", ("voice",))]
    planned = {("P0", 0, 9): 1, ("P0", 1, 9): 1,
               ("F", 0, 13): 1, ("F", 1, 13): 1, ("F", 2, 9): 2, ("F", 3, 9): 2}

    def need(start: dt.datetime) -> int:
        day = (start.date() - WEEK).days
        return sum(n for (who, d, hour), n in planned.items() if d == day and hour <= start.hour < hour + 4)

    problem = _problem(site, agents, 5, need)
    group_of = {"P0": 0, "F0": 1, "F1": 1}
    member = {"P0": "P0", "F": "F0"}      # an agent of the planned group, whose shift options the plan names
    counts = {(group_of[member[who]], problem.dates[d], _shift(problem, member[who], d, hour)): float(n)
              for (who, d, hour), n in planned.items()}
    roster = greedy_roster(problem, plan=_plan(counts, group_of))
    realised = Counter((group_of[s.agent_id], s.shift.date, s.shift) for s in roster)
    assert realised == Counter({key: int(n) for key, n in counts.items()})


def test_the_agent_a_weekend_costs_least_takes_the_plans_weekend_shift():
    """Two interchangeable agents; the plan wants one of them each day, Saturday included, and Saturday is the
    most short. F0 comes first and has worked three of its past weekends (its next costs 7 x 40), F1 none
    (40): F1 takes Saturday."""
    eight_hours = ShiftTemplate("D8", "Day 8h", 480, 9 * 60, 9 * 60, 60)
    site = _site(6, eight_hours, (Contract("F", "Full", 24, 24, ("D8",), 20.0),),
                 (RuleSpec("fairness", {"weekends": 40}, "test"),))
    agents = [Agent("F0", "F0", "F", ("voice",)), Agent("F1", "F1", "F", ("voice",))]
    problem = _problem(site, agents, 6, lambda start: 2 if start.weekday() == 5 else 1)
    for rule in problem.rules:
        if isinstance(rule, Fairness):
            rule.ledger = {"F0": {"weekends_worked": 3}, "F1": {"weekends_worked": 0}}
    counts = {(0, date, _shift(problem, "F0", day, 9)): 1.0 for day, date in enumerate(problem.dates)}
    roster = greedy_roster(problem, plan=_plan(counts, {"F0": 0, "F1": 0}))
    saturday = [s.agent_id for s in roster if s.shift.date.weekday() == 5]
    assert saturday == ["F1"]
    assert Counter(s.agent_id for s in roster) == {"F0": 3, "F1": 3}


def test_an_agent_alone_carries_the_site_terms_that_are_its_own(tmp_path):
    """A rule marked `site_terms_per_agent` (fairness, stability) gives an agent's model alone the terms the
    whole site's model gives that agent: the greedy start prices exactly what the roster will charge."""
    from tests.planted_site import planted_site

    checked = 0
    for seed in range(8):
        problem = planted_site(seed, tmp_path / str(seed)).problem()
        marked = [rule for rule in problem.rules if rule.site_terms_per_agent]
        if not marked:
            continue
        site = RosterModel(problem)
        site.add_rules()
        names = {term.name for term in site.terms if any(term.name.startswith(r.kind) for r in marked)}
        for agent in problem.agents:
            alone = RosterModel(problem, agents=[agent])
            alone.add_rules(site_wide=False)
            mine = sorted((t.name, t.coefficient) for t in site.terms if t.agent_id == agent.agent_id and t.name in names)
            assert sorted((t.name, t.coefficient) for t in alone.terms if t.name in names) == mine
            checked += bool(mine)
    assert checked >= 10
