"""Check the solver's coverage claims from the finished shifts alone.

Recounts, from shift times and agent skills, how many agents of each skill
group are at work in each interval; then checks that the solver's split of
each group across queues uses only queues the group is skilled for, adds up to
the group's head count, and sums to the coverage the report shows.
"""
from __future__ import annotations

from collections import Counter

import pandas as pd

from rules.base import RosterShift, Violation
from rules.site import Agent

KIND = "coverage_by_skill"


def minutes_at_work(shifts: list[RosterShift], agents: dict[str, Agent], interval_min: int) -> Counter:
    """(skill group 'a;b', interval start in UTC) -> agent-minutes on contacts in that interval.

    A shift gives each interval it spans its full length, less the minutes of
    any break, meeting or training recorded in the roster for that interval.
    """
    by_second: Counter = Counter()     # counted on epoch seconds: Timestamp arithmetic made this the slow part
    step = interval_min * 60
    for entry in shifts:
        group = ";".join(sorted(agents[entry.agent_id].skills))
        moment, end = entry.shift.start.timestamp(), entry.shift.end.timestamp()
        spans = [(a.start.timestamp(), a.end.timestamp()) for a in entry.activities]
        while moment + step <= end:
            away = sum(max(min(moment + step, hi) - max(moment, lo), 0.0) for lo, hi in spans) / 60
            by_second[(group, moment)] += interval_min - away
            moment += step
    return Counter({(group, pd.Timestamp(second, unit="s", tz="UTC")): value
                    for (group, second), value in by_second.items()})


def check_coverage(shifts: list[RosterShift], agents: dict[str, Agent], interval_min: int,
                   allocation: pd.DataFrame, coverage: pd.DataFrame) -> list[Violation]:
    found: list[Violation] = []
    at_work = minutes_at_work(shifts, agents, interval_min)
    allocated: Counter = Counter()
    for row in allocation.itertuples(index=False):
        start = pd.Timestamp(row.start).tz_convert("UTC")
        if row.queue not in row.skills.split(";"):
            found.append(Violation(KIND, None, start.date(), f"agents skilled {row.skills} counted on queue {row.queue}"))
        allocated[(row.skills, start)] += float(row.agents) * interval_min
    for key, minutes in allocated.items():
        if minutes > at_work.get(key, 0.0) + 1e-6:
            found.append(Violation(KIND, None, key[1].date(),
                                   f"{minutes / interval_min:g} agents of group {key[0]} counted at "
                                   f"{key[1]:%Y-%m-%d %H:%M} UTC, but only {at_work.get(key, 0.0) / interval_min:g} "
                                   f"are on contacts"))
    per_queue = allocation.assign(start=allocation["start"].map(lambda s: pd.Timestamp(s).tz_convert("UTC"))) \
        .groupby(["queue", "start"])["agents"].sum()
    for row in coverage.itertuples(index=False):
        recount = float(per_queue.get((row.queue, pd.Timestamp(row.start).tz_convert("UTC")), 0.0))
        if abs(recount - float(row.scheduled)) > 1e-6:
            found.append(Violation(KIND, None, pd.Timestamp(row.start).date(),
                                   f"queue {row.queue} at {row.start}: report says {row.scheduled} agents, "
                                   f"shifts and skills give {recount}"))
    return found
