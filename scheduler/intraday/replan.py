"""Re-plan the rest of today on the roster model: the published roster fixed before `now` + notice and on
every other day, today's remaining decisions free, every departure priced.

Three solves answer a supervisor's question side by side:
- `hold`: nothing changes (the published roster, and the published split of multi-skilled agents);
- `plan`: the fewest, cheapest changes the intraday policy allows (the surge plan);
- `scratch`: the rest of the day re-solved with every template and variant and no price on change,
  what an unconstrained re-plan could reach (and how many agents' days it would touch).
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field, replace

import pandas as pd

from rules.base import FixedPlan, RosterShift, RosterView, Rule, Violation
from rules.catalogue import hard_violations, site_rules
from rules.site import Agent, Site, TimeOff
from rules.stability import ReferenceRoster
from scheduler.intraday.policy import IntradayPolicy
from scheduler.intraday.variants import today_options, with_deferrable_activities, with_variants
from scheduler.roster.coverage_check import check_coverage
from scheduler.roster.model import RosterProblem, epoch_min
from scheduler.roster.solve import RosterResult, solve_roster

log = logging.getLogger(__name__)


@dataclass
class Replan:
    name: str                       # hold | plan | scratch
    site: Site                      # the site with today's variant templates
    rules: list[Rule]
    result: RosterResult
    violations: list[Violation]
    changed_agents: int             # agents whose today differs from the published roster after the freeze
    wall_s: float = 0.0             # model build, start, search and checks


@dataclass(frozen=True)
class Day:
    """The re-plan's frame: the week's dates, today, now and the freeze."""

    dates: tuple[dt.date, ...]
    date: dt.date
    now: dt.datetime
    until: dt.datetime


def day_frame(dates: tuple[dt.date, ...], now: dt.datetime, policy: IntradayPolicy) -> Day:
    until = now + dt.timedelta(minutes=policy.freeze_min)
    return Day(dates, now.date(), now, until)


def _changed(reference: list[RosterShift], revised: list[RosterShift], day: Day) -> int:
    before = {r.agent_id: r for r in reference if r.shift.date == day.date}
    after = {r.agent_id: r for r in revised if r.shift.date == day.date}
    return sum(1 for agent_id in set(before) | set(after)
               if (before.get(agent_id) is None) != (after.get(agent_id) is None)
               or (before.get(agent_id) and (before[agent_id].shift != after[agent_id].shift
                                             or set(before[agent_id].activities) != set(after[agent_id].activities))))


@dataclass(frozen=True)
class Mode:
    """How free one re-plan of today is."""

    name: str
    until: dt.datetime                      # nothing starting before this changes
    extra: dict = field(default_factory=dict)   # the policy's variant shifts per (agent, date)
    listed_only: bool = True                # only the published shift and `extra`, or every template too
    priced: bool = False                    # departures cost the policy's prices (and their caps hold)
    offered: frozenset[str] = frozenset()   # agents who may be offered voluntary time off
    split: dict | None = None               # the published split of multi-skilled agents, to price moves from


def replan_once(mode: Mode, site: Site, agents: list[Agent], time_off: list[TimeOff], reference: list[RosterShift],
           requirements: pd.DataFrame, day: Day, policy: IntradayPolicy, time_limit_s: float) -> Replan:
    """One re-plan of today in the given mode, checked by every rule's checker and the frozen past's."""
    started = time.perf_counter()
    name, extra, priced, split = mode.name, mode.extra, mode.priced, mode.split
    fixed = FixedPlan(tuple(reference), frozenset({day.date}), mode.until)
    templates = {s.template_id for shifts in extra.values() for s in shifts} | {r.shift.template_id for r in reference}
    # Every mode may defer training: a roster revised by an earlier surge can have deferred a session already,
    # and holding it (or re-solving around it) must not call that roster infeasible.
    derived = with_deferrable_activities(with_variants(site, templates, policy), policy)
    # Today's staff are already paid for: spare agents cost nothing more, only shortfall and changes do.
    derived = replace(derived, solver=replace(derived.solver, time_limit_s=time_limit_s),
                      objective=replace(derived.objective, over_coverage=0.0))
    rules = site_rules(derived, time_off)
    if priced:
        rules.append(ReferenceRoster(derived, fixed, policy.prices(), mode.offered))
    problem = RosterProblem(derived, agents, time_off, day.dates, rules, requirements, fixed=fixed,
                            extra_options=extra, start=tuple(reference), listed_options_only=mode.listed_only,
                            split_reference=split or {},
                            split_move_cost_per_hour=policy.move_skill.cost_per_hour if priced and split else 0.0)
    log.info("re-planning (%s): %d agents, %g s", name, len(agents), time_limit_s)
    result = solve_roster(problem)
    log.info("  %s: solved in %.1f s (%.1f s since the start of the re-plan)", name, result.report.wall_s,
             time.perf_counter() - started)
    view = RosterView(derived, {a.agent_id: a for a in agents}, tuple(time_off), day.dates, tuple(result.shifts))
    violations = hard_violations(rules, view)
    violations += check_coverage(result.shifts, view.agents, derived.interval_min, result.allocation, result.coverage)
    if not priced:     # the frozen past holds for every re-plan: check it even where changes are free
        violations += ReferenceRoster(derived, fixed, policy.prices()).frozen_past_violations(view)
    return Replan(name, derived, rules, result, violations, _changed(reference, result.shifts, day),
                  time.perf_counter() - started)


def split_of(allocation: pd.DataFrame) -> dict[tuple[tuple[str, ...], str, int], float]:
    """A roster's split of multi-skilled groups across queues, keyed as the roster model keys it."""
    return {(tuple(row.skills.split(";")), row.queue, epoch_min(pd.Timestamp(row.start).to_pydatetime())): row.agents
            for row in allocation.itertuples(index=False)}


