"""What every rule in the catalogue is: a YAML form, a CP-SAT encoding and an independent checker.

The encoding sees the solver's decision variables through EncodeContext; the
checker sees only a finished roster (RosterView) and recomputes everything from
shift times, so a bug in an encoding cannot hide itself from its checker.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Protocol, Sequence

from common.errors import InputError
from rules.site import Agent, RuleSpec, Site, TimeOff


def elapsed_min(start: dt.datetime, end: dt.datetime) -> int:
    """Minutes of real time from start to end, whatever the clocks do in between."""
    return int(end.timestamp() - start.timestamp()) // 60


@dataclass(frozen=True)
class Shift:
    """A concrete shift: a template worked from `start` to `end` (tz-aware) on local `date`."""

    template_id: str
    date: dt.date
    start: dt.datetime
    end: dt.datetime

    @property
    def minutes(self) -> int:
        """Elapsed minutes (aware datetimes in one zone subtract on the wall clock: an hour off over a clock
        change)."""
        return elapsed_min(self.start, self.end)

    @property
    def local_start_min(self) -> int:
        return self.start.hour * 60 + self.start.minute


@dataclass(frozen=True)
class Activity:
    """Time inside a shift away from contacts: a break, lunch, meeting or training."""

    name: str
    start: dt.datetime
    end: dt.datetime
    paid: bool = True

    @property
    def minutes(self) -> int:
        """Elapsed minutes (aware datetimes in one zone subtract on the wall clock: an hour off over a clock
        change)."""
        return elapsed_min(self.start, self.end)


@dataclass(frozen=True)
class RosterShift:
    agent_id: str
    shift: Shift
    activities: tuple[Activity, ...] = ()

    @property
    def paid_minutes(self) -> int:
        return self.shift.minutes - sum(a.minutes for a in self.activities if not a.paid)


@dataclass(frozen=True)
class Violation:
    rule: str
    agent_id: str | None
    date: dt.date | None
    message: str


@dataclass(frozen=True)
class Penalty:
    """What a soft rule charges a finished roster: `amount` is weight × count, in objective units."""

    rule: str
    agent_id: str | None
    date: dt.date | None
    amount: float
    message: str


@dataclass(frozen=True)
class Scope:
    """The agents a YAML rule entry binds: `agents: [..]` and/or `contracts: [..]` (both must match)."""

    agents: frozenset[str] | None = None
    contracts: frozenset[str] | None = None

    def covers(self, agent: Agent) -> bool:
        return ((self.agents is None or agent.agent_id in self.agents)
                and (self.contracts is None or agent.contract in self.contracts))

    def describe(self) -> str:
        parts = []
        if self.agents is not None:
            parts.append(f"agents {', '.join(sorted(self.agents))}")
        if self.contracts is not None:
            parts.append(f"contract{'s' if len(self.contracts) > 1 else ''} {', '.join(sorted(self.contracts))}")
        return " and ".join(parts)


@dataclass(frozen=True)
class RosterView:
    """A finished roster as a checker sees it: shifts only, plus the inputs they answer to."""

    site: Site
    agents: dict[str, Agent]
    time_off: tuple[TimeOff, ...]
    dates: tuple[dt.date, ...]
    shifts: tuple[RosterShift, ...]

    def shifts_of(self, agent_id: str) -> list[Shift]:
        return sorted(self._by_agent.get(agent_id, []), key=lambda s: s.start)

    @functools.cached_property
    def _by_agent(self) -> dict[str, list[Shift]]:
        """Shifts per agent, indexed once: checkers ask per agent, and a scan per agent was quadratic."""
        index: dict[str, list[Shift]] = {}
        for r in self.shifts:
            index.setdefault(r.agent_id, []).append(r.shift)
        return index


@dataclass(frozen=True)
class FixedPlan:
    """What is fixed from outside a solve: a published roster, the dates that may change, and the moment
    before which nothing changes (the frozen past, `now` plus notice, during the day).

    The roster problem carries it, so every model built from the problem (the full model, each
    neighbourhood's sub-model, the diagnosis) sees the same frozen past. On a date outside `open_dates`
    each agent works exactly their reference shift, with its activities; on an open date, a shift or
    activity that starts before `until` is the reference's, and everything from `until` on is free.
    """

    reference: tuple[RosterShift, ...]
    open_dates: frozenset[dt.date]
    until: dt.datetime

    @functools.cached_property
    def by_agent_day(self) -> dict[tuple[str, dt.date], RosterShift]:
        return {(r.agent_id, r.shift.date): r for r in self.reference}

    def shift_on(self, agent_id: str, date: dt.date) -> RosterShift | None:
        return self.by_agent_day.get((agent_id, date))

    def started(self, agent_id: str, date: dt.date) -> bool:
        """The agent's reference shift that day began before the freeze: it cannot be undone or moved."""
        ref = self.shift_on(agent_id, date)
        return ref is not None and ref.shift.start < self.until

    def allows(self, agent_id: str, shift: Shift) -> bool:
        """May this shift be worked, given the frozen past? (Only asked for open dates.)"""
        ref = self.shift_on(agent_id, shift.date)
        if ref is not None and ref.shift.start < self.until:
            if shift.start != ref.shift.start:
                return False
            return shift.end >= self.until or shift == ref.shift
        return shift.start >= self.until


class EncodeContext(Protocol):
    """The roster model as rules see it (implemented in scheduler.roster.model).

    The contract a rule keeps with the solver:
    - it creates variables only through `model`, named after its own kind and the agent they belong to, and a
      name means the same value in any model, whatever subset of an agent's options it holds (a
      neighbourhood builds a kept day with one option and maps its variables back by name);
    - it adds cost only through `penalize`, and every cost term names its agent (`agent_id`), so a
      neighbourhood's sub-model can price the agents it holds fixed;
    - it places activities (breaks, training) only on `open_dates`; on other dates the agent's shift is
      fixed and its activities are `fixed_activities` (counted, never re-placed).
    """

    model: Any                      # ortools.sat.python.cp_model.CpModel
    dates: Sequence[dt.date]
    open_dates: Sequence[dt.date]   # the dates whose decisions the solve may change (all, for a weekly plan)

    def options(self, agent_id: str, date: dt.date) -> list[tuple[Shift, Any]]:
        """The shifts the agent may work that day, each with its 0/1 decision variable."""

    def works(self, agent_id: str, date: dt.date) -> Any:
        """0/1 linear expression: the agent works a shift starting that day."""

    def penalize(self, kind: str, expr: Any, weight: float, agent_id: str | None = None) -> None:
        """Add weight × expr (an integer expression ≥ 0) to the objective under the rule's name."""

    def add_absence(self, agent_id: str, date: dt.date, name: str, start: dt.datetime, minutes: int,
                    var: Any, within: Sequence[Any], paid: bool = True, literal: Any | None = None) -> None:
        """When var = 1 the agent is off contacts from start for minutes (break, meeting, training). It may be
        1 only when one of the shift variables `within` is: the context adds that constraint itself, so a
        heuristic that places absences inside chosen shifts knows which shifts hold each one."""

    def choose_absences(self, absences: Sequence[Any], count: Any, literal: Any | None = None) -> None:
        """Exactly `count` of these absence variables are 1; `count` is a whole number or a sum of shift
        variables (one break per worked shift). The context adds the constraint and keeps the choice, so a
        placement heuristic knows what it must place; a rule whose count depends on anything else (a deferred
        session) adds its own constraint instead."""

    def fixed_activities(self, agent_id: str, date: dt.date) -> tuple[Activity, ...]:
        """The activities of a fixed (not open) day's shift: they stand as published."""

    def absence_vars(self, agent_id: str, date: dt.date) -> list[tuple[str, dt.datetime, Any, int]]:
        """(name, start, var, minutes) of every activity placed so far on an open day (for rules that cost
        moves or cap how many agents do one thing at once)."""


SCOPE_KEYS = {"agents", "contracts"}     # every YAML rule entry may narrow itself to some agents


def enforce(constraint: Any, literal: Any | None) -> None:
    """Guard a constraint by an assumption literal when diagnosing, as CP-SAT assumptions need."""
    if literal is not None:
        constraint.OnlyEnforceIf(literal)


class Rule:
    """Base of every rule. Subclasses set `kind` and implement describe/encode/check.

    A rule that only removes shift options (availability, time off) overrides
    `option_allowed`; the roster model then never creates those options, and
    diagnosis forbids them under the rule's own assumption literal.

    A soft rule adds penalties in `encode` (ctx.penalize) and reports them from
    `penalties`; `check` reports only broken hard constraints.

    `scope` (set by the catalogue from a YAML entry's `agents:`/`contracts:`)
    limits the rule to some agents: `applies_to`, `option_allowed`, `check` and
    `penalties` of every subclass honour it without the subclass doing anything
    (they are wrapped when the subclass is defined), so a checker only ever sees
    the agents its rule binds.
    """

    kind: ClassVar[str] = ""
    # A rule whose constraints or costs tie agents together (a site-wide cap, fairness) says so: its cost
    # terms may name no agent, and a neighbourhood must hold the agents it does not free to its terms.
    couples_agents: ClassVar[bool] = False
    # A rule whose per-agent encoding only places things (breaks) inside the shifts chosen, so that every
    # shift it sees has a placement on its own, says so: a solve that only chooses shifts (the greedy start)
    # leaves it out, and the completion places them.
    places_inside_shifts: ClassVar[bool] = False
    # A rule whose site-level encoding (encode_site) is only each agent's own terms and constraints (fairness
    # prices an agent's own weekend; stability its own changes) says so: an agent's model alone carries them,
    # so the greedy start weighs what a shift costs that agent.
    site_terms_per_agent: ClassVar[bool] = False
    where: str = ""
    scope: Scope | None = None
    soft: bool = False
    weight: float = 0.0
    entry: str = ""          # "" for the first entry of its kind in the rule set, "#2", "#3"... for later ones

    @property
    def label(self) -> str:
        """The rule entry's identity: what its variables and cost terms are keyed by."""
        return self.kind + self.entry

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__
        if "applies_to" in own:
            cls.applies_to = _scoped_applies_to(own["applies_to"])
        if "option_allowed" in own:
            cls.option_allowed = _scoped_option_allowed(own["option_allowed"])
        for name in ("check", "penalties"):
            if name in own:
                setattr(cls, name, _scoped_view(own[name]))

    def in_scope(self, agent: Agent) -> bool:
        return self.scope is None or self.scope.covers(agent)

    def scoped(self, roster: "RosterView") -> "RosterView":
        """The roster restricted to the agents this rule binds (the roster itself when unscoped)."""
        if self.scope is None:
            return roster
        agents = {a: agent for a, agent in roster.agents.items() if self.scope.covers(agent)}
        return replace(roster, agents=agents, shifts=tuple(s for s in roster.shifts if s.agent_id in agents))

    def describe(self) -> str:
        raise NotImplementedError

    def explain(self, agent: Agent) -> str:
        """The rule as it binds one agent, in a planner's words (used when a week is infeasible)."""
        return self.describe()

    def applies_to(self, agent: Agent) -> bool:
        return self.in_scope(agent)

    def option_allowed(self, agent: Agent, shift: Shift) -> bool:
        return True

    def encode(self, ctx: EncodeContext, agent: Agent, literal: Any | None = None) -> None:
        """Add the rule's hard constraints for one agent (guarded by literal when given)."""

    def encode_site(self, ctx: EncodeContext, agents: list[Agent]) -> None:
        """Add terms that look at all agents at once (fairness); called once per model."""

    def check(self, roster: RosterView) -> list[Violation]:
        raise NotImplementedError

    def penalties(self, roster: RosterView) -> list[Penalty]:
        """What a soft rule charges this roster (nothing for a hard rule)."""
        return []


class RuleContractError(RuntimeError):
    """A rule broke its contract with the solver (see EncodeContext): a bug in the rule, not the planner's input."""


def _scoped_applies_to(method):
    @functools.wraps(method)
    def applies_to(self: Rule, agent: Agent) -> bool:
        return self.in_scope(agent) and method(self, agent)
    return applies_to


def _scoped_option_allowed(method):
    @functools.wraps(method)
    def option_allowed(self: Rule, agent: Agent, shift: Shift) -> bool:
        return not self.in_scope(agent) or method(self, agent, shift)
    return option_allowed


def _scoped_view(method):
    @functools.wraps(method)
    def scoped_method(self: Rule, roster: RosterView) -> list:
        return method(self, self.scoped(roster))
    return scoped_method


def param(spec: RuleSpec, key: str, *, low: float | None = None, integer: bool = True,
          default: Any = ...) -> Any:
    """Read one numeric parameter of a YAML rule entry, naming the key when it is wrong."""
    if key not in spec.params or spec.params[key] is None:
        if default is not ...:
            return default
        raise InputError(f"{spec.where}.{key}", f"rule '{spec.kind}' needs '{key}'", f"add '{key}:' to this rule")
    value = spec.params[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and float(value) != int(value)):
        kind = "a whole number" if integer else "a number"
        raise InputError(f"{spec.where}.{key}", f"{value!r} is not {kind}", f"write {kind} for '{key}'")
    if low is not None and value < low:
        raise InputError(f"{spec.where}.{key}", f"{value!r} is below {low:g}", f"'{key}' must be at least {low:g}")
    return int(value) if integer else float(value)


def template_param(spec: RuleSpec, key: str, site: Site) -> str:
    """A parameter naming a shift template; unknown names are the planner's typo."""
    if key not in spec.params:
        raise InputError(f"{spec.where}.{key}", f"rule '{spec.kind}' needs '{key}' (a shift template id)",
                         f"add '{key}:' naming one of: {', '.join(t.id for t in site.shift_templates)}")
    name = str(spec.params[key])
    ids = [t.id for t in site.shift_templates]
    if name not in ids:
        raise InputError(f"{spec.where}.{key}", f"rule '{spec.kind}' refers to shift template '{name}', which does not exist",
                         f"use one of the shift_templates ids: {', '.join(ids)}")
    return name


def check_keys(spec: RuleSpec, allowed: set[str], soft_allowed: bool = False) -> None:
    """Reject unknown settings; `soft`/`weight` only where the rule has a soft form."""
    unknown = sorted(set(spec.params) - allowed - SCOPE_KEYS - {"soft", "weight"})
    if unknown:
        raise InputError(f"{spec.where}.{unknown[0]}", f"unknown setting for rule '{spec.kind}'",
                         f"this rule takes: {', '.join(sorted(allowed | SCOPE_KEYS))}")
    if spec.params.get("soft") and not soft_allowed:
        raise InputError(f"{spec.where}.soft", f"rule '{spec.kind}' can only be hard for now",
                         "remove 'soft: true' (soft versions of labour rules are on the roadmap)")


def soft_settings(spec: RuleSpec) -> tuple[bool, float]:
    """(soft, weight) of a rule entry: `soft: true` needs a positive `weight` per violation."""
    soft = spec.params.get("soft", False)
    if not isinstance(soft, bool):
        raise InputError(f"{spec.where}.soft", f"{soft!r} is not true or false", "write soft: true or leave it out")
    if not soft:
        return False, 0.0
    weight = param(spec, "weight", low=0, integer=False)
    return True, weight


def bool_param(spec: RuleSpec, key: str, default: bool) -> bool:
    value = spec.params.get(key, default)
    if not isinstance(value, bool):
        raise InputError(f"{spec.where}.{key}", f"{value!r} is not true or false", f"write {key}: true or {key}: false")
    return value


def _name_list(spec: RuleSpec, key: str) -> frozenset[str] | None:
    if key not in spec.params:
        return None
    value = spec.params[key]
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list) or not value or any(isinstance(v, (bool, dict, list)) or v is None for v in value):
        raise InputError(f"{spec.where}.{key}", f"{value!r} is not a list of ids",
                         f"write {key}: [id1, id2] (at least one id)")
    return frozenset(str(v) for v in value)


def parse_scope(spec: RuleSpec, site: Site) -> Scope | None:
    """The optional `agents:`/`contracts:` keys of a rule entry; contract ids are checked against the site."""
    agents, contracts = _name_list(spec, "agents"), _name_list(spec, "contracts")
    if agents is None and contracts is None:
        return None
    known = {c.id for c in site.contracts}
    for contract in sorted(contracts or ()):
        if contract not in known:
            raise InputError(f"{spec.where}.contracts",
                             f"rule '{spec.kind}' names contract '{contract}', which does not exist",
                             f"use contract ids from the site's contracts: {', '.join(sorted(known))}")
    return Scope(agents, contracts)
