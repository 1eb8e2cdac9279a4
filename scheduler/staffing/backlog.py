"""Email, tickets, complaints: deadline goals with backlog carried between intervals.

Nobody waits on the line for an email, so queueing formulas do not apply: what
matters is that each contact is answered before its deadline, and work not
done in one interval is still there in the next. The model, stated:

- Work is fluid: interval i brings contacts_i × aht_i agent-seconds, available
  from the start of the interval; one agent supplies interval_s agent-seconds
  per interval (net agents: shrinkage is applied later, as for every queue;
  there is no occupancy ceiling, an agent with mail on hand works it).
- The goal "share p within D, the rest within D_final" gives each interval's
  work two due points: p of it is due D after its average arrival (mid-
  interval), the remaining 1 − p is due D_final after it. A due point is
  rounded down to the end of an interval (never before the arrival interval's
  own end).
- The clock is either open hours (the intervals given are consecutive open
  time, so a 4-hour deadline for an email at 17:30 runs into the next
  morning), or calendar time (the due point is the last interval ending by
  the wall-clock deadline; needs the interval starts). Either way capacity
  exists only in the intervals given: "open time between t and τ" is the
  number of rows from t to τ.
- Work is done earliest-due-first (ties: oldest first); capacity beyond what
  is due goes to the next-due work already arrived, including work due after
  the last interval. Work that has not arrived cannot be worked.

Levelled staffing (`plan`), a forward pass over the intervals. Write I for
interval_s and, at the start of interval t (its own arrivals included, the
staffing chosen for earlier intervals applied earliest-due-first):

- B_t(τ): work on hand — arrived, not yet done — due by the end of τ;
- W(s, τ): work arriving in s … τ and due by τ (from the forecast);
- P: the least peak, the least whole number of agents that, in every
  interval, meets every due point (exactly: the least R with W(s, τ) ≤
  R·(τ − s + 1)·I for every window; any plan meeting the goal with peak P'
  is covered by P' everywhere, so no plan has a lower peak).

Then agents_t is the least whole R such that, for every later interval s
(t < s ≤ n), staffing R from t until s and P from s on meets every due point
of the mail on hand at t and of the mail arriving from s on:

    agents_t = ceil( max over s, τ with t < s ≤ τ + 1 of
                     (B_t(τ) + W(s, τ) − P·(τ − s + 1)·I) / ((s − t)·I) )

(W(τ + 1, τ) = 0). Interval t's agents_t·I agent-seconds then go earliest-
due-first. Two choices of s are the familiar rules: s = τ + 1 gives
B_t(τ) / ((τ − t + 1)·I), the least staffing that, kept constant from t on,
meets every due point of the mail on hand; s = t + 1 keeps the least peak
reachable for everything still to come. The others spread work that must be
done before a busy stretch (Friday's mail due on Monday morning, when
Monday's own batch will fill Monday at the least peak) over the intervals
before it, instead of leaving it to the last one. Mail that has not arrived
is staffed for at P from its arrival, never before it (agents on duty
before it exists could not touch it). Work due after the last interval is
not staffed for (it is reported as carried out), but spare capacity works it.

What this guarantees (tests/test_staffing_backlog.py brute-forces each on
small cases against every staffing vector):

1. Every due point is met (s = τ + 1, τ = t: agents_t·I ≥ the work due now,
   and earliest-due-first does that first), so every judged interval's
   on-time share is ≥ p and `simulate` on the plan reports no late work.
2. Its peak is P, the least peak of any plan meeting the goal: by induction
   P from t on is always still enough (s = t + 1), and then every term above
   is ≤ P.
3. agents_t is exactly the least R of the definition (not a bound).
4. With no arrivals after t (the night's mail alone) the requirement never
   rises from t on.
5. Its peak is never above the just-in-time peak, ceil(max over t of the
   work due in t / I). (The just-in-time staffing this module used before
   asked for nobody until the night's mail fell due at 11:30, then 30–70
   agents in one half-hour.)

It is not the lexicographically least profile (Yao, Demers and Shenker's
critical-interval schedule), which would also level the second-highest
stretch; that takes repeated searches for the densest window (O(n²) and
up), this is one sweep. Cost: O(n · span²) for span = the most intervals
between an arrival and its last due point (16 for 30-minute intervals and an
8-open-hour final deadline): a week in milliseconds, 100,000 intervals in
one to two seconds.
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["BacklogResult", "due_intervals", "plan", "simulate"]

# Whole agents are rounded up with this slack (float noise such as 3.0000000001 is 3 agents); the
# simulation treats work within the same slack of an interval's capacity as done.
_TOL = 1e-9


@dataclass
class BacklogResult:
    """Per interval: agents, contacts still open at its end, and the on-time share of its arrivals."""

    agents: np.ndarray            # agents supplying capacity (int from plan, given in simulate)
    backlog_end: np.ndarray       # contacts not yet answered at the interval's end
    on_time_share: np.ndarray     # share of the interval's arrivals answered by their first due point
    carried_out: float            # contacts still open after the last interval
    late_work_s: float = 0.0      # agent-seconds still open at their due point (either due point), summed


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


@dataclass
class _Work:
    """The goal's work as buckets in earliest-due-first order (ties: oldest first, then input order)."""

    n: int
    j1: np.ndarray          # first due point of each arrival interval
    arrival: np.ndarray     # per bucket
    due: np.ndarray         # per bucket (n = after the horizon)
    amount: np.ndarray      # agent-seconds per bucket
    count: np.ndarray       # contacts per bucket
    first_pos: np.ndarray   # position of each arrival interval's first-share bucket
    final_pos: np.ndarray   # position of its final-share bucket
    work: np.ndarray        # agent-seconds arriving per interval


