"""Random small sites with a planted feasible week (tests/planted_site.py): the solver never calls them
infeasible, every roster it returns passes the independent checkers, and the cost it reports is the cost the
checkers and a recount from the roster give (tests/planted_check.py). A larger slice runs in
bench/bench_planted_weeks.py.

Below the property test, one regression test per bug it found, each on the smallest planted site that
showed it, written out by hand.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from rules.base import Activity, RosterShift, RosterView
from rules.catalogue import CATALOGUE, hard_violations, site_rules
from rules.loader import load_site
from rules.site import WEEKDAYS, Agent
from scheduler.roster.diagnose import find_conflicts
from scheduler.roster.model import RosterProblem
from scheduler.roster.solve import solve_roster
from scheduler.roster.week import open_interval_starts, shift_options
from tests.planted_check import check_week
from tests.planted_site import planted_site

SEEDS = range(20)            # each a site solved at a 1 s limit; the bench runs a larger slice


def test_planted_rosters_pass_the_checkers_and_cover_the_catalogue(tmp_path):
    """The generator is itself checked: every planted roster keeps every rule derived for it, and the
    sites it draws use every rule kind of the catalogue, soft and hard forms, breaks and activities."""
    kinds, soft = set(), set()
    for seed in range(60):
        ps = planted_site(seed, tmp_path / str(seed))
        assert ps.planted_violations() == [], ps.describe()
        kinds |= {r.kind for r in ps.rules}
        soft |= {r.kind for r in ps.rules if getattr(r, "soft", False)}
    assert set(CATALOGUE) <= kinds
    assert {"breaks", "activities_inside_shift"} <= kinds
    assert {"min_consecutive_days", "min_consecutive_days_off", "shifts_per_period", "max_weekends_worked",
            "complete_weekends", "preferences", "fairness"} <= soft


def test_the_checks_are_not_vacuous(tmp_path):
    """A planted roster with a shift moved off its template, or a break taken out, is refused."""
    ps = next(p for p in (planted_site(s, tmp_path / str(s)) for s in range(40))
              if any(r.activities for r in p.planted))
    entry = next(r for r in ps.planted if r.activities)
    shifts = [dataclasses.replace(r, activities=r.activities[1:]) if r is entry else r for r in ps.planted]
    assert hard_violations(ps.rules, ps.view(shifts))
    late = dataclasses.replace(entry.shift, start=entry.shift.start + dt.timedelta(minutes=5),
                               end=entry.shift.end + dt.timedelta(minutes=5))
    shifts = [dataclasses.replace(r, shift=late) if r is entry else r for r in ps.planted]
    assert hard_violations(ps.rules, ps.view(shifts))


@pytest.mark.parametrize("seed", SEEDS)
def test_a_planted_week_solves_checks_and_costs_what_it_reports(tmp_path, seed):
    ps = planted_site(seed, tmp_path)
    check = check_week(ps)
    assert check.problems == [], ps.describe() + "\n" + "\n".join(check.problems)


# --- regressions: the smallest planted sites that showed each bug ---------------------------------------------

ONE_DAY = """\
site:
  name: Planted minimal
  timezone: {tz}
  interval_min: 60
  opening_hours: {{{hours}}}
queues:
  - {{id: q1, channel: voice, service_goal: {{service_level: 0.8, target_s: 20}}}}
shift_templates:
  - {{id: D8, length_min: 480, earliest_start: "09:00", latest_start: "09:00", start_step_min: 60{breaks}}}
contracts:
  - {{id: C1, min_hours_week: 0, max_hours_week: 40, shift_templates: [D8], cost_per_hour: 10}}