def replan_day(site: Site, agents: list[Agent], time_off: list[TimeOff], reference: list[RosterShift],
               requirements: pd.DataFrame, published_requirements: pd.DataFrame, day: Day, policy: IntradayPolicy,
               time_limit_s: float, with_scratch: bool = True, lull_queues: frozenset[str] = frozenset(),
               surge_queues: frozenset[str] = frozenset()) -> dict[str, Replan]:
    """The hold, plan and (optionally) scratch re-plans of today against `requirements` (rest of today), and
    `published`: the published roster against the day-ahead requirements, whose split of multi-skilled
    agents across queues the plan pays to depart from (a skill move).

    Voluntary time off is offered only to agents with a queue in a lull and none in a surge: a supervisor
    does not send people home while their queue runs above forecast, even where the requirement is met."""
    today = {r.agent_id: r for r in reference if r.shift.date == day.date}
    offered = frozenset(a.agent_id for a in agents if set(a.skills) & lull_queues and not set(a.skills) & surge_queues)
    extra = today_options(site, agents, time_off, today, day.date, day.now, policy, offered)
    end_of_day = dt.datetime.combine(day.date + dt.timedelta(days=1), dt.time(), day.now.tzinfo)
    short = min(time_limit_s, 5.0)     # nothing is free in these two: the prover closes them at once
    solve = lambda mode, needed, limit: replan_once(mode, site, agents, time_off, reference, needed, day, policy, limit)  # noqa: E731
    out = {"published": solve(Mode("published", end_of_day), published_requirements, short),
           "hold": solve(Mode("hold", end_of_day), requirements, short)}
    split = split_of(out["published"].result.allocation)
    out["plan"] = solve(Mode("plan", day.until, extra, priced=True, offered=offered, split=split), requirements,
                        time_limit_s)
    if with_scratch:
        out["scratch"] = solve(Mode("scratch", day.until, extra, listed_only=False), requirements, time_limit_s)
    return out
