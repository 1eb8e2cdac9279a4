"""Levelled email/backlog staffing: the forward pass in backlog.plan, checked against brute force.

The reference here is written independently of backlog.py: buckets built from
the goal's due points, earliest-due-first worked one bucket at a time, every
staffing vector with entries 0..K enumerated and simulated at once. Only the
due-point rule (backlog.due_intervals, the goal's definition) is shared.
"""
from __future__ import annotations

import itertools
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rules.loader import load_site
from scheduler.staffing import backlog
from scheduler.staffing.requirements import agents_required, projected_service_level

I = 1800.0          # interval length in the brute-force cases
TOL = 1e-5          # agent-seconds
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_site"


# --- independent reference -------------------------------------------------------------------------

def _buckets(contacts, aht, deadline_s, share, final_s, starts=None, clock="open_hours"):
    """(arrival, due, agent-seconds) per bucket: `share` of each interval's work due at the first due point."""
    n = len(contacts)
    j1 = backlog.due_intervals(n, I, deadline_s, starts, clock)
    j2 = backlog.due_intervals(n, I, final_s, starts, clock)
    rows = [(a, int(j1[a]), share * contacts[a] * aht[a]) for a in range(n)]
    rows += [(a, int(j2[a]), (1 - share) * contacts[a] * aht[a]) for a in range(n)]
    rows.sort(key=lambda r: (r[1], r[0]))
    return rows


def _late(rows, n, staffing):
    """Work still open at its due point (inside the horizon), per row of `staffing` (V × n agents)."""
    staffing = np.atleast_2d(np.asarray(staffing, dtype=float))
    rem = np.array([[amount for _, _, amount in rows]] * staffing.shape[0])
    late = np.zeros(staffing.shape[0])
    for t in range(n):
        cap = staffing[:, t] * I
        for b, (arrival, _, _) in enumerate(rows):
            if arrival <= t:
                take = np.minimum(cap, rem[:, b])
                rem[:, b] -= take
                cap -= take
        for b, (_, due, _) in enumerate(rows):
            if due == t:
                late += rem[:, b]
    return late


def _all_vectors(n, top):
    return np.array(list(itertools.product(range(top + 1), repeat=n)), dtype=float)


def _check_definition(contacts, aht, deadline, share, final, starts, clock, r, least):
    """r_t is the least R such that, for every later s, R from t until s and the least peak from s on meet
    every due point of the mail on hand at t and of the mail arriving from s on (mail arriving in between
    left out)."""
    n, top = len(contacts), int(max(r.max(), least)) + 1
    for t in range(n):
        fits = np.ones(top + 1, dtype=bool)
        for s in range(t + 1, n + 1):
            seen = np.array(contacts, dtype=float)
            seen[t + 1:s] = 0.0
            trial = np.array([list(r[:t]) + [R] * (s - t) + [least] * (n - s) for R in range(top + 1)], float)
            fits &= _late(_buckets(seen, aht, deadline, share, final, starts, clock), n, trial) <= TOL
        assert r[t] == int(np.flatnonzero(fits)[0]), (t, r.tolist(), fits.tolist())


