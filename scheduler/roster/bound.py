"""A lower bound on the roster model's objective from an aggregate model that knows how rosters are made.

The full model (scheduler/roster/model.py) has a boolean per agent, day and shift, and one per placement of
every break; CP-SAT's own bound on it comes from its LP, which on a week of hundreds of agents it does not
even finish in the search's budget. Agents with the same skills, contract, options and rules are
interchangeable, though, so this module counts them instead:

    n[g, d, s]   agents of group g working shift s (a template at a start) on day d
    b[k, d, s, i, p]  shifts s of skill group k on day d that take their i-th break at p
    a[r, k, d, s, p]  sessions of activity rule r (training) of skill group k held in a shift s from p

with the group's contract hours, days off, consecutive days and shift-type limits summed over its agents,
coverage per skill group and interval from those counts less the breaks and activities, split across the
group's queues, and the model's own under-coverage (convex segments), over-coverage and paid-hours terms,
with the model's own integer coefficients; weekend and late-shift fairness as the least the group's counts
force (its cheapest agents take them); and a term one agent's shift on one day decides (a request for a
shift or a day off) exactly, that agent-day taken out of its group's counts as its own choice

    y[a, d, s]   agent a works shift s on day d (at most one s; the rest of a's group works the remaining n)

and each such agent's unmet-preferences fairness as the chords of its convex price at the number of its
requests y leaves unmet. Soft terms it does not model (extra-hours fairness, weekly counts) count their least
possible value (0 for all of today's rules).

Why it is a relaxation (every relaxation below only enlarges the feasible set): map any feasible roster of
the full model to counts — n = how many agents of g work s on d, b = how many of those shifts take break i
at p, a = how many of those sessions start at p in s. Then:
- each aggregate constraint is the sum over the group's agents of a constraint the full model holds per agent
  (one shift a day, weekly paid minutes within the contract and so between low / longest shift and
  high / shortest shift worked, at most so many working days, at most `days` in
  any `days + 1` consecutive ones, at most `max` shifts of a type, one break i per shift inside its window,
  `per_week` sessions each inside a worked shift), so the counts satisfy it;
- coverage of a (skill group, interval) is the same linear function of the counts as of the booleans, so
  the roster's coverage, its split across queues (the same allocation, which is integral and ≥ 0) and its
  under- and over-coverage segments are feasible here with the same values;
- paid-hours cost is the same coefficient per shift, summed over the agents working it; fairness is charged
  at most what the roster's own agents pay (see `_fairness`); y = the roster's own choice of each such
  agent-day, which leaves the group's other agents, one shift a day each, working what is left of n, and
  costs each agent-day term exactly what the roster pays (see `_agent_days`), and its unmet requests
  at most what the roster's fairness charges for them (see `_unmet_fairness`);
- what is left out (rest between shifts, breaks not overlapping each other, one activity at a time,
  caps and floors that couple agents, per-agent patterns and every soft term) only removes constraints or
  replaces a cost term by its least possible value.
So the roster's counts are feasible with an aggregate cost at most the roster's cost, and the aggregate
optimum — a fortiori the best bound CP-SAT proves on it — is at most the full optimum.

The module rebuilds breaks and activities from the site's templates and the rules, and checks the result
against the absences the full model made; where they differ (a rule it does not know, an intraday model with
a frozen past or extra options), it declines (None) rather than guess.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import FlatIntExpr

from rules.activities import STEP_MIN as ACTIVITY_STEP_MIN, ScheduledActivity
from rules.breaks import BREAK_STEP_MIN, BreakPlacement
from rules.fairness import WEEKEND, Fairness
from rules.max_consecutive_days import MaxConsecutiveDays
from rules.min_days_off import MinDaysOffPerWeek
from rules.shift_type_limits import MaxShiftsOfTypePerWeek
from rules.structural import ContractHours, OneShiftPerDay
from rules.base import Shift
from scheduler.roster.lp import certified_bound, solve_lp, whole_values
from scheduler.roster.model import RosterModel, epoch_min

log = logging.getLogger(__name__)

EXACT_TERMS = ("under_coverage", "over_coverage", "paid_hours_cost")


@dataclass
class AggregateBound:
    """A lower bound on the full model's objective, in its integer cost units (objective × COST_SCALE)."""

    bound: int                      # the aggregate LP's optimum, certified from its duals and rounded up
    objective: int                  # the LP's own optimum (its solution: a fractional, optimistic roster)
    status: str
    groups: int                     # groups of interchangeable agents
    variables: int
    floor_of_dropped: int           # least value of the terms left out (fairness, preferences, ...)
    wall_s: float
    breakdown: dict[str, int] = field(default_factory=dict)   # the LP solution's cost by exact term
    # The LP's roster in counts: how many agents of each group work each shift (fractional), and each agent's
    # group; the greedy start follows it (scheduler/roster/greedy.py).
    shift_counts: dict[tuple[int, dt.date, Shift], float] = field(default_factory=dict)
    group_of: dict[str, int] = field(default_factory=dict)