rules:
{rules}
solver: {{time_limit_s: 1, workers: 2, seed: 1}}
"""


def _one_day(tmp_path, date: dt.date, rules: list[str], tz: str = "Europe/London", breaks: str = "",
             agents: int = 1, need: int = 0, every_day: bool = False) -> RosterProblem:
    """A site open 09:00-17:00 on `date`'s weekday (or every day), one 8-hour shift, `agents` agents on one
    contract of 0-40 h at 10 an hour, `need` agents required in every open hour of the week of `date`."""
    days = WEEKDAYS if every_day else (WEEKDAYS[date.weekday()],)
    hours = ", ".join(f'{day}: ["09:00", "17:00"]' for day in days)
    path = tmp_path / "site.yaml"
    path.write_text(ONE_DAY.format(tz=tz, hours=hours, breaks=breaks,
                                   rules="".join(f"  - {r}\n" for r in rules) or "  []\n").replace("rules:\n  []",
                                                                                                  "rules: []"))
    site = load_site(path)
    people = [Agent(f"A{i + 1}", f"A{i + 1}", "C1", ("q1",)) for i in range(agents)]
    dates = tuple(date - dt.timedelta(days=date.weekday()) + dt.timedelta(days=i) for i in range(7))
    starts = open_interval_starts(site.opening_hours, dates, site.interval_min, ZoneInfo(site.timezone))
    requirements = pd.DataFrame({"queue": "q1", "start": [pd.Timestamp(s) for s in starts], "agents": need})
    requirements["start"] = pd.to_datetime(requirements["start"], utc=True).dt.tz_convert(site.timezone)
    return RosterProblem(site, people, [], dates, site_rules(site, []), requirements)


def _view(problem: RosterProblem, shifts) -> RosterView:
    return RosterView(problem.site, {a.agent_id: a for a in problem.agents}, (), problem.dates, tuple(shifts))


def test_a_floor_of_named_agents_the_greedy_start_misses_still_solves(tmp_path):
    """Planted seed 1: the greedy start (one agent at a time) leaves the floor of named agents unmet, the
    start falls back to a completion of its own, and then re-pinned the greedy's shifts for its break
    placement: no start, and solve_roster raised TypeError instead of returning a roster."""
    problem = _one_day(tmp_path, dt.date(2026, 3, 2), ["{rule: min_agents_present, min: 1, agents: [A1]}"])
    result = solve_roster(problem)
    assert result.report.status == "OPTIMAL"
    assert [(r.agent_id, r.shift.date) for r in result.shifts] == [("A1", dt.date(2026, 3, 2))]
    assert hard_violations(problem.rules, _view(problem, result.shifts)) == []


@pytest.mark.parametrize("tz, sunday", [("Europe/London", dt.date(2026, 3, 29)), ("Europe/London", dt.date(2026, 10, 25)),
                                        ("America/New_York", dt.date(2026, 3, 8))])
def test_a_floor_of_named_agents_on_a_clock_change_day(tmp_path, tz, sunday):
    """Planted seeds 56, 69, 75, 79, 90, 94: on the day the clocks change, the floor's open intervals were
    counted in elapsed minutes from midnight, an hour off the wall clock the site opens by: the checker
    refused an agent on shift for the whole opening, and the model had nobody for the hour after closing."""
    problem = _one_day(tmp_path, sunday, ["{rule: min_agents_present, min: 1, agents: [A1]}"], tz=tz)
    shift = shift_options(problem.site, sunday)[0]
    rule = next(r for r in problem.rules if r.kind == "min_agents_present")
    assert rule.check(_view(problem, [RosterShift("A1", shift)])) == []
    assert rule.check(_view(problem, []))          # and nobody on shift is still refused
    assert find_conflicts(problem) == []
    result = solve_roster(problem)
    assert [r.shift for r in result.shifts] == [shift]
    assert hard_violations(problem.rules, _view(problem, result.shifts)) == []


TWO_BREAKS = (", breaks: [{name: rest, length_min: 45, start_after_min: [60, 180]},"
              " {name: meal, length_min: 15, paid: false, start_after_min: [90, 120]}]")


def test_breaks_with_overlapping_windows_may_come_in_either_order(tmp_path):
    """Planted seeds 6 and 13: with overlapping windows the solver may put the second window's break first;
    each break still starts inside its own window, which is the rule, but the checker paired the breaks
    with the windows by order and refused the roster the solver returned."""
    problem = _one_day(tmp_path, dt.date(2026, 3, 2), [], breaks=TWO_BREAKS)
    shift = shift_options(problem.site, dt.date(2026, 3, 2))[0]

    def at(name, offset, minutes, paid=True):
        return Activity(name, shift.start + dt.timedelta(minutes=offset),
                        shift.start + dt.timedelta(minutes=offset + minutes), paid)

    meal_first = RosterShift("A1", shift, (at("meal", 90, 15, False), at("rest", 105, 45)))
    rest_first = RosterShift("A1", shift, (at("rest", 60, 45), at("meal", 105, 15, False)))
    rest_late = RosterShift("A1", shift, (at("meal", 90, 15, False), at("rest", 195, 45)))
    assert hard_violations(problem.rules, _view(problem, [meal_first])) == []
    assert hard_violations(problem.rules, _view(problem, [rest_first])) == []
    assert hard_violations(problem.rules, _view(problem, [rest_late]))     # rest outside its window
    # and whatever order the solver picks, its roster passes
    problem = _one_day(tmp_path, dt.date(2026, 3, 2), [], breaks=TWO_BREAKS, agents=3, need=3)
    result = solve_roster(problem)
    assert len(result.shifts) == 3
    assert hard_violations(problem.rules, _view(problem, result.shifts)) == []


def test_a_search_the_clock_stops_reports_what_its_roster_costs(tmp_path, monkeypatch):
    """Planted seed 5 on a loaded machine: the wall clock stopped the search before the prover or any
    neighbourhood step improved the start, whose over-coverage counters had been left above what its roster
    over-covers; the report charged 911.82 of over-coverage for a roster that over-covers by 900."""
    from scheduler.roster import search
    from scheduler.roster import solve as solve_module
    from scheduler.roster.model import RosterModel
    from scheduler.roster.solve import solve, start_roster

    problem = _one_day(tmp_path, dt.date(2026, 3, 2), [], agents=2, need=1)
    rm = RosterModel(problem)
    rm.add_rules()
    rm.add_coverage()
    rm.minimize()
    start = start_roster(rm)
    for term in rm.terms:          # a feasible start whose over-coverage counters are loose
        if term.name == "over_coverage":
            start[term.variable.Index()] = 2
    monkeypatch.setattr(search, "PROVER_DET_PER_S", 0.0)     # the prover gets no time
    monkeypatch.setattr(solve_module, "STAGE_SLACK", -1.0)   # nor does any step: the deadline has passed
    result = solve(rm, problem.site.solver, start)
    assert result.report.wall_clock_cut
    # One agent on the 8-hour shift at 10 an hour, nobody short and nobody spare.
    assert result.breakdown.get("over_coverage", 0.0) == 0.0
    assert result.report.objective == pytest.approx(80.0)


def test_rest_longer_than_a_day_holds_across_the_days_between(tmp_path):
    """Planted seed 66: a rest of 36 h was only encoded between shifts on consecutive days, so the solver
    returned a shift ending Thursday 24:00 and the next starting Saturday 11:00, 35 h later, which the
    checker refused. Here: 48 h rest, and the week's demand pulls for a shift every other day."""
    problem = _one_day(tmp_path, dt.date(2026, 3, 2), ["{rule: min_rest_between_shifts, hours: 48}"], need=1,
                       every_day=True)
    assert find_conflicts(problem) == []
    result = solve_roster(problem)
    assert hard_violations(problem.rules, _view(problem, result.shifts)) == []
    # 09:00-17:00 shifts 48 h apart at least: Monday, Thursday, Sunday is the most a week holds
    assert len(result.shifts) == 3


