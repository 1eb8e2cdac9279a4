"""The sample site's shift and day-off wishes, and each agent's past record of wishes turned down.

Part of the seeded generator (data.generate_sample). Every wish is one the agent
could be granted: a day off on a day they could otherwise work, a start time their
contract and availability allow, a shift type of their own contract. The ledger history gives the fairness rule something
to balance: some agents have had most of their wishes denied, some almost none.
"""
from __future__ import annotations

import datetime as dt
from typing import Sequence

import numpy as np

from data.sample_agents import AgentRow
from data.sample_calendar import WEEKDAYS, SiteCalendar, clock_text

WISHING_AGENTS = 20
WEIGHTS = (10, 20, 30)           # nice to have, a normal wish, a strong one (objective units per wish denied)
HEADER = ("agent_id", "date", "shift", "start", "want", "weight")


def _workable_starts(calendar: SiteCalendar, agent: AgentRow, hours: dict[str, tuple[int, int]],
                     day: dt.date) -> dict[str, list[int]]:
    """template -> starts the agent could work on `day` (contract, availability, their queues' hours)."""
    weekday = WEEKDAYS[day.weekday()]
    if weekday not in hours or weekday in agent.limits.unavailable_days:
        return {}
    lo = max(hours[weekday][0], agent.limits.available_from or 0)
    hi = min(hours[weekday][1], agent.limits.available_to or 24 * 60)
    found = {}
    for template_id in calendar.contracts[agent.contract].templates:
        template = calendar.templates[template_id]
        starts = [s for s in template.start_mins if s >= lo and s + template.length_min <= hi]
        if starts:
            found[template_id] = starts
    return found


def _wish(calendar: SiteCalendar, agent: AgentRow, day: dt.date, starts: dict[str, list[int]],
          rng: np.random.Generator) -> tuple[str, str, bool]:
    """(shift, start, want) of one wish on a day the agent could work."""
    kind = int(rng.integers(3))
    late = [t for t in starts if t == "L8"]
    if kind == 0:
        return "", "", False                                   # the day off
    if kind == 1:
        template = sorted(starts)[int(rng.integers(len(starts)))]
        options = starts[template]
        start = options[0] if rng.random() < 0.6 else options[int(rng.integers(len(options)))]
        return "", clock_text(start), True                         # start at a given time (the school run, a bus)
    if late:
        return "L8", "", bool(rng.random() < 0.3)              # mostly "no late shift that day"; a few want one
    if len(starts) < 2:
        return "", "", False                                   # one kind of shift that day: wish for it off
    longest = max(starts, key=lambda t: calendar.templates[t].length_min)
    return longest, "", True                                   # a part-timer asking for the longer day


def make_preferences(calendar: SiteCalendar, agents: Sequence[AgentRow], hours: dict[str, dict[str, tuple[int, int]]],
                     time_off: set[tuple[str, dt.date]], week: Sequence[dt.date], seed: int
                     ) -> list[tuple[str, str, str, str, str, int]]:
    """One to three wishes each for WISHING_AGENTS agents, on distinct days they could work."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 5]))
    rows = []
    for index in sorted(int(i) for i in rng.choice(len(agents), size=WISHING_AGENTS, replace=False)):
        agent = agents[index]
        days = [(d, s) for d in week if (agent.agent_id, d) not in time_off
                for s in [_workable_starts(calendar, agent, hours[agent.agent_id], d)] if s]
        picks = rng.choice(len(days), size=min(len(days), 1 + int(rng.integers(3))), replace=False)
        for pick in sorted(int(p) for p in picks):
            day, starts = days[pick]
            shift, start, want = _wish(calendar, agent, day, starts, rng)
            weight = WEIGHTS[int(rng.integers(len(WEIGHTS)))]
            rows.append((agent.agent_id, day.isoformat(), shift, start, "true" if want else "false", weight))
    return rows


def past_columns(calendar: SiteCalendar, agents: Sequence[AgentRow], weeks: dict[str, int],
                 wishers: set[str], seed: int) -> dict[str, tuple[int, int, float]]:
    """agent -> (preferences asked, preferences unmet, extra hours above the contract minimum) over past weeks.

    Agents who wish this week wished before too, and each has their own luck (turned
    down 10% to 60% of the time); part-timers each lean towards short or long weeks.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 6]))
    found = {}
    for agent in agents:
        n = weeks[agent.agent_id]
        asked = int(rng.binomial(3 * n, 0.5 if agent.agent_id in wishers else 0.1))
        unmet = int(rng.binomial(asked, rng.uniform(0.1, 0.6)))
        contract = calendar.contracts[agent.contract]
        width = int(contract.max_hours - contract.min_hours)
        extra = 2.0 * rng.binomial(n * width // 2, rng.uniform(0.1, 0.7)) if width > 0 else 0.0   # P4/P6: 2 h steps
        found[agent.agent_id] = (asked, unmet, extra)
    return found