@dataclass
class _Group:
    agents: list[str]
    skills: tuple[str, ...]
    contract: str
    options: dict[dt.date, dict[Shift, int]]     # shift -> paid-hours cost of one agent working it
    rules: list[Any]                              # the rules that apply to its agents

    @property
    def size(self) -> int:
        return len(self.agents)


def unsupported(rm: RosterModel) -> str | None:
    """Why the aggregate model would not be a faithful relaxation of this model, or None if it is."""
    problem = rm.problem
    if problem.fixed is not None or problem.extra_options or problem.listed_options_only:
        return "a frozen past or listed options (an intraday re-plan)"
    if problem.split_reference and problem.split_move_cost_per_hour:
        return "a published split across queues"
    if len(rm.agents) != len(problem.agents) or rm.fixed_couplings:
        return "a neighbourhood's sub-model"
    if not rm.requirement:
        return "no coverage in the model"
    if any(isinstance(r, ScheduledActivity) and r.deferrable_cost is not None for r in problem.rules):
        return "deferrable activities"
    return None


def _min_of(model: cp_model.CpModel, coefficient: int, expr: Any, day_of: dict[int, tuple]) -> int:
    """The least value coefficient × expr can take: each variable at the end of its domain that lowers it,
    except that the shift variables of one agent's day (`day_of`: index -> (agent, date), for agents bound
    by one shift a day) take at most one 1 between them, so they lower it by at most their lowest weight."""
    if isinstance(expr, (int, float)):
        return math.floor(coefficient * expr)
    flat = FlatIntExpr(expr)
    low = coefficient * flat.offset
    per_day: dict[tuple, int] = defaultdict(int)
    for var, coef in zip(flat.vars, flat.coeffs):
        weight = coefficient * coef
        if var.index in day_of and weight < 0:
            per_day[day_of[var.index]] = min(per_day[day_of[var.index]], weight)
        elif var.index not in day_of:
            domain = list(model.proto.variables[var.index].domain)
            low += weight * (domain[0] if weight > 0 else domain[-1])
    return low + sum(per_day.values())


def _plus(moment: dt.datetime, minutes: int) -> dt.datetime:
    return (moment.astimezone(dt.timezone.utc) + dt.timedelta(minutes=minutes)).astimezone(moment.tzinfo)


