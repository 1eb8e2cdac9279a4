"""Every rule of the catalogue configured twice (a hard and a soft entry, or two settings) solves through the
neighbourhood search: each entry keys its own variables and costs, and the checkers agree with the model.

Two entries of one kind used to stop every plan: the search maps sub-models to the full model by variable
name, and both entries named their variables alike."""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from rules.agents_file import load_agents
from rules.base import RosterView, RuleContractError
from rules.catalogue import CATALOGUE, hard_violations, site_rules, soft_penalties
from rules.loader import load_site
from scheduler.roster.model import RosterModel, RosterProblem
from scheduler.roster.solve import solve_roster
from scheduler.roster.week import open_interval_starts, planning_dates
from tests.site_factory import BREAKS_SITE_YAML, write_small_site

MONDAY = planning_dates(pd.Timestamp("2026-03-02").date())

TWICE = {
    "min_rest_between_shifts": ["{rule: min_rest_between_shifts, hours: 12}", "{rule: min_rest_between_shifts, hours: 14}"],
    "max_consecutive_days": ["{rule: max_consecutive_days, days: 4}", "{rule: max_consecutive_days, days: 3, contracts: [PT]}"],
    "min_days_off_per_week": ["{rule: min_days_off_per_week, days: 2}", "{rule: min_days_off_per_week, days: 3, contracts: [PT]}"],
    "max_shifts_of_type_per_week": ["{rule: max_shifts_of_type_per_week, shift: P4, max: 4}",
                                    "{rule: max_shifts_of_type_per_week, shift: D8, max: 5}"],
    "forbidden_succession": ["{rule: forbidden_succession, first: D8, then: P4}",
                             "{rule: forbidden_succession, first: P4, then: D8}"],
    "min_consecutive_days": ["{rule: min_consecutive_days, days: 2}",
                             "{rule: min_consecutive_days, days: 3, soft: true, weight: 50}"],
    "min_consecutive_days_off": ["{rule: min_consecutive_days_off, days: 2}",
                                 "{rule: min_consecutive_days_off, days: 2, soft: true, weight: 20}"],
    "max_weekends_worked": ["{rule: max_weekends_worked, max: 2}", "{rule: max_weekends_worked, max: 0, soft: true, weight: 30}"],
    "complete_weekends": ["{rule: complete_weekends}", "{rule: complete_weekends, soft: true, weight: 10}"],
    "shifts_per_period": ["{rule: shifts_per_period, min: 3, max: 5}", "{rule: shifts_per_period, min: 5, soft: true, weight: 25}"],
    "preferences": ["{rule: preferences, requests: [{agent: T01, date: 2026-03-03, want: false, weight: 40}]}",
                    "{rule: preferences, requests: [{agent: T01, date: 2026-03-03, weight: 10}]}"],
    "fairness": ["{rule: fairness, extra_hours: 4}", "{rule: fairness, weekends: 20}"],
    "activity": ['{rule: activity, name: coaching, length_min: 30, per_week: 1, window: ["10:00", "16:00"], agents: [T01]}',
                 '{rule: activity, name: coaching, length_min: 30, per_week: 1, window: ["11:00", "15:00"], agents: [T02]}'],
    "max_concurrent_activity": ['{rule: activity, name: coaching, length_min: 60, per_week: 1, window: ["10:00", "13:00"]}',
                                "{rule: max_concurrent_activity, name: coaching, max: 3}",
                                "{rule: max_concurrent_activity, name: coaching, max: 2}"],
    "min_agents_present": ["{rule: min_agents_present, min: 1, agents: [T03, T07, T08]}",
                           "{rule: min_agents_present, min: 1, contracts: [FT]}"],
}


def test_every_catalogue_rule_has_a_twice_case():
    assert set(TWICE) == set(CATALOGUE)