def _case(seed):
    """A tiny random goal and series: 3–5 intervals, a few agents' worth of work, open-hours or calendar clock."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 6))
    contacts = rng.integers(0, 7, n).astype(float) * (rng.random(n) < 0.75)
    if seed % 3 == 0:                                    # a morning batch on top
        contacts[0] += rng.integers(5, 12)
    aht = rng.uniform(200, 700, n)
    deadline = I * float(rng.choice([1.0, 1.5, 2.0, 3.0]))
    share = float(rng.choice([1.0, 0.9, 0.6]))
    final = deadline * float(rng.choice([1.0, 2.0]))
    starts, clock = None, "open_hours"
    if seed % 4 == 1:                                    # wall-clock deadline with a closure in the series
        starts = np.cumsum(np.where(rng.random(n) < 0.3, 3 * I, I))
        clock = "calendar"
    return n, contacts, aht, deadline, share, final, starts, clock


def _later_batch_case(seed):
    """Mail on hand, then a batch landing later whose due points share the stretch with it."""
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(4, 6))
    contacts = np.zeros(n)
    contacts[0] = rng.integers(1, 12)
    contacts[int(rng.integers(1, n))] += rng.integers(5, 30)
    if rng.random() < 0.5:
        contacts += rng.integers(0, 3, n)
    aht = np.full(n, 600.0)
    deadline = I * float(rng.choice([2.0, 3.0, 4.0, 5.0]))
    share = float(rng.choice([1.0, 0.9, 0.6]))
    final = deadline * float(rng.choice([1.0, 2.0]))
    return n, contacts, aht, deadline, share, final, None, "open_hours"


# --- 1. brute force: the stated properties ---------------------------------------------------------

# later-batch seeds 75 and 165: the two of the first 200 where the windows between s = t + 1 and s = τ + 1 bind
@pytest.mark.parametrize("kind,seed", [("mixed", k) for k in range(30)]
                         + [("later batch", k) for k in [*range(30), 75, 165]])
def test_levelled_requirement_against_every_staffing_vector(kind, seed):
    case = _case if kind == "mixed" else _later_batch_case
    n, contacts, aht, deadline, share, final, starts, clock = case(seed)
    res = backlog.plan(contacts, aht, I, deadline, share, final, starts, clock)
    r = res.agents
    rows = _buckets(contacts, aht, deadline, share, final, starts, clock)

    # (1) every due point inside the horizon is met; the module's own simulation agrees
    assert _late(rows, n, r)[0] <= TOL
    sim = backlog.simulate(contacts, aht, I, r, deadline, share, final, starts, clock)
    judged = backlog.due_intervals(n, I, deadline, starts, clock) < n
    assert sim.late_work_s <= TOL and (sim.on_time_share[judged] >= share - 1e-9).all()

    # (2) its peak is the least peak of every staffing vector that meets the due points
    top = int(r.max()) + 1
    vectors = _all_vectors(n, top)
    feasible = _late(rows, n, vectors) <= TOL
    least = vectors[feasible].max(axis=1).min()
    assert r.max() == least

    # (3) each interval's figure is the least R of the definition (see _check_definition)
    _check_definition(contacts, aht, deadline, share, final, starts, clock, r, int(least))
    for t in range(n):
        # its two familiar special cases, brute-forced over every vector with the same past: r_t is at least
        # the least peak from t on that meets the due points of the mail on hand (s = n) ...
        same_past = (vectors[:, :t] == r[:t]).all(axis=1)
        on_hand = contacts.copy()
        on_hand[t + 1:] = 0.0
        ok_t = _late(_buckets(on_hand, aht, deadline, share, final, starts, clock), n, vectors) <= TOL
        assert r[t] >= vectors[ok_t & same_past, t:].max(axis=1).min()
        # ... and at least the least staffing now of any plan that meets the whole goal within the least peak
        keep = feasible & same_past & (vectors[:, t:].max(axis=1) <= least)
        assert r[t] >= vectors[keep, t].min()

    # (4) never above the just-in-time peak: the most work falling due in one interval, in agents
    due_work = np.zeros(n + 1)
    for _, due, amount in rows:
        due_work[due] += amount
    assert r.max() <= math.ceil(due_work[:n].max() / I - 1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_mail_all_on_hand_gets_the_least_peak_and_never_rises(seed):
    """The night's mail alone: the requirement never rises, and peaks at the least peak."""
    rng = np.random.default_rng(100 + seed)
    n = 5
    contacts = np.zeros(n)
    contacts[0] = rng.integers(3, 25)
    aht = np.full(n, float(rng.uniform(200, 600)))
    deadline = I * float(rng.choice([1.5, 2.0, 3.0, 4.0]))
    share = float(rng.choice([1.0, 0.9, 0.5]))
    final = deadline * float(rng.choice([1.0, 1.5, 2.0]))
    r = backlog.plan(contacts, aht, I, deadline, share, final).agents
    assert (np.diff(r) <= 0).all()
    rows = _buckets(contacts, aht, deadline, share, final)
    vectors = _all_vectors(n, int(r.max()))
    feasible = _late(rows, n, vectors) <= TOL
    assert vectors[feasible].max(axis=1).min() == r.max()


def test_mail_due_soon_after_the_mail_on_hand_is_staffed_for_ahead():
    """The on-hand term alone would give 3, 5, 4; keeping the least peak (4) reachable starts at 4."""
    contacts, aht = np.array([18.0, 18.0, 0.0]), np.full(3, 600.0)    # 6 agent-intervals each, due next interval
    r = backlog.plan(contacts, aht, I, 2 * I).agents
    assert r.tolist() == [4, 4, 4]
    rows = _buckets(contacts, aht, 2 * I, 1.0, 4 * I)
    assert _late(rows, 3, [3, 5, 4])[0] <= TOL and _late(rows, 3, [3, 4, 4])[0] > TOL