def _buckets(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float, deadline_s: float, share: float,
             final_s: float, starts_s: np.ndarray | None, clock: str, initial_backlog: float) -> _Work:
    c = np.asarray(contacts, dtype=float)
    h = np.nan_to_num(np.broadcast_to(np.asarray(aht_s, dtype=float), c.shape) * (c > 0))
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
    order = np.lexsort((np.arange(arrival.size), arrival, due))
    pos = np.empty(order.size, dtype=np.int64)
    pos[order] = np.arange(order.size)
    return _Work(n, j1, arrival[order], due[order], amount[order], count[order], pos[:n], pos[n:2 * n], work)


def _inside(w: _Work) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Buckets due inside the horizon (the ones staffed for): arrival, due, work, and the longest due span."""
    keep = (w.due < w.n) & (w.amount > 0)
    a, d, x = w.arrival[keep], w.due[keep], w.amount[keep]
    return a, d, x, int((d - a).max(initial=0))


def _due_before(w: _Work) -> np.ndarray:
    """CD[x] = work due inside the horizon by the end of interval x − 1, for x = 0 … n."""
    _, d, x, _ = _inside(w)
    return np.concatenate([[0.0], np.cumsum(np.bincount(d, weights=x, minlength=w.n)[:w.n])])


def _least_peak(w: _Work, interval_s: float) -> int:
    """The least whole R such that R agents in every interval meet every due point inside the horizon.

    Any plan meeting them with peak P is covered by P in every interval, so R is
    also the least peak of any such plan. Earliest-due-first meets every due
    point with R agents exactly when every window of intervals s … τ holds no
    more work that arrives in it and is due in it than R·(τ − s + 1)·interval_s:
    W(s, τ) = CD[τ+1] − CA[s] + (work arrived before s still due after τ), the
    last term being zero once τ − s ≥ span − 1. Short windows are checked
    directly, long ones against a suffix maximum, so this is O(n · span).
    """
    n = w.n
    a, d, x, span = _inside(w)
    if n == 0 or x.size == 0:
        return 0
    cd = _due_before(w)
    ca = np.concatenate([[0.0], np.cumsum(np.bincount(a, weights=x, minlength=n)[:n])])
    slack = _TOL * interval_s
    near = 0.0
    for k in range(span):                                  # windows s … s + k, k < span
        lo, hi = a + 1, d - k                              # s with a < s ≤ d − k − 1: still due after s + k
        ok = lo < hi
        corr = np.cumsum(np.bincount(lo[ok], weights=x[ok], minlength=n + 1)
                         - np.bincount(hi[ok], weights=x[ok], minlength=n + 1))[:n - k]
        starts = np.arange(n - k)
        near = max(near, float((cd[starts + k + 1] - ca[starts] + corr).max()) / ((k + 1) * interval_s))
    gap = max(span, 1)                                     # windows of length ≥ gap: x = τ + 1 ≥ s + gap

    def long_windows_ok(r: int) -> bool:
        f = cd - r * interval_s * np.arange(n + 1)
        suffix = np.maximum.accumulate(f[::-1])[::-1]
        s_ = np.arange(n + 1 - gap)
        return bool((suffix[s_ + gap] <= ca[s_] - r * interval_s * s_ + slack + 1e-12 * cd[-1]).all())

    lo_r = math.ceil(near - _TOL) if near > _TOL else 0
    hi_r = max(lo_r, math.ceil(float(np.diff(cd).max()) / interval_s - _TOL))   # just in time: always enough
    while not long_windows_ok(hi_r):                       # float noise only; the bound above is exact
        hi_r += 1
    while lo_r < hi_r:
        mid = (lo_r + hi_r) // 2
        if long_windows_ok(mid):
            hi_r = mid
        else:
            lo_r = mid + 1
    return lo_r


_BLOCK = 2048          # intervals per block of the future-window table (bounds its memory)


def _future_windows(a: np.ndarray, d: np.ndarray, x: np.ndarray, n: int, span: int, peak_s: float,
                    ca: np.ndarray, far_f: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """T[s − lo, e] for s = lo … hi − 1, e = 0 … span + 1: max over τ ≥ s − 1 + e (τ < n) of G(s, τ).

    G(s, τ) = (work arriving in s … τ and due by τ) − peak_s · (τ − s + 1): minus the room the least
    peak leaves in s … τ after the mail arriving there (G(s, s − 1) = 0). −inf where there is no such τ.
    a, d, x: buckets due inside the horizon, sorted by arrival.
    """
    rows, width = hi - lo, span + 1
    first, last = np.searchsorted(a, lo), np.searchsorted(a, hi + span)
    aa, dd_, xx = a[first:last], d[first:last], x[first:last]
    s0 = np.maximum(lo, dd_ - span)                        # bucket counts in W(s, s + k) for s in [d − span, a]
    s1 = np.minimum(hi - 1, aa)
    cnt = np.maximum(s1 - s0 + 1, 0)
    rep = np.repeat(np.arange(aa.size), cnt)
    s_of = s0[rep] + np.arange(rep.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    by_due = np.bincount((s_of - lo) * width + (dd_[rep] - s_of), weights=xx[rep],
                         minlength=rows * width).reshape(rows, width)
    g = np.empty((rows, span + 3))
    g[:, 0] = 0.0
    g[:, 1:span + 2] = np.cumsum(by_due, axis=1) - peak_s * np.arange(1, span + 2)   # τ = s … s + span
    s = np.arange(lo, hi)
    g[:, :span + 2][(s[:, None] - 1 + np.arange(span + 2)) > n - 1] = -np.inf
    far = np.full(rows, -np.inf)                           # τ ≥ s + span + 1: nothing arrived before s is due
    ok = s + span + 2 <= n                                 # there, so G = CD(τ+1) − CA(s) − peak·(τ − s + 1)
    far[ok] = far_f[s[ok] + span + 2] - ca[s[ok]] + peak_s * s[ok]
    g[:, span + 2] = far
    g[s > n] = -np.inf
    return np.ascontiguousarray(np.maximum.accumulate(g[:, ::-1], axis=1)[:, ::-1][:, :span + 2])


def _levelled(w: _Work, interval_s: float) -> np.ndarray:
    """The forward pass of the module docstring, one interval at a time."""
    n = w.n
    agents = np.zeros(n, dtype=np.int64)
    if n == 0:
        return agents
    a, d, x, span = _inside(w)
    order = np.argsort(a, kind="stable")
    a, d, x = a[order], d[order], x[order]
    peak_s = _least_peak(w, interval_s) * interval_s        # the least peak, agent-seconds per interval
    cd = _due_before(w)
    ca = np.concatenate([[0.0], np.cumsum(np.bincount(a, weights=x, minlength=n)[:n])])
    far_f = np.maximum.accumulate((cd - peak_s * np.arange(n + 1))[::-1])[::-1]
    # Pairs (s = t + j, τ = t + k), j = 1 … span + 1, k = j − 1 … span: the bound on R from keeping R until s.
    jj, kk = np.nonzero(np.arange(span + 1)[None, :] >= np.arange(span + 1)[:, None])
    jj = jj + 1
    flat = (jj - 1) * (span + 2) + (kk - jj + 1)
    inv = 1.0 / (jj * interval_s)
    on_hand = np.zeros(n + span + 1)                       # arrived, not done, by due interval (inside the horizon)
    beyond = 0.0                                           # arrived, not done, due after the horizon
    release = np.argsort(w.arrival, kind="stable")
    released_by = np.searchsorted(w.arrival[release], np.arange(n), side="right").tolist()
    due, amount = w.due.tolist(), w.amount.tolist()
    b_next = 0
    table, base = None, 0
    for t in range(n):
        while b_next < released_by[t]:
            b = int(release[b_next])
            if due[b] < n:
                on_hand[due[b]] += amount[b]
            else:
                beyond += amount[b]
            b_next += 1
        if t % _BLOCK == 0:
            base = t + 1
            table = _future_windows(a, d, x, n, span, peak_s, ca, far_f, base,
                                    min(base + _BLOCK, n + 1) + span + 1).ravel()
        owed = np.cumsum(on_hand[t:t + span + 1])          # B_t(t + k), k = 0 … span
        rows = table[(t + 1 - base) * (span + 2):]
        need = float(((owed[kk] + rows[flat]) * inv).max())
        r = math.ceil(need - _TOL) if need > _TOL else 0
        agents[t] = r
        capacity = r * interval_s
        left = np.maximum(owed - capacity, 0.0)            # earliest-due-first: cumulative owed falls by capacity
        on_hand[t + 1:t + span + 1] = left[1:] - left[:-1]  # due now is done, up to the rounding slack
        spare = capacity - float(owed[-1])
        if spare > 0 and beyond > 0:
            beyond = max(beyond - spare, 0.0)
    return agents


def _run(w: _Work, interval_s: float, agents: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Earliest-due-first with the given capacity: backlog, on-time shares, carried-out contacts, late work."""
    n, m = w.n, w.amount.size
    rem = w.amount.tolist()
    per_contact = np.where(w.amount > 0, w.count / np.where(w.amount > 0, w.amount, 1.0), 0.0).tolist()
    release = np.argsort(w.arrival, kind="stable").tolist()
    released_by = np.searchsorted(w.arrival[np.asarray(release, dtype=np.int64)], np.arange(n),
                                  side="right").tolist()
    due_by = np.searchsorted(w.due, np.arange(n), side="right").tolist()   # buckets due ≤ t: positions < due_by[t]
    judged = np.argsort(w.j1, kind="stable")
    judged_by = np.searchsorted(w.j1[judged], np.arange(n), side="right").tolist()
    judged = judged.tolist()
    first_pos, final_pos, work = w.first_pos.tolist(), w.final_pos.tolist(), w.work.tolist()
    cap_all = (np.asarray(agents, dtype=float) * interval_s).tolist()
    slack = _TOL * interval_s
    heap: list[int] = []
    open_contacts = late = 0.0
    k = d = g = 0
    backlog_end = np.zeros(n)
    done_by_due = np.zeros(n)
    for t in range(n):
        while k < released_by[t]:
            b = release[k]
            k += 1
            if rem[b] > 0:
                heapq.heappush(heap, b)                    # positions are earliest-due-first ranks
                open_contacts += rem[b] * per_contact[b]
            else:
                rem[b] = 0.0
        cap = cap_all[t]
        while heap and cap > 0:
            b = heap[0]
            r = rem[b]
            if r <= cap + slack:
                cap -= r
                rem[b] = 0.0
                open_contacts -= r * per_contact[b]
                heapq.heappop(heap)
            else:
                rem[b] = r - cap
                open_contacts -= cap * per_contact[b]
                cap = 0.0
        while d < due_by[t]:
            late += rem[d]
            d += 1
        while g < judged_by[t]:
            a = judged[g]
            g += 1
            done_by_due[a] = work[a] - rem[first_pos[a]] - rem[final_pos[a]]
        backlog_end[t] = max(open_contacts, 0.0)
    work_arr = w.work
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(work_arr > 0, np.clip(done_by_due / work_arr, 0.0, 1.0), 1.0)
    share[w.j1 >= n] = 1.0                                 # due after the horizon: cannot be judged yet
    carried = float(np.dot(np.asarray(rem), np.asarray(per_contact))) if m else 0.0
    return backlog_end, share, carried, float(late)


