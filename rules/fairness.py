"""Fairness: four loads shared out across agents, counting past weeks from a ledger.

Each dimension is optional, with its own weight in the YAML:

    - rule: fairness
      weekends: 40            # weekends worked
      late_shifts: 15         # shifts of templates marked `late: true`
      unmet_preferences: 60   # requests of the preferences rule not granted
      extra_hours: 4          # paid hours above the contract's weekly minimum (banded contracts only)

Each agent's load is their count in the ledger of past weeks plus this week's,
and the roster pays a convex cost of it (as the increase over the past, since
the past is fixed): the next unit of load is cheapest for whoever carries
least, which spreads the load the way a lexicographic min-max does while the
objective stays a sum the solver handles well.

Weekends and late shifts cost weight × ((past + now)² − past²).

Unmet preferences are compared as a *share* of the requests an agent made, so
asking often neither earns nor costs an agent anything: the cost is
weight × ((past unmet + unmet)² − past unmet²) / (requests made, past and this
week). Denying one more request then costs about 2 × weight × the agent's
denied share so far: the planner's "whose wishes have we turned down most often?".

Extra hours are only shared among agents whose contract has an hours band
(min < max); a fixed-hours contract has nothing to share. The load is hours
above the band's minimum, averaged over the weeks worked: cost
weight × ((past extra + extra)² − past extra²) / (weeks in the ledger + 1), so
the next extra hour costs about 2 × weight × the agent's average extra hours a
week — what a planner reads off a timesheet ("Sam averages 4 h over his
contract, Jo 1 h: the extra shift goes to Jo"). Measuring above the minimum
rather than around the band's midpoint keeps the cheapest roster (everyone on
their minimum) free of fairness cost, so the term decides who gets hours the
site needs and never buys hours it does not; averaging per week stops a
recent starter, with little history, from being handed every extra shift.

The two shares are priced by a per-agent table in cents (the objective's own
unit), so each agent's cost is exact to the cent whatever the weight.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from common.errors import InputError
from rules.base import EncodeContext, Penalty, RosterView, Rule, Shift, Violation, check_keys, param, parse_scope
from rules.site import Agent, RuleSpec, Site

WEEKEND = (5, 6)   # Saturday, Sunday
CENTS = 100        # the tables below count cents; the objective's unit (COST_SCALE) is at least this fine
DIMENSIONS = ("weekends", "late_shifts", "unmet_preferences", "extra_hours")


@dataclass(frozen=True)
class WishSeen:
    """A preference request as the checker reads it (built from the YAML, not from the encoding's types)."""

    agent_id: str
    date: Any
    template_id: str | None
    start_min: int | None
    want: bool


@dataclass(frozen=True)
class WeekLoad:
    """One agent's fairness counts for the week, recomputed from the finished roster alone."""

    weekend: int
    late: int
    asked: int
    unmet: int
    extra_hours: float | None    # None: the contract has no hours band


def preference_rules(site: Site) -> list[Rule]:
    """The site's preferences rules, each with its scope, read the way that rule reads its requests."""
    from rules.preferences import Preferences   # a peer rule, imported late: it is only needed when used
    rules: list[Rule] = []
    for spec in site.rule_specs:
        if spec.kind == "preferences":
            rule = Preferences(spec, site)
            rule.scope = parse_scope(spec, site)
            rules.append(rule)
    return rules


def requests_of(rules: list[Rule], agent: Agent) -> list[Any]:
    """The agent's requests across the preferences rules whose scope covers them."""
    return [r for rule in rules if rule.in_scope(agent) for r in rule.by_agent.get(agent.agent_id, [])]


def banded(site: Site, agent: Agent) -> bool:
    contract = site.contract(agent.contract)
    return contract.max_hours_week > contract.min_hours_week


def share_increase(past: float, now: float, base: float) -> float:
    """The convex cost's increase, divided by what the load is a share or average of."""
    return ((past + now) ** 2 - past ** 2) / base


class Fairness(Rule):
    kind = "fairness"
    site_terms_per_agent = True
    soft = True

    def __init__(self, spec: RuleSpec, site: Site, ledger: dict[str, dict[str, float]] | None = None):
        check_keys(spec, set(DIMENSIONS), soft_allowed=True)
        self.where = spec.where
        self.site = site
        self.weekend_weight = param(spec, "weekends", low=0, integer=False, default=0.0)
        self.late_weight = param(spec, "late_shifts", low=0, integer=False, default=0.0)
        self.unmet_weight = param(spec, "unmet_preferences", low=0, integer=False, default=0.0)
        self.hours_weight = param(spec, "extra_hours", low=0, integer=False, default=0.0)
        if not any(key in spec.params for key in DIMENSIONS):
            raise InputError(spec.where, "the fairness rule names nothing to share out",
                             f"add at least one of {', '.join(DIMENSIONS)} with its weight")
        self.late_templates = {t.id for t in site.shift_templates if t.late}
        if self.late_weight and not self.late_templates:
            raise InputError(f"{spec.where}.late_shifts", "no shift template is marked late",
                             "add 'late: true' to the late shift templates, or drop late_shifts")
        self.wish_rules: list[Rule] = []
        if self.unmet_weight:
            if not any(s.kind == "preferences" for s in site.rule_specs):
                raise InputError(f"{spec.where}.unmet_preferences", "the site has no preferences rule to share out",
                                 "add a 'rule: preferences' entry with the agents' requests, or drop unmet_preferences")
            self.wish_rules = preference_rules(site)
        if self.hours_weight and not any(c.max_hours_week > c.min_hours_week for c in site.contracts):
            raise InputError(f"{spec.where}.extra_hours", "no contract has an hours band, so there are no extra hours "
                             "to share", "give a contract min_hours_week below max_hours_week, or drop extra_hours")
        self.paid_min = {t.id: t.paid_min for t in site.shift_templates}
        if ledger is None and "fairness_ledger" in site.files:
            from rules.agents_file import load_ledger
            ledger = load_ledger(site.files["fairness_ledger"])
        self.ledger = ledger or {}

    def describe(self) -> str:
        names = {"weekends": self.weekend_weight, "late shifts": self.late_weight,
                 "unmet preferences (as a share of requests)": self.unmet_weight,
                 "extra hours above contract minimum (per week)": self.hours_weight}
        parts = [f"{name} (weight {weight:g})" for name, weight in names.items() if weight]
        return "share out " + ", ".join(parts) + " across agents, counting past weeks"

    def past(self, agent_id: str, what: str) -> float:
        return self.ledger.get(agent_id, {}).get(what, 0)

    @staticmethod
    def increase(past: int, now: int) -> int:
        return (past + now) ** 2 - past ** 2

    # --- encoding ---------------------------------------------------------------------
    def encode_site(self, ctx: EncodeContext, agents: list[Agent]) -> None:
        weekend_days = [d for d in ctx.dates if d.weekday() in WEEKEND]
        for agent in agents:
            if not self.applies_to(agent):
                continue
            if self.weekend_weight and weekend_days:
                self._encode_weekend(ctx, agent, weekend_days)
            if self.late_weight:
                self._encode_late(ctx, agent)
            if self.unmet_weight:
                self._encode_unmet(ctx, agent)
            if self.hours_weight and banded(self.site, agent):
                self._encode_extra_hours(ctx, agent)

    def _encode_weekend(self, ctx: EncodeContext, agent: Agent, weekend_days: list[Any]) -> None:
        works = [ctx.works(agent.agent_id, d) for d in weekend_days]
        worked = ctx.model.NewBoolVar(f"weekend[{agent.agent_id}]")
        for day in works:
            ctx.model.Add(worked >= day)
        ctx.model.Add(worked <= sum(works))
        cost = self.increase(int(self.past(agent.agent_id, "weekends_worked")), 1)
        ctx.penalize("fairness_weekends", worked, self.weekend_weight * cost, agent.agent_id)

    def _encode_late(self, ctx: EncodeContext, agent: Agent) -> None:
        lates = [var for d in ctx.dates for shift, var in ctx.options(agent.agent_id, d)
                 if shift.template_id in self.late_templates]
        if not lates:
            return
        past = int(self.past(agent.agent_id, "late_shifts"))
        count = ctx.model.NewIntVar(0, len(ctx.dates), f"lates[{agent.agent_id}]")
        ctx.model.Add(count == sum(lates))
        extra = self._convex(ctx, f"late_cost[{agent.agent_id}]", count,
                             [self.increase(past, n) for n in range(len(ctx.dates) + 1)])
        ctx.penalize("fairness_late_shifts", extra, self.late_weight, agent.agent_id)

    @staticmethod
    def _convex(ctx: EncodeContext, name: str, index: Any, table: list[int]) -> Any:
        """An integer variable equal to table[index]; for a convex table, the chords between its points
        are added as cuts so the LP relaxation sees the convex cost rather than a flat element."""
        cost = ctx.model.NewIntVar(min(table), max(table), name)
        ctx.model.AddElement(index, table, cost)
        slopes = [b - a for a, b in zip(table, table[1:])]
        if all(s <= t for s, t in zip(slopes, slopes[1:])):
            for j, slope in enumerate(slopes):
                ctx.model.Add(cost >= table[j] + slope * (index - j))
        return cost

    def _priced(self, ctx: EncodeContext, agent: Agent, what: str, index: Any, table: list[int],
                kind: str) -> None:
        """cost = table[index], charged in cents under the dimension's term name."""
        cost = self._convex(ctx, f"{what}_cost[{agent.agent_id}]", index, table)
        ctx.penalize(kind, cost, 1 / CENTS, agent.agent_id)

    def requests_in(self, agent: Agent, dates) -> list[Any]:
        """The agent's requests on these dates: the ones whose unmet count this week's fairness prices."""
        dates = set(dates)
        return [r for r in requests_of(self.wish_rules, agent) if r.date in dates]

    def unmet_table(self, agent_id: str, requests: int) -> list[int]:
        """Cents charged for 0, 1, ... `requests` of this week's requests unmet (convex)."""
        past = self.past(agent_id, "preferences_unmet")
        asked = self.past(agent_id, "preferences_asked") + requests
        return [round(CENTS * self.unmet_weight * share_increase(past, n, asked)) for n in range(requests + 1)]

    def _encode_unmet(self, ctx: EncodeContext, agent: Agent) -> None:
        requests = self.requests_in(agent, ctx.dates)
        if not requests:
            return
        unmet = []
        for request in requests:
            granted = sum(var for shift, var in ctx.options(agent.agent_id, request.date) if request.matches(shift))
            unmet.append((1 - granted) if request.want else granted)
        count = ctx.model.NewIntVar(0, len(requests), f"unmet[{agent.agent_id}]")
        ctx.model.Add(count == sum(unmet))
        self._priced(ctx, agent, "unmet", count, self.unmet_table(agent.agent_id, len(requests)),
                     "fairness_unmet_preferences")

    def _encode_extra_hours(self, ctx: EncodeContext, agent: Agent) -> None:
        options = [(self.paid_min[shift.template_id], var)
                   for d in ctx.dates for shift, var in ctx.options(agent.agent_id, d)]
        if not options:
            return
        # The step divides every template's paid minutes, not only this model's options: a neighbourhood's
        # sub-model (fewer options) must give paid_steps[agent] the full model's meaning.
        step = math.gcd(*self.paid_min.values()) or 1
        most = sum(max((self.paid_min[s.template_id] for s, _ in ctx.options(agent.agent_id, d)), default=0)
                   for d in ctx.dates) // step
        steps = ctx.model.NewIntVar(0, most, f"paid_steps[{agent.agent_id}]")
        ctx.model.Add(step * steps == sum(minutes * var for minutes, var in options))
        floor_min = self.site.contract(agent.contract).min_hours_week * 60
        past = self.past(agent.agent_id, "extra_hours")
        weeks = self.past(agent.agent_id, "weeks") + 1
        table = [round(CENTS * self.hours_weight * share_increase(past, max(step * k - floor_min, 0) / 60, weeks))
                 for k in range(most + 1)]
        self._priced(ctx, agent, "extra_hours", steps, table, "fairness_extra_hours")

    # --- checking ---------------------------------------------------------------------
    def counts(self, roster: RosterView) -> dict[str, WeekLoad]:
        """agent -> this week's loads, from the shifts alone."""
        return week_loads(roster, self.late_templates, wishes_by_agent(self.wish_rules, roster))

    def check(self, roster: RosterView) -> list[Violation]:
        return []

    def penalties(self, roster: RosterView) -> list[Penalty]:
        found = []
        for agent_id, load in self.counts(roster).items():
            if self.weekend_weight and load.weekend:
                past = self.past(agent_id, "weekends_worked")
                found.append(Penalty("fairness_weekends", agent_id, None,
                                     self.weekend_weight * ((past + load.weekend) ** 2 - past ** 2),
                                     f"works this weekend after {past:g} past weekend(s)"))
            if self.late_weight and load.late:
                past = self.past(agent_id, "late_shifts")
                found.append(Penalty("fairness_late_shifts", agent_id, None,
                                     self.late_weight * ((past + load.late) ** 2 - past ** 2),
                                     f"{load.late} late shift(s) after {past:g} in past weeks"))
            if self.unmet_weight and load.unmet:
                past, asked = self.past(agent_id, "preferences_unmet"), self.past(agent_id, "preferences_asked")
                total = asked + load.asked
                found.append(Penalty("fairness_unmet_preferences", agent_id, None,
                                     self.unmet_weight * ((past + load.unmet) ** 2 - past ** 2) / total,
                                     f"{load.unmet} of {load.asked} request(s) not granted; "
                                     f"{past + load.unmet:g} of {total:g} including past weeks"))
            if self.hours_weight and load.extra_hours:
                past, weeks = self.past(agent_id, "extra_hours"), self.past(agent_id, "weeks") + 1
                found.append(Penalty("fairness_extra_hours", agent_id, None,
                                     self.hours_weight * ((past + load.extra_hours) ** 2 - past ** 2) / weeks,
                                     f"{load.extra_hours:g} h above the contract minimum; "
                                     f"{past + load.extra_hours:g} h over {weeks:g} week(s) including past weeks"))
        return found


def wishes_by_agent(rules: list[Rule], roster: RosterView) -> dict[str, list[WishSeen]]:
    return {agent_id: [WishSeen(r.agent_id, r.date, r.template_id, r.start_min, r.want)
                       for r in requests_of(rules, agent)]
            for agent_id, agent in roster.agents.items()}


def _granted(wish: WishSeen, shifts: list[Shift]) -> bool:
    """Did the agent work a shift that day of the wished template and start (by the roster's clock times)?"""
    for shift in shifts:
        if shift.date != wish.date:
            continue
        if wish.template_id is not None and shift.template_id != wish.template_id:
            continue
        if wish.start_min is not None and shift.start.hour * 60 + shift.start.minute != wish.start_min:
            continue
        return True
    return False


def week_loads(roster: RosterView, late_templates: set[str], wishes: dict[str, list[WishSeen]]
               ) -> dict[str, WeekLoad]:
    """Each agent's weekend, late shifts, requests made and unmet, and paid hours above the contract minimum."""
    dates = set(roster.dates)
    loads = {}
    for agent_id, agent in roster.agents.items():
        shifts = roster.shifts_of(agent_id)
        weekend = int(any(s.date.weekday() in WEEKEND for s in shifts))
        late = sum(1 for s in shifts if s.template_id in late_templates)
        mine = [w for w in wishes.get(agent_id, []) if w.date in dates]
        unmet = sum(1 for w in mine if _granted(w, shifts) != w.want)
        extra = None
        if banded(roster.site, agent):
            minutes = sum(r.shift.minutes - sum(a.minutes for a in r.activities if not a.paid)
                          for r in roster.shifts if r.agent_id == agent_id)
            extra = max(minutes / 60 - roster.site.contract(agent.contract).min_hours_week, 0.0)
        loads[agent_id] = WeekLoad(weekend, late, len(mine), unmet, extra)
    return loads


def updated_ledger(past: dict[str, dict[str, float]], roster: RosterView) -> list[dict[str, Any]]:
    """The ledger carried into next week: past counts plus this week's, one row per agent.

    Every column is carried whether or not its fairness dimension is switched on, so
    turning one on later finds its history already there.
    """
    late_templates = {t.id for t in roster.site.shift_templates if t.late}
    loads = week_loads(roster, late_templates, wishes_by_agent(preference_rules(roster.site), roster))
    rows = []
    for agent_id in sorted(roster.agents):
        load = loads[agent_id]
        before = past.get(agent_id, {})

        def carried(column: str, now: float) -> float:
            return before.get(column, 0) + now
        rows.append({"agent_id": agent_id, "weeks": int(carried("weeks", 1)),
                     "weekends_worked": int(carried("weekends_worked", load.weekend)),
                     "late_shifts": int(carried("late_shifts", load.late)),
                     "preferences_asked": int(carried("preferences_asked", load.asked)),
                     "preferences_unmet": int(carried("preferences_unmet", load.unmet)),
                     "extra_hours": round(carried("extra_hours", load.extra_hours or 0.0), 2)})
    return rows