def _problem(tmp_path, entries: list[str]) -> RosterProblem:
    yaml = BREAKS_SITE_YAML.replace("rules:\n", "rules:\n" + "".join(f"  - {e}\n" for e in entries), 1)
    files = write_small_site(tmp_path, site_yaml=yaml)
    site = load_site(files.site)
    site = dataclasses.replace(site, solver=dataclasses.replace(site.solver, time_limit_s=1.0))
    agents = load_agents(files.agents, site)
    tz = ZoneInfo(site.timezone)
    rows = [{"queue": q.id, "start": pd.Timestamp(t), "agents": 2}
            for q in site.queues for t in open_interval_starts(site.queue_hours(q), MONDAY, site.interval_min, tz)]
    requirements = pd.DataFrame(rows)
    requirements["start"] = pd.to_datetime(requirements["start"], utc=True).dt.tz_convert(site.timezone)
    return RosterProblem(site, agents, [], MONDAY, site_rules(site, []), requirements)


@pytest.mark.parametrize("kind", sorted(TWICE))
def test_a_rule_configured_twice_solves_and_checks(tmp_path, kind):
    problem = _problem(tmp_path, TWICE[kind])
    twice = [r for r in problem.rules if r.kind == kind]
    entries = [r.entry for r in twice]
    assert len(entries) >= 2 and entries[0] == "" and len(set(entries)) == len(entries)
    result = solve_roster(problem)
    assert result.shifts, kind
    view = RosterView(problem.site, {a.agent_id: a for a in problem.agents}, (), problem.dates, tuple(result.shifts))
    assert hard_violations(problem.rules, view) == []
    # What the checkers charge each entry equals what the model counted for it.
    charged: dict[str, float] = defaultdict(float)
    for penalty in soft_penalties(problem.rules, view):
        charged[penalty.rule] += penalty.amount
    for name, amount in result.breakdown.items():
        if name in ("under_coverage", "over_coverage", "paid_hours_cost"):
            continue
        assert charged.get(name, 0.0) == pytest.approx(amount, abs=0.011), name


def test_a_rule_that_breaks_the_contract_is_stopped(tmp_path):
    problem = _problem(tmp_path, [])

    class Careless(type(problem.rules[0])):
        def encode(self, ctx, agent, literal=None):
            ctx.model.NewBoolVar("nameless")        # no agent in the name: the search could not map it back

    problem.rules.append(Careless())
    model = RosterModel(problem)
    with pytest.raises(RuleContractError, match="without naming the agent"):
        model.add_rules()


COUPLED = {
    "max_concurrent_activity": ['{rule: activity, name: coaching, length_min: 60, per_week: 1, window: ["10:00", "12:00"],'
                                ' agents: [T01, T02, T03, T04]}',
                                "{rule: max_concurrent_activity, name: coaching, max: 1}"],
    "min_agents_present": ["{rule: min_agents_present, min: 1, agents: [T03, T07, T08]}"],
}


@pytest.mark.parametrize("kind", sorted(COUPLED))
def test_rules_that_couple_agents_hold_through_the_search(tmp_path, kind):
    """A cap or floor across agents: every neighbourhood step must respect it, the checker confirms it."""
    problem = _problem(tmp_path, COUPLED[kind])
    result = solve_roster(problem)
    assert result.shifts
    view = RosterView(problem.site, {a.agent_id: a for a in problem.agents}, (), problem.dates, tuple(result.shifts))
    assert hard_violations(problem.rules, view) == []
    rule = next(r for r in problem.rules if r.kind == kind)
    # and the checker is not vacuous: a roster that breaks the rule is caught
    if kind == "max_concurrent_activity":
        sessions = [a for r in result.shifts for a in r.activities if a.name == "coaching"]
        assert len(sessions) == 4
        first = sessions[0]     # everyone's coaching moved onto the first session's hour
        clash = [dataclasses.replace(r, activities=tuple(dataclasses.replace(a, start=first.start, end=first.end)
                                                         if a.name == "coaching" else a for a in r.activities))
                 for r in result.shifts]
        bad = dataclasses.replace(view, shifts=tuple(clash))
    else:
        bad = dataclasses.replace(view, shifts=tuple(r for r in result.shifts if r.agent_id not in {"T03", "T07", "T08"}))
    assert rule.check(bad)