class _Absences:
    """Coverage units an absence takes off, counted exactly as RosterModel.presence counts them."""

    def __init__(self, rm: RosterModel):
        self.interval = rm.site.interval_min
        self.unit = rm.coverage_unit_min
        self.anchor = epoch_min(rm._week_anchor())
        self.open = {t for _, t in rm.requirement}

    def units(self, start: dt.datetime, minutes: int) -> list[tuple[int, int]]:
        first_min = epoch_min(start)
        first = first_min - (first_min - self.anchor) % self.interval
        found = []
        for t in range(first, first_min + minutes, self.interval):
            overlap = min(t + self.interval, first_min + minutes) - max(t, first_min)
            if overlap > 0 and t in self.open:
                if overlap % self.unit:
                    raise ValueError("an absence overlap is not a whole number of coverage units")
                found.append((t, overlap // self.unit))
        return found


def _groups(rm: RosterModel, paid: dict[int, int]) -> list[_Group]:
    """Agents with the same skills, contract, options (with their cost) and rules, in first-seen order."""
    rules = rm.problem.rules
    by_key: dict[tuple, _Group] = {}
    for agent in rm.agents:
        options = {d: {shift: paid.get(var.Index(), 0) for shift, var in rm.options(agent.agent_id, d)}
                   for d in rm.dates}
        applying = tuple(i for i, rule in enumerate(rules) if rule.applies_to(agent))
        skills = tuple(sorted(agent.skills))
        key = (skills, agent.contract, applying,
               tuple(tuple(sorted((s.start, s.end, s.template_id, c) for s, c in options[d].items())) for d in rm.dates))
        if key not in by_key:
            by_key[key] = _Group([], skills, agent.contract, options, [rules[i] for i in applying])
        by_key[key].agents.append(agent.agent_id)
    return list(by_key.values())


def _breaks(rm: RosterModel, shift: Shift) -> list[list[tuple[str, dt.datetime, int]]]:
    """Per break of the shift's template: (name, start, minutes) of every placement BreakPlacement allows."""
    template = rm.site.template(shift.template_id)
    return [[(spec.name, _plus(shift.start, offset), spec.length_min)
             for offset in range(spec.earliest_after_min, spec.latest_after_min + 1, BREAK_STEP_MIN)]
            for spec in template.breaks]


def _sessions(rule: ScheduledActivity, shift: Shift) -> list[dt.datetime]:
    """Starts of the rule's activity inside the shift and the rule's window, as ScheduledActivity places them."""
    found = []
    for offset in range(0, shift.minutes - rule.length_min + 1, ACTIVITY_STEP_MIN):
        start = _plus(shift.start, offset)
        clock = start.hour * 60 + start.minute
        if rule.window_from <= clock and clock + rule.length_min <= rule.window_to:
            found.append(start)
    return found


def _predicted_absences(rm: RosterModel, groups: list[_Group], breaks: dict[Shift, list]) -> set[tuple]:
    """(agent, date, name, start, minutes) of every absence variable the full model should have made."""
    found = set()
    for group in groups:
        for rule in group.rules:
            for d in rm.open_dates:
                for shift in group.options[d]:
                    if isinstance(rule, BreakPlacement):
                        places = [p for spec in breaks[shift] for p in spec]
                    elif isinstance(rule, ScheduledActivity):
                        places = [(rule.name, p, rule.length_min) for p in _sessions(rule, shift)]
                    else:
                        continue
                    for agent_id in group.agents:
                        found.update((agent_id, d, name, start, minutes) for name, start, minutes in places)
    return found


def build_aggregate(rm: RosterModel) -> tuple[cp_model.CpModel, dict[str, Any]] | None:
    """The aggregate model of a full roster model built with add_rules, add_coverage and minimize; None when
    it would not be a faithful relaxation (see `unsupported`)."""
    reason = unsupported(rm)
    if reason is not None:
        log.info("  aggregate bound skipped: %s", reason)
        return None
    proto = rm.model.proto
    paid: dict[int, int] = {}
    exact: dict[str, list] = defaultdict(list)
    one_a_day = {a.agent_id for a in rm.agents if any(isinstance(r, OneShiftPerDay) and r.applies_to(a)
                                                      for r in rm.problem.rules)}
    day_of = {var.Index(): (agent_id, d) for (agent_id, d), options in rm.option_groups().items()
              if agent_id in one_a_day for _, var in options}
    fair = {term_name: rule for rule in rm.problem.rules if isinstance(rule, Fairness)
            for term_name in (f"fairness_weekends{rule.entry}", f"fairness_late_shifts{rule.entry}")}
    unmet = {f"fairness_unmet_preferences{rule.entry}": rule for rule in rm.problem.rules
             if isinstance(rule, Fairness) and rule.unmet_weight}
    unmet_terms: list[tuple[Any, Fairness]] = []
    fairness_terms: dict[tuple[str, str], Any] = {}
    day_terms: dict[tuple[str, dt.date], list[tuple[int, FlatIntExpr]]] = defaultdict(list)
    floor = 0
    for term in rm.terms:
        if term.name in fair and term.agent_id is not None:
            fairness_terms[(term.name, term.agent_id)] = term
        elif term.name in EXACT_TERMS:
            exact[term.name].append(term)
            if term.name == "paid_hours_cost":
                paid[term.variable.Index()] = paid.get(term.variable.Index(), 0) + term.coefficient
        elif term.name in unmet and term.agent_id is not None:
            unmet_terms.append((term, unmet[term.name]))
        elif (day := _one_agent_day(term, day_of)) is not None:
            day_terms[day[0]].append((term.coefficient, day[1]))
        else:
            floor += _min_of(rm.model, term.coefficient, term.variable, day_of)
    groups = _groups(rm, paid)
    made = {(a.agent_id, a.date, a.name, a.start, a.minutes) for a in rm.absences}
    breaks = {shift: _breaks(rm, shift) for group in groups for d in rm.open_dates for shift in group.options[d]}
    if made != _predicted_absences(rm, groups, breaks):
        log.warning("  aggregate bound skipped: the model's breaks and activities are not the ones it rebuilds")
        return None

    model = cp_model.CpModel()
    absences = _Absences(rm)
    per_interval = rm.site.interval_min // rm.coverage_unit_min
    # (skill group, interval) -> [(coverage units, variable)]
    presence: dict[tuple[tuple[str, ...], int], list[tuple[int, Any]]] = defaultdict(list)
    shift_of = {var.Index(): shift for options in rm.option_groups().values() for shift, var in options}
    shift_units: dict[Shift, set[tuple[int, int]]] = defaultdict(set)
    for _, _, t, units, var in rm.presence_terms:
        if units > 0:
            shift_units[shift_of[var.Index()]].add((t, units))
    counts: dict[tuple[int, dt.date, Shift], Any] = {}
    cost: list[tuple[int, Any]] = []
    for gi, group in enumerate(groups):
        m = group.size
        for d in rm.dates:
            for shift, price in group.options[d].items():
                var = model.NewIntVar(0, m, f"n[{gi},{d},{shift.template_id}@{shift.start:%H%M}]")
                counts[(gi, d, shift)] = var
                if price:
                    cost.append((price, var))
                for t, units in shift_units.get(shift, []):
                    presence[(group.skills, t)].append((units, var))
        worked = [v for (g, _, _), v in counts.items() if g == gi]
        day_vars = {d: [counts[(gi, d, s)] for s in group.options[d]] for d in rm.dates}
        for rule in group.rules:
            if isinstance(rule, OneShiftPerDay):
                for d in rm.dates:
                    if len(day_vars[d]) > 1:
                        model.Add(sum(day_vars[d]) <= m)
            elif isinstance(rule, ContractHours):
                contract = rule.contracts[group.contract]
                low, high = round(contract.min_hours_week * 60), round(contract.max_hours_week * 60)
                minutes = sum(rule.paid_min[s.template_id] * counts[(gi, d, s)]
                              for d in rm.dates for s in group.options[d])
                if not isinstance(minutes, int):       # a group with no shift to work sums no counts
                    model.Add(minutes >= m * low)
                    model.Add(minutes <= m * high)
                # Whole shifts: an agent works at least low / (longest paid shift) and at most high / (shortest)
                # of them. Summed hours alone would let a group of 5-9 h agents on 5 h shifts share 10 shifts.
                lengths = [rule.paid_min[s.template_id] for d in rm.dates for s in group.options[d]]
                if lengths and min(lengths) > 0:
                    model.Add(sum(worked) >= m * -(-low // max(lengths)))
                    model.Add(sum(worked) <= m * (high // min(lengths)))
            # A sum over no counts is Python's True, which CP-SAT would keep as a clause the LP cannot take.
            elif isinstance(rule, MinDaysOffPerWeek) and worked:
                model.Add(sum(worked) <= m * (len(rm.dates) - rule.days))
            elif isinstance(rule, MaxConsecutiveDays):
                dates = list(rm.dates)
                for first in range(0, len(dates) - rule.days):
                    window = [v for d in dates[first:first + rule.days + 1] for v in day_vars[d]]
                    if window:          # days the group has no shift to work are no run
                        model.Add(sum(window) <= m * rule.days)
            elif isinstance(rule, MaxShiftsOfTypePerWeek):
                typed = [counts[(gi, d, s)] for d in rm.dates for s in group.options[d]
                         if s.template_id == rule.template_id]
                if len(typed) > rule.max:
                    model.Add(sum(typed) <= m * rule.max)

    group_of = {agent_id: gi for gi, group in enumerate(groups) for agent_id in group.agents}
    constant, choices = _agent_days(model, groups, group_of, counts, day_terms, shift_of, cost)
    floor += constant
    agent_of = {agent.agent_id: agent for agent in rm.agents}
    for term, rule in unmet_terms:
        if not _unmet_fairness(model, rule, agent_of[term.agent_id], term, rm.dates, choices, cost):
            floor += _min_of(rm.model, term.coefficient, term.variable, day_of)
    for gi, group in enumerate(groups):
        for name, rule in fair.items():
            if not _fairness(model, rm, group, gi, counts, name, rule, fairness_terms, cost):
                # not charged here: these terms count their least value, as every other term left out
                floor += sum(_min_of(rm.model, t.coefficient, t.variable, day_of)
                             for a in group.agents if (t := fairness_terms.get((name, a))) is not None)

    # Breaks and activities, per skill group (coverage only sees the skill group).
    skill_groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for gi, group in enumerate(groups):
        skill_groups[group.skills].append(gi)
    for skills, members in skill_groups.items():
        for d in rm.open_dates:
            shifts = sorted({s for gi in members for s in groups[gi].options[d]}, key=lambda s: (s.start, s.template_id))
            for shift in shifts:
                with_breaks = [counts[(gi, d, shift)] for gi in members if shift in groups[gi].options[d]
                               and any(isinstance(r, BreakPlacement) for r in groups[gi].rules)]
                if not with_breaks:
                    continue
                most = sum(groups[gi].size for gi in members if shift in groups[gi].options[d])
                for i, places in enumerate(breaks[shift]):
                    chosen = []
                    for name, start, minutes in places:
                        var = model.NewIntVar(0, most, f"b[{'+'.join(skills)},{d},{shift.start:%H%M},{i},{start:%H%M}]")
                        chosen.append(var)
                        for t, units in absences.units(start, minutes):
                            presence[(skills, t)].append((-units, var))
                    model.Add(sum(chosen) == sum(with_breaks))
        for rule in rm.problem.rules:
            if not isinstance(rule, ScheduledActivity):
                continue
            bound_to = [gi for gi in members if rule in groups[gi].rules]
            if not bound_to:
                continue
            held = []
            for d in rm.open_dates:
                shifts = sorted({s for gi in bound_to for s in groups[gi].options[d]}, key=lambda s: (s.start, s.template_id))
                for shift in shifts:
                    working = sum(counts[(gi, d, shift)] for gi in bound_to if shift in groups[gi].options[d])
                    most = sum(groups[gi].size for gi in bound_to if shift in groups[gi].options[d])
                    for start in _sessions(rule, shift):
                        var = model.NewIntVar(0, most, f"a[{rule.label},{'+'.join(skills)},{shift.start:%H%M},{start:%H%M}]")
                        model.Add(var <= working)
                        held.append(var)
                        for t, units in absences.units(start, rule.length_min):
                            presence[(skills, t)].append((-units, var))
            if held:     # no place to hold a session: the full model has no roster; a relaxation may drop it
                model.Add(sum(held) == rule.per_week * sum(groups[gi].size for gi in bound_to))

    # Coverage: each skill group's units split across its open queues, then the model's own cost terms.
    open_queues: dict[int, set[str]] = defaultdict(set)
    for q, t in rm.requirement:
        open_queues[t].add(q)
    served: dict[tuple[str, int], list[Any]] = defaultdict(list)
    for (skills, t), parts in sorted(presence.items()):
        queues = [q for q in skills if q in open_queues[t]]
        if not queues:
            continue
        units = cp_model.LinearExpr.weighted_sum([v for _, v in parts], [c for c, _ in parts])
        if len(queues) == 1:
            served[(queues[0], t)].append(units)
            continue
        most = sum(groups[gi].size for gi in skill_groups[skills]) * per_interval
        split = [model.NewIntVar(0, most, f"alloc[{'+'.join(skills)},{q},{t}]") for q in queues]
        model.Add(sum(split) == units)
        for q, var in zip(queues, split):
            served[(q, t)].append(var)
    under: dict[tuple[str, int], list[tuple[int, Any]]] = defaultdict(list)
    for term in exact["under_coverage"]:
        domain = list(proto.variables[term.variable.Index()].domain)
        seg = model.NewIntVar(domain[0], domain[-1], f"under[{term.queue},{term.start_min}]")
        under[(term.queue, term.start_min)].append((term.coefficient, seg))
        cost.append((term.coefficient, seg))
    over_terms = {(term.queue, term.start_min): term for term in exact["over_coverage"]}
    for (q, t), need in sorted(rm.requirement.items()):
        cover = sum(served.get((q, t), []))
        if under[(q, t)]:
            model.Add(sum(v for _, v in under[(q, t)]) >= need * per_interval - cover)
        term = over_terms.get((q, t))
        if term is not None:
            domain = list(proto.variables[term.variable.Index()].domain)
            over = model.NewIntVar(domain[0], domain[-1], f"over[{q},{t}]")
            model.Add(over >= cover - need * per_interval)
            cost.append((term.coefficient, over))
    model.Minimize(sum(c * v for c, v in cost) + floor)
    parts = {"paid_hours_cost": [(c, v) for c, v in cost if v.name.startswith("n[")],
             "under_coverage": [(c, v) for c, v in cost if v.name.startswith("under[")],
             "over_coverage": [(c, v) for c, v in cost if v.name.startswith("over[")],
             "fairness": [(c, v) for c, v in cost if v.name.startswith("fairness_")]}
    return model, {"groups": len(groups), "floor": floor, "parts": parts, "counts": counts, "group_of": group_of}


def _one_agent_day(term: Any, day_of: dict[int, tuple]) -> tuple[tuple[str, dt.date], FlatIntExpr] | None:
    """The (agent, date) whose shift choice alone decides this agent's term (a request for a shift or a day
    off), with the term's expression flattened, else None: the term is a constant plus a weighted sum of that
    day's shift variables."""
    if term.agent_id is None or isinstance(term.variable, (int, float)):
        return None
    flat = FlatIntExpr(term.variable)
    days = {day_of.get(var.index) for var in flat.vars}
    if len(days) != 1 or None in days:
        return None
    day = days.pop()
    return (day, flat) if day[0] == term.agent_id else None


def _agent_days(model: cp_model.CpModel, groups: list[_Group], group_of: dict[str, int], counts: dict,
                day_terms: dict[tuple[str, dt.date], list[tuple[int, FlatIntExpr]]], shift_of: dict[int, Shift],
                cost: list) -> tuple[int, dict[tuple[str, dt.date], dict[Shift, Any]]]:
    """Terms decided by one agent's shift on one day, charged exactly: that agent's day is taken out of its
    group's counts as its own choice y[agent, d, s] (at most one shift, as the agent works at most one), and
    the rest of the group works the remaining counts. Any roster gives y and n with the same cost, so this stays
    a relaxation. Returns the terms' constant parts, which the objective adds as a whole, and y per agent-day."""
    constant = 0
    choices: dict[tuple[str, dt.date], dict[Shift, Any]] = {}
    by_group_day: dict[tuple[int, dt.date], list[str]] = defaultdict(list)
    for agent_id, d in sorted(day_terms):
        by_group_day[(group_of[agent_id], d)].append(agent_id)
    for (gi, d), agents in by_group_day.items():
        options = groups[gi].options[d]
        own: dict[Shift, list[Any]] = defaultdict(list)
        for agent_id in agents:
            choice = {shift: model.NewIntVar(0, 1, f"day[{agent_id},{d},{shift.template_id}@{shift.start:%H%M}]")
                      for shift in options}
            model.Add(sum(choice.values()) <= 1)
            choices[(agent_id, d)] = choice
            for shift, var in choice.items():
                own[shift].append(var)
            for coefficient, flat in day_terms[(agent_id, d)]:
                constant += coefficient * flat.offset
                for var, coef in zip(flat.vars, flat.coeffs):
                    cost.append((coefficient * coef, choice[shift_of[var.index]]))
        for shift, chosen in own.items():
            model.Add(sum(chosen) <= counts[(gi, d, shift)])
        if own:
            rest = sum(counts[(gi, d, shift)] for shift in options) - sum(v for vs in own.values() for v in vs)
            model.Add(rest <= groups[gi].size - len(agents))
    return constant, choices


def _unmet_fairness(model: cp_model.CpModel, rule: Fairness, agent: Any, term: Any, dates,
                    choices: dict[tuple[str, dt.date], dict[Shift, Any]], cost: list) -> bool:
    """An agent's unmet-preferences fairness cost, at least the chords of its convex table at the number of
    its requests y leaves unmet (that number is linear in y, which is the roster's own choice). False when a
    request's day has no y (its request carries no cost of its own): the term then counts its least value."""
    requests = rule.requests_in(agent, dates)
    if not requests or any((agent.agent_id, r.date) not in choices for r in requests):
        return False
    table = rule.unmet_table(agent.agent_id, len(requests))
    slopes = [b - a for a, b in zip(table, table[1:])]
    if any(s > t for s, t in zip(slopes, slopes[1:])):
        return False
    unmet = 0
    for request in requests:
        granted = sum(var for shift, var in choices[(agent.agent_id, request.date)].items() if request.matches(shift))
        unmet += (1 - granted) if request.want else granted
    paid = model.NewIntVar(min(table), max(table), f"fairness_unmet[{agent.agent_id}]")
    for j, slope in enumerate(slopes):
        model.Add(paid >= table[j] + slope * (unmet - j))
    cost.append((term.coefficient, paid))
    return True


def _fairness(model: cp_model.CpModel, rm: RosterModel, group: _Group, gi: int, counts: dict, name: str,
              rule: Fairness, terms: dict, cost: list) -> bool:
    """A group's weekend or late-shift fairness cost, bounded below by what its counts force.

    Weekends: an agent working a weekend day pays its own price (its ledger's), so k of the group's agents
    on Saturday (or on Sunday) pay at least the k lowest prices: a convex function of k. Late shifts: an agent
    pays increase(past, its lates), convex in its lates, so L late shifts in the group pay at least the L
    lowest marginal prices among its agents (a sum of convex costs is least when each next unit goes where it
    is cheapest). Either bound holds for every roster, so charging it keeps the aggregate a relaxation."""
    mine = [terms[(name, a)] for a in group.agents if (name, a) in terms]
    if not mine or rule not in group.rules:
        return False
    if name.startswith("fairness_weekends"):
        marginals = sorted(term.coefficient for term in mine)
        loads = [sum(counts[(gi, d, s)] for s in group.options[d]) for d in rm.dates if d.weekday() in WEEKEND]
    else:
        marginals = []
        for term in mine:
            past = int(rule.past(term.agent_id, "late_shifts"))
            table = [rule.increase(past, n) for n in range(len(rm.dates) + 1)]
            marginals += [term.coefficient * (b - a) for a, b in zip(table, table[1:])]
        marginals.sort()
        loads = [sum(counts[(gi, d, s)] for d in rm.dates for s in group.options[d]
                     if s.template_id in rule.late_templates)]
    if not loads or not any(marginals) or min(marginals) < 0:
        return False
    paid = model.NewIntVar(0, sum(marginals), f"{name}[{gi}]")
    total = 0
    for j, slope in enumerate(marginals):      # the chord from j to j + 1 of the convex cost
        for load in loads:
            model.Add(paid >= total + slope * (load - j))
        total += slope
    cost.append((1, paid))
    return True


def aggregate_bound(rm: RosterModel, time_limit_s: float,
                    meanwhile: Callable[[], None] | None = None) -> AggregateBound | None:
    """The aggregate model's LP optimum, as a bound certified from its duals, in the roster model's integer
    cost units (rounded up: every roster's cost is a whole number of units). None when the aggregate would
    not be a faithful relaxation, or its LP was not solved to optimality within `time_limit_s` (a backstop:
    GLOP is deterministic, so the same model gives the same bound on any run that finishes)."""
    started = time.perf_counter()
    try:
        built = build_aggregate(rm)
        if built is None:
            return None
        model, info = built
        status, solver, variables, constraints, rows = solve_lp(model, time_limit_s, meanwhile)
    except ValueError as error:     # a week the aggregate cannot state: no bound, and the solve goes on
        log.warning("  aggregate bound skipped: %s", error)
        return None
    if status == pywraplp.Solver.INFEASIBLE:
        log.warning("  the aggregate model is infeasible, so is the roster model")
    if status != pywraplp.Solver.OPTIMAL:
        log.info("  aggregate bound: the LP was not solved (status %d)", status)
        return None
    duals = [row.dual_value() for row in constraints]
    breakdown = {key: round(sum(c * variables[v.Index()].solution_value() for c, v in terms))
                 for key, terms in info["parts"].items()}
    objective = round(solver.Objective().Value())     # before the dive below changes the LP
    bound = math.ceil(certified_bound(rows, duals))
    shift_counts = whole_values(solver, variables, info["counts"], started + time_limit_s)
    log.info("  aggregate bound %.0f (LP of %d groups, %d variables) in %.1f s", bound / 100, info["groups"],
             len(variables), time.perf_counter() - started)
    return AggregateBound(bound=bound, objective=objective, status="LP_OPTIMAL",
                          groups=info["groups"], variables=len(variables), floor_of_dropped=info["floor"],
                          wall_s=time.perf_counter() - started, breakdown=breakdown,
                          shift_counts=shift_counts, group_of=info["group_of"])
