"""The sample site's agents, their approved time off and their past fairness counts."""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from data.sample_calendar import PLANNING_WEEK, WEEKDAYS, ContractSpec, Hours, SiteCalendar, clock_text, weekday_name

FIRST_NAMES = (
    "Oliver", "Amelia", "Jack", "Olivia", "Harry", "Isla", "George", "Emily", "Charlie", "Sophie",
    "Thomas", "Jessica", "James", "Grace", "William", "Chloe", "Daniel", "Lucy", "Joshua", "Megan",
    "Samuel", "Hannah", "Liam", "Ellie", "Ryan", "Niamh", "Callum", "Rhiannon", "Rhys", "Siobhan",
    "Mohammed", "Aisha", "Arjun", "Priya", "Kwame", "Abena", "Tomasz", "Zofia", "Connor", "Bethan",
    "Lewis", "Kirsty", "Aaron", "Leanne", "Dean", "Gemma", "Craig", "Kayleigh", "Gareth", "Sian",
)
LAST_NAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
    "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
    "Patel", "Khan", "Hughes", "Edwards", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris",
    "Campbell", "MacDonald", "O'Brien", "Murphy", "Kaur", "Begum", "Ahmed", "Mensah", "Nowak", "Lloyd",
    "Price", "Bennett", "Shaw", "Harrison", "Atkinson", "Fletcher", "Holmes", "Pearson", "Barker", "Kelly",
)

CONTRACT_MIX = (("FT40", 54), ("PT30", 21), ("PT20", 15))
# 14 agents answer email: 10 blended with voice (they take calls on Saturdays and
# evenings, when the mailbox is closed) and 4 in a back-office email team.
SKILL_MIX = (("voice", 46), ("chat", 14), ("voice;chat", 16), ("voice;email", 10), ("email", 4))


@dataclass(frozen=True)
class Limits:
    """An agent's standing availability: a daily window and weekdays they never work."""

    available_from: int | None = None         # local minutes after midnight; None = no limit
    available_to: int | None = None
    unavailable_days: tuple[str, ...] = ()


NO_LIMITS = Limits()

# Who gets which limit, by contract. Each must leave the contract reachable
# (checked in make_agents); the tight ones are deliberate test cases.
LIMIT_PATTERNS: tuple[tuple[str, Limits], ...] = (
    ("PT30", Limits(9 * 60, 15 * 60, ("sat",))),          # school hours: P6 09:00-15:00 on Mon-Fri
    ("PT20", Limits(9 * 60, 15 * 60)),                     # school hours, can do Saturdays
    ("PT20", Limits(9 * 60 + 30, 14 * 60 + 30)),           # 5 h window: only P4 fits, 5 x 4 h = 20 h
    ("PT30", Limits(14 * 60, None)),                       # student: afternoons only, no Saturday shift fits
    ("PT30", Limits(None, None, ("sat",))),                # weekend childcare
    ("PT20", Limits(None, None, ("mon", "tue"))),          # second job early in the week
    ("PT30", Limits(None, None, ("fri", "sat"))),          # 4 days x 6 h = exactly 24 h
    ("PT30", Limits(None, 17 * 60)),                       # carer: must finish by 17:00
    ("PT20", Limits(10 * 60, None)),                       # school run: cannot start before 10:00
    ("PT20", Limits(None, 14 * 60, ("wed",))),             # mornings, never Wednesday
    ("FT40", Limits(None, None, ("sat",))),                # full-timers keep 5 weekdays
    ("FT40", Limits(None, None, ("sat",))),
)


@dataclass(frozen=True)
class AgentRow:
    agent_id: str
    name: str
    contract: str
    skills: str
    limits: Limits