def test_work_due_in_a_busy_stretch_is_done_before_it_evenly():
    """Mail on hand due when the 08:00-like batch (interval 4) will fill every interval at the least peak is
    worked off before the batch at a steady rate, not left to the interval before it."""
    contacts, aht = np.array([5.0, 23.0, 7.0, 0.0, 96.0, 0.0, 0.0, 0.0]), np.full(8, 600.0)
    r = backlog.plan(contacts, aht, I, 4 * I).agents
    assert r.tolist() == [1, 3, 4, 4, 8, 8, 8, 8]
    # the two familiar rules alone (on-hand constant staffing; least staffing keeping the peak reachable)
    # would give 1, 3, 2, 6, 8, ...: a dip and a jump before the batch
    rows = _buckets(contacts, aht, 4 * I, 1.0, 4 * I)
    assert _late(rows, 8, [1, 3, 2, 6, 8, 8, 8, 8])[0] <= TOL
    least = next(k for k in range(20) if _late(rows, 8, np.full(8, float(k)))[0] <= TOL)
    assert least == 8
    _check_definition(contacts, aht, 4 * I, 1.0, 4 * I, None, "open_hours", r, least)


@pytest.mark.parametrize("seed", range(20))
def test_least_peak_matches_the_least_constant_staffing_on_longer_series(seed):
    """The window formula for the least peak against a scan of constant staffing, 40 intervals."""
    rng = np.random.default_rng(200 + seed)
    n = 40
    contacts = rng.poisson(rng.uniform(2, 15), n).astype(float)
    contacts[:: int(rng.integers(8, 21))] += rng.integers(0, 120)
    aht = rng.uniform(200, 700, n)
    deadline = I * float(rng.choice([1.0, 2.0, 4.0, 8.0, 11.5]))
    share = float(rng.choice([1.0, 0.9, 0.7]))
    final = deadline * float(rng.choice([1.0, 2.0, 3.0]))
    starts, clock = (np.cumsum(np.where(rng.random(n) < 0.1, 20 * I, I)), "calendar") if seed % 2 else (None,
                                                                                                      "open_hours")
    rows = _buckets(contacts, aht, deadline, share, final, starts, clock)
    res = backlog.plan(contacts, aht, I, deadline, share, final, starts, clock)
    least = next(k for k in range(200) if _late(rows, n, np.full(n, float(k)))[0] <= TOL)
    assert res.agents.max() == least
    assert _late(rows, n, res.agents)[0] <= TOL and res.late_work_s <= TOL


# --- 2. the sample site's mailbox -------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_email():
    site = load_site(SAMPLE / "site.yaml")
    queue = next(q for q in site.queues if q.id == "email")
    hist = pd.read_csv(SAMPLE / "history.csv")
    hist = hist[hist["queue"] == "email"].copy()
    hist["local"] = pd.to_datetime(hist["start"], format="ISO8601", utc=True).dt.tz_convert("Europe/London")
    hist = hist.sort_values("local")
    weeks = hist["local"].dt.tz_localize(None).dt.to_period("W-SUN")
    return queue, hist[weeks >= weeks.max() - 3]                       # the last four weeks


def test_sample_mailbox_is_staffed_level_and_meets_the_goal(sample_email):
    queue, hist = sample_email
    goal = queue.service_goal
    contacts, aht = hist["contacts"].to_numpy(float), hist["aht_s"].to_numpy(float)
    assert (hist["local"].dt.strftime("%H:%M") == "08:00").any()
    net = agents_required(contacts, aht, 1800.0, goal)
    day = hist["local"].dt.date.to_numpy()
    mornings = 0
    for d in np.unique(day):
        today = net[day == d]
        busy = today[today > 0]
        assert busy.max() <= 2 * busy.mean(), (d, today.tolist())
        first = hist.loc[day == d, "contacts"].iloc[0]
        assert first >= 60                                             # the night's mail lands at 08:00 ...
        assert (today[:8] > 0).all()                                   # ... and is worked from 08:00
        mornings += 1
    assert mornings >= 18
    sl = projected_service_level(contacts, aht, 1800.0, net, goal)
    judged = backlog.due_intervals(len(contacts), 1800.0, goal.deadline_s) < len(contacts)
    assert (sl[judged] >= 0.9 - 1e-9).all()
    # the peak is the least peak any plan can have (the least constant staffing meeting every due point)
    least = next(k for k in range(60)
                 if backlog.simulate(contacts, aht, 1800.0, np.full(len(contacts), float(k)), goal.deadline_s,
                                     0.9).late_work_s <= TOL)
    assert net.max() == least


# --- 3. fast enough for long series ------------------------------------------------------------------

def test_a_hundred_thousand_intervals_in_seconds():
    rng = np.random.default_rng(5)
    n = 100_000
    contacts = rng.poisson(12, n).astype(float)
    contacts[::20] += 150
    aht = np.full(n, 420.0)
    t0 = time.perf_counter()
    res = backlog.plan(contacts, aht, I, 4 * 3600.0, 0.9)
    took = time.perf_counter() - t0
    assert res.late_work_s <= TOL
    assert took < 30.0, took                                           # ~1 s on 2 cores; generous for busy CI