def test_a_start_whose_break_placement_finds_nothing_in_its_budget_still_solves(tmp_path, monkeypatch):
    """Planted seed 144 on a loaded machine: the short optimising solve that places the start's breaks and
    sessions for coverage (a twentieth of the time limit) was stopped by the clock before it found a roster,
    and solve_roster handed the search None (TypeError) instead of going on from the feasible start."""
    from scheduler.roster import lns

    complete = lns.complete

    def out_of_time(model, partial, time_limit_s=10.0, first_solution=True, hint=None):
        if not first_solution:          # the optimising completion: stopped before its first roster
            return None
        return complete(model, partial, time_limit_s=time_limit_s, first_solution=first_solution, hint=hint)

    monkeypatch.setattr(lns, "complete", out_of_time)
    problem = _one_day(tmp_path, dt.date(2026, 3, 2), [], breaks=TWO_BREAKS, agents=2, need=1)
    result = solve_roster(problem)
    assert result.report.status in ("OPTIMAL", "FEASIBLE") and result.shifts
    assert hard_violations(problem.rules, _view(problem, result.shifts)) == []


NIGHT = """\
site:
  name: Planted night
  timezone: America/New_York
  interval_min: 30
  opening_hours: {sun: ["00:00", "24:00"]}
queues:
  - {id: q1, channel: voice, service_goal: {service_level: 0.8, target_s: 20}}
shift_templates:
  - {id: N5, length_min: 300, earliest_start: "00:00", latest_start: "00:00", start_step_min: 30,
     breaks: [{name: meal, length_min: 30, paid: false, start_after_min: [90, 120]}]}
contracts:
  - {id: C1, min_hours_week: 4.5, max_hours_week: 4.5, shift_templates: [N5], cost_per_hour: 10}
rules: []
solver: {time_limit_s: 1, workers: 2, seed: 1}
"""