def skill_hours(calendar: SiteCalendar, skills: str) -> Hours:
    """When an agent has work: per weekday, from the first of their queues to open to the last to close.

    The roster may put anyone on any shift inside the site's hours, but time
    when none of an agent's queues is open covers nothing, so the generator
    keeps every contract reachable inside these hours.
    """
    spans: dict[str, list[tuple[int, int]]] = {}
    for queue_id in skills.split(";"):
        for day, span in calendar.queue_opening[queue_id].items():
            spans.setdefault(day, []).append(span)
    return {day: (min(o for o, _ in spans[day]), max(c for _, c in spans[day]))
            for day in WEEKDAYS if day in spans}


def fitting_templates(calendar: SiteCalendar, contract: ContractSpec, limits: Limits,
                      weekday: str, hours: Hours | None = None) -> list[str]:
    """The contract's templates with at least one start inside both opening hours and the agent's window.

    hours: the opening hours to fit in (default: the site's).
    """
    hours = calendar.opening if hours is None else hours
    if weekday not in hours or weekday in limits.unavailable_days:
        return []
    open_min, close_min = hours[weekday]
    lo = max(open_min, limits.available_from if limits.available_from is not None else 0)
    hi = min(close_min, limits.available_to if limits.available_to is not None else 24 * 60)
    return [t for t in contract.templates
            if any(s >= lo and s + calendar.templates[t].length_min <= hi
                   for s in calendar.templates[t].start_mins)]


def contract_reachable(calendar: SiteCalendar, contract_id: str, limits: Limits,
                       days_off: Sequence[str] = (), hours: Hours | None = None) -> bool:
    """Can some week of shifts meet the contract's hours, within the rest-day and template caps?

    days_off: weekdays of approved time off in the week. hours: where shifts
    must fit (default: the site's opening hours; skill_hours for one agent).
    Brute force: at most (templates + 1) ** 7 combinations, a few hundred here.
    """
    contract = calendar.contracts[contract_id]
    options = []
    for weekday in WEEKDAYS:
        fits = [] if weekday in days_off else fitting_templates(calendar, contract, limits, weekday, hours)
        options.append([None, *fits])
    for week in itertools.product(*options):
        worked = [t for t in week if t is not None]
        if len(worked) > calendar.max_days_per_week:
            continue
        if any(worked.count(t) > cap for t, cap in calendar.max_per_template.items()):
            continue
        hours = sum(calendar.templates[t].length_min for t in worked) / 60.0
        if contract.min_hours <= hours <= contract.max_hours:
            return True
    return False


def _shuffled_mix(mix: Sequence[tuple[str, int]], rng: np.random.Generator) -> list[str]:
    values = [value for value, count in mix for _ in range(count)]
    return [values[i] for i in rng.permutation(len(values))]