def plan(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float, deadline_s: float, share: float = 1.0,
         final_s: float | None = None, starts_s: np.ndarray | None = None, clock: str = "open_hours",
         initial_backlog: float = 0.0) -> BacklogResult:
    """Levelled staffing meeting the deadline goal (see the module docstring), intervals in time order."""
    final_s = final_s if final_s is not None else 2.0 * deadline_s
    w = _buckets(contacts, aht_s, interval_s, deadline_s, share, final_s, starts_s, clock, initial_backlog)
    agents = _levelled(w, interval_s)
    backlog_end, on_time, carried, late = _run(w, interval_s, agents)
    return BacklogResult(agents, backlog_end, on_time, carried, late)


def simulate(contacts: np.ndarray, aht_s: np.ndarray, interval_s: float, agents: np.ndarray, deadline_s: float,
             share: float = 1.0, final_s: float | None = None, starts_s: np.ndarray | None = None,
             clock: str = "open_hours", initial_backlog: float = 0.0) -> BacklogResult:
    """What a given staffing (fractional agents allowed) achieves against the deadline goal."""
    final_s = final_s if final_s is not None else 2.0 * deadline_s
    w = _buckets(contacts, aht_s, interval_s, deadline_s, share, final_s, starts_s, clock, initial_backlog)
    staffed = np.array(np.broadcast_to(np.asarray(agents, dtype=float), (w.n,)))
    backlog_end, on_time, carried, late = _run(w, interval_s, staffed)
    return BacklogResult(staffed, backlog_end, on_time, carried, late)
