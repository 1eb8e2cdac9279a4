"""The CP-SAT roster model: which agent works which shift, and how the floor covers each queue.

Decision variables: one boolean per (agent, day, possible shift). Rules from the
catalogue add their own constraints through the EncodeContext methods here.
Coverage is counted per skill group (agents with the same skills) and split
across that group's queues each interval, so a multi-skilled agent counts once.
The objective is a sum of named terms so a solved roster's cost can be broken
down by term.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Sequence

from zoneinfo import ZoneInfo

import pandas as pd
from ortools.sat.python import cp_model

from rules.base import Activity, FixedPlan, RosterShift, Rule, RuleContractError, Shift, enforce
from rules.coupling import CouplingRule
from rules.site import Agent, Site, TimeOff
from scheduler.roster.week import local_time, shift_options

COST_SCALE = 100   # objective weights are floats; CP-SAT wants integers (cents, centi-penalties)


def epoch_min(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // 60


@dataclass
class RosterProblem:
    """Everything a roster solve needs, already validated."""

    site: Site
    agents: list[Agent]
    time_off: list[TimeOff]
    dates: tuple[dt.date, ...]
    rules: list[Rule]
    requirements: pd.DataFrame = field(default_factory=pd.DataFrame)   # queue, start, agents
    fixed: FixedPlan | None = None          # a frozen past and the published roster's fixed days
    extra_options: dict[tuple[str, dt.date], tuple[Shift, ...]] = field(default_factory=dict)   # beyond templates
    start: tuple[RosterShift, ...] | None = None   # start the search here instead of the greedy roster
    listed_options_only: bool = False       # open dates offer only the published shift and extra_options
    # The published split of multi-skilled groups across queues, (skills, queue, interval start epoch min) ->
    # agents, and the money per agent-hour moved away from it (an intraday skill move).
    split_reference: dict[tuple[tuple[str, ...], str, int], float] = field(default_factory=dict)
    split_move_cost_per_hour: float = 0.0

    def requirement_index(self) -> dict[tuple[str, int], int]:
        """(queue, interval start epoch minute) -> agents required; computed once, every sub-model reads it."""
        cached = self.__dict__.get("_requirement_index")
        if cached is None or cached[0] is not self.requirements:
            index = {(row.queue, epoch_min(row.start.to_pydatetime())): int(row.agents)
                     for row in self.requirements.itertuples(index=False)}
            cached = (self.requirements, index)
            self.__dict__["_requirement_index"] = cached
        return cached[1]

    @property
    def open_dates(self) -> tuple[dt.date, ...]:
        """The dates whose decisions a solve may change: every date unless a fixed plan narrows them."""
        if self.fixed is None:
            return self.dates
        return tuple(d for d in self.dates if d in self.fixed.open_dates)


@dataclass
class Absence:
    """Time off contacts inside a shift, switched on by `var` (a break, meeting or training)."""

    agent_id: str
    date: dt.date
    name: str
    start: dt.datetime
    minutes: int
    var: Any
    paid: bool = True
    within: tuple[int, ...] = ()    # indices of the shift variables that may hold it
    start_min: int = field(init=False)     # epoch minute of start: the coverage and overlap keys

    def __post_init__(self) -> None:
        self.start_min = epoch_min(self.start)


@dataclass
class AbsenceChoice:
    """Exactly `count` of these absence variables are taken (a whole number, or a sum of shift variables)."""

    absences: tuple[int, ...]
    count: Any


@dataclass
class ObjectiveTerm:
    name: str              # e.g. "under_coverage", "paid_hours_cost"
    coefficient: int
    variable: Any
    queue: str | None = None
    start_min: int | None = None
    agent_id: str | None = None


class RosterModel:
    """Builds the CP-SAT model; implements rules.base.EncodeContext."""

    def __init__(self, problem: RosterProblem, agents: list[Agent] | None = None, filter_options: bool = True,
                 kept: dict[tuple[str, dt.date], Shift | None] | None = None):
        """`kept` holds some (agent, date) to one shift (or none, a day off): only that option is built, for a
        neighbourhood that keeps those days as they are (the caller pins them)."""
        self.problem = problem
        self.kept = kept or {}
        self.site = problem.site
        self.dates = problem.dates
        self.model = cp_model.CpModel()
        self.agents = agents if agents is not None else problem.agents
        self._options: dict[tuple[str, dt.date], list[tuple[Shift, Any]]] = {}
        self.terms: list[ObjectiveTerm] = []
        self.coverage: dict[tuple[str, int], Any] = {}         # (queue, interval start epoch min) -> expr
        self.requirement: dict[tuple[str, int], int] = {}
        self.allocation: dict[tuple[tuple[str, ...], str, int], Any] = {}   # (skills, queue, t) -> agent-minutes
        self.absences: list[Absence] = []
        self.absence_choices: list[AbsenceChoice] = []
        # (rule entry, key) -> [(agent, contribution)] of coupling rules; and, in a neighbourhood's sub-model,
        # the contribution of the agents it keeps fixed (set by scheduler.roster.neighbourhood before add_rules)
        self.coupling_terms: dict[tuple[str, Any], list[tuple[str, Any]]] = defaultdict(list)
        self.fixed_couplings: dict[tuple[str, Any], int] = {}
        self._absences_by_day: dict[tuple[str, dt.date], list[Absence]] = {}
        self.coverage_unit_min = problem.site.interval_min   # minutes per unit of the coverage variables
        self.presence_terms: list[tuple[str, tuple[str, ...], int, int, Any]] = []   # see presence()
        self.open_dates = problem.open_dates
        self._create_options(filter_options)

    # --- EncodeContext ---------------------------------------------------------------
    def options(self, agent_id: str, date: dt.date) -> list[tuple[Shift, Any]]:
        return self._options.get((agent_id, date), [])

    def works(self, agent_id: str, date: dt.date) -> Any:
        return sum(var for _, var in self.options(agent_id, date))

    def add_absence(self, agent_id: str, date: dt.date, name: str, start: dt.datetime, minutes: int,
                    var: Any, within: Sequence[Any], paid: bool = True, literal: Any | None = None) -> None:
        enforce(self.model.add(var <= cp_model.LinearExpr.sum(within)), literal)
        absence = Absence(agent_id, date, name, start, minutes, var, paid, tuple([v.Index() for v in within]))
        self.absences.append(absence)
        self._absences_by_day.setdefault((agent_id, date), []).append(absence)

    def choose_absences(self, absences: Sequence[Any], count: Any, literal: Any | None = None) -> None:
        enforce(self.model.Add(sum(absences) == count), literal)
        self.absence_choices.append(AbsenceChoice(tuple(v.Index() for v in absences), count))

    def fixed_activities(self, agent_id: str, date: dt.date) -> tuple[Activity, ...]:
        fixed = self.problem.fixed
        if fixed is None or date in fixed.open_dates:
            return ()
        ref = fixed.shift_on(agent_id, date)
        return ref.activities if ref is not None else ()

    def absence_vars(self, agent_id: str, date: dt.date) -> list[tuple[str, dt.datetime, Any, int]]:
        return [(a.name, a.start, a.var, a.minutes) for a in self._absences_by_day.get((agent_id, date), [])]

    def penalize(self, kind: str, expr: Any, weight: float, agent_id: str | None = None) -> None:
        coefficient = round(weight * COST_SCALE)
        if coefficient:
            self.terms.append(ObjectiveTerm(kind, coefficient, expr, agent_id=agent_id))

    def option_groups(self) -> dict[tuple[str, dt.date], list[tuple[Shift, Any]]]:
        """Decision variables grouped by (agent, date): the units a neighbourhood search frees."""
        return dict(self._options)

    def decision_groups(self) -> dict[tuple[str, dt.date], list[int]]:
        """Variable indices per (agent, date): the shift options and the breaks and activities placed in
        them. A neighbourhood search frees or fixes each group whole, so a fixed agent's day keeps its
        breaks too (freeing every break would leave most of the model free in every step)."""
        groups = {key: [var.Index() for _, var in options] for key, options in self._options.items()}
        for absence in self.absences:
            groups[(absence.agent_id, absence.date)].append(absence.var.Index())
        return groups

    # --- building ----------------------------------------------------------------------
    def _create_options(self, filter_options: bool) -> None:
        fixed = self.problem.fixed
        per_day = {date: [] if self.problem.listed_options_only else shift_options(self.site, date)
                   for date in self.open_dates}
        for agent in self.agents:
            for date in self.dates:
                key = (agent.agent_id, date)
                if key in self.kept:
                    shift = self.kept[key]
                    self._options[key] = [(shift, self._shift_var(agent.agent_id, shift))] if shift else []
                    continue
                if date not in per_day:      # a fixed day: the published shift, worked as published
                    ref = fixed.shift_on(agent.agent_id, date) if fixed else None
                    self._options[key] = [(ref.shift, self._shift_var(agent.agent_id, ref.shift))] if ref else []
                    for _, var in self._options[key]:
                        self.model.Add(var == 1)
                    continue
                candidates = list(per_day[date]) + list(self.problem.extra_options.get(key, ()))
                ref = fixed.shift_on(agent.agent_id, date) if fixed else None
                if ref is not None and ref.shift not in candidates:
                    candidates.append(ref.shift)     # staying as published is always an option
                chosen = []
                for shift in candidates:
                    if fixed is not None and not fixed.allows(agent.agent_id, shift):
                        continue
                    pinned = ref is not None and shift == ref.shift and fixed.started(agent.agent_id, date)
                    if filter_options and not pinned and \
                            not all(rule.option_allowed(agent, shift) for rule in self.problem.rules):
                        continue
                    chosen.append((shift, self._shift_var(agent.agent_id, shift)))
                self._options[key] = chosen
                if fixed is not None and fixed.started(agent.agent_id, date):
                    self.model.Add(sum(var for _, var in chosen) == 1)    # a shift under way is not undone

    def _shift_var(self, agent_id: str, shift: Shift) -> Any:
        return self.model.NewBoolVar(f"x[{agent_id},{shift.date},{shift.template_id}@{shift.start:%H%M}]")

    def _freeze_activities(self) -> None:
        """On an open day, an activity that starts before the freeze is the published one: taken if it was
        (whichever of the day's options carries it), never taken if it was not."""
        fixed = self.problem.fixed
        if fixed is None:
            return
        placed: dict[tuple[str, dt.date, str, dt.datetime], list[Any]] = defaultdict(list)
        for a in self.absences:
            if a.date in fixed.open_dates and a.start < fixed.until:
                placed[(a.agent_id, a.date, a.name, a.start)].append(a.var)
        for (agent_id, date, name, start), variables in placed.items():
            ref = fixed.shift_on(agent_id, date)
            taken = ref is not None and any(x.name == name and x.start == start for x in ref.activities)
            self.model.Add(sum(variables) == (self.works(agent_id, date) if taken else 0))

    def add_rules(self, site_wide: bool = True) -> None:
        """Each rule's per-agent constraints; then its site-wide terms (solving one agent alone, `site_wide`
        False, only those a rule says are each agent's own). Each encoding is held to the rule contract
        (rules.base.EncodeContext) as it is made."""
        for agent in self.agents:
            for rule in self.problem.rules:
                if rule.applies_to(agent):
                    first_var, first_term = len(self.model.proto.variables), len(self.terms)
                    rule.encode(self, agent)
                    self._claim(rule, first_var, first_term, agent.agent_id)
        for rule in self.problem.rules:
            if site_wide or rule.site_terms_per_agent:
                first_var, first_term = len(self.model.proto.variables), len(self.terms)
                rule.encode_site(self, self.agents)
                self._claim(rule, first_var, first_term, None)
        if site_wide:
            for rule in self.problem.rules:
                if isinstance(rule, CouplingRule):
                    self._couple(rule)
        self._freeze_activities()

    def _couple(self, rule: CouplingRule) -> None:
        """Σ of the agents' contributions (plus, in a sub-model, the fixed agents' constant share) within the
        rule's bounds, for every key; the per-agent parts are kept so a neighbourhood can price the rest."""
        totals: dict[Any, list[Any]] = defaultdict(list)
        for agent in self.agents:
            if rule.applies_to(agent):
                for key, expr in rule.contributions(self, agent).items():
                    self.coupling_terms[(rule.label, key)].append((agent.agent_id, expr))
                    totals[key].append(expr)
        fixed = {key: value for (label, key), value in self.fixed_couplings.items() if label == rule.label}
        for key in sorted(set(totals) | set(fixed) | set(rule.required_keys(self.dates)), key=repr):
            total = sum(totals.get(key, [])) + fixed.get(key, 0)
            low, high = rule.bounds(key)
            if isinstance(total, int):      # nobody free contributes: the bound holds or the model is infeasible
                if (low is not None and total < low) or (high is not None and total > high):
                    self.model.AddBoolOr([])
                continue
            if low is not None:
                self.model.Add(total >= low)
            if high is not None:
                self.model.Add(total <= high)

    def _claim(self, rule: Rule, first_var: int, first_term: int, agent_id: str | None) -> None:
        """Key what a rule just made by its entry, and refuse what breaks the contract: a variable that does
        not name its agent, or a cost term that names none (unless the rule says it couples agents)."""
        variables = self.model.proto.variables
        for index in range(first_var, len(variables)):
            name = variables[index].name
            if not name:       # a constant CP-SAT made for a literal True/False: nobody's decision
                continue
            if agent_id is not None and agent_id not in name:
                raise RuleContractError(f"rule {rule.label} made variable '{name}' for agent {agent_id} "
                                        "without naming the agent")
            if rule.entry:
                variables[index].name = name + rule.entry
        for term in self.terms[first_term:]:
            if term.agent_id is None and term.queue is None and not rule.couples_agents:
                raise RuleContractError(f"rule {rule.label} added cost '{term.name}' that names no agent; "
                                        "a rule that couples agents must say so (couples_agents = True)")
            if rule.entry:
                term.name += rule.entry

    def _forbid_overlapping_absences(self) -> None:
        """An agent takes one activity at a time: at most one absence covers any minute."""
        by_agent_day: dict[tuple[str, dt.date], list[Absence]] = defaultdict(list)
        for absence in self.absences:
            by_agent_day[(absence.agent_id, absence.date)].append(absence)
        for absences in by_agent_day.values():
            if len(absences) < 2:
                continue
            spans = [(a.start_min, a.minutes) for a in absences]
            order = sorted(range(len(absences)), key=lambda i: spans[i][0])
            points = sorted({start for start, _ in spans})
            active: list[int] = []        # absences started by the point, in list order (as the constraint names them)
            next_in = 0
            for point in points:
                while next_in < len(order) and spans[order[next_in]][0] <= point:
                    active.append(order[next_in])
                    next_in += 1
                active = [i for i in active if point < spans[i][0] + spans[i][1]]
                covering = [absences[i].var for i in sorted(active)]
                if len(covering) > 1:
                    self.model.Add(sum(covering) <= 1)

    def presence(self, unit_min: int | None = None) -> list[tuple[str, tuple[str, ...], int, int, Any]]:
        """Who is on the floor: (agent, skill group, interval start, units, literal) — a shift's whole
        intervals count `interval_min // unit` units each, an absence inside it takes its minutes off.

        Units are the largest step that keeps every quantity whole (a whole interval when nothing splits
        one), so the solver keeps the integrality of head counts; `unit_min` imposes one (a sub-model
        uses its full model's)."""
        interval_min = self.site.interval_min
        open_starts = {start for _, start in self.requirement}
        groups = {agent.agent_id: tuple(sorted(agent.skills)) for agent in self.agents}
        absent: list[tuple[str, int, int, Any]] = []
        anchor = epoch_min(self._week_anchor())
        for absence in self.absences:
            start = absence.start_min
            first = start - (start - anchor) % interval_min
            for t in range(first, start + absence.minutes, interval_min):
                overlap = min(t + interval_min, start + absence.minutes) - max(t, start)
                if overlap > 0 and t in open_starts:
                    absent.append((absence.agent_id, t, overlap, absence.var))
        unit = unit_min or functools.reduce(math.gcd, (overlap for _, _, overlap, _ in absent), interval_min)
        self.coverage_unit_min = unit
        per_interval = interval_min // unit
        found = []
        for agent in self.agents:
            for date in self.dates:
                for shift, var in self.options(agent.agent_id, date):
                    for t in range(epoch_min(shift.start), epoch_min(shift.end), interval_min):
                        if t in open_starts:
                            found.append((agent.agent_id, groups[agent.agent_id], t, per_interval, var))
        found += [(agent_id, groups[agent_id], t, -(overlap // unit), var) for agent_id, t, overlap, var in absent]
        return found

    def add_coverage(self, fixed_units: dict[tuple[tuple[str, ...], int], int] | None = None,
                     unit_min: int | None = None) -> None:
        """Coverage per queue and interval in agent-minutes (breaks and activities subtracted),
        with convex under- and linear over-coverage terms, plus paid-hours cost.

        `fixed_units` adds, per (skill group, interval), the presence of agents outside this model whose
        roster is fixed (a neighbourhood's sub-model); how those groups split across queues stays free."""
        site = self.site
        interval_min = site.interval_min
        self.requirement.update(self.problem.requirement_index())
        open_queues: dict[int, list[str]] = defaultdict(list)
        for queue, start in self.requirement:
            open_queues[start].append(queue)
        self._forbid_overlapping_absences()
        presence = self.presence(unit_min)
        self.presence_terms = presence
        per_interval = interval_min // self.coverage_unit_min
        working: dict[tuple[tuple[str, ...], int], list[tuple[int, Any]]] = defaultdict(list)
        head_count: dict[tuple[tuple[str, ...], int], int] = defaultdict(int)
        for _, group, t, units, var in presence:
            working[(group, t)].append((units, var))
            if units > 0:
                head_count[(group, t)] += 1
        for (group, t), units in (fixed_units or {}).items():
            if units:
                working[(group, t)].append((units, 1))
                head_count[(group, t)] += -(-units // per_interval)

        served: dict[tuple[str, int], list[Any]] = defaultdict(list)
        for (group, t), terms in sorted(working.items()):
            queues = [q for q in group if q in open_queues[t]]
            if not queues:
                continue
            minutes = cp_model.LinearExpr.weighted_sum([var for _, var in terms], [coef for coef, _ in terms])
            if len(queues) == 1:
                served[(queues[0], t)].append(minutes)
                self.allocation[(group, queues[0], t)] = minutes
                continue
            parts = []
            for queue in queues:
                part = self.model.NewIntVar(0, head_count[(group, t)] * per_interval, f"alloc[{'+'.join(group)},{queue},{t}]")
                self.allocation[(group, queue, t)] = part
                served[(queue, t)].append(part)
                parts.append(part)
                self._price_split_move(group, queue, t, part, head_count[(group, t)] * per_interval)
            self.model.Add(sum(parts) == minutes)

        weights = site.objective
        under_weights, over_weight = coverage_weights(site, per_interval)
        total_heads = len(self.problem.agents)
        for (queue, t), need in sorted(self.requirement.items()):
            cover = sum(served.get((queue, t), []))
            self.coverage[(queue, t)] = cover
            segments = []
            for k, weight in enumerate(under_weights):
                last = k == len(under_weights) - 1
                upper = max(need - k, 0) if last else (1 if need > k else 0)
                if upper == 0:
                    continue
                seg = self.model.NewIntVar(0, upper * per_interval, f"under{k + 1}[{queue},{t}]")
                segments.append(seg)
                self.terms.append(ObjectiveTerm("under_coverage", weight, seg, queue, t))
            if segments:
                self.model.Add(sum(segments) >= need * per_interval - cover)
            over = self.model.NewIntVar(0, total_heads * per_interval, f"over[{queue},{t}]")
            self.model.Add(over >= cover - need * per_interval)
            self.terms.append(ObjectiveTerm("over_coverage", over_weight, over, queue, t))

        contracts = {c.id: c for c in site.contracts}
        for agent in self.agents:
            rate = contracts[agent.contract].cost_per_hour * weights.paid_hour_cost_weight
            for date in self.dates:
                for shift, var in self.options(agent.agent_id, date):
                    cost = round(rate * self.site.template(shift.template_id).paid_min / 60 * COST_SCALE)
                    if cost:
                        self.terms.append(ObjectiveTerm("paid_hours_cost", cost, var, agent_id=agent.agent_id))

    def _price_split_move(self, group: tuple[str, ...], queue: str, t: int, part: Any, most: int) -> None:
        """Units of a multi-skilled group sent to `queue` beyond the published split: each is a skill move."""
        problem = self.problem
        if not problem.split_move_cost_per_hour or not problem.split_reference:
            return
        published = round(problem.split_reference.get((group, queue, t), 0.0) * (self.site.interval_min //
                                                                                   self.coverage_unit_min))
        moved = self.model.NewIntVar(0, most, f"moved[{'+'.join(group)},{queue},{t}]")
        self.model.Add(moved >= part - published)
        weight = round(problem.split_move_cost_per_hour * self.coverage_unit_min / 60 * COST_SCALE)
        self.terms.append(ObjectiveTerm("move_skill", weight, moved, queue, t))

    def interval_start(self, start_min: int) -> dt.datetime:
        """Local start time of an interval given in epoch minutes (the model's time keys)."""
        return dt.datetime.fromtimestamp(start_min * 60, ZoneInfo(self.site.timezone))

    def _week_anchor(self) -> dt.datetime:
        """Local midnight of the first day: interval boundaries are counted from here."""
        return local_time(self.dates[0], 0, ZoneInfo(self.site.timezone))

    def minimize(self) -> None:
        """Set the objective: the sum of every term added so far."""
        self.model.Minimize(sum(term.coefficient * term.variable for term in self.terms))


def coverage_weights(site: Site, per_interval: int) -> tuple[list[int], int]:
    """Cost per coverage unit (of interval_min / per_interval minutes): under-coverage by convex segment, each
    segment one agent short over an interval (the last without end), and over-coverage. The YAML's weights are
    per missing or spare agent over a whole interval."""
    weights = site.objective
    return ([round(w * COST_SCALE / per_interval) for w in weights.under_coverage],
            round(weights.over_coverage * COST_SCALE / per_interval))


def hinted_values(roster_model: RosterModel, shifts) -> dict[int, int]:
    """Shift-variable index -> 0/1 for a known roster (chosen = 1, every other option = 0)."""
    chosen = {(s.agent_id, s.shift.date, s.shift.template_id, s.shift.start) for s in shifts}
    return {var.Index(): int((agent_id, date, shift.template_id, shift.start) in chosen)
            for (agent_id, date), options in roster_model.option_groups().items() for shift, var in options}
