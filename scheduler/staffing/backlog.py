"""Email, tickets, complaints: deadline goals with backlog carried between intervals.

Nobody waits on the line for an email, so queueing formulas do not apply: what
matters is that each contact is answered before its deadline, and work not
done in one interval is still there in the next. The model, stated:

- Work is fluid: interval i brings contacts_i × aht_i agent-seconds, available
  from the start of the interval; one agent supplies interval_s agent-seconds
  per interval (shrinkage is applied later, as for every queue).
- The goal "share p within D, the rest within D_final" gives each interval's
  work two due points: p of it is due D after its average arrival (mid-
  interval), the remaining 1 − p is due D_final after it. A due point is
  rounded down to the end of an interval (never before the arrival interval's
  own end).
- The clock is either open hours (the intervals given are consecutive open
  time, so a 4-hour deadline for an email at 17:30 runs into the next
  morning), or calendar time (the due point is the last interval ending by
  the wall-clock deadline; needs the interval starts).
- Work is done earliest-due-first; capacity beyond what is due goes to the
  next-due work already arrived.
- Staffing just in time: in each interval exactly enough agents (rounded up)
  to finish the work due by its end. No plan that meets every due point can
  have done less work by any moment, so this is the least staffing meeting the
  deadline, interval by interval. Work due after the last interval is carried
  out of the horizon (reported, not staffed for).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BacklogResult", "due_intervals", "plan", "simulate"]


@dataclass
class BacklogResult:
    """Per interval: agents, contacts still open at its end, and the on-time share of its arrivals."""

    agents: np.ndarray            # agents supplying capacity (int from plan, given in simulate)
    backlog_end: np.ndarray       # contacts not yet answered at the interval's end
    on_time_share: np.ndarray     # share of the interval's arrivals answered by their first due point
    carried_out: float            # contacts still open after the last interval


def due_intervals(n: int, interval_s: float, deadline_s: float, starts_s: np.ndarray | None = None,
                  clock: str = "open_hours") -> np.ndarray:
    """Index of the interval by whose end work arriving in each interval is due (≥ own index; n = beyond)."""
    idx = np.arange(n)
    if clock == "calendar" and starts_s is not None:
        starts = np.asarray(starts_s, dtype=float)
        due_time = starts + 0.5 * interval_s + deadline_s
        ends = starts + interval_s
        j = np.searchsorted(ends, due_time, side="right") - 1
        j = np.where(due_time > ends[-1] + 1e-9, n, j)
    else:
        j = np.floor(idx + 0.5 + deadline_s / interval_s + 1e-9).astype(np.int64) - 1
    return np.clip(np.maximum(j, idx), 0, n).astype(np.int64)


def _buckets(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float, deadline_s: float, share: float,
             final_s: float, starts_s: np.ndarray | None, clock: str, initial_backlog: float):
    c = np.asarray(contacts, dtype=float)
    h = np.nan_to_num(np.asarray(aht_s, dtype=float) * (c > 0))
    n = c.size
    j1 = due_intervals(n, interval_s, deadline_s, starts_s, clock)
    j2 = due_intervals(n, interval_s, final_s, starts_s, clock)
    work = c * h
    arrival = np.concatenate([np.arange(n), np.arange(n)])
    due = np.concatenate([j1, j2])
    amount = np.concatenate([share * work, (1.0 - share) * work])
    count = np.concatenate([share * c, (1.0 - share) * c])
    if initial_backlog > 0 and n:
        first_aht = h[np.flatnonzero(c > 0)[0]] if (c > 0).any() else 0.0
        arrival = np.append(arrival, 0)
        due = np.append(due, j1[0])
        amount = np.append(amount, initial_backlog * first_aht)
        count = np.append(count, float(initial_backlog))
    order = np.lexsort((arrival, due))                       # earliest due first, then oldest
    return n, j1, arrival[order], due[order], amount[order], count[order], work


def _run(n, j1, arrival, due, amount, count, work, interval_s, agents):
    remaining = amount.copy()
    done_by_due = np.zeros(n)
    staffed = np.zeros(n)
    backlog_end = np.zeros(n)
    per_contact = np.where(amount > 0, count / np.where(amount > 0, amount, 1.0), 0.0)
    for t in range(n):
        released = arrival <= t
        if agents is None:
            must = float(remaining[released & (due <= t)].sum())
            staffed[t] = np.ceil(must / interval_s - 1e-9) if must > 0 else 0.0
        else:
            staffed[t] = agents[t]
        capacity = staffed[t] * interval_s
        avail = np.where(released, remaining, 0.0)
        before = np.cumsum(avail) - avail
        remaining -= np.clip(capacity - before, 0.0, avail)
        # Work of the arrivals due now: how much of each arrival interval is done by its due point.
        due_now = np.flatnonzero(j1 == t)
        if due_now.size:
            mask = np.isin(arrival, due_now)
            done = np.bincount(arrival[mask], weights=(amount - remaining)[mask], minlength=n)
            done_by_due[due_now] = done[due_now]
        backlog_end[t] = float((remaining * per_contact)[released].sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(work > 0, np.minimum(done_by_due / work, 1.0), 1.0)
    beyond = j1 >= n                                        # due after the horizon: cannot be judged yet
    share[beyond] = 1.0
    carried = float((remaining * per_contact).sum())
    return staffed, backlog_end, share, carried


def plan(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float, deadline_s: float, share: float = 1.0,
         final_s: float | None = None, starts_s: np.ndarray | None = None, clock: str = "open_hours",
         initial_backlog: float = 0.0) -> BacklogResult:
    """Least (just-in-time) staffing meeting the deadline goal, intervals in time order."""
    final_s = final_s if final_s is not None else 2.0 * deadline_s
    n, j1, arrival, due, amount, count, work = _buckets(contacts, aht_s, interval_s, deadline_s, share,
                                                        final_s, starts_s, clock, initial_backlog)
    staffed, backlog_end, on_time, carried = _run(n, j1, arrival, due, amount, count, work, interval_s, None)
    return BacklogResult(staffed.astype(np.int64), backlog_end, on_time, carried)


def simulate(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float, agents: np.ndarray, deadline_s: float,
             share: float = 1.0, final_s: float | None = None, starts_s: np.ndarray | None = None,
             clock: str = "open_hours", initial_backlog: float = 0.0) -> BacklogResult:
    """What a given staffing (fractional agents allowed) achieves against the deadline goal."""
    final_s = final_s if final_s is not None else 2.0 * deadline_s
    n, j1, arrival, due, amount, count, work = _buckets(contacts, aht_s, interval_s, deadline_s, share,
                                                        final_s, starts_s, clock, initial_backlog)
    agents = np.broadcast_to(np.asarray(agents, dtype=float), (n,))
    staffed, backlog_end, on_time, carried = _run(n, j1, arrival, due, amount, count, work, interval_s, agents)
    return BacklogResult(staffed, backlog_end, on_time, carried)
