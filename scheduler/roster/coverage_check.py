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


def agents_at_work(shifts: list[RosterShift], agents: dict[str, Agent], interval_min: int) -> Counter:
    """(skill group 'a;b', interval start in UTC) -> agents at work for the whole interval."""
    counts: Counter = Counter()
    step = pd.Timedelta(minutes=interval_min)
    for entry in shifts:
        group = ";".join(sorted(agents[entry.agent_id].skills))
        moment = pd.Timestamp(entry.shift.start).tz_convert("UTC")
        end = pd.Timestamp(entry.shift.end).tz_convert("UTC")
        while moment + step <= end:
            counts[(group, moment)] += 1
            moment += step
    return counts


def check_coverage(shifts: list[RosterShift], agents: dict[str, Agent], interval_min: int,
                   allocation: pd.DataFrame, coverage: pd.DataFrame) -> list[Violation]:
    found: list[Violation] = []
    at_work = agents_at_work(shifts, agents, interval_min)
    allocated: Counter = Counter()
    for row in allocation.itertuples(index=False):
        start = pd.Timestamp(row.start).tz_convert("UTC")
        if row.queue not in row.skills.split(";"):
            found.append(Violation(KIND, None, start.date(), f"agents skilled {row.skills} counted on queue {row.queue}"))
        allocated[(row.skills, start)] += int(row.agents)
    for key, count in allocated.items():
        if count > at_work.get(key, 0):
            found.append(Violation(KIND, None, key[1].date(),
                                   f"{count} agents of group {key[0]} counted at {key[1]:%Y-%m-%d %H:%M} UTC, "
                                   f"but only {at_work.get(key, 0)} are at work"))
    per_queue = allocation.assign(start=allocation["start"].map(lambda s: pd.Timestamp(s).tz_convert("UTC"))) \
        .groupby(["queue", "start"])["agents"].sum()
    for row in coverage.itertuples(index=False):
        recount = int(per_queue.get((row.queue, pd.Timestamp(row.start).tz_convert("UTC")), 0))
        if recount != int(row.scheduled):
            found.append(Violation(KIND, None, pd.Timestamp(row.start).date(),
                                   f"queue {row.queue} at {row.start}: report says {row.scheduled} agents, "
                                   f"shifts and skills give {recount}"))
    return found