def test_a_shift_over_the_clock_change_is_measured_in_elapsed_time(tmp_path):
    """Planted seeds 1030, 1183 and 1295 (sites open round the clock): a shift over the night the clocks change
    lasts its template's length in elapsed time (scheduler/roster/week.py builds it so), but the checkers
    measured shifts, breaks and paid hours on the wall clock, an hour off: the product's own shift was 'not its
    template's length', its break 'outside its window' and its hours outside the contract."""
    path = tmp_path / "site.yaml"
    path.write_text(NIGHT)
    site = load_site(path)
    sunday = dt.date(2026, 3, 8)         # 02:00 EST becomes 03:00 EDT
    agents = [Agent("A1", "A1", "C1", ("q1",), available_from_min=0, available_to_min=6 * 60)]
    dates = tuple(sunday - dt.timedelta(days=6) + dt.timedelta(days=i) for i in range(7))
    starts = open_interval_starts(site.opening_hours, dates, site.interval_min, ZoneInfo(site.timezone))
    requirements = pd.DataFrame({"queue": "q1", "start": [pd.Timestamp(s) for s in starts], "agents": 1})
    requirements["start"] = pd.to_datetime(requirements["start"], utc=True).dt.tz_convert(site.timezone)
    problem = RosterProblem(site, agents, [], dates, site_rules(site, []), requirements)
    shift = shift_options(site, sunday)[0]
    assert (shift.start.hour, shift.end.hour, shift.minutes) == (0, 6, 300)    # 00:00 EST to 06:00 EDT
    meal_start = shift.start.astimezone(dt.timezone.utc) + dt.timedelta(minutes=120)     # 03:00 EDT
    meal = Activity("meal", meal_start.astimezone(shift.start.tzinfo),
                    (meal_start + dt.timedelta(minutes=30)).astimezone(shift.start.tzinfo), False)
    assert hard_violations(problem.rules, _view(problem, [RosterShift("A1", shift, (meal,))])) == []
    assert find_conflicts(problem) == []
    result = solve_roster(problem)
    assert [r.shift for r in result.shifts] == [shift]
    assert hard_violations(problem.rules, _view(problem, result.shifts)) == []


def test_the_aggregate_bound_takes_a_week_with_days_nobody_can_work(tmp_path):
    """Planted seeds 4, 8, 13, 16 and 17 once the search asked the aggregate bound (scheduler/roster/bound.py):
    a run of consecutive days on which a group of agents has no shift to work summed to 0, the constraint
    became Python's True, CP-SAT stored it as a clause, and the bound's LP refused the model — solve_roster
    raised ValueError. Here: open on Mondays only, at most 2 days in a row; and a second agent who is never
    available on Mondays, whose contract hours sum no shifts at all."""
    problem = _one_day(tmp_path, dt.date(2026, 3, 2), ["{rule: max_consecutive_days, days: 2}",
                                                       "{rule: min_days_off_per_week, days: 1}"], need=1)
    problem.agents.append(Agent("A2", "A2", "C1", ("q1",), unavailable_days=("mon",)))
    result = solve_roster(problem)
    assert result.report.status == "OPTIMAL"
    assert [(r.agent_id, r.shift.date) for r in result.shifts] == [("A1", dt.date(2026, 3, 2))]