def make_agents(calendar: SiteCalendar, seed: int) -> list[AgentRow]:
    """The 90 agents: exact contract and skill mix, shuffled independently, limits on a few.

    Every agent can meet their contract inside the hours their queues are open
    (a limit pattern only goes to agents it leaves able to).
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    contracts = _shuffled_mix(CONTRACT_MIX, rng)
    skills = _shuffled_mix(SKILL_MIX, rng)
    if len(contracts) != len(skills):
        raise ValueError("CONTRACT_MIX and SKILL_MIX must count the same number of agents")
    pairs = rng.choice(len(FIRST_NAMES) * len(LAST_NAMES), size=len(contracts), replace=False)
    names = [f"{FIRST_NAMES[p // len(LAST_NAMES)]} {LAST_NAMES[p % len(LAST_NAMES)]}" for p in pairs]
    hours = [skill_hours(calendar, s) for s in skills]
    limits = [NO_LIMITS] * len(contracts)
    for contract_id, pattern in LIMIT_PATTERNS:
        pool = [i for i, c in enumerate(contracts) if c == contract_id and limits[i] is NO_LIMITS
                and contract_reachable(calendar, contract_id, pattern, hours=hours[i])]
        if not pool:
            raise ValueError(f"limit pattern {pattern} makes contract {contract_id} unreachable for every agent")
        limits[pool[int(rng.integers(len(pool)))]] = pattern
    agents = [AgentRow(f"A{i + 1:03d}", names[i], contracts[i], skills[i], limits[i]) for i in range(len(contracts))]
    stuck = [a.agent_id for a, h in zip(agents, hours)
             if not contract_reachable(calendar, a.contract, a.limits, hours=h)]
    if stuck:
        raise ValueError(f"agents {stuck} cannot meet their contract while their queues are open")
    return agents


def agent_rows(agents: list[AgentRow]) -> list[tuple[str, ...]]:
    def clock(value: int | None) -> str:
        return "" if value is None else clock_text(value)
    return [(a.agent_id, a.name, a.contract, a.skills, clock(a.limits.available_from),
             clock(a.limits.available_to), ";".join(a.limits.unavailable_days)) for a in agents]


# --------------------------------------------------------------------------- time off

TIME_OFF_REASONS = ("annual leave", "medical appointment", "family wedding", "moving house",
                    "child's school event", "dentist", "annual leave")
FULL_TIMER_SATURDAYS_OFF = 2
PART_TIMER_DAYS_OFF = 5
# Requests outside the planning week: the planner must ignore them.
OUTSIDE_WEEK = (dt.date(2026, 11, 19), dt.date(2026, 12, 1))


def make_time_off(calendar: SiteCalendar, agents: list[AgentRow], seed: int) -> list[tuple[str, str, str]]:
    """Approved time off: a few in the planning week that keep every contract reachable, two outside it.

    Full-timers only lose a Saturday (their 5 x 8 h still fit Mon-Fri);
    part-timers lose one weekday.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 3]))
    saturday = next(d for d in PLANNING_WEEK if weekday_name(d) == "sat")
    weekdays = [d for d in PLANNING_WEEK if weekday_name(d) in WEEKDAYS[:5]]
    requests: list[tuple[AgentRow, dt.date]] = []

    def pick(candidates: list[AgentRow], count: int, dates: list[dt.date]) -> None:
        order = rng.permutation(len(candidates))
        for i in order:
            if count == 0:
                return
            agent = candidates[int(i)]
            day = dates[int(rng.integers(len(dates)))]
            if contract_reachable(calendar, agent.contract, agent.limits, (weekday_name(day),),
                                  skill_hours(calendar, agent.skills)):
                requests.append((agent, day))
                count -= 1
        if count:
            raise ValueError("not enough agents can take time off without breaking their contract")

    full = [a for a in agents if a.contract == "FT40" and "sat" not in a.limits.unavailable_days
            and "sat" in skill_hours(calendar, a.skills)]       # no request for a day they never work
    pick(full, FULL_TIMER_SATURDAYS_OFF, [saturday])
    part = [a for a in agents if a.contract != "FT40"]
    pick(part, PART_TIMER_DAYS_OFF, weekdays)
    taken = {a.agent_id for a, _ in requests}
    others = [a for a in agents if a.agent_id not in taken]
    for day in OUTSIDE_WEEK:
        requests.append((others[int(rng.integers(len(others)))], day))
    rows = [(a.agent_id, d.isoformat(), TIME_OFF_REASONS[int(rng.integers(len(TIME_OFF_REASONS)))])
            for a, d in requests]
    return sorted(rows, key=lambda r: (r[1], r[0]))


LEDGER_WEEKS = 8


def make_ledger(agents: list[AgentRow], seed: int) -> list[tuple[str, int, int, int]]:
    """Past fairness counts (weeks, weekends worked, late shifts) so the first plan has history to balance.

    Eight past weeks for most; a few recent starters with two. Agents who never
    work Saturdays have no weekends; part-timers work no late (L8) shifts.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 4]))
    rows = []
    for agent in agents:
        weeks = 2 if rng.random() < 0.08 else LEDGER_WEEKS
        saturdays = "sat" not in agent.limits.unavailable_days
        weekends = int(rng.binomial(weeks, 0.55 if agent.contract == "FT40" else 0.35)) if saturdays else 0
        lates = int(rng.binomial(weeks * 2, 0.3)) if agent.contract == "FT40" else 0
        rows.append((agent.agent_id, weeks, weekends, lates))
    return rows
